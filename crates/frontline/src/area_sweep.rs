//! The area of a series of layers within a reference territory, clipped in
//! full once and then carried from one snapshot to the next by the edges
//! that changed.
//!
//! Clipping a daily occupied layer to Ukraine overlays its ~3,000 edges with
//! the ~8,000 of the border and coast around it (about 9 ms); the next day's
//! layer differs by a few dozen edges, nearly always far from the border.
//!
//! Why carrying is exact. An intersection on the fixed theatre grid
//! ([`crate::overlay`]) outputs the layer's edges that lie inside the
//! reference (snapped, interior on the same side), the reference's edges
//! that lie inside the layer, and the pieces of edges that cross. As
//! 1-chains, ∂b − ∂a is made of the changed edges only (old ones reversed),
//! and it bounds the changed ground a Δ b. Where no edge of the reference's
//! boundary comes near a connected group of changed edges, the ground that
//! group bounds holds no reference edge and no crossing either, so the two
//! clipped outputs differ by exactly that group's edges when it lies inside
//! the reference, and by nothing when it lies outside. The area, a sum of
//! edge terms ([`crate::geodesy`]), then moves by the new edges' terms less
//! the old ones'. A group the boundary comes near is clipped in full again.
//!
//! What differs from a full clip is rounding (the sum is grouped
//! differently) and, where the overlay merges collinear grid vertices, the
//! term of one edge against that of its two halves: held by
//! `tests/deepstate_daily.rs` to a full clip of every snapshot.

use crate::coord_key::CoordMap;
use crate::geodesy::edge_area_term_m2;
use crate::overlay::{theatre_snap, theatre_unsnap};
use crate::regions::Territory;
use geo::{Coord, MultiPolygon, Rect};

/// An oriented edge between two grid points (x0, y0, x1, y1).
type EdgeKey = [i32; 4];

/// How far (degrees) the reference's boundary must stay from a change for
/// the change to be carried: far above the grid's 1.5e-8°.
const MARGIN_DEG: f64 = 1e-6;

/// Measures consecutive layers within one reference territory (see the
/// module documentation). Feed layers in order; any order is correct, but
/// only consecutive similar layers are cheap.
pub struct ClippedAreaSweep<'a> {
    reference: &'a Territory,
    memory: SweepMemory,
    /// Layers measured by a full clip.
    pub full_clips: usize,
    /// Layers measured from the previous one by their changed edges.
    pub carried: usize,
}

impl<'a> ClippedAreaSweep<'a> {
    /// A sweep within `reference`.
    pub fn new(reference: &'a Territory) -> Self {
        ClippedAreaSweep { reference, memory: SweepMemory::default(), full_clips: 0, carried: 0 }
    }

    /// Geodesic area (m²) of `layer ∩ reference`, as
    /// `reference.clip(layer).geodesic_area_m2()` gives it.
    pub fn area_m2(&mut self, layer: &MultiPolygon<f64>) -> f64 {
        let (area, carried) = self.memory.area_m2(self.reference, layer);
        if carried {
            self.carried += 1;
        } else {
            self.full_clips += 1;
        }
        area
    }
}

/// What a sweep remembers of the last layer it measured, without the
/// reference: for an owner that keeps the reference itself (and cannot lend
/// it to a [`ClippedAreaSweep`] it also keeps). Every call must pass the
/// same reference.
#[derive(Default)]
pub struct SweepMemory {
    previous: Option<(CoordMap<EdgeKey, i32>, f64)>,
    /// Edge terms of the last full clip: two clips of nearby layers share
    /// the reference's coastline and borders, most of their edges, and the
    /// terms are bit-for-bit those a fresh measurement computes.
    clip_terms: crate::geodesy::EdgeAreaCache,
}

impl SweepMemory {
    /// Geodesic area (m²) of `layer ∩ reference`, and whether it was
    /// carried from the last layer measured (else clipped in full).
    pub fn area_m2(&mut self, reference: &Territory, layer: &MultiPolygon<f64>) -> (f64, bool) {
        let edges = grid_edges(layer);
        let carried = match (&edges, &self.previous) {
            (Some(now), Some((before, area))) => carried_delta_m2(reference, before, now).map(|d| area + d),
            _ => None,
        };
        let (area, was_carried) = match carried {
            Some(area) => (area, true),
            None => {
                self.clip_terms.next_generation();
                (self.clip_terms.multipolygon_area_m2(&reference.clip(layer)), false)
            }
        };
        self.previous = edges.map(|e| (e, area));
        (area, was_carried)
    }
}

