//! PSPLIB benchmark figures: the reference table of bounds and best known makespans
//! (parsed from CSV text), and the loop that solves a set of instances on several
//! threads (one instance per thread at a time, each solve deterministic for its seed),
//! validates every schedule and computes the figures the literature reports: average
//! deviation from the optimum (J30) or the critical-path bound (J60, J90, J120), share
//! at the best known makespan, schedules per second, and time.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::{Problem, Time};
use crate::solve::{Limits, NoProgress, solve};
use crate::validate::validate;

/// Known figures for one instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    /// Critical-path lower bound.
    pub cpm_lb: Time,
    /// Best known makespan (the optimum where `optimal`).
    pub best_ub: Time,
    /// Whether `best_ub` is proven optimal.
    pub optimal: bool,
}

/// Reference figures keyed by `(set, instance)`, e.g. `("j30", "j301_1")`.
pub type References = HashMap<(String, String), Reference>;

/// Splits one CSV line into fields, honouring double quotes.
fn csv_fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Parses the reference CSV (columns `set`, `instance`, `cpm_lb`, `best_ub`,
/// `best_optimal` are used; others ignored).
pub fn parse_references(text: &str) -> Result<References> {
    let mut lines = text.lines().enumerate();
    let header = lines
        .next()
        .map(|(_, l)| csv_fields(l.trim_end_matches('\r')))
        .ok_or(Error::Reference {
            line: 1,
            message: "empty file".into(),
        })?;
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or(Error::Reference {
                line: 1,
                message: format!("no `{name}` column"),
            })
    };
    let (cs, ci, cl, cu, co) = (
        col("set")?,
        col("instance")?,
        col("cpm_lb")?,
        col("best_ub")?,
        col("best_optimal")?,
    );
    let mut out = HashMap::new();
    for (i, line) in lines {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let f = csv_fields(line);
        let get = |c: usize| f.get(c).map(String::as_str).unwrap_or("");
        let num = |c: usize| {
            get(c).trim().parse::<Time>().map_err(|_| Error::Reference {
                line: i + 1,
                message: format!("`{}` in column {} is not an integer", get(c), header[c]),
            })
        };
        let reference = Reference {
            cpm_lb: num(cl)?,
            best_ub: num(cu)?,
            optimal: get(co).trim() == "1",
        };
        out.insert((get(cs).to_string(), get(ci).to_string()), reference);
    }
    Ok(out)
}

/// Sort key so that `j301_2` comes before `j301_10` and `j302_1` after both.
pub fn natural_key(name: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut digits = String::new();
    for c in name.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            if !digits.is_empty() {
                out.push((
                    std::mem::take(&mut text),
                    digits.parse().unwrap_or(u64::MAX),
                ));
                digits.clear();
            }
            text.push(c);
        }
    }
    out.push((text, digits.parse().unwrap_or(0)));
    out
}

/// Outcome of one instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstanceResult {
    /// Instance name, e.g. `j301_1`.
    pub name: String,
    /// Makespan found (`None`: no schedule).
    pub makespan: Option<Time>,
    /// Number of validator violations of the returned schedule.
    pub violations: usize,
    /// Schedules generated.
    pub schedules: u64,
}

/// Figures for one set, as printed by `bonifica bench psplib`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetFigures {
    /// Set name, e.g. `j30`.
    pub set: String,
    /// Instances solved with a valid schedule and a reference.
    pub instances: usize,
    /// Average deviation in percent from `best_ub` (J30) or `cpm_lb` (others).
    pub avg_deviation_pct: f64,
    /// Share in percent of instances at (or below) the best known makespan.
    pub at_best_pct: f64,
    /// Generated schedules per wall-clock second, all threads together.
    pub schedules_per_sec: f64,
    /// Generated schedules per second per thread.
    pub schedules_per_sec_per_core: f64,
    /// Wall time in seconds.
    pub seconds: f64,
    /// Threads used.
    pub threads: usize,
    /// Schedules budget per instance.
    pub schedules_per_instance: u64,
    /// Instances whose schedule failed validation or that have no schedule.
    pub invalid: usize,
    /// Instances missing from the reference table.
    pub unreferenced: usize,
}

/// What deviations are measured from in `set`: the optimum for J30, the critical-path
/// bound otherwise.
pub fn deviation_basis(set: &str, r: &Reference) -> Time {
    if set.eq_ignore_ascii_case("j30") {
        r.best_ub
    } else {
        r.cpm_lb
    }
}

/// How to run a set.
#[derive(Debug, Clone, Copy)]
pub struct BenchConfig {
    /// Schedules per instance.
    pub schedules: u64,
    /// Seed of every solve.
    pub seed: u64,
    /// Instances solved in parallel.
    pub threads: usize,
}

