//! Frontline + per-sector change for every DeepState daily snapshot, timed,
//! beside a shapely baseline doing the same extraction (benches/front_baseline.py).
//!
//! Run: cargo bench -p frontline --bench front
//! (data from $FRONTLINE_SHARED/data, else ../shared/data from the repo root)

use frontline::front::{front_change_with, FrontExtractor, FrontOptions, Sectors};
use frontline::ingest::{expand_path, ingest_file, Format, IngestContext};
use frontline::regions::{load_reference, Reference};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn data_dir() -> PathBuf {
    match std::env::var_os("FRONTLINE_SHARED") {
        Some(s) => PathBuf::from(s).join("data"),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    }
}

/// CPU seconds (user + system) this process has used so far, from
/// /proc/self/stat (Linux; clock ticks of 1/100 s), or None elsewhere.
fn cpu_s() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn main() {
    let data = data_dir();
    let t = Instant::now();
    let reference = load_reference(&Reference::WithSea, &data).expect("reference");
    let land = load_reference(&Reference::Land, &data).expect("land");
    let files = expand_path(&data.join("deepstate/daily")).expect("daily files");
    let snaps: Vec<_> = files
        .par_iter()
        .map(|f| ingest_file(f, &Format::DeepStateDaily, &IngestContext::default()).expect("ingest").snapshot)
        .collect();
    let sectors = Sectors::default_towns();
    println!("setup (reference, land, {} snapshots ingested): {:.2} s", snaps.len(), t.elapsed().as_secs_f64());

    let cpu0 = cpu_s();
    let t = Instant::now();
    let ex = FrontExtractor::new(&reference, Some(&land), FrontOptions::default()).expect("extractor");
    let index_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let fronts: Vec<_> = snaps.par_iter().map(|s| ex.frontline(s)).collect();
    let front_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let changes: Vec<_> = (1..snaps.len())
        .into_par_iter()
        .map(|i| {
            front_change_with(&ex, &sectors, &snaps[i - 1], &fronts[i - 1], &snaps[i], &fronts[i]).expect("change")
        })
        .collect();
    let change_s = t.elapsed().as_secs_f64();
    let engine_s = index_s + front_s + change_s;
    let engine_cpu_s = cpu_s().zip(cpu0).map(|(b, a)| b - a);
    println!(
        "engine: index {index_s:.3} s + {} frontlines {front_s:.3} s + {} per-sector changes {change_s:.3} s = {engine_s:.3} s ({} threads)",
        fronts.len(),
        changes.len(),
        rayon::current_num_threads()
    );
    if let Some(cpu) = engine_cpu_s {
        println!("engine CPU time (all threads): {cpu:.2} s");
    }
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("load average during the run: {}", load.trim());
    }
    for f in fronts.iter().step_by(96) {
        println!("  {} front {:.1} km", f.date, f.length_km);
    }
    let gained: f64 = changes.iter().map(|c| c.gained_km2).sum();
    println!("  sum of daily gains {gained:.0} km2");

    // The baseline: shapely/GEOS, the same extraction (boundary of the
    // clipped occupied layer minus 500 m buffers of the border and coast, in
    // a metric projection), on a subsample, extrapolated to all files.
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/front_baseline.py");
    let stride = 16;
    let out = Command::new("python3").arg(&script).arg(&data).arg(stride.to_string()).output();
    match out {
        Ok(o) if o.status.success() => {
            let text = String::from_utf8_lossy(&o.stdout);
            print!("{text}");
            let per_file_s: Option<f64> =
                text.lines().find_map(|l| l.strip_prefix("per_file_s ")).and_then(|v| v.trim().parse().ok());
            if let Some(per_file_s) = per_file_s {
                let baseline_s = per_file_s * snaps.len() as f64;
                println!(
                    "baseline (shapely, frontline only, 1 thread, every {stride}th file, extrapolated to {}): {baseline_s:.1} s",
                    snaps.len()
                );
                println!("ratio baseline / engine: {:.1}x", baseline_s / engine_s);
            }
        }
        Ok(o) => println!("baseline failed: {}", String::from_utf8_lossy(&o.stderr)),
        Err(e) => println!("baseline not run (python3: {e})"),
    }
}
