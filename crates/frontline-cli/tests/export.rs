//! `frontline export` end to end: the files a user gets, the refusals, and
//! (with the geoparquet feature) the scale-out query over the GeoParquet
//! layout checked against the CLI's own per-oblast figures.

mod common;

use common::{daily, frontline, stderr, tmpdir};
use std::path::{Path, PathBuf};

/// A store holding the daily maps of these dates (YYYYMMDD).
fn store_with(dir: &Path, dates: &[&str]) -> PathBuf {
    let db = dir.join("store.db");
    let files: Vec<String> = dates.iter().map(|d| daily(d).display().to_string()).collect();
    let mut args = vec!["ingest"];
    args.extend(files.iter().map(String::as_str));
    let o = frontline(&db, &args);
    assert!(o.status.success(), "ingest: {}", stderr(&o));
    db
}

#[test]
fn geojson_and_csv_carry_every_row_and_refuse_to_overwrite() {
    let dir = tmpdir("files");
    let db = store_with(&dir, &["20251230", "20251231", "20260101"]);
    let geojson = dir.join("snapshots.geojson");
    let o = frontline(&db, &["export", "snapshots", "--out", geojson.to_str().expect("path")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&geojson).expect("written")).expect("valid JSON");
    let features = doc["features"].as_array().expect("features");
    assert_eq!(features.len(), 3, "one occupied layer per daily map");
    let dates: Vec<&str> = features.iter().filter_map(|f| f["properties"]["date"].as_str()).collect();
    assert_eq!(dates, ["2025-12-30", "2025-12-31", "2026-01-01"]);
    // DeepState's published figure for 1 January 2026: 116,165 km² within
    // Ukraine with its territorial sea (the reference the export names).
    let jan = &features[2]["properties"];
    assert_eq!(jan["reference"], "ukraine-with-sea");
    let within = jan["area_in_reference_km2"].as_f64().expect("area");
    assert!((within - 116_165.0).abs() / 116_165.0 < 1e-3, "{within}");

    // An existing target is never overwritten, and nothing is left beside it.
    let before = std::fs::read(&geojson).expect("read");
    let o = frontline(&db, &["export", "snapshots", "--out", geojson.to_str().expect("path")]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("already exists; remove it or choose another --out"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&geojson).expect("read"), before);

    let csv = dir.join("snapshots.csv");
    let o = frontline(&db, &["export", "snapshots", "--out", csv.to_str().expect("path")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&csv).expect("csv");
    assert_eq!(text.lines().next(), Some("source,date,taken_at,class,area_km2,area_in_reference_km2,reference"));
    assert_eq!(text.lines().count(), 4);
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".partial-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn flatgeobuf_starts_with_its_magic_bytes_and_holds_the_frontline() {
    let dir = tmpdir("fgb");
    let db = store_with(&dir, &["20260101"]);
    let fgb = dir.join("front.fgb");
    let o = frontline(&db, &["export", "front", "--out", fgb.to_str().expect("path")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = std::fs::read(&fgb).expect("written");
    // "fgb" + major version 3 (flatgeobuf.org spec).
    assert_eq!(&bytes[..4], b"fgb\x03");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_requests_say_what_to_do() {
    let dir = tmpdir("bad");
    let db = store_with(&dir, &["20260101"]);
    let o = frontline(&db, &["export", "snapshots", "--out", dir.join("x.txt").to_str().expect("path")]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("end it in .parquet, .fgb, .geojson or .csv, or pass --as FORMAT"), "{}", stderr(&o));
    let o = frontline(&db, &["export", "roads", "--out", dir.join("x.csv").to_str().expect("path")]);
    assert!(stderr(&o).contains("use one of snapshots, oblasts, changes, front"), "{}", stderr(&o));
    let o = frontline(
        &db,
        &["export", "snapshots", "--from", "2030-01-01", "--out", dir.join("y.csv").to_str().expect("p")],
    );
    assert!(!o.status.success());
    assert!(!dir.join("y.csv").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(not(feature = "geoparquet"))]
#[test]
fn geoparquet_without_the_feature_names_it() {
    let dir = tmpdir("nofeature");
    let db = store_with(&dir, &["20260101"]);
    let out = dir.join("s.parquet");
    let o = frontline(&db, &["export", "snapshots", "--out", out.to_str().expect("path")]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--features geoparquet"), "{}", stderr(&o));
    assert!(!out.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// The scale-out worked query: the oblast pieces of a few daily maps as
/// GeoParquet, aggregated per oblast and month by DataFusion (SQL over the
/// partitioned files), month-end values equal to `frontline area --by oblast`.
#[cfg(feature = "geoparquet")]
#[test]
fn datafusion_area_per_oblast_per_month_matches_the_cli() {
    let ready = std::process::Command::new("python3")
        .args(["-c", "import datafusion, pyarrow"])
        .status()
        .is_ok_and(|s| s.success());
    if !ready {
        let msg = "python3 with datafusion and pyarrow is needed: python3 -m pip install datafusion==55.0.0 pyarrow";
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{msg}");
        eprintln!("skipped: {msg}");
        return;
    }
    let dir = tmpdir("scaleout");
    // Two months and two years: partitions year=2025 and year=2026.
    let db = store_with(&dir, &["20251129", "20251130", "20251201", "20251231", "20260101", "20260102"]);
    let lake = dir.join("oblasts.parquet");
    let o = frontline(&db, &["export", "oblasts", "--out", lake.to_str().expect("path")]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(lake.join("source=deepstate-daily/year=2025/part-0.parquet").is_file());
    assert!(lake.join("source=deepstate-daily/year=2026/part-0.parquet").is_file());
    let o =
        frontline(&db, &["area", "--by", "oblast", "--from", "2025-11-01", "--to", "2026-01-31", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let cli = dir.join("cli.json");
    std::fs::write(&cli, &o.stdout).expect("write");
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../frontline-export/scaleout/area_per_oblast_month.py");
    let q = std::process::Command::new("python3")
        .arg(script)
        .arg(&lake)
        .arg("--check")
        .arg(&cli)
        .output()
        .expect("python3");
    let (out, err) = (String::from_utf8_lossy(&q.stdout), String::from_utf8_lossy(&q.stderr));
    println!("{out}\n{err}");
    assert!(q.status.success(), "{out}\n{err}");
    // 27 ADM1 units (with Kyiv and Sevastopol) × 3 months, occupied only (the daily export has no gray zone);
    // month ends 2025-11-30, 2025-12-31, 2026-01-02.
    assert!(err.contains("checked: 81 month-end oblast areas"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
