//! DeepState's full map as one series: the raw history (to 2025-08-03) and
//! the archive of daily downloads (2025-06-29 to 2026-08-22), on the real
//! files in ../shared/data; seams between layers of one class; the front
//! measured on the full map against the daily export.
#![allow(clippy::unwrap_used)]

mod common;

use common::shared_data;
use frontline::front::{sector_lengths, FrontExtractor, FrontOptions, Sectors, REPORTING_COAST_TOLERANCE_M};
use frontline::geodesy::GeodesicAreaM2;
use frontline::ingest::{self, expand_path, Format, IngestContext};
use frontline::regions::{load_reference, Reference, Territory};
use frontline::repair;
use frontline::{ControlClass, Snapshot};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;

fn with_sea() -> Arc<Territory> {
    Arc::new(load_reference(&Reference::WithSea, &shared_data()).unwrap())
}

fn read(path: &str, format: Format, territory: &Arc<Territory>) -> ingest::FileIngest {
    let ctx = IngestContext { territory: Some(territory.clone()) };
    ingest::ingest_file(&shared_data().join(path), &format, &ctx).unwrap()
}

fn relative_diff(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

#[test]
fn every_archive_file_ingests_with_its_gray_zone() {
    let territory = with_sea();
    let files = expand_path(&shared_data().join("deepstate/archive")).unwrap();
    // shared/data/README.md: 348 files, 23-31 gray polygons a file.
    assert_eq!(files.len(), 348);
    let ctx = IngestContext { territory: Some(territory) };
    let reports: Vec<_> = files
        .par_iter()
        .map(|p| {
            assert_eq!(Format::detect(p), Some(Format::DeepStateArchive), "{}", p.display());
            ingest::ingest_file(p, &Format::DeepStateArchive, &ctx).unwrap_or_else(|e| panic!("{e}"))
        })
        .collect();
    let mut transnistria = 0;
    for r in &reports {
        // Kept, or dropped as lying outside Ukraine (Kursk and Belgorod regions).
        let gray = r.report.polygons.get(&ControlClass::Gray).copied().unwrap_or(0)
            + r.report
                .skipped
                .iter()
                .filter(|(k, _)| k.starts_with("gray polygon outside"))
                .map(|(_, n)| n)
                .sum::<usize>();
        assert!((23..=31).contains(&gray), "{}: {gray} gray polygons", r.path.display());
        assert!(!r.snapshot.layer(ControlClass::Gray).unwrap().0.is_empty());
        transnistria +=
            r.report.skipped.iter().filter(|(k, _)| k.contains("transnistria")).map(|(_, n)| n).sum::<usize>();
        // Nothing else is dropped: the archive has no points and no other satirical territory.
        let other: usize = r
            .report
            .skipped
            .iter()
            .filter(|(k, _)| !k.contains("transnistria") && !k.contains("outside ukraine"))
            .map(|(_, n)| n)
            .sum();
        assert_eq!(other, 0, "{}: {:?}", r.path.display(), r.report.skipped);
    }
    assert!(transnistria >= 348, "Transnistria is in every archive file: {transnistria} skipped");
    let first = reports.iter().map(|r| r.snapshot.taken_at).min().unwrap();
    let last = reports.iter().map(|r| r.snapshot.taken_at).max().unwrap();
    assert_eq!(
        (first.date_naive().to_string(), last.date_naive().to_string()),
        ("2025-06-29".into(), "2026-08-22".into())
    );
}

#[test]
fn archive_of_2025_08_04_is_raw_last_map() {
    // shared/data/README.md: "The 2025-08-04 file is geometrically identical
    // to raw's last file (1754251105, 2025-08-03) for all 22 polygon keys".
    let territory = with_sea();
    let raw = read("deepstate/raw/1754251105.geojson.gz", Format::DeepStateRaw, &territory);
    let archive =
        read("deepstate/archive/deepstate_20250804T093827Z_35751014.geojson.gz", Format::DeepStateArchive, &territory);
    for class in ControlClass::ALL {
        assert_eq!(raw.snapshot.layer(class), archive.snapshot.layer(class), "{class}");
    }
    // The gray zone within Ukraine with its territorial sea: the data
    // README's independent GeographicLib figure, 1,014 km² (979 on land).
    let land = load_reference(&Reference::Land, &shared_data()).unwrap();
    let gray = archive.snapshot.layer(ControlClass::Gray).unwrap();
    let sea_km2 = territory.clip(gray).geodesic_area_km2();
    let land_km2 = land.clip(gray).geodesic_area_km2();
    assert!(relative_diff(sea_km2, 1014.0) < 0.01, "{sea_km2}");
    assert!(relative_diff(land_km2, 979.0) < 0.01, "{land_km2}");
}

#[test]
fn seams_between_layers_close_and_move_area_by_their_own_area_only() {
    let territory = with_sea();
    let raw = read("deepstate/raw/1754251105.geojson.gz", Format::DeepStateRaw, &territory);
    let repairs = raw.report.repairs;
    // shapely's unary_union (benches/oracles/seams_raw.py, pyproj areas) of
    // this file's occupied keys has 53 holes, all under 1.3 m mean width
    // (2 × area ÷ perimeter), 0.0302 km² and 268.6 km of boundary in all;
    // its gray zone has none under 5 m and its liberated layers 5 (0.0028 km²).
    assert!((53..=58).contains(&repairs.seams_closed), "{}", repairs.seams_closed);
    let seam_km2 = repairs.seam_area_m2 / 1e6;
    assert!((0.0297..=0.0335).contains(&seam_km2), "{seam_km2}");
    let occupied = raw.snapshot.layer(ControlClass::Occupied).unwrap();
    assert!(occupied.0.iter().all(|p| p.interiors().is_empty()), "no hole is left in occupied Donbas");
    // The seams' area is the whole change: the reference area (README,
    // 114,275 km² with the seams) still holds to 0.005 %.
    let km2 = territory.clip(occupied).geodesic_area_km2();
    assert!(relative_diff(km2, 114_275.0) < 5e-5, "{km2}");
    // Closing again changes nothing.
    let mut again = repair::RepairCounts::default();
    let same = repair::close_seams(occupied.clone(), repair::SEAM_MAX_WIDTH_M, &mut again);
    assert_eq!(&same, occupied);
    assert_eq!(again.seams_closed, 0);
}

/// (full map, the daily file of the same date, the first daily download
/// after the full map). The daily export is downloaded at 03:00 UTC, the
/// raw history is stamped with DeepState's publication time (evening) and
/// the archive with a 09:30 download: the first daily file after a full map
/// holds the same map version, the same-day one may be a day older.
const PAIRS: [(&str, Format, &str, &str); 6] = [
    ("deepstate/raw/1746907425.geojson.gz", Format::DeepStateRaw, "2025-05-10", "2025-05-11"),
    ("deepstate/raw/1750017641.geojson.gz", Format::DeepStateRaw, "2025-06-15", "2025-06-16"),
    ("deepstate/raw/1753041538.geojson.gz", Format::DeepStateRaw, "2025-07-20", "2025-07-21"),
    ("deepstate/raw/1754251105.geojson.gz", Format::DeepStateRaw, "2025-08-03", "2025-08-04"),
    (
        "deepstate/archive/deepstate_20251001T092631Z_ec9db874.geojson.gz",
        Format::DeepStateArchive,
        "2025-10-01",
        "2025-10-02",
    ),
    (
        "deepstate/archive/deepstate_20260301T093643Z_3f1c822e.geojson.gz",
        Format::DeepStateArchive,
        "2026-03-01",
        "2026-03-02",
    ),
];

#[test]
fn front_on_the_full_map_matches_the_daily_export() {
    let territory = with_sea();
    let land = load_reference(&Reference::Land, &shared_data()).unwrap();
    let options = FrontOptions { coast_tolerance_m: REPORTING_COAST_TOLERANCE_M, ..FrontOptions::default() };
    let ex = FrontExtractor::new(&territory, Some(&land), options).unwrap();
    let sectors = Sectors::default_towns();
    let daily = |date: &str| -> Snapshot {
        read(
            &format!("deepstate/daily/deepstatemap_data_{}.geojson", date.replace('-', "")),
            Format::DeepStateDaily,
            &territory,
        )
        .snapshot
    };
    let results: Vec<_> = PAIRS
        .par_iter()
        .map(|(path, format, same_day, next)| {
            let full = read(path, format.clone(), &territory).snapshot;
            (
                full.date().to_string(),
                *same_day,
                ex.frontline(&full),
                ex.frontline(&daily(same_day)),
                ex.frontline(&daily(next)),
            )
        })
        .collect();
    for (date, same_day, full, same, next) in results {
        assert_eq!(date, same_day);
        // Before seams were closed the raw front was ~20 % longer on 2025-08-03
        // (1,489.9 km vs 1,226.6 km): holes along the ORDLO edge counted as front.
        let d = relative_diff(full.length_km, same.length_km);
        eprintln!(
            "{date}: full map {:.1} km, daily same day {:.1} km ({:.2} %)",
            full.length_km,
            same.length_km,
            100.0 * d
        );
        assert!(d < 0.03, "{date}: {:.1} km vs {:.1} km", full.length_km, same.length_km);
        let a: BTreeMap<String, f64> =
            sector_lengths(&full.lines, &sectors).into_iter().map(|s| (s.sector, s.length_km)).collect();
        for s in sector_lengths(&next.lines, &sectors) {
            if s.length_km.max(a[&s.sector]) > 50.0 {
                let d = relative_diff(a[&s.sector], s.length_km);
                assert!(
                    d < 0.10,
                    "{date} {}: {:.1} km vs {:.1} km on the next daily file",
                    s.sector,
                    a[&s.sector],
                    s.length_km
                );
            }
        }
    }
}

#[test]
fn the_union_with_gray_on_the_fixed_grid_equals_geos_own_union() {
    // Every overlay of the engine goes through `overlay` (one fixed grid);
    // the "with gray" area and the hostile ground of the front are
    // occupied ∪ gray. geo's BooleanOps (the same noding on a grid fitted
    // to the operands) is the oracle: the grids differ by millimetres, so
    // the areas agree to well under a hectare, and so does each clip.
    use geo::BooleanOps;
    let territory = with_sea();
    let archive =
        read("deepstate/archive/deepstate_20250804T093827Z_35751014.geojson.gz", Format::DeepStateArchive, &territory);
    let occupied = archive.snapshot.layer(ControlClass::Occupied).unwrap();
    let gray = archive.snapshot.layer(ControlClass::Gray).unwrap();
    let ours = frontline::overlay::union(occupied, gray);
    let geos = occupied.union(gray);
    let (a, b) = (ours.geodesic_area_km2(), geos.geodesic_area_km2());
    assert!((a - b).abs() < 0.001, "fixed grid {a} km², geo {b} km²");
    // And the union is more than either layer: gray lies beside occupied.
    assert!(a > occupied.geodesic_area_km2() + 500.0, "{a}");
    let (fa, fb) = (territory.clip(&ours).geodesic_area_km2(), territory.clip(&geos).geodesic_area_km2());
    assert!((fa - fb).abs() < 0.001, "{fa} vs {fb}");
    let diff_ours = frontline::overlay::difference(&territory.geometry, occupied).geodesic_area_km2();
    let diff_geo = territory.geometry.difference(occupied).geodesic_area_km2();
    assert!((diff_ours - diff_geo).abs() < 0.001, "{diff_ours} vs {diff_geo}");
}
