//! Lists page through every record in the order asked, filter and search; exports give the
//! same records in files GDAL opens, without what the caller may not see.

use std::collections::HashSet;
use std::process::Command;

use bonifica_server::Role;
use serde_json::Value;

use crate::fixture::{App, app, send, template};

/// Every item of a list, following `next`, and the total each page announced.
async fn every(app: &App, role: Role, first: &str) -> (Vec<Value>, usize) {
    let mut items = Vec::new();
    let mut uri = first.to_string();
    let mut total = None;
    loop {
        let reply = send(&app.router, Some(role), "GET", &uri, None, &[]).await;
        assert_eq!(reply.status, 200, "{uri}: {}", reply.body);
        let t = reply.body["total"].as_u64().expect("total") as usize;
        assert_eq!(
            *total.get_or_insert(t),
            t,
            "the total holds from page to page"
        );
        items.extend(reply.body["items"].as_array().cloned().unwrap_or_default());
        match reply.body["next"].as_str() {
            Some(next) => uri = next.to_string(),
            None => return (items, t),
        }
    }
}

fn codes(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["code"].as_str().expect("code").to_string())
        .collect()
}

#[tokio::test]
async fn a_list_pages_to_its_last_record_in_the_order_asked() {
    let app = app();
    let (by_code, total) = every(&app, Role::Coordinator, "/api/hazard-areas?page_size=7").await;
    assert_eq!(by_code.len(), total);
    let mut sorted = codes(&by_code);
    sorted.sort();
    assert_eq!(codes(&by_code), sorted, "code order by default");

    let (by_size, total_by_size) = every(
        &app,
        Role::Coordinator,
        "/api/hazard-areas?page_size=7&sort=-size",
    )
    .await;
    assert_eq!(total_by_size, total);
    assert_eq!(by_size.len(), total, "every record, once");
    let unique: HashSet<String> = codes(&by_size).into_iter().collect();
    assert_eq!(unique.len(), total, "no record twice across pages");
    let sizes: Vec<f64> = by_size
        .iter()
        .map(|a| a["area_m2"].as_f64().expect("area"))
        .collect();
    assert!(
        sizes.windows(2).all(|w| w[0] >= w[1]),
        "largest first: {sizes:?}"
    );

    let (assets, _) = every(&app, Role::Coordinator, "/api/assets?page_size=5&sort=name").await;
    let names: Vec<String> = assets
        .iter()
        .map(|a| a["name"].as_str().expect("name").to_lowercase())
        .collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "{names:?}");
}

