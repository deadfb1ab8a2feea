//! Encirclement: pockets, the clearance field around a place, and the width
//! of the way out (measures.md, "Pockets and corridors").
//!
//! # How the corridor is computed
//! Around the place, an exact azimuthal-equidistant projection ([`Aeqd`])
//! carries a square raster of `2 window_half_size_m` a side at
//! `resolution_m` (cell centres on a lattice through the place). Each cell
//! is decided by its centre (exact scanline fill): *hostile* (occupied, or
//! occupied ∪ gray `with_gray`), *friendly* (reference territory and not
//! hostile) or *outside* (neither: border, sea; it blocks paths but is not
//! hostile). Hostile ground is rasterised over a margin of
//! `rear_clearance_m` beyond the window, so clearances inside the window are
//! exact up to the rear threshold (anything at or above it is reported as the
//! threshold, which is all the definition needs).
//!
//! Clearance of a cell = the Euclidean distance (metres, in the projection)
//! from its centre to the nearest hostile cell centre, by an exact distance
//! transform ([`edt`]: Felzenszwalb–Huttenlocher for the whole field,
//! [`CorridorFrame::clearance_field`]; the corridor search asks for the same
//! exact values cell by cell, since it touches only a few thousand cells). The rear is the friendly cells with clearance
//! `>= rear_clearance_m` that are not in a pocket (vector pockets of the
//! window and its margin; see `CorridorFrame::pocket_mask` for when that
//! equals the whole-country split of [`pockets`]). The widest path ([`widest`], 4-connected) runs from the
//! friendly cells within `seed_radius_m` of the place to the rear; its
//! lowest cell, refined to the better of its two neighbours across the path
//! at the same raster level, is the **neck**. `width_m` is 2 × the clearance of the neck's
//! centre measured exactly against the hostile polygons (point to segment in
//! the projection), and the **pincer** is the nearest hostile point to the neck
//! plus the nearest hostile point on the other side (in the half-plane facing
//! away from the first), with their geodesic distance.
//!
//! # How the raster relates to the continuous definition
//! With h the resolution and c* the continuous bottleneck clearance:
//! * the raster path, read as the polyline through its cell centres, stays
//!   within h/2 of each centre and clearance is 1-Lipschitz, so a continuous
//!   path at least as wide as (raster bottleneck − h/2) exists;
//! * conversely the cells a continuous optimal path crosses form a 4-connected
//!   chain whose centres lie within h/√2 of it;
//! * a cell's raster clearance never underestimates its centre's true
//!   clearance (hostile centres lie in hostile ground), and overestimates it by
//!   at most h/√2 where the hostile ground is at least a cell thick.
//!
//! So for hostile ground thicker than a cell the reported width lies within
//! about ±1.5 h of 2c* (±375 m at the default 250 m); in the analytic tests
//! (straight walls) it is within one cell. Hostile slivers thinner than a cell
//! may hold no cell centre and then do not block the raster path (the exact
//! neck clearance still sees them). Edges are straight in lon/lat as in the
//! source files, densified to 0.005° before projection.
//!
//! # Series
//! [`CorridorFrame::series`] computes many snapshots in parallel, and reuses
//! the previous snapshot's result when the hostile geometry clipped to the
//! window and its margin hashes the same (pockets that change only far outside
//! the window are then not looked at again).

mod aeqd;
mod edt;
mod gap;
mod pockets;
mod raster;
mod widest;

pub use aeqd::Aeqd;
pub use pockets::{pockets, FriendlyParts, Pocket, SLIVER_MAX_KM2};

use crate::error::{Error, Result};
use crate::geodesy::distance_m;
use crate::model::{ControlClass, Snapshot};
use crate::regions::Territory;
use chrono::NaiveDate;
use geo::{BooleanOps, BoundingRect, Coord, Intersects, MultiPolygon, Polygon, Rect};
use raster::{Grid, Rings};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

/// The parameters of a corridor measurement; every report prints them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CorridorParams {
    /// Half the side of the square window around the place, metres (default 60 km).
    pub window_half_size_m: f64,
    /// Raster cell side, metres (default 250 m).
    pub resolution_m: f64,
    /// Paths may start anywhere within this distance of the place, metres (default 5 km).
    pub seed_radius_m: f64,
    /// Friendly ground this far from hostile ground is the rear, metres (default 25 km).
    pub rear_clearance_m: f64,
    /// Count gray (contested) ground as hostile.
    pub with_gray: bool,
    /// Whether the corridor starts at the edge of a besieged area (towns'
    /// footprints, [`CorridorFrame::for_area`]) rather than anywhere in the
    /// seed disc (`seed_radius_m`, the definition of measures.md). Set by
    /// the constructor.
    pub from_area: bool,
}

