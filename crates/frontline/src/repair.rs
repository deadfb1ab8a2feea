//! Turning a class's polygons as drawn into one valid geometry, counting
//! every repair so that nothing changes an area silently.

use geo::orient::{Direction, Orient};
use geo::{Area, LineString, MultiPolygon, Polygon};
use serde::Serialize;

/// Repairs made while cleaning one file's polygons.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct RepairCounts {
    /// Rings whose last position did not repeat the first: closed.
    pub unclosed_rings: usize,
    /// Repeated consecutive vertices removed.
    pub duplicate_vertices: usize,
    /// Rings with fewer than three distinct vertices (no area): dropped.
    pub degenerate_rings: usize,
    /// Classes whose union differed in area from the sum of their parts:
    /// self-intersections or overlaps resolved by the union (non-zero rule).
    pub overlaps_resolved: usize,
    /// Planar area (square degrees) the union removed: a size, for the report only.
    pub overlap_sq_deg: f64,
    /// Seams closed: holes narrower than [`SEAM_MAX_WIDTH_M`] left between
    /// two layers of one class drawn edge to edge (see [`close_seams`]).
    #[serde(default)]
    pub seams_closed: usize,
    /// The geodesic area those seams had, m² (what closing them added).
    #[serde(default)]
    pub seam_area_m2: f64,
    /// Polygons whose own rings cross or overlap (a ring wound twice, a bow
    /// tie, a hole crossing its exterior): filled by the non-zero rule and
    /// named in the report's warnings.
    #[serde(default)]
    pub self_crossing_polygons: usize,
}

impl RepairCounts {
    /// Adds another file's (or class's) counts.
    pub fn add(&mut self, o: &RepairCounts) {
        self.unclosed_rings += o.unclosed_rings;
        self.duplicate_vertices += o.duplicate_vertices;
        self.degenerate_rings += o.degenerate_rings;
        self.overlaps_resolved += o.overlaps_resolved;
        self.overlap_sq_deg += o.overlap_sq_deg;
        self.seams_closed += o.seams_closed;
        self.seam_area_m2 += o.seam_area_m2;
        self.self_crossing_polygons += o.self_crossing_polygons;
    }

    /// Whether anything was repaired.
    pub fn any(&self) -> bool {
        self.unclosed_rings
            + self.duplicate_vertices
            + self.degenerate_rings
            + self.overlaps_resolved
            + self.seams_closed
            + self.self_crossing_polygons
            > 0
    }
}

/// Removes repeated vertices and drops rings without area, counting both.
/// A polygon whose exterior is degenerate is dropped whole.
pub fn clean_polygon(p: Polygon<f64>, counts: &mut RepairCounts) -> Option<Polygon<f64>> {
    let (exterior, holes) = p.into_inner();
    let exterior = clean_ring(exterior, counts)?;
    let holes = holes.into_iter().filter_map(|h| clean_ring(h, counts)).collect();
    Some(Polygon::new(exterior, holes))
}

fn clean_ring(ring: LineString<f64>, counts: &mut RepairCounts) -> Option<LineString<f64>> {
    let before = ring.0.len();
    let mut pts = ring.0;
    pts.dedup();
    counts.duplicate_vertices += before - pts.len();
    // A closed ring needs three distinct vertices plus the closing repeat.
    let distinct = if pts.len() >= 2 && pts.first() == pts.last() { pts.len() - 1 } else { pts.len() };
    if distinct < 3 {
        counts.degenerate_rings += 1;
        return None;
    }
    Some(LineString::new(pts))
}

/// The union of polygons of one class, valid (no self-intersections, no
/// overlaps, exteriors counter-clockwise as RFC 7946 wants).
pub fn union_polygons(polygons: Vec<Polygon<f64>>, counts: &mut RepairCounts) -> MultiPolygon<f64> {
    match union_polygons_naming(polygons, counts, usize::MAX) {
        Ok((u, _)) => u,
        Err(_) => MultiPolygon::new(vec![]), // unreachable: no limit
    }
}

/// The most places one polygon's own edges may cross or touch before
/// ingest refuses it. Real maps have a handful (the worst DeepState polygon
/// a few dozen); a scribble of n random vertices has ~n²/10, and the union
/// that resolves them costs more than linear time and memory in that
/// number (8,000 random vertices: over 2 minutes and 1 GB).
pub const MAX_SELF_CROSSINGS: usize = 10_000;