/// The layer's edges on the theatre grid as an overlay sees them: rings
/// snapped, repeated points dropped, exteriors counter-clockwise and holes
/// clockwise (interior on the left), counted. `None` when a point lies
/// outside the theatre (the overlay then fits a grid of its own).
fn grid_edges(mp: &MultiPolygon<f64>) -> Option<CoordMap<EdgeKey, i32>> {
    let mut out = CoordMap::with_capacity_and_hasher(
        mp.0.iter().map(|p| p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>()).sum(),
        Default::default(),
    );
    let mut pts: Vec<[i32; 2]> = vec![];
    for p in &mp.0 {
        for (k, ring) in std::iter::once(p.exterior()).chain(p.interiors()).enumerate() {
            pts.clear();
            for c in &ring.0 {
                let q = theatre_snap(*c)?;
                if pts.last() != Some(&q) {
                    pts.push(q);
                }
            }
            while pts.len() > 1 && pts.first() == pts.last() {
                pts.pop();
            }
            drop_collinear(&mut pts);
            if pts.len() < 3 {
                continue;
            }
            let twice_area: i128 = (0..pts.len())
                .map(|i| {
                    let (a, b) = (pts[i], pts[(i + 1) % pts.len()]);
                    i128::from(a[0]) * i128::from(b[1]) - i128::from(b[0]) * i128::from(a[1])
                })
                .sum();
            if twice_area == 0 {
                continue;
            }
            if (twice_area > 0) != (k == 0) {
                pts.reverse();
            }
            for i in 0..pts.len() {
                let (a, b) = (pts[i], pts[(i + 1) % pts.len()]);
                *out.entry([a[0], a[1], b[0], b[1]]).or_insert(0) += 1;
            }
        }
    }
    Some(out)
}

