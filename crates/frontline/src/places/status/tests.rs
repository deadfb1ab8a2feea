//! The status table against hand-computed fractions, distances and dates.

#![allow(clippy::unwrap_used)]

use super::distance::ecef;
use super::sweep::sweep_chunk;
use super::*;
use crate::geodesy;
use geo::{polygon, Coord, Polygon, Rect};

use crate::model::SourceId;
use crate::places::gazetteer::{geodesic_disc, FootprintKind, Place};
use chrono::TimeZone;
use geographiclib_rs::DirectGeodesic;

fn place(name: &str, point: Coord<f64>, footprint: Polygon<f64>, kind: FootprintKind) -> Place {
    Place::for_test(name, point, footprint, kind)
}

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Polygon<f64> {
    polygon![(x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1)]
}

fn snapshot(day: u32, occupied: MultiPolygon<f64>) -> Snapshot {
    let mut s = Snapshot {
        source: SourceId::new("test"),
        taken_at: chrono::Utc.with_ymd_and_hms(2025, 1, day, 3, 0, 0).unwrap(),
        layers: vec![],
    };
    s.set_layer(ControlClass::Occupied, occupied);
    s
}

fn offset(c: Coord<f64>, azimuth: f64, m: f64) -> Coord<f64> {
    let (lat, lon): (f64, f64) = geodesy::wgs84().direct(c.y, c.x, azimuth, m);
    Coord { x: lon, y: lat }
}

/// Polygon footprint: the rectangle [37.00, 37.02] x [48.00, 48.01].
/// Hostile west of 37.005 covers a quarter of its width, so a quarter
/// of its area (lon/lat rectangles in one latitude band have areas
/// proportional to their width); hostile over all of it but a
/// 0.005° x 0.005° hole leaves 1 - 0.125.
#[test]
fn polygon_footprint_fractions() {
    let fp = rect(37.00, 48.00, 37.02, 48.01);
    let g = Gazetteer::from_places(vec![place("Rect", Coord { x: 37.0125, y: 48.005 }, fp, FootprintKind::OsmPolygon)]);
    let quarter = MultiPolygon::new(vec![rect(36.9, 47.9, 37.005, 48.1)]);
    let holed = MultiPolygon::new(vec![Polygon::new(
        rect(36.9, 47.9, 37.1, 48.1).exterior().clone(),
        vec![rect(37.01, 48.0025, 37.015, 48.0075).exterior().clone()],
    )]);
    let t = StatusTable::compute(&g, &[snapshot(1, quarter), snapshot(2, holed)]).unwrap();
    assert!((t.occupied_fraction(0, 0) - 0.25).abs() < 1e-5, "{}", t.occupied_fraction(0, 0));
    assert!((t.occupied_fraction(0, 1) - 0.875).abs() < 1e-5, "{}", t.occupied_fraction(0, 1));
    assert_eq!(t.status(0, 0), Status::Contested);
    assert_eq!(t.gray_fraction(0, 0), None, "no gray layer in these snapshots");
    // The point (37.0125, 48.005) is the hole's centre on day 2: the
    // nearest hostile ground is the hole's west or east side, 0.0025° of
    // longitude away (186 m at 48°N; north/south is 0.0025° of latitude, 278 m).
    let d = t.distance_m(0, 1).unwrap();
    let expected = geodesy::distance_m(Coord { x: 37.0125, y: 48.005 }, Coord { x: 37.01, y: 48.005 });
    assert!((185.0..187.0).contains(&expected));
    assert!((d - expected).abs() < 1.0, "{d} vs {expected}");
}

/// Disc footprint of radius r = 3 km. A hostile edge along the meridian
/// through its centre halves it (the disc is symmetric about the
/// meridian, a geodesic); one r/2 east of the centre leaves uncovered the
/// circular segment beyond the chord, (θ - sin θ)/2π of the disc with
/// θ = 2 acos(1/2), so 1 - 0.19550 is occupied (the 64-gon differs from
/// the circle by under 0.2 %).
#[test]
fn disc_footprint_fractions() {
    let c = Coord { x: 37.0, y: 48.0 };
    let g = Gazetteer::from_places(vec![place(
        "Disc",
        c,
        geodesic_disc(c, 3_000.0),
        FootprintKind::PopulationDisc { radius_m: 3_000.0, cut: false },
    )]);
    let half = MultiPolygon::new(vec![rect(36.5, 47.5, 37.0, 48.5)]);
    let chord_x = offset(c, 90.0, 1_500.0).x;
    let most = MultiPolygon::new(vec![rect(36.5, 47.5, chord_x, 48.5)]);
    let t = StatusTable::compute(&g, &[snapshot(1, half), snapshot(2, most)]).unwrap();
    assert!((t.occupied_fraction(0, 0) - 0.5).abs() < 1e-6, "{}", t.occupied_fraction(0, 0));
    let theta = 2.0 * (0.5_f64).acos();
    let expected = 1.0 - (theta - theta.sin()) / (2.0 * std::f64::consts::PI);
    assert!((expected - 0.80450).abs() < 1e-5);
    let f = t.occupied_fraction(0, 1);
    assert!((f - expected).abs() < 2e-3, "{f} vs {expected}");
    // The centre is on the hostile edge on day 1 and inside on day 2.
    assert_eq!(t.distance_m(0, 1), Some(0.0));
}

