//! The `frontline` binary end to end on the real data: what a user types,
//! what they see, and what happens to the store on bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn shared_data() -> PathBuf {
    let shared = match std::env::var_os("FRONTLINE_SHARED") {
        Some(s) => PathBuf::from(s),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    shared.join("data")
}

fn daily(date: &str) -> PathBuf {
    shared_data().join(format!("deepstate/daily/deepstatemap_data_{date}.geojson"))
}

fn frontline(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_frontline"))
        .arg("--db")
        .arg(db)
        .arg("--data")
        .arg(shared_data())
        .args(args)
        .output()
        .expect("run frontline")
}

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("frontline-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("tmp dir");
    d
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn ingest_measure_and_reingest() {
    let dir = tmpdir("main");
    let db = dir.join("t.db");
    for d in ["20241231", "20250601", "20260101"] {
        std::fs::copy(daily(d), dir.join(format!("deepstatemap_data_{d}.geojson"))).expect("copy");
    }
    let o = frontline(&db, &["ingest", dir.to_str().expect("utf8")]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout(&o).contains("3 file(s) written"), "{}", stdout(&o));
    // Same content again: a no-op.
    let o = frontline(&db, &["ingest", dir.to_str().expect("utf8")]);
    assert!(stdout(&o).contains("0 file(s) written") && stdout(&o).contains("3 already stored"), "{}", stdout(&o));

    // DeepState published 116,165 km² for 2026-01-01.
    let o = frontline(&db, &["area", "--on", "2026-01-01", "--format", "json"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let km2 = v[0]["occupied_km2"].as_f64().expect("number");
    assert!((km2 - 116_165.0).abs() / 116_165.0 < 0.001, "{km2}");
    assert_eq!(v[0]["reference"], "ukraine-with-sea");

    // A date between snapshots uses the last one before it, and says so.
    let o = frontline(&db, &["area", "--on", "2025-12-25"]);
    assert!(stdout(&o).contains("using the last one before it, 2025-06-01"), "{}", stdout(&o));

    // 2025 as one year: DeepState published a 4,336 km² gain.
    let o =
        frontline(&db, &["change", "--every", "year", "--from", "2025-01-01", "--to", "2026-01-01", "--format", "csv"]);
    let out = stdout(&o);
    let line = out.lines().find(|l| l.starts_with("2025,")).unwrap_or_else(|| panic!("{out}"));
    let net: f64 = line.split(',').nth(7).expect("net column").parse().expect("number");
    assert!((net - 4_336.0).abs() / 4_336.0 < 0.01, "{line}");
    assert!(line.contains("2024-12-31,2026-01-01"), "the dates actually used: {line}");

    // Oblast breakdown names Donetsk.
    let o = frontline(&db, &["area", "--on", "2026-01-01", "--by", "oblast", "--format", "csv"]);
    let out = stdout(&o);
    let donetsk = out.lines().find(|l| l.contains("UA-14")).unwrap_or_else(|| panic!("{out}"));
    let pct: f64 = donetsk.split(',').nth(5).expect("pct").parse().expect("number");
    assert!((pct - 78.1).abs() < 1.0, "{donetsk}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_input_fails_cleanly_and_leaves_store_unchanged() {
    let dir = tmpdir("bad");
    let db = dir.join("t.db");
    let good = daily("20250601");
    let o = frontline(&db, &["ingest", good.to_str().expect("utf8")]);
    assert!(o.status.success());
    let before = frontline(&db, &["snapshots", "--format", "csv"]).stdout;

    let bytes = std::fs::read(daily("20250602")).expect("read");
    let truncated = dir.join("deepstatemap_data_20250602.geojson");
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).expect("write");
    let nan = dir.join("deepstatemap_data_20250603.geojson");
    let text = String::from_utf8(std::fs::read(daily("20250603")).expect("read"))
        .expect("utf8")
        .replacen("35.", "NaN, 35.", 1);
    std::fs::write(&nan, text).expect("write");

    for (file, what) in [(&truncated, "truncated"), (&nan, "NaN")] {
        let o = frontline(&db, &["ingest", file.to_str().expect("utf8")]);
        assert!(!o.status.success(), "{what}: must exit non-zero");
        let err = String::from_utf8_lossy(&o.stderr);
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 1, "one line: {err}");
        assert!(lines[0].contains(file.file_name().and_then(|n| n.to_str()).expect("name")), "{err}");
        assert!(lines[0].contains("feature #0") && lines[0].contains(what), "{err}");
    }
    let after = frontline(&db, &["snapshots", "--format", "csv"]).stdout;
    assert_eq!(before, after, "the store must be unchanged");

    // Unknown dates and sources are clear errors, not panics.
    let o = frontline(&db, &["area", "--on", "2020-01-01"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("no deepstate-daily snapshot on or before 2020-01-01"));
    let o = frontline(&db, &["area", "--on", "2025-13-01"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("YYYY-MM-DD"));
    let o = frontline(&db, &["area", "--source", "nope"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("no source 'nope'"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn isw_folder_ingests_except_misdated_files() {
    let dir = tmpdir("isw");
    let db = dir.join("t.db");
    let control = shared_data().join("isw/control");
    let o = frontline(&db, &["ingest", control.to_str().expect("utf8")]);
    assert!(!o.status.success(), "two misdated files must make the run fail");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().filter(|l| l.contains("2202-02-0")).count(), 2, "{err}");
    assert!(stdout(&o).contains("37 file(s) written"), "{}", stdout(&o));
    let o = frontline(&db, &["snapshots", "--source", "isw", "--format", "csv"]);
    assert_eq!(stdout(&o).lines().count(), 1 + 37);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn any_geojson_with_a_mapping() {
    // ISW's simplified control file read as "any GeoJSON": the areas its
    // features publish (`area_km2`) sum to 112,621.19 km².
    let dir = tmpdir("mapped");
    let db = dir.join("t.db");
    let file = shared_data().join("isw/control/2025-08-11.geojson");
    let o = frontline(
        &db,
        &[
            "ingest",
            file.to_str().expect("utf8"),
            "--map",
            "layer_type=ukraine_control_map:occupied",
            "--source",
            "my-map",
            "--date-property",
            "date",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = frontline(&db, &["area", "--source", "my-map", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v[0]["date"], "2025-08-11");
    let km2 = v[0]["occupied_km2"].as_f64().expect("number");
    assert!((km2 - 112_621.19).abs() / 112_621.19 < 0.001, "{km2}");
    // A file whose format cannot be told from its name asks for --as or --map.
    let unknown = dir.join("control-map.geojson");
    std::fs::copy(&file, &unknown).expect("copy");
    let o = frontline(&db, &["ingest", unknown.to_str().expect("utf8")]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--map"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn front_and_advance_on_the_daily_source() {
    let dir = tmpdir("front");
    let db = dir.join("t.db");
    for d in ["20251201", "20260101"] {
        let o = frontline(&db, &["ingest", daily(d).to_str().expect("utf8")]);
        assert!(o.status.success());
    }
    // GEOS computes 1,221.76 km for the 2026-01-01 front with a 3 km coast
    // band (crates/frontline/benches/oracles/front_coast_band.py).
    let o = frontline(&db, &["front", "--on", "2026-01-01", "--format", "json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let km = v["length_km"].as_f64().expect("length");
    assert!((km - 1_221.76).abs() < 0.005 * 1_221.76, "{km}");
    let sectors: f64 =
        v["sectors"].as_array().expect("sectors").iter().map(|s| s["length_km"].as_f64().unwrap_or(0.0)).sum();
    assert!((sectors - km).abs() < 0.01 * km, "sector lengths {sectors} vs {km}");

    // December 2025: sector shares of the gain sum to 100 %, and the gain
    // equals `change` for the same two snapshots.
    let o = frontline(&db, &["advance", "--from", "2025-12-01", "--to", "2026-01-01", "--format", "json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let rows = rows.as_array().expect("rows");
    let share: f64 = rows.iter().map(|r| r["gained_share_pct"].as_f64().unwrap_or(0.0)).sum();
    assert!((share - 100.0).abs() < 1e-6, "{share}");
    let gained: f64 = rows.iter().map(|r| r["gained_km2"].as_f64().unwrap_or(0.0)).sum();
    let o = frontline(&db, &["change", "--every", "snapshot", "--format", "json"]);
    let c: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let expected = c[0]["gained_km2"].as_f64().expect("gained");
    assert!((gained - expected).abs() < 1e-3 * expected, "{gained} vs {expected}");
    std::fs::remove_dir_all(&dir).ok();
}
