//! The scheduling commands of `bonifica`: `solve` a JSON instance into a schedule,
//! `validate` a schedule against an instance, and `bench psplib` the engine on the
//! standard benchmark. Reading files, printing and the progress bar live here; the
//! work is done by `bonifica_sched`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use bonifica_sched::bench::{self, BenchConfig, SetFigures};
use bonifica_sched::{Limits, NoProgress, Problem, json, psplib};

/// Benchmarks of the scheduling engine.
#[derive(Debug, clap::Subcommand)]
pub enum BenchCommand {
    /// Solve PSPLIB instances and print the figures the literature reports, per set.
    Psplib(PsplibArgs),
}

/// Arguments of `bonifica bench psplib`.
#[derive(Debug, clap::Args)]
pub struct PsplibArgs {
    /// The PSPLIB root (with j30/, j60/, ... folders) or one set folder of `.sm` files.
    pub dir: PathBuf,
    /// CSV of reference makespans (columns set, instance, cpm_lb, best_ub, best_optimal).
    #[arg(long)]
    pub reference: PathBuf,
    /// Generated schedules allowed per instance.
    #[arg(long, default_value_t = 5_000)]
    pub schedules: u64,
    /// Print one JSON object per set instead of text.
    #[arg(long)]
    pub json: bool,
    /// Seed of every solve.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Instances solved in parallel (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Take only the first K instances of each set.
    #[arg(long)]
    pub limit: Option<usize>,
}

/// Arguments of `bonifica solve`.
#[derive(Debug, clap::Args)]
pub struct SolveArgs {
    /// Problem file in the JSON instance format (docs/instance-format.md).
    pub problem: PathBuf,
    /// Generated schedules allowed (default 5000 when --seconds is not given).
    #[arg(long)]
    pub schedules: Option<u64>,
    /// Wall time allowed, in seconds.
    #[arg(long)]
    pub seconds: Option<f64>,
    /// Seed of the random choices; the same seed gives the same schedule.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Parallel searches (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
}

/// Arguments of `bonifica validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Problem file in the JSON instance format.
    pub problem: PathBuf,
    /// Schedule file (as written by `bonifica solve`).
    pub schedule: PathBuf,
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

fn read_problem(path: &Path) -> anyhow::Result<Problem> {
    json::parse_problem(&read(path)?)
        .with_context(|| format!("{} is not a valid problem", path.display()))
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `bonifica solve problem.json > schedule.json`.
pub fn solve(args: &SolveArgs) -> anyhow::Result<()> {
    let problem = read_problem(&args.problem)?;
    let limits = Limits {
        schedules: args.schedules.or(if args.seconds.is_some() {
            None
        } else {
            Some(5_000)
        }),
        time: args.seconds.map(Duration::from_secs_f64),
        seed: args.seed,
        threads: args.threads.unwrap_or_else(cores),
        cancel: None,
    };
    let solution = bonifica_sched::solve(&problem, &limits, &NoProgress)?;
    let file = json::solution_file(&problem, &solution);
    crate::outln!("{}", json::schedule_to_json(&file))?;
    eprintln!(
        "{}: objective {}, lower bound {}, {} schedules in {:.2} s",
        file.status.as_deref().unwrap_or("unknown"),
        solution.objective.map_or("none".into(), |o| o.to_string()),
        solution.lower_bound,
        solution.schedules,
        solution.elapsed.as_secs_f64()
    );
    if let Some(reason) = &file.reason {
        eprintln!("{reason}");
    }
    Ok(())
}

/// `bonifica validate problem.json schedule.json`: prints every violation; the exit code
/// is non-zero if there is any.
pub fn validate(args: &ValidateArgs) -> anyhow::Result<ExitCode> {
    let problem = read_problem(&args.problem)?;
    let file = json::parse_schedule(&read(&args.schedule)?)
        .with_context(|| format!("{} is not a valid schedule", args.schedule.display()))?;
    let schedule = file.schedule();
    let violations = bonifica_sched::validate(&problem, &schedule);
    for v in &violations {
        crate::outln!("{v}")?;
    }
    if violations.is_empty() {
        crate::outln!(
            "valid: {} activities, objective {}",
            problem.activities.len(),
            schedule.objective(&problem)
        )?;
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("{} violations", violations.len());
        Ok(ExitCode::from(5))
    }
}

/// `bonifica bench ...`.
pub fn bench(cmd: &BenchCommand) -> anyhow::Result<()> {
    match cmd {
        BenchCommand::Psplib(args) => bench_psplib(args),
    }
}

/// `.sm` files of a folder, in natural order (`j301_2` before `j301_10`).
fn sm_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "sm"))
        .collect();
    files.sort_by_key(|p| bench::natural_key(&stem(p)));
    Ok(files)
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

