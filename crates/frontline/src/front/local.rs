//! Metres near a point: the WGS84 local scale (metres per degree of
//! longitude and latitude), and distances from a moving point to a segment
//! in that local plane.
//!
//! Every use keeps the plane small (edges densified to a few km), so the
//! planar error is far below a metre while a geodesic call per test would
//! cost a hundred times more.

use geo::Coord;

const WGS84_A_M: f64 = 6_378_137.0;
const WGS84_F: f64 = 1.0 / 298.257_223_563;

/// Metres per degree of longitude and of latitude at a latitude (degrees),
/// from the WGS84 radii of curvature (prime vertical and meridian).
pub(crate) fn metres_per_degree(lat_deg: f64) -> (f64, f64) {
    let e2 = WGS84_F * (2.0 - WGS84_F);
    let phi = lat_deg.to_radians();
    let w2 = 1.0 - e2 * phi.sin().powi(2);
    let prime_vertical_m = WGS84_A_M / w2.sqrt();
    let meridian_m = WGS84_A_M * (1.0 - e2) / (w2 * w2.sqrt());
    let rad = std::f64::consts::PI / 180.0;
    (prime_vertical_m * phi.cos() * rad, meridian_m * rad)
}

/// A local plane around an origin: lon/lat to metres east and north.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LocalPlane {
    origin: Coord<f64>,
    m_per_deg_lon: f64,
    m_per_deg_lat: f64,
}

impl LocalPlane {
    pub(crate) fn at(origin: Coord<f64>) -> Self {
        let (m_per_deg_lon, m_per_deg_lat) = metres_per_degree(origin.y);
        LocalPlane { origin, m_per_deg_lon, m_per_deg_lat }
    }

    pub(crate) fn metres(self, c: Coord<f64>) -> Coord<f64> {
        Coord { x: (c.x - self.origin.x) * self.m_per_deg_lon, y: (c.y - self.origin.y) * self.m_per_deg_lat }
    }

    /// Half-widths in degrees (lon, lat) of a box that holds every point
    /// within `radius_m` of the origin, with a margin for the change of scale
    /// across the box.
    pub(crate) fn degrees_for(&self, radius_m: f64) -> (f64, f64) {
        (1.05 * radius_m / self.m_per_deg_lon, 1.01 * radius_m / self.m_per_deg_lat)
    }
}

/// Length in metres of a short segment: planar in the local plane at its
/// midpoint, within about (length / 6,371 km)² relative of the geodesic
/// (3 mm on 5 km); longer segments get the geodesic itself.
pub(crate) fn short_distance_m(a: Coord<f64>, b: Coord<f64>) -> f64 {
    let plane = LocalPlane::at(Coord { x: 0.5 * (a.x + b.x), y: 0.5 * (a.y + b.y) });
    let d = plane.metres(b) - plane.metres(a);
    let planar_m = (d.x * d.x + d.y * d.y).sqrt();
    if planar_m < 5_000.0 {
        planar_m
    } else {
        crate::geodesy::distance_m(a, b)
    }
}

fn dot(a: Coord<f64>, b: Coord<f64>) -> f64 {
    a.x * b.x + a.y * b.y
}

/// Distance in the plane from point `p` to segment `c`-`d`.
pub(crate) fn point_segment_distance(p: Coord<f64>, c: Coord<f64>, d: Coord<f64>) -> f64 {
    let cd = d - c;
    let len2 = dot(cd, cd);
    let t = if len2 > 0.0 { (dot(p - c, cd) / len2).clamp(0.0, 1.0) } else { 0.0 };
    let q = c + cd * t;
    ((p.x - q.x).powi(2) + (p.y - q.y).powi(2)).sqrt()
}

/// The interval of `t` in [0, 1] over which `a + t (b - a)` lies strictly
/// within `r` of the segment `c`-`d` (all in the same plane), if any.
///
/// The set of points within `r` of a segment is a stadium: the rectangle
/// swept along the segment plus a disc at each end. It is convex, so its
/// trace on a line is one interval, the hull of the traces of its three parts.
pub(crate) fn band_interval(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>, d: Coord<f64>, r: f64) -> Option<(f64, f64)> {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    let mut take = |iv: Option<(f64, f64)>| {
        if let Some((s, e)) = iv {
            lo = lo.min(s);
            hi = hi.max(e);
        }
    };
    take(disc_interval(a, b, c, r));
    take(disc_interval(a, b, d, r));
    take(rectangle_interval(a, b, c, d, r));
    let (s, e) = (lo.max(0.0), hi.min(1.0));
    (s < e).then_some((s, e))
}

