//! Geodesic measures on the WGS84 ellipsoid (GeographicLib's algorithms).
//!
//! Areas follow measures.md: the GeographicLib polygon-area algorithm, ring by
//! ring, exterior minus holes, whatever the rings' orientation (the DeepState
//! daily export draws exteriors clockwise, the reverse of RFC 7946).

use geo::{Coord, LineString, MultiLineString, MultiPolygon, Polygon};
use geographiclib_rs::{geodesic_capability as caps, Geodesic, InverseGeodesic};
use std::sync::OnceLock;

use crate::coord_key::{edge_key, CoordMap, EdgeKey};

/// Square metres in a square kilometre.
pub const M2_PER_KM2: f64 = 1e6;
/// Square kilometres in an international square mile (measures.md, "Units").
pub const KM2_PER_SQMI: f64 = 2.589_988_110_336;

/// The WGS84 ellipsoid, built once.
pub fn wgs84() -> &'static Geodesic {
    static WGS84: OnceLock<Geodesic> = OnceLock::new();
    WGS84.get_or_init(Geodesic::wgs84)
}

/// Converts km² to square miles.
pub fn km2_to_sqmi(area_km2: f64) -> f64 {
    area_km2 / KM2_PER_SQMI
}

// The same capability mask as GeographicLib's PolygonArea, so each edge's
// contribution is bit-for-bit the one it computes.
const EDGE_MASK: u64 = caps::LATITUDE | caps::LONGITUDE | caps::DISTANCE | caps::AREA | caps::LONG_UNROLL;

/// Signed geodesic area (m², counter-clockwise positive) and perimeter (m) of
/// one ring, closed implicitly. Matches GeographicLib's `PolygonArea` with
/// `sign = true`.
pub fn ring_area_perimeter_m(ring: &LineString<f64>) -> (f64, f64) {
    ring_sum(ring, edge_terms)
}

/// Remembers each edge's contribution to the area so that a sweep over
/// consecutive snapshots, which share almost every edge, computes each edge
/// once. Results are bit-for-bit those of [`ring_area_perimeter_m`]: the
/// same edge terms summed in the same order.
///
/// Two generations are kept (this snapshot's edges and the previous
/// one's), so memory stays bounded on an arbitrarily long sweep: call
/// [`EdgeAreaCache::next_generation`] between snapshots.
#[derive(Default)]
pub struct EdgeAreaCache {
    current: EdgeMap,
    previous: EdgeMap,
    /// Edge terms found in the cache.
    pub hits: usize,
    /// Edge terms computed.
    pub misses: usize,
}

impl EdgeAreaCache {
    /// Starts a new snapshot: edges not seen in this one or the last are forgotten.
    pub fn next_generation(&mut self) {
        // Swap and clear rather than allocate: the maps keep their capacity,
        // so a sweep does not rehash thousands of entries per snapshot.
        std::mem::swap(&mut self.previous, &mut self.current);
        self.current.clear();
    }

    fn edge(&mut self, a: Coord<f64>, b: Coord<f64>) -> (f64, f64) {
        let key = edge_key(a, b);
        if let Some(v) = self.current.get(&key) {
            self.hits += 1;
            return *v;
        }
        let v = match self.previous.get(&key) {
            Some(v) => {
                self.hits += 1;
                *v
            }
            None => {
                self.misses += 1;
                edge_terms(a, b)
            }
        };
        self.current.insert(key, v);
        v
    }

    /// Signed area (m²) and perimeter (m) of a ring, as [`ring_area_perimeter_m`].
    pub fn ring_area_perimeter_m(&mut self, ring: &LineString<f64>) -> (f64, f64) {
        ring_sum(ring, |a, b| self.edge(a, b))
    }

    /// Area (m²) and perimeter (m) of a MultiPolygon, as
    /// [`GeodesicAreaM2::geodesic_area_m2`] and [`multipolygon_perimeter_m`]
    /// give them (the same terms, summed in the same order).
    pub fn multipolygon_area_perimeter_m(&mut self, mp: &MultiPolygon<f64>) -> (f64, f64) {
        let mut perimeters = Vec::with_capacity(mp.0.len());
        let area =
            mp.0.iter()
                .map(|p| {
                    let (exterior, perimeter) = self.ring_area_perimeter_m(p.exterior());
                    perimeters.push(perimeter);
                    let holes: f64 = p
                        .interiors()
                        .iter()
                        .map(|r| {
                            let (a, perimeter) = self.ring_area_perimeter_m(r);
                            perimeters.push(perimeter);
                            a.abs()
                        })
                        .sum();
                    exterior.abs() - holes
                })
                .sum();
        (area, perimeters.into_iter().sum())
    }

