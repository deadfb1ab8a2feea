//! The frontline on the real DeepState daily files (../shared/data).
#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use frontline::front::{front_change, FrontExtractor, FrontOptions, Frontline, Hostile, Sectors};
use frontline::geodesy::{distance_m, multiline_length_m, GeodesicAreaM2};
use frontline::ingest::{expand_path, ingest_file, Format, IngestContext};
use frontline::regions::{load_reference, Reference, Territory};
use frontline::Snapshot;
use geo::{BooleanOps, Closest, Coord, HaversineClosestPoint, Line, Point};
use rayon::prelude::*;
use rstar::{primitives::Line as RLine, RTree, AABB};
use std::path::{Path, PathBuf};

fn data_dir() -> PathBuf {
    match std::env::var_os("FRONTLINE_SHARED") {
        Some(s) => PathBuf::from(s).join("data"),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    }
}

fn daily_files() -> Vec<PathBuf> {
    expand_path(&data_dir().join("deepstate/daily")).unwrap()
}

fn load(path: &Path) -> Snapshot {
    ingest_file(path, &Format::DeepStateDaily, &IngestContext::default()).unwrap().snapshot
}

fn territories() -> (Territory, Territory) {
    let data = data_dir();
    (load_reference(&Reference::WithSea, &data).unwrap(), load_reference(&Reference::Land, &data).unwrap())
}

/// Smallest distance (m) from any vertex of `front` to the boundary of
/// `territory`, by geo's haversine closest point (a sphere: within 0.5 % of
/// the ellipsoid), over boundary segments pre-selected within 0.05°.
fn min_clearance_m(front: &Frontline, territory: &Territory) -> f64 {
    let segs: Vec<RLine<[f64; 2]>> = territory
        .geometry
        .0
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .flat_map(|r| r.lines())
        .flat_map(|l| {
            // Map edges are straight in lon/lat; a haversine closest point
            // follows great circles, 22 m off mid-way along a 33 km coastal
            // edge at 46°N. Cut edges into pieces under 1 km, where the two
            // agree to well under a millimetre.
            let n = (distance_m(l.start, l.end) / 1_000.0).ceil().max(1.0) as usize;
            (0..n).map(move |k| {
                let a = l.start + (l.end - l.start) * (k as f64 / n as f64);
                let b = l.start + (l.end - l.start) * ((k + 1) as f64 / n as f64);
                RLine::new([a.x, a.y], [b.x, b.y])
            })
        })
        .collect();
    let tree = RTree::bulk_load(segs);
    let mut min_m = f64::INFINITY;
    for c in front.lines.0.iter().flat_map(|l| l.0.iter()) {
        let env = AABB::from_corners([c.x - 0.05, c.y - 0.05], [c.x + 0.05, c.y + 0.05]);
        for s in tree.locate_in_envelope_intersecting(&env) {
            let line = Line::new(Coord { x: s.from[0], y: s.from[1] }, Coord { x: s.to[0], y: s.to[1] });
            let q = match line.haversine_closest_point(&Point::from(*c)) {
                Closest::Intersection(q) | Closest::SinglePoint(q) => q,
                Closest::Indeterminate => continue,
            };
            min_m = min_m.min(distance_m(*c, q.0));
        }
    }
    min_m
}

#[test]
fn daily_front_length_is_plausible_and_stable() {
    let (reference, land) = territories();
    let ex = FrontExtractor::new(&reference, Some(&land), FrontOptions::default()).unwrap();
    let files = daily_files();
    assert_eq!(files.len(), 769);
    let fronts: Vec<Frontline> = files.par_iter().map(|f| ex.frontline(&load(f))).collect();
    for f in fronts.iter().step_by(60) {
        println!("{} front {:.1} km", f.date, f.length_km);
    }
    // Measured in the engine's local plane; the same line by GeographicLib.
    for f in fronts.iter().step_by(100) {
        let geodesic_km = multiline_length_m(&f.lines) / 1e3;
        assert!((f.length_km - geodesic_km).abs() < 1e-6 * geodesic_km, "{} {geodesic_km}", f.length_km);
    }
    let mut worst = (0.0, fronts[0].date);
    for w in fronts.windows(2) {
        let (a, b) = (w[0].length_km, w[1].length_km);
        // The active front is about 1,200 km, plus the Dnipro and the
        // Sumy/Kharkiv border stretches: hundreds to low thousands of km.
        assert!((800.0..3_000.0).contains(&b), "{} {b} km", w[1].date);
        let jump = (b - a).abs() / a;
        if jump > worst.0 {
            worst = (jump, w[1].date);
        }
    }
    println!("largest day-to-day change {:.2} % on {}", 100.0 * worst.0, worst.1);
    assert!(worst.0 < 0.05, "front length jumps {:.1} % on {}", 100.0 * worst.0, worst.1);

    // No vertex within the tolerance of the border, the sea limit or the
    // coast (independent check: haversine closest points, 0.5 % slack for
    // the sphere).
    for f in fronts.iter().step_by(150) {
        let border_m = min_clearance_m(f, &reference);
        let coast_m = min_clearance_m(f, &land);
        println!("{}: nearest vertex to the border {border_m:.1} m, to the coast {coast_m:.1} m", f.date);
        assert!(border_m >= 499.5, "{} {border_m}", f.date);
        assert!(coast_m >= 499.5, "{} {coast_m}", f.date);
    }
}