/// Solves every `(name, problem)` of `set` with `config`, validating each schedule;
/// `on_done` is called after each instance (from worker threads).
pub fn run_set(
    set: &str,
    instances: &[(String, Problem)],
    references: &References,
    config: BenchConfig,
    on_done: &(dyn Fn(&InstanceResult) + Sync),
) -> (SetFigures, Vec<InstanceResult>) {
    let started = Instant::now();
    let threads = config.threads.max(1).min(instances.len().max(1));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<InstanceResult>>> = Mutex::new(vec![None; instances.len()]);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((name, problem)) = instances.get(i) else {
                        break;
                    };
                    let r = solve_one(name, problem, config);
                    on_done(&r);
                    if let Ok(mut v) = results.lock() {
                        v[i] = Some(r);
                    }
                }
            });
        }
    });
    let seconds = started.elapsed().as_secs_f64();
    let results: Vec<InstanceResult> = results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect();
    let figures = figures(set, &results, references, config, threads, seconds);
    (figures, results)
}

fn solve_one(name: &str, problem: &Problem, config: BenchConfig) -> InstanceResult {
    let limits = Limits {
        schedules: Some(config.schedules),
        seed: config.seed,
        threads: 1,
        ..Limits::default()
    };
    match solve(problem, &limits, &NoProgress) {
        Ok(sol) => {
            let violations = sol
                .schedule
                .as_ref()
                .map_or(1, |s| validate(problem, s).len());
            InstanceResult {
                name: name.to_string(),
                makespan: sol.schedule.as_ref().map(|s| s.makespan(problem)),
                violations,
                schedules: sol.schedules,
            }
        }
        Err(_) => InstanceResult {
            name: name.to_string(),
            makespan: None,
            violations: 1,
            schedules: 0,
        },
    }
}

/// Computes a set's figures from its instance results.
pub fn figures(
    set: &str,
    results: &[InstanceResult],
    references: &References,
    config: BenchConfig,
    threads: usize,
    seconds: f64,
) -> SetFigures {
    let (mut dev_sum, mut at_best, mut counted, mut invalid, mut unreferenced) =
        (0.0, 0usize, 0usize, 0usize, 0usize);
    for r in results {
        let Some(ms) = r.makespan.filter(|_| r.violations == 0) else {
            invalid += 1;
            continue;
        };
        let Some(reference) = references.get(&(set.to_string(), r.name.clone())) else {
            unreferenced += 1;
            continue;
        };
        let basis = deviation_basis(set, reference).max(1);
        dev_sum += (ms - basis) as f64 / basis as f64 * 100.0;
        at_best += usize::from(ms <= reference.best_ub);
        counted += 1;
    }
    let total: u64 = results.iter().map(|r| r.schedules).sum();
    let per_sec = total as f64 / seconds.max(1e-9);
    let pct = |x: f64| {
        if counted == 0 {
            0.0
        } else {
            x / counted as f64
        }
    };
    SetFigures {
        set: set.to_string(),
        instances: counted,
        avg_deviation_pct: pct(dev_sum),
        at_best_pct: pct(at_best as f64 * 100.0),
        schedules_per_sec: per_sec,
        schedules_per_sec_per_core: per_sec / threads.max(1) as f64,
        seconds,
        threads,
        schedules_per_instance: config.schedules,
        invalid,
        unreferenced,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_quoted_reference_rows() {
        let csv = "set,instance,cpm_lb,ub_author,best_ub,best_optimal\n\
                   j120,j1201_1,99,\"V. Valls, M. Quintanilla\",105,0\n\
                   j30,j301_1,38,x,43,1\n";
        let r = parse_references(csv).unwrap_or_default();
        let a = r[&("j120".to_string(), "j1201_1".to_string())];
        assert_eq!((a.cpm_lb, a.best_ub, a.optimal), (99, 105, false));
        assert_eq!(deviation_basis("j120", &a), 99);
        let b = r[&("j30".to_string(), "j301_1".to_string())];
        assert_eq!(deviation_basis("j30", &b), 43);
        let bad = parse_references("set,instance\n");
        assert!(bad.unwrap_err().to_string().contains("cpm_lb"));
    }

    #[test]
    fn natural_order() {
        let mut v = vec!["j301_10", "j302_1", "j301_2", "j3010_1"];
        v.sort_by_key(|s| natural_key(s));
        assert_eq!(v, vec!["j301_2", "j301_10", "j302_1", "j3010_1"]);
    }

    #[test]
    fn figures_average_and_share() {
        let mut refs = References::new();
        for (name, lb, ub) in [("a", 10, 10), ("b", 20, 25)] {
            refs.insert(
                ("j60".into(), name.into()),
                Reference {
                    cpm_lb: lb,
                    best_ub: ub,
                    optimal: false,
                },
            );
        }
        let res = |name: &str, ms| InstanceResult {
            name: name.into(),
            makespan: Some(ms),
            violations: 0,
            schedules: 100,
        };
        let config = BenchConfig {
            schedules: 100,
            seed: 0,
            threads: 2,
        };
        let f = figures("j60", &[res("a", 11), res("b", 25)], &refs, config, 2, 2.0);
        assert_eq!(f.instances, 2);
        assert!((f.avg_deviation_pct - 17.5).abs() < 1e-9);
        assert!((f.at_best_pct - 50.0).abs() < 1e-9);
        assert!((f.schedules_per_sec - 100.0).abs() < 1e-9);
    }
}
