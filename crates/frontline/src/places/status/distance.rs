//! Distance from a settlement to hostile territory: hostile edges as 3-D
//! chords with a lower bound of their geodesic distance, so that a
//! nearest-neighbour walk can stop early (see the parent module).

use crate::geodesy;
use geo::Coord;
use rstar::{PointDistance, RTreeObject, AABB};

/// A hostile edge as a 3-D chord, with the allowance for how far the edge
/// (straight in lon/lat) may bulge off its chord.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Seg3 {
    pub(super) a: Coord<f64>,
    pub(super) b: Coord<f64>,
    pub(super) id: u32,
    a3: [f64; 3],
    b3: [f64; 3],
    slack_m: f64,
    env: AABB<[f64; 3]>,
}

impl Seg3 {
    pub(super) fn new(a: Coord<f64>, b: Coord<f64>, id: u32) -> Seg3 {
        let a3 = ecef(a);
        let b3 = ecef(b);
        let len = dist3(a3, b3);
        // Sagitta of an arc of chord L on the Earth is L²/8R; a segment
        // straight in lon/lat departs from the great circle by about as much
        // again (tan φ < 1.5 here). Twice L²/4R plus a metre covers both.
        let s = len * len / (2.0 * 6_356_000.0) + 1.0;
        let env = AABB::from_corners(
            [a3[0].min(b3[0]) - s, a3[1].min(b3[1]) - s, a3[2].min(b3[2]) - s],
            [a3[0].max(b3[0]) + s, a3[1].max(b3[1]) + s, a3[2].max(b3[2]) + s],
        );
        Seg3 { a, b, id, a3, b3, slack_m: s, env }
    }

    /// Parameter of the point of the chord nearest to `p`.
    fn nearest_t(&self, p: [f64; 3]) -> f64 {
        let d = sub(self.b3, self.a3);
        let len2 = dot(d, d);
        if len2 == 0.0 {
            return 0.0;
        }
        (dot(sub(p, self.a3), d) / len2).clamp(0.0, 1.0)
    }

    fn chord_distance(&self, p: [f64; 3]) -> f64 {
        let t = self.nearest_t(p);
        let d = sub(self.b3, self.a3);
        dist3(p, [self.a3[0] + t * d[0], self.a3[1] + t * d[1], self.a3[2] + t * d[2]])
    }

    /// Geodesic distance from a point to this edge (see the module doc).
    pub(super) fn geodesic_distance_m(&self, p: Coord<f64>, p3: [f64; 3]) -> f64 {
        let t = self.nearest_t(p3);
        let q = Coord { x: self.a.x + t * (self.b.x - self.a.x), y: self.a.y + t * (self.b.y - self.a.y) };
        geodesy::distance_m(p, q)
    }
}

impl RTreeObject for Seg3 {
    type Envelope = AABB<[f64; 3]>;
    fn envelope(&self) -> Self::Envelope {
        self.env
    }
}

impl PointDistance for Seg3 {
    /// The square of a lower bound of the geodesic distance.
    fn distance_2(&self, p: &[f64; 3]) -> f64 {
        let lb = (self.chord_distance(*p) - self.slack_m).max(0.0);
        lb * lb
    }
}

/// WGS84 earth-centred, earth-fixed coordinates in metres.
pub(super) fn ecef(c: Coord<f64>) -> [f64; 3] {
    const A: f64 = 6_378_137.0;
    const F: f64 = 1.0 / 298.257_223_563;
    let e2 = F * (2.0 - F);
    let (lat, lon) = (c.y.to_radians(), c.x.to_radians());
    let n = A / (1.0 - e2 * lat.sin().powi(2)).sqrt();
    [n * lat.cos() * lon.cos(), n * lat.cos() * lon.sin(), n * (1.0 - e2) * lat.sin()]
}

fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn dist3(a: [f64; 3], b: [f64; 3]) -> f64 {
    let d = sub(a, b);
    dot(d, d).sqrt()
}
