//! `bonifica plan` and `bonifica compare`: plan a region (or a scenario of it) with a
//! progress bar showing the best objective so far, keep the best plan on Ctrl-C, print the
//! indicators and export the plan; compare two scenarios side by side.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::store::open_store;
use anyhow::Context;
use bonifica_interchange::{PlanLayer, plan_assets_geojson, plan_csv, plan_hazard_areas_geojson};
use bonifica_model::{Dataset, Date};
use bonifica_planner::{
    Forecast, Limits, ObjectiveKind, Plan, Planner, PlannerConfig, ProgressInfo, Scenario,
};

use crate::exit::Failure;
use crate::ui;

/// Arguments shared by `plan` and `compare`.
#[derive(Debug, Clone, clap::Args)]
pub struct PlanSettings {
    /// Programme overrides of the planner defaults (TOML; see docs/planner.md).
    #[arg(long, value_name = "FILE.toml")]
    pub config: Option<PathBuf>,
    /// Improvement time per plan after the first feasible plan, in seconds.
    #[arg(long, default_value_t = 50)]
    pub seconds: u64,
    /// Improvement iterations in all; with a seed this makes the plan reproducible.
    #[arg(long)]
    pub iterations: Option<u64>,
    /// The seed of the search and of the forecast.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Search threads.
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// The plan's first day (YYYY-MM-DD); the earliest contract start by default.
    #[arg(long)]
    pub start_date: Option<Date>,
    /// What to minimise: service (service-weighted restoration, the default) or makespan.
    #[arg(long, default_value = "service")]
    pub objective: String,
}

/// `bonifica plan`.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// The region file.
    pub region_file: PathBuf,
    /// A scenario: `base`, a TOML file, or a name looked up as `scenarios/NAME.toml` in the
    /// current folder or beside the region file.
    #[arg(long, default_value = "base")]
    pub scenario: String,
    #[command(flatten)]
    pub settings: PlanSettings,
    /// Monte Carlo samples for the P50/P90 forecast (0 to skip it).
    #[arg(long, default_value_t = 50)]
    pub forecast: usize,
    /// Write the plan as CSV tables and GeoJSON layers into this folder.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print the plan's indicators as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Do not save the plan in the region file (by default it replaces the stored plan
    /// of the same scenario, with planned, P50 and P90 dates as GIS attributes).
    #[arg(long)]
    pub no_save: bool,
    /// Run the independent plan checker and fail (exit 5) on any violation.
    #[arg(long)]
    pub check: bool,
}

/// `bonifica compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// The region file.
    pub region_file: PathBuf,
    /// The first scenario (`base` for the region as registered).
    pub a: String,
    /// The second scenario.
    pub b: String,
    #[command(flatten)]
    pub settings: PlanSettings,
}

pub fn plan(args: &PlanArgs) -> anyhow::Result<()> {
    let dataset = load(&args.region_file)?;
    let scenario = resolve_scenario(&args.scenario, &args.region_file)?;
    let cancel = ctrl_c_flag();
    let run = run_plan(
        &dataset,
        scenario.as_ref(),
        &args.settings,
        Some(cancel.clone()),
    )?;
    if cancel.load(Ordering::Relaxed) {
        eprintln!("interrupted: keeping the best plan found so far");
    }
    let forecast = (args.forecast > 0).then(|| {
        let spinner = ui::spinner(&format!("forecast: {} Monte Carlo samples", args.forecast));
        let f = run
            .planner
            .forecast(&run.plan, args.forecast, args.settings.seed);
        spinner.finish_and_clear();
        f
    });
    if args.json {
        crate::outln!("{}", serde_json::to_string_pretty(&run.plan.indicators)?)?;
    } else {
        print!("{}", render(&run.plan, forecast.as_ref()));
    }
    if let Some(dir) = &args.out {
        export(dir, &run.dataset, &run.plan, forecast.as_ref())?;
    }
    if !args.no_save {
        let mut store = open_store(&args.region_file)?;
        let created = chrono::Utc::now()
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string();
        store
            .save_plan(
                &run.dataset,
                &run.plan,
                forecast.as_ref(),
                &created,
                bonifica_store::SYSTEM_ACTOR,
            )
            .with_context(|| {
                format!(
                    "saving plan {} in {}",
                    run.plan.name,
                    args.region_file.display()
                )
            })?;
        eprintln!(
            "saved plan {} in {} (layers plan_hazard_areas, plan_assets, plan_tasks)",
            run.plan.name,
            args.region_file.display()
        );
    }
    if args.check {
        check(&run)?;
    }
    Ok(())
}

