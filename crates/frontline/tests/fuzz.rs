//! Property-based fuzzing: every ingester, the store's geometry codec, the
//! derived-result codec and the text parsers take whatever they are given
//! and answer Ok or Err, never a panic (an abort or a panic here is a
//! request or a file taking the process down).
//!
//! Inputs are built to reach deep: GeoJSON documents whose structure is
//! mostly right (so the parser gets past the first byte) with wrong types,
//! extreme and non-finite-looking numbers, degenerate and self-crossing
//! rings, DeepState's and ISW's own property values, then cut short or with
//! bytes flipped.
//!
//! Quick run (CI, `cargo test`): 256 cases a property. Long run (see
//! ARCHITECTURE.md, "Fuzzing", for the last result):
//!
//!     PROPTEST_CASES=1000000 cargo test --release -p frontline --test fuzz

#![allow(clippy::unwrap_used)] // tests may unwrap: a failure is the report

use frontline::ingest::mapped::{parse_instant, Mapping};
use frontline::ingest::{ingest_bytes, Format, IngestContext};
use frontline::regions::Territory;
use frontline::store::{decode_multipolygon, encode_multipolygon};
use frontline::SourceId;
use geo::{Coord, LineString, MultiPolygon, Polygon};
use proptest::prelude::*;
use std::path::Path;
use std::sync::Arc;

/// A JSON number or something that stands where one should.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => (-180.0f64..180.0).prop_map(|v| format!("{v}")),
        4 => (44.0f64..53.0).prop_map(|v| format!("{v}")),
        1 => prop::sample::select(vec![
            "1e308", "-1e308", "1e400", "-0", "0", "5e-324", "\"37.5\"", "null", "[]", "{}", "true", "NaN", "Infinity",
        ])
        .prop_map(str::to_string),
    ]
}

/// A position: usually `[x, y]`, sometimes too short, too long or not an array.
fn position() -> impl Strategy<Value = String> {
    prop_oneof![
        30 => (number(), number()).prop_map(|(x, y)| format!("[{x},{y}]")),
        1 => (number(), number(), number()).prop_map(|(x, y, z)| format!("[{x},{y},{z}]")),
        1 => number().prop_map(|x| format!("[{x}]")),
        1 => Just("[]".to_string()),
        1 => number(),
    ]
}

/// A ring: often closed, of 0 to 12 positions; sometimes a small square
/// near Pokrovsk so that cleaning, union and seam closing all run.
fn ring() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::collection::vec(position(), 0..12).prop_map(|ps| {
            let mut ps = ps;
            if let Some(first) = ps.first().cloned() {
                ps.push(first);
            }
            format!("[{}]", ps.join(","))
        }),
        6 => (37.0f64..37.5, 48.0f64..48.5, 0.0001f64..0.2).prop_map(|(x, y, s)| {
            format!("[[{x},{y}],[{},{y}],[{},{}],[{x},{}],[{x},{y}]]", x + s, x + s, y + s, y + s)
        }),
        // A bow tie (self-crossing).
        1 => (37.0f64..37.5, 48.0f64..48.5, 0.001f64..0.2).prop_map(|(x, y, s)| {
            format!("[[{x},{y}],[{},{}],[{},{y}],[{x},{}],[{x},{y}]]", x + s, y + s, x + s, y + s)
        }),
    ]
}

fn rings() -> impl Strategy<Value = String> {
    prop::collection::vec(ring(), 0..3).prop_map(|rs| format!("[{}]", rs.join(",")))
}

