//! A server state reloaded after the store changed: unchanged sources are
//! shared, not decoded again; a source that gained a snapshot at its end
//! keeps its area series, extended by the new snapshot alone, and the
//! extended series equals the one a fresh load computes from scratch.

use frontline::ingest::{ingest_file, Format, IngestContext};
use frontline::regions::{load_reference, Reference};
use frontline::store::{content_hash, Store};
use frontline_server::{AppState, Live, ServerConfig};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower::ServiceExt;

fn shared_data() -> PathBuf {
    let shared = match std::env::var_os("FRONTLINE_SHARED") {
        Some(s) => PathBuf::from(s),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    shared.join("data")
}

fn put(store: &mut Store, ctx: &IngestContext, path: &Path, format: Format) {
    let bytes = frontline::geojson::read_bytes(path).expect("read");
    let fi = ingest_file(path, &format, ctx).expect("ingest");
    store.put_file(&fi, &content_hash(&bytes)).expect("put");
}

async fn get(state: &Arc<AppState>, uri: &str) -> serde_json::Value {
    let req = axum::http::Request::builder().uri(uri).body(axum::body::Body::empty()).expect("request");
    let resp = frontline_server::router(state.clone()).oneshot(req).await.expect("response");
    assert_eq!(resp.status(), 200, "{uri}");
    let body = axum::body::to_bytes(resp.into_body(), 64 << 20).await.expect("body");
    serde_json::from_slice(&body).expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_keeps_what_did_not_change_and_extends_the_rest() {
    let data = shared_data();
    let dir = std::env::temp_dir().join(format!("frontline-reload-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let db = dir.join("t.db");
    let ctx = IngestContext { territory: Some(Arc::new(load_reference(&Reference::WithSea, &data).expect("ref"))) };
    let daily = |d: &str| data.join(format!("deepstate/daily/deepstatemap_data_{d}.geojson"));
    let mut store = Store::open(&db).expect("store");
    for d in ["20260101", "20260102"] {
        put(&mut store, &ctx, &daily(d), Format::DeepStateDaily);
    }
    put(&mut store, &ctx, &data.join("deepstate/raw/1754251105.geojson.gz"), Format::DeepStateRaw);
    let config = ServerConfig { db: db.clone(), data_dir: Some(data.clone()) };
    let old = Arc::new(AppState::load(&config).expect("load"));
    let live = Live::new(old.clone());
    // Fill the daily source's area series (what the map's chart asks for).
    let before = get(&old, "/api/area?source=deepstate-daily").await;
    assert_eq!(before["rows"].as_array().expect("rows").len(), 2);

    // A new day arrives.
    put(&mut store, &ctx, &daily("20260103"), Format::DeepStateDaily);
    let new = Arc::new(old.reload(&config).expect("reload"));
    let idx = |s: &AppState, name: &str| s.sources.iter().position(|x| x.summary.source.as_str() == name).expect(name);
    let (raw_old, raw_new) = (idx(&old, "deepstate-raw"), idx(&new, "deepstate-raw"));
    assert!(Arc::ptr_eq(&old.sources[raw_old].snapshots, &new.sources[raw_new].snapshots), "raw decoded again");
    let daily_new = idx(&new, "deepstate-daily");
    assert_eq!(new.sources[daily_new].snapshots.len(), 3);
    // The series is already there, three rows, before any request.
    let kept = new.area_cell(daily_new, "sea").expect("cell");
    let rows = kept.get().expect("area series carried over and extended");
    assert_eq!(rows.rows.len(), 3);
    live.replace(new.clone());
    assert!(Arc::ptr_eq(&live.state().unwrap(), &new));
    let served = get(&live.state().unwrap(), "/api/area?source=deepstate-daily").await;
    // The same series computed from scratch on a fresh load's snapshots
    // (not through the server: a fresh load may read the series the
    // server kept in the store).
    let fresh = Arc::new(AppState::load(&config).expect("fresh"));
    let territory = load_reference(&Reference::WithSea, &data).expect("ref");
    let scratch = frontline::area::area_rows(
        &fresh.sources[idx(&fresh, "deepstate-daily")].snapshots,
        &territory,
        frontline::area::UKRAINE_OFFICIAL_KM2,
    );
    assert_eq!(served["rows"], serde_json::to_value(&scratch).expect("json"));
    assert_eq!(served["rows"][0], before["rows"][0]);
    std::fs::remove_dir_all(&dir).ok();
}
