//! The pincer gap and the corridor's length, on the corridor's raster.
//!
//! The gap is the shortest straight line between two hostile points that
//! crosses the corridor's path once and does not cross the besieged area.
//! It is searched in two steps: rays cast both ways from each path cell that
//! could hold a shorter line (a line through a cell of clearance c is at
//! least 2c long, so cells are taken narrowest first and the search stops at
//! the first cell too wide to beat the best line), every 2°, marched over the
//! raster; then the best candidates are recomputed exactly against the
//! hostile polygons (ray–edge intersections in the projection) for nearby
//! origins and angles, and the shortest one that crosses the path an odd
//! number of times wins.

use super::raster::{Grid, Rings};
use geo::Coord;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::f64::consts::PI;

/// What the gap search reads of one snapshot's raster.
pub(crate) struct RasterView<'a> {
    /// The window's grid.
    pub grid: Grid,
    /// Cells per side of the window plus margin (same centre).
    pub big_n: usize,
    /// Hostile cells of the window plus margin.
    pub hostile_ext: &'a [bool],
    /// Besieged cells of the window, if the corridor starts at an area.
    pub besieged: Option<&'a [bool]>,
    /// Window cells inside the reference territory.
    pub inside_reference: &'a [bool],
}

/// A pincer gap in projected metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Gap {
    pub left: Coord<f64>,
    pub right: Coord<f64>,
    pub crossing: Coord<f64>,
    pub len_m: f64,
}

/// Directions tried per path cell (every 2° over a half turn: a line and
/// its reverse are the same line).
const DIRECTIONS: usize = 90;
/// Candidates recomputed exactly.
const EXACT_CANDIDATES: usize = 12;

/// What a marched ray meets in each cell of the window plus margin, read
/// once per step, and how far it may go from there without looking: the
/// rays of one gap search take millions of steps, mostly through open
/// ground, and three lookups a step (hostile, besieged, outside the
/// reference) were most of a corridor series' time.
struct Stops {
    /// [`HOSTILE`], [`BLOCKED`], or else how many half-cell steps from any
    /// point of the cell land in cells that are neither (nor off the raster).
    cells: Vec<u16>,
    big_n: i64,
    big_c: i64,
    h: f64,
}

const HOSTILE: u16 = u16::MAX;
const BLOCKED: u16 = u16::MAX - 1;

/// `x.round() as i64` (halves away from zero) without the libm call that
/// `f64::round` is on x86-64 without SSE4.1: `x - trunc(x)` is exact.
fn round_i64(x: f64) -> i64 {
    let t = x as i64;
    let f = x - t as f64;
    if f >= 0.5 {
        t.saturating_add(1)
    } else if f <= -0.5 {
        t.saturating_sub(1)
    } else {
        t
    }
}

impl Stops {
    fn new(view: &RasterView) -> Stops {
        let (n, big_n) = (view.grid.n, view.big_n);
        let margin = (big_n - n) / 2;
        let mut stop: Vec<u16> = view.hostile_ext.iter().map(|&x| if x { HOSTILE } else { 0 }).collect();
        for wj in 0..n {
            for wi in 0..n {
                let k = wj * n + wi;
                let c = &mut stop[(wj + margin) * big_n + wi + margin];
                if *c == 0 && (view.besieged.is_some_and(|b| b[k]) || !view.inside_reference[k]) {
                    *c = BLOCKED;
                }
            }
        }
        // Chessboard distance (cells) to the nearest stop, a cell off the
        // raster counting as one: two chamfer passes, exact for that
        // metric, and never more than the Euclidean distance.
        let mut d: Vec<u32> = (0..big_n * big_n)
            .map(|k| {
                if stop[k] != 0 {
                    return 0;
                }
                let (i, j) = (k % big_n, k / big_n);
                (i + 1).min(j + 1).min(big_n - i).min(big_n - j) as u32
            })
            .collect();
        for j in 0..big_n {
            for i in 0..big_n {
                let k = j * big_n + i;
                let mut v = d[k];
                if i > 0 {
                    v = v.min(d[k - 1] + 1);
                }
                if j > 0 {
                    v = v.min(d[k - big_n] + 1);
                    if i > 0 {
                        v = v.min(d[k - big_n - 1] + 1);
                    }
                    if i + 1 < big_n {
                        v = v.min(d[k - big_n + 1] + 1);
                    }
                }
                d[k] = v;
            }
        }
        for j in (0..big_n).rev() {
            for i in (0..big_n).rev() {
                let k = j * big_n + i;
                let mut v = d[k];
                if i + 1 < big_n {
                    v = v.min(d[k + 1] + 1);
                }
                if j + 1 < big_n {
                    v = v.min(d[k + big_n] + 1);
                    if i + 1 < big_n {
                        v = v.min(d[k + big_n + 1] + 1);
                    }
                    if i > 0 {
                        v = v.min(d[k + big_n - 1] + 1);
                    }
                }
                d[k] = v;
            }
        }
        // A point of a cell lies within 0.71 cells of its centre, and so
        // does a later sample of its own cell: a sample less than D - 1.5
        // cells on (D the distance above) cannot be in a stop cell. In half
        // cells: 2 D - 3 steps.
        let cells = stop
            .iter()
            .zip(&d)
            .map(|(&s, &dist)| if s != 0 { s } else { (2 * dist).saturating_sub(3).min(u32::from(BLOCKED) - 1) as u16 })
            .collect();
        Stops { cells, big_n: big_n as i64, big_c: (big_n as i64 - 1) / 2, h: view.grid.h }
    }

