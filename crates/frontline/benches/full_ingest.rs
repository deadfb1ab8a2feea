//! Ingest of DeepState's full maps (the raw history and the archive, 603
//! gzipped files with every layer) against the floor any tool pays: reading,
//! gunzipping and parsing the same files. Ingest classifies, cleans, drops
//! what lies outside Ukraine (the reference territory, as the CLI does),
//! unions each class and closes seams. Prints both and the ratio.
//!
//!     cargo bench -p frontline --bench full_ingest

use frontline::ingest::{expand_path, ingest_bytes, reader, Format, IngestContext};
use frontline::regions::{load_reference, Reference};
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

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let data = shared().join("data");
    let mut files: Vec<(PathBuf, Format)> = vec![];
    for (dir, format) in [("deepstate/raw", Format::DeepStateRaw), ("deepstate/archive", Format::DeepStateArchive)] {
        files.extend(expand_path(&data.join(dir)).expect("folder").into_iter().map(|p| (p, format.clone())));
    }
    let territory = Arc::new(load_reference(&Reference::WithSea, &data).expect("reference"));
    let ctx = IngestContext { territory: Some(territory) };
    println!(
        "full_ingest: {} DeepState full maps (raw + archive), {} threads",
        files.len(),
        rayon::current_num_threads()
    );
    let parse = || -> usize {
        files
            .par_iter()
            .map(|(p, _)| reader::parse_features(p, &reader::read_bytes(p).expect("read")).expect("parse").len())
            .sum()
    };
    let ingest = || -> usize {
        files
            .par_iter()
            .map(|(p, f)| {
                let bytes = reader::read_bytes(p).expect("read");
                ingest_bytes(p, &bytes, f, &ctx).expect("ingest").report.repairs.seams_closed
            })
            .sum()
    };
    let _ = parse();
    let parse_t = median((0..3).map(|_| time(parse).0).collect());
    let runs: Vec<(Duration, usize)> = (0..3).map(|_| time(ingest)).collect();
    let ingest_t = median(runs.iter().map(|r| r.0).collect());
    println!("read+gunzip+parse   : {:>8.3} s", parse_t.as_secs_f64());
    println!(
        "ingest (in memory)  : {:>8.3} s  ({:.2}x the read+parse floor; {} seams closed)",
        ingest_t.as_secs_f64(),
        ingest_t.as_secs_f64() / parse_t.as_secs_f64(),
        runs[0].1
    );
}
