//! Synthetic geometry with analytic answers, built in metres around the place
//! and carried to lon/lat through the exact projection.

#![allow(clippy::unwrap_used)] // tests may unwrap

use super::*;
use crate::error::Error;
use crate::model::{ControlClass, Snapshot};
use crate::regions::Territory;
use chrono::NaiveDate;
use geo::{coord, BooleanOps, LineString, Polygon};
use geo::{Coord, MultiPolygon};

const KM: f64 = 1000.0;

fn rect_m(x0: f64, y0: f64, x1: f64, y1: f64) -> Polygon<f64> {
    Polygon::new(LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]), vec![])
}

/// Carries a metric geometry to lon/lat, with a vertex every 250 m at most
/// so that its straight metric edges stay straight to well under a metre.
fn to_lonlat(proj: &Aeqd, mp: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    let ring = |r: &LineString<f64>| {
        let mut out = vec![];
        for w in r.0.windows(2) {
            let steps = ((w[1] - w[0]).x.hypot((w[1] - w[0]).y) / 250.0).ceil().max(1.0) as usize;
            for s in 0..steps {
                out.push(proj.inverse(w[0] + (w[1] - w[0]) * (s as f64 / steps as f64)));
            }
        }
        out.push(out[0]);
        LineString::new(out)
    };
    MultiPolygon::new(
        mp.0.iter().map(|p| Polygon::new(ring(p.exterior()), p.interiors().iter().map(ring).collect())).collect(),
    )
}

/// A town (x in [-12, 12] km, y in [-10, 10] km) ringed by hostile ground
/// out to x in [-18, 42], y in [-30, 30] km, with a channel westward through
/// the ring of width `gap_km` whose midline is at `mid_km`. The rear (25 km
/// from hostile ground) begins 25 km west of the ring. No channel if
/// `gap_km` is 0.
fn ring_with_gap(gap_km: f64, mid_km: f64) -> MultiPolygon<f64> {
    let outer = MultiPolygon::new(vec![rect_m(-18.0 * KM, -30.0 * KM, 42.0 * KM, 30.0 * KM)]);
    let mut cut = MultiPolygon::new(vec![rect_m(-12.0 * KM, -10.0 * KM, 12.0 * KM, 10.0 * KM)]);
    if gap_km > 0.0 {
        let lo = (mid_km - gap_km / 2.0) * KM;
        let hi = (mid_km + gap_km / 2.0) * KM;
        cut = cut.union(&rect_m(-19.0 * KM, lo, -11.0 * KM, hi));
    }
    outer.difference(&cut)
}

/// Reference territory: a 400 km square around the place.
fn reference(proj: &Aeqd) -> Territory {
    let sq = MultiPolygon::new(vec![rect_m(-200.0 * KM, -200.0 * KM, 200.0 * KM, 200.0 * KM)]);
    Territory::new("test square", to_lonlat(proj, &sq))
}

fn width_at(place: Coord<f64>, gap_km: f64, mid_km: f64) -> Corridor {
    let proj = Aeqd::new(place);
    let reference = reference(&proj);
    let hostile = to_lonlat(&proj, &ring_with_gap(gap_km, mid_km));
    let frame = CorridorFrame::new(&reference, place, CorridorParams::default()).unwrap();
    frame.corridor(&[&hostile])
}

const POKROVSK: Coord<f64> = coord! {x: 37.18, y: 48.283};

#[test]
fn a_three_km_gap_is_three_km_wide() {
    let h = CorridorParams::default().resolution_m;
    for mid_km in [0.0, 0.1, 3.37] {
        let c = width_at(POKROVSK, 3.0, mid_km);
        assert_eq!(c.state, CorridorState::Open, "mid {mid_km}");
        let w = c.width_m.unwrap();
        // Straight walls: the width lies in [g - h, g] (module docs).
        assert!(w <= 3000.0 + 1e-3 && w >= 3000.0 - h, "mid {mid_km}: {w}");
        // The pincer points lie on the two walls, straight across: 3.0 km apart.
        let gap = c.pincer.unwrap().gap_m.unwrap();
        assert!((gap - 3000.0).abs() < 1.0, "mid {mid_km}: gap {gap}");
        // The neck is in the channel, 12..18 km west of the place.
        let proj = Aeqd::new(POKROVSK);
        let neck = proj.forward(coord! {x: c.neck.unwrap()[0], y: c.neck.unwrap()[1]});
        assert!(neck.x > -18.0 * KM - h && neck.x < -12.0 * KM + h, "{neck:?}");
        assert!((neck.y - mid_km * KM).abs() <= h, "{neck:?}");
        // The path starts within the seed radius and ends in the rear.
        let first = proj.forward(coord! {x: c.path[0][0], y: c.path[0][1]});
        let last = c.path.last().unwrap();
        let last = proj.forward(coord! {x: last[0], y: last[1]});
        assert!(first.x.hypot(first.y) <= 5.0 * KM + 1e-6, "{first:?}");
        // Its distance to the ring's outer box (hostile ground) is the rear
        // clearance, less up to a cell (the raster measures from hostile
        // cell centres).
        let dx = (-18.0 * KM - last.x).max(last.x - 42.0 * KM).max(0.0);
        let dy = (-30.0 * KM - last.y).max(last.y - 30.0 * KM).max(0.0);
        assert!(dx.hypot(dy) >= 25.0 * KM - h, "{last:?}");
    }
}

