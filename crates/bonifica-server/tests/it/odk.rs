//! A scripted OpenRosa client doing what ODK Collect does: asks `HEAD /odk/submission`,
//! is challenged for Basic credentials, reads the form list and the XForm, fills in a daily
//! progress and posts it as multipart, then sends it again as a phone that lost the answer
//! would. The report is in the coordinator's inbox once.

use axum::body::Body;
use axum::http::{HeaderMap, Request, header};
use bonifica_model::OrdnanceCategory;
use bonifica_server::Role;
use bonifica_server::odk::xform::form_hash;
use http_body_util::BodyExt;
use tower::ServiceExt;
use uuid::Uuid;

use crate::fixture::{App, app, template, token};
use crate::reports::{get, open_area, square_inside};

const PASSWORD: &str = "field phone password";

struct Answer {
    status: u16,
    headers: HeaderMap,
    text: String,
}

/// `Authorization: Basic ...` for a user name and password.
pub fn basic(user: &str, password: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = format!("{user}:{password}").into_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    format!("Basic {out}")
}

async fn call(
    app: &App,
    method: &str,
    uri: &str,
    auth: Option<&str>,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Answer {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "phone.test:8080");
    if let Some(a) = auth {
        req = req.header(header::AUTHORIZATION, a);
    }
    if let Some(t) = content_type {
        req = req.header(header::CONTENT_TYPE, t);
    }
    let req = req.body(Body::from(body)).expect("request");
    let response = app.router.clone().oneshot(req).await.expect("responds");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    Answer {
        status,
        headers,
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// A multipart body as ODK Collect writes it: the instance as `xml_submission_file`.
fn multipart(boundary: &str, instance: &str) -> Vec<u8> {
    format!(
        "--{boundary}\r\n\
         Content-Disposition: form-data; name=\"xml_submission_file\"; filename=\"submission.xml\"\r\n\
         Content-Type: text/xml\r\n\r\n\
         {instance}\r\n\
         --{boundary}--\r\n"
    )
    .into_bytes()
}

/// A filled daily progress instance.
fn instance(
    version: &str,
    area_code: &str,
    team_code: &str,
    worked: &[[f64; 2]],
    m2: f64,
    id: &str,
) -> String {
    let shape: Vec<String> = worked
        .iter()
        .map(|[lon, lat]| format!("{lat} {lon} 0 4.5"))
        .collect();
    format!(
        "<?xml version='1.0' ?>\
         <data id=\"bonifica_daily_progress\" orx:version=\"{version}\" xmlns:orx=\"http://openrosa.org/xforms\">\
         <hazard_area>{area_code}</hazard_area><team>{team_code}</team><based_on_version/>\
         <date>2026-11-24</date><worked>{}</worked>\
         <cancelled_m2>0</cancelled_m2><reduced_m2>0</reduced_m2><cleared_m2>{m2}</cleared_m2>\
         <hours>6.5</hours>\
         <ordnance><category>ap_mine</category><count>3</count><disposal>destroyed_in_situ</disposal></ordnance>\
         <meta><instanceID>{id}</instanceID></meta></data>",
        shape.join(";")
    )
}

fn assert_openrosa(a: &Answer) {
    assert_eq!(
        a.headers["x-openrosa-version"], "1.0",
        "every answer names OpenRosa 1.0"
    );
}

#[tokio::test]
async fn odk_collect_fetches_the_form_and_submits_a_daily_progress_once() {
    let app = app();
    let team = template()
        .data
        .teams
        .iter()
        .find(|t| t.id == template().team)
        .expect("the team");
    let (operator, team_id) = (template().operator, team.id);
    app.state
        .with_store(move |store| {
            bonifica_server::add_user(
                store,
                "phone",
                Role::TeamLeader,
                PASSWORD,
                Some(operator),
                Some(team_id),
            )
            .map_err(|e| bonifica_server::ApiError::internal(&e))
        })
        .await
        .expect("adds the phone's user");
    let auth = basic("phone", PASSWORD);

    // The phone asks first; without credentials it is challenged.
    let a = call(&app, "HEAD", "/odk/submission", None, None, Vec::new()).await;
    assert_eq!(a.status, 401);
    assert_eq!(a.headers["www-authenticate"], "Basic realm=\"Bonifica\"");
    assert_openrosa(&a);
    let a = call(
        &app,
        "HEAD",
        "/odk/submission",
        Some(&basic("phone", "wrong")),
        None,
        Vec::new(),
    )
    .await;
    assert_eq!(a.status, 401);
    let a = call(
        &app,
        "HEAD",
        "/odk/submission",
        Some(&auth),
        None,
        Vec::new(),
    )
    .await;
    assert_eq!(a.status, 204);
    assert_openrosa(&a);
    let accepts: usize = a.headers["x-openrosa-accept-content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(accepts >= 1_000_000);

    // The form list names the form, its version, hash and where to fetch it.
    let list = call(&app, "GET", "/odk/formList", Some(&auth), None, Vec::new()).await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_openrosa(&list);
    let doc = roxmltree::Document::parse(&list.text).expect("the form list is XML");
    let text_of = |name: &str| {
        doc.descendants()
            .find(|n| n.has_tag_name(name))
            .and_then(|n| n.text())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(text_of("formID"), "bonifica_daily_progress");
    let url = text_of("downloadUrl");
    let path = url
        .strip_prefix("http://phone.test:8080")
        .expect("the download URL is on the host the phone reached");
    let form = call(&app, "GET", path, Some(&auth), None, Vec::new()).await;
    assert_eq!(form.status, 200);
    assert_openrosa(&form);
    assert_eq!(
        form_hash(&form.text),
        text_of("hash"),
        "the hash is the form's"
    );
    let xform = roxmltree::Document::parse(&form.text).expect("the form is XML");
    let values: Vec<&str> = xform
        .descendants()
        .filter(|n| n.has_tag_name("value"))
        .filter_map(|n| n.text())
        .collect();
    for c in OrdnanceCategory::ALL {
        assert!(values.contains(&c.as_str()), "{c} is offered");
    }
    let data = xform
        .descendants()
        .find(|n| n.has_tag_name("data"))
        .expect("the instance");
    let version = data
        .attribute(("http://openrosa.org/xforms", "version"))
        .expect("a version");
    assert_eq!(version, text_of("version"));

    // The phone fills it in and submits it.
    let area = open_area(0);
    let worked = square_inside(area, 0.0);
    let m2 = crate::reports::m2(&worked);
    let id = format!("uuid:{}", Uuid::new_v4());
    let boundary = "----ODKBoundary7MA4YWxkTrZu0gW";
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let body = multipart(
        boundary,
        &instance(
            version,
            area.code.as_str(),
            team.code.as_str(),
            &worked,
            m2,
            &id,
        ),
    );
    for attempt in 0..2 {
        let a = call(
            &app,
            "POST",
            "/odk/submission",
            Some(&auth),
            Some(&content_type),
            body.clone(),
        )
        .await;
        assert_eq!(a.status, 201, "attempt {attempt}: {}", a.text);
        assert_openrosa(&a);
        let reply = roxmltree::Document::parse(&a.text).expect("an OpenRosa response");
        let message = reply
            .descendants()
            .find(|n| n.has_tag_name("message"))
            .expect("a message");
        assert_eq!(message.attribute("nature"), Some("submit_success"));
    }
    let inbox = get(&app, Role::Coordinator, "/api/reports?state=submitted").await;
    assert_eq!(inbox.body["total"], 1, "{}", inbox.body);
    let report = &inbox.body["items"][0];
    assert_eq!(report["client_id"], id.as_str());
    assert_eq!(report["kind"], "daily_progress");
    assert_eq!(report["hazard_area_code"], area.code.as_str());
    assert_eq!(report["created_by"], "phone");
    assert_eq!(report["body"]["ordnance"][0]["count"], 3);
    assert_eq!(report["body"]["hours"], 6.5);

    // Problems come back as OpenRosa messages naming the field.
    let bad = multipart(
        boundary,
        &instance(
            version,
            "HA-99999",
            team.code.as_str(),
            &worked,
            m2,
            "uuid:other",
        ),
    );
    let a = call(
        &app,
        "POST",
        "/odk/submission",
        Some(&auth),
        Some(&content_type),
        bad,
    )
    .await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert_openrosa(&a);
    assert!(a.text.contains("hazard_area"), "{}", a.text);
    let open = instance(
        version,
        area.code.as_str(),
        team.code.as_str(),
        &worked[..4],
        m2,
        "uuid:open",
    );
    let a = call(
        &app,
        "POST",
        "/odk/submission",
        Some(&auth),
        Some(&content_type),
        multipart(boundary, &open),
    )
    .await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert!(a.text.contains("worked"), "{}", a.text);
    let a = call(
        &app,
        "POST",
        "/odk/submission",
        Some(&auth),
        Some(&content_type),
        multipart(boundary, "<data"),
    )
    .await;
    assert_eq!(a.status, 400, "{}", a.text);
    assert!(a.text.contains("xml_submission_file"), "{}", a.text);
    let a = call(
        &app,
        "POST",
        "/odk/submission",
        None,
        Some(&content_type),
        body.clone(),
    )
    .await;
    assert_eq!(a.status, 401);
    assert_eq!(a.headers["www-authenticate"], "Basic realm=\"Bonifica\"");
    assert_eq!(
        get(&app, Role::Coordinator, "/api/reports").await.body["total"],
        1
    );
}

#[tokio::test]
async fn a_bearer_token_serves_as_well_as_basic_credentials() {
    let app = app();
    let auth = format!("Bearer {}", token(Role::TeamLeader));
    let list = call(&app, "GET", "/odk/formList", Some(&auth), None, Vec::new()).await;
    assert_eq!(list.status, 200, "{}", list.text);
    let a = call(
        &app,
        "GET",
        "/odk/formList",
        Some("Bearer no-such-token"),
        None,
        Vec::new(),
    )
    .await;
    assert_eq!(a.status, 401);
    assert_eq!(a.headers["www-authenticate"], "Basic realm=\"Bonifica\"");
}
