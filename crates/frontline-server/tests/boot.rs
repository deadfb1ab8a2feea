//! The first second of a server: the area series a previous start kept in
//! the store answers `/api/area` before the snapshots are loaded, with the
//! same bytes the loaded state gives; every other request waits for the
//! load; a series kept for other layers is never served.

use frontline::ingest::{ingest_file, Format, IngestContext};
use frontline::regions::{load_reference, Reference};
use frontline::store::{content_hash, Store};
use frontline_server::boot::Boot;
use frontline_server::{AppState, Live, ServerConfig};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

fn shared_data() -> PathBuf {
    let shared = match std::env::var_os("FRONTLINE_SHARED") {
        Some(s) => PathBuf::from(s),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    shared.join("data")
}

fn put(store: &mut Store, ctx: &IngestContext, path: &Path) {
    let bytes = frontline::geojson::read_bytes(path).expect("read");
    let fi = ingest_file(path, &Format::DeepStateDaily, ctx).expect("ingest");
    store.put_file(&fi, &content_hash(&bytes)).expect("put");
}

async fn fetch(addr: std::net::SocketAddr, path: &str) -> (u16, Vec<u8>) {
    let r = reqwest::Client::new().get(format!("http://{addr}{path}")).send().await.expect("request");
    (r.status().as_u16(), r.bytes().await.expect("body").to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_area_series_answers_before_the_load_and_matches_the_loaded_answer() {
    let data = shared_data();
    let dir = std::env::temp_dir().join(format!("frontline-boot-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let db = dir.join("t.db");
    let ctx = IngestContext { territory: Some(Arc::new(load_reference(&Reference::WithSea, &data).expect("ref"))) };
    let daily = |d: &str| data.join(format!("deepstate/daily/deepstatemap_data_{d}.geojson"));
    let mut store = Store::open(&db).expect("store");
    for d in ["20251231", "20260101"] {
        put(&mut store, &ctx, &daily(d));
    }
    let config = ServerConfig { db: db.clone(), data_dir: Some(data.clone()) };
    assert!(!Boot::read(&config).answers(None), "nothing kept yet");

    // A first server computes the series and keeps it in the store.
    let state = Arc::new(AppState::load(&config).expect("load"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let first = listener.local_addr().expect("addr");
    tokio::spawn(frontline_server::serve(listener, state.clone(), std::future::pending()));
    let (status, loaded) = fetch(first, "/api/area").await;
    assert_eq!(status, 200);
    let body: serde_json::Value = serde_json::from_slice(&loaded).expect("json");
    // DeepState's published figure for 1 January 2026: 116,165 km² (within 0.1 %).
    let km2 = body["rows"][1]["occupied_km2"].as_f64().expect("km2");
    assert!((km2 - 116_165.0).abs() < 116.0, "{km2}");
    let mut boot = Boot::read(&config);
    for _ in 0..300 {
        if boot.answers(None) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        boot = Boot::read(&config);
    }
    assert!(boot.answers(None), "the series was not kept in the store");
    assert!(boot.answers(Some("from=2026-01-01")) && !boot.answers(Some("reference=nowhere")));

    // A second server, booting: /api/area at once, byte for byte the loaded answer.
    let live = Live::booting(boot);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let second = listener.local_addr().expect("addr");
    tokio::spawn(frontline_server::serve_live(listener, live.clone(), std::future::pending()));
    assert_eq!(fetch(second, "/api/area").await, (200, loaded.clone()));
    let (_, from_loaded) = fetch(first, "/api/area?from=2026-01-01").await;
    assert_eq!(fetch(second, "/api/area?from=2026-01-01").await, (200, from_loaded));
    // Anything else waits for the load.
    let dates = tokio::spawn(async move { fetch(second, "/api/dates").await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!dates.is_finished(), "answered before the state was loaded");
    live.start(Arc::new(AppState::load(&config).expect("load")));
    let (status, _) = dates.await.expect("task");
    assert_eq!(status, 200);

    // A new map: the kept series is for other layers and is not served.
    put(&mut store, &ctx, &daily("20260102"));
    assert!(!Boot::read(&config).answers(None), "a stale series would be served");
    let fresh = AppState::load(&config).expect("load");
    assert!(fresh.area_cell(0, "sea").expect("cell").get().is_none(), "a stale series was loaded");
    std::fs::remove_dir_all(&dir).ok();
}