/// The sets under `dir`: itself if it holds `.sm` files, else its sub-folders that do.
fn sets(dir: &Path) -> anyhow::Result<Vec<(String, Vec<PathBuf>)>> {
    let own = sm_files(dir)?;
    if !own.is_empty() {
        return Ok(vec![(stem(dir), own)]);
    }
    let mut subs: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    subs.sort_by_key(|p| bench::natural_key(&stem(p)));
    let mut out = Vec::new();
    for s in subs {
        let files = sm_files(&s)?;
        if !files.is_empty() {
            out.push((stem(&s), files));
        }
    }
    if out.is_empty() {
        bail!("no .sm files in {} or its sub-folders", dir.display());
    }
    Ok(out)
}

fn bench_psplib(args: &PsplibArgs) -> anyhow::Result<()> {
    let references = bench::parse_references(&read(&args.reference)?)
        .with_context(|| format!("reading {}", args.reference.display()))?;
    let config = BenchConfig {
        schedules: args.schedules,
        seed: args.seed,
        threads: args.threads.unwrap_or_else(cores),
    };
    for (set, mut files) in sets(&args.dir)? {
        files.truncate(args.limit.unwrap_or(usize::MAX));
        let mut instances = Vec::with_capacity(files.len());
        for f in &files {
            let name = stem(f);
            let problem = psplib::parse_sm(&name, &read(f)?)?;
            instances.push((name, problem));
        }
        let bar = indicatif::ProgressBar::new(instances.len() as u64);
        bar.set_message(set.clone());
        let (figures, results) =
            bench::run_set(&set, &instances, &references, config, &|_| bar.inc(1));
        bar.finish_and_clear();
        for r in results.iter().filter(|r| r.violations > 0) {
            eprintln!("{set}/{}: schedule has {} violations", r.name, r.violations);
        }
        print_figures(&figures, args.json)?;
        if figures.invalid > 0 {
            bail!(
                "{set}: {} instances without a valid schedule",
                figures.invalid
            );
        }
    }
    Ok(())
}

fn print_figures(f: &SetFigures, as_json: bool) -> anyhow::Result<()> {
    if as_json {
        crate::outln!("{}", serde_json::to_string(f)?)?;
        return Ok(());
    }
    let basis = if f.set.eq_ignore_ascii_case("j30") {
        "optimum (best_ub)"
    } else {
        "critical-path bound (cpm_lb)"
    };
    crate::outln!(
        "{}: {} instances, {} schedules each | avg deviation from {basis}: {:.2} % | at best \
         known: {:.1} % | {:.0} schedules/s ({:.0} per core, {} threads) | {:.1} s",
        f.set,
        f.instances,
        f.schedules_per_instance,
        f.avg_deviation_pct,
        f.at_best_pct,
        f.schedules_per_sec,
        f.schedules_per_sec_per_core,
        f.threads,
        f.seconds
    )?;
    if f.unreferenced > 0 {
        crate::outln!(
            "{}: {} instances missing from the reference table",
            f.set,
            f.unreferenced
        )?;
    }
    Ok(())
}
