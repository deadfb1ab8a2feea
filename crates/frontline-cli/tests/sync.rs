//! `frontline sync` and a server that picks new maps up, against a local
//! HTTP server on loopback that replays the publishers' shapes built from
//! the shared files (DeepStateMap's history list and maps, the daily
//! export's git tree and files), failures included. Nothing here touches
//! the internet.

mod common;

use common::{frontline, shared_data, text, tmpdir};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One canned answer of the fixture server.
#[derive(Clone)]
struct Reply {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    etag: Option<String>,
}

impl Reply {
    fn json(body: Vec<u8>) -> Reply {
        Reply { status: 200, content_type: "application/json", body, etag: None }
    }
    fn status(status: u16) -> Reply {
        Reply { status, content_type: "text/plain", body: b"try later".to_vec(), etag: None }
    }
}

/// A publisher on loopback: a fixed table of paths, every request logged.
struct Publisher {
    base: String,
    routes: Arc<Mutex<HashMap<String, Reply>>>,
    log: Arc<Mutex<Vec<String>>>,
}

impl Publisher {
    fn start() -> Publisher {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let routes: Arc<Mutex<HashMap<String, Reply>>> = Arc::default();
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let (r, l) = (routes.clone(), log.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (r, l) = (r.clone(), l.clone());
                std::thread::spawn(move || answer(stream, &r, &l));
            }
        });
        Publisher { base, routes, log }
    }

    fn route(&self, path: &str, reply: Reply) {
        self.routes.lock().expect("routes").insert(path.to_string(), reply);
    }

    fn requests(&self) -> Vec<String> {
        self.log.lock().expect("log").clone()
    }

    fn clear_log(&self) {
        self.log.lock().expect("log").clear();
    }

    /// The history API listing these raw files (their names are the map ids),
    /// with an ETag, and each map at /api/history/{id}/geojson.
    fn serve_history(&self, maps: &[(i64, Vec<u8>)]) {
        let list: Vec<serde_json::Value> = maps
            .iter()
            .map(|(id, _)| {
                let at = chrono::DateTime::from_timestamp(*id, 0).expect("time");
                serde_json::json!({"id": id, "createdAt": at.format("%Y-%m-%dT%H:%M:%S.000Z").to_string(),
                    "status": true, "description": "…", "descriptionEn": "…"})
            })
            .collect();
        let body = serde_json::to_vec(&list).expect("json");
        let etag = format!("W/\"{}-{}\"", body.len(), maps.len());
        self.route("/api/history/public", Reply { etag: Some(etag), ..Reply::json(body) });
        for (id, bytes) in maps {
            self.route(&format!("/api/history/{id}/geojson"), Reply::json(bytes.clone()));
        }
    }

    /// The daily export's git tree and files.
    fn serve_daily(&self, files: &[(String, Vec<u8>)]) {
        let tree: Vec<serde_json::Value> = files
            .iter()
            .map(|(name, _)| serde_json::json!({"path": format!("data/{name}"), "type": "blob", "mode": "100644"}))
            .chain([serde_json::json!({"path": "README.md", "type": "blob"})])
            .collect();
        let body =
            serde_json::to_vec(&serde_json::json!({"sha": "x", "tree": tree, "truncated": false})).expect("json");
        let etag = format!("\"tree-{}\"", files.len());
        self.route("/tree", Reply { etag: Some(etag), ..Reply::json(body) });
        for (name, bytes) in files {
            self.route(&format!("/raw/data/{name}"), Reply::json(bytes.clone()));
        }
    }

    /// The flags pointing sync at this server, fast (no pause, no backoff).
    fn flags(&self, feeds: &str) -> Vec<String> {
        vec![
            "--feeds".into(),
            feeds.into(),
            "--history-url".into(),
            format!("{}/api/history/public", self.base),
            "--map-url".into(),
            format!("{}/api/history/{{id}}/geojson", self.base),
            "--daily-index-url".into(),
            format!("{}/tree", self.base),
            "--daily-file-url".into(),
            format!("{}/raw/{{path}}", self.base),
            "--delay".into(),
            "0s".into(),
            "--backoff".into(),
            "0s".into(),
            "--attempts".into(),
            "2".into(),
            "--timeout".into(),
            "60s".into(),
        ]
    }
}