impl Default for CorridorParams {
    fn default() -> Self {
        CorridorParams {
            window_half_size_m: 60_000.0,
            resolution_m: 250.0,
            seed_radius_m: 5_000.0,
            rear_clearance_m: 25_000.0,
            with_gray: false,
            from_area: false,
        }
    }
}

/// Cells the hostile raster (window plus margin) may hold: about 1.6 GB of
/// working memory at this size, far beyond any sensible request.
const MAX_CELLS: f64 = 2.0e8;

impl CorridorParams {
    /// Checks the parameters, saying which one is wrong and what would do.
    pub fn validate(&self) -> Result<()> {
        let bad = |what: String| Err(Error::Request(what));
        let pos = |v: f64| v.is_finite() && v > 0.0;
        if !pos(self.resolution_m) {
            return bad(format!(
                "corridor resolution must be a positive number of metres, got {} (default 250)",
                self.resolution_m
            ));
        }
        if !pos(self.rear_clearance_m) {
            return bad(format!(
                "rear clearance must be a positive number of metres, got {} (default 25000)",
                self.rear_clearance_m
            ));
        }
        if !(self.seed_radius_m.is_finite() && self.seed_radius_m >= 0.0) {
            return bad(format!(
                "seed radius must be zero or a positive number of metres, got {} (default 5000)",
                self.seed_radius_m
            ));
        }
        if !pos(self.window_half_size_m) || self.window_half_size_m < self.resolution_m {
            return bad(format!(
                "window half-size must be at least one cell ({} m), got {} (default 60000)",
                self.resolution_m, self.window_half_size_m
            ));
        }
        if self.seed_radius_m > self.window_half_size_m {
            return bad(format!(
                "seed radius {} m does not fit in the window (half-size {} m): enlarge the window",
                self.seed_radius_m, self.window_half_size_m
            ));
        }
        let side = 2.0 * (self.window_half_size_m + self.rear_clearance_m) / self.resolution_m;
        if side * side > MAX_CELLS {
            return bad(format!(
                "a {} m raster over a {} km window (+{} km margin) needs {:.0} million cells; \
                 coarsen the resolution or shrink the window",
                self.resolution_m,
                2.0 * self.window_half_size_m / 1000.0,
                self.rear_clearance_m / 1000.0,
                side * side / 1e6
            ));
        }
        Ok(())
    }
}

/// What the corridor search found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CorridorState {
    /// A way out exists; `width_m` is its width.
    Open,
    /// The seed disc itself reaches the rear: the width is at least
    /// 2 × rear clearance, which is what `width_m` reports.
    Rear,
    /// The friendly ground near the place lies only in pockets: width 0.
    Encircled,
    /// No friendly ground within the seed radius: width 0.
    Occupied,
    /// The place is in the main body but no route to the rear exists inside
    /// the window: enlarge the window. `width_m` is `None`.
    BeyondWindow,
}

/// The two hostile points that pinch the corridor at its neck.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Pincer {
    /// The hostile point nearest the neck (lon, lat).
    pub near: [f64; 2],
    /// The nearest hostile point on the other side of the neck (lon, lat),
    /// if there is hostile ground there within the window and margin.
    pub far: Option<[f64; 2]>,
    /// Geodesic distance between the two, metres.
    pub gap_m: Option<f64>,
}

/// The pincer gap: the shortest straight line between two hostile points
/// that crosses the corridor's path once, without crossing the besieged
/// area. Its ends lie on the two sides of the path: the flanks are the sides
/// of the path itself (a curve from the town to the rear), not of a straight
/// line through the neck, so a corridor that bends still has its left and
/// right told apart. Closing that line would cut the way out.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PincerGap {
    /// Hostile point on the left of the path, walking from the town to the rear (lon, lat).
    pub left: [f64; 2],
    /// Hostile point on the right (lon, lat).
    pub right: [f64; 2],
    /// Where the line crosses the path (lon, lat).
    pub crossing: [f64; 2],
    /// Geodesic distance between `left` and `right`, metres.
    pub gap_m: f64,
}