#[test]
fn the_width_does_not_depend_on_latitude() {
    let at48 = width_at(coord! {x: 37.18, y: 48.0}, 3.0, 0.1);
    let at60 = width_at(coord! {x: 37.18, y: 60.0}, 3.0, 0.1);
    let (w48, w60) = (at48.width_m.unwrap(), at60.width_m.unwrap());
    // The analytic width, less at most a cell (3.0 km gap, midline off the lattice).
    assert!((2750.0..=3000.0).contains(&w48), "{w48}");
    assert!((w48 - w60).abs() < 1.0, "{w48} vs {w60}");
}

#[test]
fn a_ringed_town_is_a_pocket() {
    let proj = Aeqd::new(POKROVSK);
    let reference = reference(&proj);
    let hostile = to_lonlat(&proj, &ring_with_gap(0.0, 0.0));
    let frame = CorridorFrame::new(&reference, POKROVSK, CorridorParams::default()).unwrap();
    let c = frame.corridor(&[&hostile]);
    assert_eq!(c.state, CorridorState::Encircled);
    assert_eq!(c.width_m, Some(0.0));
    let parts = pockets(&reference, &[&hostile]);
    assert_eq!(parts.pockets.len(), 1);
    let pocket = &parts.pockets[0];
    assert!(pocket.contains(POKROVSK));
    // 24 km x 20 km = 480 km² (the projection's areal scale error here is ~1e-6).
    assert!((pocket.area_km2 - 480.0).abs() < 0.05, "{}", pocket.area_km2);
    // Main body: the 400 km square less the ring's outer 60 km x 60 km.
    let main = 400.0 * 400.0 - 60.0 * 60.0;
    assert!((parts.main_body_area_km2 - main).abs() / main < 1e-3, "{}", parts.main_body_area_km2);
    assert!(parts.pocket_at(coord! {x: 36.0, y: 48.0}).is_none());
}

#[test]
fn a_narrowing_gap_gives_a_narrowing_series() {
    let proj = Aeqd::new(POKROVSK);
    let reference = reference(&proj);
    let gaps_km = [6.0, 5.0, 4.0, 4.0, 3.0, 2.0, 1.0, 0.0];
    let hostile: Vec<MultiPolygon<f64>> = gaps_km.iter().map(|&g| to_lonlat(&proj, &ring_with_gap(g, 0.3))).collect();
    let layers: Vec<Vec<&MultiPolygon<f64>>> = hostile.iter().map(|h| vec![h]).collect();
    let d0 = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
    let dates: Vec<NaiveDate> = (0..gaps_km.len() as u64).map(|i| d0 + chrono::Days::new(7 * i)).collect();
    let frame = CorridorFrame::new(&reference, POKROVSK, CorridorParams::default()).unwrap();
    let series = frame.series_of(&dates, &layers);
    let widths: Vec<f64> = series.iter().map(|p| p.corridor.width_m.unwrap()).collect();
    for (w, g) in widths.iter().zip(gaps_km) {
        assert!(*w <= g * KM + 1e-3 && *w >= g * KM - 250.0, "{widths:?}");
    }
    assert!(widths.windows(2).all(|w| w[1] <= w[0]), "{widths:?}");
    assert_eq!(series.last().unwrap().corridor.state, CorridorState::Encircled);
    // The repeated 4 km geometry reuses the previous result.
    let reused: Vec<bool> = series.iter().map(|p| p.reused).collect();
    assert_eq!(reused, [false, false, false, true, false, false, false, false]);
    assert_eq!(series[1].date, d0 + chrono::Days::new(7));
}