    /// Area of a MultiPolygon (m²), as [`GeodesicAreaM2::geodesic_area_m2`].
    pub fn multipolygon_area_m2(&mut self, mp: &MultiPolygon<f64>) -> f64 {
        mp.0.iter()
            .map(|p| {
                let exterior = self.ring_area_perimeter_m(p.exterior()).0.abs();
                let holes: f64 = p.interiors().iter().map(|r| self.ring_area_perimeter_m(r).0.abs()).sum();
                exterior - holes
            })
            .sum()
    }
}

type EdgeMap = CoordMap<EdgeKey, (f64, f64)>;

/// One edge's (S12 area term, length) as GeographicLib's PolygonArea computes them.
fn edge_terms(a: Coord<f64>, b: Coord<f64>) -> (f64, f64) {
    let (_, s12, _, _, _, _, _, _, _, s12_area) = wgs84()._gen_inverse(a.y, a.x, b.y, b.x, EDGE_MASK);
    (s12_area, s12)
}

/// One edge's share of a ring's signed area (m², counter-clockwise
/// positive): a ring's area is the sum over its edges as long as it
/// neither crosses the 0° meridian nor covers half the Earth (every ring
/// over Ukraine), which is what lets an area be carried from one snapshot
/// to the next by the edges that changed.
pub(crate) fn edge_area_term_m2(a: Coord<f64>, b: Coord<f64>) -> f64 {
    -edge_terms(a, b).0
}

fn ring_sum(ring: &LineString<f64>, mut edge: impl FnMut(Coord<f64>, Coord<f64>) -> (f64, f64)) -> (f64, f64) {
    let pts = ring_points(ring);
    if pts.len() < 3 {
        return (0.0, 0.0);
    }
    let mut area_sum = 0.0_f64;
    let mut area_comp = 0.0_f64; // Kahan compensation: edge terms are large and cancel.
    let mut perimeter = 0.0_f64;
    let mut crossings = 0_i64;
    for i in 0..pts.len() {
        let a = pts[i];
        let b = pts[(i + 1) % pts.len()];
        let (s12_area, s12) = edge(a, b);
        perimeter += s12;
        let y = s12_area - area_comp;
        let t = area_sum + y;
        area_comp = (t - area_sum) - y;
        area_sum = t;
        crossings += transit(a.x, b.x);
    }
    (reduce_area(area_sum, crossings, wgs84().area()), perimeter)
}

/// The ring's vertices without the closing repeat.
fn ring_points(ring: &LineString<f64>) -> &[Coord<f64>] {
    let c = &ring.0[..];
    if c.len() >= 2 && c[0] == c[c.len() - 1] {
        &c[..c.len() - 1]
    } else {
        c
    }
}

// GeographicLib's PolygonArea::transit: counts crossings of the meridian at 0°.
fn transit(lon1: f64, lon2: f64) -> i64 {
    let lon12 = ang_diff(lon1, lon2);
    let lon1 = ang_normalize(lon1);
    let lon2 = ang_normalize(lon2);
    if lon12 > 0.0 && ((lon1 < 0.0 && lon2 >= 0.0) || (lon1 > 0.0 && lon2 == 0.0)) {
        1
    } else if lon12 < 0.0 && lon1 >= 0.0 && lon2 < 0.0 {
        -1
    } else {
        0
    }
}

fn ang_normalize(x: f64) -> f64 {
    let y = x % 360.0;
    let y = if y < -180.0 {
        y + 360.0
    } else if y >= 180.0 {
        y - 360.0
    } else {
        y
    };
    if y == -180.0 {
        180.0
    } else {
        y
    }
}

fn ang_diff(x: f64, y: f64) -> f64 {
    ang_normalize(ang_normalize(y) - ang_normalize(x))
}

// GeographicLib's PolygonArea::reduce_area for a counter-clockwise-positive,
// signed result.
fn reduce_area(area: f64, crossings: i64, earth_m2: f64) -> f64 {
    let mut area = area % earth_m2;
    if crossings % 2 != 0 {
        if area < 0.0 {
            area += earth_m2 / 2.0;
        } else {
            area -= earth_m2 / 2.0;
        }
    }
    area = -area;
    if area > earth_m2 / 2.0 {
        area -= earth_m2;
    } else if area <= -earth_m2 / 2.0 {
        area += earth_m2;
    }
    area
}

/// Geodesic area in m² that a trait-implementing geometry covers: every
/// polygon's exterior minus its holes, whatever the orientation. Overlapping
/// polygons are counted twice: union first (every layer in a [`crate::Snapshot`]
/// already is).
pub trait GeodesicAreaM2 {
    /// Area in m².
    fn geodesic_area_m2(&self) -> f64;
    /// Area in km².
    fn geodesic_area_km2(&self) -> f64 {
        self.geodesic_area_m2() / M2_PER_KM2
    }
}

