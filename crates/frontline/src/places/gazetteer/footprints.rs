//! Footprints: the population disc (cut to the place's hromada and to
//! land) and the OSM settlement outline that is the same place.

use super::*;

/// The population disc radius of measures.md: 1.5 km under 20,000 people,
/// 3 km under 100,000, 5 km above.
pub fn disc_radius_m(population: u64) -> f64 {
    match population {
        0..20_000 => 1_500.0,
        20_000..100_000 => 3_000.0,
        _ => 5_000.0,
    }
}

/// A geodesic disc: [`DISC_VERTICES`] points at `radius_m` from the centre
/// (GeographicLib's direct problem), counter-clockwise.
pub fn geodesic_disc(center: Coord<f64>, radius_m: f64) -> Polygon<f64> {
    let geod = geodesy::wgs84();
    let mut ring: Vec<Coord<f64>> = (0..DISC_VERTICES)
        .map(|i| {
            // Azimuths run clockwise from north; walking them backwards
            // draws the ring counter-clockwise, as RFC 7946 wants.
            let azimuth = 360.0 - 360.0 * i as f64 / DISC_VERTICES as f64;
            let (lat, lon): (f64, f64) = geod.direct(center.y, center.x, azimuth, radius_m);
            Coord { x: lon, y: lat }
        })
        .collect();
    ring.push(ring[0]);
    Polygon::new(LineString::new(ring), vec![])
}

/// Cuts population discs to the hromada holding their centre and to land.
pub(super) struct DiscCutter {
    pub(super) hromadas: Vec<Region>,
    pub(super) tree: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
    /// Each hromada ∩ land, made on first use.
    pub(super) on_land: Vec<OnceLock<Territory>>,
    pub(super) land: Option<Territory>,
}

impl DiscCutter {
    pub(super) fn new(hromadas: Vec<Region>, land: Option<Territory>) -> Self {
        let tree = RTree::bulk_load(
            hromadas
                .iter()
                .enumerate()
                .filter_map(|(i, h)| {
                    let b = h.territory.geometry.bounding_rect()?;
                    Some(GeomWithData::new(Rectangle::from_corners([b.min().x, b.min().y], [b.max().x, b.max().y]), i))
                })
                .collect(),
        );
        let on_land = (0..hromadas.len()).map(|_| OnceLock::new()).collect();
        DiscCutter { hromadas, tree, on_land, land }
    }

    pub(super) fn hromada_of(&self, c: Coord<f64>) -> Option<usize> {
        let pt = Point::from(c);
        self.tree
            .locate_all_at_point(&[c.x, c.y])
            .map(|h| h.data)
            .filter(|&i| self.hromadas[i].territory.geometry.contains(&pt))
            .min_by(|&a, &b| self.hromadas[a].territory.area_m2.total_cmp(&self.hromadas[b].territory.area_m2))
    }

    /// The disc for a population around a point, cut to the hromada holding
    /// the point (on land) or, outside every hromada, to land. A cut that
    /// leaves almost nothing (a node just off the coast line) keeps the disc.
    pub(super) fn disc(&self, center: Coord<f64>, population: u64) -> Footprint {
        let radius_m = disc_radius_m(population);
        let disc = MultiPolygon::new(vec![geodesic_disc(center, radius_m)]);
        let full_m2 = disc.geodesic_area_m2();
        let clip: Option<&Territory> = match self.hromada_of(center) {
            Some(i) => Some(self.on_land[i].get_or_init(|| {
                let h = &self.hromadas[i].territory;
                match &self.land {
                    Some(l) => Territory::new(h.name.clone(), l.clip(&h.geometry)),
                    None => h.clone(),
                }
            })),
            None => self.land.as_ref(),
        };
        if let Some(t) = clip {
            let cut = t.clip(&disc);
            let cut_m2 = cut.geodesic_area_m2();
            if cut_m2 < full_m2 * (1.0 - UNCUT_TOLERANCE) && cut_m2 > 0.1 * full_m2 {
                return Footprint {
                    kind: FootprintKind::PopulationDisc { radius_m, cut: true },
                    geometry: cut,
                    area_m2: cut_m2,
                };
            }
        }
        Footprint { kind: FootprintKind::PopulationDisc { radius_m, cut: false }, geometry: disc, area_m2: full_m2 }
    }
}

/// The plain population disc, uncut.
pub fn disc_footprint(center: Coord<f64>, population: u64) -> Footprint {
    let radius_m = disc_radius_m(population);
    let geometry = MultiPolygon::new(vec![geodesic_disc(center, radius_m)]);
    Footprint {
        kind: FootprintKind::PopulationDisc { radius_m, cut: false },
        area_m2: geometry.geodesic_area_m2(),
        geometry,
    }
}

