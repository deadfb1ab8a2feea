//! Settlements on the real data: the gazetteer built from GeoNames and OSM,
//! name lookup, and status over the DeepState daily history.
#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use frontline::ingest::{expand_path, ingest_file, Format, IngestContext};
use frontline::places::gazetteer::footprint_centroid;
use frontline::places::gazetteer::oblast_by_point;
use frontline::places::{
    stored, CaptureRule, Direction, FootprintKind, Gazetteer, GazetteerSources, Place, Resolution, Status, StatusTable,
};
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
fn avdiivkas_are_listed_biggest_first_and_the_city_wins() {
    let found = gazetteer().lookup("Avdiivka");
    // GeoNames has two: Donetsk oblast (35,826) and Chernihiv oblast (2,012);
    // OSM adds villages of unknown population after them.
    let listed: Vec<(&str, u64)> = found.iter().take(2).map(|m| (m.oblast.as_str(), m.population)).collect();
    assert_eq!(listed, vec![("Donetsk Oblast", 35_826), ("Chernihiv Oblast", 2_012)]);
    // 35,826 ≥ 10 × 2,012: the town is the one meant, and the output says why.
    match gazetteer().resolve("Avdiivka") {
        Resolution::Found { place, note } => {
            assert_eq!(place.oblast, "Donetsk Oblast");
            assert!(note.unwrap_or_default().contains("17 times the next"));
        }
        other => panic!("{other:?}"),
    }
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

/// Search as you type: a prefix offers the big towns it starts, biggest
/// first; a full name resolves as the CLI resolves it and puts that place
/// first; an unknown name says so with a suggestion; `limit` is obeyed.
#[test]
fn search_offers_prefixes_and_resolves_as_the_cli_does() {
    use frontline::places::MatchKind;
    use frontline::usecase::places::search;
    let g = gazetteer();
    let pokrovsk = place("Pokrovsk", "Donetsk Oblast");
    let typed = search(g, "Pokr", 10);
    assert!(typed.resolved.is_none(), "'Pokr' names no settlement");
    let hit = typed.matches.iter().find(|m| m.place == pokrovsk).expect("Pokrovsk offered for 'Pokr'");
    assert_eq!(hit.how, MatchKind::Prefix);
    let prefixed: Vec<u64> =
        typed.matches.iter().filter(|m| m.how == MatchKind::Prefix).map(|m| m.population).collect();
    assert!(prefixed.windows(2).all(|w| w[0] >= w[1]), "biggest first: {prefixed:?}");
    assert!(typed.matches.iter().all(|m| m.name.to_lowercase().starts_with("pokr") || m.how != MatchKind::Prefix));

    let full = search(g, "Pokrovsk", 10);
    assert_eq!(full.resolved.as_ref().map(|m| m.place), Some(pokrovsk));
    assert_eq!(full.matches[0].place, pokrovsk, "the resolved place comes first");
    let ids: std::collections::HashSet<_> = full.matches.iter().map(|m| m.place).collect();
    assert_eq!(ids.len(), full.matches.len(), "no place twice");

    assert_eq!(search(g, "Pokr", 2).matches.len(), 2);
    let typo = search(g, "Pokrovks", 10);
    assert!(typo.resolved.is_none());
    assert!(typo.note.as_deref().unwrap_or("").contains("did you mean Pokrovsk"), "{:?}", typo.note);
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
    // azimuthal equidistant projection centred on each OSM place node
    // (pyproj), distance from the centre by shapely.
    let oracle = [
        ("Pokrovsk", "Donetsk Oblast", 24_717.9, 0.0),
        ("Kupiansk", "Kharkiv Oblast", 8_404.6, 5_344.2),
        ("Kramatorsk", "Donetsk Oblast", 24_093.3, 15_815.6),
        ("Kharkiv", "Kharkiv Oblast", 31_266.2, 32_190.8),
        ("Lviv", "Lviv Oblast", 663_355.7, 663_355.7),
        ("Zaporizhzhia", "Zaporizhzhia Oblast", 38_799.9, 34_852.2),
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

/// The place a query resolves to (panics on anything else).
fn resolved(q: &str) -> (&'static Place, Option<String>) {
    match gazetteer().resolve(q) {
        Resolution::Found { place, note } => (&gazetteer().places()[place.place], note),
        other => panic!("{q}: {other:?}"),
    }
}

#[test]
fn towns_geonames_lacks_resolve_with_footprints_and_timelines() {
    // OSM node ids read from settlements/osm_places_ua.csv.gz.
    let t = table();
    for (q, node) in [
        ("Vuhledar", "node/256614070"),
        ("Ocheretyne", "node/256618548"), // the town, not the village near Kramatorsk
        ("Robotyne", "node/337676450"),
        ("Mykolaivka@Donetsk", "node/256613985"), // the town near Sloviansk
        ("Novohrodivka", "node/256613987"),
        ("Bilozerske", "node/256613830"),
    ] {
        let (p, _) = resolved(q);
        assert_eq!(p.osm_id.as_deref(), Some(node), "{q}");
        assert!(p.wikidata.is_some(), "{q}");
        assert!(p.footprint.area_m2 > 1e6, "{q}: {}", p.footprint.area_m2);
        assert!(!t.timeline(p.id).is_empty(), "{q}");
    }
    // Bilozerske has an OSM outline (settlements_osm_partial: relation/3940065).
    assert_eq!(resolved("Bilozerske").0.osm_outline_id.as_deref(), Some("relation/3940065"));
    // Vuhledar: Ukraine announced the withdrawal on 2024-10-02.
    let vuhledar = resolved("Vuhledar").0.id;
    let c = t.first_capture(vuhledar, CaptureRule::at(0.5)).expect("Vuhledar captured");
    assert!((c.date - date("2024-10-02")).num_days().abs() <= 7, "{}", c.date);
    // Ocheretyne (the town) fell in April-May 2024, before the daily history starts.
    let ocheretyne = resolved("Ocheretyne").0.id;
    assert_eq!(t.status(ocheretyne, 0), Status::Occupied);
    // Mykolaivka near Sloviansk and Bilozerske near Druzhkivka stayed Ukrainian.
    for q in ["Mykolaivka@Donetsk", "Bilozerske"] {
        assert!(t.first_capture(resolved(q).0.id, CaptureRule::at(0.5)).is_none(), "{q}");
    }
}

#[test]
fn chasiv_yar_is_centred_on_the_town() {
    // OSM's node for Chasiv Yar (osm_places_ua.csv.gz: node/256613727).
    let node = geo::Coord { x: 37.8373367, y: 48.5873911 };
    let (p, _) = resolved("Chasiv Yar");
    let c = footprint_centroid(&p.footprint).unwrap();
    let off = frontline::geodesy::distance_m(c, node);
    assert!(off < 1_000.0, "footprint centre {off:.0} m from the node");
    // GeoNames' point (710915: 37.85724, 48.59348) is 1.6 km east-north-east,
    // on the canal edge of the town.
    let geonames = geo::Coord { x: 37.85724, y: 48.59348 };
    assert!(frontline::geodesy::distance_m(c, geonames) > 1_200.0);
    let capture = table().first_capture(p.id, CaptureRule::at(0.5)).expect("Chasiv Yar captured at 50 %");
    println!("Chasiv Yar 50 % capture on the daily source: {}", capture.date);
    // benches/oracles/chasiv_yar_capture.py (shapely): a 1.5 km disc around
    // GeoNames' point passes 50 % on 2024-11-19, around the OSM node on
    // 2025-01-30 (uncut; the cut disc here loses 12 % of its area, so a few
    // days either way).
    assert!((capture.date - date("2025-01-30")).num_days().abs() <= 10, "{}", capture.date);
}

#[test]
fn kherson_reads_no_occupied_ground_across_the_dnipro_on_2025_08_03() {
    // Liberated in November 2022: its footprint must not reach across the
    // Dnipro to the occupied left bank.
    let file = data_dir().join("deepstate/raw/1754251105.geojson.gz");
    let s = ingest_file(&file, &Format::DeepStateRaw, &IngestContext::default()).unwrap().snapshot;
    assert_eq!(s.date(), date("2025-08-03"));
    let (p, _) = resolved("Kherson");
    assert!(matches!(p.footprint.kind, FootprintKind::PopulationDisc { cut: true, .. }), "{:?}", p.footprint.kind);
    let mut whole = p.clone();
    whole.footprint = frontline::places::gazetteer::disc_footprint(p.point(), p.population);
    let two = Gazetteer::from_places(vec![p.clone(), whole]);
    let t = StatusTable::compute(&two, &[s]).unwrap();
    println!(
        "Kherson 2025-08-03: cut disc occupied {:.4} gray {:?}; whole disc occupied {:.4} gray {:?}",
        t.occupied_fraction(0, 0),
        t.gray_fraction(0, 0),
        t.occupied_fraction(1, 0),
        t.gray_fraction(1, 0)
    );
    assert!(t.occupied_fraction(0, 0) < 0.05, "{}", t.occupied_fraction(0, 0));
    // Not asserted, reported: DeepState's gray zone covers the river and the
    // city's island districts, so the gray fraction stays above the 5 % of
    // "held" (see the branch notes).
}

#[test]
fn zaporizhzhia_is_the_city_and_a_tie_is_no_answer() {
    let (p, note) = resolved("Zaporizhzhia");
    // GeoNames 687700: population 710,052; OSM node/27122612, place=city.
    assert_eq!((p.population, p.osm_id.as_deref(), p.class.as_deref()), (710_052, Some("node/27122612"), Some("city")));
    assert!(note.unwrap_or_default().contains("also names"));
    // The village of 940 (its OSM outline says so) is still reachable.
    match gazetteer().resolve("Zaporizhzhia@Donetsk") {
        Resolution::Found { .. } | Resolution::Ambiguous(_) => {}
        other => panic!("{other:?}"),
    }
    // Mykolaivka: villages of 3,629 and 1,678 people (GeoNames) and a town of
    // unknown size: no candidate is ten times the next.
    let Resolution::Ambiguous(found) = gazetteer().resolve("Mykolaivka") else { panic!("Mykolaivka is a tie") };
    assert!(found.len() > 10);
    assert_eq!(found[0].population, 3_629);
}

#[test]
fn misspellings_get_suggestions_and_coordinates_find_the_town() {
    // Pokrovks is one edit from the village Pokrovka and two from Pokrovsk:
    // never taken as an answer, Pokrovsk suggested first (biggest).
    let Resolution::NotFound { suggestions } = gazetteer().resolve("Pokrovks") else { panic!("a typo is no answer") };
    assert_eq!(suggestions[0].name, "Pokrovsk");
    let (p, note) = resolved("37.84,48.59");
    assert_eq!(p.name, "Chasiv Yar");
    assert!(note.unwrap_or_default().contains("footprint of Chasiv Yar"));
    // The README's watch list: each resolves as written.
    for town in ["Sloviansk", "Kramatorsk", "Druzhkivka", "Kostiantynivka"] {
        assert_eq!(resolved(town).0.oblast, "Donetsk Oblast", "{town}");
    }
}

#[test]
fn the_stored_gazetteer_decodes() {
    // The store keeps the places with their name index, and the footprints
    // apart; an internally tagged enum once made every stored copy
    // undecodable (bincode), so every query rebuilt it. Through the codec
    // the store uses (postcard), places, index and geometries come back
    // whole, and the index read back answers as the one built.
    let g = gazetteer();
    let mut copy = Gazetteer::from_places(g.places().to_vec());
    let geometries = copy.take_geometries();
    let places: Vec<Place> = stored::decode(&stored::encode(&copy.places()).unwrap()).unwrap();
    let index: frontline::places::gazetteer::NameIndex =
        stored::decode(&stored::encode(copy.name_index()).unwrap()).unwrap();
    let geometries: Vec<geo::MultiPolygon<f64>> = stored::decode(&stored::encode(&geometries).unwrap()).unwrap();
    let mut back = Gazetteer::from_places_and_index(places, index).expect("the stored index fits its places");
    assert!(!back.has_geometries());
    assert!(back.put_geometries(geometries));
    assert_eq!(back.places(), g.places());
    for q in ["Pokrovsk", "Покровськ", "Krasnoarmeysk", "Mykolaivka", "Pokrovks", "Zaporizhzhia", "Kupyansk"] {
        assert_eq!(back.lookup(q), g.lookup(q), "{q}");
        assert_eq!(back.suggest(q, 5), g.suggest(q, 5), "{q}");
    }
}

#[test]
fn gazetteer_joins_report() {
    let (_, r) = Gazetteer::load(&GazetteerSources::shared(&data_dir())).unwrap();
    println!("{r:#?}");
    // 26,424 named city/town/village rows in osm_places_ua.csv.gz (Python's csv module).
    assert_eq!(r.osm_places + r.osm_duplicates_dropped, 26_424);
    assert_eq!(r.joined + r.osm_not_joined, r.osm_places);
    assert_eq!(r.joined + r.geonames_only_added + r.geonames_duplicates_dropped, r.geonames_places);
}

#[test]
fn kyiv_is_not_cut_to_one_of_its_boroughs() {
    // The hromada file has no Kyiv municipality, only its ten boroughs
    // (`place=borough`); cutting to the one holding the centre left 13.8 of
    // 78.4 km². pyproj (WGS84): the 64-point 5 km disc around OSM node/26150422
    // (30.5241361, 50.4500336) has 78.414 km², all of it on OSM land.
    let (p, _) = resolved("Kyiv");
    assert_eq!(p.osm_id.as_deref(), Some("node/26150422"));
    let area_km2 = p.footprint.area_m2 / 1e6;
    assert!((area_km2 - 78.414).abs() < 0.01, "Kyiv footprint {area_km2:.3} km²");
}
