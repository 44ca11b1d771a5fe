//! The JSON instance format: every file in `test-data/sched` reads, round-trips, and a
//! solved schedule written out and read back passes validation; bad files are located.

use bonifica_sched::json::{
    parse_problem, parse_schedule, problem_to_json, schedule_to_json, solution_file,
};
use bonifica_sched::{Limits, NoProgress, solve, validate};

use crate::{load, test_data};

#[test]
fn every_test_instance_round_trips_through_solve_and_validate() {
    let mut seen = 0;
    for entry in std::fs::read_dir(test_data()).unwrap_or_else(|e| panic!("{e}")) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        seen += 1;
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let p = load(&name);
        assert_eq!(
            parse_problem(&problem_to_json(&p)).as_ref(),
            Ok(&p),
            "{name}"
        );
        let sol = solve(&p, &Limits::schedules(500), &NoProgress).unwrap_or_else(|e| panic!("{e}"));
        let text = schedule_to_json(&solution_file(&p, &sol));
        let back = parse_schedule(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(Some(back.schedule()), sol.schedule, "{name}");
        assert_eq!(validate(&p, &back.schedule()), vec![], "{name}");
    }
    assert!(seen >= 7, "only {seen} json instances found");
}

#[test]
fn syntax_error_is_located() {
    let text = std::fs::read_to_string(test_data().join("lags.json")).unwrap_or_default();
    let broken = text.replacen("\"lag\": 2}", "\"lag\": 2,}", 1);
    let e = parse_problem(&broken).unwrap_err().to_string();
    assert!(e.starts_with("precedences[0]"), "{e}");
    assert!(e.contains("line 11"), "{e}");
}

#[test]
fn negative_capacity_is_rejected_with_the_resource_named() {
    let text =
        std::fs::read_to_string(test_data().join("capacity-profile.json")).unwrap_or_default();
    let broken = text.replace(
        "\"from\": 4, \"capacity\": 0",
        "\"from\": 4, \"capacity\": -1",
    );
    let e = parse_problem(&broken).unwrap_err().to_string();
    assert_eq!(e, "resource 0: negative capacity");
}