fn disc_interval(a: Coord<f64>, b: Coord<f64>, centre: Coord<f64>, r: f64) -> Option<(f64, f64)> {
    let dir = b - a;
    let off = a - centre;
    let qa = dot(dir, dir);
    let qb = dot(dir, off);
    let qc = dot(off, off) - r * r;
    if qa == 0.0 {
        return (qc < 0.0).then_some((f64::NEG_INFINITY, f64::INFINITY));
    }
    let disc = qb * qb - qa * qc;
    if disc <= 0.0 {
        return None;
    }
    let s = disc.sqrt();
    Some(((-qb - s) / qa, (-qb + s) / qa))
}

fn rectangle_interval(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>, d: Coord<f64>, r: f64) -> Option<(f64, f64)> {
    let cd = d - c;
    let len = dot(cd, cd).sqrt();
    if len == 0.0 {
        return None;
    }
    let e = cd / len;
    let n = Coord { x: -e.y, y: e.x };
    let dir = b - a;
    let off = a - c;
    // Liang-Barsky against 0 <= u <= len and -r <= v <= r.
    let mut lo = f64::NEG_INFINITY;
    let mut hi = f64::INFINITY;
    for (p0, dp, min, max) in [(dot(off, e), dot(dir, e), 0.0, len), (dot(off, n), dot(dir, n), -r, r)] {
        if dp == 0.0 {
            if p0 < min || p0 > max {
                return None;
            }
        } else {
            let t1 = (min - p0) / dp;
            let t2 = (max - p0) / dp;
            lo = lo.max(t1.min(t2));
            hi = hi.min(t1.max(t2));
        }
    }
    (lo < hi).then_some((lo, hi))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use geo::coord;

    #[test]
    fn scale_matches_known_arcs() {
        // 1° of latitude at 48.5°N: the meridian radius of curvature there,
        // a(1 − e²)/(1 − e² sin²φ)^1.5 × π/180 = 111,200.040 m (hand
        // calculation on the WGS84 constants); 1° of longitude at the
        // equator is a × π/180 = 111,319.49 m.
        let (_, lat_m) = metres_per_degree(48.5);
        assert!((lat_m - 111_200.040).abs() < 0.01, "{lat_m}");
        let (lon_m, _) = metres_per_degree(0.0);
        assert!((lon_m - 111_319.490_8).abs() < 0.01, "{lon_m}");
    }

    #[test]
    fn short_distance_agrees_with_geodesic() {
        // Against GeographicLib on segments of 1 to 4.9 km in many directions.
        for k in 0..40 {
            let az = k as f64 * 0.157;
            let a = coord! {x: 36.3, y: 44.0 + 0.2 * k as f64};
            let len_deg = 0.01 + 0.001 * k as f64;
            let b = coord! {x: a.x + len_deg * az.cos(), y: a.y + 0.6 * len_deg * az.sin()};
            let g = crate::geodesy::distance_m(a, b);
            let s = short_distance_m(a, b);
            assert!((s - g).abs() < 1e-6 * g + 1e-3, "{k}: {s} {g}");
        }
    }

    #[test]
    fn band_of_a_horizontal_segment() {
        // Segment from (0,0) to (10,0), radius 1. A vertical line x = 5 from
        // y = -5 to y = 5 is within the band for y in (-1, 1): t in (0.4, 0.6).
        let (s, e) = band_interval(
            coord! {x: 5.0, y: -5.0},
            coord! {x: 5.0, y: 5.0},
            coord! {x: 0.0, y: 0.0},
            coord! {x: 10.0, y: 0.0},
            1.0,
        )
        .unwrap();
        assert!((s - 0.4).abs() < 1e-12 && (e - 0.6).abs() < 1e-12, "{s} {e}");
        // Past the end cap: the line x = 10.6 meets the disc around (10,0)
        // for |y| < sqrt(1 - 0.36) = 0.8.
        let (s, e) = band_interval(
            coord! {x: 10.6, y: -5.0},
            coord! {x: 10.6, y: 5.0},
            coord! {x: 0.0, y: 0.0},
            coord! {x: 10.0, y: 0.0},
            1.0,
        )
        .unwrap();
        assert!((s - 0.42).abs() < 1e-12 && (e - 0.58).abs() < 1e-12, "{s} {e}");
        // A line along the segment at distance 2 never enters.
        assert!(band_interval(
            coord! {x: -3.0, y: 2.0},
            coord! {x: 13.0, y: 2.0},
            coord! {x: 0.0, y: 0.0},
            coord! {x: 10.0, y: 0.0},
            1.0
        )
        .is_none());
    }
}
