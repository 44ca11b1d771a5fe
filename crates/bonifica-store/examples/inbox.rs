//! Benchmark of report inboxes and the audit walk as the reports of a season pile up:
//! writes the default demo region to a temporary GeoPackage, files N daily progress reports
//! through the store (one fsync'd transaction and one audit entry each, as the server
//! does), then times, for the coordinator's whole inbox, a page deep in it and one team's
//! inbox:
//!
//! - a page of 100 as the server reads it now (count, then one page by key);
//! - the same answer read the way the server read it before (every matching report, then
//!   the page cut out in memory): the baseline, measured in the same run;
//!
//! and the walk of the whole audit chain, which `GET /api/audit` does on every call.
//!
//! Run with `cargo run --release -p bonifica-store --example inbox [-- REPORTS]`
//! (default 20,000: a season of 112 teams filing one report a working day).

use bonifica_store::prelude::*;
use std::time::{Duration, Instant};

use bonifica_model::Date;
use bonifica_store::{GeoPackage, ReportQuery, ReportRow, Store};
use uuid::Uuid;

const PAGE: usize = 100;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("inbox.gpkg");
    let data = bonifica_synth::generate(&bonifica_synth::Params::default())?;
    let mut store = GeoPackage::create(&path)?;
    store.insert(&data)?;

    let open: Vec<_> = data.hazard_areas.iter().filter(|h| !h.restricted).collect();
    let started = Instant::now();
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let area = open[i % open.len()];
        let team = &data.teams[i % data.teams.len()];
        let at = format!(
            "2027-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
            3 + i / 4000,
            1 + (i / 150) % 27,
            6 + (i / 3600) % 12,
            (i / 60) % 60,
            i % 60
        );
        let row = ReportRow {
            id: Uuid::new_v4(),
            client_id: Uuid::new_v4().to_string(),
            kind: "daily_progress".to_string(),
            state: "submitted".to_string(),
            hazard_area_id: Some(area.id),
            asset_id: None,
            unit_id: Some(team.id),
            organisation_id: Some(team.organisation_id),
            restricted: false,
            based_on_version: Some(area.version),
            report_date: Date::from_ymd_opt(2027, 3, 1).expect("a date"),
            body: format!(
                r#"{{"code": "RPT-{:06}", "cleared_m2": 1240.5, "hours": 7.5, "ordnance": [{{"category": "ap_mine", "count": 2, "disposal": "destroyed_in_situ"}}]}}"#,
                i + 1
            ),
            geometry: Some(area.geometry().clone()),
            approvals: Vec::new(),
            version: 1,
            created_by: "leader".to_string(),
            created_at: at.clone(),
            updated_at: at,
        };
        ids.push(row.id);
        store.insert_report(&row, None)?;
    }
    let filing = started.elapsed();
    println!(
        "{n} reports filed in {:.1} s: {:.0} a second, each one fsync'd transaction with its audit entry",
        filing.as_secs_f64(),
        n as f64 / filing.as_secs_f64()
    );

    let everything = ReportQuery {
        include_restricted: true,
        ..ReportQuery::default()
    };
    let team = ReportQuery {
        unit_id: Some(data.teams[0].id),
        ..ReportQuery::default()
    };
    // The newest report is the last filed; a page from the middle starts after report n/2.
    let middle = ids[n / 2];
    let cases: [(&str, &ReportQuery, Option<Uuid>); 3] = [
        ("coordinator, first page", &everything, None),
        (
            "coordinator, a page from the middle",
            &everything,
            Some(middle),
        ),
        ("one team's inbox, first page", &team, None),
    ];
    println!(
        "| inbox | matching | page by key p50 | p95 | every match read, then cut (before) p50 | ratio |"
    );
    println!("|---|---|---|---|---|---|");
    for (label, query, after) in cases {
        let paged = timed(200, || {
            let total = store.count_reports(query).expect("counts");
            let page = store
                .reports(&ReportQuery {
                    after_report: after,
                    limit: Some(PAGE + 1),
                    ..query.clone()
                })
                .expect("reads");
            (total as usize, page.into_iter().take(PAGE).count())
        });
        let whole = timed(10, || {
            let rows = store.reports(query).expect("reads");
            let start = after.map_or(0, |a| {
                rows.iter()
                    .position(|r| r.id == a)
                    .map_or(rows.len(), |i| i + 1)
            });
            (rows.len(), rows.iter().skip(start).take(PAGE).count())
        });
        assert_eq!(
            paged.answer, whole.answer,
            "{label}: the two reads disagree"
        );
        println!(
            "| {label} | {} | {:.2} ms | {:.2} ms | {:.1} ms | {:.0} |",
            paged.answer.0,
            ms(paged.p50),
            ms(paged.p95),
            ms(whole.p50),
            whole.p50.as_secs_f64() / paged.p50.as_secs_f64()
        );
    }

    let walk = timed(5, || {
        let check = store.verify_audit().expect("the chain holds");
        (check.entries as usize, 0)
    });
    println!(
        "audit chain of {} entries walked in {:.0} ms (p50 of 5)",
        walk.answer.0,
        ms(walk.p50)
    );
    Ok(())
}

struct Timing {
    answer: (usize, usize),
    p50: Duration,
    p95: Duration,
}

/// Runs `f` `runs` times; its answer (the same every time) and the p50 and p95 durations.
fn timed(runs: usize, mut f: impl FnMut() -> (usize, usize)) -> Timing {
    let mut times = Vec::with_capacity(runs);
    let mut answer = (0, 0);
    for _ in 0..runs {
        let t = Instant::now();
        answer = f();
        times.push(t.elapsed());
    }
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    Timing {
        answer,
        p50: at(0.5),
        p95: at(0.95),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
