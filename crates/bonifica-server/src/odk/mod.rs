//! ODK Collect and KoBoCollect compatibility: the OpenRosa form list, the daily progress
//! XForm and the submission endpoint, under `/odk/`. See `docs/reports.md`.
//!
//! Phones sign in with HTTP Basic authentication and a Bonifica user (the same argon2
//! password check and per-address sign-in limit as `POST /api/session`), or a bearer
//! token; without credentials the answer is `401` with a Basic challenge, which is what
//! makes ODK Collect ask for them. Every answer carries `X-OpenRosa-Version: 1.0`. A submission is filed and
//! submitted through [`crate::reports::file_report`] with the instance id as client id, so
//! an instance sent twice makes one report and the phone is told `201` both times.

pub mod submission;
pub mod xform;

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bonifica_model::{Disposal, OrdnanceCategory};
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

use crate::auth::{Caller, Credential, Role, Source, authorization, hash_token, sign_in};
use crate::error::ApiError;
use crate::reports::file_report;
use crate::reports::wire::ReportIn;
use crate::state::AppState;
use bonifica_app::Model;
use bonifica_app::access::visible;
use submission::{DailyProgressInstance, parse_daily_progress};
use xform::{DAILY_PROGRESS_FORM_ID, DailyProgressChoices, FormEntry, escape, form_hash};

/// The largest submission accepted, bytes (told to phones by `HEAD /odk/submission`).
pub const MAX_SUBMISSION_BYTES: usize = 10 * 1024 * 1024;

/// The OpenRosa version every answer names.
const OPENROSA_VERSION: &str = "1.0";

/// An XML answer with the OpenRosa version header.
fn xml(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml; charset=utf-8"),
    );
    headers.insert(
        "x-openrosa-version",
        HeaderValue::from_static(OPENROSA_VERSION),
    );
    response
}

/// An OpenRosa response document with one message.
fn message(status: StatusCode, nature: &str, text: &str) -> Response {
    xml(
        status,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <OpenRosaResponse xmlns=\"http://openrosa.org/http/response\">\n  \
             <message nature=\"{}\">{}</message>\n</OpenRosaResponse>\n",
            escape(nature),
            escape(text)
        ),
    )
}

/// A problem as an OpenRosa message, with the form's names for the report's fields.
fn problem(e: &ApiError) -> Response {
    let text = e
        .detail
        .replacen("hazard_area_id", "hazard_area", 1)
        .replacen("team_id", "team", 1);
    let mut response = message(e.status, "error", &text);
    if let Some(s) = e.retry_after_s {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(s));
    }
    response
}

/// `401` with the Basic challenge that makes a phone ask for the user's credentials.
fn challenge(text: &str) -> Response {
    let mut response = message(StatusCode::UNAUTHORIZED, "error", text);
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"Bonifica\""),
    );
    response
}

/// The caller, from Basic credentials or a bearer token (either scheme in any case).
/// Basic credentials are checked by [`sign_in`], as `POST /api/session` checks them: one
/// argon2 verification whether or not the user exists, failures counted per address.
async fn odk_caller(
    state: &AppState,
    from: Source,
    headers: &HeaderMap,
) -> Result<Caller, Response> {
    if let Some(token) = authorization(headers, "bearer") {
        return match state.authenticate(hash_token(token), false).await {
            Ok(Some(caller)) => Ok(caller),
            Ok(None) => Err(challenge("the token is unknown, expired or revoked")),
            Err(e) => Err(problem(&e)),
        };
    }
    let Some(encoded) = authorization(headers, "basic") else {
        return Err(challenge(
            "sign in with your Bonifica user name and password",
        ));
    };
    let Some((username, password)) = decode_base64(encoded)
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            s.split_once(':')
                .map(|(u, p)| (u.to_string(), p.to_string()))
        })
    else {
        return Err(challenge(
            "the Basic credentials are not user:password in base64",
        ));
    };
    let signed_in = sign_in(state, from, username, password).await;
    let user = signed_in.map_err(|e| match e.status {
        StatusCode::UNAUTHORIZED => challenge(&e.detail),
        _ => problem(&e),
    })?;
    let role = Role::parse(&user.role).map_err(|e| problem(&ApiError::internal(&e)))?;
    Ok(Caller {
        actor: bonifica_app::Actor {
            user_id: user.id,
            role,
            username: user.username,
            organisation_id: user.organisation_id,
            team_id: user.team_id,
        },
        // Like a bearer token: a phone is no browser, and sends no CSRF token.
        credential: Credential::Bearer,
    })
}

/// Standard base64 (RFC 4648, padding optional); `None` if it is not.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let bytes = text.trim_end_matches('=').as_bytes();
    if bytes.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= value(*c)? << (18 - 6 * i);
        }
        let full = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&full[..chunk.len() - 1]);
    }
    Some(out)
}

