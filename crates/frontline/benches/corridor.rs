//! The corridor of one agglomeration (Pokrovsk + Myrnohrad, the union of
//! their footprints) over a source's whole history, occupied only and with
//! the gray zone counted hostile: frontline's series against the Python
//! baseline (benches/corridor_baseline.py: pyproj, shapely, scipy) doing the
//! same job, in one invocation.
//!
//! `CORRIDOR_DB=/path/store.db cargo bench -p frontline --bench corridor`
//! reads the composite `deepstate` source (daily maps, raw history and the
//! archive: the gray zone through 2026) from that store. Without it the
//! DeepState daily files are ingested (no gray layer: the gray run is
//! skipped). The baseline takes about half a second a date, so by default it
//! runs on every 8th date and its per-date time is extrapolated to the whole
//! history (CORRIDOR_BASELINE_EVERY=1 runs it on all of them, 0 not at all).

use frontline::encircle::{hostile_layers, CorridorFrame, CorridorParams, CorridorPoint};
use frontline::ingest::{expand_path, ingest_file, Format, IngestContext};
use frontline::places::{stored, GazetteerSources, Resolution};
use frontline::regions::{load_reference, Reference};
use frontline::store::Store;
use frontline::{ControlClass, Snapshot, SourceId};
use geo::{BooleanOps, Coord, MultiPolygon, Rect};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::io::Write;
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
    let db = std::env::var_os("CORRIDOR_DB").map(PathBuf::from);

    let t = Instant::now();
    let reference = load_reference(&Reference::WithSea, &data).expect("reference territory");
    let sources = GazetteerSources::shared(&data);
    let (snapshots, gazetteer, what): (Vec<Snapshot>, _, String) = match &db {
        Some(db) => {
            let store = Store::open_read_only(db).expect("open CORRIDOR_DB");
            let snaps = store.load_range(&SourceId::new("deepstate"), None, None).expect("deepstate snapshots");
            let g = stored::gazetteer(&store, &sources, false).expect("gazetteer");
            (snaps, g, format!("deepstate (daily + raw + archive) from {}", db.display()))
        }
        None => {
            let ctx = IngestContext { territory: Some(Arc::new(reference.clone())) };
            let files = expand_path(&data.join("deepstate/daily")).expect("daily files");
            let snaps = files
                .par_iter()
                .map(|p| ingest_file(p, &Format::DeepStateDaily, &ctx).expect("daily file").snapshot)
                .collect();
            let g = frontline::places::Gazetteer::load(&sources).expect("gazetteer").0;
            (snaps, g, "deepstate-daily files (no gray layer)".into())
        }
    };
    let mut parts = vec![];
    for name in ["Pokrovsk", "Myrnohrad"] {
        let Resolution::Found { place, .. } = gazetteer.resolve(name) else { panic!("{name} not resolved") };
        let p = gazetteer.place(place.place).expect("place");
        parts.extend(p.footprint.geometry.0.iter().cloned());
    }
    let area = frontline::overlay::union_nonzero(&parts);
    let load_s = t.elapsed().as_secs_f64();
    let n = snapshots.len();
    println!(
        "{n} snapshots of {what}, {} to {}; loaded in {load_s:.1} s",
        snapshots.first().map(|s| s.date().to_string()).unwrap_or_default(),
        snapshots.last().map(|s| s.date().to_string()).unwrap_or_default()
    );

    let gray_dates: Vec<bool> = snapshots.iter().map(|s| s.layer(ControlClass::Gray).is_some()).collect();
    let mut runs: Vec<(bool, Vec<CorridorPoint>, f64, f64)> = vec![];
    for with_gray in [false, true] {
        if with_gray && !gray_dates.iter().any(|&g| g) {
            println!("no gray layer in this history: the gray run is skipped (set CORRIDOR_DB)");
            continue;
        }
        let cpu0 = process_cpu_s();
        let t = Instant::now();
        let params = CorridorParams { with_gray, ..CorridorParams::default() };
        let frame = CorridorFrame::for_area(&reference, &area, params).expect("corridor frame");
        let series = frame.series(&snapshots);
        let (wall, cpu) = (t.elapsed().as_secs_f64(), process_cpu_s() - cpu0);
        println!(
            "frontline, {}: {n} dates in {wall:.2} s wall, {cpu:.2} s CPU on {} threads ({:.1} ms CPU a date, \
             {} dates reused unchanged geometry)",
            if with_gray { "gray counted hostile" } else { "occupied only" },
            rayon::current_num_threads(),
            1e3 * cpu / n as f64,
            series.iter().filter(|p| p.reused).count()
        );
        runs.push((with_gray, series, wall, cpu));
    }
    if every == 0 {
        return; // CORRIDOR_BASELINE_EVERY=0: the engine alone (for profiling)
    }

    // The baseline's input: the besieged area and, for every `every`-th
    // date, the hostile layers cut to a box around it that holds the window
    // and its margin (85 km) with room to spare.
    let c = geo::Centroid::centroid(&area).expect("area centroid").0;
    let rect = Rect::new(Coord { x: c.x - 1.6, y: c.y - 1.1 }, Coord { x: c.x + 1.6, y: c.y + 1.1 }).to_polygon();
    let cut = |mp: &MultiPolygon<f64>| mp.intersection(&MultiPolygon::new(vec![rect.clone()]));
    let picked: Vec<usize> = (0..n).step_by(every).collect();
    let lines: Vec<String> = picked
        .par_iter()
        .map(|&i| {
            let s = &snapshots[i];
            let occ: Vec<MultiPolygon<f64>> = hostile_layers(s, false).into_iter().map(cut).collect();
            let gray: Option<MultiPolygon<f64>> = s.layer(ControlClass::Gray).map(cut);
            serde_json::json!({"date": s.date(), "occupied": occ.iter().map(geojson).collect::<Vec<_>>(),
                               "gray": gray.as_ref().map(geojson)})
            .to_string()
        })
        .collect();
    let input = std::env::temp_dir().join(format!("corridor_baseline_{}.jsonl", std::process::id()));
    {
        let mut f = std::fs::File::create(&input).expect("baseline input file");
        writeln!(f, "{}", serde_json::json!({"area": geojson(&area), "centre": [c.x, c.y]})).expect("write");
        for l in &lines {
            writeln!(f, "{l}").expect("write");
        }
    }
    let t = Instant::now();
    let out = Command::new("python3")
        .arg(repo.join("benches/corridor_baseline.py"))
        .arg("--data")
        .arg(&data)
        .arg("--input")
        .arg(&input)
        .output()
        .expect("run python3 benches/corridor_baseline.py");
    let baseline_wall_s = t.elapsed().as_secs_f64();
    let _ = std::fs::remove_file(&input);
    if !out.status.success() {
        eprintln!("baseline failed:\n{}", String::from_utf8_lossy(&out.stderr));
        std::process::exit(1);
    }
    let base: serde_json::Value = serde_json::from_slice(&out.stdout).expect("baseline JSON");
    println!("baseline (python: pyproj + shapely + scipy), every {every}th date, wall {baseline_wall_s:.1} s in all");
    for (with_gray, series, wall, cpu) in &runs {
        let key = if *with_gray { "with_gray" } else { "occupied" };
        let b = &base[key];
        let per_date_s = b["per_date_s"].as_f64().unwrap_or(f64::NAN);
        let per_date_cpu_s = b["per_date_cpu_s"].as_f64().unwrap_or(f64::NAN);
        let n_base = b["n"].as_u64().unwrap_or(0);
        println!(
            "  {key}: {n_base} dates, {per_date_s:.3} s a date -> {:.0} s for all {n}; speed-up {:.0}x wall \
             (baseline one thread), {:.0}x CPU",
            per_date_s * n as f64,
            per_date_s * n as f64 / wall,
            per_date_cpu_s * n as f64 / cpu
        );
        let engine: BTreeMap<String, f64> = series
            .iter()
            .map(|p| {
                let c = &p.corridor;
                let raster = c.neck_raster_clearance_m.map(|r| 2.0 * r).or(c.width_m).unwrap_or(f64::NAN);
                (p.date.to_string(), raster)
            })
            .collect();
        let dates = b["dates"].as_array().cloned().unwrap_or_default();
        let widths = b["width_m"].as_array().cloned().unwrap_or_default();
        let diffs: Vec<f64> = dates
            .iter()
            .zip(&widths)
            .filter_map(|(d, w)| Some((engine.get(d.as_str()?)? - w.as_f64()?).abs()))
            .filter(|d| d.is_finite())
            .collect();
        let m = diffs.len().max(1) as f64;
        println!(
            "  {key} agreement, engine raster width vs baseline: {} dates, mean |diff| {:.0} m, max {:.0} m, \
             within 250 m (one cell) {:.0} %",
            diffs.len(),
            diffs.iter().sum::<f64>() / m,
            diffs.iter().copied().fold(0.0, f64::max),
            100.0 * diffs.iter().filter(|&&x| x <= 250.0 + 1e-6).count() as f64 / m
        );
    }
}

fn geojson(mp: &MultiPolygon<f64>) -> serde_json::Value {
    let ring = |r: &geo::LineString<f64>| r.0.iter().map(|c| [c.x, c.y]).collect::<Vec<_>>();
    serde_json::json!({"type": "MultiPolygon", "coordinates": mp.0.iter().map(|p| {
        std::iter::once(ring(p.exterior())).chain(p.interiors().iter().map(ring)).collect::<Vec<_>>()
    }).collect::<Vec<_>>()})
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
