//! Boundary sets: the reference territory a snapshot is clipped to, and the
//! regions (oblasts, raions) figures are broken down by.

use crate::error::{Error, Result};
use crate::geodesy::GeodesicAreaM2;
use crate::ingest::{clean, reader};
use geo::{BoundingRect, Contains, Coord, InteriorPoint, Intersects, MultiPolygon, Polygon, Rect};
use std::path::{Path, PathBuf};

/// The built-in reference territories (measures.md, "Reference territory").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// Ukraine with its territorial sea: the union of geoBoundaries ADM1
    /// (`boundaries/adm1_geoboundaries_with_sea.geojson.gz`). The default,
    /// because DeepState's published figures use it.
    WithSea,
    /// Ukraine's land outline (`boundaries/ukraine_land_osm.geojson`).
    Land,
    /// Any polygon file the user gives.
    File(PathBuf),
}

impl Reference {
    /// Parses `sea` / `with-sea`, `land`, or a path.
    pub fn parse(s: &str) -> Reference {
        match s {
            "sea" | "with-sea" | "ukraine-with-sea" | "default" => Reference::WithSea,
            "land" | "ukraine-land" => Reference::Land,
            other => Reference::File(PathBuf::from(other)),
        }
    }

    /// The name every report prints.
    pub fn name(&self) -> String {
        match self {
            Reference::WithSea => "ukraine-with-sea".into(),
            Reference::Land => "ukraine-land".into(),
            Reference::File(p) => p.display().to_string(),
        }
    }

    /// The file behind the reference, given the shared data folder.
    pub fn path(&self, data_dir: &Path) -> PathBuf {
        match self {
            Reference::WithSea => data_dir.join("boundaries/adm1_geoboundaries_with_sea.geojson.gz"),
            Reference::Land => data_dir.join("boundaries/ukraine_land_osm.geojson"),
            Reference::File(p) => p.clone(),
        }
    }
}

/// A polygon area with a name, measured once.
#[derive(Debug, Clone)]
pub struct Territory {
    /// The name reports print (e.g. `ukraine-with-sea`, `Donetsk Oblast`).
    pub name: String,
    /// Valid geometry, WGS84 lon/lat.
    pub geometry: MultiPolygon<f64>,
    /// Its geodesic area.
    pub area_m2: f64,
    bbox: Option<Rect<f64>>,
}

impl Territory {
    /// Wraps a valid geometry, measuring it.
    pub fn new(name: impl Into<String>, geometry: MultiPolygon<f64>) -> Self {
        let area_m2 = geometry.geodesic_area_m2();
        let bbox = geometry.bounding_rect();
        Territory { name: name.into(), geometry, area_m2, bbox }
    }

    /// Area in km².
    pub fn area_km2(&self) -> f64 {
        self.area_m2 / 1e6
    }

    /// Whether a polygon lies wholly outside (judged by its bounding box and
    /// an interior point: enough to tell Karelia or Transnistria from
    /// Ukraine, not a precise overlay).
    pub fn lies_outside(&self, p: &Polygon<f64>) -> bool {
        let (Some(bbox), Some(pb)) = (self.bbox, p.bounding_rect()) else {
            return true;
        };
        if !bbox.intersects(&pb) {
            return true;
        }
        match p.interior_point() {
            Some(ip) => !self.geometry.contains(&ip),
            None => true,
        }
    }

    /// The part of `mp` inside this territory.
    pub fn clip(&self, mp: &MultiPolygon<f64>) -> MultiPolygon<f64> {
        if mp.0.is_empty() {
            return MultiPolygon::new(vec![]);
        }
        match (self.bbox, mp.bounding_rect()) {
            (Some(a), Some(b)) if a.intersects(&b) => {
                // The overlay's cost grows with every edge it sees; the
                // reference's edges outside `mp`'s box cannot change the
                // result, so crop them away first (linear time).
                let margin = 1e-6;
                let window = Rect::new(
                    Coord { x: b.min().x - margin, y: b.min().y - margin },
                    Coord { x: b.max().x + margin, y: b.max().y + margin },
                );
                let cropped = crate::overlay::crop_to_rect(&self.geometry, window);
                if cropped.0.is_empty() {
                    return MultiPolygon::new(vec![]);
                }
                crate::overlay::intersection(mp, &cropped)
            }
            _ => MultiPolygon::new(vec![]),
        }
    }
}