/// The independent checker: every team and crew in one place at a time, no repair before
/// its blocking hazards are released, no work outside a contract, no capacity exceeded,
/// travel time respected.
fn check(run: &Run) -> anyhow::Result<()> {
    let violations = bonifica_planner::check(&run.dataset, &run.config, &run.plan)?;
    for v in violations.iter().take(20) {
        eprintln!("violation: {v}");
    }
    if !violations.is_empty() {
        return Err(Failure::Violations(format!(
            "the plan breaks {} rules (first 20 listed)",
            violations.len()
        ))
        .into());
    }
    crate::outln!(
        "checked: {} tasks, no violation (one place at a time, gating, contracts, capacity, travel)",
        run.plan.items.len()
    )?;
    Ok(())
}

/// Plans a region file with the default settings and saves the plan in it (for the demo).
pub fn plan_and_save(file: &Path, seconds: u64, forecast: usize) -> anyhow::Result<()> {
    let args = PlanArgs {
        region_file: file.to_path_buf(),
        scenario: "base".to_string(),
        settings: PlanSettings {
            config: None,
            seconds,
            iterations: None,
            seed: 1,
            threads: 2,
            start_date: None,
            objective: "service".to_string(),
        },
        forecast,
        out: None,
        json: false,
        no_save: false,
        check: true,
    };
    plan(&args)
}

pub fn compare(args: &CompareArgs) -> anyhow::Result<()> {
    let dataset = load(&args.region_file)?;
    let cancel = ctrl_c_flag();
    let mut plans = Vec::new();
    for name in [&args.a, &args.b] {
        let scenario = resolve_scenario(name, &args.region_file)?;
        let run = run_plan(
            &dataset,
            scenario.as_ref(),
            &args.settings,
            Some(cancel.clone()),
        )?;
        plans.push(run.plan);
    }
    crate::outln!("{}", bonifica_planner::compare(&plans[0], &plans[1]))?;
    Ok(())
}

/// A plan with what it was made from.
struct Run {
    dataset: Dataset,
    config: PlannerConfig,
    planner: Planner,
    plan: Plan,
}

fn run_plan(
    base: &Dataset,
    scenario: Option<&Scenario>,
    settings: &PlanSettings,
    cancel: Option<Arc<AtomicBool>>,
) -> anyhow::Result<Run> {
    let mut config = match &settings.config {
        None => PlannerConfig::default(),
        Some(path) => PlannerConfig::from_toml(&read(path)?)
            .map_err(|e| Failure::BadInput(format!("{}: {e}", path.display())))?,
    };
    let dataset = match scenario {
        None => base.clone(),
        Some(s) => {
            config = s.config(&config);
            bonifica_planner::apply(base, s)?
        }
    };
    let name = scenario.map_or("base", |s| s.name.as_str()).to_string();
    let start = settings
        .start_date
        .or_else(|| dataset.contracts.iter().map(|c| c.window.start()).min())
        .context("the region has no contracts: give --start-date")?;
    let limits = Limits {
        time_budget: Some(Duration::from_secs(settings.seconds)),
        max_iterations: settings.iterations,
        seed: settings.seed,
        threads: settings.threads.max(1),
        cancel,
        objective: objective(&settings.objective)?,
        with_baseline: true,
    };
    let planner = Planner::new(&dataset, &config, start)?;
    let bar = ui::timed_bar(&format!("planning {name}"), settings.seconds);
    let progress = |p: &ProgressInfo| {
        bar.set_position(p.elapsed.as_secs());
        bar.set_message(format!(
            "best objective {:.4e} after {} plans",
            p.best_objective, p.iterations
        ));
    };
    let (mut plan, figures) = planner.plan(&limits, &progress);
    bar.finish_and_clear();
    plan.name = name;
    eprintln!(
        "{}: first feasible plan in {:.2} s, final after {:.1} s and {} improvement rounds",
        plan.name, figures.first_feasible_s, figures.total_s, figures.iterations
    );
    Ok(Run {
        dataset,
        config,
        planner,
        plan,
    })
}

fn objective(word: &str) -> anyhow::Result<ObjectiveKind> {
    match word {
        "service" => Ok(ObjectiveKind::ServiceRestoration),
        "makespan" => Ok(ObjectiveKind::Makespan),
        other => Err(Failure::Usage(format!(
            "unknown objective {other:?}: use service or makespan"
        ))
        .into()),
    }
}

