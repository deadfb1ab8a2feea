//! A square metric grid around a place, and exact scanline filling of
//! projected polygons onto it.
//!
//! A cell belongs to a polygon when its *centre* lies inside (even-odd rule
//! over every ring of the geometry, which is the inside of a valid
//! multipolygon). Crossings are taken half-open in y (`y_lo <= y < y_hi`) and
//! filled half-open in x (`x_a <= x < x_b`), so a centre exactly on an edge is
//! decided the same way every time and no cell is counted twice.

use super::aeqd::Aeqd;
use geo::{BoundingRect, Coord, Intersects, MultiPolygon, Polygon, Rect};

/// Rings of one geometry in projected metres, every ring closed implicitly.
pub(crate) type Rings = Vec<Vec<Coord<f64>>>;

/// A square grid of `n x n` cells of side `h` metres whose middle cell is
/// centred on the projection centre. Row `j` is northing `(j - c) h`, column
/// `i` easting `(i - c) h`, with `c = (n - 1) / 2`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Grid {
    /// Cell side, metres.
    pub h: f64,
    /// Cells per side (odd).
    pub n: usize,
}

impl Grid {
    /// The grid of side at least `2 half_m` (rounded up to whole cells, odd).
    pub fn covering(half_m: f64, h: f64) -> Grid {
        let c = (half_m / h).ceil() as usize;
        Grid { h, n: 2 * c + 1 }
    }

    /// Index of the middle cell.
    pub fn c(&self) -> usize {
        (self.n - 1) / 2
    }

    /// Projected coordinate of column (or row) `i`'s centre.
    pub fn at(&self, i: usize) -> f64 {
        (i as f64 - self.c() as f64) * self.h
    }

    /// Cell centre in projected metres.
    pub fn centre(&self, idx: usize) -> Coord<f64> {
        Coord { x: self.at(idx % self.n), y: self.at(idx / self.n) }
    }

    /// Half the side of the area the cells cover, metres.
    pub fn half_extent_m(&self) -> f64 {
        (self.c() as f64 + 0.5) * self.h
    }

    /// The first index whose centre is `>= v`, clamped to `0..=n`.
    fn first_at_or_above(&self, v: f64) -> usize {
        let c = self.c() as f64;
        let guess = ((v / self.h) + c).ceil();
        if guess.is_nan() || guess <= 0.0 {
            return 0;
        }
        if guess >= self.n as f64 {
            return self.n;
        }
        // The guess can be off by one where v sits on a centre: settle it
        // with the same expression `at` uses, so fill and lookup agree.
        let mut i = guess as usize;
        while i > 0 && self.at(i - 1) >= v {
            i -= 1;
        }
        while i < self.n && self.at(i) < v {
            i += 1;
        }
        i
    }

    /// Sets `mask[idx] = true` for every cell whose centre is inside `rings`
    /// (even-odd rule).
    pub fn fill(&self, rings: &[Vec<Coord<f64>>], mask: &mut [bool]) {
        let mut crossings: Vec<(u32, f64)> = Vec::new();
        for ring in rings {
            let k = ring.len();
            if k < 3 {
                continue;
            }
            for e in 0..k {
                let a = ring[e];
                let b = ring[(e + 1) % k];
                if a.y == b.y {
                    continue;
                }
                let (lo, hi) = if a.y < b.y { (a, b) } else { (b, a) };
                let j0 = self.first_at_or_above(lo.y);
                let j1 = self.first_at_or_above(hi.y);
                let slope = (hi.x - lo.x) / (hi.y - lo.y);
                for j in j0..j1 {
                    let y = self.at(j);
                    crossings.push((j as u32, lo.x + (y - lo.y) * slope));
                }
            }
        }
        crossings.sort_unstable_by(|p, q| p.0.cmp(&q.0).then(p.1.total_cmp(&q.1)));
        for row in crossings.chunk_by(|p, q| p.0 == q.0) {
            let j = row[0].0 as usize;
            for pair in row.chunks_exact(2) {
                let i0 = self.first_at_or_above(pair[0].1);
                let i1 = self.first_at_or_above(pair[1].1);
                mask[j * self.n + i0..j * self.n + i1].iter_mut().for_each(|m| *m = true);
            }
        }
    }
}

/// The lon/lat rectangle that holds the projected square of half-side
/// `half_m` around the centre, with a safety pad for the curvature of its
/// sides between samples.
pub(crate) fn lonlat_bounds(proj: &Aeqd, half_m: f64) -> Rect<f64> {
    const SAMPLES: usize = 64;
    let mut min = Coord { x: f64::INFINITY, y: f64::INFINITY };
    let mut max = Coord { x: f64::NEG_INFINITY, y: f64::NEG_INFINITY };
    for k in 0..=SAMPLES {
        let t = -half_m + 2.0 * half_m * k as f64 / SAMPLES as f64;
        for q in [
            Coord { x: t, y: -half_m },
            Coord { x: t, y: half_m },
            Coord { x: -half_m, y: t },
            Coord { x: half_m, y: t },
        ] {
            let p = proj.inverse(q);
            min.x = min.x.min(p.x);
            min.y = min.y.min(p.y);
            max.x = max.x.max(p.x);
            max.y = max.y.max(p.y);
        }
    }
    // A side is a curve in lon/lat; between samples 1/64 of a side apart it
    // bows out by far less than 1 % of the square's size.
    let pad_x = 0.01 * (max.x - min.x);
    let pad_y = 0.01 * (max.y - min.y);
    Rect::new(Coord { x: min.x - pad_x, y: min.y - pad_y }, Coord { x: max.x + pad_x, y: max.y + pad_y })
}

