//! What is at a point on a snapshot, for the web map's click: the class the
//! map draws there, the distance to the frontline and the nearest
//! settlement. Distances are geodesic (WGS84); the nearest segment of the
//! frontline is found in the local plane of the point, then measured on
//! the ellipsoid.

use crate::front::local::LocalPlane;
use crate::geodesy::distance_m;
use crate::model::{ControlClass, Snapshot};
use crate::places::{Gazetteer, PlaceId};
use geo::{Contains, Coord, MultiLineString, Point};

/// The class a snapshot draws at a point (the first layer containing it, in
/// class order: occupied before gray before liberated), or None.
pub fn class_at(snapshot: &Snapshot, at: Coord<f64>) -> Option<ControlClass> {
    let p = Point::from(at);
    snapshot.layers.iter().find(|l| l.geometry.contains(&p)).map(|l| l.class)
}

/// The geodesic distance in metres from a point to the nearest point of a
/// set of lines (None for no lines).
///
/// The nearest point is chosen in the local plane of `at`; beyond a few
/// hundred kilometres the plane's distortion could pick a slightly farther
/// segment, but the distance reported is always the geodesic to a point on
/// the line, so it is never shorter than the truth.
pub fn distance_to_lines_m(at: Coord<f64>, lines: &MultiLineString<f64>) -> Option<f64> {
    let plane = LocalPlane::at(at);
    let origin = Coord { x: 0.0, y: 0.0 };
    let mut best: Option<(f64, Coord<f64>)> = None;
    for line in &lines.0 {
        for seg in line.lines() {
            let (c, d) = (plane.metres(seg.start), plane.metres(seg.end));
            let cd = d - c;
            let len2 = cd.x * cd.x + cd.y * cd.y;
            let t = if len2 > 0.0 { ((origin - c).x * cd.x + (origin - c).y * cd.y) / len2 } else { 0.0 };
            let t = t.clamp(0.0, 1.0);
            let q = c + cd * t;
            let planar = (q.x * q.x + q.y * q.y).sqrt();
            if best.is_none_or(|(b, _)| planar < b) {
                best = Some((planar, seg.start + (seg.end - seg.start) * t));
            }
        }
    }
    best.map(|(_, q)| distance_m(at, q))
}

/// The settlement nearest to a point among those of at least
/// `min_population` people, with its geodesic distance in metres.
pub fn nearest_place(gazetteer: &Gazetteer, at: Coord<f64>, min_population: u64) -> Option<(PlaceId, f64)> {
    // Ranked in the local plane (cheap), the winner measured geodesically.
    let plane = LocalPlane::at(at);
    gazetteer
        .places()
        .iter()
        .filter(|p| p.population >= min_population)
        .map(|p| {
            let m = plane.metres(p.point());
            (p.id, m.x * m.x + m.y * m.y)
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .and_then(|(id, _)| gazetteer.place(id).map(|p| (id, distance_m(at, p.point()))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{line_string, polygon, MultiPolygon};

    #[test]
    fn distance_to_a_meridian_is_the_arc_of_longitude() {
        // A north-south line at 37.0°E; the point at 37.1°E, 48°N. One tenth
        // of a degree of longitude at 48°N on WGS84: (π/180)·N·cos φ·0.1 with
        // N = a/√(1−e² sin² φ) = 6,389,960.0 m → 7,462.5 m (hand calculation;
        // pyproj's Geod.inv to the nearest point of the meridian agrees to 1 cm).
        let lines = MultiLineString(vec![line_string![(x: 37.0, y: 47.0), (x: 37.0, y: 49.0)]]);
        let d = distance_to_lines_m(Coord { x: 37.1, y: 48.0 }, &lines).unwrap();
        assert!((d - 7_462.5).abs() < 0.5, "{d}");
        assert_eq!(distance_to_lines_m(Coord { x: 37.1, y: 48.0 }, &MultiLineString(vec![])), None);
    }

    #[test]
    fn class_at_reads_the_layer_under_the_point() {
        let sq = |x0: f64| {
            MultiPolygon(vec![polygon![(x: x0, y: 0.0), (x: x0 + 1.0, y: 0.0), (x: x0 + 1.0, y: 1.0), (x: x0, y: 1.0)]])
        };
        let s = Snapshot {
            source: crate::SourceId("test".to_string()),
            taken_at: chrono::DateTime::from_timestamp(0, 0).unwrap(),
            layers: vec![
                crate::Layer { class: ControlClass::Occupied, geometry: sq(0.0) },
                crate::Layer { class: ControlClass::Gray, geometry: sq(1.0) },
            ],
        };
        assert_eq!(class_at(&s, Coord { x: 0.5, y: 0.5 }), Some(ControlClass::Occupied));
        assert_eq!(class_at(&s, Coord { x: 1.5, y: 0.5 }), Some(ControlClass::Gray));
        assert_eq!(class_at(&s, Coord { x: 2.5, y: 0.5 }), None);
    }
}