#[test]
fn far_from_hostile_ground_the_place_is_in_the_rear() {
    let proj = Aeqd::new(POKROVSK);
    let reference = reference(&proj);
    let none = MultiPolygon::new(vec![]);
    let frame = CorridorFrame::new(&reference, POKROVSK, CorridorParams::default()).unwrap();
    let c = frame.corridor(&[&none]);
    assert_eq!(c.state, CorridorState::Rear);
    assert_eq!(c.width_m, Some(50_000.0));
    // Inside hostile ground, nothing friendly within 5 km: occupied.
    let all = to_lonlat(&proj, &MultiPolygon::new(vec![rect_m(-20.0 * KM, -20.0 * KM, 20.0 * KM, 20.0 * KM)]));
    assert_eq!(frame.corridor(&[&all]).state, CorridorState::Occupied);
}

#[test]
fn bad_parameters_are_refused() {
    let proj = Aeqd::new(POKROVSK);
    let reference = reference(&proj);
    for params in [
        CorridorParams { resolution_m: 0.0, ..Default::default() },
        CorridorParams { resolution_m: f64::NAN, ..Default::default() },
        CorridorParams { rear_clearance_m: -1.0, ..Default::default() },
        CorridorParams { window_half_size_m: 100.0, ..Default::default() },
        CorridorParams { seed_radius_m: 70_000.0, ..Default::default() },
        CorridorParams { resolution_m: 1.0, ..Default::default() },
    ] {
        let e = CorridorFrame::new(&reference, POKROVSK, params).err();
        assert!(matches!(e, Some(Error::Request(_))), "{params:?}");
    }
}

#[test]
fn the_clearance_field_measures_distance_to_the_ring() {
    let proj = Aeqd::new(POKROVSK);
    let reference = reference(&proj);
    let hostile = to_lonlat(&proj, &ring_with_gap(3.0, 0.0));
    let frame = CorridorFrame::new(&reference, POKROVSK, CorridorParams::default()).unwrap();
    let field = frame.clearance_field(&[&hostile]);
    let n = field.cells_per_side;
    let c = (n - 1) / 2;
    // The place: 10 km from the inner box's north and south walls (y = ±10 km),
    // 12 km from its east and west walls: 10 km, within a cell.
    let at_place = f64::from(field.clearance_m[c * n + c]);
    assert!((at_place - 10_000.0).abs() <= 250.0, "{at_place}");
    // 30 km west of the place: 12 km west of the ring's outer wall (x = -18 km).
    let west = f64::from(field.clearance_m[c * n + c - 120]);
    assert!((west - 12_000.0).abs() <= 250.0, "{west}");
    // Inside the ring (x = 20 km): hostile, 0.
    assert_eq!(field.clearance_m[c * n + c + 80], 0.0);
    let ll = frame.cell_centre_lonlat(c * n + c);
    assert!((ll[0] - POKROVSK.x).abs() < 1e-9 && (ll[1] - POKROVSK.y).abs() < 1e-9);
}

#[test]
fn gray_counts_only_with_gray_and_overlaps_do_not_cancel() {
    let proj = Aeqd::new(POKROVSK);
    let reference = reference(&proj);
    // Occupied: the ring with a 6 km channel (y from -3 to 3 km). Gray: a
    // block narrowing it from below (y from -3 to -1 km) and a strip that
    // repeats part of the occupied wall above it (y from 3 to 4 km): ground
    // in both layers must stay hostile (an even-odd fill over both layers
    // together would clear that strip and widen the channel to 5 km).
    let occupied = to_lonlat(&proj, &ring_with_gap(6.0, 0.0));
    let gray = to_lonlat(
        &proj,
        &MultiPolygon::new(vec![
            rect_m(-18.0 * KM, -3.0 * KM, -12.0 * KM, -KM),
            rect_m(-18.0 * KM, 3.0 * KM, -12.0 * KM, 4.0 * KM),
        ]),
    );
    let mut snapshot =
        Snapshot { source: crate::SourceId::new("test"), taken_at: chrono::DateTime::default(), layers: vec![] };
    snapshot.set_layer(ControlClass::Occupied, occupied);
    snapshot.set_layer(ControlClass::Gray, gray);
    let without = corridor(&reference, &snapshot, POKROVSK, CorridorParams::default()).unwrap();
    let params = CorridorParams { with_gray: true, ..Default::default() };
    let with = corridor(&reference, &snapshot, POKROVSK, params).unwrap();
    let (w0, w1) = (without.width_m.unwrap(), with.width_m.unwrap());
    assert!((5750.0..=6000.0).contains(&w0), "{w0}");
    // With gray the channel is y in [-1, 3] km: 4 km.
    assert!((3750.0..=4000.0).contains(&w1), "{w1}");
}

