//! The sweep over a series of snapshots: every settlement's fraction and
//! distance at the first snapshot of a chunk, then only those near the
//! edges that changed (see the parent module for why that is exact).

use super::distance::{ecef, Seg3};
use super::edges::{edge_keys, ray_parity, EdgeSet, Seg2};
use crate::coord_key::{edge_of, CoordMap, EdgeKey};
use crate::error::{Error, Result};
use crate::geodesy::GeodesicAreaM2;
use geo::{BoundingRect, Coord, MultiPolygon, Rect};
use rayon::prelude::*;
use rstar::{Envelope, RTree, AABB};

/// A settlement as the sweep sees it.
pub(super) struct Target {
    footprint: MultiPolygon<f64>,
    bbox: Rect<f64>,
    area_m2: f64,
    /// A vertex of the footprint: inside/outside of a footprint no edge crosses.
    probe: Coord<f64>,
    pub(super) point: Coord<f64>,
    pub(super) point_ecef: [f64; 3],
}

impl Target {
    pub(super) fn new(footprint: &MultiPolygon<f64>, area_m2: f64, point: Coord<f64>) -> Result<Target> {
        let bad = || {
            Error::Internal(format!(
                "settlement at ({}, {}) has an empty footprint; rebuild the gazetteer",
                point.x, point.y
            ))
        };
        let bbox = footprint.bounding_rect().ok_or_else(bad)?;
        let probe = *footprint.0.first().and_then(|p| p.exterior().0.first()).ok_or_else(bad)?;
        if area_m2 <= 0.0 {
            return Err(bad());
        }
        Ok(Target { footprint: footprint.clone(), bbox, area_m2, probe, point, point_ecef: ecef(point) })
    }
}

/// One snapshot's hostile geometry with its edge indexes. The indexes
/// hold every edge seen in the chunk of snapshots; `alive` says which are
/// this snapshot's (rebuilding or updating an R-tree per snapshot cost more
/// than the whole rest of the sweep).
pub(super) struct Hostile<'a> {
    geometry: &'a MultiPolygon<f64>,
    tree2: &'a RTree<Seg2>,
    tree3: Option<&'a RTree<Seg3>>,
    alive: &'a [bool],
    edges: usize,
}

impl Hostile<'_> {
    pub(super) fn contains(&self, p: Coord<f64>) -> bool {
        ray_parity(self.tree2, p, |s| self.alive[s.id as usize])
    }

    pub(super) fn fraction(&self, t: &Target) -> f32 {
        let env = AABB::from_corners([t.bbox.min().x, t.bbox.min().y], [t.bbox.max().x, t.bbox.max().y]);
        if !self.tree2.locate_in_envelope_intersecting(&env).any(|s| self.alive[s.id as usize]) {
            return if self.contains(t.probe) { 1.0 } else { 0.0 };
        }
        // A margin keeps the clip rectangle's own edges (where clipping
        // leaves zero-width slivers) off the footprint.
        let margin = 1e-4;
        let clip = Rect::new(
            Coord { x: t.bbox.min().x - margin, y: t.bbox.min().y - margin },
            Coord { x: t.bbox.max().x + margin, y: t.bbox.max().y + margin },
        );
        let local = crate::overlay::crop_to_rect(self.geometry, clip);
        if local.0.is_empty() {
            return 0.0;
        }
        let inside = crate::overlay::intersection(&t.footprint, &local).geodesic_area_m2();
        (inside / t.area_m2).clamp(0.0, 1.0) as f32
    }

    pub(super) fn distance_m(&self, t: &Target) -> f32 {
        let Some(tree3) = self.tree3 else {
            return f32::INFINITY;
        };
        if self.edges == 0 {
            return f32::INFINITY;
        }
        if self.contains(t.point) {
            return 0.0;
        }
        let mut best = f64::INFINITY;
        for (seg, lb2) in tree3.nearest_neighbor_iter_with_distance_2(&t.point_ecef) {
            if lb2.sqrt() > best {
                break;
            }
            if self.alive[seg.id as usize] {
                best = best.min(seg.geodesic_distance_m(t.point, t.point_ecef));
            }
        }
        best as f32
    }
}

/// One value per (snapshot, settlement), snapshot-major.
pub(super) type Rows = Vec<Vec<f32>>;

/// Fractions (and distances, when asked) of every target at every layer,
/// snapshot-major.
pub(super) fn sweep(targets: &[Target], layers: &[&MultiPolygon<f64>], with_distance: bool) -> (Rows, Rows) {
    let n = layers.len();
    if n == 0 {
        return (vec![], vec![]);
    }
    // Each chunk starts with a full computation (~2,900 footprints): a few
    // chunks per thread balance the load without much repeated work.
    let chunks = (rayon::current_num_threads() * 3).clamp(1, n);
    let bounds: Vec<(usize, usize)> =
        (0..chunks).map(|c| (c * n / chunks, (c + 1) * n / chunks)).filter(|(a, b)| a < b).collect();
    let parts: Vec<(Rows, Rows)> =
        bounds.par_iter().map(|&(a, b)| sweep_chunk(targets, &layers[a..b], with_distance)).collect();
    let mut fractions = Vec::with_capacity(n);
    let mut distances = Vec::with_capacity(n);
    for (f, d) in parts {
        fractions.extend(f);
        distances.extend(d);
    }
    (fractions, distances)
}

