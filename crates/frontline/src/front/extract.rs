//! Frontline extraction (measures.md, "Frontline"): the boundary of hostile
//! territory that lies inside the reference territory, less every part
//! within a tolerance of the state border or the coast.
//!
//! The boundary of (hostile ∩ reference) is (∂hostile ∩ reference) plus
//! pieces of ∂reference; the latter lie on the border and are always removed.
//! So no polygon overlay is needed: every edge of ∂hostile is cut exactly
//! where it enters or leaves the tolerance band around the reference
//! boundary (and the coast), and each remaining piece, which cannot cross
//! the reference boundary without passing through the band, is kept when
//! one of its points lies inside the reference (and on land).

use super::local::{band_interval, short_distance_m, LocalPlane};
use crate::coord_key::{edge_key, CoordHashState, CoordMap, EdgeKey};
use crate::error::{Error, Result};
use crate::model::{ControlClass, Snapshot};
use crate::regions::Territory;
use chrono::NaiveDate;
use geo::indexed::IntervalTreeMultiPolygon;
use geo::{BoundingRect, Coord, Intersects, LineString, MultiLineString, MultiPolygon, Rect};
use rstar::primitives::Line as RLine;
use rstar::{RTree, AABB};
use serde::{Deserialize, Serialize, Serializer};
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex, OnceLock};

/// Which territory counts as hostile (measures.md, "Inputs").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Hostile {
    /// `occupied` only (the default).
    #[default]
    Occupied,
    /// `occupied` ∪ `gray`.
    OccupiedOrContested,
}

impl Hostile {
    /// The hostile geometry of a snapshot, as published (not clipped).
    pub fn of(self, snapshot: &Snapshot) -> MultiPolygon<f64> {
        let occupied = snapshot.class_or_empty(ControlClass::Occupied);
        match self {
            Hostile::Occupied => occupied,
            Hostile::OccupiedOrContested => match snapshot.layer(ControlClass::Gray) {
                // The gray zone is drawn against the occupied layer: close
                // the seams between them as ingest does within a class.
                Some(gray) if !gray.0.is_empty() => crate::repair::close_seams(
                    crate::overlay::union(&occupied, gray),
                    crate::repair::SEAM_MAX_WIDTH_M,
                    &mut Default::default(),
                ),
                _ => occupied,
            },
        }
    }
}

/// The parameters of a frontline; every report prints them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FrontOptions {
    /// Which territory is hostile.
    pub hostile: Hostile,
    /// Boundary within this distance of the reference territory's boundary
    /// (the state border, or the sea limit) is not front. Default 500 m.
    pub border_tolerance_m: f64,
    /// Boundary within this distance of the coast (the land outline's
    /// boundary, when a land territory is given), or out at sea, is not
    /// front. Default 500 m, as measures.md says; maps drawn with a coarser
    /// coast than the land outline need more (see `FrontExtractor::new`).
    pub coast_tolerance_m: f64,
    /// Edges are cut into pieces no longer than this before measuring
    /// distances in a local plane (keeps the planar error under a metre).
    pub max_edge_m: f64,
}

/// The coast tolerance the CLI and the server use by default, instead of
/// measures.md's 500 m: DeepState draws the coast up to a few km off OSM's
/// land outline, and at 500 m about 500 km of shoreline counts as front
/// (ARCHITECTURE.md, "Deviations from measures.md").
pub const REPORTING_COAST_TOLERANCE_M: f64 = 3_000.0;

impl Default for FrontOptions {
    fn default() -> Self {
        FrontOptions {
            hostile: Hostile::Occupied,
            border_tolerance_m: 500.0,
            coast_tolerance_m: 500.0,
            max_edge_m: 1_000.0,
        }
    }
}

/// The frontline of one snapshot.
#[derive(Debug, Clone, Serialize)]
pub struct Frontline {
    /// The snapshot's date.
    pub date: NaiveDate,
    /// Geodesic length of `lines`, km.
    pub length_km: f64,
    /// The line, WGS84 lon/lat (serialised as arrays of `[lon, lat]`).
    #[serde(serialize_with = "serialize_lines")]
    pub lines: MultiLineString<f64>,
}

