//! What must never be silently wrong: a replaced snapshot, a damaged store,
//! a store path that is not a store. Expected figures are DeepState's
//! published ones or facts about the files, never the binary's own output.

mod common;

use common::{daily, frontline, shared_data, text, tmpdir};
use std::path::{Path, PathBuf};
use std::process::Command;

fn occupied_km2(db: &Path, on: &str) -> f64 {
    let o = frontline(db, &["area", "--on", on, "--format", "json"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    v[0]["occupied_km2"].as_f64().expect("number")
}

/// DeepState published 116,165 km² occupied on 2026-01-01.
const PUBLISHED_20260101_KM2: f64 = 116_165.0;

#[test]
fn a_replaced_snapshot_is_reported_and_the_original_restores_it() {
    let dir = tmpdir("replace");
    let db = dir.join("t.db");
    let (a, b) = (dir.join("a"), dir.join("b"));
    std::fs::create_dir_all(&a).expect("a");
    std::fs::create_dir_all(&b).expect("b");
    let name = "deepstatemap_data_20260101.geojson";
    std::fs::copy(daily("20260101"), a.join(name)).expect("copy");
    // Another day's content under the same name and date.
    std::fs::copy(daily("20250601"), b.join(name)).expect("copy");
    let ingest = |p: &Path| frontline(&db, &["ingest", p.to_str().expect("utf8")]);

    assert!(ingest(&a).status.success());
    assert!((occupied_km2(&db, "2026-01-01") - PUBLISHED_20260101_KM2).abs() / PUBLISHED_20260101_KM2 < 0.001);
    let o = ingest(&b);
    let out = text(&o.stdout);
    assert!(out.contains("1 replaced") && out.contains(&format!("replaced {}", a.join(name).display())), "{out}");
    assert!((occupied_km2(&db, "2026-01-01") - PUBLISHED_20260101_KM2).abs() > 1_000.0);
    // The original again: not "already stored", it restores the snapshot.
    let o = ingest(&a);
    let out = text(&o.stdout);
    assert!(out.contains("1 replaced") && out.contains(&format!("replaced {}", b.join(name).display())), "{out}");
    assert!((occupied_km2(&db, "2026-01-01") - PUBLISHED_20260101_KM2).abs() / PUBLISHED_20260101_KM2 < 0.001);
    let o = ingest(&a);
    assert!(text(&o.stdout).contains("1 already stored"), "{}", text(&o.stdout));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_flipped_bit_in_the_store_is_refused_and_verify_names_it() {
    let dir = tmpdir("bitflip");
    let db = dir.join("t.db");
    for d in ["20250601", "20260101"] {
        let o = frontline(&db, &["ingest", daily(d).to_str().expect("utf8")]);
        assert!(o.status.success(), "{}", text(&o.stderr));
    }
    let o = frontline(&db, &["verify"]);
    assert!(o.status.success(), "{}", text(&o.stdout));
    assert!(text(&o.stdout).contains("sound (2 stored layers checked"), "{}", text(&o.stdout));

    // A longitude from the 2026-01-01 file (stored as published: the layer
    // is valid as drawn), found in the store file and one bit flipped.
    let geo: serde_json::Value =
        serde_json::from_slice(&std::fs::read(daily("20260101")).expect("read")).expect("json");
    let mut coords = &geo["features"][0]["geometry"]["coordinates"];
    while coords[0].is_array() {
        coords = &coords[0];
    }
    let lon = coords[0].as_f64().expect("lon");
    let mut bytes = std::fs::read(&db).expect("read");
    let at = bytes.windows(8).position(|w| w == lon.to_le_bytes()).expect("coordinate in the store");
    bytes[at + 3] ^= 0x10;
    std::fs::write(&db, &bytes).expect("write");

    let o = frontline(&db, &["area", "--on", "2026-01-01"]);
    assert!(!o.status.success(), "a damaged snapshot must not give a figure: {}", text(&o.stdout));
    let err = text(&o.stderr);
    assert!(err.contains("deepstate-daily at 2026-01-01") && err.contains("corrupt"), "{err}");
    let o = frontline(&db, &["verify"]);
    assert!(!o.status.success());
    let out = text(&o.stdout);
    assert!(out.contains("1 damaged of 2") && out.contains("2026-01-01T03:00:00"), "{out}");
    assert!(!out.contains("2025-06-01"), "{out}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn store_paths_that_are_not_stores_get_one_clear_line() {
    let dir = tmpdir("paths");
    for (db, expect) in [(dir.clone(), "is a folder"), (shared_data().join("README.md"), "not an SQLite database")] {
        let o = frontline(&db, &["sources"]);
        assert!(!o.status.success());
        let err = text(&o.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(expect), "{err}");
    }
    let foreign = dir.join("notes.sqlite");
    let sql = Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('create table notes(x)'); c.commit()",
        ])
        .arg(&foreign)
        .status()
        .expect("python3 makes the foreign database");
    assert!(sql.success());
    {
        let before = std::fs::read(&foreign).expect("read");
        let o = frontline(&foreign, &["ingest", daily("20260101").to_str().expect("utf8")]);
        assert!(!o.status.success());
        assert!(text(&o.stderr).contains("not a frontline store (an SQLite database with other tables (notes))"));
        assert_eq!(std::fs::read(&foreign).expect("read"), before, "a foreign database is left as it was");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn two_ingests_into_one_store_wait_for_each_other() {
    let dir = tmpdir("writers");
    let db = dir.join("t.db");
    // Two folders of 12 daily files each, ingested at the same time into a
    // store neither has created yet.
    let all: Vec<PathBuf> = std::fs::read_dir(shared_data().join("deepstate/daily"))
        .expect("daily folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().contains("deepstatemap_data_2025"))
        .collect();
    let mut all = all;
    all.sort();
    let mut children = vec![];
    for (k, chunk) in all.chunks(12).take(2).enumerate() {
        let sub = dir.join(format!("set{k}"));
        std::fs::create_dir_all(&sub).expect("dir");
        for f in chunk {
            std::fs::copy(f, sub.join(f.file_name().expect("name"))).expect("copy");
        }
        children.push(
            Command::new(env!("CARGO_BIN_EXE_frontline"))
                .arg("--db")
                .arg(&db)
                .arg("--data")
                .arg(shared_data())
                .args(["ingest", sub.to_str().expect("utf8")])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("start frontline"),
        );
    }
    for child in children {
        let o = child.wait_with_output().expect("run");
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert!(text(&o.stdout).contains("12 file(s) written"), "{}", text(&o.stdout));
    }
    let o = frontline(&db, &["snapshots", "--format", "csv"]);
    assert_eq!(text(&o.stdout).lines().count(), 1 + 24);
    std::fs::remove_dir_all(&dir).ok();
}
