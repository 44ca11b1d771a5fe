//! The report workflow: every legal step, every other (state × action) pair refused with
//! its name, co-approval of restricted areas in both orders, and rejection comments.

use Approver::{CivilAuthority, Defence};
use ReportState::{Approved, Draft, Rejected, Submitted, Verified};
use bonifica_model::{
    Approvals, Approver, ReportAction, ReportState, ReportStep, WorkflowError, transition,
};

const COMMENT: &str = "worked polygon misses the north-east corner";

/// Every step once, approvals by the civil authority.
fn steps() -> [ReportStep<'static>; 6] {
    [
        ReportStep::Submit,
        ReportStep::Verify,
        ReportStep::Approve(CivilAuthority),
        ReportStep::Approve(Defence),
        ReportStep::Reject { comment: COMMENT },
        ReportStep::Revise,
    ]
}

/// The legal steps with no approval recorded and no co-approval needed: (from, step, to).
fn legal() -> Vec<(ReportState, ReportStep<'static>, ReportState)> {
    vec![
        (Draft, ReportStep::Submit, Submitted),
        (Submitted, ReportStep::Verify, Verified),
        (Verified, ReportStep::Approve(CivilAuthority), Approved),
        (Verified, ReportStep::Approve(Defence), Approved),
        (Submitted, ReportStep::Reject { comment: COMMENT }, Rejected),
        (Verified, ReportStep::Reject { comment: COMMENT }, Rejected),
        (Rejected, ReportStep::Revise, Draft),
    ]
}

#[test]
fn every_legal_step_leads_where_the_contract_says() {
    for (from, step, to) in legal() {
        let t = transition(from, Approvals::NONE, false, step)
            .unwrap_or_else(|e| panic!("{from} --{step:?}--> refused: {e}"));
        assert_eq!((t.from, t.to, t.action), (from, to, step.action()));
        assert_eq!(t.approves(), to == Approved);
    }
}

#[test]
fn every_other_state_and_action_is_refused_naming_both_and_the_rule() {
    let legal = legal();
    let mut refused = 0;
    for &state in ReportState::ALL {
        for step in steps() {
            if legal.iter().any(|(f, s, _)| *f == state && *s == step) {
                continue;
            }
            for needs_co_approval in [false, true] {
                let err = transition(state, Approvals::NONE, needs_co_approval, step)
                    .expect_err(&format!("{state} --{step:?}--> must be refused"));
                let WorkflowError::Illegal(illegal) = err else {
                    panic!("{state} --{step:?}-->: {err:?}");
                };
                assert_eq!((illegal.state, illegal.action), (state, step.action()));
                assert_eq!(err.field(), None);
                let message = err.to_string();
                assert!(
                    message.starts_with(&format!(
                        "illegal report transition: cannot {} a report that is {state}: ",
                        step.action()
                    )),
                    "{message}"
                );
            }
            refused += 1;
        }
    }
    // 5 states × 6 steps (approve counted once per approver), less the legal rows.
    assert_eq!(refused + legal.len(), 5 * 6);
}

#[test]
fn each_refusal_names_its_rule() {
    let rule = |state, step| match transition(state, Approvals::NONE, false, step) {
        Err(WorkflowError::Illegal(e)) => e.rule,
        other => panic!("{state} --{step:?}-->: {other:?}"),
    };
    assert_eq!(
        rule(Approved, ReportStep::Revise),
        "approved reports are final"
    );
    assert_eq!(
        rule(Approved, ReportStep::Reject { comment: COMMENT }),
        "approved reports are final"
    );
    assert_eq!(
        rule(Submitted, ReportStep::Submit),
        "only a draft can be submitted"
    );
    assert_eq!(
        rule(Draft, ReportStep::Verify),
        "only a submitted report can be verified"
    );
    assert_eq!(
        rule(Submitted, ReportStep::Approve(CivilAuthority)),
        "only a verified report can be approved"
    );
    assert_eq!(
        rule(Draft, ReportStep::Reject { comment: COMMENT }),
        "only a submitted or verified report can be rejected"
    );
    assert_eq!(
        rule(Verified, ReportStep::Revise),
        "only a rejected report can be revised"
    );
}

#[test]
fn a_restricted_area_needs_both_approvals_in_either_order() {
    for (first, second) in [(CivilAuthority, Defence), (Defence, CivilAuthority)] {
        let t1 = transition(Verified, Approvals::NONE, true, ReportStep::Approve(first)).unwrap();
        assert_eq!(t1.to, Verified, "first approval by {first}");
        assert!(!t1.approves());
        assert_eq!(t1.approvals.recorded(), vec![first]);

        let t2 = transition(Verified, t1.approvals, true, ReportStep::Approve(second)).unwrap();
        assert_eq!(t2.to, Approved, "second approval by {second}");
        assert!(t2.approves());
        assert!(t2.approvals.civil_authority && t2.approvals.defence);
        assert_eq!(
            Approvals::from_recorded(&[second, first]),
            t2.approvals,
            "order of recording does not matter"
        );
    }
}

#[test]
fn the_same_approver_twice_is_refused() {
    for approver in [CivilAuthority, Defence] {
        let once = Approvals::from_recorded(&[approver]);
        let err = transition(Verified, once, true, ReportStep::Approve(approver)).unwrap_err();
        let WorkflowError::Illegal(illegal) = err else {
            panic!("{err:?}");
        };
        assert_eq!(illegal.action, ReportAction::Approve);
        assert_eq!(illegal.state, Verified);
        assert!(illegal.rule.contains("already approved"), "{illegal}");
        // The other one still completes the approval.
        let other = if approver == CivilAuthority {
            Defence
        } else {
            CivilAuthority
        };
        let t = transition(Verified, once, true, ReportStep::Approve(other)).unwrap();
        assert_eq!(t.to, Approved);
    }
}

#[test]
fn rejection_needs_a_comment_and_clears_recorded_approvals() {
    for state in [Submitted, Verified] {
        for comment in ["", "   \n"] {
            let err = transition(
                state,
                Approvals::NONE,
                false,
                ReportStep::Reject { comment },
            )
            .unwrap_err();
            assert_eq!(err, WorkflowError::CommentRequired);
            assert_eq!(err.field(), Some("comment"));
            assert!(err.to_string().starts_with("field comment: "), "{err}");
        }
    }
    let half = Approvals::from_recorded(&[Defence]);
    let t = transition(
        Verified,
        half,
        true,
        ReportStep::Reject { comment: COMMENT },
    )
    .unwrap();
    assert_eq!((t.to, t.approvals), (Rejected, Approvals::NONE));
    let t = transition(Rejected, Approvals::NONE, true, ReportStep::Revise).unwrap();
    assert_eq!(t.to, Draft);
}

#[test]
fn an_unrestricted_area_is_approved_by_one_approval() {
    let t = transition(
        Verified,
        Approvals::NONE,
        false,
        ReportStep::Approve(CivilAuthority),
    )
    .unwrap();
    assert_eq!(t.to, Approved);
    assert_eq!(t.approvals.recorded(), vec![CivilAuthority]);
}

#[test]
fn workflow_words_round_trip() {
    for &state in ReportState::ALL {
        assert_eq!(ReportState::parse(state.as_str()), Some(state));
    }
    for &action in ReportAction::ALL {
        assert_eq!(ReportAction::parse(action.as_str()), Some(action));
    }
    assert_eq!(
        ReportState::words(),
        "draft, submitted, verified, approved, rejected"
    );
    assert_eq!(Approver::parse("defence"), Some(Defence));
}