/// Serialises lines as `[[[lon, lat], ...], ...]` (GeoJSON MultiLineString coordinates).
pub fn serialize_lines<S: Serializer>(lines: &MultiLineString<f64>, s: S) -> Result<S::Ok, S::Error> {
    let coords: Vec<Vec<[f64; 2]>> = lines.0.iter().map(|l| l.0.iter().map(|c| [c.x, c.y]).collect()).collect();
    coords.serialize(s)
}

type Segment = RLine<[f64; 2]>;

fn segments_of(mp: &MultiPolygon<f64>) -> Vec<Segment> {
    mp.0.iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .flat_map(|r| r.lines())
        .filter(|l| l.start != l.end)
        .map(|l| RLine::new([l.start.x, l.start.y], [l.end.x, l.end.y]))
        .collect()
}

/// A boundary to stay away from: its segments indexed, and the tolerance.
struct Band {
    segments: RTree<Segment>,
    tolerance_m: f64,
}

/// Everything a frontline needs that does not change from day to day: the
/// reference territory's boundary (and the coast) indexed, point-in-polygon
/// indexes, the options. Build once, use for every snapshot (it is `Sync`).
pub struct FrontExtractor {
    reference_name: String,
    coast_name: Option<String>,
    options: FrontOptions,
    reference: MultiPolygon<f64>,
    border: Band,
    coast: Option<Band>,
    inside_reference: IntervalTreeMultiPolygon<f64>,
    inside_land: Option<IntervalTreeMultiPolygon<f64>>,
    reference_bbox: Option<Rect<f64>>,
    cache: Vec<Mutex<EdgeCache>>,
    no_bands: Arc<[(f64, f64)]>,
    tiles: Vec<OnceLock<MultiPolygon<f64>>>,
    tiles_x: usize,
    tiles_y: usize,
}

const TILE_DEG: f64 = 0.5;

type EdgeCache = CoordMap<EdgeKey, Arc<[(f64, f64)]>>;

/// The cache shard of an edge: the high bits of its hash (the map inside
/// the shard uses the low ones).
fn mix(key: &EdgeKey) -> u64 {
    CoordHashState::default().hash_one(key) >> 32
}

const CACHE_SHARDS: usize = 64;
const CACHE_ENTRIES_PER_SHARD: usize = 20_000;

impl std::fmt::Debug for FrontExtractor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrontExtractor")
            .field("reference", &self.reference_name)
            .field("coast", &self.coast_name)
            .field("options", &self.options)
            .finish()
    }
}

/// The piece being built along a ring, and where the ring's head piece went.
struct Pieces {
    current: Vec<Coord<f64>>,
    /// `current` is the head piece (it started at the ring's first vertex).
    head_open: bool,
    /// Index in the output of the head piece, if it was kept.
    head: Option<usize>,
}