/// The last daily file at or before a date.
fn at_or_before(files: &[PathBuf], date: NaiveDate) -> PathBuf {
    files
        .iter()
        .rfind(|f| {
            let name = f.file_name().unwrap().to_str().unwrap();
            frontline::ingest::deepstate_daily::date_from_name(name).unwrap() <= date
        })
        .unwrap()
        .clone()
}

#[test]
fn monthly_sector_shares_2025_sum_to_the_gain() {
    let (reference, land) = territories();
    let ex = FrontExtractor::new(&reference, Some(&land), FrontOptions::default()).unwrap();
    let sectors = Sectors::default_towns();
    let files = daily_files();
    let bounds: Vec<NaiveDate> = (1..=13)
        .map(|m| {
            if m == 13 {
                NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
            } else {
                NaiveDate::from_ymd_opt(2025, m, 1).unwrap()
            }
        })
        .collect();
    let snaps: Vec<Snapshot> = bounds.par_iter().map(|d| load(&at_or_before(&files, *d))).collect();
    let changes: Vec<_> = (1..snaps.len())
        .into_par_iter()
        .map(|i| front_change(&ex, &sectors, &snaps[i - 1], &snaps[i]).unwrap())
        .collect();
    let mut net_year_km2 = 0.0;
    for (i, c) in changes.iter().enumerate() {
        let shares: f64 = c.sectors.iter().map(|s| s.gained_share_pct).sum();
        assert!((shares - 100.0).abs() < 1e-9, "{}: {shares}", c.date_b);
        let sector_gain: f64 = c.sectors.iter().map(|s| s.gained_km2).sum();
        assert!((sector_gain - c.gained_km2).abs() < 1e-9 * c.gained_km2);
        // The total gain, independently: the full overlay with the whole
        // reference (Territory::clip), not the engine's tiled clip.
        let (ha, hb) = (Hostile::Occupied.of(&snaps[i]), Hostile::Occupied.of(&snaps[i + 1]));
        let full_km2 = reference.clip(&hb.difference(&ha)).geodesic_area_km2();
        assert!((c.gained_km2 - full_km2).abs() < 1e-6 * full_km2, "{}: {} vs {full_km2}", c.date_b, c.gained_km2);
        net_year_km2 += c.net_km2;
        let mut top: Vec<_> = c.sectors.iter().filter(|s| s.gained_km2 > 0.0).collect();
        top.sort_by(|a, b| b.gained_km2.total_cmp(&a.gained_km2));
        let line: Vec<String> =
            top.iter().take(4).map(|s| format!("{} {:.0} %", s.sector, s.gained_share_pct)).collect();
        let adv = c.advance.as_ref().unwrap();
        println!(
            "{}..{}: gained {:.0} km2, lost {:.0}, front {:.0} km, advance mean {:.2} km max {:.1} km; {}",
            c.date_a,
            c.date_b,
            c.gained_km2,
            c.lost_km2,
            c.front_b_km,
            adv.mean_km,
            adv.max_km,
            line.join(", ")
        );
    }
    // DeepState's published 2025 gain: 4,336 km². The monthly nets add up
    // to the change of occupied area within the reference over the year.
    let area = |s: &Snapshot| reference.clip(&s.class_or_empty(frontline::ControlClass::Occupied)).geodesic_area_km2();
    let year_km2 = area(&snaps[12]) - area(&snaps[0]);
    println!("2025 net gain: {net_year_km2:.0} km2 (area difference {year_km2:.0} km2; DeepState 4,336)");
    assert!((net_year_km2 - year_km2).abs() < 1.0, "{net_year_km2} {year_km2}");
    assert!((net_year_km2 - 4_336.0).abs() < 0.03 * 4_336.0, "{net_year_km2}");
}

