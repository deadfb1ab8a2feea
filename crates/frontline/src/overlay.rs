//! Planar boolean overlays (i_overlay, the engine under geo's BooleanOps)
//! on a grid that does not move between snapshots.
//!
//! i_overlay snaps coordinates to an integer grid centred on the operands'
//! bounding box, so the same vertex lands on different grid points on two
//! days whose boxes differ by a metre, and consecutive snapshots then share
//! no edge bit for bit. Over the theatre of this war every overlay uses one
//! fixed grid (2⁻²⁶ degree ≈ 1.7 mm), which keeps unchanged edges identical
//! from one day to the next, so the edge-term cache of the area sweep
//! ([`crate::geodesy::EdgeAreaCache`]) finds them again.

use crate::coord_key::{point_key, CoordMap};
use geo::{BoundingRect, Coord, LineString, MultiPolygon, Polygon, Rect};
use i_overlay::core::fill_rule::FillRule;
use i_overlay::core::overlay::ShapeType;
use i_overlay::core::overlay_rule::OverlayRule;
use i_overlay::core::solver::Solver;
use i_overlay::float::overlay::{FloatOverlay, OverlayOptions};
use i_overlay::i_float::adapter::FloatPointAdapter;
use i_overlay::i_float::float::rect::FloatRect;
use i_overlay::i_shape::base::data::Shapes;

/// The fixed grid's extent: Ukraine and its neighbourhood, with room to spare.
const THEATRE: (f64, f64, f64, f64) = (18.0, 46.0, 40.0, 58.0); // min_x, max_x, min_y, max_y

type Paths = Vec<Vec<[f64; 2]>>;

fn paths(mp: &MultiPolygon<f64>) -> Paths {
    mp.0.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors())).map(ring_path).collect()
}

fn polygons_paths(polys: &[Polygon<f64>]) -> Paths {
    polys.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors())).map(ring_path).collect()
}

fn ring_path(r: &LineString<f64>) -> Vec<[f64; 2]> {
    let pts = &r.0[..];
    let pts = if pts.len() >= 2 && pts[0] == pts[pts.len() - 1] { &pts[..pts.len() - 1] } else { pts };
    pts.iter().map(|c| [c.x, c.y]).collect()
}

fn to_geo(shapes: Shapes<[f64; 2]>) -> MultiPolygon<f64> {
    let ring = |c: Vec<[f64; 2]>| {
        let mut pts: Vec<Coord<f64>> = c.into_iter().map(|[x, y]| Coord { x, y }).collect();
        if let Some(first) = pts.first().copied() {
            pts.push(first);
        }
        LineString::new(pts)
    };
    MultiPolygon::new(
        shapes
            .into_iter()
            .filter_map(|shape| {
                let mut contours = shape.into_iter();
                let exterior = ring(contours.next()?);
                Some(Polygon::new(exterior, contours.map(ring).collect()))
            })
            .collect(),
    )
}

/// The fixed theatre grid's adapter: the one conversion between lon/lat
/// and grid integers that every overlay on the theatre uses.
fn theatre_adapter() -> &'static FloatPointAdapter<[f64; 2], f64> {
    static ADAPTER: std::sync::OnceLock<FloatPointAdapter<[f64; 2], f64>> = std::sync::OnceLock::new();
    ADAPTER.get_or_init(|| {
        let (x0, x1, y0, y1) = THEATRE;
        FloatPointAdapter::new(FloatRect::new(x0, x1, y0, y1))
    })
}

/// A point's place on the fixed theatre grid, as an overlay snaps it:
/// `None` outside the theatre (an overlay then fits its own grid, and
/// nothing built on the fixed one applies).
pub(crate) fn theatre_snap(c: Coord<f64>) -> Option<[i32; 2]> {
    let (x0, x1, y0, y1) = THEATRE;
    if !(c.x > x0 && c.x < x1 && c.y > y0 && c.y < y1) {
        return None;
    }
    let p = theatre_adapter().float_to_int(&[c.x, c.y]);
    Some([p.x, p.y])
}

/// The lon/lat an overlay's output gives a grid point.
pub(crate) fn theatre_unsnap(p: [i32; 2]) -> Coord<f64> {
    let [x, y] = theatre_adapter().int_to_float(&i_overlay::i_float::int::point::IntPoint { x: p[0], y: p[1] });
    Coord { x, y }
}