/// Reads every polygon of a boundary file into one valid geometry.
pub fn load_territory(name: &str, path: &Path) -> Result<Territory> {
    let bytes = reader::read_bytes(path)?;
    let features = reader::parse_features(path, &bytes)?;
    let mut counts = clean::RepairCounts::default();
    let polygons: Vec<Polygon<f64>> =
        features.into_iter().flat_map(|f| f.polygons).filter_map(|p| clean::clean_polygon(p, &mut counts)).collect();
    if polygons.is_empty() {
        return Err(Error::file(
            path,
            "no polygon in this boundary file; give a file with the territory's (Multi)Polygon",
        ));
    }
    Ok(Territory::new(name, clean::union_polygons(polygons, &mut counts)))
}

/// Loads a built-in or user reference territory.
pub fn load_reference(reference: &Reference, data_dir: &Path) -> Result<Territory> {
    load_territory(&reference.name(), &reference.path(data_dir))
}

/// A named region of a boundary set.
#[derive(Debug, Clone)]
pub struct Region {
    /// English name where the file has one (`name:en`, `shapeName`), else `name`.
    pub name: String,
    /// ISO 3166-2 code where the file has one.
    pub iso: Option<String>,
    /// Its geometry and area.
    pub territory: Territory,
}

/// Boundary levels frontline ships files for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionLevel {
    /// ADM1: oblasts, Crimea, Kyiv city.
    Oblast,
    /// ADM2: raions (2020).
    Raion,
}

impl RegionLevel {
    /// The shared boundary file for this level.
    pub fn path(self, data_dir: &Path) -> PathBuf {
        match self {
            RegionLevel::Oblast => data_dir.join("boundaries/oblasts_osm.geojson.gz"),
            RegionLevel::Raion => data_dir.join("boundaries/raions_osm.geojson.gz"),
        }
    }
}

/// Reads a boundary set: one region per feature.
pub fn load_regions(path: &Path) -> Result<Vec<Region>> {
    let bytes = reader::read_bytes(path)?;
    let features = reader::parse_features(path, &bytes)?;
    let mut out = Vec::with_capacity(features.len());
    for f in features {
        let name = ["name:en", "shapeName", "name", "NAME_1", "NAME"]
            .iter()
            .find_map(|k| f.prop_str(k))
            .map(str::to_string)
            .unwrap_or_else(|| format!("region #{}", f.index));
        let iso = ["iso3166-2", "shapeISO", "ISO"].iter().find_map(|k| f.prop_str(k)).map(str::to_string);
        let mut counts = clean::RepairCounts::default();
        let polygons: Vec<Polygon<f64>> =
            f.polygons.into_iter().filter_map(|p| clean::clean_polygon(p, &mut counts)).collect();
        if polygons.is_empty() {
            continue;
        }
        let geometry = clean::union_polygons(polygons, &mut counts);
        out.push(Region { territory: Territory::new(name.clone(), geometry), name, iso });
    }
    if out.is_empty() {
        return Err(Error::file(path, "no region polygons in this boundary file"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geodesy::GeodesicAreaM2;
    use geo::{polygon, BooleanOps};

    #[test]
    fn clip_equals_plain_intersection() {
        // An L-shaped territory and a square straddling its inner corner: the
        // cropped overlay must agree with the overlay on the whole territory.
        let l_shape = polygon![(x: 30.0, y: 48.0), (x: 34.0, y: 48.0), (x: 34.0, y: 49.0), (x: 31.0, y: 49.0), (x: 31.0, y: 52.0), (x: 30.0, y: 52.0)];
        let t = Territory::new("L", MultiPolygon::new(vec![l_shape.clone()]));
        let square = MultiPolygon::new(vec![
            polygon![(x: 30.5, y: 48.5), (x: 31.5, y: 48.5), (x: 31.5, y: 49.5), (x: 30.5, y: 49.5)],
        ]);
        let expected = square.intersection(&MultiPolygon::new(vec![l_shape])).geodesic_area_m2();
        let got = t.clip(&square).geodesic_area_m2();
        assert!((got - expected).abs() < 1e-6 * expected, "{got} vs {expected}");
        // Three quarters of the square lie inside the L.
        assert!((got / square.geodesic_area_m2() - 0.75).abs() < 0.01);
        let far = MultiPolygon::new(vec![polygon![(x: 40.0, y: 40.0), (x: 41.0, y: 40.0), (x: 41.0, y: 41.0)]]);
        assert!(t.clip(&far).0.is_empty());
    }
}