impl FrontExtractor {
    /// Prepares extraction against a reference territory. `land`, when given,
    /// marks the coast: with a reference that includes the territorial sea,
    /// hostile boundary along the shore lies 12 nautical miles inside the
    /// reference and would otherwise count as front. Give the land outline
    /// (`regions::Reference::Land`) there; with a land reference, `None`
    /// (its boundary already is border and coast).
    pub fn new(reference: &Territory, land: Option<&Territory>, options: FrontOptions) -> Result<Self> {
        for (name, v) in [
            ("border tolerance", options.border_tolerance_m),
            ("coast tolerance", options.coast_tolerance_m),
            ("maximum edge length", options.max_edge_m),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::Request(format!(
                    "the frontline {name} must be a positive number of metres, not {v}"
                )));
            }
        }
        let (tiles_x, tiles_y) = reference.geometry.bounding_rect().map_or((0, 0), |b| {
            ((b.width() / TILE_DEG).ceil() as usize + 1, (b.height() / TILE_DEG).ceil() as usize + 1)
        });
        Ok(FrontExtractor {
            reference_name: reference.name.clone(),
            coast_name: land.map(|l| l.name.clone()),
            options,
            reference: reference.geometry.clone(),
            border: Band {
                segments: RTree::bulk_load(segments_of(&reference.geometry)),
                tolerance_m: options.border_tolerance_m,
            },
            coast: land.map(|l| Band {
                segments: RTree::bulk_load(segments_of(&l.geometry)),
                tolerance_m: options.coast_tolerance_m,
            }),
            inside_reference: IntervalTreeMultiPolygon::new(&reference.geometry),
            inside_land: land.map(|l| IntervalTreeMultiPolygon::new(&l.geometry)),
            reference_bbox: reference.geometry.bounding_rect(),
            cache: (0..CACHE_SHARDS).map(|_| Mutex::new(EdgeCache::default())).collect(),
            no_bands: Arc::from(Vec::new()),
            tiles: (0..tiles_x * tiles_y).map(|_| OnceLock::new()).collect(),
            tiles_x,
            tiles_y,
        })
    }

    /// The options in use.
    pub fn options(&self) -> &FrontOptions {
        &self.options
    }

    /// The reference territory's name.
    pub fn reference_name(&self) -> &str {
        &self.reference_name
    }

    /// The land territory's name, if the coast is removed.
    pub fn coast_name(&self) -> Option<&str> {
        self.coast_name.as_deref()
    }

    /// The frontline of a snapshot.
    pub fn frontline(&self, snapshot: &Snapshot) -> Frontline {
        let lines = self.extract(&self.options.hostile.of(snapshot));
        // Short segments through the local plane (millimetres from
        // geodesy::multiline_length_m, tested against it), long ones geodesic:
        // the full geodesic solution for every vertex would cost a third of
        // the extraction.
        let length_m: f64 = lines.0.iter().flat_map(|l| l.lines()).map(|s| short_distance_m(s.start, s.end)).sum();
        Frontline { date: snapshot.date(), length_km: length_m / 1e3, lines }
    }

    /// The frontline of a hostile geometry (unclipped: what lies outside the
    /// reference is dropped here).
    pub fn extract(&self, hostile: &MultiPolygon<f64>) -> MultiLineString<f64> {
        let mut out = Vec::new();
        for p in &hostile.0 {
            // Polygons far outside (DeepState's satirical "occupied" Karelia
            // or Kuril Islands, when ingest kept them) hold no front.
            if !self.reference_bbox.is_some_and(|r| p.bounding_rect().is_some_and(|b| r.intersects(&b))) {
                continue;
            }
            for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                self.ring_pieces(ring, &mut out);
            }
        }
        MultiLineString::new(out)
    }

    fn ring_pieces(&self, ring: &LineString<f64>, out: &mut Vec<LineString<f64>>) {
        // A ring's start is arbitrary: a piece that runs through it is built
        // in two halves, the head (from the start) and the tail (to the end).
        // The tail is joined onto the head only if the head was kept, so the
        // result does not depend on where the ring starts.
        let mut pieces = Pieces { current: Vec::new(), head_open: false, head: None };
        for (k, edge) in ring.lines().enumerate() {
            let (a, b) = (edge.start, edge.end);
            let bands = self.edge_bands(a, b);
            let mut cursor = 0.0;
            let mut kept_to_end = false;
            for &(s, e) in bands.iter().chain(std::iter::once(&(1.0, 1.0))) {
                if s > cursor {
                    let (ka, kb) = (lerp(a, b, cursor), lerp(a, b, s));
                    if cursor == 0.0 && !pieces.current.is_empty() {
                        pieces.current.push(kb);
                    } else {
                        self.flush_piece(&mut pieces, out);
                        pieces.head_open = k == 0 && cursor == 0.0;
                        pieces.current.extend([ka, kb]);
                    }
                    if s < 1.0 {
                        self.flush_piece(&mut pieces, out);
                    } else {
                        kept_to_end = true;
                    }
                }
                cursor = f64::max(cursor, e);
            }
            if !kept_to_end {
                self.flush_piece(&mut pieces, out);
            }
        }
        if pieces.current.is_empty() {
            return;
        }
        match (pieces.head_open, pieces.head) {
            // The tail runs into the kept head: one piece through the start.
            (false, Some(h)) => {
                let mut joined = std::mem::take(&mut pieces.current);
                joined.extend_from_slice(&out[h].0[1..]);
                out[h] = LineString::new(joined);
            }
            // Either the whole ring is one piece, or the head was not kept
            // (or did not start at the ring's start): the tail stands alone.
            _ => {
                pieces.head_open = false;
                self.flush_piece(&mut pieces, out);
            }
        }
    }

    fn flush_piece(&self, pieces: &mut Pieces, out: &mut Vec<LineString<f64>>) {
        let kept = self.flush(&mut pieces.current, out);
        if pieces.head_open {
            pieces.head = kept.then(|| out.len() - 1);
            pieces.head_open = false;
        }
    }

    /// The parts of edge `a`-`b` (as sorted, merged intervals of its
    /// parameter t in [0, 1]) that lie within a band. Edges near a boundary
    /// are cut into pieces of at most `max_edge_m` so that the local plane
    /// stays small. Memoised: from one day to the next most edges of a map
    /// are unchanged.
    fn edge_bands(&self, a: Coord<f64>, b: Coord<f64>) -> Arc<[(f64, f64)]> {
        let key = edge_key(a, b);
        let shard = &self.cache[(mix(&key) % CACHE_SHARDS as u64) as usize];
        if let Some(hit) = shard.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return hit;
        }
        let bands = if self.near_any_band(a, b) { self.compute_edge_bands(a, b) } else { self.no_bands.clone() };
        if let Ok(mut m) = shard.lock() {
            // Bounded: a long session over many sources starts afresh.
            if m.len() > CACHE_ENTRIES_PER_SHARD {
                m.clear();
            }
            m.insert(key, bands.clone());
        }
        bands
    }

    fn compute_edge_bands(&self, a: Coord<f64>, b: Coord<f64>) -> Arc<[(f64, f64)]> {
        let plane = LocalPlane::at(a);
        let d = plane.metres(b);
        let len_m = (d.x * d.x + d.y * d.y).sqrt();
        let steps = ((len_m / self.options.max_edge_m).ceil() as usize).max(1);
        let mut all: Vec<(f64, f64)> = Vec::new();
        let mut part = Vec::new();
        for k in 0..steps {
            let (t0, t1) = (k as f64 / steps as f64, (k + 1) as f64 / steps as f64);
            self.band_intervals(lerp(a, b, t0), lerp(a, b, t1), &mut part);
            for &(s, e) in &part {
                let (s, e) = (t0 + s * (t1 - t0), t0 + e * (t1 - t0));
                match all.last_mut() {
                    Some(last) if s <= last.1 => last.1 = last.1.max(e),
                    _ => all.push((s, e)),
                }
            }
        }
        Arc::from(all)
    }

    /// Whether any boundary segment lies within a tolerance of the edge's
    /// bounding box (a cheap, conservative test).
    fn near_any_band(&self, a: Coord<f64>, b: Coord<f64>) -> bool {
        let lat_max = a.y.abs().max(b.y.abs());
        let plane = LocalPlane::at(Coord { x: a.x, y: lat_max });
        std::iter::once(&self.border).chain(self.coast.as_ref()).any(|band| {
            let (dx, dy) = plane.degrees_for(band.tolerance_m);
            let env =
                AABB::from_corners([a.x.min(b.x) - dx, a.y.min(b.y) - dy], [a.x.max(b.x) + dx, a.y.max(b.y) + dy]);
            band.segments.locate_in_envelope_intersecting(&env).next().is_some()
        })
    }

    /// The merged, sorted sub-intervals of `a`-`b` that lie within a band.
    fn band_intervals(&self, a: Coord<f64>, b: Coord<f64>, out: &mut Vec<(f64, f64)>) {
        out.clear();
        let mid = lerp(a, b, 0.5);
        let plane = LocalPlane::at(mid);
        let (am, bm) = (plane.metres(a), plane.metres(b));
        for band in std::iter::once(&self.border).chain(self.coast.as_ref()) {
            let (dx, dy) = plane.degrees_for(band.tolerance_m);
            let env =
                AABB::from_corners([a.x.min(b.x) - dx, a.y.min(b.y) - dy], [a.x.max(b.x) + dx, a.y.max(b.y) + dy]);
            for seg in band.segments.locate_in_envelope_intersecting(&env) {
                let c = plane.metres(Coord { x: seg.from[0], y: seg.from[1] });
                let d = plane.metres(Coord { x: seg.to[0], y: seg.to[1] });
                if let Some(iv) = band_interval(am, bm, c, d, band.tolerance_m) {
                    out.push(iv);
                }
            }
        }
        out.sort_by(|x, y| x.0.total_cmp(&y.0));
        let mut merged: Vec<(f64, f64)> = Vec::with_capacity(out.len());
        for &(s, e) in out.iter() {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        *out = merged;
    }

    /// Ends the current piece: kept if it has length and lies inside the
    /// reference (and on land).
    /// Ends the piece being built: kept (pushed to `out`) if it lies inside
    /// the reference and on land. Returns whether it was kept.
    fn flush(&self, current: &mut Vec<Coord<f64>>, out: &mut Vec<LineString<f64>>) -> bool {
        let mut kept = false;
        if current.len() >= 2 {
            if let Some(probe) = current.windows(2).find(|w| w[0] != w[1]).map(|w| lerp(w[0], w[1], 0.5)) {
                if self.inside(probe) {
                    out.push(LineString::new(std::mem::take(current)));
                    kept = true;
                }
            }
        }
        current.clear();
        kept
    }

    fn inside(&self, c: Coord<f64>) -> bool {
        use geo::Contains;
        self.inside_reference.contains(&c) && self.inside_land.as_ref().is_none_or(|l| l.contains(&c))
    }

    /// The reference cropped to a grid tile that holds `rect` (tiles are
    /// `TILE_DEG` apart and twice as wide, so any rect smaller than
    /// `TILE_DEG` fits one), or the whole reference for larger rects.
    /// Cropping a small piece against a tile rather than the 28k-vertex
    /// reference is what makes clipping a daily change cheap.
    fn tile_for(&self, rect: &Rect<f64>) -> &MultiPolygon<f64> {
        let Some(rb) = self.reference_bbox else {
            return &self.reference;
        };
        let ix = ((rect.min().x - rb.min().x) / TILE_DEG).floor();
        let iy = ((rect.min().y - rb.min().y) / TILE_DEG).floor();
        let (x0, y0) = (rb.min().x + ix * TILE_DEG, rb.min().y + iy * TILE_DEG);
        let fits = ix >= 0.0
            && iy >= 0.0
            && (ix as usize) < self.tiles_x
            && (iy as usize) < self.tiles_y
            && rect.max().x < x0 + 2.0 * TILE_DEG
            && rect.max().y < y0 + 2.0 * TILE_DEG;
        if !fits {
            return &self.reference;
        }
        let i = iy as usize * self.tiles_x + ix as usize;
        self.tiles[i].get_or_init(|| {
            crate::overlay::crop_to_rect(
                &self.reference,
                Rect::new(Coord { x: x0, y: y0 }, Coord { x: x0 + 2.0 * TILE_DEG, y: y0 + 2.0 * TILE_DEG }),
            )
        })
    }

    /// The part of `mp` inside the reference territory, the same as
    /// `Territory::clip` but without overlaying the whole reference: a
    /// polygon whose bounding box meets no reference boundary segment is
    /// wholly inside or wholly outside; the others are overlaid with the
    /// reference cropped to their bounding box.
    pub fn clip_to_reference(&self, mp: &MultiPolygon<f64>) -> MultiPolygon<f64> {
        let mut out = Vec::with_capacity(mp.0.len());
        for p in &mp.0 {
            let Some(bbox) = p.bounding_rect() else {
                continue;
            };
            let env = AABB::from_corners([bbox.min().x, bbox.min().y], [bbox.max().x, bbox.max().y]);
            let touches = self.border.segments.locate_in_envelope_intersecting(&env).next().is_some();
            if touches {
                let margin = 1e-6;
                let crop_box = Rect::new(
                    Coord { x: bbox.min().x - margin, y: bbox.min().y - margin },
                    Coord { x: bbox.max().x + margin, y: bbox.max().y + margin },
                );
                let cropped = crate::overlay::crop_to_rect(self.tile_for(&crop_box), crop_box);
                out.extend(crate::overlay::intersection(&MultiPolygon::new(vec![p.clone()]), &cropped));
            } else if p.exterior().0.first().is_some_and(|c| geo::Contains::contains(&self.inside_reference, c)) {
                out.push(p.clone());
            }
        }
        MultiPolygon::new(out)
    }
}