/// One corridor measurement of a place at one date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Corridor {
    /// Open, rear, encircled, occupied or beyond the window.
    pub state: CorridorState,
    /// 2 × the neck's clearance, metres (0 when encircled or occupied; `None`
    /// when the route leaves the window).
    pub width_m: Option<f64>,
    /// The bottleneck cell of the widest path (lon, lat).
    pub neck: Option<[f64; 2]>,
    /// The neck's clearance on the raster (distance to the nearest hostile
    /// cell centre), metres: 2 × this is the raster width.
    pub neck_raster_clearance_m: Option<f64>,
    /// The hostile points either side of the neck.
    pub pincer: Option<Pincer>,
    /// The pincer gap: the shortest line between hostile ground on the left
    /// of the corridor and hostile ground on its right ([`PincerGap`]).
    /// `None` when the corridor is not open, or wider than twice the rear
    /// clearance.
    pub gap: Option<PincerGap>,
    /// Length of the corridor, metres: the shortest route from the besieged
    /// area's edge (or the seed disc) to the rear through ground at least as
    /// wide as the neck (8-connected cells, so up to 8 % long on a diagonal
    /// staircase; exact along the grid's axes and diagonals).
    pub length_m: Option<f64>,
    /// The widest path from the seed disc to the rear, lon/lat, at its turns.
    pub path: Vec<[f64; 2]>,
    /// The parameters used (resolution, window, seed radius, rear clearance).
    pub params: CorridorParams,
}

/// A corridor at one date of a series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorridorPoint {
    /// The snapshot's date.
    pub date: NaiveDate,
    /// The measurement.
    pub corridor: Corridor,
    /// Whether the hostile geometry in the window was unchanged since the
    /// previous snapshot, so its result was reused.
    pub reused: bool,
}

/// The clearance raster of a window (see the module docs for its cells).
#[derive(Debug, Clone, Serialize)]
pub struct ClearanceField {
    /// Cells per side (odd); the place is the middle cell. Row `j` lies
    /// `(j - c) × resolution_m` north of the place and column `i` as far east,
    /// with `c = (cells_per_side - 1) / 2`, in the place's azimuthal
    /// equidistant projection.
    pub cells_per_side: usize,
    /// Cell side, metres.
    pub resolution_m: f64,
    /// Row-major clearance, metres, capped at the rear clearance: 0 on
    /// hostile cells, NaN outside the reference territory.
    #[serde(skip)]
    pub clearance_m: Vec<f32>,
}

/// A place's projection, raster geometry and reference mask, set up once and
/// used for any number of snapshots.
pub struct CorridorFrame<'a> {
    reference: &'a Territory,
    proj: Aeqd,
    params: CorridorParams,
    /// The window's grid.
    grid: Grid,
    /// The window plus the hostile margin (same centre and cells).
    ext: Grid,
    /// lon/lat rectangles holding the window and the window plus margin.
    window_lonlat: Rect<f64>,
    ext_lonlat: Rect<f64>,
    /// Window cells inside the reference territory.
    inside_reference: Vec<bool>,
    /// The reference clipped to `ext_lonlat`, and whether it lies wholly inside.
    reference_ext: MultiPolygon<f64>,
    reference_fits: bool,
    /// Window cells within the seed radius of the place (the old
    /// definition), or inside the besieged area.
    seed_disc: Vec<usize>,
    /// Window cells inside the besieged area ([`CorridorFrame::for_area`]):
    /// the corridor starts at its edge and its own streets are not counted.
    besieged: Option<Vec<bool>>,
    /// The rear threshold as a squared cell distance.
    rear_d2: u32,
}

/// The hostile ground of one snapshot near the place, ready to rasterise.
struct Prepared {
    /// Each hostile layer clipped to the window and margin, lon/lat.
    clipped: Vec<MultiPolygon<f64>>,
    /// Their rings, densified, lon/lat.
    lonlat: Rings,
    /// Where each layer's rings end in `lonlat`: layers are filled one by
    /// one, so that ground in two layers (occupied and gray overlapping)
    /// is not cancelled by the even-odd rule.
    layer_ends: Vec<usize>,
    hash: u64,
}

/// Projected coordinates of lon/lat vertices, keyed by their bits: across a
/// series most vertices repeat from one day to the next, and a geodesic
/// inverse problem costs a microsecond or two.
type ProjectionCache = HashMap<(u64, u64), Coord<f64>>;

fn key(c: Coord<f64>) -> (u64, u64) {
    (c.x.to_bits(), c.y.to_bits())
}

