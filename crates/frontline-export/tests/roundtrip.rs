//! Every daily DeepState snapshot exported to GeoParquet, FlatGeobuf and
//! GeoJSON, then read back by pyarrow, geopandas and pyogrio (GDAL) in
//! `roundtrip.py`: pyproj's geodesic area of each geometry as read must equal
//! the row's area_km2 to 1e-9 relative, for every snapshot.
//!
//! Needs python3 with pyarrow, geopandas, pyogrio, shapely and pyproj. Where
//! they are missing the test says so and passes, except under CI (`CI=true`),
//! where it fails: `.ci/run` installs them.
#![cfg(feature = "geoparquet")]

use frontline::ingest::{expand_path, ingest_file, Format, IngestContext};
use frontline::regions::{load_reference, Reference};
use frontline_export::{datasets, write, FileFormat};
use rayon::prelude::*;
use std::path::PathBuf;
use std::process::Command;

fn shared_data() -> PathBuf {
    let shared = match std::env::var_os("FRONTLINE_SHARED") {
        Some(s) => PathBuf::from(s),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    let data = shared.join("data");
    assert!(data.is_dir(), "shared data not found at {} (set FRONTLINE_SHARED)", data.display());
    data
}

/// Whether the Python side can run; under CI a missing module is a failure.
fn python_ready() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import pyarrow, geopandas, pyogrio, shapely, pyproj"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        let msg = "python3 with pyarrow, geopandas, pyogrio, shapely and pyproj is needed: \
                   python3 -m pip install pyarrow geopandas pyogrio shapely pyproj";
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{msg}");
        eprintln!("skipped: {msg}");
    }
    ok
}

#[test]
fn every_daily_snapshot_reads_back_with_the_engines_areas() {
    if !python_ready() {
        return;
    }
    let data = shared_data();
    let files = expand_path(&data.join("deepstate/daily")).expect("daily folder");
    let mut snapshots: Vec<_> = files
        .par_iter()
        .map(|f| ingest_file(f, &Format::DeepStateDaily, &IngestContext::default()).expect("ingest").snapshot)
        .collect();
    snapshots.sort_by_key(|s| s.taken_at);
    assert_eq!(snapshots.len(), 769, "the shared data holds 769 daily files");
    let reference = load_reference(&Reference::WithSea, &data).expect("reference");
    let table = datasets::snapshots(&snapshots, &reference);
    table.check().expect("well-formed table");

    let dir = std::env::temp_dir().join(format!("frontline-roundtrip-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let parquet = dir.join("snapshots.parquet");
    let fgb = dir.join("snapshots.fgb");
    let geojson = dir.join("snapshots.geojson");
    let quiet = |_: usize, _: usize| {};
    let w = write(&table, FileFormat::GeoParquet, &parquet, &quiet).expect("GeoParquet");
    // One folder per year: 2024, 2025, 2026.
    assert_eq!((w.files, w.rows), (3, 769));
    write(&table, FileFormat::FlatGeobuf, &fgb, &quiet).expect("FlatGeobuf");
    write(&table, FileFormat::GeoJson, &geojson, &quiet).expect("GeoJSON");

    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/roundtrip.py");
    let out =
        Command::new("python3").arg(&script).args([&parquet, &fgb, &geojson]).arg("769").output().expect("run python3");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "roundtrip.py failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("GeoParquet: 3 files, 769 rows, 769 snapshot dates"), "{stdout}");
}
