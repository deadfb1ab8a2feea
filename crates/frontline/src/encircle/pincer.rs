//! The hostile points that pinch the corridor at its neck: the nearest one,
//! and the nearest on the far side of the neck (metres, in the place's
//! projection).

use super::raster::Rings;
use geo::Coord;

pub(super) fn lonlat(c: Coord<f64>) -> [f64; 2] {
    [c.x, c.y]
}

fn edges(rings: &Rings) -> impl Iterator<Item = (Coord<f64>, Coord<f64>)> + '_ {
    rings.iter().flat_map(|r| (0..r.len()).map(move |e| (r[e], r[(e + 1) % r.len()])))
}

/// The nearest point to `p` on any ring edge.
pub(super) fn nearest_point(rings: &Rings, p: Coord<f64>) -> Option<Coord<f64>> {
    let mut near: Option<(f64, Coord<f64>)> = None;
    for (a, b) in edges(rings) {
        let q = closest_on_segment(a, b, 0.0, 1.0, p);
        let d = dist2(q, p);
        if near.is_none_or(|(bd, _)| d < bd) {
            near = Some((d, q));
        }
    }
    near.map(|n| n.1)
}

/// The nearest point to `p` on the part of the ring edges in the half-plane
/// facing away from `near`: {q : (q - p)·(near - p) <= 0}.
pub(super) fn farthest_side_point(rings: &Rings, p: Coord<f64>, near: Coord<f64>) -> Option<Coord<f64>> {
    let u = near - p;
    let mut far: Option<(f64, Coord<f64>)> = None;
    for (a, b) in edges(rings) {
        // s(t) = (a + t (b - a) - p)·u is linear in t: keep the t where s <= 0.
        let sa = (a - p).x * u.x + (a - p).y * u.y;
        let sb = (b - p).x * u.x + (b - p).y * u.y;
        let (t0, t1) = match (sa <= 0.0, sb <= 0.0) {
            (true, true) => (0.0, 1.0),
            (false, false) => continue,
            (true, false) => (0.0, sa / (sa - sb)),
            (false, true) => (sa / (sa - sb), 1.0),
        };
        let q = closest_on_segment(a, b, t0, t1, p);
        let d = dist2(q, p);
        if far.is_none_or(|(bd, _)| d < bd) {
            far = Some((d, q));
        }
    }
    far.map(|f| f.1)
}

fn dist2(a: Coord<f64>, b: Coord<f64>) -> f64 {
    (a.x - b.x).powi(2) + (a.y - b.y).powi(2)
}

/// The point of segment a + t (b - a), t in [t0, t1], nearest to p.
fn closest_on_segment(a: Coord<f64>, b: Coord<f64>, t0: f64, t1: f64, p: Coord<f64>) -> Coord<f64> {
    let d = b - a;
    let len2 = d.x * d.x + d.y * d.y;
    let t = if len2 > 0.0 { (((p - a).x * d.x + (p - a).y * d.y) / len2).clamp(t0, t1) } else { t0 };
    a + d * t
}