impl<'a> CorridorFrame<'a> {
    /// Sets up the frame around `place` (lon/lat) in `reference`.
    pub fn new(reference: &'a Territory, place: Coord<f64>, params: CorridorParams) -> Result<Self> {
        params.validate()?;
        if !(place.x.is_finite() && place.y.is_finite() && place.y.abs() < 89.0) {
            return Err(Error::Request(format!(
                "corridor place must be a lon/lat point away from the poles, got ({}, {})",
                place.x, place.y
            )));
        }
        let h = params.resolution_m;
        let proj = Aeqd::new(place);
        let grid = Grid::covering(params.window_half_size_m, h);
        let margin = (params.rear_clearance_m / h).ceil() as usize;
        let ext = Grid { h, n: grid.n + 2 * margin };
        let window_lonlat = raster::lonlat_bounds(&proj, grid.half_extent_m());
        let ext_lonlat = raster::lonlat_bounds(&proj, ext.half_extent_m());
        let mut rings = Rings::new();
        let clipped = raster::clip_lonlat(&reference.geometry, &window_lonlat);
        raster::project_rings(&proj, &clipped, &mut rings);
        let mut inside_reference = vec![false; grid.n * grid.n];
        grid.fill(&rings, &mut inside_reference);
        let reference_ext = raster::clip_lonlat(&reference.geometry, &ext_lonlat);
        let reference_fits = reference.geometry.bounding_rect().is_some_and(|b| {
            b.min().x > ext_lonlat.min().x
                && b.min().y > ext_lonlat.min().y
                && b.max().x < ext_lonlat.max().x
                && b.max().y < ext_lonlat.max().y
        });
        let r_cells = params.seed_radius_m / h;
        let c = grid.c() as f64;
        let seed_disc = (0..grid.n * grid.n)
            .filter(|&k| {
                let (i, j) = ((k % grid.n) as f64 - c, (k / grid.n) as f64 - c);
                i * i + j * j <= r_cells * r_cells
            })
            .collect();
        let rear_cells = params.rear_clearance_m / h;
        let rear_d2 = (rear_cells * rear_cells).ceil().max(1.0) as u32;
        Ok(CorridorFrame {
            reference,
            proj,
            params,
            grid,
            ext,
            window_lonlat,
            ext_lonlat,
            inside_reference,
            reference_ext,
            reference_fits,
            seed_disc,
            besieged: None,
            rear_d2,
        })
    }

    /// Sets up the frame around a besieged area (one town's footprint, or the
    /// union of several): the corridor starts at the area's edge, and cells
    /// inside it neither narrow the corridor nor count in its length.
    /// `params.seed_radius_m` is not used.
    pub fn for_area(reference: &'a Territory, area: &MultiPolygon<f64>, params: CorridorParams) -> Result<Self> {
        use geo::Centroid;
        let centre = area.centroid().map(|c| c.0).ok_or_else(|| {
            Error::Request("the besieged area is empty: give a town with a footprint or a polygon file".into())
        })?;
        let params = CorridorParams { from_area: true, seed_radius_m: 0.0, ..params };
        let mut frame = CorridorFrame::new(reference, centre, params)?;
        let mut rings = Rings::new();
        raster::project_rings(&frame.proj, area, &mut rings);
        let limit = frame.grid.half_extent_m() - frame.grid.h;
        let reach = rings.iter().flatten().map(|c| c.x.abs().max(c.y.abs())).fold(0.0, f64::max);
        if reach > limit {
            return Err(Error::Request(format!(
                "the besieged area reaches {:.1} km from its centre, beyond the {:.1} km window: enlarge the window",
                reach / 1000.0,
                limit / 1000.0
            )));
        }
        let n = frame.grid.n;
        let mut mask = vec![false; n * n];
        frame.grid.fill(&rings, &mut mask);
        if !mask.iter().any(|&b| b) {
            // Smaller than a cell: the cell holding its centre stands for it.
            mask[frame.grid.c() * n + frame.grid.c()] = true;
        }
        frame.seed_disc = (0..n * n).filter(|&k| mask[k]).collect();
        frame.besieged = Some(mask);
        Ok(frame)
    }

    /// The projection centred on the place.
    pub fn projection(&self) -> &Aeqd {
        &self.proj
    }

