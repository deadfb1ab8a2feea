//! Ingest of DeepState's daily maps (769 files) and full maps (the raw
//! history and the archive, 603 gzipped files with every layer) against the
//! floor any tool pays: reading, gunzipping and parsing the same files. Ingest classifies, cleans, drops
//! what lies outside Ukraine (the reference territory, as the CLI does),
//! unions each class and closes seams. Prints both and the ratio, in memory
//! and as the whole job into a new store (`usecase::ingest`, as the CLI).
//!
//!     cargo bench -p frontline --bench full_ingest
//!     cargo bench -p frontline --bench full_ingest -- daily   # only the daily maps (or: full)

use frontline::geojson;
use frontline::ingest::{expand_path, ingest_bytes, Format, IngestContext};
use frontline::regions::{load_reference, Reference};
use frontline::store::Store;
use frontline::usecase::ingest::{ingest_files, IngestJob};
use rayon::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn shared() -> PathBuf {
    match std::env::var_os("FRONTLINE_SHARED") {
        Some(s) => PathBuf::from(s),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    }
}

fn time<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let t = Instant::now();
    let out = f();
    (t.elapsed(), out)
}

/// Processor time this process has used so far (user + system, every
/// thread), from /proc: on a shared machine the wall time of a parallel run
/// counts other people's work, its processor time much less so.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised name, from the state on: utime and
    // stime are the 12th and 13th, in clock ticks (100 a second on Linux).
    let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok());
    match (tick(11), tick(12)) {
        (Some(u), Some(s)) => (u + s) / 100.0,
        _ => f64::NAN,
    }
}

fn cpu_time<T>(f: impl FnOnce() -> T) -> (f64, T) {
    let c = cpu_seconds();
    let out = f();
    (cpu_seconds() - c, out)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let data = shared().join("data");
    let territory = Arc::new(load_reference(&Reference::WithSea, &data).expect("reference"));
    let ctx = IngestContext { territory: Some(territory) };
    let daily: Vec<(PathBuf, Format)> = expand_path(&data.join("deepstate/daily"))
        .expect("folder")
        .into_iter()
        .map(|p| (p, Format::DeepStateDaily))
        .collect();
    let mut full: Vec<(PathBuf, Format)> = vec![];
    for (dir, format) in [("deepstate/raw", Format::DeepStateRaw), ("deepstate/archive", Format::DeepStateArchive)] {
        full.extend(expand_path(&data.join(dir)).expect("folder").into_iter().map(|p| (p, format.clone())));
    }
    // `cargo bench` passes `--bench`; a plain word picks one of the two sets.
    let only: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    println!("full_ingest: {} threads; medians of 3 runs", rayon::current_num_threads());
    for (key, name, files) in
        [("daily", "DeepState daily maps", daily), ("full", "DeepState full maps (raw + archive)", full)]
    {
        if only.as_deref().is_none_or(|o| o == key) {
            bench(name, &files, &ctx);
        }
    }
}

fn bench(name: &str, files: &[(PathBuf, Format)], ctx: &IngestContext) {
    println!("{} {name}", files.len());
    let parse = || -> usize {
        files
            .par_iter()
            .map(|(p, _)| geojson::parse_features(p, &geojson::read_bytes(p).expect("read")).expect("parse").len())
            .sum()
    };
    let ingest = || -> usize {
        files
            .par_iter()
            .map(|(p, f)| {
                let bytes = geojson::read_bytes(p).expect("read");
                ingest_bytes(p, &bytes, f, ctx).expect("ingest").report.repairs.seams_closed
            })
            .sum()
    };
    // The whole job as `frontline ingest` runs it, into a new store each run.
    let dir = std::env::temp_dir().join(format!("frontline-bench-ingest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut run = 0;
    let mut into_store = || -> usize {
        run += 1;
        let db = dir.join(format!("run{run}.db"));
        let mut store = Store::open(&db).expect("store");
        let jobs = files.iter().map(|(p, f)| IngestJob { path: p.clone(), format: f.clone() }).collect();
        let summary = ingest_files(&mut store, jobs, ctx, &|| {}).expect("ingest");
        assert!(summary.errors.is_empty(), "{:?}", summary.errors);
        summary.files_written_total()
    };
    let _ = parse();
    let parse_t = median((0..3).map(|_| time(parse).0).collect());
    let runs: Vec<(Duration, usize)> = (0..3).map(|_| time(ingest)).collect();
    let ingest_t = median(runs.iter().map(|r| r.0).collect());
    let stored: Vec<(Duration, usize)> = (0..3).map(|_| time(&mut into_store)).collect();
    let stored_t = median(stored.iter().map(|r| r.0).collect());
    // Processor time, summed over three more runs of each.
    let parse_cpu: f64 = (0..3).map(|_| cpu_time(parse).0).sum();
    let ingest_cpu: f64 = (0..3).map(|_| cpu_time(ingest).0).sum();
    let stored_cpu: f64 = (0..3).map(|_| cpu_time(&mut into_store).0).sum();
    let _ = std::fs::remove_dir_all(&dir);
    println!("  wall time (medians of 3):");
    println!("  read+gunzip+parse        : {:>8.3} s", parse_t.as_secs_f64());
    println!(
        "  ingest (in memory)       : {:>8.3} s  ({:.2}x the read+parse floor; {} seams closed)",
        ingest_t.as_secs_f64(),
        ingest_t.as_secs_f64() / parse_t.as_secs_f64(),
        runs[0].1
    );
    println!(
        "  ingest into a new store  : {:>8.3} s  ({:.2}x the read+parse floor; {} files written)",
        stored_t.as_secs_f64(),
        stored_t.as_secs_f64() / parse_t.as_secs_f64(),
        stored[0].1
    );
    println!("  processor time (3 runs each, every thread):");
    println!("  read+gunzip+parse        : {parse_cpu:>8.2} s");
    println!("  ingest (in memory)       : {ingest_cpu:>8.2} s  ({:.2}x)", ingest_cpu / parse_cpu);
    println!("  ingest into a new store  : {stored_cpu:>8.2} s  ({:.2}x)", stored_cpu / parse_cpu);
}