fn answer(mut stream: TcpStream, routes: &Mutex<HashMap<String, Reply>>, log: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut if_none_match = None;
    let mut user_agent = String::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
            break;
        }
        let lower = h.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("if-none-match:") {
            if_none_match = Some(v.trim().to_string());
        }
        if let Some(v) = lower.strip_prefix("user-agent:") {
            user_agent = v.trim().to_string();
        }
    }
    let reply = routes.lock().expect("routes").get(&path).cloned();
    let reply =
        reply.unwrap_or(Reply { status: 404, content_type: "text/plain", body: b"not found".to_vec(), etag: None });
    let not_modified = reply.etag.as_ref().is_some_and(|e| if_none_match.as_deref() == Some(&e.to_ascii_lowercase()));
    log.lock().expect("log").push(format!("{path} {} ua={user_agent}", if not_modified { 304 } else { reply.status }));
    let mut head = if not_modified {
        "HTTP/1.1 304 Not Modified\r\n".to_string()
    } else {
        format!(
            "HTTP/1.1 {} X\r\nContent-Type: {}\r\nContent-Length: {}\r\n",
            reply.status,
            reply.content_type,
            reply.body.len()
        )
    };
    if let Some(e) = &reply.etag {
        head.push_str(&format!("ETag: {e}\r\n"));
    }
    if reply.status == 429 {
        head.push_str("Retry-After: 0\r\n");
    }
    head.push_str("Connection: close\r\n\r\n");
    let _ = stream.write_all(head.as_bytes());
    if !not_modified {
        let _ = stream.write_all(&reply.body);
    }
    let _ = stream.flush();
}

fn gunzip(path: &Path) -> Vec<u8> {
    let mut out = vec![];
    flate2::read::GzDecoder::new(std::fs::File::open(path).expect("open")).read_to_end(&mut out).expect("gunzip");
    out
}

const RAW_IDS: [i64; 3] = [1754077960, 1754166026, 1754251105];
const DAILY_DATES: [&str; 3] = ["20260101", "20260102", "20260103"];

fn raw_maps() -> Vec<(i64, Vec<u8>)> {
    RAW_IDS.iter().map(|id| (*id, gunzip(&shared_data().join(format!("deepstate/raw/{id}.geojson.gz"))))).collect()
}

fn daily_files() -> Vec<(String, Vec<u8>)> {
    DAILY_DATES
        .iter()
        .map(|d| {
            let name = format!("deepstatemap_data_{d}.geojson");
            (name.clone(), std::fs::read(shared_data().join("deepstate/daily").join(&name)).expect("daily"))
        })
        .collect()
}

fn sync(db: &Path, p: &Publisher, feeds: &str) -> Output {
    let mut args: Vec<String> = vec!["sync".into(), "deepstate".into()];
    args.extend(p.flags(feeds));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    frontline(db, &args)
}