/// How the form labels an ordnance category.
fn category_label(c: OrdnanceCategory) -> &'static str {
    match c {
        OrdnanceCategory::ApMine => "Anti-personnel mine",
        OrdnanceCategory::AvMine => "Anti-vehicle mine",
        OrdnanceCategory::Uxo => "Unexploded ordnance",
        OrdnanceCategory::Submunition => "Submunition",
        OrdnanceCategory::Ied => "Improvised explosive device",
        OrdnanceCategory::AbandonedOrdnance => "Abandoned ordnance",
        OrdnanceCategory::SmallArmsAmmunition => "Small arms ammunition",
    }
}

/// How the form labels a disposal.
fn disposal_label(d: Disposal) -> &'static str {
    match d {
        Disposal::DestroyedInSitu => "Destroyed in situ",
        Disposal::Removed => "Removed",
    }
}

/// The daily progress XForm and its version: the version is taken from the form's own
/// content, so it changes whenever the form does and phones fetch it again.
pub fn daily_progress_form() -> (String, String) {
    let choices = DailyProgressChoices {
        ordnance_categories: OrdnanceCategory::ALL
            .iter()
            .map(|c| (c.as_str(), category_label(*c).to_string()))
            .collect(),
        disposals: Disposal::ALL
            .iter()
            .map(|d| (d.as_str(), disposal_label(*d).to_string()))
            .collect(),
    };
    let unversioned = xform::daily_progress("", &choices);
    let version: String = form_hash(&unversioned).chars().skip(4).take(10).collect();
    let form = xform::daily_progress(&version, &choices);
    (version, form)
}

/// `http://HOST/odk`, as the phone reached the server.
fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .filter(|s| *s == "https")
        .unwrap_or("http");
    format!("{scheme}://{host}/odk")
}

/// The OpenRosa form list: the daily progress form.
#[utoipa::path(get, path = "/odk/formList", tag = "odk",
    security(("basic" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The OpenRosa form list", content_type = "text/xml", body = String,
         headers(("X-OpenRosa-Version" = String, description = "1.0"))),
        (status = 401, description = "No or wrong credentials: a Basic challenge", content_type = "text/xml", body = String)))]
pub async fn odk_form_list(
    State(state): State<AppState>,
    from: Source,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = odk_caller(&state, from, &headers).await {
        return r;
    }
    let (version, form) = daily_progress_form();
    let entry = FormEntry {
        form_id: DAILY_PROGRESS_FORM_ID,
        name: "Daily progress",
        version,
        hash: form_hash(&form),
        download_url: format!("{}/forms/daily_progress.xml", base_url(&headers)),
    };
    xml(StatusCode::OK, xform::form_list(&[entry]))
}

/// The daily progress XForm, generated from the model's words.
#[utoipa::path(get, path = "/odk/forms/daily_progress.xml", tag = "odk",
    security(("basic" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The XForm", content_type = "text/xml", body = String),
        (status = 401, description = "No or wrong credentials: a Basic challenge", content_type = "text/xml", body = String)))]
pub async fn odk_form_get(
    State(state): State<AppState>,
    from: Source,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = odk_caller(&state, from, &headers).await {
        return r;
    }
    xml(StatusCode::OK, daily_progress_form().1)
}

/// What a phone asks before submitting: `204` with the largest submission accepted.
#[utoipa::path(head, path = "/odk/submission", tag = "odk",
    security(("basic" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Ready for submissions",
         headers(("X-OpenRosa-Accept-Content-Length" = String, description = "The largest submission accepted, bytes"))),
        (status = 401, description = "No or wrong credentials: a Basic challenge")))]
pub async fn odk_submission_head(
    State(state): State<AppState>,
    from: Source,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = odk_caller(&state, from, &headers).await {
        return r;
    }
    let mut response = xml(StatusCode::NO_CONTENT, String::new());
    response.headers_mut().insert(
        "x-openrosa-accept-content-length",
        HeaderValue::from(MAX_SUBMISSION_BYTES),
    );
    response
}

/// A submission as ODK Collect sends it.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct SubmissionForm {
    /// The instance: a daily progress filled on the phone.
    #[schema(value_type = String, format = Binary)]
    xml_submission_file: Vec<u8>,
}

/// Files and submits a daily progress instance; `201` with an OpenRosa response, also for
/// an instance already received (its instance id is the report's client id).
#[utoipa::path(post, path = "/odk/submission", tag = "odk",
    security(("basic" = []), ("bearer" = [])),
    request_body(content = SubmissionForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Received: an OpenRosa response", content_type = "text/xml", body = String),
        (status = 400, description = "No readable instance", content_type = "text/xml", body = String),
        (status = 401, description = "No or wrong credentials: a Basic challenge", content_type = "text/xml", body = String),
        (status = 403, description = "Not for this role or team", content_type = "text/xml", body = String),
        (status = 409, description = "The hazard area changed since the version seen", content_type = "text/xml", body = String),
        (status = 422, description = "A field is wrong (named)", content_type = "text/xml", body = String)))]