    /// Distance along `p + t d` to the first hostile cell, marched in half
    /// cells up to `max_t`; `None` when the ray meets the besieged area,
    /// ground outside the reference (sea, border) or the raster's edge
    /// first.
    fn march(&self, p: Coord<f64>, d: Coord<f64>, max_t: f64) -> Option<f64> {
        let (h, big_n, big_c) = (self.h, self.big_n, self.big_c);
        let step = h / 2.0;
        let mut t = step;
        while t <= max_t + step {
            let q = p + d * t;
            let (ci, cj) = (round_i64(q.x / h) + big_c, round_i64(q.y / h) + big_c);
            if ci < 0 || cj < 0 || ci >= big_n || cj >= big_n {
                return None;
            }
            match self.cells[(cj * big_n + ci) as usize] {
                HOSTILE => return Some(t),
                BLOCKED => return None,
                skip => {
                    // The samples skipped are added up one by one, so that
                    // `t` stays the sum it was when each was looked at.
                    for _ in 0..skip {
                        t += step;
                        if t > max_t + step {
                            return None;
                        }
                    }
                }
            }
            t += step;
        }
        None
    }
}

fn cross(a: Coord<f64>, b: Coord<f64>) -> f64 {
    a.x * b.y - a.y * b.x
}

/// The nearest positive distance along `p + t d` to any edge.
fn exact_ray(edges: &[(Coord<f64>, Coord<f64>)], p: Coord<f64>, d: Coord<f64>) -> Option<f64> {
    let mut best: Option<f64> = None;
    for &(a, b) in edges {
        let e = b - a;
        let den = cross(d, e);
        if den == 0.0 {
            continue;
        }
        let w = a - p;
        let t = cross(w, e) / den;
        let s = cross(w, d) / den;
        if t > 0.0 && (0.0..=1.0).contains(&s) && best.is_none_or(|b| t < b) {
            best = Some(t);
        }
    }
    best
}

/// Whether segments ab and cd cross properly.
fn segments_cross(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>, d: Coord<f64>) -> bool {
    let d1 = cross(b - a, c - a);
    let d2 = cross(b - a, d - a);
    let d3 = cross(d - c, a - c);
    let d4 = cross(d - c, b - c);
    (d1 > 0.0) != (d2 > 0.0) && (d3 > 0.0) != (d4 > 0.0)
}