pub(super) fn sweep_chunk(targets: &[Target], layers: &[&MultiPolygon<f64>], with_distance: bool) -> (Rows, Rows) {
    let mut fractions: Vec<Vec<f32>> = Vec::with_capacity(layers.len());
    let mut distances: Vec<Vec<f32>> = Vec::with_capacity(layers.len());
    if layers.is_empty() {
        return (fractions, distances);
    }
    // Every edge of the chunk gets an id and goes into the indexes once.
    let layer_keys: Vec<EdgeSet> = layers.iter().map(|l| edge_keys(l)).collect();
    let mut ids: CoordMap<EdgeKey, u32> = CoordMap::default();
    let mut segs: Vec<(Coord<f64>, Coord<f64>)> = vec![];
    for keys in &layer_keys {
        for k in keys {
            ids.entry(*k).or_insert_with(|| {
                segs.push(edge_of(k));
                (segs.len() - 1) as u32
            });
        }
    }
    let tree2 = RTree::bulk_load(segs.iter().enumerate().map(|(i, &(a, b))| Seg2::new(a, b, i as u32)).collect());
    let tree3 = with_distance
        .then(|| RTree::bulk_load(segs.iter().enumerate().map(|(i, &(a, b))| Seg3::new(a, b, i as u32)).collect()));
    let id = |k: &EdgeKey| ids.get(k).map_or(0, |i| *i as usize);
    let mut alive = vec![false; segs.len()];
    for k in &layer_keys[0] {
        alive[id(k)] = true;
    }
    {
        let h = Hostile {
            geometry: layers[0],
            tree2: &tree2,
            tree3: tree3.as_ref(),
            alive: &alive,
            edges: layer_keys[0].len(),
        };
        fractions.push(targets.iter().map(|t| h.fraction(t)).collect());
        distances.push(if with_distance { targets.iter().map(|t| h.distance_m(t)).collect() } else { vec![] });
    }
    for k in 1..layers.len() {
        let (keys, prev_keys) = (&layer_keys[k], &layer_keys[k - 1]);
        let added: Vec<&EdgeKey> = keys.iter().filter(|e| !prev_keys.contains(*e)).collect();
        let removed: Vec<&EdgeKey> = prev_keys.iter().filter(|e| !keys.contains(*e)).collect();
        let prev_f = fractions.last().cloned().unwrap_or_default();
        let prev_d = distances.last().cloned().unwrap_or_default();
        if added.is_empty() && removed.is_empty() {
            fractions.push(prev_f);
            distances.push(prev_d);
            continue;
        }
        for e in &removed {
            alive[id(e)] = false;
        }
        for e in &added {
            alive[id(e)] = true;
        }
        let changed: Vec<(Coord<f64>, Coord<f64>)> = added.iter().chain(&removed).map(|e| edge_of(e)).collect();
        let changed2 = RTree::bulk_load(changed.iter().map(|&(a, b)| Seg2::new(a, b, 0)).collect());
        let changed_bbox = changed2.root().envelope();
        let in_changed = |p: Coord<f64>| ray_parity(&changed2, p, |_| true);
        let h = Hostile { geometry: layers[k], tree2: &tree2, tree3: tree3.as_ref(), alive: &alive, edges: keys.len() };
        let mut row_f = prev_f;
        for (i, t) in targets.iter().enumerate() {
            let env = AABB::from_corners([t.bbox.min().x, t.bbox.min().y], [t.bbox.max().x, t.bbox.max().y]);
            let touched =
                changed_bbox.intersects(&env) && changed2.locate_in_envelope_intersecting(&env).next().is_some();
            if touched || in_changed(t.probe) {
                row_f[i] = h.fraction(t);
            }
        }
        fractions.push(row_f);
        if !with_distance {
            distances.push(vec![]);
            continue;
        }
        let changed3: RTree<Seg3> = RTree::bulk_load(changed.iter().map(|&(a, b)| Seg3::new(a, b, 0)).collect());
        let changed3_env = changed3.root().envelope();
        let mut row_d = prev_d;
        for (i, t) in targets.iter().enumerate() {
            let prev = f64::from(row_d[i]);
            let stale = in_changed(t.point)
                || (prev > 0.0
                    && changed3_env.distance_2(&t.point_ecef).sqrt() <= prev
                    && changed3
                        .nearest_neighbor_iter_with_distance_2(&t.point_ecef)
                        .next()
                        .is_some_and(|(_, lb2)| lb2.sqrt() <= prev));
            if stale {
                row_d[i] = h.distance_m(t);
            }
        }
        distances.push(row_d);
    }
    (fractions, distances)
}