/// The fixed theatre grid when every point lies inside it, else a grid
/// fitted to the points (correct, just not stable across snapshots).
fn overlay_for(subject: &Paths, clip: &Paths) -> FloatOverlay<[f64; 2], f64> {
    let (x0, x1, y0, y1) = THEATRE;
    let inside = subject.iter().chain(clip).flatten().all(|p| p[0] > x0 && p[0] < x1 && p[1] > y0 && p[1] < y1);
    let capacity = subject.iter().chain(clip).map(Vec::len).sum();
    if inside {
        FloatOverlay::new_custom(theatre_adapter().clone(), OverlayOptions::ogc(), Solver::default(), capacity)
            .unsafe_add_source(subject, ShapeType::Subject)
            .unsafe_add_source(clip, ShapeType::Clip)
    } else {
        FloatOverlay::with_subj_and_clip_custom(subject, clip, OverlayOptions::ogc(), Solver::default())
    }
}

/// The union of polygons by the non-zero rule: overlaps kept once, holes
/// kept, both lobes of a self-crossing ring kept (as GEOS's make_valid).
/// Rings must be oriented (exteriors one way, holes the other).
pub fn union_nonzero(polygons: &[Polygon<f64>]) -> MultiPolygon<f64> {
    let subject = polygons_paths(polygons);
    if subject.is_empty() {
        return MultiPolygon::new(vec![]);
    }
    to_geo(overlay_for(&subject, &vec![]).overlay(OverlayRule::Subject, FillRule::NonZero))
}

/// `a ∩ b` of two valid geometries.
pub fn intersection(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    let (pa, pb) = (paths(a), paths(b));
    if pa.is_empty() || pb.is_empty() {
        return MultiPolygon::new(vec![]);
    }
    to_geo(overlay_for(&pa, &pb).overlay(OverlayRule::Intersect, FillRule::EvenOdd))
}

/// `a ∪ b` of two valid geometries (any orientation): the occupied layer
/// with the gray one, for the "with gray" figures and the hostile ground.
pub fn union(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    let (pa, pb) = (paths(a), paths(b));
    if pa.is_empty() && pb.is_empty() {
        return MultiPolygon::new(vec![]);
    }
    to_geo(overlay_for(&pa, &pb).overlay(OverlayRule::Union, FillRule::EvenOdd))
}

/// `a − b` of two valid geometries (any orientation).
pub fn difference(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    let (pa, pb) = (paths(a), paths(b));
    if pa.is_empty() {
        return MultiPolygon::new(vec![]);
    }
    if pb.is_empty() {
        return a.clone();
    }
    to_geo(overlay_for(&pa, &pb).overlay(OverlayRule::Difference, FillRule::EvenOdd))
}

/// `(b − a, a − b)` of two valid geometries whose exteriors run
/// counter-clockwise and holes clockwise (as every stored layer does): the
/// area gained and lost between two snapshots of a class.
///
/// As 1-chains, ∂b − ∂a is the boundary of the signed region [b] − [a]:
/// +1 on b − a, −1 on a − b. Edges present in both boundaries with the same
/// direction cancel, so only the edges that changed need to be overlaid:
/// b's new edges as they are and a's old edges reversed form closed cycles,
/// whose winding number is +1 exactly on the gained ground and −1 on the
/// lost ground. On consecutive daily snapshots that is a few dozen edges
/// instead of thousands. Exact whatever is shared: with nothing shared it
/// overlays the two full boundaries.
pub fn gained_lost(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> (MultiPolygon<f64>, MultiPolygon<f64>) {
    // Number the vertices of a ∪ b once (consecutive snapshots share almost
    // all of them); edges are then pairs of numbers, compared without hashing.
    let mut ids: CoordMap<[u64; 2], u32> = CoordMap::with_capacity_and_hasher(ring_count(a) + 64, Default::default());
    let mut coords: Vec<Coord<f64>> = Vec::with_capacity(ids.capacity());
    let mut edges_of = |mp: &MultiPolygon<f64>| -> Vec<(u32, u32)> {
        let mut out = Vec::with_capacity(ring_count(mp));
        for ring in mp.0.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors())) {
            let mut prev: Option<u32> = None;
            for c in &ring.0 {
                let id = *ids.entry(point_key(*c)).or_insert_with(|| {
                    coords.push(*c);
                    (coords.len() - 1) as u32
                });
                if let Some(p) = prev.filter(|p| *p != id) {
                    out.push((p, id));
                }
                prev = Some(id);
            }
        }
        out
    };
    let (ea, eb) = (edges_of(a), edges_of(b));
    let n = coords.len();
    // a's edges by start vertex (compressed rows), each usable once, so that
    // a repeated edge cancels only once.
    let mut first = vec![0u32; n + 1];
    for &(p, _) in &ea {
        first[p as usize + 1] += 1;
    }
    for i in 0..n {
        first[i + 1] += first[i];
    }
    let mut fill = first.clone();
    let mut a_to = vec![0u32; ea.len()];
    for &(p, q) in &ea {
        a_to[fill[p as usize] as usize] = q;
        fill[p as usize] += 1;
    }
    let mut a_used = vec![false; ea.len()];
    // Outgoing edges of the cycle set: b's new edges, and a's old ones reversed.
    let mut out: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut n_edges = 0usize;
    for &(p, q) in &eb {
        let row = first[p as usize] as usize..first[p as usize + 1] as usize;
        match row.clone().find(|&k| a_to[k] == q && !a_used[k]) {
            Some(k) => a_used[k] = true,
            None => {
                out[p as usize].push(q);
                n_edges += 1;
            }
        }
    }
    for p in 0..n {
        for k in first[p] as usize..first[p + 1] as usize {
            if !a_used[k] {
                out[a_to[k] as usize].push(p as u32);
                n_edges += 1;
            }
        }
    }
    if n_edges == 0 {
        return (MultiPolygon::new(vec![]), MultiPolygon::new(vec![]));
    }
    // Walk the cycles: in- and out-degree balance at every vertex, so a walk
    // from any edge returns to its start.
    let mut cycles: Paths = vec![];
    for s in 0..n {
        while let Some(first_step) = out[s].pop() {
            let mut path = vec![[coords[s].x, coords[s].y]];
            let mut at = first_step as usize;
            let mut steps = 0;
            while at != s {
                path.push([coords[at].x, coords[at].y]);
                steps += 1;
                match out[at].pop() {
                    Some(next) if steps <= n_edges => at = next as usize,
                    // Unbalanced: the inputs were not valid rings. Overlay
                    // them whole instead of guessing.
                    _ => return full_gained_lost(a, b),
                }
            }
            cycles.push(path);
        }
    }
    let mut overlay = overlay_for(&cycles, &vec![]);
    let gained = to_geo(overlay.overlay(OverlayRule::Subject, FillRule::Positive));
    let lost = to_geo(overlay.overlay(OverlayRule::Subject, FillRule::Negative));
    (gained, lost)
}