    /// The whole clearance field of the window for one set of hostile
    /// layers (for maps): the exact distance transform of every cell.
    pub fn clearance_field(&self, hostile: &[&MultiPolygon<f64>]) -> ClearanceField {
        let prepared = self.prepare(hostile);
        let rings = self.project(&prepared, None);
        let (n, big_n) = (self.grid.n, self.ext.n);
        let margin = (big_n - n) / 2;
        let mut hostile_ext = vec![false; big_n * big_n];
        self.fill_hostile(&prepared, &rings, &mut hostile_ext);
        let d2 = edt::squared_distance_capped(&hostile_ext, big_n, n, self.rear_d2);
        let clearance_m = (0..n * n)
            .map(|k| {
                if hostile_ext[(k / n + margin) * big_n + k % n + margin] {
                    0.0
                } else if !self.inside_reference[k] {
                    f32::NAN
                } else {
                    (f64::from(d2[k]).sqrt() * self.grid.h).min(self.params.rear_clearance_m) as f32
                }
            })
            .collect();
        ClearanceField { cells_per_side: n, resolution_m: self.grid.h, clearance_m }
    }

    /// The lon/lat centre of window cell `idx` (row-major, as in [`ClearanceField`]).
    pub fn cell_centre_lonlat(&self, idx: usize) -> [f64; 2] {
        lonlat(self.proj.inverse(self.grid.centre(idx)))
    }

    /// The corridor for one set of hostile layers (occupied, and gray when
    /// the caller counts it).
    pub fn corridor(&self, hostile: &[&MultiPolygon<f64>]) -> Corridor {
        let prepared = self.prepare(hostile);
        self.compute(hostile, &prepared, None)
    }

    /// The corridor at every snapshot, in parallel; `params.with_gray` picks
    /// the hostile layers. The output follows the input order.
    pub fn series(&self, snapshots: &[Snapshot]) -> Vec<CorridorPoint> {
        let layers: Vec<Vec<&MultiPolygon<f64>>> =
            snapshots.iter().map(|s| hostile_layers(s, self.params.with_gray)).collect();
        let dates: Vec<NaiveDate> = snapshots.iter().map(Snapshot::date).collect();
        self.series_of(&dates, &layers)
    }

    /// [`CorridorFrame::series`] on plain geometry: one date and hostile
    /// layers per entry.
    pub fn series_of(&self, dates: &[NaiveDate], hostile: &[Vec<&MultiPolygon<f64>>]) -> Vec<CorridorPoint> {
        let prepared: Vec<Prepared> = hostile.par_iter().map(|h| self.prepare(h)).collect();
        // The first of each run of equal hashes is computed; the rest reuse it.
        let mut source = Vec::with_capacity(prepared.len());
        for (i, p) in prepared.iter().enumerate() {
            let reuse = i > 0 && prepared[i - 1].hash == p.hash;
            source.push(if reuse { source[i - 1] } else { i });
        }
        let todo: Vec<usize> = (0..prepared.len()).filter(|&i| source[i] == i).collect();
        let mut vertices: Vec<(u64, u64)> =
            todo.iter().flat_map(|&i| prepared[i].lonlat.iter().flatten().map(|&c| key(c))).collect();
        vertices.par_sort_unstable();
        vertices.dedup();
        let cache: ProjectionCache = vertices
            .par_iter()
            .map(|&(x, y)| {
                let c = Coord { x: f64::from_bits(x), y: f64::from_bits(y) };
                ((x, y), self.proj.forward(c))
            })
            .collect();
        let done: Vec<Corridor> =
            todo.par_iter().map(|&i| self.compute(&hostile[i], &prepared[i], Some(&cache))).collect();
        let mut slot = vec![usize::MAX; prepared.len()];
        for (k, &i) in todo.iter().enumerate() {
            slot[i] = k;
        }
        (0..prepared.len())
            .map(|i| CorridorPoint {
                date: dates.get(i).copied().unwrap_or_default(),
                corridor: done[slot[source[i]]].clone(),
                reused: source[i] != i,
            })
            .collect()
    }

    fn prepare(&self, hostile: &[&MultiPolygon<f64>]) -> Prepared {
        let mut lonlat = Rings::new();
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        let mut clipped = Vec::with_capacity(hostile.len());
        let mut layer_ends = Vec::with_capacity(hostile.len());
        for layer in hostile {
            let c = raster::clip_lonlat(layer, &self.ext_lonlat);
            for p in geo::CoordsIter::coords_iter(&c) {
                key(p).hash(&mut hasher);
            }
            c.0.len().hash(&mut hasher);
            raster::densify_rings(&c, &mut lonlat);
            layer_ends.push(lonlat.len());
            clipped.push(c);
        }
        Prepared { clipped, lonlat, layer_ends, hash: hasher.finish() }
    }

    /// Marks the window-and-margin cells inside any hostile layer.
    fn fill_hostile(&self, prepared: &Prepared, rings: &Rings, mask: &mut [bool]) {
        let mut start = 0;
        for &end in &prepared.layer_ends {
            self.ext.fill(&rings[start..end], mask);
            start = end;
        }
    }

