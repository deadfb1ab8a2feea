//! The local azimuthal-equidistant projection the clearance raster lives in.
//!
//! Exact on the WGS84 ellipsoid: a point's projected coordinates are its
//! geodesic distance `s` and azimuth `az` from the centre (GeographicLib's
//! inverse problem), laid out as `x = s sin az`, `y = s cos az`; the way back
//! is the direct problem. Distances *from the centre* are therefore exact
//! geodesic distances; distances between two other points are distorted by
//! less than 0.01 % within 60 km of the centre (the scale error of the
//! azimuthal-equidistant projection grows like (s/R)²/6 across the azimuth).

use crate::geodesy::wgs84;
use geo::Coord;
use geographiclib_rs::{DirectGeodesic, InverseGeodesic};

/// An azimuthal-equidistant projection centred on a lon/lat point, in metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Aeqd {
    /// The centre, lon/lat degrees.
    pub centre: Coord<f64>,
}

impl Aeqd {
    /// The projection centred on `centre` (x = longitude, y = latitude).
    pub fn new(centre: Coord<f64>) -> Self {
        Aeqd { centre }
    }

    /// lon/lat degrees -> metres east (x) and north (y) of the centre.
    pub fn forward(&self, p: Coord<f64>) -> Coord<f64> {
        let (s12, azi1, _azi2, _a12): (f64, f64, f64, f64) = wgs84().inverse(self.centre.y, self.centre.x, p.y, p.x);
        let (sin, cos) = azi1.to_radians().sin_cos();
        Coord { x: s12 * sin, y: s12 * cos }
    }

    /// Metres east/north of the centre -> lon/lat degrees.
    pub fn inverse(&self, q: Coord<f64>) -> Coord<f64> {
        let s12 = q.x.hypot(q.y);
        if s12 == 0.0 {
            return self.centre;
        }
        let azi1 = q.x.atan2(q.y).to_degrees();
        let (lat2, lon2): (f64, f64) = wgs84().direct(self.centre.y, self.centre.x, azi1, s12);
        Coord { x: lon2, y: lat2 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geodesy::distance_m;
    use geo::coord;

    #[test]
    fn distance_from_centre_is_geodesic_and_round_trip_is_exact() {
        let p = Aeqd::new(coord! {x: 37.18, y: 48.283});
        for &(x, y) in &[(1000.0, 0.0), (-25_000.0, 40_000.0), (59_000.0, -59_000.0)] {
            let q = coord! {x: x, y: y};
            let ll = p.inverse(q);
            // The inverse lands at the geodesic distance hypot(x, y) from the centre.
            let d = distance_m(p.centre, ll);
            assert!((d - f64::hypot(x, y)).abs() < 1e-6, "{d}");
            let back = p.forward(ll);
            assert!((back.x - x).abs() < 1e-6 && (back.y - y).abs() < 1e-6, "{back:?}");
        }
        // Due north 111,200.037 m from 48°N is 49°N (the meridian arc 48..49°N,
        // GeographicLib via pyproj: Geod(ellps='WGS84').inv(30, 48, 30, 49)).
        let p = Aeqd::new(coord! {x: 30.0, y: 48.0});
        let n = p.forward(coord! {x: 30.0, y: 49.0});
        assert!(n.x.abs() < 1e-6 && (n.y - 111_200.037).abs() < 0.01, "{n:?}");
    }
}
