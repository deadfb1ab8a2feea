//! `frontline check` on real published sentences: the corpus in
//! `tests/data/claims_corpus.csv` (news 2022–2026, English and Ukrainian,
//! each with its source, date and the expected verdicts reasoned in the
//! file). Extraction must find exactly the expected claims in each sentence
//! (kind by kind, in order) and the checks must reach the expected verdict.
//!
//! The store is built once into Cargo's test scratch folder from the
//! DeepState daily, raw and archive files of the shared data (about a
//! minute; re-running re-ingests nothing, the files' hashes are stored),
//! with the daily maps' area series kept as the server keeps it.
//! `FRONTLINE_CLAIMS_DB` points the test at a store already built instead.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::NaiveDate;
use frontline::area::{area_rows, UKRAINE_OFFICIAL_KM2};
use frontline::area_stored::{keep_area_series, load_area_series, AreaSeries};
use frontline::claims::check::{CheckOptions, Checker, Verdict};
use frontline::claims::text::extract;
use frontline::ingest::{expand_path, ingest_file, Format, IngestContext};
use frontline::model::SourceId;
use frontline::regions::{load_reference, Reference};
use frontline::store::{content_hash, Store};
use std::path::PathBuf;

fn store_path() -> PathBuf {
    if let Some(p) = std::env::var_os("FRONTLINE_CLAIMS_DB") {
        return PathBuf::from(p);
    }
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("claims_corpus.db");
    let mut store = Store::open(&path).unwrap();
    let data = common::shared_data();
    // As `frontline ingest` does: polygons wholly outside Ukraine are dropped.
    let territory = load_reference(&Reference::WithSea, &data).unwrap();
    let ctx = IngestContext { territory: Some(std::sync::Arc::new(territory)) };
    for (folder, format) in [
        ("deepstate/daily", Format::DeepStateDaily),
        ("deepstate/raw", Format::DeepStateRaw),
        ("deepstate/archive", Format::DeepStateArchive),
    ] {
        for f in expand_path(&data.join(folder)).unwrap() {
            let bytes = std::fs::read(&f).unwrap();
            let hash = content_hash(&bytes);
            if store.has_file(&hash).unwrap() {
                continue;
            }
            let ingest = ingest_file(&f, &format, &ctx).unwrap();
            store.put_file(&ingest, &hash).unwrap();
        }
    }
    keep_daily_area_series(&store, &data);
    path
}

/// Keeps the daily maps' area series within Ukraine with its sea, as the
/// server does, so that the corpus's default country figures are read from
/// it (the land-only and the other sources' figures are still clipped):
/// both ways must reach the corpus's verdicts.
fn keep_daily_area_series(store: &Store, data: &std::path::Path) {
    let source = SourceId::new(SourceId::DEEPSTATE_DAILY);
    let (reference, country_km2) = (Reference::WithSea, UKRAINE_OFFICIAL_KM2);
    if load_area_series(store, &source, &reference, data, country_km2).unwrap().is_some() {
        return;
    }
    let territory = load_reference(&reference, data).unwrap();
    let snapshots = store.load_range(&source, None, None).unwrap();
    let rows = area_rows(&snapshots, &territory, country_km2);
    let series =
        AreaSeries { reference: territory.name.clone(), reference_km2: territory.area_m2 / 1e6, country_km2, rows };
    keep_area_series(store, &source, &reference, data, &series).unwrap();
}

struct Row {
    line: usize,
    published: NaiveDate,
    sentence: String,
    expected: Vec<(String, String, Option<String>)>,
}

/// `kind:verdict` or `kind:only-under(words)`, `;`-separated; `none`.
fn parse_expected(s: &str) -> Vec<(String, String, Option<String>)> {
    if s.trim() == "none" {
        return vec![];
    }
    s.split(';')
        .map(|item| {
            let (kind, verdict) = item.trim().split_once(':').unwrap();
            let (verdict, under) = match verdict.split_once('(') {
                Some((v, rest)) => (v.to_string(), Some(rest.trim_end_matches(')').to_string())),
                None => (verdict.to_string(), None),
            };
            (kind.to_string(), verdict, under)
        })
        .collect()
}

fn corpus() -> Vec<Row> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/claims_corpus.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let records = frontline::places::gazetteer::csv_records(&text).unwrap();
    let header = &records[0].1;
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let (published, sentence, expected) = (col("published"), col("sentence"), col("expected"));
    records[1..]
        .iter()
        .map(|(line, r)| Row {
            line: *line,
            published: NaiveDate::parse_from_str(&r[published], "%Y-%m-%d").unwrap(),
            sentence: r[sentence].clone(),
            expected: parse_expected(&r[expected]),
        })
        .collect()
}

fn verdict_name(v: Verdict) -> &'static str {
    match v {
        Verdict::Consistent => "consistent",
        Verdict::ConsistentOnlyUnder => "only-under",
        Verdict::NotConsistent => "not-consistent",
        Verdict::NoDate => "no-date",
        Verdict::CannotCheck => "cannot-check",
    }
}