/// A polygon from metric vertices (closed here).
fn poly_m(pts: &[(f64, f64)]) -> Polygon<f64> {
    let mut v: Vec<(f64, f64)> = pts.iter().map(|&(x, y)| (x * KM, y * KM)).collect();
    v.push(v[0]);
    Polygon::new(LineString::from(v), vec![])
}

/// A town ringed on three sides: hostile ground fills x in [-14, 14],
/// y in [-14, 20] km except a 12 km pocket around the town (|x|, |y| <= 6)
/// and a channel north out of it between two fingers 3.0 km apart
/// (|x| <= 1.5, y from 0 to 20). The rear (25 km from hostile ground)
/// starts at y = 44.95 km due north (the fingers' tips at (±1.5, 20)).
fn fingers() -> MultiPolygon<f64> {
    let outer = MultiPolygon::new(vec![rect_m(-14.0 * KM, -14.0 * KM, 14.0 * KM, 20.0 * KM)]);
    let cut = MultiPolygon::new(vec![rect_m(-6.0 * KM, -6.0 * KM, 6.0 * KM, 6.0 * KM)])
        .union(&MultiPolygon::new(vec![rect_m(-1.5 * KM, 0.0, 1.5 * KM, 21.0 * KM)]));
    outer.difference(&cut)
}

fn corridor_from_area(place: Coord<f64>, hostile_m: &MultiPolygon<f64>, town_m: &MultiPolygon<f64>) -> Corridor {
    let proj = Aeqd::new(place);
    let reference = reference(&proj);
    let hostile = to_lonlat(&proj, hostile_m);
    let town = to_lonlat(&proj, town_m);
    let frame = CorridorFrame::for_area(&reference, &town, CorridorParams::default()).unwrap();
    // The frame is centred on the town's centroid (lon/lat, planar): the
    // place here, to a metre or so at 60° N.
    let centre = frame.projection().centre;
    assert!(crate::geodesy::distance_m(centre, place) < 5.0, "{centre:?}");
    frame.corridor(&[&hostile])
}

#[test]
fn the_pincer_gap_between_two_fingers_is_their_distance_whatever_the_town_size() {
    let h = CorridorParams::default().resolution_m;
    for lat in [48.0, 60.0] {
        let place = coord! {x: 37.18, y: lat};
        let proj = Aeqd::new(place);
        for half_km in [1.0, 3.0, 5.0] {
            let town = MultiPolygon::new(vec![rect_m(-half_km * KM, -half_km * KM, half_km * KM, half_km * KM)]);
            let c = corridor_from_area(place, &fingers(), &town);
            let what = format!("lat {lat}, town {half_km} km");
            assert_eq!(c.state, CorridorState::Open, "{what}");
            assert!(c.params.from_area, "{what}");
            let gap = c.gap.unwrap();
            // Hand calculation: the fingers are 3.0 km apart.
            assert!((gap.gap_m - 3000.0).abs() <= h, "{what}: gap {}", gap.gap_m);
            // Its ends lie on the fingers' inner walls, west (left, walking
            // north) and east, somewhere along the channel.
            let (l, r) = (
                proj.forward(coord! {x: gap.left[0], y: gap.left[1]}),
                proj.forward(coord! {x: gap.right[0], y: gap.right[1]}),
            );
            assert!((l.x + 1500.0).abs() <= h && (r.x - 1500.0).abs() <= h, "{what}: {l:?} {r:?}");
            assert!(l.y >= 6.0 * KM - h && l.y <= 20.0 * KM + h, "{what}: {l:?}");
            // Straight walls: the width lies in [g - h, g] (module docs).
            let w = c.width_m.unwrap();
            assert!((3000.0 - h..=3000.0 + 1e-3).contains(&w), "{what}: width {w}");
            // From the town's north edge (y = half) due north to the rear at
            // y = 44.95 km (sqrt(25² - 1.5²) + 20).
            let expected = (25.0f64.powi(2) - 1.5f64.powi(2)).sqrt() * KM + 20.0 * KM - half_km * KM;
            let len = c.length_m.unwrap();
            assert!((len - expected).abs() <= 2.0 * h, "{what}: length {len} vs {expected}");
        }
    }
}