fn lerp(a: Coord<f64>, b: Coord<f64>, t: f64) -> Coord<f64> {
    if t == 0.0 {
        a
    } else if t == 1.0 {
        b
    } else {
        a + (b - a) * t
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::front::local::{point_segment_distance, LocalPlane};
    use crate::geodesy::multiline_length_m;
    use geo::{polygon, Polygon};

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
        MultiPolygon::new(vec![polygon![(x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1)]])
    }

    #[test]
    fn square_on_the_border_keeps_its_three_inner_sides() {
        let reference = Territory::new("ref", rect(30.0, 47.0, 32.0, 50.0));
        let ex = FrontExtractor::new(&reference, None, FrontOptions::default()).unwrap();
        let front = ex.extract(&rect(30.0, 48.0, 31.0, 49.0));
        let length_m = multiline_length_m(&front);
        // benches/oracles/front_synthetic.py: the three sides' geodesic
        // lengths (74,624.830 + 111,200.037 + 73,171.264 m) less 2 x 500 m.
        let expected_m = 257_996.132;
        assert!((length_m - expected_m).abs() < 1e-3 * expected_m, "{length_m}");
        // Exact to the tolerance, not merely within 0.1 %.
        assert!((length_m - expected_m).abs() < 5.0, "{length_m}");
        // One connected piece (the ring's start at the south-west corner is
        // inside the band, so the join logic must not glue anything).
        assert_eq!(front.0.len(), 1);
        // Every vertex at least 500 m from the border meridian lon 30.
        for c in front.0.iter().flat_map(|l| l.0.iter()) {
            let plane = LocalPlane::at(*c);
            let d = point_segment_distance(
                Coord { x: 0.0, y: 0.0 },
                plane.metres(Coord { x: 30.0, y: 47.0 }),
                plane.metres(Coord { x: 30.0, y: 50.0 }),
            );
            assert!(d >= 500.0 - 1e-6, "{c:?} at {d} m");
        }
    }

    #[test]
    fn ring_start_inside_a_kept_stretch_is_joined() {
        // The same square, its ring starting mid-way along the east side:
        // the east side is cut by the ring's start and must come back whole.
        let reference = Territory::new("ref", rect(30.0, 47.0, 32.0, 50.0));
        let ex = FrontExtractor::new(&reference, None, FrontOptions::default()).unwrap();
        let ring =
            LineString::from(vec![(31.0, 48.5), (31.0, 49.0), (30.0, 49.0), (30.0, 48.0), (31.0, 48.0), (31.0, 48.5)]);
        let front = ex.extract(&MultiPolygon::new(vec![Polygon::new(ring, vec![])]));
        assert_eq!(front.0.len(), 1);
        let length_m = multiline_length_m(&front);
        assert!((length_m - 257_996.132).abs() < 5.0, "{length_m}");
    }

    #[test]
    fn hostile_outside_the_reference_and_coast_are_not_front() {
        // Reference lon 30..32; land only lon 30..31.5 (sea east of it).
        // Hostile square 31..33 x 48..49 straddles the coast and the sea
        // limit: inside the land its front is the south and north sides
        // from lon 31 to 31.5 (less 500 m at the coast) and its west side.
        let reference = Territory::new("ref", rect(30.0, 47.0, 32.0, 50.0));
        let land = Territory::new("land", rect(30.0, 47.0, 31.5, 50.0));
        let ex = FrontExtractor::new(&reference, Some(&land), FrontOptions::default()).unwrap();
        let front = ex.extract(&rect(31.0, 48.0, 33.0, 49.0));
        let length_m = multiline_length_m(&front);
        // Half a degree of longitude at 48 and 49°N (pyproj: 37,312.4 m and
        // 36,585.6 m, half of the oracle's full-degree geodesics to within
        // a metre), the meridian arc 48..49 (111,200.037 m), less 2 x 500 m.
        let expected_m = 74_624.830 / 2.0 + 73_171.264 / 2.0 + 111_200.037 - 1_000.0;
        assert!((length_m - expected_m).abs() < 10.0, "{length_m} vs {expected_m}");
        // Without the land outline the sea part counts (up to lon 32 less 500 m).
        let ex_sea = FrontExtractor::new(&reference, None, FrontOptions::default()).unwrap();
        assert!(multiline_length_m(&ex_sea.extract(&rect(31.0, 48.0, 33.0, 49.0))) > length_m + 70_000.0);
    }

    #[test]
    fn fast_clip_equals_the_full_overlay() {
        // An L-shaped reference (concave, so the crop leaves spurs) and a
        // hostile polygon across its inner corner.
        let l_shape = MultiPolygon::new(vec![polygon![
            (x: 30.0, y: 47.0), (x: 32.0, y: 47.0), (x: 32.0, y: 48.0),
            (x: 31.0, y: 48.0), (x: 31.0, y: 50.0), (x: 30.0, y: 50.0)
        ]]);
        let reference = Territory::new("ref", l_shape);
        let ex = FrontExtractor::new(&reference, None, FrontOptions::default()).unwrap();
        let hostile = rect(30.5, 47.5, 31.5, 48.5);
        use crate::geodesy::GeodesicAreaM2;
        let fast = ex.clip_to_reference(&hostile).geodesic_area_m2();
        let full = reference.clip(&hostile).geodesic_area_m2();
        assert!(full > 0.0 && (fast - full).abs() < 1e-9 * full, "{fast} {full}");
        // Three quarters of the square lie inside (planar, in degrees²: the
        // overlay keeps the square's own vertices and adds lon/lat corners).
        use geo::Area;
        let planar = ex.clip_to_reference(&hostile).unsigned_area();
        assert!((planar - 0.75).abs() < 1e-12, "{planar}");
    }

    #[test]
    fn contested_ground_joins_the_hostile_side() {
        use crate::model::SourceId;
        use chrono::{TimeZone, Utc};
        // Occupied lon 30..31, gray lon 31..31.2, both lat 48..49, inside a
        // large reference: the front of occupied alone is its ring; with
        // gray, the ring of the union (the shared side at lon 31 vanishes).
        let reference = Territory::new("ref", rect(28.0, 46.0, 34.0, 51.0));
        let mut snap = Snapshot {
            source: SourceId::new("test"),
            taken_at: Utc.with_ymd_and_hms(2025, 1, 1, 3, 0, 0).unwrap(),
            layers: vec![],
        };
        snap.set_layer(ControlClass::Occupied, rect(30.0, 48.0, 31.0, 49.0));
        snap.set_layer(ControlClass::Gray, rect(31.0, 48.0, 31.2, 49.0));
        let occupied = FrontExtractor::new(&reference, None, FrontOptions::default()).unwrap();
        let both = FrontExtractor::new(
            &reference,
            None,
            FrontOptions { hostile: Hostile::OccupiedOrContested, ..FrontOptions::default() },
        )
        .unwrap();
        let ring_m = |x0: f64, x1: f64| {
            let r = LineString::from(vec![(x0, 48.0), (x1, 48.0), (x1, 49.0), (x0, 49.0), (x0, 48.0)]);
            crate::geodesy::line_length_m(&r)
        };
        let a = occupied.frontline(&snap).length_km * 1e3;
        let b = both.frontline(&snap).length_km * 1e3;
        assert!((a - ring_m(30.0, 31.0)).abs() < 1.0, "{a}");
        assert!((b - ring_m(30.0, 31.2)).abs() < 1.0, "{b}");
    }

    #[test]
    fn bad_tolerance_is_refused() {
        let reference = Territory::new("ref", rect(30.0, 47.0, 32.0, 50.0));
        let opts = FrontOptions { border_tolerance_m: 0.0, ..FrontOptions::default() };
        assert!(FrontExtractor::new(&reference, None, opts).is_err());
    }
}