/// The footprint's centroid (planar in lon/lat: fine over a few km).
pub fn footprint_centroid(fp: &Footprint) -> Option<Coord<f64>> {
    fp.geometry.centroid().map(|p| p.0)
}

pub(super) fn osm_footprint(o: &OsmPolygon) -> Option<Footprint> {
    let mut counts = repair::RepairCounts::default();
    let polys: Vec<Polygon<f64>> =
        o.polygons.iter().cloned().filter_map(|p| repair::clean_polygon(p, &mut counts)).collect();
    let geometry = repair::union_polygons(polys, &mut counts);
    let area_m2 = geometry.geodesic_area_m2();
    (area_m2 > 0.0).then_some(Footprint { kind: FootprintKind::OsmPolygon, geometry, area_m2 })
}

/// For each place, the OSM outline that is the same place: one that shares
/// a name (transliteration skeleton) and contains the point or lies within
/// [`MATCH_DISTANCE_M`] of it. Containing beats near; then the nearer; then
/// a settlement (`place` tagged) over an untagged boundary; then the
/// smaller. Best pairs first, each outline given to one place.
pub(super) fn match_outlines(drafts: &[Draft], keys: &[BTreeSet<String>], osm: &[OsmPolygon]) -> Vec<Option<usize>> {
    let tree: RTree<GeomWithData<[f64; 2], usize>> =
        RTree::bulk_load(drafts.iter().enumerate().map(|(i, d)| GeomWithData::new([d.lon, d.lat], i)).collect());
    // (outside, distance_m, untagged, area in square degrees): smaller is better.
    type Score = (bool, f64, bool, f64);
    let candidates: Vec<Vec<(Score, usize, usize)>> = osm
        .par_iter()
        .enumerate()
        .map(|(oi, o)| {
            let mut out = vec![];
            let mp = MultiPolygon::new(o.polygons.clone());
            let Some(bbox) = mp.bounding_rect() else {
                return out;
            };
            let okeys: BTreeSet<String> = o.names.iter().map(|n| names::skeleton(n)).collect();
            let lat = bbox.center().y;
            let pad_lat = MATCH_DISTANCE_M / 110_000.0;
            let pad_lon = MATCH_DISTANCE_M / (110_000.0 * lat.to_radians().cos().max(0.1));
            let env = AABB::from_corners(
                [bbox.min().x - pad_lon, bbox.min().y - pad_lat],
                [bbox.max().x + pad_lon, bbox.max().y + pad_lat],
            );
            let planar_area = geo::Area::unsigned_area(&mp);
            for cand in tree.locate_in_envelope(&env) {
                let di = cand.data;
                if keys[di].is_disjoint(&okeys) {
                    continue;
                }
                let pt = Point::new(drafts[di].lon, drafts[di].lat);
                let contains = mp.contains(&pt);
                let distance_m = if contains { 0.0 } else { approx_distance_m(pt, &mp) };
                if distance_m > MATCH_DISTANCE_M {
                    continue;
                }
                out.push(((!contains, distance_m, o.place.is_none(), planar_area), di, oi));
            }
            out
        })
        .collect();
    let mut pairs: Vec<(Score, usize, usize)> = candidates.into_iter().flatten().collect();
    pairs.sort_by(|a, b| {
        a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2))
    });
    let mut best = vec![None; drafts.len()];
    let mut taken = vec![false; osm.len()];
    for (_, di, oi) in pairs {
        if best[di].is_none() && !taken[oi] {
            best[di] = Some(oi);
            taken[oi] = true;
        }
    }
    best
}

/// Distance from a point to a polygon in metres, on an equirectangular
/// plane at the point's latitude: within 1 % at these few-km ranges, which
/// is all matching needs.
pub(super) fn approx_distance_m(pt: Point<f64>, mp: &MultiPolygon<f64>) -> f64 {
    let k = pt.y().to_radians().cos();
    let scale = |c: Coord<f64>| Coord { x: (c.x - pt.x()) * k, y: c.y - pt.y() };
    let scaled = MultiPolygon::new(
        mp.0.iter()
            .map(|p| {
                Polygon::new(
                    p.exterior().0.iter().map(|c| scale(*c)).collect(),
                    p.interiors().iter().map(|r| r.0.iter().map(|c| scale(*c)).collect()).collect(),
                )
            })
            .collect(),
    );
    Euclidean.distance(&Point::new(0.0, 0.0), &scaled) * 111_195.0
}
