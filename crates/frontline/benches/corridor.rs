//! Pokrovsk's corridor width over every DeepState daily file: frontline's
//! series against the Python baseline (benches/corridor_baseline.py: pyproj,
//! shapely, scipy), in one invocation.
//!
//! `cargo bench -p frontline --bench corridor`. The baseline takes about a
//! third of a second a date, so by default it runs on every 8th file and its
//! per-date time is extrapolated to the whole history (set
//! CORRIDOR_BASELINE_EVERY=1 to run it on all of them).

use frontline::encircle::{CorridorFrame, CorridorParams, CorridorState};
use frontline::ingest::{expand_path, ingest_file, Format, IngestContext};
use frontline::regions::{load_reference, Reference};
use frontline::Snapshot;
use geo::coord;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

fn main() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let data = match std::env::var_os("FRONTLINE_SHARED") {
        Some(s) => PathBuf::from(s).join("data"),
        None => repo.join("../shared/data"),
    };
    let every: usize = std::env::var("CORRIDOR_BASELINE_EVERY").ok().and_then(|s| s.parse().ok()).unwrap_or(8);

    let t = Instant::now();
    let reference = load_reference(&Reference::WithSea, &data).expect("reference territory");
    let ctx = IngestContext { territory: Some(Arc::new(reference.clone())) };
    let files = expand_path(&data.join("deepstate/daily")).expect("daily files");
    let snapshots: Vec<Snapshot> =
        files.par_iter().map(|p| ingest_file(p, &Format::DeepStateDaily, &ctx).expect("daily file").snapshot).collect();
    let ingest_s = t.elapsed().as_secs_f64();

    let pokrovsk = coord! {x: 37.1800, y: 48.2830};
    let cpu0 = process_cpu_s();
    let t = Instant::now();
    let frame = CorridorFrame::new(&reference, pokrovsk, CorridorParams::default()).expect("corridor frame");
    let series = frame.series(&snapshots);
    let engine_s = t.elapsed().as_secs_f64();
    let engine_cpu_s = process_cpu_s() - cpu0;
    let reused = series.iter().filter(|p| p.reused).count();

    println!(
        "frontline: {} daily files, ingest {:.2} s, corridor series {:.3} s wall, {:.3} s CPU on {} threads \
         ({:.2} ms CPU a date, {} dates reused unchanged geometry)",
        series.len(),
        ingest_s,
        engine_s,
        engine_cpu_s,
        rayon::current_num_threads(),
        1e3 * engine_cpu_s / series.len() as f64,
        reused
    );

    if every == 0 {
        return; // CORRIDOR_BASELINE_EVERY=0: the engine alone (for profiling)
    }
    let t = Instant::now();
    let out = Command::new("python3")
        .arg(repo.join("benches/corridor_baseline.py"))
        .arg("--data")
        .arg(&data)
        .arg("--every")
        .arg(every.to_string())
        .output()
        .expect("run python3 benches/corridor_baseline.py");
    let baseline_wall_s = t.elapsed().as_secs_f64();
    if !out.status.success() {
        eprintln!("baseline failed:\n{}", String::from_utf8_lossy(&out.stderr));
        std::process::exit(1);
    }
    let base: serde_json::Value = serde_json::from_slice(&out.stdout).expect("baseline JSON");
    let n_base = base["n"].as_u64().unwrap_or(0) as usize;
    let per_date_s = base["per_date_s"].as_f64().unwrap_or(f64::NAN);
    let per_date_cpu_s = base["per_date_cpu_s"].as_f64().unwrap_or(f64::NAN);
    let setup_s = base["setup_s"].as_f64().unwrap_or(f64::NAN);
    let extrapolated_s = per_date_s * series.len() as f64;
    println!(
        "baseline (python: pyproj + shapely + scipy): {n_base} of {} files (every {every}th), \
         {:.3} s a date -> {:.1} s extrapolated to all {} (setup and file reading {:.1} s, wall {:.1} s)",
        series.len(),
        per_date_s,
        extrapolated_s,
        series.len(),
        setup_s,
        baseline_wall_s
    );
    println!(
        "speed-up over the whole history: {:.0}x wall (baseline single-threaded, frontline on all cores), \
         {:.0}x CPU time (baseline {:.3} s CPU a date)",
        extrapolated_s / engine_s,
        per_date_cpu_s * series.len() as f64 / engine_cpu_s,
        per_date_cpu_s
    );

    // Agreement on the dates both computed.
    let engine: BTreeMap<String, (Option<f64>, f64, CorridorState)> = series
        .iter()
        .map(|p| {
            let c = &p.corridor;
            let raster = c.neck_raster_clearance_m.map(|r| 2.0 * r).or(c.width_m).unwrap_or(f64::NAN);
            (p.date.to_string(), (c.width_m, raster, c.state))
        })
        .collect();
    let dates = base["dates"].as_array().cloned().unwrap_or_default();
    let widths = base["width_m"].as_array().cloned().unwrap_or_default();
    let (mut d_exact, mut d_raster) = (vec![], vec![]);
    for (d, w) in dates.iter().zip(&widths) {
        let (Some(d), Some(w)) = (d.as_str(), w.as_f64()) else {
            continue;
        };
        if let Some(&(width, raster, _)) = engine.get(d) {
            if let Some(width) = width {
                d_exact.push((width - w).abs());
            }
            d_raster.push((raster - w).abs());
        }
    }
    let summary = |v: &[f64]| {
        let n = v.len().max(1) as f64;
        format!(
            "{} dates, mean |diff| {:.0} m, max {:.0} m, within 250 m (one cell) {:.0} %, within 500 m {:.0} %",
            v.len(),
            v.iter().sum::<f64>() / n,
            v.iter().copied().fold(0.0, f64::max),
            100.0 * v.iter().filter(|&&x| x <= 250.0 + 1e-6).count() as f64 / n,
            100.0 * v.iter().filter(|&&x| x <= 500.0 + 1e-6).count() as f64 / n,
        )
    };
    println!("agreement, engine width_m (neck refined on the polygons) vs baseline: {}", summary(&d_exact));
    println!("agreement, engine raster width (2 x neck raster clearance) vs baseline: {}", summary(&d_raster));
    let mut states: BTreeMap<String, usize> = BTreeMap::new();
    for p in &series {
        *states.entry(format!("{:?}", p.corridor.state)).or_default() += 1;
    }
    println!("engine states over the history: {states:?}");
}

/// CPU time (user + system) of every thread of this process so far, seconds,
/// from /proc (Linux): the machine is shared, so wall time alone says little.
fn process_cpu_s() -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return f64::NAN;
    };
    tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .sum::<f64>()
        / 1e9
}
