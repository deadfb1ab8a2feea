//! Sectors of the front: named directions. By default every point belongs
//! to the nearest of a list of direction towns (the sectors are the towns'
//! Voronoi cells); a user can give other towns, or polygons.

use crate::error::{Error, Result};
use crate::regions::load_regions;
use geo::indexed::IntervalTreeMultiPolygon;
use geo::{Contains, Coord, MultiPolygon};
use serde::Serialize;
use std::path::Path;

/// A town that names a direction of the front.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DirectionTown {
    /// The direction's name.
    pub name: String,
    /// Longitude, degrees.
    pub lon: f64,
    /// Latitude, degrees.
    pub lat: f64,
}

/// The built-in direction towns, north to south, as (name, lon, lat).
///
/// Coordinates from GeoNames (`shared/data/settlements/geonames_cities500_UA.tsv.gz`,
/// CC BY 4.0; the geonameid follows each entry). Novopavlivka (Dnipropetrovsk
/// oblast), the name DeepState uses for one direction, is not in that
/// gazetteer: Kurakhove stands for that direction.
pub const DIRECTION_TOWNS: &[(&str, f64, f64)] = &[
    ("Sumy", 34.80029, 50.9216),              // 692194
    ("Kharkiv", 36.25272, 49.98081),          // 706483
    ("Vovchansk", 36.94108, 50.29078),        // 689304
    ("Kupiansk", 37.61581, 49.71003),         // 703656
    ("Borova", 37.64103, 49.37666),           // 711623
    ("Lyman", 37.80307, 48.98616),            // 704204
    ("Siversk", 38.09779, 48.86588),          // 694403
    ("Kramatorsk", 37.58793, 48.73049),       // 704508
    ("Kostiantynivka", 37.7069, 48.5277),     // 705104
    ("Toretsk", 37.8478, 48.39477),           // 709354
    ("Pokrovsk", 37.17585, 48.28198),         // 704422
    ("Kurakhove", 37.27909, 47.98437),        // 695357
    ("Velyka Novosilka", 36.83534, 47.84531), // 690237
    ("Huliaipole", 36.25576, 47.66685),       // 707898 (GeoNames: Hulyaypole)
    ("Orikhiv", 35.78333, 47.57613),          // 698428
    ("Kherson", 32.61458, 46.63695),          // 706448
];

/// The name of the bucket for what lies in no sector polygon.
pub const UNASSIGNED: &str = "(no sector)";

/// How the front is cut into sectors.
pub enum Sectors {
    /// Nearest town (Voronoi cells on the sphere).
    Towns {
        /// The towns, in report order.
        towns: Vec<DirectionTown>,
        /// Unit vectors of the towns, for nearest-by-angle lookups.
        unit: Vec<[f64; 3]>,
    },
    /// Named polygons; a point in none goes to [`UNASSIGNED`].
    Polygons {
        /// Sector names, in report order.
        names: Vec<String>,
        /// Their point-in-polygon indexes.
        index: Vec<IntervalTreeMultiPolygon<f64>>,
    },
}

impl std::fmt::Debug for Sectors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

