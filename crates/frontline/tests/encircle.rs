//! The Pokrovsk corridor on DeepState's daily maps, June 2025 to January 2026.
#![allow(clippy::unwrap_used)] // tests may unwrap

use chrono::NaiveDate;
use frontline::encircle::{CorridorFrame, CorridorParams, CorridorState};
use frontline::ingest::{deepstate_daily, ingest_file, Format, IngestContext};
use frontline::regions::{load_reference, Reference};
use frontline::Snapshot;
use geo::coord;
use rayon::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;

fn data_dir() -> PathBuf {
    match std::env::var_os("FRONTLINE_SHARED") {
        Some(s) => PathBuf::from(s).join("data"),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    }
}

#[test]
fn pokrovsk_corridor_narrows_from_summer_2025_to_winter() {
    let data = data_dir();
    let reference = load_reference(&Reference::WithSea, &data).unwrap();
    let ctx = IngestContext { territory: Some(Arc::new(reference.clone())) };
    let (from, to) = (NaiveDate::from_ymd_opt(2025, 6, 1).unwrap(), NaiveDate::from_ymd_opt(2026, 1, 31).unwrap());
    // One file a week keeps the test short; the bench runs every day.
    let mut files: Vec<(NaiveDate, PathBuf)> = std::fs::read_dir(data.join("deepstate/daily"))
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            let d = deepstate_daily::date_from_name(p.file_name()?.to_str()?)?;
            (d >= from && d <= to).then_some((d, p))
        })
        .collect();
    files.sort();
    let weekly: Vec<&(NaiveDate, PathBuf)> = files.iter().filter(|(d, _)| (*d - from).num_days() % 7 == 0).collect();
    assert!(weekly.len() >= 30, "{} weekly files", weekly.len());
    let snapshots: Vec<Snapshot> =
        weekly.par_iter().map(|(_, p)| ingest_file(p, &Format::DeepStateDaily, &ctx).unwrap().snapshot).collect();

    // Pokrovsk as the brief gives it; GeoNames (cities500, id 704422) has
    // 48.28198 N, 37.17585 E, 300 m away: well inside the 5 km seed disc.
    let pokrovsk = coord! {x: 37.1800, y: 48.2830};
    let geonames = coord! {x: 37.17585, y: 48.28198};
    assert!(frontline::geodesy::distance_m(pokrovsk, geonames) < 500.0);

    let frame = CorridorFrame::new(&reference, pokrovsk, CorridorParams::default()).unwrap();
    let series = frame.series(&snapshots);
    let mut summer = vec![];
    let mut winter = vec![];
    for p in &series {
        let c = &p.corridor;
        println!(
            "{} {:>10} width {:>8.0} m  neck {:?}  gap {:?}{}",
            p.date,
            format!("{:?}", c.state),
            c.width_m.unwrap_or(f64::NAN),
            c.neck.map(|n| [(n[0] * 1e4).round() / 1e4, (n[1] * 1e4).round() / 1e4]),
            c.pincer.and_then(|q| q.gap_m).map(|g| g.round()),
            if p.reused { " (reused)" } else { "" }
        );
        assert_ne!(c.state, CorridorState::BeyondWindow, "{}", p.date);
        let w = c.width_m.unwrap();
        match p.date.format("%m").to_string().as_str() {
            "06" | "07" => summer.push(w),
            "11" | "12" | "01" => winter.push(w),
            _ => {}
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (ms, mw) = (mean(&summer), mean(&winter));
    println!("mean width Jun-Jul {ms:.0} m, Nov-Jan {mw:.0} m");
    assert!(ms > mw, "summer {ms} vs winter {mw}");
    // In summer 2025 Pokrovsk was half-encircled but not closed: a way out
    // several km to a few tens of km wide.
    assert!(summer.iter().all(|&w| (3_000.0..=40_000.0).contains(&w)), "{summer:?}");
}

#[test]
fn drawing_noise_is_counted_not_listed_as_pockets() {
    use frontline::encircle::{pockets, SLIVER_MAX_KM2};
    use frontline::places::{Gazetteer, GazetteerSources};
    let data = data_dir();
    let reference = load_reference(&Reference::WithSea, &data).unwrap();
    let snap = ingest_file(
        &data.join("deepstate/daily/deepstatemap_data_20260101.geojson"),
        &Format::DeepStateDaily,
        &IngestContext::default(),
    )
    .unwrap()
    .snapshot;
    let mut parts = pockets(&reference, &[snap.layer(frontline::ControlClass::Occupied).unwrap()]);
    // shapely + pyproj (benches/oracles/pockets_2026.py): main body
    // 523,881.1 km², 501 other parts, the largest 1.706 km², 23.36 km² in all.
    assert!((parts.main_body_area_km2 - 523_881.1).abs() < 0.1, "{}", parts.main_body_area_km2);
    assert!((500..=501).contains(&parts.pockets.len()), "{}", parts.pockets.len());
    assert!((parts.pockets[0].area_km2 - 1.706).abs() < 0.001);
    let gazetteer = Gazetteer::load(&GazetteerSources::shared(&data)).unwrap().0;
    let settlements: Vec<geo::Coord<f64>> = gazetteer.places().iter().map(|p| p.point()).collect();
    let total_km2: f64 = parts.pockets.iter().map(|p| p.area_km2).sum();
    parts.set_aside_slivers(&settlements, SLIVER_MAX_KM2);
    // None of them holds a settlement and all are under 5 km²: no pocket is left.
    assert!(parts.pockets.is_empty(), "{:?}", parts.pockets.iter().map(|p| p.area_km2).collect::<Vec<_>>());
    assert!((500..=501).contains(&parts.slivers));
    assert!((parts.sliver_area_km2 - 23.36).abs() < 0.01 && (parts.sliver_area_km2 - total_km2).abs() < 1e-9);
}

#[test]
fn a_small_pocket_with_a_town_stays_a_pocket() {
    use frontline::encircle::{pockets, SLIVER_MAX_KM2};
    use frontline::regions::Territory;
    use geo::{polygon, MultiPolygon};
    // A 1° square country; hostile ground rings two small squares off
    // (0.01° ≈ 1.1 × 0.74 km ≈ 0.82 km² each at 48.5° N): one with a town
    // in it, one without.
    let country = Territory::new(
        "square",
        MultiPolygon::new(vec![
            polygon![(x: 30.0, y: 48.0), (x: 31.0, y: 48.0), (x: 31.0, y: 49.0), (x: 30.0, y: 49.0)],
        ]),
    );
    let ring = |x: f64| {
        polygon!(
            exterior: [(x: x - 0.01, y: 48.49), (x: x + 0.02, y: 48.49), (x: x + 0.02, y: 48.52), (x: x - 0.01, y: 48.52)],
            interiors: [[(x: x, y: 48.5), (x: x + 0.01, y: 48.5), (x: x + 0.01, y: 48.51), (x: x, y: 48.51)]],
        )
    };
    let hostile = MultiPolygon::new(vec![ring(30.3), ring(30.6)]);
    let mut parts = pockets(&country, &[&hostile]);
    assert_eq!(parts.pockets.len(), 2);
    parts.set_aside_slivers(&[coord! { x: 30.305, y: 48.505 }], SLIVER_MAX_KM2);
    assert_eq!(parts.pockets.len(), 1);
    assert!(parts.pockets[0].contains(coord! { x: 30.305, y: 48.505 }));
    assert_eq!(parts.slivers, 1);
    // 0.01° × 0.01° at 48.505° N: 1,112 m × 738 m ≈ 0.821 km² (hand calculation).
    assert!((parts.sliver_area_km2 - 0.821).abs() < 0.005, "{}", parts.sliver_area_km2);
}