/// A town (|x|, |y| <= 2 km) in a hostile-free pocket (|x| <= 5, y from -5
/// to 4 km); the way out is a channel that is 3.0 km wide at the pocket's
/// north wall (y = 4) and widens to 15 km at y = 30; hostile ground fills
/// |x| <= 20, y from -20 to 30 km around them. Inside the town two hostile
/// blocks leave a street 1 km wide.
fn funnel() -> (MultiPolygon<f64>, MultiPolygon<f64>) {
    let outer = MultiPolygon::new(vec![rect_m(-20.0 * KM, -20.0 * KM, 20.0 * KM, 30.0 * KM)]);
    let cut =
        MultiPolygon::new(vec![rect_m(-5.0 * KM, -5.0 * KM, 5.0 * KM, 4.0 * KM)]).union(&MultiPolygon::new(vec![
            poly_m(&[
                (-1.5, 3.9),
                (1.5, 3.9),
                (1.5, 4.0),
                (7.5, 30.0),
                (7.5, 31.0),
                (-7.5, 31.0),
                (-7.5, 30.0),
                (-1.5, 4.0),
            ]),
        ]));
    let blocks = MultiPolygon::new(vec![
        rect_m(-2.0 * KM, -0.5 * KM, -0.5 * KM, 0.5 * KM),
        rect_m(0.5 * KM, -0.5 * KM, 2.0 * KM, 0.5 * KM),
    ]);
    let town = MultiPolygon::new(vec![rect_m(-2.0 * KM, -2.0 * KM, 2.0 * KM, 2.0 * KM)]);
    (outer.difference(&cut).union(&blocks), town)
}

#[test]
fn a_widening_corridor_reports_its_narrowest_cross_section_not_the_town() {
    let h = CorridorParams::default().resolution_m;
    let (hostile_m, town_m) = funnel();
    for lat in [48.0, 60.0] {
        let place = coord! {x: 37.18, y: lat};
        let proj = Aeqd::new(place);
        let c = corridor_from_area(place, &hostile_m, &town_m);
        assert_eq!(c.state, CorridorState::Open, "lat {lat}");
        // The narrowest cross-section outside the town: the channel's mouth,
        // 3.0 km, between its two corners (±1.5, 4) km.
        let w = c.width_m.unwrap();
        assert!((3000.0 - h..=3000.0 + 1e-3).contains(&w), "lat {lat}: width {w}");
        let neck = c.neck.unwrap();
        let neck = proj.forward(coord! {x: neck[0], y: neck[1]});
        assert!(neck.x.abs() <= h && (neck.y - 4.0 * KM).abs() <= 2.0 * h, "lat {lat}: neck {neck:?}");
        let gap = c.gap.unwrap();
        assert!((gap.gap_m - 3000.0).abs() <= h, "lat {lat}: gap {}", gap.gap_m);
        let (l, r) = (
            proj.forward(coord! {x: gap.left[0], y: gap.left[1]}),
            proj.forward(coord! {x: gap.right[0], y: gap.right[1]}),
        );
        for (p, x) in [(l, -1500.0), (r, 1500.0)] {
            assert!((p.x - x).abs() <= h && (p.y - 4.0 * KM).abs() <= h, "lat {lat}: {l:?} {r:?}");
        }
        // The old definition, a path from the town's centre (a seed disc of
        // one cell), is held to the town's 1 km street.
        let reference = reference(&proj);
        let hostile = to_lonlat(&proj, &hostile_m);
        let params = CorridorParams { seed_radius_m: 0.0, ..Default::default() };
        let old = CorridorFrame::new(&reference, place, params).unwrap().corridor(&[&hostile]);
        let w_old = old.width_m.unwrap();
        assert!((1000.0 - h..=1000.0 + 1e-3).contains(&w_old), "lat {lat}: old width {w_old}");
    }
}

#[test]
fn a_town_cut_off_or_taken_is_encircled_or_occupied() {
    let place = POKROVSK;
    let town = MultiPolygon::new(vec![rect_m(-3.0 * KM, -3.0 * KM, 3.0 * KM, 3.0 * KM)]);
    // The ring of ring_with_gap without a channel holds the town (|x| <= 12, |y| <= 10 km).
    let c = corridor_from_area(place, &ring_with_gap(0.0, 0.0), &town);
    assert_eq!(c.state, CorridorState::Encircled);
    assert_eq!((c.width_m, c.gap), (Some(0.0), None));
    let all = MultiPolygon::new(vec![rect_m(-20.0 * KM, -20.0 * KM, 20.0 * KM, 20.0 * KM)]);
    assert_eq!(corridor_from_area(place, &all, &town).state, CorridorState::Occupied);
    // A town wider than the window is refused with a sentence.
    let proj = Aeqd::new(place);
    let huge = to_lonlat(&proj, &MultiPolygon::new(vec![rect_m(-70.0 * KM, -KM, 70.0 * KM, KM)]));
    let e = CorridorFrame::for_area(&reference(&proj), &huge, CorridorParams::default()).err();
    assert!(matches!(e, Some(Error::Request(ref m)) if m.contains("enlarge the window")), "{e:?}");
}