/// The pincer gap of a corridor: `path` is the widest path's cells (window
/// indices, from the town to the rear), `on_path` its cells outside the
/// besieged area with their squared raster clearance (cells²), `rings` the
/// projected hostile rings. Lines longer than `max_m` are not looked for.
pub(crate) fn pincer_gap(
    view: &RasterView,
    rings: &Rings,
    path: &[usize],
    on_path: &[(usize, u32)],
    max_m: f64,
) -> Option<Gap> {
    let h = view.grid.h;
    let stops = Stops::new(view);
    let mut order: Vec<(usize, u32)> = on_path.to_vec();
    order.sort_by_key(|&(k, v)| (v, k));
    let dirs: Vec<Coord<f64>> = (0..DIRECTIONS)
        .map(|a| {
            let th = PI * a as f64 / DIRECTIONS as f64;
            Coord { x: th.cos(), y: th.sin() }
        })
        .collect();
    let poly: Vec<Coord<f64>> = path.iter().map(|&k| view.grid.centre(k)).collect();
    let inside = |k: usize| view.besieged.is_some_and(|b| b[k]);
    // A generic offset so that a line through a cell centre does not pass
    // exactly through the path's vertices when crossings are counted.
    let jitter = Coord { x: 1.234e-3 * h, y: 2.345e-3 * h };
    // Whether the line fa-fb crosses the path an odd number of times. Only
    // the path outside the besieged area counts: inside it the path wanders
    // anywhere (every friendly cell there is a start), and the line never
    // enters its friendly ground.
    let crosses_once = |fa: Coord<f64>, fb: Coord<f64>| {
        (1..poly.len())
            .filter(|&e| !(inside(path[e - 1]) && inside(path[e])))
            .filter(|&e| segments_cross(fa + jitter, fb + jitter, poly[e - 1], poly[e]))
            .count()
            % 2
            == 1
    };
    // Raster lengths overstate by up to a cell at each end; keep a margin.
    let slack = 2.0 * h;
    let mut best = max_m;
    let mut cands: Vec<(f64, usize, usize)> = vec![];
    for &(k, v) in &order {
        let c = f64::from(v).sqrt() * h;
        if 2.0 * c > best + slack {
            break;
        }
        let p = view.grid.centre(k);
        for (a, &d) in dirs.iter().enumerate() {
            let Some(tf) = stops.march(p, d, best + slack) else { continue };
            let Some(tb) = stops.march(p, -d, best + slack - tf) else { continue };
            let len = tf + tb;
            if len <= best + slack && crosses_once(p + d * tf, p - d * tb) {
                cands.push((len, k, a));
                best = best.min(len);
            }
        }
    }
    cands.retain(|c| c.0 <= best + slack);
    cands.sort_by(|a, b| a.0.total_cmp(&b.0));
    cands.truncate(EXACT_CANDIDATES);
    if cands.is_empty() {
        return None;
    }
    // Edges near the candidates.
    let reach = best + 3.0 * slack;
    let (mut lo, mut hi) =
        (Coord { x: f64::INFINITY, y: f64::INFINITY }, Coord { x: f64::NEG_INFINITY, y: f64::NEG_INFINITY });
    for &(_, k, _) in &cands {
        let p = view.grid.centre(k);
        lo = Coord { x: lo.x.min(p.x - reach), y: lo.y.min(p.y - reach) };
        hi = Coord { x: hi.x.max(p.x + reach), y: hi.y.max(p.y + reach) };
    }
    let edges: Vec<(Coord<f64>, Coord<f64>)> = rings
        .iter()
        .flat_map(|r| (0..r.len()).map(move |e| (r[e], r[(e + 1) % r.len()])))
        .filter(|(a, b)| a.x.max(b.x) >= lo.x && a.x.min(b.x) <= hi.x && a.y.max(b.y) >= lo.y && a.y.min(b.y) <= hi.y)
        .collect();
    let position = |k: usize| path.iter().position(|&c| c == k);
    let mut found: Option<Gap> = None;
    for &(raster_len, k, a) in &cands {
        let Some(i) = position(k) else { continue };
        let th0 = PI * a as f64 / DIRECTIONS as f64;
        for di in [0i64, -1, 1, -2, 2] {
            let j = i as i64 + di;
            if j < 0 || j as usize >= path.len() {
                continue;
            }
            let j = j as usize;
            if inside(path[j]) {
                continue;
            }
            let p = poly[j];
            for s in -8..=8 {
                let th = th0 + (s as f64 * 0.25).to_radians();
                let d = Coord { x: th.cos(), y: th.sin() };
                let (Some(tf), Some(tb)) = (exact_ray(&edges, p, d), exact_ray(&edges, p, -d)) else { continue };
                let len = tf + tb;
                // The exact line may be shorter than the raster's (a hostile
                // sliver thinner than a cell stops it: still hostile ground),
                // not much longer (it would have slipped past cells that
                // stopped the raster's ray: the besieged area, the border).
                if len > raster_len + 2.0 * slack {
                    continue;
                }
                if found.is_some_and(|g| g.len_m <= len) {
                    continue;
                }
                let (fa, fb) = (p + d * tf, p - d * tb);
                if !crosses_once(fa, fb) {
                    continue;
                }
                // Left of the path, walking from the town to the rear.
                let back = poly[j.saturating_sub(3)];
                let ahead = poly[(j + 3).min(poly.len() - 1)];
                let (left, right) = if cross(ahead - back, fa - p) > 0.0 { (fa, fb) } else { (fb, fa) };
                found = Some(Gap { left, right, crossing: p, len_m: len });
            }
        }
    }
    found
}