    /// The projected hostile rings, from the cache where it has them.
    fn project(&self, prepared: &Prepared, cache: Option<&ProjectionCache>) -> Rings {
        prepared
            .lonlat
            .iter()
            .map(|r| {
                r.iter()
                    .map(|&c| match cache.and_then(|m| m.get(&key(c))) {
                        Some(&q) => q,
                        None => self.proj.forward(c),
                    })
                    .collect()
            })
            .collect()
    }

    fn compute(
        &self,
        hostile: &[&MultiPolygon<f64>],
        prepared: &Prepared,
        cache: Option<&ProjectionCache>,
    ) -> Corridor {
        let rings = self.project(prepared, cache);
        let (n, big_n) = (self.grid.n, self.ext.n);
        let margin = (big_n - n) / 2;
        let mut hostile_ext = vec![false; big_n * big_n];
        self.fill_hostile(prepared, &rings, &mut hostile_ext);
        let mut d2 = edt::LazySquaredDistance::new(&hostile_ext, big_n, n, self.rear_d2);
        let friendly = |k: usize| self.inside_reference[k] && !hostile_ext[(k / n + margin) * big_n + k % n + margin];
        let besieged = |k: usize| self.besieged.as_ref().is_some_and(|b| b[k]);
        // Passable value: the capped squared clearance on friendly cells
        // (at least 1), 0 elsewhere; friendly cells of the besieged area
        // pass at the cap, so that the town's own streets never narrow the
        // corridor.
        let rear_d2 = self.rear_d2;
        let mut value = |k: usize| {
            if !friendly(k) {
                0
            } else if besieged(k) {
                rear_d2
            } else {
                d2.get(k).max(1)
            }
        };
        let in_pocket = self.pocket_mask(hostile, prepared);
        let seeds: Vec<usize> = self.seed_disc.iter().copied().filter(|&k| friendly(k)).collect();
        let mut out = Corridor {
            state: CorridorState::Occupied,
            width_m: Some(0.0),
            neck: None,
            neck_raster_clearance_m: None,
            pincer: None,
            gap: None,
            length_m: None,
            path: vec![],
            params: self.params,
        };
        if seeds.is_empty() {
            return out;
        }
        let found =
            widest::widest_path(n, &mut value, |k, v| v >= rear_d2 && !in_pocket[k] && !besieged(k), &seeds, rear_d2);
        let Some(found) = found else {
            out.state = if seeds.iter().all(|&k| in_pocket[k]) {
                CorridorState::Encircled
            } else {
                out.width_m = None;
                CorridorState::BeyondWindow
            };
            return out;
        };
        out.path = self.path_lonlat(&found.cells);
        out.length_m =
            gap::route_length_cells(n, &mut value, &besieged, |k| !in_pocket[k], &seeds, found.bottleneck, rear_d2)
                .map(|c| c * self.grid.h);
        if found.bottleneck >= self.rear_d2 {
            out.state = CorridorState::Rear;
            out.width_m = Some(2.0 * self.params.rear_clearance_m);
            return out;
        }
        out.state = CorridorState::Open;
        let t_neck = found.cells.iter().position(|&k| value(k) == found.bottleneck).unwrap_or(0);
        let raster_neck = found.cells[t_neck];
        out.neck_raster_clearance_m = Some(f64::from(found.bottleneck).sqrt() * self.grid.h);
        // Several cells across the corridor can share the raster neck's
        // clearance; the one whose centre is nearest the corridor's midline
        // is the neck or one of its two neighbours across the path's local
        // direction, so take the best of those three by exact clearance.
        // For a straight-walled corridor of width g this puts the width in
        // [g - h, g].
        let cell_ij = |k: usize| ((k % n) as i64, (k / n) as i64);
        let (ni, nj) = cell_ij(raster_neck);
        let (bi, bj) = cell_ij(found.cells[t_neck.saturating_sub(3)]);
        let (ai, aj) = cell_ij(found.cells[(t_neck + 3).min(found.cells.len() - 1)]);
        let (dx, dy) = ((ai - bi) as f64, (aj - bj) as f64);
        let len = dx.hypot(dy);
        let across = if len > 0.0 { ((-dy / len).round() as i64, (dx / len).round() as i64) } else { (0, 0) };
        let mut best: Option<(f64, Coord<f64>, Coord<f64>)> = None;
        for s in [0i64, 1, -1] {
            let (i, j) = (ni + s * across.0, nj + s * across.1);
            if i < 0 || j < 0 || i >= n as i64 || j >= n as i64 {
                continue;
            }
            let k = j as usize * n + i as usize;
            if value(k) < found.bottleneck {
                continue;
            }
            let centre = self.grid.centre(k);
            if let Some(near) = nearest_point(&rings, centre) {
                let d = (near - centre).x.hypot((near - centre).y);
                if best.is_none_or(|b| d > b.0) {
                    best = Some((d, centre, near));
                }
            }
        }
        let neck = best.map_or(self.grid.centre(raster_neck), |b| b.1);
        out.neck = Some(lonlat(self.proj.inverse(neck)));
        match best {
            Some((d, neck, near)) => {
                out.width_m = Some(2.0 * d);
                let near_ll = self.proj.inverse(near);
                let far_ll = farthest_side_point(&rings, neck, near).map(|f| self.proj.inverse(f));
                out.pincer = Some(Pincer {
                    near: lonlat(near_ll),
                    far: far_ll.map(lonlat),
                    gap_m: far_ll.map(|f| distance_m(near_ll, f)),
                });
            }
            None => out.width_m = out.neck_raster_clearance_m.map(|c| 2.0 * c),
        }
        let view = gap::RasterView {
            grid: self.grid,
            big_n,
            hostile_ext: &hostile_ext,
            besieged: self.besieged.as_deref(),
            inside_reference: &self.inside_reference,
        };
        let on_path: Vec<(usize, u32)> =
            found.cells.iter().filter(|&&k| !besieged(k)).map(|&k| (k, value(k))).collect();
        let max_m = 2.0 * self.params.rear_clearance_m;
        if let Some(g) = gap::pincer_gap(&view, &rings, &found.cells, &on_path, max_m) {
            let (l, r) = (self.proj.inverse(g.left), self.proj.inverse(g.right));
            out.gap = Some(PincerGap {
                left: lonlat(l),
                right: lonlat(r),
                crossing: lonlat(self.proj.inverse(g.crossing)),
                gap_m: distance_m(l, r),
            });
        }
        out
    }