/// A gray layer is measured like the occupied one: half of a disc
/// under gray, none occupied, is contested (measures.md: held needs
/// gray < 5 %); the distance ignores gray (hostile = occupied).
#[test]
fn gray_fraction_and_contested_status() {
    let c = Coord { x: 37.0, y: 48.0 };
    let g = Gazetteer::from_places(vec![place(
        "Disc",
        c,
        geodesic_disc(c, 3_000.0),
        FootprintKind::PopulationDisc { radius_m: 3_000.0, cut: false },
    )]);
    let mut s = snapshot(1, MultiPolygon::new(vec![rect(36.0, 47.0, 36.5, 49.0)]));
    s.set_layer(ControlClass::Gray, MultiPolygon::new(vec![rect(36.5, 47.5, 37.0, 48.5)]));
    let t = StatusTable::compute(&g, &[s]).unwrap();
    let gray = t.gray_fraction(0, 0).unwrap();
    assert!((gray - 0.5).abs() < 1e-6, "{gray}");
    assert_eq!(t.occupied_fraction(0, 0), 0.0);
    assert_eq!(t.status(0, 0), Status::Contested);
    // Nearest occupied ground: the meridian 36.5°, 0.5° of longitude west.
    let expected = geodesy::distance_m(c, Coord { x: 36.5, y: 48.0 });
    let d = t.distance_m(0, 0).unwrap();
    assert!((d - expected).abs() < 1.0, "{d} vs {expected}");
}

/// Distance to a hostile edge along a meridian from a point 1 km due
/// east of it: the geodesic leaving the meridian at a right angle is
/// the perpendicular, so exactly 1 km.
#[test]
fn distance_to_a_meridian_edge() {
    let foot = Coord { x: 37.0, y: 48.0 };
    let p = offset(foot, 90.0, 1_000.0);
    let far = offset(foot, 90.0, 250_000.0);
    let g = Gazetteer::from_places(vec![
        place("Near", p, geodesic_disc(p, 1_500.0), FootprintKind::PopulationDisc { radius_m: 1_500.0, cut: false }),
        place("Far", far, geodesic_disc(far, 1_500.0), FootprintKind::PopulationDisc { radius_m: 1_500.0, cut: false }),
    ]);
    let hostile = MultiPolygon::new(vec![rect(36.0, 47.0, 37.0, 49.0)]);
    let t = StatusTable::compute(&g, &[snapshot(1, hostile)]).unwrap();
    let d = t.distance_m(0, 0).unwrap();
    assert!((d - 1_000.0).abs() < 1.0, "{d}");
    let d = t.distance_m(1, 0).unwrap();
    assert!((d - 250_000.0).abs() < 10.0, "{d}");
    // The 1.5 km disc reaches 500 m over the edge: a circular segment
    // with θ = 2 acos(2/3), (θ - sin θ)/2π = 0.10955 of the disc.
    let f = t.occupied_fraction(0, 0);
    assert!((f - 0.10955).abs() < 1e-3, "{f}");
    assert_eq!(t.occupied_fraction(1, 0), 0.0);
}

/// The persistence rule on maps: a one-day flicker over a town is not a
/// capture; three days are; three days free again are a retake.
#[test]
fn capture_flicker_and_retake_on_maps() {
    let c = Coord { x: 37.0, y: 48.0 };
    let g = Gazetteer::from_places(vec![place(
        "Town",
        c,
        geodesic_disc(c, 1_500.0),
        FootprintKind::PopulationDisc { radius_m: 1_500.0, cut: false },
    )]);
    let over = MultiPolygon::new(vec![rect(36.9, 47.9, 37.1, 48.1)]);
    let away = MultiPolygon::new(vec![rect(36.0, 47.0, 36.5, 47.5)]);
    let pattern = [false, true, false, false, true, true, true, true, false, false, false, true];
    let snaps: Vec<Snapshot> = pattern
        .iter()
        .enumerate()
        .map(|(i, &o)| snapshot(i as u32 + 1, if o { over.clone() } else { away.clone() }))
        .collect();
    let t = StatusTable::compute(&g, &snaps).unwrap();
    let changes = t.control_changes(0, CaptureRule::default());
    let got: Vec<(u32, Direction)> = changes.iter().map(|c| (chrono::Datelike::day(&c.date), c.direction)).collect();
    assert_eq!(got, vec![(5, Direction::Captured), (9, Direction::Retaken)]);
    let tl = t.timeline(0);
    let to: Vec<Status> = tl.iter().map(|s| s.to).collect();
    assert_eq!(to, vec![Status::Held, Status::Occupied, Status::Held]);
    let hands = t
        .changed_hands(
            &g,
            chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            chrono::NaiveDate::from_ymd_opt(2025, 1, 6).unwrap(),
            CaptureRule::default(),
        )
        .unwrap();
    assert_eq!(hands.len(), 1);
    assert_eq!(hands[0].change.direction, Direction::Captured);
}