fn unit_vector(lon: f64, lat: f64) -> [f64; 3] {
    let (lon, lat) = (lon.to_radians(), lat.to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

impl Sectors {
    /// The built-in direction towns.
    pub fn default_towns() -> Sectors {
        let towns: Vec<DirectionTown> = DIRECTION_TOWNS
            .iter()
            .map(|&(name, lon, lat)| DirectionTown { name: name.to_string(), lon, lat })
            .collect();
        let unit = towns.iter().map(|t| unit_vector(t.lon, t.lat)).collect();
        Sectors::Towns { towns, unit }
    }

    /// Sectors from the user's towns (name, lon, lat).
    pub fn from_towns(towns: Vec<DirectionTown>) -> Result<Sectors> {
        if towns.is_empty() {
            return Err(Error::Request("no direction towns given: give at least one (name, lon, lat)".into()));
        }
        for t in &towns {
            if !(t.lon.is_finite() && t.lat.is_finite() && t.lat.abs() <= 90.0 && t.lon.abs() <= 180.0) {
                return Err(Error::Request(format!(
                    "direction town {:?} has invalid coordinates ({}, {}): give lon, lat in degrees",
                    t.name, t.lon, t.lat
                )));
            }
        }
        let unit = towns.iter().map(|t| unit_vector(t.lon, t.lat)).collect();
        Ok(Sectors::Towns { towns, unit })
    }

    /// Sectors from named polygons.
    pub fn from_polygons(sectors: Vec<(String, MultiPolygon<f64>)>) -> Result<Sectors> {
        if sectors.is_empty() {
            return Err(Error::Request("no sector polygons given".into()));
        }
        let (names, index) = sectors.into_iter().map(|(n, g)| (n, IntervalTreeMultiPolygon::new(&g))).unzip();
        Ok(Sectors::Polygons { names, index })
    }

    /// Reads a polygon file of sectors (one feature per sector, named by its
    /// `name` property).
    pub fn load_polygons(path: &Path) -> Result<Sectors> {
        let regions = load_regions(path)?;
        Sectors::from_polygons(regions.into_iter().map(|r| (r.name, r.territory.geometry)).collect())
    }

    /// Sector names in report order (with [`UNASSIGNED`] last for polygons).
    pub fn names(&self) -> Vec<String> {
        match self {
            Sectors::Towns { towns, .. } => towns.iter().map(|t| t.name.clone()).collect(),
            Sectors::Polygons { names, .. } => {
                let mut n = names.clone();
                n.push(UNASSIGNED.to_string());
                n
            }
        }
    }

    /// How many buckets [`Sectors::sector_of`] can return.
    pub fn len(&self) -> usize {
        match self {
            Sectors::Towns { towns, .. } => towns.len(),
            Sectors::Polygons { names, .. } => names.len() + 1,
        }
    }

    /// Whether there are no sectors (never, once built).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The sector (index into [`Sectors::names`]) a point belongs to.
    pub fn sector_of(&self, c: Coord<f64>) -> usize {
        match self {
            Sectors::Towns { unit, .. } => {
                // Nearest by great-circle angle = largest dot product of unit
                // vectors; on the sphere, a few metres from the ellipsoidal
                // cell boundaries, far below any sector's resolution.
                let p = unit_vector(c.x, c.y);
                let mut best = (0, f64::NEG_INFINITY);
                for (i, u) in unit.iter().enumerate() {
                    let d = p[0] * u[0] + p[1] * u[1] + p[2] * u[2];
                    if d > best.1 {
                        best = (i, d);
                    }
                }
                best.0
            }
            Sectors::Polygons { names, index } => index.iter().position(|ix| ix.contains(&c)).unwrap_or(names.len()),
        }
    }

    /// Splits the segment `a`-`b` at sector changes: returns the pieces as
    /// (sector, start fraction, end fraction). Finds one change point per
    /// differing pair of ends by bisection (segments are short, about a km).
    pub fn split_segment(&self, a: Coord<f64>, b: Coord<f64>, out: &mut Vec<(usize, f64, f64)>) {
        out.clear();
        let sa = self.sector_of(a);
        let sb = self.sector_of(b);
        if sa == sb {
            out.push((sa, 0.0, 1.0));
            return;
        }
        let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
        for _ in 0..40 {
            let mid = 0.5 * (lo + hi);
            if self.sector_of(a + (b - a) * mid) == sa {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        out.push((sa, 0.0, lo));
        out.push((sb, lo, 1.0));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use geo::{coord, polygon};

    #[test]
    fn nearest_town_on_the_sphere() {
        let s = Sectors::default_towns();
        assert_eq!(s.len(), DIRECTION_TOWNS.len());
        let names = s.names();
        // A point in Pokrovsk itself, and one 1 km north of Kupiansk.
        let at = |lon, lat| names[s.sector_of(coord! {x: lon, y: lat})].clone();
        assert_eq!(at(37.17585, 48.28198), "Pokrovsk");
        assert_eq!(at(37.61581, 49.719), "Kupiansk");
        // Two towns on one parallel: the bisector is the middle meridian
        // (symmetry), whatever the latitude.
        let two = Sectors::from_towns(vec![
            DirectionTown { name: "w".into(), lon: 30.0, lat: 60.0 },
            DirectionTown { name: "e".into(), lon: 32.0, lat: 60.0 },
        ])
        .unwrap();
        let mut pieces = vec![];
        two.split_segment(coord! {x: 30.5, y: 61.0}, coord! {x: 31.5, y: 61.0}, &mut pieces);
        assert_eq!(pieces.len(), 2);
        assert!((pieces[0].2 - 0.5).abs() < 1e-9, "{pieces:?}");
    }

    #[test]
    fn bad_towns_are_refused() {
        assert!(Sectors::from_towns(vec![]).is_err());
        let bad = DirectionTown { name: "x".into(), lon: 30.0, lat: 95.0 };
        assert!(Sectors::from_towns(vec![bad]).is_err());
    }

    #[test]
    fn polygon_sectors_from_a_file() {
        let dir = std::env::temp_dir().join(format!("front-sectors-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("sectors.geojson");
        std::fs::write(
            &path,
            r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"name":"north"},"geometry":{"type":"Polygon","coordinates":[[[30,49],[31,49],[31,50],[30,50],[30,49]]]}},
 {"type":"Feature","properties":{"name":"south"},"geometry":{"type":"Polygon","coordinates":[[[30,48],[31,48],[31,49],[30,49],[30,48]]]}}]}"#,
        )
        .unwrap();
        let s = Sectors::load_polygons(&path).unwrap();
        assert_eq!(s.names(), vec!["north", "south", UNASSIGNED]);
        assert_eq!(s.sector_of(coord! {x: 30.5, y: 49.5}), 0);
        assert_eq!(s.sector_of(coord! {x: 30.5, y: 48.5}), 1);
        assert_eq!(s.sector_of(coord! {x: 35.0, y: 48.5}), 2);
        let direct = Sectors::from_polygons(vec![(
            "only".into(),
            MultiPolygon::new(vec![polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0)]]),
        )])
        .unwrap();
        assert_eq!(direct.len(), 2);
        std::fs::remove_dir_all(&dir).ok();
    }
}
