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