#[tokio::test]
async fn filters_and_words_keep_only_what_matches() {
    let app = app();
    let (open, _) = every(
        &app,
        Role::Coordinator,
        "/api/hazard-areas?status=open&classification=sha&page_size=1000",
    )
    .await;
    assert!(!open.is_empty(), "the region has open SHAs");
    assert!(
        open.iter()
            .all(|a| a["status"] == "open" && a["classification"] == "SHA"),
        "{:?}",
        codes(&open)
    );

    let data = &template().data;
    let named = data
        .assets
        .iter()
        .find(|a| !a.restricted)
        .expect("an asset");
    let word = named
        .name
        .split_whitespace()
        .next()
        .expect("a word")
        .to_uppercase();
    let (found, _) = every(
        &app,
        Role::Coordinator,
        &format!("/api/assets?q={}&page_size=1000", word.replace(' ', "%20")),
    )
    .await;
    assert!(
        found.iter().any(|a| a["code"] == named.code.as_str()),
        "{word}: {}",
        found.len()
    );
    assert!(found.iter().all(|a| {
        let w = word.to_lowercase();
        a["name"].as_str().unwrap().to_lowercase().contains(&w)
            || a["code"].as_str().unwrap().to_lowercase().contains(&w)
    }));

    let (blocked, _) = every(
        &app,
        Role::Coordinator,
        "/api/assets?blocked=true&page_size=1000",
    )
    .await;
    let (free, _) = every(
        &app,
        Role::Coordinator,
        "/api/assets?blocked=false&page_size=1000",
    )
    .await;
    let (all, _) = every(&app, Role::Coordinator, "/api/assets?page_size=1000").await;
    assert_eq!(blocked.len() + free.len(), all.len());
    // The map says the same of each asset.
    let map = send(
        &app.router,
        Some(Role::Coordinator),
        "GET",
        "/api/map/assets",
        None,
        &[],
    )
    .await;
    let on_map: HashSet<String> = map.body["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter(|f| f["properties"]["blocked"] == true)
        .map(|f| f["properties"]["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes(&blocked).into_iter().collect::<HashSet<_>>(), on_map);

    for (uri, field) in [
        ("/api/hazard-areas?sort=weight", "sort"),
        ("/api/assets?blocked=maybe", "blocked"),
        ("/api/settlements?classification=sha", "classification"),
    ] {
        let reply = send(&app.router, Some(Role::Viewer), "GET", uri, None, &[]).await;
        assert_eq!(reply.status, 400, "{uri}: {}", reply.body);
        assert_eq!(reply.body["errors"][0]["field"], field, "{uri}");
    }
}

/// `ogrinfo -ro -so -al FILE` and the feature count it reports.
fn gdal_count(path: &std::path::Path) -> usize {
    let out = Command::new("ogrinfo")
        .args(["-ro", "-so", "-al"])
        .arg(path)
        .output()
        .expect("ogrinfo runs (gdal-bin; scripts/install-deps installs it)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}{}",
        text,
        String::from_utf8_lossy(&out.stderr)
    );
    text.lines()
        .filter_map(|l| l.strip_prefix("Feature Count: "))
        .map(|n| n.trim().parse::<usize>().expect("a count"))
        .sum()
}

#[tokio::test]
async fn an_export_holds_the_filtered_list_and_gdal_opens_it() {
    let app = app();
    let filter = "status=open&kind=ap_mines";
    let (listed, total) = every(
        &app,
        Role::Coordinator,
        &format!("/api/hazard-areas?{filter}&page_size=1000"),
    )
    .await;
    assert!(total > 0, "the region has open anti-personnel areas");
    let dir = tempfile::tempdir().expect("temporary directory");
    for format in ["geojson", "csv", "gpkg"] {
        let reply = send(
            &app.router,
            Some(Role::Coordinator),
            "GET",
            &format!("/api/export/hazard-areas?format={format}&{filter}"),
            None,
            &[],
        )
        .await;
        assert_eq!(
            reply.status,
            200,
            "{format}: {}",
            String::from_utf8_lossy(&reply.bytes)
        );
        let disposition = reply.headers["content-disposition"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            disposition.starts_with("attachment; filename=\"hazard-areas-"),
            "{disposition}"
        );
        let path = dir.path().join(format!("export.{format}"));
        std::fs::write(&path, &reply.bytes).expect("writes");
        // A GeoPackage export holds the regions and organisations the areas refer to as
        // layers of their own: count the hazard areas' layer only.
        let count = if format == "gpkg" {
            let out = Command::new("ogrinfo")
                .args(["-ro", "-so"])
                .arg(&path)
                .arg("hazard_areas")
                .output()
                .expect("ogrinfo runs");
            let text = String::from_utf8_lossy(&out.stdout).to_string();
            assert!(
                out.status.success(),
                "{text}{}",
                String::from_utf8_lossy(&out.stderr)
            );
            text.lines()
                .find_map(|l| l.strip_prefix("Feature Count: "))
                .map(|n| n.trim().parse::<usize>().unwrap())
                .expect("a count")
        } else {
            gdal_count(&path)
        };
        assert_eq!(
            count,
            listed.len(),
            "{format}: GDAL reads every listed record"
        );
    }
}

#[tokio::test]
async fn a_viewer_s_export_has_no_restricted_record() {
    let app = app();
    let data = &template().data;
    let hidden: Vec<String> = data
        .hazard_areas
        .iter()
        .filter(|a| a.restricted)
        .map(|a| a.code.to_string())
        .chain(
            data.assets
                .iter()
                .filter(|a| a.restricted)
                .map(|a| a.code.to_string()),
        )
        .collect();
    assert!(!hidden.is_empty(), "the region has restricted records");
    for collection in ["hazard-areas", "assets"] {
        for format in ["geojson", "csv", "gpkg"] {
            let reply = send(
                &app.router,
                Some(Role::Viewer),
                "GET",
                &format!("/api/export/{collection}?format={format}"),
                None,
                &[],
            )
            .await;
            assert_eq!(reply.status, 200, "{collection} {format}");
            let text = String::from_utf8_lossy(&reply.bytes);
            for code in &hidden {
                assert!(
                    !text.contains(code.as_str()),
                    "{collection} {format} holds {code}"
                );
            }
        }
    }
    // The defence liaison's export holds them.
    let reply = send(
        &app.router,
        Some(Role::DefenceLiaison),
        "GET",
        "/api/export/hazard-areas?format=csv",
        None,
        &[],
    )
    .await;
    let text = String::from_utf8_lossy(&reply.bytes);
    assert!(hidden.iter().any(|c| text.contains(c.as_str())));
    // People leave for no viewer, whatever the format.
    let reply = send(
        &app.router,
        Some(Role::Viewer),
        "GET",
        "/api/export/people?format=csv",
        None,
        &[],
    )
    .await;
    assert_eq!(reply.status, 403);
    let reply = send(
        &app.router,
        Some(Role::Coordinator),
        "GET",
        "/api/export/teams?format=gpkg",
        None,
        &[],
    )
    .await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert_eq!(reply.body["errors"][0]["field"], "format");
}