/// Removes the vertices of a closed ring that lie on the line through their
/// neighbours (and the spikes that leave), as the overlay does with its
/// input (`preserve_input_collinear: false`): an edge split by such a
/// vertex is one edge in the clipped output, and one geodesic is not two.
fn drop_collinear(pts: &mut Vec<[i32; 2]>) {
    let cross = |a: [i32; 2], b: [i32; 2], c: [i32; 2]| {
        (i64::from(b[0]) - i64::from(a[0])) * (i64::from(c[1]) - i64::from(a[1]))
            - (i64::from(b[1]) - i64::from(a[1])) * (i64::from(c[0]) - i64::from(a[0]))
    };
    // One pass with a stack (a vertex is dropped when the next one shows it
    // collinear), then the seam where the ring closes.
    let mut out: Vec<[i32; 2]> = Vec::with_capacity(pts.len());
    for &p in pts.iter() {
        while out.len() >= 2 && cross(out[out.len() - 2], out[out.len() - 1], p) == 0 {
            out.pop();
        }
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
    let mut start = 0;
    loop {
        let n = out.len() - start;
        if n < 3 {
            pts.clear();
            return;
        }
        let (first, second, last, before_last) = (out[start], out[start + 1], out[out.len() - 1], out[out.len() - 2]);
        if last == first || cross(before_last, last, first) == 0 {
            out.pop();
        } else if cross(last, first, second) == 0 {
            start += 1;
        } else {
            break;
        }
    }
    pts.clear();
    pts.extend_from_slice(&out[start..]);
}

/// The change of the clipped area from `before` to `now`, when every
/// connected group of changed edges stays clear of the reference's boundary;
/// `None` when one does not.
fn carried_delta_m2(
    reference: &Territory,
    before: &CoordMap<EdgeKey, i32>,
    now: &CoordMap<EdgeKey, i32>,
) -> Option<f64> {
    // (edge, +n for new, −n for gone)
    let mut changed: Vec<(EdgeKey, i32)> = vec![];
    for (k, &n) in now {
        let d = n - before.get(k).copied().unwrap_or(0);
        if d != 0 {
            changed.push((*k, d));
        }
    }
    for (k, &n) in before {
        if !now.contains_key(k) {
            changed.push((*k, -n));
        }
    }
    if changed.is_empty() {
        return Some(0.0);
    }
    // Group the changed edges by shared grid points (union-find).
    let mut id: CoordMap<[i32; 2], usize> = CoordMap::default();
    let mut parent: Vec<usize> = vec![];
    let mut node = |p: [i32; 2], parent: &mut Vec<usize>| -> usize {
        *id.entry(p).or_insert_with(|| {
            parent.push(parent.len());
            parent.len() - 1
        })
    };
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    let ends: Vec<(usize, usize)> =
        changed.iter().map(|(k, _)| (node([k[0], k[1]], &mut parent), node([k[2], k[3]], &mut parent))).collect();
    for &(a, b) in &ends {
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra != rb {
            parent[ra] = rb;
        }
    }
    // Per group: its box, a point of it, and its edges' term sum (Kahan:
    // the terms are large and cancel).
    struct Group {
        min: Coord<f64>,
        max: Coord<f64>,
        sum: f64,
        comp: f64,
    }
    let mut groups: CoordMap<usize, Group> = CoordMap::default();
    for ((k, d), (a, _)) in changed.iter().zip(&ends) {
        let root = find(&mut parent, *a);
        let (p, q) = (theatre_unsnap([k[0], k[1]]), theatre_unsnap([k[2], k[3]]));
        let g = groups.entry(root).or_insert(Group { min: p, max: p, sum: 0.0, comp: 0.0 });
        for c in [p, q] {
            g.min = Coord { x: g.min.x.min(c.x), y: g.min.y.min(c.y) };
            g.max = Coord { x: g.max.x.max(c.x), y: g.max.y.max(c.y) };
        }
        let y = f64::from(*d) * edge_area_term_m2(p, q) - g.comp;
        let t = g.sum + y;
        g.comp = (t - g.sum) - y;
        g.sum = t;
    }
    let mut delta = 0.0;
    for g in groups.values() {
        let window = Rect::new(
            Coord { x: g.min.x - MARGIN_DEG, y: g.min.y - MARGIN_DEG },
            Coord { x: g.max.x + MARGIN_DEG, y: g.max.y + MARGIN_DEG },
        );
        if reference.boundary_meets(window) {
            return None;
        }
        // No boundary in the box: the whole group is inside, or outside.
        if reference.contains_point(g.min) {
            delta += g.sum;
        }
    }
    Some(delta)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geodesy::GeodesicAreaM2;
    use geo::polygon;

    fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> geo::Polygon<f64> {
        polygon![(x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1), (x: x0, y: y0)]
    }

    #[test]
    fn carried_areas_match_a_full_clip() {
        // Reference 30..34 E, 46..50 N. A layer that straddles its east edge
        // (35 E), whose west side moves step by step far from the boundary,
        // then across it, then a new island appears inside and one outside.
        let reference = Territory::new("box", MultiPolygon::new(vec![square(30.0, 46.0, 34.0, 50.0)]));
        let mut layers = vec![];
        // The vertices at 33.5 E (off the straight line, so the overlay keeps
        // them) cut the top and bottom edges, so the west side moves alone.
        let moving = |west: f64| {
            polygon![(x: west, y: 47.0), (x: 33.5, y: 46.95), (x: 35.0, y: 47.0), (x: 35.0, y: 48.0),
                (x: 33.5, y: 48.05), (x: west, y: 48.0), (x: west, y: 47.0)]
        };
        for i in 0..6 {
            layers.push(MultiPolygon::new(vec![moving(33.0 - 0.1 * f64::from(i))]));
        }
        layers.push(MultiPolygon::new(vec![square(29.5, 47.0, 35.0, 48.0)]));
        layers.push(MultiPolygon::new(vec![square(29.5, 47.0, 35.0, 48.0), square(31.0, 49.0, 31.5, 49.5)]));
        layers.push(MultiPolygon::new(vec![
            square(29.5, 47.0, 35.0, 48.0),
            square(31.0, 49.0, 31.5, 49.5),
            square(36.0, 49.0, 36.5, 49.5),
        ]));
        let mut sweep = ClippedAreaSweep::new(&reference);
        for (i, layer) in layers.iter().enumerate() {
            let full = reference.clip(layer).geodesic_area_m2();
            let got = sweep.area_m2(layer);
            assert!((got - full).abs() < 1e-3, "layer {i}: {got} vs full clip {full}");
        }
        // Moves in the west and both islands were carried; the crossing was clipped.
        assert_eq!(sweep.full_clips, 2, "the first layer and the one crossing the boundary");
        assert_eq!(sweep.carried, layers.len() - 2);
    }
}
