//! Friendly territory split into connected parts: the main body and the
//! pockets (measures.md, "Pockets and corridors"), as vector polygons.

use crate::geodesy::{GeodesicAreaM2, M2_PER_KM2};
use crate::regions::Territory;
use geo::{Area, BoundingRect, Centroid, Contains, Coord, InteriorPoint, MultiPolygon, Polygon};
use serde::Serialize;

/// One pocket: a connected part of friendly territory other than the main body.
#[derive(Debug, Clone, Serialize)]
pub struct Pocket {
    /// Its outline (lon/lat), holes included: test settlements against it with
    /// [`Pocket::contains`].
    #[serde(skip)]
    pub polygon: Polygon<f64>,
    /// Geodesic area, km².
    pub area_km2: f64,
    /// A point inside it (lon, lat), for labels.
    pub interior_point: [f64; 2],
}

impl Pocket {
    /// Whether a lon/lat point lies inside the pocket.
    pub fn contains(&self, p: Coord<f64>) -> bool {
        self.polygon.contains(&p)
    }
}

/// Friendly territory (reference minus hostile), split into parts.
#[derive(Debug, Clone, Serialize)]
pub struct FriendlyParts {
    /// The part with the largest geodesic area.
    #[serde(skip)]
    pub main_body: Option<Polygon<f64>>,
    /// Its geodesic area, km² (0 when there is no friendly territory).
    pub main_body_area_km2: f64,
    /// Every other part, largest first (after [`FriendlyParts::set_aside_slivers`],
    /// only those that are cut-off ground rather than drawing noise).
    pub pockets: Vec<Pocket>,
    /// Parts set aside as drawing noise by [`FriendlyParts::set_aside_slivers`].
    pub slivers: usize,
    /// Their total geodesic area, km².
    pub sliver_area_km2: f64,
}

/// Below this area (km²), a part of friendly ground with no settlement in
/// it is drawing noise, not a pocket: where the map's outline and the
/// boundary file disagree by a few hundred metres (on 2026-01-01 the
/// daily map leaves 500 such parts, the largest 1.71 km², none with a
/// settlement). Real cut-off ground either holds a settlement or is larger.
pub const SLIVER_MAX_KM2: f64 = 5.0;

impl FriendlyParts {
    /// Moves the parts that are drawing noise out of `pockets` into the
    /// sliver count: those under `max_km2` that hold none of `settlements`
    /// (lon/lat points).
    pub fn set_aside_slivers(&mut self, settlements: &[Coord<f64>], max_km2: f64) {
        let pockets = std::mem::take(&mut self.pockets);
        for p in pockets {
            let holds_a_settlement = || {
                let Some(bbox) = p.polygon.bounding_rect() else {
                    return false;
                };
                settlements.iter().any(|c| {
                    c.x >= bbox.min().x
                        && c.x <= bbox.max().x
                        && c.y >= bbox.min().y
                        && c.y <= bbox.max().y
                        && p.contains(*c)
                })
            };
            if p.area_km2 < max_km2 && !holds_a_settlement() {
                self.slivers += 1;
                self.sliver_area_km2 += p.area_km2;
            } else {
                self.pockets.push(p);
            }
        }
    }

    /// The pocket holding a lon/lat point, if any.
    pub fn pocket_at(&self, p: Coord<f64>) -> Option<&Pocket> {
        self.pockets.iter().find(|k| k.contains(p))
    }
}

/// Reference minus every hostile layer, as polygons (each a connected part),
/// with the index of the main body. The main body is picked by planar area
/// scaled by cos(latitude) and confirmed geodesically when a runner-up comes
/// within a factor two: the ranking is then exact without measuring a
/// 30,000-vertex outline on every call.
pub(crate) fn split_friendly(
    reference: &Territory,
    hostile: &[&MultiPolygon<f64>],
) -> (Vec<Polygon<f64>>, Option<usize>) {
    let mut friendly = reference.geometry.clone();
    for h in hostile {
        if !h.0.is_empty() {
            friendly = crate::overlay::difference(&friendly, h);
        }
    }
    let parts = friendly.0;
    let approx: Vec<f64> = parts
        .iter()
        .map(|p| {
            let lat = p.centroid().map(|c| c.y()).unwrap_or(0.0);
            p.unsigned_area() * lat.to_radians().cos()
        })
        .collect();
    let Some(top) = approx.iter().copied().fold(None::<f64>, |m, a| Some(m.map_or(a, |m| m.max(a)))) else {
        return (parts, None);
    };
    let contenders: Vec<usize> = (0..parts.len()).filter(|&i| approx[i] * 2.0 >= top).collect();
    let main = if contenders.len() == 1 {
        contenders[0]
    } else {
        contenders
            .iter()
            .copied()
            .map(|i| (i, parts[i].geodesic_area_m2()))
            .fold((contenders[0], f64::NEG_INFINITY), |b, c| if c.1 > b.1 { c } else { b })
            .0
    };
    (parts, Some(main))
}

/// The main body and the pockets of friendly territory: `reference` minus the
/// hostile layers (occupied, and gray where the caller counts it).
pub fn pockets(reference: &Territory, hostile: &[&MultiPolygon<f64>]) -> FriendlyParts {
    let (parts, main) = split_friendly(reference, hostile);
    let mut out =
        FriendlyParts { main_body: None, main_body_area_km2: 0.0, pockets: vec![], slivers: 0, sliver_area_km2: 0.0 };
    for (i, p) in parts.into_iter().enumerate() {
        if Some(i) == main {
            out.main_body_area_km2 = p.geodesic_area_m2() / M2_PER_KM2;
            out.main_body = Some(p);
            continue;
        }
        let ip = p
            .interior_point()
            .or_else(|| p.bounding_rect().map(|r| r.center().into()))
            .map(|c| [c.x(), c.y()])
            .unwrap_or([f64::NAN, f64::NAN]);
        out.pockets.push(Pocket { area_km2: p.geodesic_area_m2() / M2_PER_KM2, interior_point: ip, polygon: p });
    }
    out.pockets.sort_by(|a, b| b.area_km2.total_cmp(&a.area_km2));
    out
}