/// A polygon [`union_polygons_naming`] refused: its position and how many
/// crossings were counted before giving up (at least the limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooTangled {
    /// Position of the polygon in the input.
    pub polygon: usize,
    /// Crossings counted (the count stops at the limit).
    pub crossings: usize,
}

/// [`union_polygons`], also returning the positions of the polygons that
/// were invalid on their own (a ring crossing or overlapping itself or a
/// sibling ring, e.g. a ring wound twice), so that the report can name them.
/// Only a layer that is not valid as drawn pays for the per-polygon checks.
///
/// A polygon whose own edges meet more than `max_crossings` times is
/// refused ([`TooTangled`]) before the union is attempted.
pub fn union_polygons_naming(
    polygons: Vec<Polygon<f64>>,
    counts: &mut RepairCounts,
    max_crossings: usize,
) -> Result<(MultiPolygon<f64>, Vec<usize>), TooTangled> {
    if polygons.is_empty() {
        return Ok((MultiPolygon::new(vec![]), vec![]));
    }
    // Orient every ring (sources mix clockwise and counter-clockwise
    // drawings), then fill by the non-zero rule: overlaps are kept once,
    // holes stay holes, and both lobes of a self-crossing "bow tie" are kept,
    // as GEOS's make_valid does.
    let oriented: Vec<Polygon<f64>> = polygons.into_iter().map(|p| p.orient(Direction::Default)).collect();
    // Most published layers are valid already: then the union would only
    // re-snap every vertex, at several times the cost of parsing the file.
    if valid_as_is(&oriented) {
        return Ok((MultiPolygon::new(oriented), vec![]));
    }
    let crossing: Vec<usize> =
        (0..oriented.len()).filter(|&k| !valid_as_is(std::slice::from_ref(&oriented[k]))).collect();
    if max_crossings < usize::MAX {
        for &k in &crossing {
            let n = self_crossings_capped(&oriented[k], max_crossings + 1);
            if n > max_crossings {
                return Err(TooTangled { polygon: k, crossings: n });
            }
        }
    }
    counts.self_crossing_polygons += crossing.len();
    let parts_sq_deg: f64 = oriented.iter().map(|p| p.unsigned_area()).sum();
    let union = crate::overlay::union_nonzero(&oriented);
    let union_sq_deg = union.unsigned_area();
    // Planar noding moves vertices by ~1e-15 degrees; anything above this is a real change.
    if (parts_sq_deg - union_sq_deg).abs() > 1e-9 * parts_sq_deg.max(1e-12) + 1e-12 {
        counts.overlaps_resolved += 1;
        counts.overlap_sq_deg += (parts_sq_deg - union_sq_deg).abs();
    }
    Ok((union, crossing))
}

/// How many pairs of non-consecutive edges of one polygon's rings meet,
/// counting up to `cap` (a sweep over x: near-linear for real rings). A
/// tangle too dense to count within a fixed budget of pair tests counts as
/// `cap`.
pub fn self_crossings_capped(p: &Polygon<f64>, cap: usize) -> usize {
    use geo::kernels::{Kernel, Orientation, RobustKernel};
    const PAIR_TESTS_BUDGET: usize = 50_000_000;
    // (x0, x1, y0, y1, ring, index, ring length, a, b)
    let mut edges = vec![];
    for (r, ring) in std::iter::once(p.exterior()).chain(p.interiors()).enumerate() {
        let n = ring.0.len().saturating_sub(1);
        for i in 0..n {
            let (a, b) = (ring.0[i], ring.0[i + 1]);
            edges.push((a.x.min(b.x), a.x.max(b.x), a.y.min(b.y), a.y.max(b.y), r, i, n, a, b));
        }
    }
    edges.sort_by(|e, f| e.0.total_cmp(&f.0));
    let orient = |a, b, c| RobustKernel::orient2d(a, b, c);
    let mut active: Vec<usize> = vec![];
    let (mut found, mut tests) = (0, 0);
    for k in 0..edges.len() {
        let e = edges[k];
        active.retain(|&j| edges[j].1 >= e.0);
        for &j in &active {
            let f = edges[j];
            tests += 1;
            if f.3 < e.2 || e.3 < f.2 {
                continue;
            }
            let adjacent = e.4 == f.4 && (e.5 == (f.5 + 1) % e.6 || f.5 == (e.5 + 1) % e.6);
            if adjacent {
                continue;
            }
            let (o1, o2) = (orient(e.7, e.8, f.7), orient(e.7, e.8, f.8));
            let (o3, o4) = (orient(f.7, f.8, e.7), orient(f.7, f.8, e.8));
            let collinear = [o1, o2, o3, o4].contains(&Orientation::Collinear);
            if (o1 != o2 && o3 != o4) || collinear {
                found += 1;
            }
        }
        if found >= cap || tests > PAIR_TESTS_BUDGET {
            return cap.max(found);
        }
        active.push(k);
    }
    found
}

