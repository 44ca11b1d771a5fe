//! How a report is kept in the store and read back: its body is the model's JSON with the
//! report's code beside it; its state, code and approvals are read from its row and its
//! transitions.

use bonifica_model::{Approvals, Approver, ReportBody, ReportState};
use bonifica_store::{ReportRow, TransitionRow};
use serde::Deserialize;
use serde_json::Value;

use crate::AppError;
use crate::report_rules::approver_of_role;

/// The time of a change: UTC, RFC 3339 with milliseconds.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The stored body: the model's JSON of the body with the report's code beside it.
pub fn stored_body(code: &str, body: &ReportBody) -> Result<String, AppError> {
    let mut value = serde_json::to_value(body).map_err(|e| AppError::internal(&e))?;
    if let Some(map) = value.as_object_mut() {
        map.insert("code".to_string(), Value::from(code));
    }
    serde_json::to_string(&value).map_err(|e| AppError::internal(&e))
}

/// The code written in a stored body, if any.
pub fn stored_code(body: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Code {
        code: Option<String>,
    }
    serde_json::from_str::<Code>(body).ok()?.code
}

/// The model's body from a stored body.
pub fn read_body(kind: &str, body: &str) -> Option<ReportBody> {
    let mut value: Value = serde_json::from_str(body).ok()?;
    let map = value.as_object_mut()?;
    map.remove("code");
    map.insert("kind".to_string(), Value::from(kind));
    serde_json::from_value(value).ok()
}

/// The code of a stored report: the one written in its body, else one made of its id.
pub fn code_of(row: &ReportRow) -> String {
    stored_code(&row.body).unwrap_or_else(|| format!("RPT-{}", &row.id.simple().to_string()[..8]))
}

/// The workflow state of a stored report.
pub fn state_of(row: &ReportRow) -> Result<ReportState, AppError> {
    ReportState::parse(&row.state).ok_or_else(|| {
        AppError::internal(&format!(
            "report {}: stored state {:?} is not a workflow state",
            row.id, row.state
        ))
    })
}

/// One approval recorded on a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub approver: Approver,
    pub actor: String,
    pub at: String,
}

/// The approvals recorded since the report was last verified, from its transitions.
pub fn approvals_of(transitions: &[TransitionRow]) -> Vec<Approval> {
    let mut out = Vec::new();
    for t in transitions {
        match t.action.as_str() {
            "approve" => {
                if let Some(approver) = approver_of_role(&t.role) {
                    out.push(Approval {
                        approver,
                        actor: t.actor.clone(),
                        at: t.at.clone(),
                    });
                }
            }
            _ => out.clear(),
        }
    }
    out
}

/// The model's approvals recorded on a report.
pub fn recorded_approvals(transitions: &[TransitionRow]) -> Approvals {
    let approvers: Vec<Approver> = approvals_of(transitions)
        .iter()
        .map(|a| a.approver)
        .collect();
    Approvals::from_recorded(&approvers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(action: &str, role: &str) -> TransitionRow {
        TransitionRow {
            action: action.into(),
            from_state: String::new(),
            to_state: String::new(),
            actor: role.into(),
            role: role.into(),
            comment: None,
            at: "t".into(),
        }
    }

    #[test]
    fn approvals_count_from_the_last_verification() {
        let ts = [
            t("submit", "team_leader"),
            t("verify", "operations_manager"),
            t("approve", "defence_liaison"),
            t("reject", "coordinator"),
            t("revise", "team_leader"),
            t("submit", "team_leader"),
            t("verify", "operations_manager"),
            t("approve", "coordinator"),
        ];
        let a = approvals_of(&ts);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].approver, Approver::CivilAuthority);
        let r = recorded_approvals(&ts);
        assert!(r.civil_authority && !r.defence);
    }

    #[test]
    fn a_stored_body_reads_back_with_its_code() {
        let body: ReportBody = serde_json::from_value(serde_json::json!({
            "kind": "handover",
            "hazard_area_id": "00000000-0000-0000-0000-000000000001",
            "date": "2026-11-30",
            "received_by": "Mayor of Kupiansk",
            "residual_risk_owner": "the municipality",
            "markers": [{"label": "TP1", "lon": 37.6, "lat": 49.7}]
        }))
        .expect("a handover body");
        let stored = stored_body("RPT-000042", &body).expect("stores");
        assert_eq!(stored_code(&stored).as_deref(), Some("RPT-000042"));
        assert_eq!(read_body("handover", &stored), Some(body));
        assert_eq!(read_body("handover", "not json"), None);
    }
}