    /// Window cells inside a pocket (a friendly part other than the main
    /// body).
    ///
    /// Pockets are found in the window and its margin, not the whole
    /// country: friendly ground there (reference minus hostile, clipped) that
    /// does not reach the clipping box's edge is a whole component on its
    /// own, so a pocket unless it were the main body, which it cannot be
    /// while the country is bigger than the box (when the reference fits in
    /// the box, the whole-country split is used instead). A part that reaches
    /// the edge is taken as connected to the main body: a pocket more than
    /// `window + rear clearance` across would be missed.
    fn pocket_mask(&self, hostile: &[&MultiPolygon<f64>], prepared: &Prepared) -> Vec<bool> {
        let n = self.grid.n;
        let mut mask = vec![false; n * n];
        let pockets: Vec<Polygon<f64>> = if self.reference_fits {
            let (parts, main) = pockets::split_friendly(self.reference, hostile);
            parts.into_iter().enumerate().filter(|(i, _)| Some(*i) != main).map(|(_, p)| p).collect()
        } else {
            let mut friendly = self.reference_ext.clone();
            for c in &prepared.clipped {
                if !c.0.is_empty() {
                    friendly = friendly.difference(c);
                }
            }
            let b = self.ext_lonlat;
            // Clipped edges lie on the box, up to the overlays' rounding to
            // their integer grids (1e-8 degrees for a country-sized input):
            // allow 1e-6 of the box, half a metre.
            let eps = 1e-6 * (b.width() + b.height());
            friendly
                .0
                .into_iter()
                .filter(|p| {
                    p.bounding_rect().is_some_and(|r| {
                        r.min().x > b.min().x + eps
                            && r.min().y > b.min().y + eps
                            && r.max().x < b.max().x - eps
                            && r.max().y < b.max().y - eps
                    })
                })
                .collect()
        };
        let mut rings = Rings::new();
        for p in pockets {
            if p.bounding_rect().is_some_and(|b| b.intersects(&self.window_lonlat)) {
                let clipped = raster::clip_lonlat(&MultiPolygon::new(vec![p]), &self.window_lonlat);
                raster::project_rings(&self.proj, &clipped, &mut rings);
            }
        }
        self.grid.fill(&rings, &mut mask);
        mask
    }