#[test]
fn corpus_is_real_and_large_enough() {
    let rows = corpus();
    assert!(rows.len() >= 40, "{} sentences", rows.len());
    let uk = rows.iter().filter(|r| r.sentence.chars().any(|c| ('\u{0400}'..='\u{04ff}').contains(&c))).count();
    assert!(uk >= 10 && rows.len() - uk >= 10, "{uk} Ukrainian of {}", rows.len());
    let all: Vec<&str> = rows.iter().flat_map(|r| r.expected.iter().map(|e| e.1.as_str())).collect();
    for v in ["consistent", "only-under", "not-consistent", "cannot-check"] {
        assert!(all.contains(&v), "no {v} claim in the corpus");
    }
}

#[test]
fn check_agrees_with_the_corpus() {
    let path = store_path();
    let store = Store::open(&path).unwrap();
    let opts = CheckOptions { writable_cache: true, ..CheckOptions::default() };
    let checker = Checker::new(&store, common::shared_data(), opts).unwrap();
    let places = checker.place_names().unwrap();
    let mut failures = vec![];
    for row in corpus() {
        let found = extract(&row.sentence, Some(row.published), places);
        let kinds: Vec<&str> = found.claims.iter().map(|c| c.kind.name()).collect();
        let want: Vec<&str> = row.expected.iter().map(|e| e.0.as_str()).collect();
        if kinds != want {
            failures.push(format!("line {}: extracted {kinds:?}, expected {want:?}: {}", row.line, row.sentence));
            continue;
        }
        for (claim, (kind, verdict, under)) in found.claims.iter().zip(&row.expected) {
            let c = checker.check(claim);
            let got = verdict_name(c.verdict);
            let under_ok = under.as_ref().is_none_or(|w| c.only_under.iter().any(|u| u.contains(w.as_str())));
            if got != verdict || !under_ok {
                failures.push(format!(
                    "line {}: {kind} '{}': {got} (measured {:?}, band {:?}, only under {:?}, note {:?}, evidence {:?}), expected {verdict}{}",
                    row.line,
                    claim.amount.as_ref().map(|a| a.text.as_str()).unwrap_or(""),
                    c.measured,
                    c.band,
                    c.only_under,
                    c.note,
                    c.evidence.iter().map(|t| format!("{}: {:?} on {:?}", t.convention, t.value, t.dates)).collect::<Vec<_>>(),
                    under.as_ref().map(|u| format!(" ({u})")).unwrap_or_default()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{} disagreements:\n{}", failures.len(), failures.join("\n"));
}

/// The boundaries a check keeps in the store come back as the files give
/// them: the same geometry, area, names, codes and share denominators,
/// whether just kept or read back, and a changed file is not answered
/// from the kept copy.
#[test]
fn kept_boundaries_are_the_files_boundaries() {
    use frontline::claims::kept;
    use frontline::regions::{load_region_set, RegionChoice, RegionLevel, ShareConvention};
    let data = common::shared_data();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("kept_boundaries");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::open(&dir.join("store.db")).unwrap();
    for which in [Reference::WithSea, Reference::Land] {
        let files = load_reference(&which, &data).unwrap();
        for round in ["kept", "read back"] {
            let t = kept::reference(&store, &which, &data, true).unwrap();
            assert_eq!((t.name.as_str(), &t.geometry), (files.name.as_str(), &files.geometry), "{round}");
            assert_eq!(t.area_m2.to_bits(), files.area_m2.to_bits(), "{round}");
        }
    }
    for convention in [ShareConvention::Official, ShareConvention::Outline] {
        let files = load_region_set(&RegionChoice::Level(RegionLevel::Oblast), convention, &data).unwrap();
        for round in ["kept", "read back"] {
            let set = kept::oblasts(&store, convention, &data, true).unwrap();
            assert_eq!(set.outlines, files.outlines, "{round}");
            assert_eq!(set.regions.len(), files.regions.len(), "{round}");
            for (a, b) in set.regions.iter().zip(&files.regions) {
                assert_eq!((&a.name, &a.iso, &a.territory.geometry), (&b.name, &b.iso, &b.territory.geometry));
                assert_eq!(a.share_denominator_km2.to_bits(), b.share_denominator_km2.to_bits(), "{}", a.name);
                assert_eq!(a.territory.area_m2.to_bits(), b.territory.area_m2.to_bits(), "{}", a.name);
            }
        }
    }
    // A reference file with other bytes is read from the file, not the kept copy.
    let other = dir.join("square.geojson");
    std::fs::write(
        &other,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[30,48],[31,48],[31,49],[30,49],[30,48]]]}}]}"#,
    )
    .unwrap();
    let square = Reference::File(other.clone());
    let first = kept::reference(&store, &square, &data, true).unwrap();
    std::fs::write(
        &other,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[30,48],[32,48],[32,49],[30,49],[30,48]]]}}]}"#,
    )
    .unwrap();
    let second = kept::reference(&store, &square, &data, true).unwrap();
    // Twice the longitude span at the same latitudes: twice the area, to the
    // geodesic edges' bulge (a kept copy answered would give the same area).
    assert!((second.area_m2 / first.area_m2 - 2.0).abs() < 0.01, "{} {}", first.area_m2, second.area_m2);
}