/// The widest hole, as mean width (2 × area ÷ perimeter, metres), that
/// [`close_seams`] treats as a seam between layers rather than ground.
///
/// DeepState draws ORDLO, Crimea and the 2022+ occupied area as separate
/// layers whose shared edges do not quite meet: on the raw 2025-08-03 map
/// their union has 53 holes, every one under 1.3 m wide (most under 0.3 m)
/// and up to 22 km long; together 264 km of "front" through occupied
/// Donbas. A real enclave of held ground is hundreds of metres wide at the
/// least. 5 m closes every seam seen in the raw and archive maps with a
/// margin, and nothing a map could mean as territory.
pub const SEAM_MAX_WIDTH_M: f64 = 5.0;

/// Fills the holes of a valid union that are seams, not ground: those whose
/// mean width (2 × geodesic area ÷ geodesic perimeter, the width of a thin
/// strip) is under `max_width_m`. Counts each one and the area it adds, so
/// no area changes by more than the seams' own. A hole with another part
/// of the geometry inside its bounding box is kept (filling it would make
/// that part overlap), so the result stays valid.
pub fn close_seams(mp: MultiPolygon<f64>, max_width_m: f64, counts: &mut RepairCounts) -> MultiPolygon<f64> {
    use geo::BoundingRect;
    if !mp.0.iter().any(|p| !p.interiors().is_empty()) {
        return mp;
    }
    let firsts: Vec<geo::Coord<f64>> = mp.0.iter().filter_map(|p| p.exterior().0.first().copied()).collect();
    let polygons =
        mp.0.into_iter()
            .enumerate()
            .map(|(i, p)| {
                if p.interiors().is_empty() {
                    return p;
                }
                let (exterior, holes) = p.into_inner();
                let kept = holes
                    .into_iter()
                    .filter(|h| {
                        let (area_m2, perimeter_m) = crate::geodesy::ring_area_perimeter_m(h);
                        let area_m2 = area_m2.abs();
                        let thin = perimeter_m > 0.0 && 2.0 * area_m2 / perimeter_m < max_width_m;
                        let encloses_a_part = h.bounding_rect().is_some_and(|r| {
                            firsts.iter().enumerate().any(|(j, c)| {
                                j != i && c.x >= r.min().x && c.x <= r.max().x && c.y >= r.min().y && c.y <= r.max().y
                            })
                        });
                        if thin && !encloses_a_part {
                            counts.seams_closed += 1;
                            counts.seam_area_m2 += area_m2;
                            false
                        } else {
                            true
                        }
                    })
                    .collect();
                Polygon::new(exterior, kept)
            })
            .collect();
    MultiPolygon::new(polygons)
}

