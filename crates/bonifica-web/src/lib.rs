//! The browser app, built by Vite into `web/dist` and embedded in the binary at compile
//! time (see `build.rs`), so the service works with no internet and no files beside it.
//!
//! [`asset`] looks up one embedded file; [`router`] serves them all: `/` and every app
//! route answer with `index.html` (the app routes in the browser), `/assets/*` carry
//! content-hashed names and are cached for a year, and `/api/*` is never answered here.
//! Text files of 1 kB or more are also embedded gzipped (by `build.rs`) and sent so to
//! clients that accept it: the map library alone is 1 MB, 0.28 MB gzipped.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use include_dir::{Dir, include_dir};

static DIST: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../web/dist");

/// The gzip of every file of [`DIST`] worth compressing, at the same path.
static GZIP: Dir<'static> = include_dir!("$OUT_DIR/gzip");

/// Cache policy of content-hashed files under `/assets/`: they never change.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Cache policy of everything else (`index.html`): check with the server each time.
pub const REVALIDATE: &str = "no-cache";

/// The embedded file at `path` (with or without a leading `/`; `""` and `/` mean
/// `index.html`) and its content type, or `None` when there is no such file.
pub fn asset(path: &str) -> Option<(&'static [u8], &'static str)> {
    let path = embedded_path(path)?;
    let file = DIST.get_file(path)?;
    Some((file.contents(), content_type(path)))
}

/// The gzip of the embedded file at `path` (as for [`asset`]), when it has one.
pub fn gzipped(path: &str) -> Option<&'static [u8]> {
    Some(GZIP.get_file(embedded_path(path)?)?.contents())
}

/// `path` as the embedded folders name it: no leading `/`, `""` meaning `index.html`, and
/// `None` for a path that climbs out or has empty segments.
fn embedded_path(path: &str) -> Option<&str> {
    let path = path.trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    let climbs = path.split('/').any(|part| part == ".." || part.is_empty());
    (!climbs).then_some(path)
}

/// Serves the embedded app: `GET /` and app routes give `index.html`, `/assets/*` the
/// bundled files with long cache headers. Mount it beside the API with
/// `api.merge(bonifica_web::router())` (or `.fallback(bonifica_web::serve)` when the API
/// router has a fallback of its own).
pub fn router<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    Router::new().fallback(serve)
}

/// The handler behind [`router`], usable as any router's fallback.
pub async fn serve(method: Method, uri: Uri, headers: HeaderMap) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
        )
            .into_response();
    }
    let path = uri.path().trim_start_matches('/');
    if path == "api" || path.starts_with("api/") {
        return not_found();
    }
    let gzip_ok = accepts_gzip(&headers);
    let cache = if path.starts_with("assets/") {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    file_response(path, cache, gzip_ok)
        .or_else(|| {
            is_app_route(path)
                .then(|| file_response("index.html", REVALIDATE, gzip_ok))
                .flatten()
        })
        .unwrap_or_else(not_found)
}

/// Whether the request's `Accept-Encoding` takes gzip (named, or `*`, with a weight above 0).
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let weight = parts
                .filter_map(|p| p.strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            (name.eq_ignore_ascii_case("gzip") || name == "*") && weight > 0.0
        })
}

/// Whether `path` names a page of the app rather than a file: not under `assets/`, and no
/// extension in its last segment.
fn is_app_route(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or_default();
    !path.starts_with("assets/") && !last.contains('.')
}

/// The embedded file at `path`, gzipped when it has a gzip and the client takes it; `None`
/// when there is no such file.
fn file_response(path: &str, cache: &'static str, gzip_ok: bool) -> Option<Response> {
    let (bytes, content_type) = asset(path)?;
    let gzip = gzipped(path);
    let body = match gzip {
        Some(gz) if gzip_ok => gz,
        _ => bytes,
    };
    let mut response = Response::new(Body::from(body));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if gzip.is_some() {
        // The answer depends on Accept-Encoding: caches must keep the two apart.
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        if gzip_ok {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
    }
    Some(response)
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "not found\n",
    )
        .into_response()
}

/// The content type of a bundled file, from its extension.
fn content_type(path: &str) -> &'static str {
    let extension = path.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
    match extension {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "pbf" => "application/x-protobuf",
        "wasm" => "application/wasm",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_follow_extensions() {
        assert_eq!(
            content_type("assets/index-abc.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            content_type("assets/index-abc.css"),
            "text/css; charset=utf-8"
        );
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("noextension"), "application/octet-stream");
    }

    #[test]
    fn app_routes_have_no_extension() {
        assert!(is_app_route(""));
        assert!(is_app_route("map"));
        assert!(is_app_route("hazard-areas/HA-0042"));
        assert!(!is_app_route("assets/missing.js"));
        assert!(!is_app_route("favicon.ico"));
    }

    #[test]
    fn gzip_is_taken_when_named_or_starred_with_a_weight() {
        let with = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(value));
            accepts_gzip(&headers)
        };
        assert!(with("gzip, deflate, br"));
        assert!(with("br;q=1.0, GZIP;q=0.5"));
        assert!(with("*"));
        assert!(!with("gzip;q=0"));
        assert!(!with("br, deflate"));
        assert!(!with("identity"));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn paths_cannot_climb_out() {
        assert!(asset("../Cargo.toml").is_none());
        assert!(asset("assets/../../Cargo.toml").is_none());
        assert!(asset("assets//x.js").is_none());
    }
}
