//! DeepState raw snapshots (shared/data/deepstate/raw), all 255 files.

#![allow(clippy::unwrap_used)] // tests may unwrap: a failure is the report

use frontline::geodesy::GeodesicAreaM2;
use frontline::geojson;
use frontline::ingest::{self, deepstate_raw, Format, IngestContext};
use frontline::regions::{self, Reference, Territory};
use frontline::ControlClass;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

fn data_dir() -> PathBuf {
    match std::env::var_os("FRONTLINE_SHARED") {
        Some(s) => PathBuf::from(s).join("data"),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    }
}

fn raw_files() -> Vec<PathBuf> {
    let files = ingest::expand_path(&data_dir().join("deepstate/raw")).unwrap();
    assert_eq!(files.len(), 255);
    files
}

fn relative_diff(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

/// Ingests every file with no reference territory, so that nothing is
/// dropped for lying outside: what is counted then rests on the key and
/// colour rules alone.
#[test]
fn every_polygon_of_every_file_is_classified_or_skipped_and_no_satire_is_counted() {
    let files = raw_files();
    let reference = regions::load_reference(&Reference::WithSea, &data_dir()).unwrap();
    let ctx = IngestContext::default();
    let results: Vec<_> = files
        .par_iter()
        .map(|p| {
            assert_eq!(Format::detect(p), Some(Format::DeepStateRaw), "{}", p.display());
            let r = ingest::ingest_file(p, &Format::DeepStateRaw, &ctx).unwrap_or_else(|e| panic!("{e}"));
            // No occupied polygon outside Ukraine: Karelia, East Prussia,
            // the Kurils, Abkhazia, Ichkeria... lie outside this box, and
            // Transnistria (about 4,000 km², in Moldova) would lie outside the
            // reference. What may lie outside is the odd sliver of the ORDLO
            // outline drawn over the Russian border.
            let occupied = r.snapshot.layer(ControlClass::Occupied).unwrap();
            for poly in &occupied.0 {
                for c in &poly.exterior().0 {
                    assert!(
                        (22.0..=41.0).contains(&c.x) && (44.0..=53.0).contains(&c.y),
                        "{}: occupied vertex {c:?} outside Ukraine's box",
                        p.display()
                    );
                }
                if reference.lies_outside(poly) {
                    let km2 = poly.geodesic_area_km2();
                    assert!(km2 < 1.0, "{}: {km2} km² occupied outside Ukraine", p.display());
                }
            }
            r.report
        })
        .collect();

    let mut per_class: BTreeMap<ControlClass, usize> = BTreeMap::new();
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    let mut degenerate = 0;
    let mut warned_files = 0;
    let mut self_crossing = 0;
    for r in &results {
        for (c, n) in &r.polygons {
            *per_class.entry(*c).or_default() += n;
        }
        for (reason, n) in &r.skipped {
            *skipped.entry(reason.clone()).or_default() += n;
        }
        degenerate += r.repairs.degenerate_rings;
        // Self-crossing rings are named in warnings too (the non-zero rule
        // fills them); the key/colour warnings are the others.
        warned_files += usize::from(r.warnings.iter().any(|w| !w.contains("crosses or overlaps itself")));
        self_crossing += r.repairs.self_crossing_polygons;
    }
    let satirical: usize = skipped.iter().filter(|(k, _)| k.starts_with("satirical territory")).map(|(_, n)| n).sum();
    eprintln!("classes {per_class:?}\nskipped {skipped:#?}\ndegenerate rings {degenerate}\nself-crossing polygons {self_crossing}");
    assert!(
        skipped.keys().all(|k| !k.starts_with("unknown") && !k.contains("neither")),
        "a key or colour the rules do not know: {skipped:?}"
    );
    // Independent inventory (benches/oracles/deepstate_raw_inventory.py,
    // the same rules re-implemented in Python over the raw JSON):
    // occupied 3309, gray 4259, liberated 14901, satirical 2738, points/lines 76971,
    // 2 polygons whose key and colour disagree.
    assert_eq!(satirical, 2738);
    assert_eq!(skipped["point or line (not territory)"], 76971);
    // Cleaning drops nothing on this data (no degenerate ring), so the
    // classes match the inventory exactly.
    assert_eq!(degenerate, 0);
    assert_eq!(per_class[&ControlClass::Occupied], 3309);
    assert_eq!(per_class[&ControlClass::Gray], 4259);
    assert_eq!(per_class[&ControlClass::Liberated], 14901);
    // The two 2024-10 polygons keyed liberated but drawn gray: one file each.
    assert_eq!(warned_files, 2);
}

#[test]
fn last_snapshot_matches_the_independent_reference_areas() {
    let data = data_dir();
    let with_sea = Arc::new(regions::load_reference(&Reference::WithSea, &data).unwrap());
    let land = regions::load_reference(&Reference::Land, &data).unwrap();
    let ctx = IngestContext { territory: Some(with_sea.clone()) };
    let path = data.join("deepstate/raw/1754251105.geojson.gz");
    let r = ingest::ingest_file(&path, &Format::DeepStateRaw, &ctx).unwrap();
    assert_eq!(r.snapshot.taken_at.to_rfc3339(), "2025-08-03T19:58:25+00:00");
    let area = |t: &Territory, c: ControlClass| t.clip(r.snapshot.layer(c).unwrap()).geodesic_area_km2();
    let measured = [
        ("gray with sea", area(&with_sea, ControlClass::Gray), 1014.0),
        ("gray land", area(&land, ControlClass::Gray), 979.0),
        ("occupied with sea", area(&with_sea, ControlClass::Occupied), 114_275.0),
        ("occupied land", area(&land, ControlClass::Occupied), 112_518.0),
    ];
    eprintln!("{measured:?}\n{:?}", r.report);
    // Reference values: shared/data/README.md (GeographicLib, key-based classes).
    for (what, got, want) in measured {
        assert!(relative_diff(got, want) < 0.005, "{what}: {got:.1} km² vs {want} km²");
    }
    // Satirical territories are skipped by key (12 of them), not by the territory.
    let satirical: usize = r.report.skipped.iter().filter(|(k, _)| k.starts_with("satirical")).map(|(_, n)| n).sum();
    assert_eq!(satirical, 12);
}

/// 2024-03-18 is the last snapshot classified by colour, 2024-03-25 the
/// first classified by key.
#[test]
fn colour_and_key_classes_agree_across_the_switch() {
    let data = data_dir();
    let with_sea = regions::load_reference(&Reference::WithSea, &data).unwrap();
    let ctx = IngestContext::default();
    let read = |name: &str| {
        let r = ingest::ingest_file(&data.join("deepstate/raw").join(name), &Format::DeepStateRaw, &ctx).unwrap();
        let a = |c| with_sea.clip(r.snapshot.layer(c).unwrap()).geodesic_area_km2();
        (a(ControlClass::Occupied), a(ControlClass::Gray))
    };
    let (occ_colour, gray_colour) = read("1710798442.geojson.gz");
    let (occ_key, gray_key) = read("1711403010.geojson.gz");
    eprintln!("colour: {occ_colour:.1} {gray_colour:.1}; key: {occ_key:.1} {gray_key:.1}");
    assert!(relative_diff(occ_colour, occ_key) < 0.01);
    assert!(relative_diff(gray_colour, gray_key) < 0.10);
    // Shapely + pyproj on the same files (benches/oracles/deepstate_raw_inventory.py --areas):
    // 2024-03-18 occupied 108,692.6 km², gray 533.4; 2024-03-25 occupied 108,707.4, gray 535.7.
    for (got, want) in [(occ_colour, 108_692.6), (gray_colour, 533.4), (occ_key, 108_707.4), (gray_key, 535.7)] {
        assert!(relative_diff(got, want) < 0.001, "{got:.1} vs {want}");
    }
}

/// The colour rules, held to the authoritative keys: in every file that has
/// keys, the colour alone gives the key's verdict for every polygon but the
/// two drawn in the wrong colour.
#[test]
fn colour_rules_agree_with_keys_wherever_both_exist() {
    let mut disagreements = 0;
    let mut compared = 0;
    for path in raw_files() {
        let name = path.file_name().unwrap().to_str().unwrap();
        let taken_at = deepstate_raw::taken_at_from_name(name).unwrap();
        let bytes = geojson::read_bytes(&path).unwrap();
        for f in geojson::parse_features(&path, &bytes).unwrap() {
            if f.polygons.is_empty() {
                continue;
            }
            let Some(key) = f.prop_str("name").and_then(deepstate_raw::key_from_name) else {
                continue;
            };
            let by_key = deepstate_raw::classify_by_key(key);
            let by_fill = deepstate_raw::classify_by_fill(f.prop_str("fill").unwrap(), taken_at);
            compared += f.polygons.len();
            let same = match (&by_key, &by_fill) {
                (deepstate_raw::Verdict::Class(a), deepstate_raw::Verdict::Class(b)) => a == b,
                (deepstate_raw::Verdict::Skip(_), deepstate_raw::Verdict::Skip(_)) => true,
                _ => false,
            };
            if !same {
                disagreements += f.polygons.len();
            }
        }
    }
    // 151 keyed files; the inventory counts every keyed polygon.
    assert!(compared > 10_000, "{compared}");
    assert_eq!(disagreements, 2);
}