fn area_csv(db: &Path, source: &str) -> String {
    let o =
        frontline(db, &["area", "--source", source, "--from", "2022-01-01", "--to", "2026-12-31", "--format", "csv"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    text(&o.stdout)
}

#[test]
fn sync_equals_ingest_from_disk_and_a_second_sync_fetches_nothing() {
    let dir = tmpdir("equal");
    let p = Publisher::start();
    p.serve_history(&raw_maps());
    p.serve_daily(&daily_files());
    let synced = dir.join("synced.db");
    let o = sync(&synced, &p, "history,daily");
    assert!(o.status.success(), "{}\n{}", text(&o.stdout), text(&o.stderr));
    assert!(text(&o.stdout).starts_with("6 map(s) stored"), "{}", text(&o.stdout));
    // Every request says who is asking.
    assert!(p.requests().iter().all(|r| r.contains("ua=frontline/")), "{:?}", p.requests());

    // The same files from disk into another store.
    let disk = dir.join("disk.db");
    let mut paths: Vec<String> = RAW_IDS
        .iter()
        .map(|id| shared_data().join(format!("deepstate/raw/{id}.geojson.gz")).display().to_string())
        .collect();
    paths.extend(
        DAILY_DATES.iter().map(|d| {
            shared_data().join(format!("deepstate/daily/deepstatemap_data_{d}.geojson")).display().to_string()
        }),
    );
    let mut args = vec!["ingest"];
    args.extend(paths.iter().map(String::as_str));
    let o = frontline(&disk, &args);
    assert!(o.status.success(), "{}", text(&o.stderr));
    for source in ["deepstate-raw", "deepstate-daily"] {
        let (a, b) = (area_csv(&synced, source), area_csv(&disk, source));
        assert_eq!(a, b, "{source}: the synced series differs from the ingested one");
        assert_eq!(a.lines().count(), 4, "{a}");
    }
    // DeepState's 2025-08-03 map: occupied + ORDLO + Crimea + Tuzla is
    // 114,275 km² within Ukraine with its sea (GeographicLib, shared/data/README).
    let o = frontline(&synced, &["area", "--source", "deepstate-raw", "--on", "2025-08-03", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let km2 = v[0]["occupied_km2"].as_f64().expect("occupied_km2");
    assert!((km2 - 114_275.0).abs() / 114_275.0 < 0.002, "{km2}");

    // Again: both listings answer 304 to the conditional request, no map is fetched.
    p.clear_log();
    let o = sync(&synced, &p, "history,daily");
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.starts_with("0 map(s) stored") && out.contains("2 listing(s) unchanged"), "{out}");
    let log = p.requests();
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(log.iter().all(|r| r.contains(" 304 ")), "{log:?}");

    // A publisher without ETags: the listing comes back whole, still no map is fetched.
    let tree = p.routes.lock().expect("routes")["/tree"].body.clone();
    p.route("/tree", Reply::json(tree));
    p.clear_log();
    let o = sync(&synced, &p, "daily");
    assert!(text(&o.stdout).contains("3 already stored"), "{}", text(&o.stdout));
    assert_eq!(p.requests().len(), 1, "{:?}", p.requests());
    std::fs::remove_dir_all(&dir).ok();
}

/// A daily feed whose middle file is `bad`: the other two are stored, the
/// exit code says something failed, the message names the file and the
/// problem, and the store is whole.
fn one_bad_daily_file(name: &str, bad: Reply, expected: &[&str]) {
    let dir = tmpdir(name);
    let p = Publisher::start();
    let files = daily_files();
    p.serve_daily(&files);
    p.route(&format!("/raw/data/{}", files[1].0), bad);
    let db = dir.join("t.db");
    let o = sync(&db, &p, "daily");
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert!(!o.status.success(), "{out}");
    assert!(out.starts_with("2 map(s) stored") && out.contains("1 failed"), "{out}");
    let line = err.lines().find(|l| l.starts_with("error: ")).unwrap_or_else(|| panic!("{err}"));
    assert!(line.contains(&files[1].0), "{line}");
    for e in expected {
        assert!(line.contains(e), "expected '{e}' in: {line}");
    }
    let o = frontline(&db, &["snapshots", "--source", "deepstate-daily", "--format", "csv"]);
    let listed = text(&o.stdout);
    assert!(
        listed.contains("2026-01-01") && listed.contains("2026-01-03") && !listed.contains("2026-01-02"),
        "{listed}"
    );
    assert!(frontline(&db, &["verify"]).status.success());
    // The listing's ETag is not kept after a failure: the next sync retries
    // the file, and only it (what is stored is not fetched again).
    p.route(&format!("/raw/data/{}", files[1].0), Reply::json(files[1].1.clone()));
    p.clear_log();
    let o = sync(&db, &p, "daily");
    assert!(o.status.success() && text(&o.stdout).starts_with("1 map(s) stored"), "{}", text(&o.stdout));
    let log = p.requests();
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(log[0].starts_with("/tree 200") && log[1].starts_with(&format!("/raw/data/{} 200", files[1].0)), "{log:?}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_html_error_page_is_refused() {
    let page = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>".to_vec();
    one_bad_daily_file("html", Reply { content_type: "text/html", ..Reply::json(page) }, &["HTML page"]);
}

#[test]
fn truncated_json_is_refused() {
    let mut body = daily_files()[1].1.clone();
    body.truncate(body.len() / 2);
    one_bad_daily_file("truncated", Reply::json(body), &["EOF"]);
}

#[test]
fn too_many_requests_is_retried_then_refused() {
    one_bad_daily_file("429", Reply::status(429), &["HTTP 429", "rate-limiting", "after 2 attempt(s)"]);
}

#[test]
fn a_server_error_is_retried_then_refused() {
    one_bad_daily_file("503", Reply::status(503), &["HTTP 503", "after 2 attempt(s)"]);
}

#[test]
fn a_map_with_half_its_polygons_missing_is_refused() {
    let dir = tmpdir("half");
    let p = Publisher::start();
    let mut maps = raw_maps();
    // Drop every second polygon feature of the middle map.
    let mut doc: serde_json::Value = serde_json::from_slice(&maps[1].1).expect("json");
    let features = doc["features"].as_array_mut().expect("features");
    let mut polygon_index = 0;
    features.retain(|f| {
        let t = f["geometry"]["type"].as_str().unwrap_or("");
        if t == "Polygon" || t == "MultiPolygon" {
            polygon_index += 1;
            polygon_index % 2 == 0
        } else {
            true
        }
    });
    maps[1].1 = serde_json::to_vec(&doc).expect("json");
    p.serve_history(&maps);
    let db = dir.join("t.db");
    let o = sync(&db, &p, "history");
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert!(!o.status.success(), "{out}");
    assert!(out.starts_with("2 map(s) stored") && out.contains("1 failed"), "{out}\n{err}");
    let line = err.lines().find(|l| l.starts_with("error: ")).unwrap_or_else(|| panic!("{err}"));
    assert!(line.contains("/api/history/1754166026/geojson") && line.contains("looks partial"), "{line}");
    let o = frontline(&db, &["snapshots", "--source", "deepstate-raw", "--format", "csv"]);
    assert_eq!(text(&o.stdout).lines().count(), 3, "{}", text(&o.stdout));
    assert!(frontline(&db, &["verify"]).status.success());
    std::fs::remove_dir_all(&dir).ok();
}

/// `GET path` on a local server, the body as text (status 200 only).
fn http_get(addr: &str, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").ok()?;
    let mut buf = String::new();
    s.read_to_string(&mut buf).ok()?;
    let (head, body) = buf.split_once("\r\n\r\n")?;
    head.starts_with("HTTP/1.1 200").then(|| body.to_string())
}

/// Kills the server when the test ends, however it ends.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits (bounded; not a timing assertion) until `pred` holds for the dates the server lists.
fn wait_for_dates(addr: &str, source: &str, pred: impl Fn(&str) -> bool) -> String {
    let mut last = String::new();
    for _ in 0..600 {
        if let Some(body) = http_get(addr, &format!("/api/dates?source={source}")) {
            if pred(&body) {
                return body;
            }
            last = body;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("the server never showed the new snapshot; last dates: {last}");
}

#[test]
fn a_running_server_shows_maps_synced_and_ingested_after_it_started() {
    let dir = tmpdir("serve");
    let db = dir.join("t.db");
    let files = daily_files();
    let first = shared_data().join("deepstate/daily").join(&files[0].0);
    let o = frontline(&db, &["ingest", first.to_str().expect("utf8")]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    // The publisher has the first two days.
    let p = Publisher::start();
    p.serve_daily(&files[..2]);
    let mut args: Vec<String> = ["serve", "--bind", "127.0.0.1:0", "--check-store-every", "1s", "--sync-every", "1h"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.extend(p.flags("daily"));
    let child = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .arg("--db")
        .arg(&db)
        .arg("--data")
        .arg(shared_data())
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve");
    let mut server = Server(child);
    let mut line = String::new();
    BufReader::new(server.0.stdout.take().expect("stdout")).read_line(&mut line).expect("line");
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .and_then(|s| s.strip_suffix('/'))
        .expect("address")
        .to_string();
    // The sync at start stores 2026-01-02; the server shows it without a restart.
    let dates = wait_for_dates(&addr, "deepstate-daily", |b| b.contains("2026-01-02"));
    assert!(dates.contains("2026-01-01"), "{dates}");
    let snap = http_get(&addr, "/api/snapshot/2026-01-02?source=deepstate-daily&zoom=6").expect("snapshot");
    assert!(snap.contains("FeatureCollection"), "{}", &snap[..snap.len().min(200)]);
    // An ingest from disk while it runs: noticed by the store watch.
    let third = shared_data().join("deepstate/daily").join(&files[2].0);
    let o = frontline(&db, &["ingest", third.to_str().expect("utf8")]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    wait_for_dates(&addr, "deepstate-daily", |b| b.contains("2026-01-03"));
    let area = http_get(&addr, "/api/area?source=deepstate-daily").expect("area");
    assert!(area.contains("2026-01-03"), "{area}");
    drop(server);
    std::fs::remove_dir_all(&dir).ok();
}
