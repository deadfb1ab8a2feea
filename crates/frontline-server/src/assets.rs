//! The web map's built files, embedded in the binary at compile time
//! (`web/dist`, produced by `npm run build` in `web/`).
//!
//! A request can only ever name a file of that embedded set: lookups are in
//! a table fixed at compile time, never on the file system, so no path
//! (`..`, encoded or not) can reach anything else.

use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../../web/dist/"]
struct Assets;

/// The page shown when the binary was built before the web assets.
pub const NOT_BUILT: &str = "<!doctype html><meta charset=utf-8><title>frontline</title>\
<h1>web assets not built</h1><p>The API works (see <a href=/api/openapi.json>/api/openapi.json</a>), \
but this binary was built without the map: run <code>npm ci &amp;&amp; npm run build</code> in \
<code>web/</code>, then rebuild frontline.</p>";

/// Whether the map was embedded.
pub fn built() -> bool {
    Assets::get("index.html").is_some()
}

/// Serves `/` and every embedded file; anything else is a 404.
pub async fn serve_asset(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    let name = if path.is_empty() { "index.html" } else { path };
    if name == "index.html" && !built() {
        return (StatusCode::SERVICE_UNAVAILABLE, Html(NOT_BUILT)).into_response();
    }
    match Assets::get(name) {
        Some(file) => {
            let mime = mime_guess::from_path(name).first_or_octet_stream();
            let mut r = file.data.into_owned().into_response();
            if let Ok(v) = HeaderValue::from_str(mime.as_ref()) {
                r.headers_mut().insert(header::CONTENT_TYPE, v);
            }
            // index.html names the bundles without a hash: let the browser revalidate.
            r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            r
        }
        None => (StatusCode::NOT_FOUND, "not found: this server serves the map at / and the API under /api/")
            .into_response(),
    }
}
