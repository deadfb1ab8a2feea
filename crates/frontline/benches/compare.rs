//! Comparing two sources over their whole overlap, against the pipeline an
//! analyst runs today.
//!
//! For every DeepState raw snapshot date that also has a daily file (the
//! overlap 2024-07-08..2025-08-03), both sides read both files, classify,
//! repair and union them, clip to Ukraine with its territorial sea, and
//! measure each layer and their symmetric difference geodesically.
//! frontline: `ingest` + `compare::compare`; the baseline:
//! `benches/compare_baseline.py` (geopandas + shapely + pyproj), run in the
//! same invocation. Prints both times, the ratio and the agreement.
//!
//!     cargo bench -p frontline --bench compare
//!
//! Needs `python3 -m pip install geopandas shapely pyproj` for the
//! baseline; without it the frontline side still runs.

use frontline::compare::compare;
use frontline::ingest::{expand_path, ingest_file, Format, IngestContext};
use frontline::regions::{load_reference, Reference};
use frontline::{ControlClass, Snapshot};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

fn shared() -> PathBuf {
    match std::env::var_os("FRONTLINE_SHARED") {
        Some(s) => PathBuf::from(s),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    }
}

fn main() {
    let data = shared().join("data");
    let t0 = Instant::now();
    let reference = load_reference(&Reference::WithSea, &data).expect("reference");
    let ctx = IngestContext { territory: Some(Arc::new(reference.clone())) };
    let raw_files = expand_path(&data.join("deepstate/raw")).expect("raw folder");
    // The last raw snapshot of each day, and the daily file of that day.
    let mut raw_by_date: BTreeMap<chrono::NaiveDate, PathBuf> = BTreeMap::new();
    for f in raw_files {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        if let Some(t) = frontline::ingest::deepstate_raw::taken_at_from_name(&name) {
            raw_by_date.insert(t.date_naive(), f);
        }
    }
    let pairs: Vec<(PathBuf, PathBuf)> = raw_by_date
        .iter()
        .filter_map(|(d, raw)| {
            let daily = data.join(format!("deepstate/daily/deepstatemap_data_{}.geojson", d.format("%Y%m%d")));
            daily.exists().then(|| (daily, raw.clone()))
        })
        .collect();
    println!(
        "compare: {} dates where DeepState daily and raw overlap, {} threads",
        pairs.len(),
        rayon::current_num_threads()
    );
    let load = |p: &PathBuf, f: &Format| -> Snapshot { ingest_file(p, f, &ctx).expect("ingest").snapshot };
    let snaps: Vec<(Snapshot, Snapshot)> = pairs
        .par_iter()
        .map(|(daily, raw)| (load(daily, &Format::DeepStateDaily), load(raw, &Format::DeepStateRaw)))
        .collect();
    let read = t0.elapsed();
    let rows: Vec<(String, f64, f64, f64)> = snaps
        .par_iter()
        .map(|(a, b)| {
            let (row, _) = compare(a, b, ControlClass::Occupied, &reference).expect("both occupied");
            (b.date().to_string(), row.a_km2, row.b_km2, row.symmetric_difference_km2)
        })
        .collect();
    let engine = t0.elapsed();
    println!(
        "frontline (read, repair, clip, compare): {:>8.3} s (reading and repairing the files: {:.3} s)",
        engine.as_secs_f64(),
        read.as_secs_f64()
    );
    if std::env::var_os("FRONTLINE_BENCH_SKIP_BASELINE").is_some() {
        println!("baseline skipped (FRONTLINE_BENCH_SKIP_BASELINE is set): no ratio");
        return;
    }
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/compare_baseline.py");
    let t = Instant::now();
    let out = Command::new("python3").arg(&script).arg(&data).output();
    let baseline = t.elapsed();
    match out {
        Ok(o) if o.status.success() => {
            println!("geopandas baseline                     : {:>8.3} s", baseline.as_secs_f64());
            println!("RATIO frontline vs geopandas: {:.1}x faster", baseline.as_secs_f64() / engine.as_secs_f64());
            let text = String::from_utf8_lossy(&o.stdout);
            let mut worst = [0.0f64; 3];
            let mut n = 0;
            for (line, row) in text.lines().skip(1).zip(&rows) {
                let f: Vec<&str> = line.split(',').collect();
                assert_eq!(f[0], row.0, "the two sides must cover the same dates");
                let v = |i: usize| f[i].parse::<f64>().unwrap_or(f64::NAN);
                worst[0] = worst[0].max((v(1) - row.1).abs());
                worst[1] = worst[1].max((v(2) - row.2).abs());
                worst[2] = worst[2].max((v(3) - row.3).abs());
                n += 1;
            }
            println!(
                "agreement over {n} dates (max abs difference): daily {:.3} km², raw {:.3} km², symmetric difference {:.3} km²",
                worst[0], worst[1], worst[2]
            );
        }
        Ok(o) => println!(
            "geopandas baseline failed ({}); install it with: python3 -m pip install geopandas shapely pyproj\n{}",
            o.status,
            String::from_utf8_lossy(&o.stderr).lines().last().unwrap_or_default()
        ),
        Err(e) => println!("could not run python3: {e}"),
    }
}