/// Whether oriented polygons already form a valid geometry: no two edges
/// meet anywhere but at the vertex two consecutive edges of a ring share
/// (no crossing, touching, overlapping or spike), every hole inside its
/// exterior and outside its sibling holes, and no polygon inside another
/// one's area. Conservative: anything it cannot rule valid goes to the
/// union, which repairs it.
pub fn valid_as_is(polygons: &[Polygon<f64>]) -> bool {
    // (ring id, index in ring, ring length, start, end)
    type Edge = (usize, usize, usize, Coord<f64>, Coord<f64>);
    use geo::kernels::{Kernel, Orientation, RobustKernel};
    use geo::{Contains, Coord};

    // Every edge as (ring id, index in ring, ring length, a, b).
    let rings: Vec<&LineString<f64>> =
        polygons.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors())).collect();
    let mut edges: Vec<Edge> = vec![];
    for (r, ring) in rings.iter().enumerate() {
        let n = ring.0.len().saturating_sub(1);
        if n < 3 || ring.0.first() != ring.0.last() {
            return false;
        }
        for i in 0..n {
            edges.push((r, i, n, ring.0[i], ring.0[i + 1]));
        }
    }
    let orient = |a, b, c| RobustKernel::orient2d(a, b, c);
    let on_segment = |a: Coord<f64>, b: Coord<f64>, c: Coord<f64>| {
        c.x >= a.x.min(b.x) && c.x <= a.x.max(b.x) && c.y >= a.y.min(b.y) && c.y <= a.y.max(b.y)
    };
    // Consecutive edges a->b->c: a spike (c back along a->b) is invalid.
    for ring in &rings {
        let n = ring.0.len() - 1;
        for i in 0..n {
            let (a, b, c) = (ring.0[i], ring.0[i + 1], ring.0[(i + 2) % n]);
            if orient(a, b, c) == Orientation::Collinear && (c.x - b.x) * (a.x - b.x) + (c.y - b.y) * (a.y - b.y) > 0.0
            {
                return false;
            }
        }
    }
    // Candidate pairs from a uniform grid over the edges' bounding boxes.
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for e in &edges {
        for c in [e.3, e.4] {
            x0 = x0.min(c.x);
            y0 = y0.min(c.y);
            x1 = x1.max(c.x);
            y1 = y1.max(c.y);
        }
    }
    // Edges follow curves, so most cells are empty: a grid twice as fine
    // as one cell per edge keeps the buckets small.
    let side = ((2.0 * (edges.len() as f64).sqrt()).ceil() as usize).clamp(1, 2048);
    // Each edge's box, once.
    let ebox: Vec<[f64; 4]> =
        edges.iter().map(|e| [e.3.x.min(e.4.x), e.3.x.max(e.4.x), e.3.y.min(e.4.y), e.3.y.max(e.4.y)]).collect();
    let (w, h) = (((x1 - x0) / side as f64).max(1e-12), ((y1 - y0) / side as f64).max(1e-12));
    let (inv_w, inv_h) = (1.0 / w, 1.0 / h);
    let cell = |v: f64, lo: f64, inv: f64| (((v - lo) * inv) as usize).min(side - 1);
    // A flat bucket grid (counting sort): one allocation, not one per cell.
    let spans: Vec<[usize; 4]> = ebox
        .iter()
        .map(|b| [cell(b[0], x0, inv_w), cell(b[1], x0, inv_w), cell(b[2], y0, inv_h), cell(b[3], y0, inv_h)])
        .collect();
    let mut start = vec![0u32; side * side + 1];
    for &[cx0, cx1, cy0, cy1] in &spans {
        if (cx1 - cx0 + 1) * (cy1 - cy0 + 1) > 4096 {
            return false; // a degenerate spread: let the union decide
        }
        for cy in cy0..=cy1 {
            for cx in cx0..=cx1 {
                start[cy * side + cx + 1] += 1;
            }
        }
    }
    for i in 1..start.len() {
        start[i] += start[i - 1];
    }
    let mut fill = start.clone();
    let mut slots = vec![0u32; start[side * side] as usize];
    for (k, &[cx0, cx1, cy0, cy1]) in spans.iter().enumerate() {
        for cy in cy0..=cy1 {
            for cx in cx0..=cx1 {
                let c = cy * side + cx;
                slots[fill[c] as usize] = k as u32;
                fill[c] += 1;
            }
        }
    }
    for c in 0..side * side {
        let (lo, hi) = (start[c] as usize, start[c + 1] as usize);
        if hi - lo < 2 {
            continue;
        }
        let bucket = &slots[lo..hi];
        for (i, &ki) in bucket.iter().enumerate() {
            let (ri, ii, ni, a, b) = edges[ki as usize];
            let bi = &ebox[ki as usize];
            for &kj in &bucket[i + 1..] {
                let bj = &ebox[kj as usize];
                // Disjoint boxes cannot meet (the common case in a bucket).
                if bi[1] < bj[0] || bj[1] < bi[0] || bi[3] < bj[2] || bj[3] < bi[2] {
                    continue;
                }
                let (rj, ij, _, c, d) = edges[kj as usize];
                if ri == rj && (ij == (ii + 1) % ni || ii == (ij + 1) % ni) {
                    continue; // consecutive edges share their vertex by design
                }
                let (o1, o2) = (orient(a, b, c), orient(a, b, d));
                let (o3, o4) = (orient(c, d, a), orient(c, d, b));
                let touches = (o1 == Orientation::Collinear && on_segment(a, b, c))
                    || (o2 == Orientation::Collinear && on_segment(a, b, d))
                    || (o3 == Orientation::Collinear && on_segment(c, d, a))
                    || (o4 == Orientation::Collinear && on_segment(c, d, b));
                if touches || (o1 != o2 && o3 != o4) {
                    return false;
                }
            }
        }
    }
    // No ring crosses another: nesting is decided by any one vertex.
    let boxes: Vec<Option<geo::Rect<f64>>> = rings.iter().map(|r| geo::BoundingRect::bounding_rect(*r)).collect();
    let in_ring = |pt: Coord<f64>, r: usize| boxes[r].is_some_and(|b| b.contains(&pt)) && point_in_ring(pt, rings[r]);
    // Ring ids: polygon k's exterior is first[k], its holes follow.
    let mut first = Vec::with_capacity(polygons.len());
    let mut at = 0;
    for p in polygons {
        first.push(at);
        at += 1 + p.interiors().len();
    }
    for (k, p) in polygons.iter().enumerate() {
        let holes = first[k] + 1..first[k] + 1 + p.interiors().len();
        for h in holes.clone() {
            let v = rings[h].0[0];
            if !in_ring(v, first[k]) || holes.clone().any(|o| o != h && in_ring(v, o)) {
                return false;
            }
        }
    }
    // Only polygons whose box holds the vertex can hold the polygon: an
    // R-tree of exterior boxes keeps this near-linear in the number of
    // polygons (comparing every pair took minutes for 200k features).
    let exterior_boxes = rstar::RTree::bulk_load(
        polygons
            .iter()
            .enumerate()
            .filter_map(|(j, _)| {
                boxes[first[j]].map(|b| {
                    rstar::primitives::GeomWithData::new(
                        rstar::primitives::Rectangle::from_corners([b.min().x, b.min().y], [b.max().x, b.max().y]),
                        j,
                    )
                })
            })
            .collect(),
    );
    for (i, p) in polygons.iter().enumerate() {
        let v = p.exterior().0[0];
        for candidate in exterior_boxes.locate_all_at_point(&[v.x, v.y]) {
            let j = candidate.data;
            let q_holes = first[j] + 1..first[j] + 1 + polygons[j].interiors().len();
            if i != j && in_ring(v, first[j]) && !q_holes.clone().any(|h| in_ring(v, h)) {
                return false;
            }
        }
    }
    true
}

