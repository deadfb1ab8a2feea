//! Comparing sources, the lag between them, and the audit of a series, on
//! the real data (shared/data). Expected values come from the shapely +
//! pyproj scripts in `benches/oracles/` and from the publishers' own files.

#![allow(clippy::unwrap_used)] // tests may unwrap: a failure is the report

mod common;

use chrono::{Datelike, NaiveDate};
use frontline::audit::{audit_series, rejected_files, AuditRules, FindingKind, Witness};
use frontline::compare::{compare, nearest};
use frontline::ingest::{self, IngestContext};
use frontline::lag::find_lag;
use frontline::regions::{load_reference, Reference, Territory};
use frontline::store::Store;
use frontline::{ControlClass, Snapshot};
use rayon::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;

fn reference() -> Territory {
    load_reference(&Reference::WithSea, &common::shared_data()).unwrap()
}

fn ctx(reference: &Territory) -> IngestContext {
    IngestContext { territory: Some(Arc::new(reference.clone())) }
}

/// Every file of a folder, ingested in parallel, sorted by time, and the
/// layers of files sharing an instant merged (ISW's 2022 control and advance files).
fn ingest_folder(folder: &str, keep: impl Fn(&Snapshot) -> bool + Sync, ctx: &IngestContext) -> Vec<Snapshot> {
    let files = ingest::expand_path(&common::shared_data().join(folder)).unwrap();
    let mut snaps: Vec<Snapshot> = files
        .par_iter()
        .filter_map(|f| {
            let format = ingest::detect_or(f, None).ok()?;
            ingest::ingest_file(f, &format, ctx).ok().map(|r| r.snapshot)
        })
        .filter(|s| keep(s))
        .collect();
    snaps.sort_by_key(|s| s.taken_at);
    let mut merged: Vec<Snapshot> = vec![];
    for s in snaps {
        match merged.last_mut() {
            Some(m) if m.taken_at == s.taken_at => {
                for l in s.layers {
                    m.set_layer(l.class, l.geometry);
                }
            }
            _ => merged.push(s),
        }
    }
    merged
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn close(got: f64, want: f64, rel: f64, what: &str) {
    assert!((got - want).abs() <= rel * want.abs().max(1.0), "{what}: {got} vs {want} (tolerance {rel})");
}

#[test]
fn deepstate_raw_vs_isw_matches_shapely_on_the_five_full_precision_dates() {
    let reference = reference();
    let ctx = ctx(&reference);
    let in_2022_23 = |s: &Snapshot| s.date() >= d("2022-04-01") && s.date() <= d("2023-08-31");
    let raw = ingest_folder("deepstate/raw", in_2022_23, &ctx);
    let mut isw = ingest_folder("isw/full_2022", |_| true, &ctx);
    isw.extend(ingest_folder("isw/full_2023", |_| true, &ctx));
    let raw_dates: Vec<NaiveDate> = raw.iter().map(Snapshot::date).collect();
    // crates/frontline/benches/oracles/compare_raw_isw.py (shapely 2.2.0,
    // pyproj 3.7.2), run on 2026-11-29:
    // isw_date, raw_date, raw_km2, isw_km2, raw_only_km2, isw_only_km2, symmetric_difference_km2, raw_only_in_isw_advance_km2
    let oracle = [
        ("2022-05-01", "2022-05-02", 121261.733, 113572.061, 9454.570, 1765.151, 11219.721, 6064.739),
        ("2022-08-01", "2022-08-01", 124795.376, 119007.937, 6685.484, 897.841, 7583.324, 4898.463),
        ("2022-11-01", "2022-10-31", 113159.457, 108848.865, 4682.060, 371.488, 5053.548, 2872.874),
        ("2023-05-03", "2023-05-01", 109193.725, 106433.831, 3103.049, 343.109, 3446.159, 2078.617),
        ("2023-08-01", "2023-08-01", 108815.773, 106609.462, 2291.816, 85.248, 2377.064, 1151.096),
    ];
    for (isw_date, raw_date, raw_km2, isw_km2, raw_only, isw_only, sym, in_advance) in oracle {
        let b = isw.iter().find(|s| s.date() == d(isw_date)).unwrap();
        let a = &raw[nearest(&raw_dates, d(isw_date)).unwrap()];
        assert_eq!(a.date(), d(raw_date), "nearest raw snapshot to {isw_date}");
        let (row, _) = compare(a, b, ControlClass::Occupied, &reference).unwrap();
        let tol = 1e-3; // the brief's 0.1 %; the agreement is in fact closer to 1e-6
        close(row.a_km2, raw_km2, tol, &format!("{isw_date} raw area"));
        close(row.b_km2, isw_km2, tol, &format!("{isw_date} ISW area"));
        close(row.symmetric_difference_km2, sym, tol, &format!("{isw_date} symmetric difference"));
        close(row.a_only_km2, raw_only, tol, &format!("{isw_date} raw only"));
        close(row.b_only_km2, isw_only, tol, &format!("{isw_date} ISW only"));
        close(row.a_only_in_b_gray_km2.unwrap(), in_advance, tol, &format!("{isw_date} raw only in ISW advances"));
        // Set identities: both = A − A only = B − B only.
        // Up to the planar noding residual of the overlay (≈0.3 km² on 113,000 here).
        close(row.both_km2 + row.b_only_km2, row.b_km2, 1e-5, "both + B only = B");
    }
}

#[test]
fn the_daily_export_runs_one_day_behind_the_full_map() {
    let reference = reference();
    let ctx = ctx(&reference);
    // The overlap 2024-07-08..2025-08-03, with room for offsets up to +5 days.
    let in_overlap = |s: &Snapshot| s.date() >= d("2024-07-05") && s.date() <= d("2025-08-08");
    let daily = ingest_folder("deepstate/daily", in_overlap, &ctx);
    let raw = ingest_folder("deepstate/raw", in_overlap, &ctx);
    let lag = find_lag(&daily, &raw, ControlClass::Occupied, &reference, -3..=5).unwrap();
    // The measurement itself, against crates/frontline/benches/oracles/lag_daily_raw.py
    // (shapely 2.2.0, pyproj 3.7.2): symmetric difference (km²) between the
    // daily file dated d + k and the raw snapshot of day d, for k = 0..3.
    let oracle = [
        // (seams under 5 m closed in the raw union, as ingest does)
        ("2024-09-02", [25.256, 4.379, 16.118, 30.086]),
        ("2025-01-06", [17.404, 4.379, 16.930, 31.987]),
        ("2025-06-15", [9.011, 4.380, 12.203, 33.962]),
    ];
    for (date, values) in oracle {
        let p = lag.per_date.iter().find(|p| p.date == d(date)).unwrap();
        for (k, want) in values.iter().enumerate() {
            // Offsets start at -3: offset k is at index k + 3.
            close(p.symmetric_difference_km2[k + 3], *want, 1e-3, &format!("{date} offset {k}"));
        }
    }
    // The search: +1 day, +2 the runner-up, the sub-day vertex between them.
    assert_eq!(lag.best_offset_days, 1);
    assert_eq!(lag.second_offset_days, Some(2));
    let r = lag.refined_offset_days.unwrap();
    assert!(r > 1.0 && r < 2.0, "refined offset {r}");
    // Every date of the overlap with a partner at every offset takes part,
    // and every date votes for +1 or +2, or for 0 on the days raw was
    // published early (the votes are listed in the report).
    assert!(lag.dates_compared > 120, "{}", lag.dates_compared);
    let votes = |k: i64| lag.offsets.iter().find(|o| o.offset_days == k).unwrap().votes;
    assert_eq!(votes(0) + votes(1) + votes(2), lag.dates_compared);
    assert!(votes(1) > votes(2) && votes(2) > votes(0));
}

#[test]
fn audit_of_isw_control_flags_the_2026_redraw_and_the_misdated_files() {
    let reference = reference();
    let ctx = ctx(&reference);
    let control = ingest_folder("isw/control", |_| true, &ctx);
    let audit = audit_series(&control, ControlClass::Occupied, AuditRules::default());
    let jump = audit
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::ImplausibleJump && f.date == Some(d("2026-01-25")))
        .expect("the 2026-01-25 step is flagged");
    assert_eq!(jump.previous, Some(d("2025-12-28")));
    let row = audit.snapshots.iter().find(|r| r.date == d("2026-01-25")).unwrap();
    // The files' own `area_km2` properties sum to 113,262.10 km² on
    // 2025-12-28 and 108,486.16 km² on 2026-01-25: a net of −4,775.94 km².
    close(row.net_km2.unwrap(), -4775.94, 0.01, "net 2025-12-28 → 2026-01-25");
    assert_eq!(audit.flag_between(d("2025-12-31"), d("2026-01-31")).as_deref(), Some("implausible jump 2026-01-25"));

    // The two files dated 2202-02-0x, which ingest rejects, are found in the folder.
    let dir = std::env::temp_dir().join(format!("frontline-audit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::open(&dir.join("empty.db")).unwrap();
    let folder: PathBuf = common::shared_data().join("isw/control");
    let rejected = rejected_files(&[folder], &store, &ctx).unwrap();
    let names: Vec<String> =
        rejected.iter().map(|f| f.file.as_ref().unwrap().file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names, vec!["2202-02-02.geojson", "2202-02-03.geojson"]);
    assert!(rejected.iter().all(|f| f.kind == FindingKind::RejectedFile && f.detail.contains("2202-02-0")));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn audit_of_the_daily_export_flags_only_what_it_should() {
    let reference = reference();
    let daily = ingest_folder("deepstate/daily", |_| true, &ctx(&reference));
    let audit = audit_series(&daily, ControlClass::Occupied, AuditRules::default());
    let warnings: Vec<(NaiveDate, FindingKind)> =
        audit.findings.iter().filter(|f| f.kind.is_warning()).map(|f| (f.date.unwrap(), f.kind)).collect();
    // One warning in 769 days: on 2026-08-13 the export drops 120 km² of
    // occupied ground in Donetsk, Dnipropetrovsk and Zaporizhzhia oblasts
    // (gained 3.9, lost 119.8 km²), above the 100 km² floor and 5× the
    // series' median daily net. Not an artefact of the export: DeepState's
    // full map (deepstate/archive, 2026-08-12 → 2026-08-13, checked with
    // shapely) loses the same 119.8 km² of occupied ground, 64.6 km² of it
    // redrawn as gray zone, which the daily export (no gray layer) shows as
    // a loss. A real, unusual edit of the map: worth the flag.
    assert_eq!(warnings, vec![(d("2026-08-13"), FindingKind::ImplausibleJump)]);
    // Gaps: the days after a missing file, from the file names alone
    // (shared/data/README.md: 5 gaps of 1–2 days).
    let mut file_dates: Vec<NaiveDate> = std::fs::read_dir(common::shared_data().join("deepstate/daily"))
        .unwrap()
        .filter_map(|e| {
            let name = e.ok()?.file_name().to_string_lossy().into_owned();
            NaiveDate::parse_from_str(name.strip_prefix("deepstatemap_data_")?.strip_suffix(".geojson")?, "%Y%m%d").ok()
        })
        .collect();
    file_dates.sort();
    let expected: Vec<NaiveDate> =
        file_dates.windows(2).filter(|w| (w[1] - w[0]).num_days() > 1).map(|w| w[1]).collect();
    assert_eq!(expected.len(), 5);
    let gaps: Vec<NaiveDate> =
        audit.findings.iter().filter(|f| f.kind == FindingKind::Gap).map(|f| f.date.unwrap()).collect();
    assert_eq!(gaps, expected);
    // The daily files are full precision: no precision change anywhere.
    assert!(audit.snapshots.iter().all(|r| r.detail == "full"));
}

#[test]
fn monthly_gains_of_2025_with_the_lag_applied_match_deepstates_published_figures() {
    use frontline::area::{change, period_pairs, Period};
    use frontline::lag::shift_days;
    let reference = reference();
    let in_2025 = |s: &Snapshot| s.date() >= d("2024-12-25") && s.date() <= d("2026-01-05");
    let daily = ingest_folder("deepstate/daily", in_2025, &ctx(&reference));
    // DeepState's monthly figures for 2025, as published on its channels and
    // reported by the press (the report cites each): net km² occupied in the month.
    let published = [
        ("2025-01", 325.0), // n-pravda.in.ua, 1 Feb 2025
        ("2025-03", 133.0), // pravda.com.ua, 1 Apr 2025
        ("2025-05", 449.0), // expres.online, citing DeepState
        ("2025-06", 556.0), // expres.online, citing DeepState
        ("2025-07", 564.0), // prm.ua via we.ua
        ("2025-08", 464.0), // pravda.com.ua, 1 Sep 2025
        ("2025-09", 259.0), // kyivindependent.com, 1 Oct 2025
        ("2025-10", 267.0), // chaspravdy.com, 1 Nov 2025
        ("2025-11", 505.0), // portfolio.hu, 1-2 Dec 2025
    ];
    let monthly = |offset_days: i64| -> Vec<(String, f64)> {
        let mut snaps = daily.clone();
        shift_days(&mut snaps, offset_days);
        let dates: Vec<NaiveDate> = snaps.iter().map(Snapshot::date).collect();
        period_pairs(&dates, Period::Month, Some(d("2025-01-01")), Some(d("2025-12-31")))
            .iter()
            .map(|p| {
                let (row, _) = change(&p.label, &snaps[p.a], &snaps[p.b], ControlClass::Occupied, &reference).unwrap();
                (p.label.clone(), row.net_km2)
            })
            .collect()
    };
    let error_pct = |series: &[(String, f64)]| -> Vec<f64> {
        published
            .iter()
            .map(|(m, want)| {
                let got = series.iter().find(|(l, _)| l == m).unwrap().1;
                100.0 * (got - want) / want
            })
            .collect()
    };
    // With the measured lag (+1 day: the file dated d + 1 shows the map of
    // day d) every month is within 2.5 % of the published figure...
    let aligned = error_pct(&monthly(1));
    assert!(aligned.iter().all(|e| e.abs() < 2.5), "{aligned:?}");
    // ... while the files' own dates miss some months by 5-11 %.
    let raw_dates = error_pct(&monthly(0));
    let worst = raw_dates.iter().fold(0.0f64, |m, e| m.max(e.abs()));
    assert!(worst > 10.0, "{raw_dates:?}");
    let mean_abs = |v: &[f64]| v.iter().map(|e| e.abs()).sum::<f64>() / v.len() as f64;
    assert!(mean_abs(&aligned) < mean_abs(&raw_dates) / 3.0, "{aligned:?} vs {raw_dates:?}");
}

#[test]
fn another_publisher_confirms_the_kharkiv_offensive_but_not_isw_s_redraw() {
    let reference = reference();
    let ctx = ctx(&reference);
    let year = |y: i32| move |s: &Snapshot| s.date().year() == y;
    let raw_2022 = ingest_folder("deepstate/raw", year(2022), &ctx);
    let isw_2022 = ingest_folder("isw/full_2022", |_| true, &ctx);
    let isw = ingest_folder("isw/control", |_| true, &ctx);
    // DeepState's week to 2022-09-12: the Kharkiv counter-offensive. On
    // 2022-09-12 Zelensky said "more than 6,000 square kilometres" had been
    // liberated since the start of September; ISW's September map agrees.
    let mut raw_audit = audit_series(&raw_2022, ControlClass::Occupied, AuditRules::default());
    let row = raw_audit.snapshots.iter().find(|r| r.date == d("2022-09-12")).unwrap();
    assert!(row.net_km2.unwrap() < -6_000.0, "{:?}", row.net_km2);
    raw_audit.corroborate(&Witness::of("isw", &isw_2022, ControlClass::Occupied));
    let f = raw_audit.findings.iter().find(|f| f.date == Some(d("2022-09-12"))).unwrap();
    assert_eq!(f.kind, FindingKind::ConfirmedChange, "{}", f.detail);
    assert!(f.detail.contains("2022-09-01 to 2022-10-01"), "{}", f.detail);
    assert_eq!(raw_audit.flag_on(d("2022-09-12")), None);

    // ISW's −4,776 km² of 2026-01-25: DeepState's daily maps gain ground
    // over the same four weeks, so it stays a warning.
    let daily = ingest_folder("deepstate/daily", |s| s.date() >= d("2025-12-01") && s.date() <= d("2026-02-28"), &ctx);
    let mut isw_audit = audit_series(&isw, ControlClass::Occupied, AuditRules::default());
    isw_audit.corroborate(&Witness::of("deepstate-daily", &daily, ControlClass::Occupied));
    assert_eq!(
        isw_audit.flag_between(d("2025-12-31"), d("2026-01-31")).as_deref(),
        Some("implausible jump 2026-01-25")
    );
}