fn geometry() -> impl Strategy<Value = String> {
    prop_oneof![
        10 => rings().prop_map(|c| format!(r#"{{"type":"Polygon","coordinates":{c}}}"#)),
        6 => prop::collection::vec(rings(), 0..3)
            .prop_map(|ps| format!(r#"{{"type":"MultiPolygon","coordinates":[{}]}}"#, ps.join(","))),
        1 => position().prop_map(|p| format!(r#"{{"type":"Point","coordinates":{p}}}"#)),
        1 => Just("null".to_string()),
        1 => Just(r#"{"type":"GeometryCollection","geometries":[]}"#.to_string()),
        1 => Just(r#"{"type":"Polygon"}"#.to_string()),
        1 => Just(r#"{"type":"Polygon","coordinates":"x"}"#.to_string()),
    ]
}

/// Property values the ingesters look at (DeepState's keys and colours,
/// ISW's layers and dates), and noise.
fn properties() -> impl Strategy<Value = String> {
    let name = prop::sample::select(vec![
        "Окуповано /// Occupied /// geoJSON.status.occupied",
        "Окуповано /// Occupied /// geoJSON.status.occupied",
        "Статус невідомий /// Unknown status /// geoJSON.status.unknown",
        "Звільнено /// Liberated /// geoJSON.status.dismissed",
        "ОРДЛО /// ORDLO /// geoJSON.territories.ordlo",
        "Крим /// Crimea /// geoJSON.territories.crimea",
        "Придністров'я /// Transnistria /// geoJSON.territories.pmr",
        "",
        "\u{0}",
    ]);
    let fill = prop::sample::select(vec!["#a52714", "#a52714", "#bcaaa4", "#0f9d58", "#880e4f", "#ffffff", "red", ""]);
    // ISW: no `layer` (the simplified series) most of the time, else its layer names.
    let layer = prop::sample::select(vec![
        "",
        "",
        "",
        r#","layer":"VIEW_RussiaCoTinUkraine_V3""#,
        r#","layer":"MDS_AssessedRussianAdvanceInUkraine_view""#,
        r#","layer":"VIEW_ClaimedRussianTerritoryinUkraine_V2""#,
        r#","layer":"x""#,
    ]);
    let date = prop::sample::select(vec![
        "2025-01-08",
        "2025-01-08",
        "2025-01-08",
        "20250108",
        "2202-02-02",
        "2025-13-40",
        "",
    ]);
    (name, fill, layer, date, any::<bool>()).prop_map(|(n, f, l, d, status)| {
        let n = serde_json::to_string(n).unwrap();
        let extra = if status { r#","status":"occupied""# } else { r#","status":7"# };
        format!(r#"{{"name":{n},"fill":"{f}","date":"{d}"{l}{extra}}}"#)
    })
}

fn feature() -> impl Strategy<Value = String> {
    prop_oneof![
        16 => (properties(), geometry())
            .prop_map(|(p, g)| format!(r#"{{"type":"Feature","properties":{p},"geometry":{g}}}"#)),
        1 => geometry().prop_map(|g| format!(r#"{{"type":"Feature","geometry":{g}}}"#)),
        1 => Just(r#"{"type":"Feature","properties":null,"geometry":null}"#.to_string()),
        1 => Just("[]".to_string()),
    ]
}

/// A document, whole or damaged: cut short, a byte changed, or raw noise.
fn whole() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(feature(), 0..5)
        .prop_map(|fs| format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, fs.join(",")).into_bytes())
}

fn document() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => whole(),
        2 => (whole(), any::<prop::sample::Index>()).prop_map(|(b, i)| b[..i.index(b.len() + 1)].to_vec()),
        2 => (whole(), any::<prop::sample::Index>(), any::<u8>()).prop_map(|(mut b, i, v)| {
            if !b.is_empty() {
                let at = i.index(b.len());
                b[at] = v;
            }
            b
        }),
        1 => prop::collection::vec(any::<u8>(), 0..256),
        1 => feature().prop_map(String::into_bytes),
    ]
}

/// Every format, each under a file name it accepts.
fn formats() -> Vec<(Format, &'static str)> {
    let mapping = Mapping::parse_rules(SourceId::new("fuzz"), "status=occupied:occupied,*:gray").unwrap();
    vec![
        (Format::DeepStateDaily, "deepstatemap_data_20250101.geojson"),
        (Format::DeepStateRaw, "1754251105.geojson.gz"),
        (Format::DeepStateArchive, "deepstate_20250801T090000Z_0123abcd.geojson.gz"),
        (Format::Isw, "2025-01-08.geojson"),
        (Format::Mapped(mapping), "map_2025-01-01.geojson"),
    ]
}

/// Ingest with and without a reference territory (a box around Donbas),
/// so the outside test runs too.
fn contexts() -> Vec<IngestContext> {
    let square = Polygon::new(
        LineString::from(vec![(36.0, 47.0), (39.0, 47.0), (39.0, 49.5), (36.0, 49.5), (36.0, 47.0)]),
        vec![],
    );
    let t = Territory::new("box", MultiPolygon::new(vec![square]));
    vec![IngestContext::default(), IngestContext { territory: Some(Arc::new(t)) }]
}

proptest! {
    #[test]
    fn ingesters_never_panic(doc in document()) {
        for ctx in contexts() {
            for (format, name) in formats() {
                let _ = ingest_bytes(Path::new(name), &doc, &format, &ctx);
            }
        }
    }

    #[test]
    fn mapping_rules_never_panic(rules in ".{0,64}", also in "[a-z=:,*]{0,24}") {
        let _ = Mapping::parse_rules(SourceId::new("fuzz"), &rules);
        let _ = Mapping::parse_rules(SourceId::new("fuzz"), &also);
    }

    #[test]
    fn text_parsers_never_panic(s in ".{0,40}", digits in "[0-9,.+ -]{0,24}") {
        for t in [&s, &digits] {
            let _ = parse_instant(t);
            let _ = frontline::places::gazetteer::parse_coordinates(t);
            let _ = frontline::area::Period::parse(t);
            let _ = frontline::regions::Reference::parse(t);
            let _ = frontline::regions::RegionChoice::parse(t);
            let _ = frontline::regions::ShareConvention::parse(t);
            let _ = frontline::ControlClass::parse(t);
            let _ = Format::parse(t);
        }
    }

    #[test]
    fn stored_geometry_decodes_or_says_no(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode_multipolygon(&bytes);
    }

    #[test]
    fn stored_geometry_round_trips(polys in prop::collection::vec(
        prop::collection::vec(prop::collection::vec((-180.0f64..180.0, -90.0f64..90.0), 0..8), 1..3), 0..4)
    ) {
        let mp = MultiPolygon::new(
            polys
                .into_iter()
                .map(|rings| {
                    let mut rings = rings
                        .into_iter()
                        .map(|r| LineString::new(r.into_iter().map(|(x, y)| Coord { x, y }).collect()));
                    let exterior = rings.next().unwrap_or_else(|| LineString::new(vec![]));
                    Polygon::new(exterior, rings.collect())
                })
                .collect(),
        );
        let bytes = encode_multipolygon(&mp).unwrap();
        // Polygon::new closes rings, so compare with what was encoded.
        prop_assert_eq!(decode_multipolygon(&bytes), Some(mp));
        // Any strict prefix is refused, never misread.
        if !bytes.is_empty() {
            prop_assert_eq!(decode_multipolygon(&bytes[..bytes.len() - 1]), None);
        }
    }

    #[test]
    fn derived_results_decode_or_say_no(bytes in prop::collection::vec(any::<u8>(), 0..512), header in any::<bool>()) {
        use frontline::places::stored::{decode, MAGIC};
        // As stored: a header, then postcard. Raw noise fails the header, so
        // half the cases put the header before the noise to reach postcard.
        let blob = if header { [MAGIC.as_slice(), &bytes].concat() } else { bytes };
        let _ = decode::<Vec<frontline::places::Place>>(&blob);
        let _ = decode::<frontline::places::status::StatusTable>(&blob);
        let _ = decode::<frontline::places::gazetteer::NameIndex>(&blob);
    }

    #[test]
    fn derived_results_round_trip_and_refuse_truncation(
        name in "\\PC{0,24}",
        others in prop::collection::vec("\\PC{0,12}", 0..4),
        lon in -180.0f64..180.0,
        lat in -90.0f64..90.0,
        population in any::<u64>(),
        radius_m in prop_oneof![Just(None), (0.0f64..1e5).prop_map(Some)],
        cut in any::<bool>(),
    ) {
        use frontline::places::gazetteer::disc_footprint;
        use frontline::places::stored::{decode, encode};
        use frontline::places::{FootprintKind, Place};
        let mut footprint = disc_footprint(geo::Coord { x: lon.clamp(-179.0, 179.0), y: lat.clamp(-80.0, 80.0) }, population);
        if let Some(radius_m) = radius_m {
            footprint.kind = FootprintKind::PopulationDisc { radius_m, cut };
        } else {
            footprint.kind = FootprintKind::OsmPolygon;
        }
        let place = Place {
            id: 0, name, name_uk: others.first().cloned(), name_ru: None, other_names: others, lon, lat, population,
            class: Some("town".into()), oblast: "Donetsk Oblast".into(), oblast_iso: Some("UA-14".into()),
            geonames_id: Some(population / 3), osm_id: None, wikidata: Some("Q1".into()), osm_outline_id: None, footprint,
        };
        let places = vec![place];
        let blob = encode(&places).unwrap();
        prop_assert_eq!(decode::<Vec<Place>>(&blob).unwrap(), places);
        // Any strict prefix is refused, never misread.
        for cut_at in [blob.len() - 1, blob.len() / 2, 9] {
            prop_assert!(decode::<Vec<Place>>(&blob[..cut_at.min(blob.len() - 1)]).is_err());
        }
    }
}

/// The generator must reach past the parser: a fuzzer whose documents all
/// fail on the first byte tests nothing. Of 400 documents, each format
/// must store some (cleaning, union and seams ran) and refuse some.
#[test]
fn documents_reach_the_whole_ingest() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let docs: Vec<Vec<u8>> = (0..400).map(|_| document().new_tree(&mut runner).unwrap().current()).collect();
    for (format, name) in formats() {
        let ok = docs
            .iter()
            .filter(|d| ingest_bytes(Path::new(name), d, &format, &IngestContext::default()).is_ok())
            .count();
        println!("{name}: {ok} of {} stored", docs.len());
        assert!((20..=380).contains(&ok), "{name}: {ok} of {} stored", docs.len());
    }
}