pub async fn odk_submission_create(
    State(state): State<AppState>,
    from: Source,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let caller = match odk_caller(&state, from, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let bad = |text: String| message(StatusCode::BAD_REQUEST, "error", &text);
    let mut multipart = match multipart {
        Ok(m) => m,
        Err(e) => return bad(format!("xml_submission_file: {}", e.body_text())),
    };
    let mut instance = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("xml_submission_file") => {
                match field.text().await {
                    Ok(text) => instance = Some(text),
                    Err(e) => return bad(format!("xml_submission_file: {}", e.body_text())),
                }
            }
            // Attachments (photos) are not part of the daily progress form.
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => return bad(format!("xml_submission_file: {}", e.body_text())),
        }
    }
    let Some(instance) = instance else {
        return bad("xml_submission_file: the submission has no part of that name".into());
    };
    let instance = match parse_daily_progress(&instance) {
        Ok(i) => i,
        Err(e) => {
            let status = match e.field.as_str() {
                "xml_submission_file" | "id" => StatusCode::BAD_REQUEST,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            return message(status, "error", &e.to_string());
        }
    };
    let input = match state.read(|model| report_of(model, &caller, &instance)) {
        Ok(Ok(input)) => input,
        Ok(Err(e)) | Err(e) => return problem(&e),
    };
    match file_report(&state, &caller, input).await {
        Ok(filed) => {
            let r = filed.report();
            let text = format!(
                "Report {} on {} received ({})",
                r.code, instance.hazard_area_code, r.state
            );
            message(StatusCode::CREATED, "submit_success", &text)
        }
        Err(e) => problem(&e),
    }
}

/// The report a daily progress instance files: codes resolved to the records the caller
/// may see, the shape as a GeoJSON polygon.
fn report_of(
    model: &Model,
    caller: &Caller,
    i: &DailyProgressInstance,
) -> Result<ReportIn, ApiError> {
    let d = &model.data;
    let area = d
        .hazard_areas
        .iter()
        .find(|a| a.code.as_str() == i.hazard_area_code && visible(caller, model, *a))
        .ok_or_else(|| {
            ApiError::field(
                "hazard_area",
                format!("no hazard area {:?}", i.hazard_area_code),
            )
        })?;
    let team = d
        .teams
        .iter()
        .find(|t| t.code.as_str() == i.team_code)
        .ok_or_else(|| ApiError::field("team", format!("no team {:?}", i.team_code)))?;
    let ordnance: Vec<Value> = i
        .ordnance
        .iter()
        .map(|f| json!({"category": f.category, "count": f.count, "disposal": f.disposal}))
        .collect();
    let fields = json!({
        "hazard_area_id": area.id,
        "team_id": team.id,
        "date": i.date,
        "worked": {"type": "Polygon", "coordinates": [i.worked]},
        "cancelled_m2": i.cancelled_m2,
        "reduced_m2": i.reduced_m2,
        "cleared_m2": i.cleared_m2,
        "hours": i.hours,
        "ordnance": ordnance,
    });
    let fields: Map<String, Value> = match fields {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    Ok(ReportIn {
        client_id: i.instance_id.clone(),
        kind: "daily_progress".to_string(),
        submit: true,
        based_on_version: i.based_on_version,
        fields,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes_with_and_without_padding() {
        assert_eq!(decode_base64("dXNlcjpwYXNz").unwrap(), b"user:pass");
        assert_eq!(decode_base64("YTpi").unwrap(), b"a:b");
        assert_eq!(decode_base64("YTpiYw==").unwrap(), b"a:bc");
        assert_eq!(decode_base64("YTpiYw").unwrap(), b"a:bc");
        assert!(decode_base64("a*b=").is_none());
    }

    #[test]
    fn the_form_offers_every_ordnance_word_and_has_a_stable_version() {
        let (version, form) = daily_progress_form();
        for c in OrdnanceCategory::ALL {
            assert!(
                form.contains(&format!("<value>{}</value>", c.as_str())),
                "{c}"
            );
        }
        for d in Disposal::ALL {
            assert!(
                form.contains(&format!("<value>{}</value>", d.as_str())),
                "{d}"
            );
        }
        assert_eq!(version.len(), 10);
        assert_eq!(daily_progress_form().0, version);
        assert!(form.contains(&format!("orx:version=\"{version}\"")));
    }
}
