//! The corridor search: a place's projection, raster and reference mask
//! set up once ([`CorridorFrame`]), then per snapshot the hostile raster,
//! the widest path to the rear, its neck, pincer, gap and length (the
//! parent module says how the raster relates to the continuous definition).

use super::aeqd::Aeqd;
use super::corridor::{ClearanceField, Corridor, CorridorParams, CorridorPoint, CorridorState, Pincer, PincerGap};
use super::pincer::{farthest_side_point, lonlat, nearest_point};
use super::raster::{self, Grid, Rings};
use super::{edt, gap, pockets, widest};
use crate::coord_key::{point_key, CoordHashState, CoordMap};
use crate::error::{Error, Result};
use crate::geodesy::distance_m;
use crate::model::{ControlClass, Snapshot};
use crate::regions::Territory;
use chrono::NaiveDate;
use geo::{BoundingRect, Coord, Intersects, MultiPolygon, Polygon, Rect};
use rayon::prelude::*;
use std::hash::{BuildHasher, Hash, Hasher};

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
type ProjectionCache = CoordMap<[u64; 2], Coord<f64>>;

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
        let mut vertices: Vec<[u64; 2]> =
            todo.iter().flat_map(|&i| prepared[i].lonlat.iter().flatten().map(|&c| point_key(c))).collect();
        vertices.par_sort_unstable();
        vertices.dedup();
        let cache: ProjectionCache = vertices
            .par_iter()
            .map(|&[x, y]| {
                let c = Coord { x: f64::from_bits(x), y: f64::from_bits(y) };
                ([x, y], self.proj.forward(c))
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
        let mut hasher = CoordHashState::default().build_hasher();
        let mut clipped = Vec::with_capacity(hostile.len());
        let mut layer_ends = Vec::with_capacity(hostile.len());
        for layer in hostile {
            let c = raster::clip_lonlat(layer, &self.ext_lonlat);
            for p in geo::CoordsIter::coords_iter(&c) {
                point_key(p).hash(&mut hasher);
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
                    .map(|&c| match cache.and_then(|m| m.get(&point_key(c))) {
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
                    friendly = crate::overlay::difference(&friendly, c);
                }
            }
            let b = self.ext_lonlat;
            // Clipped edges lie on the box, up to the overlays' rounding to
            // the fixed grid (2⁻²⁶ degree, 1.7 mm) or a fitted one off the theatre:
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
