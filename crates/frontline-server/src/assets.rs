//! The web map's built files, embedded in the binary at compile time
//! (`web/dist`, produced by `npm run build` in `web/`).
//!
//! A request can only ever name a file of that embedded set: lookups are in
//! a table fixed at compile time, never on the file system, so no path
//! (`..`, encoded or not) can reach anything else.

use crate::compress::{Coding, MIN_COMPRESSED_BYTES};
use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
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

/// Whether a file name carries esbuild's content hash (`main-7GX2LQ3K.js`):
/// such a file never changes under its name, so browsers may keep it.
pub fn is_hashed(name: &str) -> bool {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    stem.rsplit_once('-')
        .is_some_and(|(_, h)| h.len() == 8 && h.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()))
}

/// The embedded file `name` in `coding`: the copy `npm run build` wrote
/// (`NAME.br`, `NAME.gz`: brotli at its top quality, made once at build
/// time) when there is one, else compressed here once and kept (the
/// bundle is about a megabyte: compressing it per request would cost more
/// than sending it on loopback).
fn encoded(name: &str, data: &[u8], coding: Coding) -> Bytes {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    let suffix = match coding {
        Coding::Identity => return Bytes::copy_from_slice(data),
        Coding::Gzip => "gz",
        Coding::Brotli => "br",
    };
    if let Some(f) = Assets::get(&format!("{name}.{suffix}")) {
        return Bytes::from(f.data.into_owned());
    }
    static CACHE: OnceLock<Mutex<HashMap<(String, &'static str), Bytes>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = (name.to_string(), suffix);
    if let Some(b) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return b;
    }
    let b = coding.encode(data);
    if let Ok(mut c) = cache.lock() {
        c.insert(key, b.clone());
    }
    b
}

/// Serves `/` and every embedded file; anything else is a 404.
pub async fn serve_asset(uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().trim_start_matches('/');
    let name = if path.is_empty() { "index.html" } else { path };
    // The build's compressed copies are sent in place of their file, never as files of their own.
    if name.ends_with(".br") || name.ends_with(".gz") {
        return not_found();
    }
    if name == "index.html" && !built() {
        return (StatusCode::SERVICE_UNAVAILABLE, Html(NOT_BUILT)).into_response();
    }
    match Assets::get(name) {
        Some(file) => {
            let mime = mime_guess::from_path(name).first_or_octet_stream();
            let text = mime.type_() == "text" || mime.subtype() == "javascript" || mime.subtype() == "json";
            let coding = Coding::negotiate(&headers);
            let mut r = if text && coding != Coding::Identity && file.data.len() >= MIN_COMPRESSED_BYTES {
                // Only embedded names reach here (a fixed set): the cache is bounded.
                let mut r = encoded(name, &file.data, coding).into_response();
                if let Some(v) = coding.header() {
                    r.headers_mut().insert(header::CONTENT_ENCODING, v);
                }
                r.headers_mut().insert(header::VARY, HeaderValue::from_static("accept-encoding"));
                r
            } else {
                file.data.into_owned().into_response()
            };
            if let Ok(v) = HeaderValue::from_str(mime.as_ref()) {
                r.headers_mut().insert(header::CONTENT_TYPE, v);
            }
            // Hashed bundles never change under their name; index.html
            // names them, so it is always revalidated.
            let cache = if is_hashed(name) { "public, max-age=31536000, immutable" } else { "no-cache" };
            r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            r
        }
        None => not_found(),
    }
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found: this server serves the map at / and the API under /api/").into_response()
}

#[cfg(test)]
mod tests {
    use super::is_hashed;

    #[test]
    fn only_esbuild_hashed_names_are_immutable() {
        assert!(is_hashed("main-2EQN2CBO.js") && is_hashed("main-BL7HU6J3.css"));
        assert!(!is_hashed("index.html") && !is_hashed("main.js") && !is_hashed("main-2eqn2cbo.js"));
        assert!(!is_hashed("maplibre-gl.css") && !is_hashed("a-TOOLONGHASH.js"));
    }
}
