//! The default demo region (1,000 deminers, 5,000 workers) planned end to end.

use std::sync::OnceLock;

use bonifica_model::Dataset;
use bonifica_planner::{Limits, Plan, Planner, PlannerConfig, Scenario, apply, check, compare};
use bonifica_synth::{Params, generate};

fn region() -> &'static Dataset {
    static REGION: OnceLock<Dataset> = OnceLock::new();
    REGION.get_or_init(|| generate(&Params::default()).expect("default region generates"))
}

fn quick(dataset: &Dataset, iterations: u64) -> (Planner, Plan) {
    let planner = Planner::new(
        dataset,
        &PlannerConfig::default(),
        Params::default().start_date,
    )
    .expect("default region is plannable");
    let limits = Limits {
        time_budget: None,
        max_iterations: Some(iterations),
        ..Limits::default()
    };
    let (plan, _) = planner.plan(&limits, &|_| {});
    (planner, plan)
}

fn test_data(name: &str) -> String {
    let path = format!(
        "{}/../../test-data/planner/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn default_region_plans_with_no_violation_and_beats_the_baseline() {
    let (_, plan) = quick(region(), 2);
    let violations = check(region(), &PlannerConfig::default(), &plan).expect("checkable");
    assert!(
        violations.is_empty(),
        "{} violations, first: {:?}",
        violations.len(),
        violations.first()
    );
    assert!(!plan.items.is_empty());
    let baseline = plan.baseline_objective.expect("baseline computed");
    assert!(
        plan.objective_value <= 0.8 * baseline,
        "plan {} is not 20 % better than baseline {baseline}",
        plan.objective_value
    );
    // Every asset has its explanation, ranked.
    assert_eq!(plan.priorities.len(), plan.assets.len());
    assert_eq!(plan.priorities.first().map(|p| p.rank), Some(1));
}

#[test]
fn twice_the_deminers_restores_service_sooner() {
    let scenario = Scenario::from_toml(&test_data("twice-deminers.toml")).expect("scenario parses");
    assert_eq!(scenario.deminers_factor, 2.0);
    let doubled = apply(region(), &scenario).expect("scenario applies");
    assert_eq!(doubled.teams.len(), 2 * region().teams.len());
    let (_, base) = quick(region(), 0);
    let (_, mut more) = quick(&doubled, 0);
    more.name = scenario.name.clone();
    let c = compare(&base, &more);
    let mean = |p: &Plan| p.indicators.weighted_mean_restoration_day;
    assert!(mean(&more) < mean(&base), "{c}");
    // Not every asset comes sooner: more released land means more repairs competing for
    // the same crews, so the assertion is on the weighted aggregate.
    assert!(
        more.indicators.assets_restored >= base.indicators.assets_restored,
        "{c}"
    );
    assert!(c.assets_earlier > 0, "{c}");
    assert!(c.to_string().contains("twice-deminers"));
}

#[test]
fn forecast_p90_is_never_before_p50() {
    let (planner, plan) = quick(region(), 0);
    let f = planner.forecast(&plan, 6, 3);
    assert_eq!(f.assets.len(), plan.assets.len());
    let late =
        |d: Option<bonifica_model::Date>| d.map_or(i64::MAX, |d| (d - plan.start_date).num_days());
    for r in f.assets.iter().chain(&f.hazards) {
        assert!(
            r.p90_day >= r.p50_day,
            "{}: P90 {} before P50 {}",
            r.code,
            r.p90_day,
            r.p50_day
        );
        assert!(late(r.p90) >= late(r.p50), "{}", r.code);
    }
    assert!(late(f.programme_p90) >= late(f.programme_p50));
    // The same seed gives the same forecast.
    assert_eq!(planner.forecast(&plan, 6, 3), f);
}

#[test]
fn a_programme_file_overrides_the_defaults() {
    let config = PlannerConfig::from_toml(&test_data("programme.toml")).expect("config parses");
    assert_eq!(config.productivity.manual_m2_per_deminer_day, 20.0);
    assert_eq!(config.gating.buffer_m, 100.0);
    assert_eq!(
        config.objective.priority_multipliers.get("bridge"),
        Some(&2.0)
    );
    assert_eq!(config.survey, PlannerConfig::default().survey);
}

#[test]
fn monthly_indicators_cover_the_plan_and_add_up() {
    // Regression: the months were computed and then dropped from the indicators.
    let (_, plan) = quick(region(), 1);
    let i = &plan.indicators;
    assert!(!i.months.is_empty(), "no monthly indicators");
    let end = i.programme_end.expect("work is placed");
    let last = &i.months[i.months.len() - 1].month;
    assert_eq!(last, &end.format("%Y-%m").to_string());
    let released: f64 = i
        .months
        .iter()
        .map(|m| m.cancelled_km2 + m.reduced_km2 + m.cleared_km2)
        .sum();
    assert!(
        (released - i.released_km2).abs() < 1e-6,
        "{released} vs {}",
        i.released_km2
    );
    let road = i.months.last().map_or(0.0, |m| m.road_km_reopened);
    assert!((road - i.road_km_reopened).abs() < 1e-6);
    assert!(
        i.months
            .windows(2)
            .all(|w| w[0].road_km_reopened <= w[1].road_km_reopened)
    );
    assert!(
        i.months
            .iter()
            .all(|m| (0.0..=1.0).contains(&m.team_utilisation))
    );
}

#[test]
fn a_view_hiding_nothing_counts_the_plans_own_indicators_and_hiding_areas_releases_less() {
    let (planner, plan) = quick(region(), 1);
    let mut view = plan.clone();
    planner.recount(&mut view, &plan, &std::collections::HashSet::new());
    let (a, b) = (&plan.indicators, &view.indicators);
    assert_eq!(a.hazards_released, b.hazards_released);
    assert_eq!(a.assets_restored, b.assets_restored);
    assert!((a.released_km2 - b.released_km2).abs() < 1e-9);
    assert!((a.road_km_reopened - b.road_km_reopened).abs() < 1e-9);
    assert!((a.power_population_share - b.power_population_share).abs() < 1e-12);
    assert!((a.weighted_mean_restoration_day - b.weighted_mean_restoration_day).abs() < 1e-6);
    assert_eq!(a.days, b.days, "the day-by-day figures, to the last bit");
    for (m, n) in a.months.iter().zip(&b.months) {
        assert!((m.cleared_km2 - n.cleared_km2).abs() < 1e-9, "{}", m.month);
        assert!(
            (m.rail_km_reopened - n.rail_km_reopened).abs() < 1e-9,
            "{}",
            m.month
        );
    }

    // Hiding the first released hazard area takes its release work out.
    let hidden_area = plan
        .hazards
        .iter()
        .find(|h| h.release_date.is_some())
        .expect("a hazard area is released");
    let hidden = std::collections::HashSet::from([hidden_area.id]);
    let mut view = plan.clone();
    view.hazards.retain(|h| h.id != hidden_area.id);
    view.items.retain(|i| i.subject.id != hidden_area.id);
    planner.recount(&mut view, &plan, &hidden);
    assert_eq!(
        view.indicators.hazards_released,
        plan.indicators.hazards_released - 1
    );
    let gone = hidden_area.expected.cancelled_m2
        + hidden_area.expected.reduced_m2
        + hidden_area.expected.cleared_m2;
    assert!(
        (plan.indicators.released_km2 - view.indicators.released_km2 - gone / 1e6).abs() < 1e-6,
        "released {} in all, {} in the view, {} km² hidden",
        plan.indicators.released_km2,
        view.indicators.released_km2,
        gone / 1e6
    );
}

#[test]
fn the_figures_at_a_date_are_those_of_the_months_and_the_totals() {
    let (_, plan) = quick(region(), 1);
    let ind = &plan.indicators;
    assert!(!ind.days.is_empty(), "the plan releases land");
    let last = ind.days.last().expect("a last day");
    assert_eq!(last.released_km2, ind.released_km2);
    assert_eq!(last.assets_restored, ind.assets_restored);
    assert_eq!(last.hazards_released, ind.hazards_released);
    assert!(
        ind.days.windows(2).all(|w| w[0].date < w[1].date
            && w[0].released_km2 <= w[1].released_km2
            && w[0].assets_restored <= w[1].assets_restored),
        "one entry a day, in order, never falling"
    );
    // At each month's end the figures are the months' own, summed.
    let mut released = 0.0;
    for m in &ind.months {
        released += m.cancelled_km2 + m.reduced_km2 + m.cleared_km2;
        let end = format!("{}-31", m.month);
        let at = ind
            .days
            .iter()
            .rev()
            .find(|d| d.date.format("%Y-%m-%d").to_string() <= end);
        let at_km2 = at.map_or(0.0, |d| d.released_km2);
        assert!(
            (at_km2 - released).abs() < 1e-9,
            "{}: {at_km2} against {released}",
            m.month
        );
        let road = at.map_or(0.0, |d| d.road_km_reopened);
        assert!(
            (road - m.road_km_reopened).abs() < 1e-9,
            "{}: road {road} against {}",
            m.month,
            m.road_km_reopened
        );
    }
    // Before the first change nothing is released; after the last, the totals.
    let first = ind.days[0].date;
    assert!(ind.at(first.pred_opt().expect("a day before")).is_none());
    assert_eq!(
        ind.at(last.date).map(|d| d.released_km2),
        Some(ind.released_km2)
    );
}
