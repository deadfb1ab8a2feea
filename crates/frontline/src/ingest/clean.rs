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
}

impl RepairCounts {
    /// Adds another file's (or class's) counts.
    pub fn add(&mut self, o: &RepairCounts) {
        self.unclosed_rings += o.unclosed_rings;
        self.duplicate_vertices += o.duplicate_vertices;
        self.degenerate_rings += o.degenerate_rings;
        self.overlaps_resolved += o.overlaps_resolved;
        self.overlap_sq_deg += o.overlap_sq_deg;
    }

    /// Whether anything was repaired.
    pub fn any(&self) -> bool {
        self.unclosed_rings + self.duplicate_vertices + self.degenerate_rings + self.overlaps_resolved > 0
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
    if polygons.is_empty() {
        return MultiPolygon::new(vec![]);
    }
    // Orient every ring (sources mix clockwise and counter-clockwise
    // drawings), then fill by the non-zero rule: overlaps are kept once,
    // holes stay holes, and both lobes of a self-crossing "bow tie" are kept,
    // as GEOS's make_valid does.
    let oriented: Vec<Polygon<f64>> = polygons.into_iter().map(|p| p.orient(Direction::Default)).collect();
    let parts_sq_deg: f64 = oriented.iter().map(|p| p.unsigned_area()).sum();
    let union = crate::overlay::union_nonzero(&oriented);
    let union_sq_deg = union.unsigned_area();
    // Planar noding moves vertices by ~1e-15 degrees; anything above this is a real change.
    if (parts_sq_deg - union_sq_deg).abs() > 1e-9 * parts_sq_deg.max(1e-12) + 1e-12 {
        counts.overlaps_resolved += 1;
        counts.overlap_sq_deg += (parts_sq_deg - union_sq_deg).abs();
    }
    union
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
    fn degenerate_rings_are_dropped() {
        let mut c = RepairCounts::default();
        let sliver = Polygon::new(LineString::from(vec![(0.0, 0.0), (1.0, 1.0), (1.0, 1.0), (0.0, 0.0)]), vec![]);
        assert!(clean_polygon(sliver, &mut c).is_none());
        assert_eq!(c.degenerate_rings, 1);
        assert_eq!(c.duplicate_vertices, 1);
    }
}
