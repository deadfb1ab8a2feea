//! The server's limits against hostile clients, on its own server (a flood
//! here must not starve the API tests): slow and blank-line connections
//! are closed, a flood of heavy requests is refused with 503 + Retry-After
//! in the API's error shape and served from the cache afterwards, and every
//! response carries the security headers.

use frontline::ingest::{ingest_file, Format, IngestContext};
use frontline::regions::{load_reference, Reference};
use frontline::store::{content_hash, Store};
use frontline_server::{AppState, ServerConfig};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

const DATES: [&str; 3] = ["2024-07-08", "2025-06-01", "2026-01-01"];

fn shared_data() -> PathBuf {
    let shared = match std::env::var_os("FRONTLINE_SHARED") {
        Some(s) => PathBuf::from(s),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    shared.join("data")
}

fn db_path() -> PathBuf {
    std::env::temp_dir().join(format!("frontline-limits-test-{}", std::process::id())).join("test.db")
}

fn server() -> SocketAddr {
    static ADDR: OnceLock<SocketAddr> = OnceLock::new();
    *ADDR.get_or_init(|| {
        let data = shared_data();
        let db = db_path();
        std::fs::create_dir_all(db.parent().unwrap()).unwrap();
        let _ = std::fs::remove_file(&db);
        let ctx = IngestContext { territory: Some(Arc::new(load_reference(&Reference::WithSea, &data).unwrap())) };
        let mut store = Store::open(&db).unwrap();
        for d in DATES {
            let path = data.join(format!("deepstate/daily/deepstatemap_data_{}.geojson", d.replace('-', "")));
            let fi = ingest_file(&path, &Format::DeepStateDaily, &ctx).unwrap();
            store.put(&fi, &content_hash(&std::fs::read(&path).unwrap())).unwrap();
        }
        drop(store);
        let state = Arc::new(AppState::load(&ServerConfig { db, data_dir: Some(data) }).unwrap());
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Runtime::new().unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(listener.local_addr().unwrap()).unwrap();
                frontline_server::serve(listener, state, std::future::pending()).await.unwrap();
            });
        });
        rx.recv().unwrap()
    })
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(120)).build().unwrap()
}

#[tokio::test]
async fn security_headers_and_no_store_path() {
    for path in ["/", "/api/status", "/api/nope"] {
        let r = client().get(format!("http://{}{path}", server())).send().await.unwrap();
        let h = r.headers();
        let csp = h.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("worker-src 'self' blob:"), "MapLibre's worker: {csp}");
        assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
        assert_eq!(h.get("x-frame-options").unwrap(), "DENY");
    }
    let body = client().get(format!("http://{}/api/status", server())).send().await.unwrap().text().await.unwrap();
    let v: Value = serde_json::from_str(&body).unwrap();
    assert!(v.get("store").is_none(), "{body}");
    assert!(!body.contains("test.db") && !body.contains(&std::env::temp_dir().display().to_string()), "{body}");
}

/// Whether the server closes a connection that keeps sending `drip` (a
/// slow header, or blank lines) before `give_up`; a generous bound, not a
/// timing assertion: the server's limit is far shorter.
fn closed_while_dripping(first: &[u8], drip: &[u8], give_up: Duration) -> bool {
    let mut s = TcpStream::connect(server()).unwrap();
    s.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
    if s.write_all(first).is_err() {
        return true;
    }
    let start = std::time::Instant::now();
    let mut buf = [0u8; 512];
    while start.elapsed() < give_up {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => return true,
        }
        if s.write_all(drip).is_err() {
            return true;
        }
    }
    false
}

#[test]
fn slow_header_and_blank_line_connections_are_closed() {
    let give_up = frontline_server::HEADER_READ_TIMEOUT * 4;
    let slow = std::thread::spawn(move || {
        closed_while_dripping(b"GET /api/status HTTP/1.1\r\nHost: x\r\n", b"X-a: b\r\n", give_up)
    });
    let blank = std::thread::spawn(move || closed_while_dripping(b"\r\n", b"\r\n", give_up));
    let idle = std::thread::spawn(move || closed_while_dripping(b"", b"", give_up));
    assert!(slow.join().unwrap(), "a header sent a line at a time must not hold the connection");
    assert!(blank.join().unwrap(), "blank lines must not hold the connection");
    assert!(idle.join().unwrap(), "a silent connection must be closed");
}

#[tokio::test]
async fn a_flood_of_corridor_requests_is_refused_then_served_from_the_cache() {
    let c = client();
    let search: Value =
        c.get(format!("http://{}/api/places?q=Pokrovsk", server())).send().await.unwrap().json().await.unwrap();
    let id = search["matches"][0]["id"].as_u64().unwrap();
    // 16 distinct requests (distinct `from`, same answer): more than the server admits at once.
    let urls: Vec<String> =
        (1..=16).map(|d| format!("http://{}/api/places/{id}/corridor?from=2024-01-{d:02}", server())).collect();
    let mut tasks = vec![];
    for url in urls.clone() {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            let r = c.get(&url).send().await.unwrap();
            let status = r.status().as_u16();
            let retry = r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
            (status, retry, r.text().await.unwrap())
        }));
    }
    let mut refused = 0;
    for t in tasks {
        let (status, retry, body) = t.await.unwrap();
        let v: Value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("not JSON: {body}"));
        match status {
            200 => assert_eq!(v["rows"].as_array().unwrap().len(), DATES.len()),
            503 => {
                refused += 1;
                assert!(retry.is_some(), "503 without Retry-After");
                assert_eq!(v["status"], 503);
                assert!(v["error"].as_str().unwrap().contains("retry in"), "{body}");
            }
            other => panic!("{other}: {body}"),
        }
    }
    assert!(refused >= 1, "16 heavy requests at once: some must be refused, not queued without bound");
    // Every one answers when retried (what was computed stays cached).
    for url in urls {
        let mut answered = false;
        for _ in 0..60 {
            let r = c.get(&url).send().await.unwrap();
            if r.status().as_u16() == 200 {
                answered = true;
                break;
            }
            assert_eq!(r.status().as_u16(), 503);
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        assert!(answered, "{url} never answered");
    }
}

#[test]
fn a_server_loaded_during_an_ingest_says_its_snapshots_may_be_incomplete() {
    let data = shared_data();
    let dir = std::env::temp_dir().join(format!("frontline-partial-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("partial.db");
    let _ = std::fs::remove_file(&db);
    let mut store = Store::open(&db).unwrap();
    let path = data.join("deepstate/daily/deepstatemap_data_20260101.geojson");
    let fi = ingest_file(&path, &Format::DeepStateDaily, &IngestContext::default()).unwrap();
    // What `frontline ingest` does: the mark first, then files one by one.
    store.begin_ingest(chrono::Utc::now()).unwrap();
    store.put(&fi, &content_hash(&std::fs::read(&path).unwrap())).unwrap();
    let during = AppState::load(&ServerConfig { db: db.clone(), data_dir: Some(data.clone()) }).unwrap();
    assert!(during.warnings.iter().any(|w| w.contains("had not finished")), "{:?}", during.warnings);
    store.end_ingest().unwrap();
    drop(store);
    let after = AppState::load(&ServerConfig { db, data_dir: Some(data) }).unwrap();
    assert!(!after.warnings.iter().any(|w| w.contains("had not finished")), "{:?}", after.warnings);
    let _ = std::fs::remove_dir_all(&dir);
}