/// Even-odd crossing test of a point against one closed ring (the point is
/// never on the ring here: rings that touch were rejected before).
fn point_in_ring(pt: geo::Coord<f64>, ring: &LineString<f64>) -> bool {
    let mut inside = false;
    for w in ring.0.windows(2) {
        let (a, b) = (w[0], w[1]);
        if (a.y > pt.y) != (b.y > pt.y) && pt.x < a.x + (pt.y - a.y) / (b.y - a.y) * (b.x - a.x) {
            inside = !inside;
        }
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn bowtie_is_repaired_and_counted() {
        // A self-intersecting "bow tie": two triangles of area 0.25 each.
        let bowtie = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 1.0), (x: 1.0, y: 0.0), (x: 0.0, y: 1.0)];
        let mut c = RepairCounts::default();
        let u = union_polygons(vec![bowtie], &mut c);
        assert!((u.unsigned_area() - 0.5).abs() < 1e-12, "{}", u.unsigned_area());
        assert_eq!(c.overlaps_resolved, 1);
    }

    /// The {5/2} pentagram of `benches/oracles/self_overlap.py`, drawn in
    /// one stroke: its central pentagon is wound twice.
    const PENTAGRAM: [(f64, f64); 5] = [
        (37.5, 49.0),
        (37.20610737385376, 48.09549150281253),
        (37.97552825814758, 48.65450849718747),
        (37.02447174185242, 48.65450849718747),
        (37.79389262614624, 48.09549150281253),
    ];

    #[test]
    fn a_ring_wound_twice_is_filled_by_the_non_zero_rule() {
        use crate::geodesy::GeodesicAreaM2;
        let star = Polygon::new(LineString::from(PENTAGRAM.to_vec()), vec![]);
        let square = polygon![(x: 30.0, y: 50.0), (x: 30.1, y: 50.0), (x: 30.1, y: 50.1), (x: 30.0, y: 50.1)];
        let mut c = RepairCounts::default();
        let (u, crossing) =
            union_polygons_naming(vec![square.clone(), star], &mut c, MAX_SELF_CROSSINGS).expect("5 crossings");
        assert_eq!(crossing, vec![1], "the star, not the square, is named");
        assert_eq!(c.self_crossing_polygons, 1);
        let star_m2 = u.geodesic_area_m2() - MultiPolygon::new(vec![square]).geodesic_area_m2();
        // benches/oracles/self_overlap.py: shapely polygonize + winding
        // number (non-zero) + pyproj geodesic area = 2,306,263,963.985 m²
        // (GEOS make_valid, which makes the doubly wound centre a hole:
        // 1,593,586,587.532 m²). Tolerance: the overlay's 1.7 mm grid.
        assert!((star_m2 - 2_306_263_963.985).abs() < 2_000.0, "{star_m2}");
    }

    #[test]
    fn a_scribble_is_refused_before_the_union() {
        // A zigzag out along x = 0, 1, .., n and back along x = k + 0.5,
        // the way back mirrored: the ring crosses itself all along.
        let n = 40;
        let mut pts: Vec<(f64, f64)> = (0..=n).map(|k| (f64::from(k), if k % 2 == 0 { 0.0 } else { 2.0 })).collect();
        pts.extend((0..n).rev().map(|k| (f64::from(k) + 0.5, if k % 2 == 0 { 2.0 } else { 0.0 })));
        let p = Polygon::new(LineString::from(pts), vec![]);
        let crossings = self_crossings_capped(&p, usize::MAX);
        // The oracle: every pair of non-consecutive edges tested with geo's
        // `Intersects` (quadratic, independent of the sweep).
        let edges: Vec<_> = p.exterior().lines().collect();
        let m = edges.len();
        let mut brute = 0;
        for i in 0..m {
            for j in i + 1..m {
                if j == i + 1 || (i == 0 && j == m - 1) {
                    continue;
                }
                if geo::Intersects::intersects(&edges[i], &edges[j]) {
                    brute += 1;
                }
            }
        }
        assert_eq!(crossings, brute);
        assert!(brute > 20, "{brute}");
        let mut c = RepairCounts::default();
        let e = union_polygons_naming(vec![p.clone()], &mut c, brute - 1).expect_err("over the limit");
        assert_eq!(e.polygon, 0);
        assert!(union_polygons_naming(vec![p], &mut c, brute).is_ok());
    }

    #[test]
    fn overlapping_squares_count_once() {
        let a = polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 2.0), (x: 0.0, y: 2.0)];
        let b = polygon![(x: 1.0, y: 1.0), (x: 3.0, y: 1.0), (x: 3.0, y: 3.0), (x: 1.0, y: 3.0)];
        let mut c = RepairCounts::default();
        let u = union_polygons(vec![a, b], &mut c);
        assert!((u.unsigned_area() - 7.0).abs() < 1e-12);
        assert_eq!(c.overlaps_resolved, 1);
        assert!((c.overlap_sq_deg - 1.0).abs() < 1e-12);
    }

    #[test]
    fn clockwise_input_is_kept_not_inverted() {
        let mut cw = polygon![(x: 0.0, y: 0.0), (x: 0.0, y: 1.0), (x: 1.0, y: 1.0), (x: 1.0, y: 0.0)];
        cw.exterior_mut(|_| {});
        let mut c = RepairCounts::default();
        let u = union_polygons(vec![cw], &mut c);
        assert!((u.unsigned_area() - 1.0).abs() < 1e-12);
        assert!(!c.any());
    }

    #[test]
    fn validity_check_by_hand() {
        let sq = |x: f64, y: f64, s: f64| {
            polygon![(x: x, y: y), (x: x + s, y: y), (x: x + s, y: y + s), (x: x, y: y + s)].orient(Direction::Default)
        };
        assert!(valid_as_is(&[sq(0.0, 0.0, 1.0), sq(2.0, 0.0, 1.0)]));
        // Overlapping, touching along an edge, touching at a corner, nested.
        assert!(!valid_as_is(&[sq(0.0, 0.0, 1.0), sq(0.5, 0.5, 1.0)]));
        assert!(!valid_as_is(&[sq(0.0, 0.0, 1.0), sq(1.0, 0.0, 1.0)]));
        assert!(!valid_as_is(&[sq(0.0, 0.0, 1.0), sq(1.0, 1.0, 1.0)]));
        assert!(!valid_as_is(&[sq(0.0, 0.0, 3.0), sq(1.0, 1.0, 1.0)]));
        // A bow tie crosses itself.
        assert!(!valid_as_is(&[polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 1.0), (x: 1.0, y: 0.0), (x: 0.0, y: 1.0)]]));
        // A hole inside its exterior is fine; a hole outside it is not.
        let holed = |hx: f64| {
            Polygon::new(
                LineString::from(vec![(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0), (0.0, 0.0)]),
                vec![LineString::from(vec![(hx, 1.0), (hx, 2.0), (hx + 1.0, 2.0), (hx + 1.0, 1.0), (hx, 1.0)])],
            )
            .orient(Direction::Default)
        };
        assert!(valid_as_is(&[holed(1.0)]));
        assert!(!valid_as_is(&[holed(5.0)]));
        // An island inside the hole of another polygon is valid.
        let island = sq(1.25, 1.25, 0.5);
        assert!(valid_as_is(&[holed(1.0), island]));
        // A spike (the ring doubles back on itself).
        let spike = Polygon::new(
            LineString::from(vec![(0.0, 0.0), (2.0, 0.0), (3.0, 0.0), (2.5, 0.0), (2.0, 1.0), (0.0, 1.0), (0.0, 0.0)]),
            vec![],
        );
        assert!(!valid_as_is(&[spike]));
    }

    #[test]
    fn degenerate_rings_are_dropped() {
        let mut c = RepairCounts::default();
        let sliver = Polygon::new(LineString::from(vec![(0.0, 0.0), (1.0, 1.0), (1.0, 1.0), (0.0, 0.0)]), vec![]);
        assert!(clean_polygon(sliver, &mut c).is_none());
        assert_eq!(c.degenerate_rings, 1);
        assert_eq!(c.duplicate_vertices, 1);
    }
}

