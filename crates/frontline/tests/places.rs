//! Settlements on the real data: the gazetteer built from GeoNames and OSM,
//! name lookup, and status over the DeepState daily history.
#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use frontline::ingest::{expand_path, ingest_file, Format, IngestContext};
use frontline::places::gazetteer::oblast_by_point;
use frontline::places::{CaptureRule, Direction, FootprintKind, Gazetteer, GazetteerSources, Status, StatusTable};
use frontline::regions::load_regions;
use rayon::prelude::*;
use std::path::PathBuf;
use std::sync::OnceLock;

fn data_dir() -> PathBuf {
    match std::env::var_os("FRONTLINE_SHARED") {
        Some(d) => PathBuf::from(d).join("data"),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    }
}

fn gazetteer() -> &'static Gazetteer {
    static G: OnceLock<Gazetteer> = OnceLock::new();
    G.get_or_init(|| Gazetteer::load(&GazetteerSources::shared(&data_dir())).unwrap().0)
}

fn table() -> &'static StatusTable {
    static T: OnceLock<StatusTable> = OnceLock::new();
    T.get_or_init(|| {
        let files = expand_path(&data_dir().join("deepstate/daily")).unwrap();
        let ctx = IngestContext::default();
        let snapshots: Vec<_> =
            files.par_iter().map(|f| ingest_file(f, &Format::DeepStateDaily, &ctx).unwrap().snapshot).collect();
        StatusTable::compute(gazetteer(), &snapshots).unwrap()
    })
}