fn ring_count(mp: &MultiPolygon<f64>) -> usize {
    mp.0.iter().map(|p| p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>()).sum()
}

/// `(b − a, a − b)` by a full overlay of both geometries (any orientation).
pub fn full_gained_lost(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> (MultiPolygon<f64>, MultiPolygon<f64>) {
    let (pa, pb) = (paths(a), paths(b));
    // Subject = b, clip = a: Difference = b − a (gained), InverseDifference = a − b (lost).
    let mut overlay = overlay_for(&pb, &pa);
    let Some(graph) = overlay.build_graph_view(FillRule::EvenOdd) else {
        return (MultiPolygon::new(vec![]), MultiPolygon::new(vec![]));
    };
    let mut buffer = Default::default();
    let gained = to_geo(graph.extract_shapes(OverlayRule::Difference, &mut buffer));
    let lost = to_geo(graph.extract_shapes(OverlayRule::InverseDifference, &mut buffer));
    (gained, lost)
}

/// Sutherland–Hodgman clipping of every ring to an axis-aligned rectangle.
/// The result may carry zero-width slivers along the rectangle's edges; it
/// is only fit as the operand of an overlay, which removes them.
pub fn crop_to_rect(mp: &MultiPolygon<f64>, r: Rect<f64>) -> MultiPolygon<f64> {
    let polygons =
        mp.0.iter()
            .filter(|p| {
                p.bounding_rect().is_some_and(|b| {
                    b.min().x <= r.max().x && r.min().x <= b.max().x && b.min().y <= r.max().y && r.min().y <= b.max().y
                })
            })
            .filter_map(|p| {
                let exterior = crop_ring(p.exterior(), r)?;
                let holes = p.interiors().iter().filter_map(|h| crop_ring(h, r)).collect();
                Some(Polygon::new(exterior, holes))
            })
            .collect();
    MultiPolygon::new(polygons)
}

type Inside = fn(Coord<f64>, f64) -> bool;
type Cut = fn(Coord<f64>, Coord<f64>, f64) -> Coord<f64>;

fn crop_ring(ring: &LineString<f64>, r: Rect<f64>) -> Option<LineString<f64>> {
    let (lo, hi) = (r.min(), r.max());
    let bb = ring.bounding_rect()?;
    if bb.max().x < lo.x || bb.min().x > hi.x || bb.max().y < lo.y || bb.min().y > hi.y {
        return None;
    }
    if bb.min().x >= lo.x && bb.max().x <= hi.x && bb.min().y >= lo.y && bb.max().y <= hi.y {
        return Some(ring.clone());
    }
    let mut pts: Vec<Coord<f64>> = ring.0.clone();
    // Each pass keeps one side of one edge of the rectangle.
    let sides: [(Inside, Cut, f64); 4] = [
        (|c, v| c.x >= v, cut_x, lo.x),
        (|c, v| c.x <= v, cut_x, hi.x),
        (|c, v| c.y >= v, cut_y, lo.y),
        (|c, v| c.y <= v, cut_y, hi.y),
    ];
    for (inside, cut, v) in sides {
        if pts.len() < 3 {
            return None;
        }
        let mut out = Vec::with_capacity(pts.len() + 4);
        for i in 0..pts.len() {
            let cur = pts[i];
            let prev = pts[(i + pts.len() - 1) % pts.len()];
            match (inside(cur, v), inside(prev, v)) {
                (true, true) => out.push(cur),
                (true, false) => {
                    out.push(cut(prev, cur, v));
                    out.push(cur);
                }
                (false, true) => out.push(cut(prev, cur, v)),
                (false, false) => {}
            }
        }
        pts = out;
    }
    (pts.len() >= 3).then(|| LineString::new(pts))
}

fn cut_x(a: Coord<f64>, b: Coord<f64>, x: f64) -> Coord<f64> {
    let t = (x - a.x) / (b.x - a.x);
    Coord { x, y: a.y + t * (b.y - a.y) }
}

fn cut_y(a: Coord<f64>, b: Coord<f64>, y: f64) -> Coord<f64> {
    let t = (y - a.y) / (b.y - a.y);
    Coord { x: a.x + t * (b.x - a.x), y }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, Area};

    #[test]
    fn gained_lost_by_hand() {
        let a = MultiPolygon::new(vec![
            polygon![(x: 30.0, y: 48.0), (x: 32.0, y: 48.0), (x: 32.0, y: 50.0), (x: 30.0, y: 50.0)],
        ]);
        let b = MultiPolygon::new(vec![
            polygon![(x: 31.0, y: 48.0), (x: 33.0, y: 48.0), (x: 33.0, y: 50.0), (x: 31.0, y: 50.0)],
        ]);
        let (g, l) = gained_lost(&a, &b);
        // b − a = [32,33]x[48,50], a − b = [30,31]x[48,50].
        assert!((g.unsigned_area() - 2.0).abs() < 1e-7);
        assert!((l.unsigned_area() - 2.0).abs() < 1e-7);
        assert!(g.0[0].exterior().0.iter().all(|c| c.x >= 32.0 - 1e-9));
        assert!(l.0[0].exterior().0.iter().all(|c| c.x <= 31.0 + 1e-9));
    }

    #[test]
    fn local_changes_by_hand() {
        // A big square whose one edge gets a small dent outward (gained) and
        // another a dent inward (lost).
        let big = |dent_out: f64, dent_in: f64| {
            MultiPolygon::new(vec![Polygon::new(
                LineString::from(vec![
                    (30.0, 45.0),
                    (35.0, 45.0),
                    (35.0, 47.0),
                    (35.0 + dent_out, 47.0),
                    (35.0 + dent_out, 47.1),
                    (35.0, 47.1),
                    (35.0, 50.0),
                    (33.1, 50.0),
                    (33.1, 50.0 - dent_in),
                    (33.0, 50.0 - dent_in),
                    (33.0, 50.0),
                    (30.0, 50.0),
                    (30.0, 45.0),
                ]),
                vec![],
            )])
        };
        let a = big(0.0, 0.0);
        let b = big(0.2, 0.3);
        let a = union_nonzero(&a.0);
        let b = union_nonzero(&b.0);
        let (g, l) = gained_lost(&a, &b);
        let (fg, fl) = full_gained_lost(&a, &b);
        assert!((fg.unsigned_area() - g.unsigned_area()).abs() < 1e-12);
        assert!((fl.unsigned_area() - l.unsigned_area()).abs() < 1e-12);
        // Within the grid's snapping (2^-26 degree on each vertex).
        assert!((g.unsigned_area() - 0.2 * 0.1).abs() < 1e-7, "{}", g.unsigned_area());
        assert!((l.unsigned_area() - 0.1 * 0.3).abs() < 1e-7, "{}", l.unsigned_area());
    }

    #[test]
    fn union_is_stable_across_bounding_boxes() {
        // The same square unioned alongside two different far-away shapes
        // keeps bit-identical vertices: the grid does not move.
        let sq = polygon![(x: 36.123456789, y: 48.987654321), (x: 36.5, y: 48.98), (x: 36.4, y: 49.3)];
        let far1 = polygon![(x: 22.0, y: 45.0), (x: 22.1, y: 45.0), (x: 22.1, y: 45.1)];
        let far2 = polygon![(x: 40.0, y: 52.0), (x: 40.1, y: 52.0), (x: 40.1, y: 52.1)];
        let u1 = union_nonzero(&[sq.clone(), far1]);
        let u2 = union_nonzero(&[sq, far2]);
        let find = |u: &MultiPolygon<f64>| {
            u.0.iter().find(|p| p.exterior().0.iter().any(|c| c.x > 36.0 && c.x < 37.0)).cloned().expect("square")
        };
        assert_eq!(find(&u1), find(&u2));
    }
}
