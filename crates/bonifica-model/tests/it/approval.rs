//! What approving a report does to its hazard area, following the table of
//! `docs/reports.md`, and the assets it unblocks.

use bonifica_model::{
    ApprovalError, Asset, AssetKind, Classification, ClosureReason, Completion, CutError,
    DailyProgress, DamageLevel, Dataset, Footprint, Gating, Handover, HazardArea, HazardStatus,
    Incident, IncidentCategory, LocalProjection, NonTechnicalSurvey, NtsOutcome, Polygonal,
    ReleaseEvent, ReportBody, ServiceValue, TechnicalSurvey, TsOutcome, approval_effect,
    assets_unblocked,
};
use uuid::Uuid;

use crate::fixtures::{at, close_to, day, hazard, rect};

const TEAM: Uuid = Uuid::from_u128(0x4454_0007);

fn worked(area: &HazardArea, polygon: Polygonal, split: [f64; 3]) -> ReportBody {
    let m2 = polygon.area_m2();
    DailyProgress {
        hazard_area_id: area.id,
        team_id: TEAM,
        date: day(10),
        worked: polygon,
        cancelled_m2: split[0] * m2,
        reduced_m2: split[1] * m2,
        cleared_m2: split[2] * m2,
        hours: 8.0,
        ordnance: vec![],
    }
    .into()
}

const CLEARED: [f64; 3] = [0.0, 0.2, 0.8];
const REDUCED: [f64; 3] = [0.3, 0.7, 0.0];
const CANCELLED: [f64; 3] = [1.0, 0.0, 0.0];

fn nts(area: &HazardArea, outcome: NtsOutcome, revised: Option<Polygonal>) -> ReportBody {
    NonTechnicalSurvey {
        hazard_area_id: area.id,
        team_id: TEAM,
        date: day(2),
        outcome,
        evidence: "interviews with the farm manager".into(),
        revised,
    }
    .into()
}

fn ts(area: &HazardArea, outcome: TsOutcome, revised: Option<Polygonal>) -> ReportBody {
    TechnicalSurvey {
        hazard_area_id: area.id,
        team_id: TEAM,
        date: day(4),
        outcome,
        evidence: "mechanical ground preparation of two lanes".into(),
        revised,
        ordnance: vec![],
    }
    .into()
}

fn completion(area: &HazardArea) -> ReportBody {
    Completion {
        hazard_area_id: area.id,
        team_id: TEAM,
        date: day(20),
        cleared_m2: area.area_m2(),
        depth_cm: 13,
        summary: "cleared to 13 cm".into(),
    }
    .into()
}

#[test]
fn daily_progress_cuts_the_worked_land_and_starts_work() {
    let area = hazard(1, rect(0.0, 0.0, 400.0, 300.0), Classification::Cha);
    let body = worked(&area, rect(0.0, 0.0, 100.0, 300.0), CLEARED);
    let effect = approval_effect(&area, &[], &body, day(10)).unwrap();
    let new = effect.area.expect("the area changes");
    assert_eq!(new.status(), HazardStatus::WorkedOn);
    assert_eq!(new.version, 3, "start work and the new polygon");
    assert_eq!(new.as_of, day(10));
    assert!(close_to(
        new.area_m2(),
        rect(100.0, 0.0, 400.0, 300.0).area_m2(),
        0.005
    ));
    assert_eq!(effect.released.len(), 1);
    let piece = &effect.released[0];
    assert_eq!(piece.reason, ClosureReason::Cleared);
    assert!(close_to(piece.m2, area.area_m2() - new.area_m2(), 0.005));
    // The piece's area by outcome: the team's shares, 20 % reduced and 80 % cleared, of
    // the measured area.
    let by = piece.by_outcome;
    assert_eq!(by.cancelled_m2, 0.0);
    assert!(close_to(by.reduced_m2, 0.2 * piece.m2, 1e-9), "{by:?}");
    assert!(close_to(by.cleared_m2, 0.8 * piece.m2, 1e-9), "{by:?}");
    assert!(close_to(by.total(), piece.m2, 1e-12), "{by:?}");
}

