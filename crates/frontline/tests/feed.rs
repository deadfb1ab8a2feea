//! The partial-map check of `frontline sync` (`feed::check_successor`) on
//! the real history: no published map may be turned away.

mod common;

use frontline::feed::{check_successor, shape_of, SuccessorRules};
use frontline::ingest::{ingest_file, Format, IngestContext};
use frontline::{ControlClass, Snapshot};

/// The smallest kept fraction of a class's polygons and the largest
/// relative change of the occupied area over consecutive snapshots.
fn extremes(snaps: &[Snapshot], min_polygons: usize) -> (f64, f64) {
    let mut min_ratio = f64::INFINITY;
    let mut max_change: f64 = 0.0;
    for w in snaps.windows(2) {
        let (before, a) = shape_of(&w[0]);
        let (after, b) = shape_of(&w[1]);
        for (class, n) in before {
            if n >= min_polygons {
                let m = after.iter().find(|(c, _)| *c == class).map_or(0, |(_, m)| *m);
                min_ratio = min_ratio.min(m as f64 / n as f64);
            }
        }
        if let (Some(a), Some(b)) = (a, b) {
            max_change = max_change.max(((b - a) / a).abs());
        }
    }
    (min_ratio, max_change)
}

/// Every consecutive pair of a sample of the raw history spanning the 2022
/// counter-offensives (weekly maps, the largest real steps) passes.
#[test]
fn real_consecutive_maps_pass() {
    let dir = common::shared_data().join("deepstate/raw");
    let mut names: Vec<_> = std::fs::read_dir(&dir).expect("raw").filter_map(|e| e.ok()).map(|e| e.path()).collect();
    names.sort();
    // September to December 2022: Kharkiv (September) and Kherson (November).
    let picked: Vec<_> = names
        .into_iter()
        .filter(|p| {
            let ts: i64 = p
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.get(..10))
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            (1_661_990_400..1_670_000_000).contains(&ts)
        })
        .collect();
    assert!(picked.len() >= 8, "{}", picked.len());
    let ctx = IngestContext::default();
    let snaps: Vec<Snapshot> =
        picked.iter().map(|p| ingest_file(p, &Format::DeepStateRaw, &ctx).expect("ingest").snapshot).collect();
    let rules = SuccessorRules::default();
    for w in snaps.windows(2) {
        check_successor(&w[0], &w[1], rules).unwrap_or_else(|e| panic!("{}: {e}", w[1].taken_at));
    }
    let (ratio, change) = extremes(&snaps, rules.min_polygons);
    eprintln!("autumn 2022: smallest kept polygon fraction {ratio:.3}, largest occupied area change {change:.4}");
    // The Kharkiv counter-offensive: the occupied area fell by more than 4 % in a week.
    assert!(change > 0.04 && change < rules.max_area_change, "{change}");
    let occupied: Vec<f64> = snaps.iter().filter_map(|s| shape_of(s).1).collect();
    assert_eq!(occupied.len(), snaps.len());
    assert!(snaps.iter().all(|s| s.layer(ControlClass::Occupied).is_some()));
}

/// The whole stored history, when a full store is at hand
/// (`FRONTLINE_FULL_DB=/tmp/fl/full.db cargo test --test feed -- --ignored --nocapture`):
/// prints the extremes the thresholds were chosen against.
#[test]
#[ignore]
fn whole_history_extremes() {
    let Some(db) = std::env::var_os("FRONTLINE_FULL_DB") else { return };
    let store = frontline::store::Store::open_read_only(std::path::Path::new(&db)).expect("store");
    let rules = SuccessorRules::default();
    for source in ["deepstate-raw", "deepstate-archive", "deepstate-daily"] {
        let snaps = store.load_range(&frontline::SourceId::new(source), None, None).expect("load");
        let (ratio, change) = extremes(&snaps, rules.min_polygons);
        let refused = snaps.windows(2).filter(|w| check_successor(&w[0], &w[1], rules).is_err()).count();
        eprintln!("{source}: {} maps, smallest kept polygon fraction {ratio:.3}, largest occupied area change {change:.4}, refused {refused}", snaps.len());
        for w in snaps.windows(2) {
            if let Err(e) = check_successor(&w[0], &w[1], rules) {
                eprintln!("  {}: {e}", w[1].taken_at);
            }
        }
    }
}

/// What `serve` polls to notice new snapshots, and what `sync` keeps
/// between runs.
#[test]
fn change_marker_and_sync_state() {
    use frontline::store::{content_hash, Store};
    let dir = std::env::temp_dir().join(format!("frontline-marker-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let db = dir.join("t.db");
    let mut store = Store::open(&db).expect("store");
    let empty = store.change_marker().expect("marker");
    assert_eq!((empty.0, empty.2), (0, false));
    let put = |store: &mut Store, date: &str, as_name: &str| {
        let path = common::daily_file(date);
        let bytes = std::fs::read(&path).expect("read");
        let fi = frontline::ingest::ingest_bytes(
            std::path::Path::new(as_name),
            &bytes,
            &Format::DeepStateDaily,
            &IngestContext::default(),
        )
        .expect("ingest");
        store.put_file(&fi, &content_hash(&bytes)).expect("put");
    };
    put(&mut store, "2026-01-01", "deepstatemap_data_20260101.geojson");
    let one = store.change_marker().expect("marker");
    assert_eq!((one.0, one.2), (1, false));
    assert_ne!(one.1, empty.1);
    // Another map under the same date replaces the layer: same count, new digest.
    put(&mut store, "2025-06-01", "deepstatemap_data_20260101.geojson");
    let replaced = store.change_marker().expect("marker");
    assert_eq!(replaced.0, 1);
    assert_ne!(replaced.1, one.1, "{one:?} {replaced:?}");
    // Putting the first map back restores the first digest.
    put(&mut store, "2026-01-01", "deepstatemap_data_20260101.geojson");
    assert_eq!(store.change_marker().expect("marker"), one);
    put(&mut store, "2025-06-01", "deepstatemap_data_20260101.geojson");
    store.begin_ingest(chrono::Utc::now()).expect("begin");
    assert!(store.change_marker().expect("marker").2);
    store.end_ingest().expect("end");
    // A reader sees what the writer did.
    let reader = Store::open_read_only(&db).expect("read-only");
    assert_eq!(reader.change_marker().expect("marker"), replaced);

    assert_eq!(store.sync_state("etag:http://x/list").expect("state"), None);
    store.set_sync_state("etag:http://x/list", Some("\"abc\"")).expect("set");
    assert_eq!(store.sync_state("etag:http://x/list").expect("state").as_deref(), Some("\"abc\""));
    store.set_sync_state("etag:http://x/list", None).expect("forget");
    assert_eq!(store.sync_state("etag:http://x/list").expect("state"), None);
    std::fs::remove_dir_all(&dir).ok();
}