impl GeodesicAreaM2 for Polygon<f64> {
    fn geodesic_area_m2(&self) -> f64 {
        let exterior = ring_area_perimeter_m(self.exterior()).0.abs();
        let holes: f64 = self.interiors().iter().map(|r| ring_area_perimeter_m(r).0.abs()).sum();
        exterior - holes
    }
}

impl GeodesicAreaM2 for MultiPolygon<f64> {
    fn geodesic_area_m2(&self) -> f64 {
        self.0.iter().map(GeodesicAreaM2::geodesic_area_m2).sum()
    }
}

/// Summed geodesic perimeter (m) of every ring, exterior and holes.
pub fn multipolygon_perimeter_m(mp: &MultiPolygon<f64>) -> f64 {
    mp.0.iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .map(|r| ring_area_perimeter_m(r).1)
        .sum()
}

/// Geodesic distance in metres between two lon/lat points.
pub fn distance_m(a: Coord<f64>, b: Coord<f64>) -> f64 {
    let s12: f64 = wgs84().inverse(a.y, a.x, b.y, b.x);
    s12
}

/// Geodesic length in metres of a line (sum of its segments' geodesic lengths).
pub fn line_length_m(line: &LineString<f64>) -> f64 {
    line.0.windows(2).map(|w| distance_m(w[0], w[1])).sum()
}

/// Geodesic length in metres of every line of a multi-line.
pub fn multiline_length_m(lines: &MultiLineString<f64>) -> f64 {
    lines.0.iter().map(line_length_m).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{coord, polygon};

    #[test]
    fn one_degree_square_at_equator_matches_geographiclib() {
        // GeographicLib's own test value (PolygonArea, counter-clockwise).
        let ring = LineString::from(vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]);
        let (area, perimeter) = ring_area_perimeter_m(&ring);
        assert!((area - 12_308_778_361.469).abs() < 1e-3, "{area}");
        assert!((perimeter - 443_770.917).abs() < 1e-3, "{perimeter}");
    }

    #[test]
    fn orientation_does_not_change_polygon_area() {
        let ccw = polygon![(x: 30.0, y: 48.0), (x: 31.0, y: 48.0), (x: 31.0, y: 49.0), (x: 30.0, y: 49.0)];
        let mut cw = ccw.clone();
        cw.exterior_mut(|r| r.0.reverse());
        assert!(ccw.geodesic_area_m2() > 0.0);
        assert_eq!(ccw.geodesic_area_m2(), cw.geodesic_area_m2());
    }

    #[test]
    fn holes_are_subtracted() {
        // A 1°x1° square at 48°N minus a hole of the same shape scaled: the
        // area equals the difference of the two rings measured alone.
        let outer = LineString::from(vec![(30.0, 48.0), (31.0, 48.0), (31.0, 49.0), (30.0, 49.0)]);
        let hole = LineString::from(vec![(30.2, 48.2), (30.2, 48.8), (30.8, 48.8), (30.8, 48.2)]);
        let p = Polygon::new(outer.clone(), vec![hole.clone()]);
        let expected = ring_area_perimeter_m(&outer).0.abs() - ring_area_perimeter_m(&hole).0.abs();
        assert_eq!(p.geodesic_area_m2(), expected);
        // 1° of latitude x 1° of longitude at 48.5°N is about 111.2 km x 73.9 km.
        let square_km2 = ring_area_perimeter_m(&outer).0.abs() / M2_PER_KM2;
        assert!((square_km2 - 111.2 * 73.9).abs() / square_km2 < 0.005, "{square_km2}");
    }

    #[test]
    fn distance_one_degree_of_latitude() {
        // Meridian arc 48°..49°N on WGS84: 111,200.037 m (GeographicLib via
        // pyproj: Geod(ellps='WGS84').inv(30, 48, 30, 49)).
        let d = distance_m(coord! {x: 30.0, y: 48.0}, coord! {x: 30.0, y: 49.0});
        assert!((d - 111_200.037).abs() < 0.01, "{d}");
    }

    #[test]
    fn cache_gives_identical_results() {
        let outer = LineString::from(vec![(30.0, 48.0), (31.0, 48.0), (31.0, 49.0), (30.0, 49.0)]);
        let hole = LineString::from(vec![(30.2, 48.2), (30.2, 48.8), (30.8, 48.8), (30.8, 48.2)]);
        let mp = MultiPolygon::new(vec![Polygon::new(outer, vec![hole])]);
        let mut cache = EdgeAreaCache::default();
        assert_eq!(cache.multipolygon_area_m2(&mp), mp.geodesic_area_m2());
        cache.next_generation();
        assert_eq!(cache.multipolygon_area_m2(&mp), mp.geodesic_area_m2());
        assert_eq!((cache.hits, cache.misses), (8, 8));
    }

    #[test]
    fn square_mile_conversion() {
        assert!((km2_to_sqmi(KM2_PER_SQMI) - 1.0).abs() < 1e-15);
    }
}