/// The part of `mp` inside a lon/lat rectangle (a planar clip in degrees:
/// the new edges lie on the rectangle, outside the square that matters).
pub(crate) fn clip_lonlat(mp: &MultiPolygon<f64>, rect: &Rect<f64>) -> MultiPolygon<f64> {
    let keep: Vec<Polygon<f64>> =
        mp.0.iter().filter(|p| p.bounding_rect().is_some_and(|b| b.intersects(rect))).cloned().collect();
    if keep.is_empty() {
        return MultiPolygon::new(vec![]);
    }
    let inside_rect = |p: &Polygon<f64>| {
        p.bounding_rect().is_some_and(|b| {
            b.min().x >= rect.min().x
                && b.min().y >= rect.min().y
                && b.max().x <= rect.max().x
                && b.max().y <= rect.max().y
        })
    };
    if keep.iter().all(inside_rect) {
        return MultiPolygon::new(keep);
    }
    crate::overlay::intersection(&MultiPolygon::new(keep), &MultiPolygon::new(vec![rect.to_polygon()]))
}

/// Longest lon/lat step (degrees) left between projected vertices. A straight
/// edge in degrees and its projected chord then part by well under a metre.
const MAX_STEP_DEG: f64 = 0.005;

/// Projects every ring of `mp`, densifying long edges first so that straight
/// lines in the projection follow the straight lon/lat edges of the source.
pub(crate) fn project_rings(proj: &Aeqd, mp: &MultiPolygon<f64>, out: &mut Rings) {
    let mut lonlat = Rings::new();
    densify_rings(mp, &mut lonlat);
    out.extend(lonlat.into_iter().map(|r| r.into_iter().map(|c| proj.forward(c)).collect()));
}

/// Every ring of `mp` (closing vertex dropped) with long edges split into
/// steps of at most [`MAX_STEP_DEG`], still in lon/lat.
pub(crate) fn densify_rings(mp: &MultiPolygon<f64>, out: &mut Rings) {
    for p in &mp.0 {
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            let pts = &ring.0;
            let k = if pts.len() >= 2 && pts[0] == pts[pts.len() - 1] { pts.len() - 1 } else { pts.len() };
            if k < 3 {
                continue;
            }
            let mut r = Vec::with_capacity(k);
            for e in 0..k {
                let a = pts[e];
                let b = pts[(e + 1) % k];
                let steps = ((b.x - a.x).abs().max((b.y - a.y).abs()) / MAX_STEP_DEG).ceil();
                let steps = if steps.is_finite() && steps >= 1.0 { steps.min(1e5) as usize } else { 1 };
                for s in 0..steps {
                    let t = s as f64 / steps as f64;
                    r.push(Coord { x: a.x + t * (b.x - a.x), y: a.y + t * (b.y - a.y) });
                }
            }
            out.push(r);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> Vec<Coord<f64>> {
        vec![Coord { x: x0, y: y0 }, Coord { x: x1, y: y0 }, Coord { x: x1, y: y1 }, Coord { x: x0, y: y1 }]
    }

    #[test]
    fn fill_counts_centres_inside() {
        let g = Grid { h: 1.0, n: 11 }; // centres at -5..=5
        let mut m = vec![false; g.n * g.n];
        // [-2.5, 2.5) x [-1.5, 1.5) holds centres -2..=2 by -1..=1: 5 x 3 cells.
        g.fill(&[square(-2.5, -1.5, 2.5, 1.5)], &mut m);
        assert_eq!(m.iter().filter(|&&b| b).count(), 15);
        assert!(m[g.c() * g.n + g.c()]);
        // A hole: a square ring inside another removes its centres (even-odd).
        let mut m = vec![false; g.n * g.n];
        g.fill(&[square(-4.5, -4.5, 4.5, 4.5), square(-0.5, -0.5, 0.5, 0.5)], &mut m);
        assert_eq!(m.iter().filter(|&&b| b).count(), 81 - 1);
        assert!(!m[g.c() * g.n + g.c()]);
        // Edges exactly on centres: the half-open rule keeps the lower/left
        // row and column and drops the upper/right: [-2, 2) x [-2, 2) -> 4 x 4.
        let mut m = vec![false; g.n * g.n];
        g.fill(&[square(-2.0, -2.0, 2.0, 2.0)], &mut m);
        assert_eq!(m.iter().filter(|&&b| b).count(), 16);
        // A triangle: x >= 0, y >= 0, x + y <= 4.5 holds the lattice points
        // with i, j >= 0 and i + j <= 4: 15 of them.
        let mut m = vec![false; g.n * g.n];
        let tri = vec![Coord { x: -0.1, y: -0.1 }, Coord { x: 4.7, y: -0.1 }, Coord { x: -0.1, y: 4.7 }];
        g.fill(&[tri], &mut m);
        assert_eq!(m.iter().filter(|&&b| b).count(), 15);
    }
}