/// Length, in cells, of the shortest 8-connected route from the sources to
/// a rear cell through cells of value at least `bottleneck` (besieged cells
/// are sources or walls, never steps).
pub(crate) fn route_length_cells(
    n: usize,
    value: &mut impl FnMut(usize) -> u32,
    besieged: &impl Fn(usize) -> bool,
    not_pocket: impl Fn(usize) -> bool,
    seeds: &[usize],
    bottleneck: u32,
    rear_d2: u32,
) -> Option<f64> {
    const STRAIGHT: u32 = 1000;
    const DIAGONAL: u32 = 1414;
    let mut dist = vec![u32::MAX; n * n];
    let mut heap = BinaryHeap::new();
    for &s in seeds {
        if value(s) >= bottleneck {
            dist[s] = 0;
            heap.push(Reverse((0u32, s)));
        }
    }
    while let Some(Reverse((d, k))) = heap.pop() {
        if d != dist[k] {
            continue;
        }
        if !besieged(k) && value(k) >= rear_d2 && not_pocket(k) {
            return Some(f64::from(d) / f64::from(STRAIGHT));
        }
        let (i, j) = ((k % n) as i64, (k / n) as i64);
        for (di, dj) in [(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1)] {
            let (a, b) = (i + di, j + dj);
            if a < 0 || b < 0 || a >= n as i64 || b >= n as i64 {
                continue;
            }
            let nb = (b * n as i64 + a) as usize;
            if besieged(nb) || value(nb) < bottleneck {
                continue;
            }
            let nd = d + if di != 0 && dj != 0 { DIAGONAL } else { STRAIGHT };
            if nd < dist[nb] {
                dist[nb] = nd;
                heap.push(Reverse((nd, nb)));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_i64_is_f64_round() {
        let mut xs =
            vec![0.0, -0.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999999999999994, -0.49999999999999994, 1e15 + 0.5];
        // A deterministic spread of values, halves and near-halves included.
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..200_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let x = (seed % 4_000_001) as f64 / 1000.0 - 2000.0;
            xs.extend([x, x + 0.5, -x - 0.5, x / 3.0]);
        }
        for x in xs {
            assert_eq!(round_i64(x), x.round() as i64, "{x}");
        }
    }

    /// The march as it was written before [`Stops`]: three lookups a step.
    fn march_reference(view: &RasterView, p: Coord<f64>, d: Coord<f64>, max_t: f64) -> Option<f64> {
        let h = view.grid.h;
        let (n, big_n) = (view.grid.n as i64, view.big_n as i64);
        let big_c = (big_n - 1) / 2;
        let margin = (big_n - n) / 2;
        let step = h / 2.0;
        let mut t = step;
        while t <= max_t + step {
            let q = p + d * t;
            let (ci, cj) = ((q.x / h).round() as i64 + big_c, (q.y / h).round() as i64 + big_c);
            if ci < 0 || cj < 0 || ci >= big_n || cj >= big_n {
                return None;
            }
            if view.hostile_ext[(cj * big_n + ci) as usize] {
                return Some(t);
            }
            let (wi, wj) = (ci - margin, cj - margin);
            if wi >= 0 && wj >= 0 && wi < n && wj < n {
                let k = (wj * n + wi) as usize;
                if view.besieged.is_some_and(|b| b[k]) || !view.inside_reference[k] {
                    return None;
                }
            }
            t += step;
        }
        None
    }

    #[test]
    fn the_one_lookup_march_stops_where_the_three_lookup_march_did() {
        // Many blobs (short rays), then few (long skips through open ground).
        for blobs in [60, 4] {
            march_matches_the_reference(blobs);
        }
    }

    fn march_matches_the_reference(blobs: usize) {
        // A 41-cell window in a 61-cell raster: hostile blobs, a besieged
        // square, a strip outside the reference; rays from many cells in
        // many directions.
        let grid = Grid::covering(2000.0, 100.0);
        let (n, big_n) = (grid.n, grid.n + 20);
        let mut hostile = vec![false; big_n * big_n];
        let mut seed = 12345_u64;
        for _ in 0..blobs {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let (ci, cj) = ((seed >> 33) as usize % big_n, (seed >> 13) as usize % big_n);
            for dj in 0..3 {
                for di in 0..3 {
                    if ci + di < big_n && cj + dj < big_n {
                        hostile[(cj + dj) * big_n + ci + di] = true;
                    }
                }
            }
        }
        let besieged: Vec<bool> =
            (0..n * n).map(|k| (k % n).abs_diff(n / 2) < 3 && (k / n).abs_diff(n / 2) < 3).collect();
        let inside: Vec<bool> = (0..n * n).map(|k| k % n > 2).collect();
        let view =
            RasterView { grid, big_n, hostile_ext: &hostile, besieged: Some(&besieged), inside_reference: &inside };
        let stops = Stops::new(&view);
        let (mut hits, mut stopped) = (0, 0);
        for k in (0..n * n).step_by(7) {
            let p = grid.centre(k);
            for a in 0..DIRECTIONS {
                let th = PI * a as f64 / DIRECTIONS as f64;
                let d = Coord { x: th.cos(), y: th.sin() };
                for s in [1.0, -1.0] {
                    let got = stops.march(p, d * s, 3000.0);
                    assert_eq!(got, march_reference(&view, p, d * s, 3000.0), "cell {k} angle {a}");
                    if got.is_some() {
                        hits += 1
                    } else {
                        stopped += 1
                    }
                }
            }
        }
        // Both outcomes are exercised: rays that reach hostile ground and rays stopped before it.
        assert!(hits > 500 && stopped > 500, "{blobs} blobs: {hits} hits, {stopped} stopped");
    }
}
