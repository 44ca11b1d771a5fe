//! Solves a JSON instance without the CLI and prints a one-line summary:
//! `cargo run --release -p bonifica-sched --example solve_json -- problem.json [SCHEDULES] [THREADS]`.

use bonifica_sched::{Limits, NoProgress, json, solve, validate};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
    let problem = json::parse_problem(&std::fs::read_to_string(arg(1))?)?;
    let limits = Limits {
        schedules: Some(arg(2).parse().unwrap_or(5_000)),
        threads: arg(3).parse().unwrap_or(1),
        ..Limits::default()
    };
    let sol = solve(&problem, &limits, &NoProgress)?;
    let violations = sol
        .schedule
        .as_ref()
        .map_or(0, |s| validate(&problem, s).len());
    println!(
        "{:?}: objective {:?}, lower bound {}, {} schedules in {:.2} s, {} violations",
        sol.status,
        sol.objective,
        sol.lower_bound,
        sol.schedules,
        sol.elapsed.as_secs_f64(),
        violations
    );
    Ok(())
}
