//! Report bodies on their own: accessors, the wire form of each kind, and the checks that
//! name the faulty field. Each check is one row: a change to a valid body and the field
//! the error must name.

use bonifica_model::{
    Completion, DailyProgress, Disposal, Handover, Incident, IncidentCategory, Injury, Marker,
    NonTechnicalSurvey, NtsOutcome, OrdnanceCategory, OrdnanceFound, ReconstructionProgress,
    ReportBody, ReportError, ReportKind, Sex, TechnicalSurvey, TsOutcome, Victim,
};
use uuid::Uuid;

use crate::fixtures::{at, day, hazard_id, rect};

const TEAM: Uuid = Uuid::from_u128(0x4454_0001);
const CREW: Uuid = Uuid::from_u128(0x5243_0001);
const ASSET: Uuid = Uuid::from_u128(0x4153_0001);

/// A day's work on a 100 m × 50 m strip: 5,000 m², about 4,990 m² geodesically here.
fn daily() -> DailyProgress {
    DailyProgress {
        hazard_area_id: hazard_id(1),
        team_id: TEAM,
        date: day(3),
        worked: rect(0.0, 0.0, 100.0, 50.0),
        cancelled_m2: 0.0,
        reduced_m2: 1000.0,
        cleared_m2: 4000.0,
        hours: 7.5,
        ordnance: vec![OrdnanceFound {
            category: OrdnanceCategory::ApMine,
            count: 2,
            disposal: Disposal::DestroyedInSitu,
        }],
    }
}

fn nts() -> NonTechnicalSurvey {
    NonTechnicalSurvey {
        hazard_area_id: hazard_id(1),
        team_id: TEAM,
        date: day(2),
        outcome: NtsOutcome::Confirmed,
        evidence: "villagers report a mine accident in 2023".into(),
        revised: Some(rect(0.0, 0.0, 100.0, 100.0)),
    }
}

fn ts() -> TechnicalSurvey {
    TechnicalSurvey {
        hazard_area_id: hazard_id(1),
        team_id: TEAM,
        date: day(4),
        outcome: TsOutcome::Confirmed,
        evidence: "two lanes breached, fragments found".into(),
        revised: None,
        ordnance: vec![],
    }
}

fn completion() -> Completion {
    Completion {
        hazard_area_id: hazard_id(1),
        team_id: TEAM,
        date: day(20),
        cleared_m2: 12_000.0,
        depth_cm: 13,
        summary: "cleared to 13 cm; 14 AP mines destroyed in situ".into(),
    }
}

fn handover() -> Handover {
    let [lon, lat] = at(0.0, 0.0);
    Handover {
        hazard_area_id: hazard_id(1),
        date: day(25),
        received_by: "Vilshany village council".into(),
        residual_risk_owner: "Kharkiv oblast administration".into(),
        markers: vec![Marker {
            label: "TP1".into(),
            lon,
            lat,
        }],
    }
}

fn incident() -> Incident {
    let [lon, lat] = at(40.0, 20.0);
    Incident {
        date: day(6),
        lon,
        lat,
        hazard_area_id: Some(hazard_id(1)),
        team_id: Some(TEAM),
        category: IncidentCategory::Accident,
        description: "deminer injured by a PMN-2 while excavating".into(),
        victims: vec![Victim {
            name: "O. K.".into(),
            age: Some(34),
            sex: Sex::Male,
            injury: Injury::Injured,
        }],
    }
}

fn reconstruction() -> ReconstructionProgress {
    ReconstructionProgress {
        asset_id: ASSET,
        crew_id: CREW,
        date: day(28),
        percent_done: 40.0,
        restored: false,
        hours: 8.0,
    }
}

fn all_valid() -> Vec<ReportBody> {
    vec![
        daily().into(),
        nts().into(),
        ts().into(),
        completion().into(),
        handover().into(),
        incident().into(),
        reconstruction().into(),
    ]
}

#[test]
fn valid_bodies_pass_and_tell_what_they_are_about() {
    let bodies = all_valid();
    let kinds: Vec<_> = bodies.iter().map(ReportBody::kind).collect();
    assert_eq!(kinds, ReportKind::ALL);
    for body in &bodies {
        assert_eq!(body.check(), Ok(()), "{:?}", body.kind());
    }
    let areas: Vec<_> = bodies.iter().map(ReportBody::hazard_area_id).collect();
    let h = Some(hazard_id(1));
    assert_eq!(areas, [h, h, h, h, h, h, None]);
    let units: Vec<_> = bodies.iter().map(ReportBody::unit_id).collect();
    let t = Some(TEAM);
    assert_eq!(units, [t, t, t, t, None, t, Some(CREW)]);
    let assets: Vec<_> = bodies.iter().map(ReportBody::asset_id).collect();
    assert_eq!(assets, [None, None, None, None, None, None, Some(ASSET)]);
    let dates: Vec<_> = bodies.iter().map(ReportBody::date).collect();
    assert_eq!(
        dates,
        [day(3), day(2), day(4), day(20), day(25), day(6), day(28)]
    );
    assert_eq!(bodies[0].geometry(), Some(&daily().worked));
    assert_eq!(bodies[1].geometry(), nts().revised.as_ref());
    assert_eq!(bodies[2].geometry(), None);
}

