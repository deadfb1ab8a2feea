//! The daily area series, against the pipeline an analyst runs today.
//!
//! Runs `shared/bench/area_series_geopandas.py` (geopandas + shapely +
//! pyproj) and frontline's equivalent in the same invocation, on all 769
//! DeepState daily files: read and parse each file, make it valid (union),
//! geodesic area, share of the land reference, and the area gained and lost
//! since the previous snapshot. Also times reading and parsing alone, the
//! floor any tool pays. Prints the ratios and the agreement of the figures.
//!
//!     cargo bench -p frontline --bench area_series
//!
//! Needs `python3 -m pip install geopandas==1.2.0 shapely==2.2.0 pyproj==3.7.2`
//! for the baseline; without it the frontline side still runs.

use frontline::area::class_area_series_km2;
use frontline::geodesy::GeodesicAreaM2;
use frontline::geojson;
use frontline::ingest::{expand_path, ingest_bytes, Format, IngestContext};
use frontline::overlay::gained_lost;
use frontline::regions::load_territory;
use frontline::ControlClass;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn shared() -> PathBuf {
    match std::env::var_os("FRONTLINE_SHARED") {
        Some(s) => PathBuf::from(s),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    }
}

struct Row {
    date: String,
    area_km2: f64,
    share_pct: f64,
    gained_km2: f64,
    lost_km2: f64,
}

fn frontline_series(files: &[PathBuf], region: &Path) -> Vec<Row> {
    let region = load_territory("land", region).expect("region");
    let ctx = IngestContext::default();
    let t0 = Instant::now();
    let snaps: Vec<_> = files
        .par_iter()
        .map(|f| {
            let bytes = std::fs::read(f).expect("read");
            ingest_bytes(f, &bytes, &Format::DeepStateDaily, &ctx).expect("ingest").snapshot
        })
        .collect();
    let t1 = Instant::now();
    let areas: Vec<f64> =
        class_area_series_km2(&snaps, ControlClass::Occupied).into_iter().map(|a| a.unwrap_or(0.0)).collect();
    let t2 = Instant::now();
    let changes: Vec<(f64, f64)> = snaps
        .par_windows(2)
        .map(|w| {
            let (Some(a), Some(b)) = (w[0].layer(ControlClass::Occupied), w[1].layer(ControlClass::Occupied)) else {
                return (0.0, 0.0);
            };
            let (g, l) = gained_lost(a, b);
            (g.geodesic_area_km2(), l.geodesic_area_km2())
        })
        .collect();
    if std::env::var_os("FRONTLINE_BENCH_PHASES").is_some() {
        eprintln!(
            "phases: ingest {:.3} s, area {:.3} s, gained/lost {:.3} s",
            (t1 - t0).as_secs_f64(),
            (t2 - t1).as_secs_f64(),
            t2.elapsed().as_secs_f64()
        );
    }
    snaps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (gained_km2, lost_km2) = if i == 0 { (0.0, 0.0) } else { changes[i - 1] };
            Row {
                date: s.date().to_string(),
                area_km2: areas[i],
                share_pct: 100.0 * areas[i] / region.area_km2(),
                gained_km2,
                lost_km2,
            }
        })
        .collect()
}

fn parse_only(files: &[PathBuf]) -> usize {
    files
        .par_iter()
        .map(|f| {
            let bytes = geojson::read_bytes(f).expect("read");
            geojson::parse_features(f, &bytes).expect("parse").len()
        })
        .sum()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let shared = shared();
    let daily = shared.join("data/deepstate/daily");
    let region = shared.join("data/boundaries/ukraine_land_osm.geojson");
    let files = expand_path(&daily).expect("daily folder");
    println!("area_series: {} DeepState daily files, {} threads", files.len(), rayon::current_num_threads());

    // Warm the page cache so neither side pays the first read.
    let _ = parse_only(&files);
    let parse = median((0..5).map(|_| time(|| parse_only(&files)).0).collect());
    let runs: Vec<(Duration, Vec<Row>)> = (0..5).map(|_| time(|| frontline_series(&files, &region))).collect();
    let engine = median(runs.iter().map(|r| r.0).collect());
    let rows = &runs[0].1;
    println!("read+parse only     : {:>9.3} s", parse.as_secs_f64());
    println!(
        "frontline pipeline  : {:>9.3} s  ({:.2}x the read+parse floor)",
        engine.as_secs_f64(),
        engine.as_secs_f64() / parse.as_secs_f64()
    );

    if std::env::var_os("FRONTLINE_BENCH_SKIP_BASELINE").is_some() {
        println!("baseline skipped (FRONTLINE_BENCH_SKIP_BASELINE is set): no ratio to geopandas");
        return;
    }
    let script = shared.join("bench/area_series_geopandas.py");
    let t = Instant::now();
    let out = Command::new("python3").arg(&script).arg(&daily).arg(&region).output();
    let baseline = t.elapsed();
    match out {
        Ok(o) if o.status.success() => {
            println!("geopandas baseline  : {:>9.3} s", baseline.as_secs_f64());
            println!("RATIO frontline vs geopandas: {:.1}x faster", baseline.as_secs_f64() / engine.as_secs_f64());
            compare(rows, &String::from_utf8_lossy(&o.stdout));
        }
        Ok(o) => println!(
            "geopandas baseline failed ({}); install it with: python3 -m pip install geopandas==1.2.0 shapely==2.2.0 pyproj==3.7.2\n{}",
            o.status,
            String::from_utf8_lossy(&o.stderr).lines().last().unwrap_or_default()
        ),
        Err(e) => println!("could not run python3: {e}"),
    }
}

fn time<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let t = Instant::now();
    let r = f();
    (t.elapsed(), r)
}

fn compare(rows: &[Row], csv: &str) {
    let mut worst = [0.0f64; 4];
    let mut n = 0;
    for (line, row) in csv.lines().skip(1).zip(rows) {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f[0], row.date, "the two series must cover the same dates");
        let v = |i: usize| f[i].parse::<f64>().unwrap_or(f64::NAN);
        // The baseline prints area to 0.1 km², share to 0.001 %, change to 0.01 km².
        worst[0] = worst[0].max((v(1) - row.area_km2).abs());
        worst[1] = worst[1].max((v(3) - row.share_pct).abs());
        worst[2] = worst[2].max((v(4) - row.gained_km2).abs());
        worst[3] = worst[3].max((v(5) - row.lost_km2).abs());
        n += 1;
    }
    println!(
        "agreement over {n} dates (max abs difference): area {:.3} km², share {:.4} %, gained {:.3} km², lost {:.3} km²",
        worst[0], worst[1], worst[2], worst[3]
    );
}
