//! The hostile layer's edges as keys (so that two snapshots' edges can be
//! compared as sets), indexed in lon/lat, and the crossing-rule point in
//! polygon over that index (see the parent module: the changed edges bound
//! the region that changed hands).

use crate::coord_key::{edge_key, CoordSet, EdgeKey};
use geo::{Coord, MultiPolygon};
use rstar::{RTree, RTreeObject, AABB};

pub(super) type EdgeSet = CoordSet<EdgeKey>;

/// A hostile edge in lon/lat, indexed by its bounding box (kept: bulk
/// loading asks for envelopes many times).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Seg2 {
    pub(super) a: Coord<f64>,
    pub(super) b: Coord<f64>,
    pub(super) id: u32,
    env: AABB<[f64; 2]>,
}

impl Seg2 {
    pub(super) fn new(a: Coord<f64>, b: Coord<f64>, id: u32) -> Seg2 {
        Seg2 { a, b, id, env: AABB::from_corners([a.x, a.y], [b.x, b.y]) }
    }
}

impl RTreeObject for Seg2 {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        self.env
    }
}

pub(super) fn edge_keys(geometry: &MultiPolygon<f64>) -> EdgeSet {
    let mut keys = EdgeSet::with_capacity_and_hasher(4096, Default::default());
    for p in &geometry.0 {
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            for w in ring.0.windows(2) {
                if w[0] != w[1] {
                    keys.insert(edge_key(w[0], w[1]));
                }
            }
        }
    }
    keys
}

/// Point in polygon by the crossing rule over indexed edges: a ray from
/// the point towards the nearest side of the edges' bounding box (fewest
/// edges to look at), counting the edges it crosses, half-open so that a
/// vertex on the ray counts once.
pub(super) fn ray_parity(tree: &RTree<Seg2>, p: Coord<f64>, alive: impl Fn(&Seg2) -> bool) -> bool {
    let bounds = tree.root().envelope();
    let (lo, hi) = (bounds.lower(), bounds.upper());
    if p.x < lo[0] || p.x > hi[0] || p.y < lo[1] || p.y > hi[1] {
        return false;
    }
    let gaps = [hi[0] - p.x, p.x - lo[0], hi[1] - p.y, p.y - lo[1]];
    let mut dir = 0;
    for (i, g) in gaps.iter().enumerate() {
        if *g < gaps[dir] {
            dir = i;
        }
    }
    let env = match dir {
        0 => AABB::from_corners([p.x, p.y], [hi[0], p.y]),
        1 => AABB::from_corners([lo[0], p.y], [p.x, p.y]),
        2 => AABB::from_corners([p.x, p.y], [p.x, hi[1]]),
        _ => AABB::from_corners([p.x, lo[1]], [p.x, p.y]),
    };
    let mut inside = false;
    for s in tree.locate_in_envelope_intersecting(&env) {
        if !alive(s) {
            continue;
        }
        let (a, b) = (s.a, s.b);
        let crosses = if dir < 2 {
            (a.y > p.y) != (b.y > p.y) && {
                let x = a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y);
                if dir == 0 {
                    x > p.x
                } else {
                    x < p.x
                }
            }
        } else {
            (a.x > p.x) != (b.x > p.x) && {
                let y = a.y + (p.x - a.x) * (b.y - a.y) / (b.x - a.x);
                if dir == 2 {
                    y > p.y
                } else {
                    y < p.y
                }
            }
        };
        if crosses {
            inside = !inside;
        }
    }
    inside
}
