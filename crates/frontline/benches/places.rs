//! Settlement status over the whole DeepState daily history, against the
//! shapely/GEOS baseline (`benches/places_baseline.py`) run as a subprocess
//! on the same footprints.
//!
//! `cargo bench -p frontline --bench places [-- --every K]`: the baseline
//! runs on every daily file (`--every K`: every K-th, its per-snapshot time
//! extrapolated, for a quick look); frontline always computes all
//! snapshots (fractions and distances). Prints both times, the ratio, the
//! time per place, and how well the fractions agree on the snapshots both
//! computed. `RAYON_NUM_THREADS=1` holds frontline to the baseline's one
//! thread.

use frontline::ingest::{expand_path, ingest_file, Format, IngestContext};
use frontline::places::{Gazetteer, GazetteerSources, StatusTable};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

fn data_dir() -> PathBuf {
    match std::env::var_os("FRONTLINE_SHARED") {
        Some(d) => PathBuf::from(d).join("data"),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let every: usize = args
        .iter()
        .position(|a| a == "--every")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let data = data_dir();
    let daily = data.join("deepstate/daily");

    let t = Instant::now();
    let (gazetteer, report) = Gazetteer::load(&GazetteerSources::shared(&data)).expect("gazetteer");
    println!(
        "gazetteer: {} places ({} OSM places, {} joined to GeoNames, {} GeoNames-only; {} OSM outlines, {} discs of which {} cut) in {:.2} s",
        gazetteer.len(),
        report.osm_places,
        report.joined,
        report.geonames_only_added,
        report.outline_footprints,
        report.disc_footprints,
        report.discs_cut,
        t.elapsed().as_secs_f64()
    );
    let files = expand_path(&daily).expect("daily files");
    let t = Instant::now();
    let snapshots: Vec<_> = files
        .par_iter()
        .map(|f| ingest_file(f, &Format::DeepStateDaily, &IngestContext::default()).expect("ingest").snapshot)
        .collect();
    println!("ingest: {} daily snapshots in {:.2} s (not timed below)", snapshots.len(), t.elapsed().as_secs_f64());

    let mut best = f64::INFINITY;
    let mut table = None;
    for _ in 0..3 {
        let t = Instant::now();
        let tb = StatusTable::compute(&gazetteer, &snapshots).expect("status");
        best = best.min(t.elapsed().as_secs_f64());
        table = Some(tb);
    }
    let table = table.expect("computed");
    println!(
        "frontline: {} settlements x {} snapshots (fractions + distances) in {:.3} s (best of 3, {} threads)",
        table.place_count(),
        table.dates().len(),
        best,
        rayon::current_num_threads()
    );

    // The same footprints for the baseline.
    let dir = std::env::temp_dir().join(format!("frontline-places-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let footprints = dir.join("footprints.geojson");
    let features: Vec<serde_json::Value> = gazetteer
        .places()
        .iter()
        .map(|p| {
            let coords: Vec<Vec<Vec<[f64; 2]>>> = p
                .footprint
                .geometry
                .0
                .iter()
                .map(|poly| {
                    std::iter::once(poly.exterior())
                        .chain(poly.interiors())
                        .map(|r| r.0.iter().map(|c| [c.x, c.y]).collect())
                        .collect()
                })
                .collect();
            serde_json::json!({"type": "Feature", "properties": {"place": p.id},
                "geometry": {"type": "MultiPolygon", "coordinates": coords}})
        })
        .collect();
    std::fs::write(&footprints, serde_json::json!({"type": "FeatureCollection", "features": features}).to_string())
        .expect("write footprints");
    let out = dir.join("baseline.csv");
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../benches/places_baseline.py");
    let run = Command::new("python3")
        .arg(&script)
        .arg("--footprints")
        .arg(&footprints)
        .arg("--daily")
        .arg(&daily)
        .arg("--out")
        .arg(&out)
        .arg("--every")
        .arg(every.to_string())
        .output()
        .expect("run python3 benches/places_baseline.py");
    let stdout = String::from_utf8_lossy(&run.stdout);
    if !run.status.success() {
        eprintln!("baseline failed:\n{stdout}\n{}", String::from_utf8_lossy(&run.stderr));
        std::process::exit(1);
    }
    let field = |name: &str| -> f64 {
        stdout
            .split_whitespace()
            .find_map(|w| w.strip_prefix(&format!("{name}=")))
            .and_then(|v| v.parse().ok())
            .expect("baseline output")
    };
    let (n_base, base_s, per_snapshot_s) = (field("snapshots"), field("compute_s"), field("per_snapshot_s"));
    let extrapolated = per_snapshot_s * table.dates().len() as f64;
    println!(
        "baseline (shapely STRtree + intersection, fractions only): {n_base} snapshots (every {every}th) in {base_s:.2} s, {:.1} ms per snapshot -> {extrapolated:.1} s for all {}",
        per_snapshot_s * 1e3,
        table.dates().len()
    );
    println!("ratio: {:.0}x (baseline extrapolated / frontline)", extrapolated / best);
    let cells = (table.place_count() * table.dates().len()) as f64;
    println!(
        "per place: frontline {:.2} ms for its whole history ({:.0} ns per settlement x snapshot); baseline {:.2} ms",
        best / table.place_count() as f64 * 1e3,
        best / cells * 1e9,
        extrapolated / table.place_count() as f64 * 1e3
    );
    let (occ, gray, dist) = table.run_counts();
    println!(
        "stored table: {} cells per column kept as runs: occupied {occ}, gray {}, distance {dist}",
        cells,
        gray.map_or("-".to_string(), |g| g.to_string())
    );

    // Agreement on the snapshots both computed.
    let index: HashMap<String, usize> = table.dates().iter().enumerate().map(|(i, d)| (d.to_string(), i)).collect();
    let text = std::fs::read_to_string(&out).expect("baseline csv");
    let mut base: HashMap<(usize, usize), f64> = HashMap::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if let (Some(&s), Ok(p), Ok(v)) = (index.get(f[0]), f[1].parse::<usize>(), f[2].parse::<f64>()) {
            base.insert((p, s), v);
        }
    }
    let sampled: Vec<usize> = (0..table.dates().len()).step_by(every).collect();
    let (mut max_diff, mut sum_diff, mut n, mut over_1pct) = (0.0_f64, 0.0, 0usize, 0usize);
    let mut worst = (0, 0);
    for &s in &sampled {
        for p in 0..table.place_count() {
            let mine = table.occupied_fraction(p, s);
            let theirs = base.get(&(p, s)).copied().unwrap_or(0.0);
            if mine == 0.0 && theirs == 0.0 {
                continue;
            }
            let d = (mine - theirs).abs();
            n += 1;
            sum_diff += d;
            if d > 0.01 {
                over_1pct += 1;
            }
            if d > max_diff {
                max_diff = d;
                worst = (p, s);
            }
        }
    }
    println!(
        "agreement: {n} non-zero (settlement, snapshot) fractions on {} snapshots; mean |diff| {:.2e}, max {:.2e} ({} on {}), {} differ by > 0.01",
        sampled.len(),
        sum_diff / n.max(1) as f64,
        max_diff,
        gazetteer.places()[worst.0].name,
        table.dates()[worst.1],
        over_1pct
    );
    let _ = std::fs::remove_dir_all(&dir);
}