#[test]
fn daily_progress_that_empties_the_area_closes_it_with_its_reason() {
    for (split, reason) in [
        (CLEARED, ClosureReason::Cleared),
        (REDUCED, ClosureReason::Reduced),
        (CANCELLED, ClosureReason::Cancelled),
    ] {
        let area = hazard(1, rect(0.0, 0.0, 200.0, 200.0), Classification::Sha);
        let body = worked(&area, area.geometry().clone(), split);
        let effect = approval_effect(&area, &[], &body, day(10)).unwrap();
        let new = effect.area.unwrap();
        assert_eq!(new.status(), HazardStatus::Closed(reason), "{split:?}");
        assert!(new.status().is_released());
        assert_eq!(effect.released[0].reason, reason);
        assert!(close_to(effect.released[0].m2, area.area_m2(), 0.001));
        let by = effect.released[0].by_outcome;
        let m2 = effect.released[0].m2;
        for (got, share) in [
            (by.cancelled_m2, split[0]),
            (by.reduced_m2, split[1]),
            (by.cleared_m2, split[2]),
        ] {
            assert!((got - share * m2).abs() < 1e-6 * m2, "{split:?}: {by:?}");
        }
    }
}

#[test]
fn a_confirmed_area_is_not_cancelled_by_daily_progress() {
    let area = hazard(1, rect(0.0, 0.0, 200.0, 200.0), Classification::Cha);
    let body = worked(&area, rect(0.0, 0.0, 50.0, 200.0), CANCELLED);
    let err = approval_effect(&area, &[], &body, day(10)).unwrap_err();
    assert!(
        matches!(err, ApprovalError::CancelOnConfirmed { .. }),
        "{err:?}"
    );
    assert_eq!(err.field(), Some("cancelled_m2"));
    assert!(err.to_string().contains("HA-0001"), "{err}");
}