    /// The path's cell centres in lon/lat, keeping only the cells where it turns.
    fn path_lonlat(&self, cells: &[usize]) -> Vec<[f64; 2]> {
        let n = self.grid.n as i64;
        let step = |a: usize, b: usize| (b as i64 - a as i64).clamp(-n, n);
        let mut keep = Vec::new();
        for (t, &k) in cells.iter().enumerate() {
            let turn = t == 0 || t + 1 == cells.len() || step(cells[t - 1], k) != step(k, cells[t + 1]);
            if turn {
                keep.push(lonlat(self.proj.inverse(self.grid.centre(k))));
            }
        }
        keep
    }
}

/// The corridor of `place` for one snapshot (with its own frame; build a
/// [`CorridorFrame`] to measure many snapshots of the same place).
pub fn corridor(
    reference: &Territory,
    snapshot: &Snapshot,
    place: Coord<f64>,
    params: CorridorParams,
) -> Result<Corridor> {
    let frame = CorridorFrame::new(reference, place, params)?;
    Ok(frame.corridor(&hostile_layers(snapshot, params.with_gray)))
}

/// The corridor of `place` at every snapshot (see [`CorridorFrame::series`]).
pub fn corridor_series(
    reference: &Territory,
    snapshots: &[Snapshot],
    place: Coord<f64>,
    params: CorridorParams,
) -> Result<Vec<CorridorPoint>> {
    let frame = CorridorFrame::new(reference, place, params)?;
    Ok(frame.series(snapshots))
}

/// The hostile layers of a snapshot: occupied, plus gray `with_gray`.
pub fn hostile_layers(snapshot: &Snapshot, with_gray: bool) -> Vec<&MultiPolygon<f64>> {
    let mut out: Vec<&MultiPolygon<f64>> = snapshot.layer(ControlClass::Occupied).into_iter().collect();
    if with_gray {
        out.extend(snapshot.layer(ControlClass::Gray));
    }
    out
}

fn lonlat(c: Coord<f64>) -> [f64; 2] {
    [c.x, c.y]
}

fn edges(rings: &Rings) -> impl Iterator<Item = (Coord<f64>, Coord<f64>)> + '_ {
    rings.iter().flat_map(|r| (0..r.len()).map(move |e| (r[e], r[(e + 1) % r.len()])))
}

/// The nearest point to `p` on any ring edge.
fn nearest_point(rings: &Rings, p: Coord<f64>) -> Option<Coord<f64>> {
    let mut near: Option<(f64, Coord<f64>)> = None;
    for (a, b) in edges(rings) {
        let q = closest_on_segment(a, b, 0.0, 1.0, p);
        let d = dist2(q, p);
        if near.is_none_or(|(bd, _)| d < bd) {
            near = Some((d, q));
        }
    }
    near.map(|n| n.1)
}

/// The nearest point to `p` on the part of the ring edges in the half-plane
/// facing away from `near`: {q : (q - p)·(near - p) <= 0}.
fn farthest_side_point(rings: &Rings, p: Coord<f64>, near: Coord<f64>) -> Option<Coord<f64>> {
    let u = near - p;
    let mut far: Option<(f64, Coord<f64>)> = None;
    for (a, b) in edges(rings) {
        // s(t) = (a + t (b - a) - p)·u is linear in t: keep the t where s <= 0.
        let sa = (a - p).x * u.x + (a - p).y * u.y;
        let sb = (b - p).x * u.x + (b - p).y * u.y;
        let (t0, t1) = match (sa <= 0.0, sb <= 0.0) {
            (true, true) => (0.0, 1.0),
            (false, false) => continue,
            (true, false) => (0.0, sa / (sa - sb)),
            (false, true) => (sa / (sa - sb), 1.0),
        };
        let q = closest_on_segment(a, b, t0, t1, p);
        let d = dist2(q, p);
        if far.is_none_or(|(bd, _)| d < bd) {
            far = Some((d, q));
        }
    }
    far.map(|f| f.1)
}

fn dist2(a: Coord<f64>, b: Coord<f64>) -> f64 {
    (a.x - b.x).powi(2) + (a.y - b.y).powi(2)
}

/// The point of segment a + t (b - a), t in [t0, t1], nearest to p.
fn closest_on_segment(a: Coord<f64>, b: Coord<f64>, t0: f64, t1: f64, p: Coord<f64>) -> Coord<f64> {
    let d = b - a;
    let len2 = d.x * d.x + d.y * d.y;
    let t = if len2 > 0.0 { (((p - a).x * d.x + (p - a).y * d.y) / len2).clamp(t0, t1) } else { t0 };
    a + d * t
}

#[cfg(test)]
mod tests;