/// Finds a scenario by name: `base` is none; otherwise a TOML file, given as a path or as
/// `scenarios/NAME.toml` in the current folder or beside the region file.
fn resolve_scenario(name: &str, region_file: &Path) -> anyhow::Result<Option<Scenario>> {
    if name == "base" {
        return Ok(None);
    }
    let beside = region_file
        .parent()
        .unwrap_or(Path::new("."))
        .join("scenarios");
    let candidates = [
        PathBuf::from(name),
        Path::new("scenarios").join(format!("{name}.toml")),
        beside.join(format!("{name}.toml")),
    ];
    let Some(path) = candidates.iter().find(|p| p.is_file()) else {
        return Err(Failure::Usage(format!(
            "scenario {name:?} not found: looked for {}",
            candidates
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .into());
    };
    let mut scenario = Scenario::from_toml(&read(path)?)
        .map_err(|e| Failure::BadInput(format!("{}: {e}", path.display())))?;
    if scenario.name.is_empty() {
        scenario.name = name.to_string();
    }
    if let Some(extra) = &scenario.add_region {
        let extra_path = path.parent().unwrap_or(Path::new(".")).join(extra);
        scenario.extra_region = Some(load(&extra_path)?);
    }
    Ok(Some(scenario))
}

fn render(plan: &Plan, forecast: Option<&Forecast>) -> String {
    use std::fmt::Write;
    let i = &plan.indicators;
    let mut out = String::new();
    let _ = writeln!(out, "plan {} from {}", plan.name, plan.start_date);
    let _ = writeln!(
        out,
        "  objective (service-weighted restoration)  {:.4e}",
        plan.objective_value
    );
    if let Some(b) = plan.baseline_objective {
        let better = (b - plan.objective_value) / b * 100.0;
        let _ = writeln!(
            out,
            "  greedy baseline                           {b:.4e}  ({better:.1} % better)"
        );
    }
    let _ = writeln!(
        out,
        "  hazard areas released {:>6}   {:.2} km²",
        i.hazards_released, i.released_km2
    );
    let _ = writeln!(out, "  assets restored       {:>6}", i.assets_restored);
    let _ = writeln!(
        out,
        "  road reopened  {:>9.1} km   rail reopened {:.1} km",
        i.road_km_reopened, i.rail_km_reopened
    );
    let _ = writeln!(
        out,
        "  power restored to {:.1} % of the people served by damaged power assets",
        i.power_population_share * 100.0
    );
    if let Some(end) = i.programme_end {
        let _ = writeln!(out, "  last planned work      {end}");
    }
    if let Some(f) = forecast {
        let p = |d: Option<Date>| d.map_or("past the contracts".to_string(), |d| d.to_string());
        let _ = writeln!(
            out,
            "  programme end forecast P50 {}   P90 {}",
            p(f.programme_p50),
            p(f.programme_p90)
        );
    }
    let _ = writeln!(
        out,
        "  beyond the contracts: {} team-days of release work, {:.0} person-days of repair; {} units end with work left",
        i.deferred_team_days,
        i.deferred_person_days,
        i.units_ending_with_work.len()
    );
    let _ = writeln!(
        out,
        "  month    cancelled  reduced  cleared km²   road km  rail km  power  teams  crews"
    );
    for m in &i.months {
        let _ = writeln!(
            out,
            "  {}  {:>9.2} {:>8.2} {:>8.2}   {:>9.1} {:>8.1} {:>5.0}% {:>5.0}% {:>5.0}%",
            m.month,
            m.cancelled_km2,
            m.reduced_km2,
            m.cleared_km2,
            m.road_km_reopened,
            m.rail_km_reopened,
            m.power_population_share * 100.0,
            m.team_utilisation * 100.0,
            m.crew_utilisation * 100.0
        );
    }
    out
}

fn export(
    dir: &Path,
    dataset: &Dataset,
    plan: &Plan,
    forecast: Option<&Forecast>,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut files = Vec::new();
    for layer in PlanLayer::ALL {
        files.push((
            format!("{}.csv", layer.stem()),
            plan_csv(plan, forecast, layer)?,
        ));
    }
    files.push((
        "plan_hazard_areas.geojson".into(),
        plan_hazard_areas_geojson(dataset, plan, forecast),
    ));
    files.push((
        "plan_assets.geojson".into(),
        plan_assets_geojson(dataset, plan, forecast),
    ));
    files.push(("plan.json".into(), serde_json::to_string_pretty(plan)?));
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

fn load(path: &Path) -> anyhow::Result<Dataset> {
    let store = open_store(path)?;
    store
        .load()
        .with_context(|| format!("reading {}", path.display()))
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

/// A flag that Ctrl-C sets, so the search stops and keeps its best plan. A second Ctrl-C
/// ends the process at once.
fn ctrl_c_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let handler_flag = flag.clone();
    let installed = ctrlc::set_handler(move || {
        if handler_flag.swap(true, Ordering::Relaxed) {
            std::process::exit(130);
        }
    });
    if let Err(e) = installed {
        tracing::warn!("Ctrl-C will end the process at once: {e}");
    }
    flag
}