#[test]
fn daily_progress_outside_or_over_released_land_is_refused_naming_worked() {
    let area = hazard(1, rect(0.0, 0.0, 400.0, 300.0), Classification::Cha);
    let first = approval_effect(
        &area,
        &[],
        &worked(&area, rect(0.0, 0.0, 100.0, 300.0), CLEARED),
        day(10),
    )
    .unwrap();
    let after = first.area.unwrap();
    let released: Vec<Polygonal> = first.released.into_iter().map(|p| p.polygon).collect();

    let over = worked(&after, rect(50.0, 0.0, 200.0, 300.0), CLEARED);
    let err = approval_effect(&after, &released, &over, day(11)).unwrap_err();
    assert!(
        matches!(
            err,
            ApprovalError::Cut {
                field: "worked",
                error: CutError::OverlapsReleased { .. }
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().starts_with("field worked: "), "{err}");

    let outside = worked(&after, rect(300.0, 200.0, 500.0, 300.0), CLEARED);
    let err = approval_effect(&after, &released, &outside, day(11)).unwrap_err();
    assert_eq!(err.field(), Some("worked"));
    assert!(
        matches!(
            err,
            ApprovalError::Cut {
                error: CutError::Outside { .. },
                ..
            }
        ),
        "{err:?}"
    );

    // Day by day the whole area is cleared; the last day closes it.
    let mut area = after;
    let mut released = released;
    for x in [100.0, 200.0, 300.0] {
        let body = worked(&area, rect(x, 0.0, x + 100.0, 300.0), CLEARED);
        let effect = approval_effect(&area, &released, &body, day(12)).unwrap();
        area = effect.area.unwrap();
        released.extend(effect.released.into_iter().map(|p| p.polygon));
    }
    assert_eq!(area.status(), HazardStatus::Closed(ClosureReason::Cleared));
    let total: f64 = released.iter().map(Polygonal::area_m2).sum();
    assert!(close_to(
        total,
        rect(0.0, 0.0, 400.0, 300.0).area_m2(),
        0.005
    ));
}

#[test]
fn non_technical_survey_confirms_and_cancels_the_land_outside_the_revision() {
    let area = hazard(1, rect(0.0, 0.0, 400.0, 300.0), Classification::Sha);
    let revised = rect(100.0, 0.0, 400.0, 300.0);
    let body = nts(&area, NtsOutcome::Confirmed, Some(revised.clone()));
    let effect = approval_effect(&area, &[], &body, day(2)).unwrap();
    let new = effect.area.unwrap();
    assert_eq!(new.classification(), Classification::Cha);
    assert_eq!(new.status(), HazardStatus::Open);
    assert_eq!(new.version, 3, "confirm and the revised polygon");
    assert!(close_to(new.area_m2(), revised.area_m2(), 0.005));
    assert_eq!(effect.released.len(), 1);
    assert_eq!(effect.released[0].reason, ClosureReason::Cancelled);
    assert!(close_to(
        effect.released[0].m2,
        rect(0.0, 0.0, 100.0, 300.0).area_m2(),
        0.005
    ));
}

#[test]
fn confirming_a_confirmed_area_only_applies_its_revision() {
    let area = hazard(1, rect(0.0, 0.0, 400.0, 300.0), Classification::Cha);
    let effect = approval_effect(&area, &[], &ts(&area, TsOutcome::Confirmed, None), day(4));
    assert_eq!(effect.unwrap().area, None, "nothing changes");

    let revised = rect(0.0, 0.0, 400.0, 200.0);
    let body = ts(&area, TsOutcome::Confirmed, Some(revised));
    let effect = approval_effect(&area, &[], &body, day(4)).unwrap();
    let new = effect.area.unwrap();
    assert_eq!(new.version, 2, "only the polygon changes");
    assert_eq!(effect.released[0].reason, ClosureReason::Reduced);

    // A revision outside the area names the revised field.
    let body = ts(
        &area,
        TsOutcome::Confirmed,
        Some(rect(0.0, 0.0, 500.0, 300.0)),
    );
    let err = approval_effect(&area, &[], &body, day(4)).unwrap_err();
    assert_eq!(err.field(), Some("revised"));
}

#[test]
fn surveys_without_evidence_close_the_whole_remaining_area() {
    let sha = hazard(1, rect(0.0, 0.0, 200.0, 200.0), Classification::Sha);
    let effect = approval_effect(&sha, &[], &nts(&sha, NtsOutcome::Cancelled, None), day(2));
    let effect = effect.unwrap();
    assert_eq!(
        effect.area.unwrap().status(),
        HazardStatus::Closed(ClosureReason::Cancelled)
    );
    assert_eq!(effect.released[0].polygon, *sha.geometry());

    let cha = hazard(2, rect(0.0, 0.0, 200.0, 200.0), Classification::Cha);
    let err = approval_effect(&cha, &[], &nts(&cha, NtsOutcome::Cancelled, None), day(2));
    let err = err.unwrap_err();
    assert!(matches!(err, ApprovalError::Release(_)), "{err:?}");
    assert!(err.to_string().contains("cannot be cancelled"), "{err}");

    let effect = approval_effect(&cha, &[], &ts(&cha, TsOutcome::NoEvidence, None), day(4));
    let effect = effect.unwrap();
    assert_eq!(
        effect.area.unwrap().status(),
        HazardStatus::Closed(ClosureReason::Reduced)
    );
    assert_eq!(effect.released[0].reason, ClosureReason::Reduced);
}

#[test]
fn completion_closes_a_worked_area_as_cleared_and_handover_follows() {
    let mut area = hazard(1, rect(0.0, 0.0, 200.0, 200.0), Classification::Cha);
    let err = approval_effect(&area, &[], &completion(&area), day(20)).unwrap_err();
    assert!(
        err.to_string().contains("needs a team to have worked"),
        "{err}"
    );

    area.apply(ReleaseEvent::StartWork, day(5)).unwrap();
    let effect = approval_effect(&area, &[], &completion(&area), day(20)).unwrap();
    let closed = effect.area.unwrap();
    assert_eq!(
        closed.status(),
        HazardStatus::Closed(ClosureReason::Cleared)
    );
    assert_eq!(effect.released[0].reason, ClosureReason::Cleared);

    let [lon, lat] = at(0.0, 0.0);
    let handover: ReportBody = Handover {
        hazard_area_id: area.id,
        date: day(25),
        received_by: "Vilshany village council".into(),
        residual_risk_owner: "Kharkiv oblast administration".into(),
        markers: vec![bonifica_model::Marker {
            label: "TP1".into(),
            lon,
            lat,
        }],
    }
    .into();
    let effect = approval_effect(&closed, &[], &handover, day(25)).unwrap();
    assert_eq!(
        effect.area.unwrap().status(),
        HazardStatus::HandedOver(ClosureReason::Cleared)
    );
    assert!(effect.released.is_empty());
    // Handing over an open area is refused by the land-release rules.
    let err = approval_effect(&area, &[], &handover, day(25)).unwrap_err();
    assert!(matches!(err, ApprovalError::Release(_)), "{err:?}");
}

#[test]
fn incidents_change_nothing_and_reports_on_another_area_are_refused() {
    let area = hazard(1, rect(0.0, 0.0, 200.0, 200.0), Classification::Cha);
    let [lon, lat] = at(10.0, 10.0);
    let incident: ReportBody = Incident {
        date: day(6),
        lon,
        lat,
        hazard_area_id: Some(area.id),
        team_id: Some(TEAM),
        category: IncidentCategory::Incident,
        description: "unplanned detonation during destruction in situ".into(),
        victims: vec![],
    }
    .into();
    let effect = approval_effect(&area, &[], &incident, day(6)).unwrap();
    assert_eq!((effect.area, effect.released.len()), (None, 0));

    let other = hazard(2, rect(0.0, 0.0, 200.0, 200.0), Classification::Cha);
    let body = worked(&other, rect(0.0, 0.0, 50.0, 50.0), CLEARED);
    let err = approval_effect(&area, &[], &body, day(10)).unwrap_err();
    assert!(matches!(err, ApprovalError::WrongArea { .. }), "{err:?}");
    assert_eq!(err.field(), Some("hazard_area_id"));
}

#[test]
fn an_asset_is_unblocked_exactly_when_its_last_blocking_hazard_is_released() {
    // A road running north through two hazard areas, one south and one north.
    let south = hazard(1, rect(-100.0, 0.0, 100.0, 200.0), Classification::Cha);
    let north = hazard(2, rect(-100.0, 400.0, 100.0, 600.0), Classification::Sha);
    let road = Asset {
        id: Uuid::from_u128(0x4153_0042),
        code: bonifica_model::Code::new(bonifica_model::RecordKind::Asset, 42),
        region_id: Uuid::nil(),
        name: "T-2104 north of Vilshany".into(),
        kind: AssetKind::RoadSegment,
        footprint: Footprint::line(&[at(0.0, -100.0), at(0.0, 700.0)]).unwrap(),
        damage: DamageLevel::Severe,
        repair: vec![],
        service: ServiceValue::default(),
        depends_on: vec![],
        restricted: false,
        restored: false,
    };
    let mut data = Dataset {
        hazard_areas: vec![south.clone(), north.clone()],
        assets: vec![road.clone()],
        ..Dataset::default()
    };
    let projection = LocalProjection::centred_on(36.2).unwrap();
    let gate =
        |data: &Dataset| Gating::compute(&data.hazard_areas, &data.assets, 25.0, &projection);
    let before = gate(&data).unwrap();
    assert_eq!(before.of(road.id), &[south.id, north.id]);

    // The southern area is cleared in one day's work: still blocked by the northern one.
    let body = worked(&south, south.geometry().clone(), CLEARED);
    let effect = approval_effect(&south, &[], &body, day(10)).unwrap();
    data.hazard_areas[0] = effect.area.unwrap();
    let middle = gate(&data).unwrap();
    assert_eq!(middle.of(road.id), &[north.id]);
    assert!(assets_unblocked(&before, &middle).is_empty());

    // Half the northern area is cancelled by survey: still blocked.
    let half = nts(
        &north,
        NtsOutcome::Confirmed,
        Some(rect(-100.0, 400.0, 100.0, 500.0)),
    );
    let effect = approval_effect(&north, &[], &half, day(11)).unwrap();
    data.hazard_areas[1] = effect.area.unwrap();
    let released: Vec<Polygonal> = effect.released.into_iter().map(|p| p.polygon).collect();
    let partial = gate(&data).unwrap();
    assert_eq!(partial.of(road.id), &[north.id]);
    assert!(assets_unblocked(&middle, &partial).is_empty());

    // The rest is reduced by technical survey: the road is free.
    let north_now = data.hazard_areas[1].clone();
    let rest = ts(&north_now, TsOutcome::NoEvidence, None);
    let effect = approval_effect(&north_now, &released, &rest, day(12)).unwrap();
    data.hazard_areas[1] = effect.area.unwrap();
    let after = gate(&data).unwrap();
    assert!(after.of(road.id).is_empty());
    assert_eq!(assets_unblocked(&partial, &after), vec![road.id]);
    assert!(assets_unblocked(&after, &after).is_empty());
}
