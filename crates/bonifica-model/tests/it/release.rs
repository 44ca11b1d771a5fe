//! Every land-release event against every state: the legal ones give the expected state,
//! the others an error that names the event and the rule.

use Classification::{Cha, Sha};
use ClosureReason::{Cancelled, Cleared, Reduced};
use HazardStatus::{Closed, HandedOver, Open, WorkedOn};
use bonifica_model::{Classification, ClosureReason, HazardStatus, ReleaseEvent, ReleaseState};

fn all_states() -> Vec<ReleaseState> {
    let mut statuses = vec![Open, WorkedOn];
    for r in ClosureReason::ALL {
        statuses.push(Closed(r));
        statuses.push(HandedOver(r));
    }
    let mut states = Vec::new();
    for classification in [Sha, Cha] {
        for &status in &statuses {
            states.push(ReleaseState {
                classification,
                status,
            });
        }
    }
    states
}

fn all_events() -> Vec<ReleaseEvent> {
    let mut events = vec![
        ReleaseEvent::StartWork,
        ReleaseEvent::SuspendWork,
        ReleaseEvent::Confirm,
    ];
    events.extend(ClosureReason::ALL.map(ReleaseEvent::Close));
    events.extend([ReleaseEvent::HandOver, ReleaseEvent::Reopen]);
    events
}

/// The legal transitions, written out one by one from IMAS 07.11, 08.10, 08.20, 09.10 and
/// 08.30: (from, event, to). Anything not listed must be refused.
fn legal() -> Vec<(ReleaseState, ReleaseEvent, ReleaseState)> {
    let s = |classification, status| ReleaseState {
        classification,
        status,
    };
    let mut rows = Vec::new();
    for c in [Sha, Cha] {
        rows.push((s(c, Open), ReleaseEvent::StartWork, s(c, WorkedOn)));
        rows.push((s(c, WorkedOn), ReleaseEvent::SuspendWork, s(c, Open)));
        rows.push((
            s(c, Open),
            ReleaseEvent::Close(Reduced),
            s(c, Closed(Reduced)),
        ));
        rows.push((
            s(c, WorkedOn),
            ReleaseEvent::Close(Reduced),
            s(c, Closed(Reduced)),
        ));
        rows.push((
            s(c, WorkedOn),
            ReleaseEvent::Close(Cleared),
            s(c, Closed(Cleared)),
        ));
        for r in ClosureReason::ALL {
            rows.push((s(c, Closed(r)), ReleaseEvent::HandOver, s(c, HandedOver(r))));
            rows.push((s(c, Closed(r)), ReleaseEvent::Reopen, s(Cha, Open)));
            rows.push((s(c, HandedOver(r)), ReleaseEvent::Reopen, s(Cha, Open)));
        }
    }
    rows.push((s(Sha, Open), ReleaseEvent::Confirm, s(Cha, Open)));
    rows.push((s(Sha, WorkedOn), ReleaseEvent::Confirm, s(Cha, WorkedOn)));
    rows.push((
        s(Sha, Open),
        ReleaseEvent::Close(Cancelled),
        s(Sha, Closed(Cancelled)),
    ));
    rows.push((
        s(Sha, WorkedOn),
        ReleaseEvent::Close(Cancelled),
        s(Sha, Closed(Cancelled)),
    ));
    rows
}

#[test]
fn every_legal_transition_gives_the_expected_state() {
    for (from, event, to) in legal() {
        assert_eq!(from.apply(event), Ok(to), "{from:?} --{event}-->");
    }
}

#[test]
fn every_other_transition_is_refused_with_its_name() {
    let legal = legal();
    let mut refused = 0;
    for from in all_states() {
        for event in all_events() {
            if legal.iter().any(|(f, e, _)| *f == from && *e == event) {
                continue;
            }
            let err = from
                .apply(event)
                .expect_err(&format!("{from:?} --{event}--> must be refused"));
            assert_eq!(
                (err.event, err.status, err.classification),
                (event, from.status, from.classification)
            );
            let message = err.to_string();
            assert!(message.contains(&event.to_string()), "{message}");
            assert!(
                message.starts_with("illegal land-release transition"),
                "{message}"
            );
            refused += 1;
        }
    }
    // 16 states × 8 events, less the legal rows.
    assert_eq!(refused + legal.len(), 16 * 8);
}

#[test]
fn a_confirmed_area_cannot_be_cancelled_by_survey() {
    let cha = ReleaseState::new(Cha);
    let err = cha.apply(ReleaseEvent::Close(Cancelled)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "illegal land-release transition: cannot close as cancelled a CHA that is open: \
         a confirmed area cannot be cancelled by survey"
    );
}

#[test]
fn released_states_lift_gating_and_keep_their_reason() {
    for state in all_states() {
        let released = matches!(state.status, Closed(_) | HandedOver(_));
        assert_eq!(state.status.is_released(), released, "{state:?}");
        let words = (
            state.status.as_str(),
            state.status.closure_reason().map(|r| r.as_str()),
        );
        assert_eq!(HazardStatus::from_parts(words.0, words.1), Ok(state.status));
    }
    assert!(HazardStatus::from_parts("closed", None).is_err());
    assert!(HazardStatus::from_parts("open", Some("cleared")).is_err());
}