/// The biggest place of that name in an oblast.
fn place(name: &str, oblast: &str) -> usize {
    gazetteer()
        .lookup(name)
        .into_iter()
        .find(|m| m.oblast == oblast)
        .unwrap_or_else(|| panic!("{name} in {oblast} not found"))
        .place
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn pokrovsk_by_english_ukrainian_and_former_name() {
    let g = gazetteer();
    for name in ["Pokrovsk", "Покровськ", "Krasnoarmiisk", "pokrovs'k", "KRASNOARMEYSK"] {
        let found = g.lookup(name);
        assert!(!found.is_empty(), "{name}");
        // GeoNames: Pokrovsk, Donetsk oblast (admin1 05), population 60,127.
        assert_eq!(found[0].oblast, "Donetsk Oblast", "{name}");
        assert_eq!(found[0].population, 60_127, "{name}");
        for w in found.windows(2) {
            assert!(w[0].population >= w[1].population, "{name}: biggest first");
        }
    }
    let p = &g.places()[g.lookup("Pokrovsk")[0].place];
    // OSM has Pokrovsk's boundary (settlements_osm_partial: relation with
    // name:en Pokrovsk, population 63,635).
    assert_eq!(p.footprint.kind, FootprintKind::OsmPolygon);
}

#[test]
fn both_avdiivkas_are_listed_biggest_first() {
    let found = gazetteer().lookup("Avdiivka");
    // GeoNames has two: Donetsk oblast (35,826) and Chernihiv oblast (2,012).
    let listed: Vec<(&str, u64)> = found.iter().map(|m| (m.oblast.as_str(), m.population)).collect();
    assert_eq!(listed, vec![("Donetsk Oblast", 35_826), ("Chernihiv Oblast", 2_012)]);
}

#[test]
fn transliterations_former_names_and_typos() {
    let g = gazetteer();
    let kupiansk = place("Kupiansk", "Kharkiv Oblast");
    for name in ["Kupyansk", "Kup'yansk", "Куп'янськ", "Купянск"] {
        assert_eq!(g.lookup(name)[0].place, kupiansk, "{name}");
    }
    let bakhmut = place("Bakhmut", "Donetsk Oblast");
    for name in ["Artemivsk", "Artyomovsk", "Артемівськ"] {
        assert_eq!(g.lookup(name)[0].place, bakhmut, "{name}");
    }
    let myrnohrad = place("Myrnohrad", "Donetsk Oblast");
    for name in ["Dymytrov", "Dimitrov"] {
        assert_eq!(g.lookup(name)[0].place, myrnohrad, "{name}");
    }
    // One letter swapped in a 10-letter name is two edits: within budget.
    let kramatorsk = place("Kramatorsk", "Donetsk Oblast");
    assert!(g.lookup("Kramatorks").iter().any(|m| m.place == kramatorsk));
    // Short names get no typo budget.
    assert!(g.lookup("Kyivx").is_empty());
}

#[test]
fn oblast_table_agrees_with_oblast_polygons() {
    // The GeoNames admin1 -> oblast table is checked against point-in-polygon
    // in the OSM oblast boundaries. Sevastopol (its own admin1) lies inside
    // the OSM Crimea polygon, and Kyiv city inside Kyiv Oblast's, so those
    // two codes are compared to the polygons that hold them.
    let regions = load_regions(&data_dir().join("boundaries/oblasts_osm.geojson.gz")).unwrap();
    let mut agree = 0;
    let mut total = 0;
    for p in gazetteer().places().iter().filter(|p| p.geonames_id.is_some()) {
        let (_, iso) = oblast_by_point(&regions, geo::Point::new(p.lon, p.lat));
        let Some(iso) = iso else { continue };
        total += 1;
        let mine = match p.oblast_iso.as_deref() {
            Some("UA-40") => "UA-43",
            Some("UA-30") => "UA-32",
            other => other.unwrap_or(""),
        };
        if mine == iso {
            agree += 1;
        }
    }
    assert!(total > 2_700, "{total}");
    assert!(agree as f64 / total as f64 > 0.99, "{agree} / {total}");
}

#[test]
fn selydove_fell_at_the_end_of_october_2024() {
    let t = table();
    let selydove = place("Selydove", "Donetsk Oblast");
    let c = t.first_capture(selydove, CaptureRule::at(0.5)).expect("Selydove captured");
    // DeepState reported Selydove occupied on 2024-10-28 (±3 days for the
    // daily export's download time and the 3-snapshot rule).
    let days = (c.date - date("2024-10-28")).num_days();
    assert!(days.abs() <= 3, "50 % capture {}", c.date);
}

#[test]
fn kupiansk_is_never_reported_captured() {
    let t = table();
    let kupiansk = place("Kupiansk", "Kharkiv Oblast");
    assert!(t.first_capture(kupiansk, CaptureRule::at(0.5)).is_none());
    assert!(t.first_capture(kupiansk, CaptureRule::at(0.95)).is_none());
}

#[test]
fn pokrovsk_was_contested_before_occupied() {
    let t = table();
    let pokrovsk = place("Pokrovsk", "Donetsk Oblast");
    let tl = t.timeline(pokrovsk);
    let contested = tl.iter().position(|s| s.to == Status::Contested);
    let occupied = tl.iter().position(|s| s.to == Status::Occupied);
    assert!(matches!((contested, occupied), (Some(c), Some(o)) if c < o), "{tl:?}");
    assert_eq!(tl[0].to, Status::Held, "held in July 2024");
    let c50 = t.first_capture(pokrovsk, CaptureRule::at(0.5)).unwrap();
    let c95 = t.first_capture(pokrovsk, CaptureRule::at(0.95)).unwrap();
    assert!(c95.date > c50.date, "{} vs {}", c95.date, c50.date);
    assert_eq!(c50.direction, Direction::Captured);
    // In July 2024 the front was about 20-40 km east of Pokrovsk (Ocheretyne
    // fell in April-May 2024, ~25 km away).
    let d0 = t.distance_m(pokrovsk, 0).unwrap();
    assert!((10_000.0..45_000.0).contains(&d0), "{d0}");
}

#[test]
fn distances_match_an_aeqd_oracle() {
    // benches/oracles/places_distance.py: occupied territory projected to an
    // azimuthal equidistant projection centred on each GeoNames point
    // (pyproj), distance from the centre by shapely.
    let oracle = [
        ("Pokrovsk", "Donetsk Oblast", 24_963.4, 0.0),
        ("Kupiansk", "Kharkiv Oblast", 8_616.2, 5_588.0),
        ("Kramatorsk", "Donetsk Oblast", 23_499.8, 15_273.4),
        ("Kharkiv", "Kharkiv Oblast", 31_657.7, 32_737.4),
        ("Lviv", "Lviv Oblast", 663_667.8, 663_667.9),
        ("Zaporizhzhia", "Zaporizhzhia Oblast", 38_925.7, 34_980.1),
    ];
    let t = table();
    let (first, last) = (0, t.dates().len() - 1);
    assert_eq!(t.dates()[first], date("2024-07-08"));
    assert_eq!(t.dates()[last], date("2026-08-22"));
    for (name, oblast, d_first, d_last) in oracle {
        let p = place(name, oblast);
        for (s, expected) in [(first, d_first), (last, d_last)] {
            let d = t.distance_m(p, s).unwrap();
            assert!((d - expected).abs() < 10.0, "{name} at {}: {d} vs {expected}", t.dates()[s]);
        }
    }
}