#[test]
fn each_kind_travels_tagged_by_its_word() {
    for body in all_valid() {
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json["kind"], body.kind().as_str());
        let back: ReportBody = serde_json::from_value(json).unwrap();
        assert_eq!(back, body);
    }
    let json = serde_json::to_value(ReportBody::from(daily())).unwrap();
    assert_eq!(json["ordnance"][0]["category"], "ap_mine");
    assert_eq!(json["ordnance"][0]["disposal"], "destroyed_in_situ");
}

/// A change to a valid body, and the field its error must name.
type Row = (&'static str, ReportBody);

fn broken() -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    let mut push = |field, body: ReportBody| rows.push((field, body));

    let mut b = daily();
    b.reduced_m2 = -1.0;
    b.cleared_m2 = 6000.0;
    push("reduced_m2", b.into());
    let mut b = daily();
    b.hours = f64::NAN;
    push("hours", b.into());
    let mut b = daily();
    b.cancelled_m2 = f64::INFINITY;
    push("cancelled_m2", b.into());
    let mut b = daily();
    b.cleared_m2 = 2000.0;
    push("worked", b.into());
    let mut b = daily();
    b.ordnance[0].count = 0;
    push("ordnance[0].count", b.into());

    let mut b = nts();
    b.outcome = NtsOutcome::Cancelled;
    push("revised", b.into());
    let mut b = ts();
    b.outcome = TsOutcome::NoEvidence;
    b.revised = Some(rect(0.0, 0.0, 10.0, 10.0));
    push("revised", b.into());

    let mut b = completion();
    b.cleared_m2 = -5.0;
    push("cleared_m2", b.into());

    let mut b = handover();
    b.received_by = " ".into();
    push("received_by", b.into());
    let mut b = handover();
    b.residual_risk_owner = String::new();
    push("residual_risk_owner", b.into());
    let mut b = handover();
    b.markers[0].lat = 91.0;
    push("markers[0].lat", b.into());

    let mut b = incident();
    b.victims.push(Victim {
        name: "unknown".into(),
        age: Some(130),
        sex: Sex::Unknown,
        injury: Injury::Killed,
    });
    push("victims[1].age", b.into());
    let mut b = incident();
    b.lon = f64::NAN;
    push("lon", b.into());
    let mut b = incident();
    b.description = String::new();
    push("description", b.into());

    let mut b = reconstruction();
    b.percent_done = 100.5;
    push("percent_done", b.into());
    let mut b = reconstruction();
    b.percent_done = -1.0;
    push("percent_done", b.into());
    let mut b = reconstruction();
    b.restored = true;
    push("restored", b.into());
    let mut b = reconstruction();
    b.hours = -2.0;
    push("hours", b.into());
    rows
}

#[test]
fn every_broken_body_is_refused_naming_its_field() {
    for (field, body) in broken() {
        let err = body.check().expect_err(&format!(
            "{:?} broken in {field} must be refused",
            body.kind()
        ));
        assert_eq!(err.field(), field, "{err}");
        assert!(
            err.to_string().starts_with(&format!("field {field}: ")),
            "{err}"
        );
    }
}

#[test]
fn outcome_areas_that_disagree_with_the_worked_polygon_give_both_figures() {
    let mut b = daily();
    b.cleared_m2 = 2000.0;
    let worked_m2 = b.worked.area_m2();
    let err = ReportBody::from(b).check().unwrap_err();
    let ReportError::AreasDisagree {
        reported_m2,
        worked_m2: measured,
        tolerance_m2,
    } = err
    else {
        panic!("{err:?}");
    };
    assert_eq!(reported_m2, 3000.0);
    assert_eq!(measured, worked_m2);
    assert!((tolerance_m2 - 0.05 * worked_m2).abs() < 1e-9);
    let message = err.to_string();
    assert!(message.contains("3,000 m²"), "{message}");
    assert!(
        message.contains(&format!("{} m²", group(worked_m2.round()))),
        "{message}"
    );
}

#[test]
fn outcome_areas_within_five_per_cent_or_a_square_metre_pass() {
    let mut b = daily();
    let worked_m2 = b.worked.area_m2();
    b.reduced_m2 = 0.0;
    b.cleared_m2 = worked_m2 * 1.049;
    assert_eq!(ReportBody::from(b.clone()).check(), Ok(()));
    b.cleared_m2 = worked_m2 * 1.051;
    assert!(ReportBody::from(b.clone()).check().is_err());

    // On a tiny polygon the square metre is the tolerance.
    b.worked = rect(0.0, 0.0, 2.0, 2.0);
    let tiny_m2 = b.worked.area_m2();
    b.cleared_m2 = tiny_m2 + 0.9;
    assert_eq!(ReportBody::from(b.clone()).check(), Ok(()));
    b.cleared_m2 = tiny_m2 + 1.1;
    assert!(ReportBody::from(b).check().is_err());
}

#[test]
fn a_restored_asset_at_one_hundred_per_cent_and_a_victim_of_unknown_age_pass() {
    let mut b = reconstruction();
    b.percent_done = 100.0;
    b.restored = true;
    assert_eq!(ReportBody::from(b).check(), Ok(()));
    let mut b = incident();
    b.victims[0].age = None;
    b.victims[0].name = String::new();
    assert_eq!(ReportBody::from(b).check(), Ok(()));
}

fn group(m2: f64) -> String {
    let digits = format!("{m2:.0}");
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(d);
    }
    out
}