#[test]
fn coast_is_what_separates_the_front_from_the_sea() {
    // With the with-sea reference alone, the shore of occupied land (12
    // nautical miles inside the sea limit) counts as front; the land outline
    // removes it. Both lengths for 2026-01-01, and the land-only reference
    // must agree with (with-sea + land coast) on the front.
    let (reference, land) = territories();
    let snap = load(&daily_files().into_iter().find(|f| f.ends_with("deepstatemap_data_20260101.geojson")).unwrap());
    let sea_only = FrontExtractor::new(&reference, None, FrontOptions::default()).unwrap().frontline(&snap);
    let with_coast = FrontExtractor::new(&reference, Some(&land), FrontOptions::default()).unwrap().frontline(&snap);
    let land_ref = FrontExtractor::new(&land, None, FrontOptions::default()).unwrap().frontline(&snap);
    println!(
        "2026-01-01: sea-only {:.0} km, with coast {:.0} km, land reference {:.0} km",
        sea_only.length_km, with_coast.length_km, land_ref.length_km
    );
    assert!(sea_only.length_km > with_coast.length_km + 500.0);
    // benches/oracles/front_coast_band.py (GEOS buffers): 3,410.06 km and 1,720.79 km.
    assert!((sea_only.length_km - 3_410.06).abs() < 0.005 * 3_410.06);
    assert!((with_coast.length_km - 1_720.79).abs() < 0.005 * 1_720.79);
    // The land reference removes the coast too. (It keeps more than
    // with-sea + coast: where OSM's land border and geoBoundaries' border
    // are more than 500 m apart, DeepState's border edges survive.)
    assert!(land_ref.length_km < sea_only.length_km - 500.0);
    // DeepState's shore is coarser than OSM's: a wider coast band removes
    // the shore pieces that stray more than 500 m inland (the shapely
    // oracle benches/oracles/front_coast_band.py gives 1,221.8 km at 3 km).
    let coast_3km = FrontOptions { coast_tolerance_m: 3_000.0, ..FrontOptions::default() };
    let wide = FrontExtractor::new(&reference, Some(&land), coast_3km).unwrap().frontline(&snap);
    println!("2026-01-01 with a 3 km coast band: {:.1} km", wide.length_km);
    assert!((wide.length_km - 1_221.8).abs() < 0.01 * 1_221.8, "{}", wide.length_km);
}

#[test]
fn front_does_not_depend_on_where_rings_start() {
    // The same map with every ring started at another vertex is the same
    // map: its front must measure the same.
    let (sea, land) = territories();
    let snap = load(&data_dir().join("deepstate/daily/deepstatemap_data_20260101.geojson"));
    let rotate = |s: &Snapshot, k: usize| -> Snapshot {
        let mut s = s.clone();
        for layer in &mut s.layers {
            let ring = |l: &geo::LineString<f64>| {
                let n = l.0.len() - 1;
                let mut v: Vec<Coord<f64>> = (0..n).map(|i| l.0[(i + k) % n]).collect();
                v.push(v[0]);
                geo::LineString::new(v)
            };
            layer.geometry = geo::MultiPolygon::new(
                layer
                    .geometry
                    .0
                    .iter()
                    .map(|p| geo::Polygon::new(ring(p.exterior()), p.interiors().iter().map(ring).collect()))
                    .collect(),
            );
        }
        s
    };
    let lengths: Vec<f64> = [0usize, 1, 5, 17, 100, 1000]
        .iter()
        .map(|&k| {
            FrontExtractor::new(&sea, Some(&land), FrontOptions::default())
                .unwrap()
                .frontline(&rotate(&snap, k))
                .length_km
        })
        .collect();
    for l in &lengths {
        assert!((l - lengths[0]).abs() < 1e-6, "{lengths:?}");
    }
    // benches/oracles/front_coast_band.py (GEOS): 1,720.79 km.
    assert!((lengths[0] - 1_720.79).abs() < 0.005 * 1_720.79, "{}", lengths[0]);
}