/// Skipping unchanged settlements gives the same table as computing
/// every snapshot from scratch: a hostile wedge advancing over a grid of
/// towns, one step a day, with a day that jumps a whole block.
#[test]
fn incremental_sweep_equals_full_recomputation() {
    let mut places = vec![];
    for i in 0..8 {
        for j in 0..6 {
            let c = Coord { x: 37.0 + 0.05 * i as f64, y: 48.0 + 0.04 * j as f64 };
            places.push(place(
                &format!("t{i}{j}"),
                c,
                geodesic_disc(c, 1_500.0),
                FootprintKind::PopulationDisc { radius_m: 1_500.0, cut: false },
            ));
        }
    }
    let g = Gazetteer::from_places(places);
    let targets: Vec<Target> = g
        .places()
        .iter()
        .map(|p| Target::new(&p.footprint.geometry, p.footprint.area_m2, p.point()).unwrap())
        .collect();
    let mut layers = vec![];
    for day in 0..12 {
        let x = 36.95 + 0.031 * day as f64;
        let mut polys = vec![
            polygon![(x: 36.5, y: 47.8), (x: x, y: 47.8), (x: x + 0.07, y: 48.1), (x: x, y: 48.4), (x: 36.5, y: 48.4)],
        ];
        if day >= 6 {
            polys.push(rect(37.28, 48.05, 37.42, 48.13));
        }
        layers.push(MultiPolygon::new(polys));
    }
    let refs: Vec<&MultiPolygon<f64>> = layers.iter().collect();
    let (f_inc, d_inc) = sweep_chunk(&targets, &refs, true);
    for (k, layer) in refs.iter().enumerate() {
        let (f_full, d_full) = sweep_chunk(&targets, &[*layer], true);
        assert_eq!(f_inc[k], f_full[0], "fractions, day {k}");
        assert_eq!(d_inc[k], d_full[0], "distances, day {k}");
    }
    // The wedge does cover towns partly and wholly on the way.
    assert!(f_inc[11].iter().any(|f| *f > 0.0 && *f < 1.0));
    assert!(f_inc[11].contains(&1.0));
}

#[test]
fn persistence_rule() {
    let t = true;
    let f = false;
    // A one-snapshot flicker is not a capture.
    assert_eq!(persistent_runs(&[f, f, t, f, f, f], 3, false), vec![]);
    // Two is not either; three is, dated at its first snapshot.
    assert_eq!(persistent_runs(&[f, t, t, f, t, t, t], 3, false), vec![(4, true)]);
    // Capture then retake, each by the rule.
    assert_eq!(persistent_runs(&[f, t, t, t, f, t, f, f, f, f], 3, false), vec![(1, true), (6, false)]);
    // Held from the start: a capture at index 0.
    assert_eq!(persistent_runs(&[t, t, t], 3, false), vec![(0, true)]);
    // A run still too short at the end is not a change yet.
    assert_eq!(persistent_runs(&[f, f, t, t], 3, false), vec![]);
}

#[test]
fn status_thresholds() {
    assert_eq!(Status::of(0.0, 0.0), Status::Held);
    assert_eq!(Status::of(0.049, 0.049), Status::Held);
    assert_eq!(Status::of(0.05, 0.0), Status::Contested);
    assert_eq!(Status::of(0.0, 0.3), Status::Contested);
    assert_eq!(Status::of(0.95, 0.0), Status::Occupied);
}

#[test]
fn rect_clip_keeps_the_area_inside() {
    // An L-shaped ring (area 3 unit squares) clipped to [0.5, 1.5]²:
    // the part inside is 3/4 of the rectangle (the L misses the top-right quarter).
    let l = polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 1.0), (x: 1.0, y: 1.0), (x: 1.0, y: 2.0), (x: 0.0, y: 2.0)];
    let r = Rect::new(Coord { x: 0.5, y: 0.5 }, Coord { x: 1.5, y: 1.5 });
    let clipped = crate::overlay::crop_to_rect(&MultiPolygon::new(vec![l]), r);
    let area = geo::Area::unsigned_area(&clipped);
    assert!((area - 0.75).abs() < 1e-12, "{area}");
}

#[test]
fn ecef_of_the_equator_and_pole() {
    let e = ecef(Coord { x: 0.0, y: 0.0 });
    assert!((e[0] - 6_378_137.0).abs() < 1e-6 && e[1].abs() < 1e-6 && e[2].abs() < 1e-6);
    let n = ecef(Coord { x: 0.0, y: 90.0 });
    // The polar radius b = a(1 - f) = 6,356,752.314 m.
    assert!((n[2] - 6_356_752.314).abs() < 1e-3, "{}", n[2]);
}