#[cfg(test)]
mod seam_tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn thin_holes_close_and_wide_ones_stay() {
        // A 1° × 1° square at 48° N with two holes: a slit 1e-5° (≈ 0.74 m)
        // wide and 0.5° long, and a 0.1° × 0.1° enclave (≈ 7.4 × 11 km).
        let slit = LineString::from(vec![(30.2, 48.2), (30.2, 48.7), (30.20001, 48.7), (30.20001, 48.2), (30.2, 48.2)]);
        let enclave = LineString::from(vec![(30.6, 48.4), (30.6, 48.5), (30.7, 48.5), (30.7, 48.4), (30.6, 48.4)]);
        let square = polygon![(x: 30.0, y: 48.0), (x: 31.0, y: 48.0), (x: 31.0, y: 49.0), (x: 30.0, y: 49.0)];
        let holed = Polygon::new(square.exterior().clone(), vec![slit.clone(), enclave.clone()]);
        let mut counts = RepairCounts::default();
        let out = close_seams(MultiPolygon::new(vec![holed]), SEAM_MAX_WIDTH_M, &mut counts);
        assert_eq!(out.0[0].interiors(), &[enclave][..]);
        assert_eq!(counts.seams_closed, 1);
        // The slit's area by hand: 1e-5° of longitude at 48.45° N is
        // 0.739 m (111,320 m × cos 48.45° ≈ 73,880 m per degree), times
        // 0.5° of latitude (≈ 55,590 m): ≈ 41,100 m².
        assert!((counts.seam_area_m2 - 41_100.0).abs() < 400.0, "{}", counts.seam_area_m2);
        // An island inside a thin hole's box keeps the hole.
        let island = polygon![(x: 30.200002, y: 48.3), (x: 30.200008, y: 48.3), (x: 30.200008, y: 48.31)];
        let holed = Polygon::new(square.exterior().clone(), vec![slit]);
        let mut counts = RepairCounts::default();
        let out = close_seams(MultiPolygon::new(vec![holed, island]), SEAM_MAX_WIDTH_M, &mut counts);
        assert_eq!(out.0[0].interiors().len(), 1);
        assert_eq!(counts.seams_closed, 0);
    }
}
