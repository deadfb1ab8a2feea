//! Boundary sets: the reference territory a snapshot is clipped to, and the
//! regions (oblasts, raions) figures are broken down by.

use crate::error::{Error, Result};
use crate::geodesy::GeodesicAreaM2;
use crate::geojson;
use crate::repair;
use geo::indexed::IntervalTreeMultiPolygon;
use geo::{BoundingRect, Contains, Coord, InteriorPoint, Intersects, MultiPolygon, Polygon, Rect};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

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
    /// Built on the first point test and shared by clones: ingest asks
    /// "inside Ukraine?" for every polygon of every file, and a plain
    /// `contains` walks all of the reference's edges each time.
    point_index: Arc<PointIndex>,
    /// Boxes of the territory's boundary edges, built on first use and
    /// shared by clones: an area sweep asks "does anything of the border
    /// lie near this change?" for every change of every snapshot.
    edge_index: Arc<EdgeIndex>,
}

#[derive(Default)]
struct EdgeIndex(OnceLock<rstar::RTree<rstar::primitives::Rectangle<[f64; 2]>>>);

impl std::fmt::Debug for EdgeIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() { "EdgeIndex(built)" } else { "EdgeIndex(not built)" })
    }
}

#[derive(Default)]
struct PointIndex(OnceLock<IntervalTreeMultiPolygon<f64>>);

impl std::fmt::Debug for PointIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() { "PointIndex(built)" } else { "PointIndex(not built)" })
    }
}

impl Territory {
    /// Wraps a valid geometry, measuring it.
    pub fn new(name: impl Into<String>, geometry: MultiPolygon<f64>) -> Self {
        let area_m2 = geometry.geodesic_area_m2();
        Territory::with_area(name, geometry, area_m2)
    }

    /// Wraps a valid geometry whose geodesic area is already known (as
    /// [`Territory::new`] measured it earlier and a cache kept it).
    pub fn with_area(name: impl Into<String>, geometry: MultiPolygon<f64>, area_m2: f64) -> Self {
        let bbox = geometry.bounding_rect();
        Territory {
            name: name.into(),
            geometry,
            area_m2,
            bbox,
            point_index: Arc::default(),
            edge_index: Arc::default(),
        }
    }

    /// Area in km².
    pub fn area_km2(&self) -> f64 {
        self.area_m2 / 1e6
    }

    /// Whether a polygon lies wholly outside (judged by its bounding box and
    /// an interior point, [`scanline_interior_point`]: enough to tell
    /// Karelia or Transnistria from Ukraine, not a precise overlay).
    pub fn lies_outside(&self, p: &Polygon<f64>) -> bool {
        let (Some(bbox), Some(pb)) = (self.bbox, p.bounding_rect()) else {
            return true;
        };
        if !bbox.intersects(&pb) {
            return true;
        }
        match scanline_interior_point(p).or_else(|| p.interior_point().map(|ip| ip.0)) {
            Some(c) => !self.contains_point(c),
            None => true,
        }
    }

    /// Whether a lon/lat point lies inside (not on the boundary), by an
    /// interval tree over the territory's edges built once. The tree counts
    /// winding numbers, so rings are oriented first (holes against their
    /// exterior) whatever the territory was built from.
    pub fn contains_point(&self, c: Coord<f64>) -> bool {
        use geo::orient::{Direction, Orient};
        self.point_index
            .0
            .get_or_init(|| IntervalTreeMultiPolygon::new(&self.geometry.orient(Direction::Default)))
            .contains(&c)
    }

    /// Whether any edge of the territory's boundary has its bounding box
    /// meeting `window` (a conservative "the boundary may pass here").
    pub fn boundary_meets(&self, window: Rect<f64>) -> bool {
        use rstar::primitives::Rectangle;
        let tree = self.edge_index.0.get_or_init(|| {
            let boxes = self
                .geometry
                .0
                .iter()
                .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                .flat_map(|ring| ring.lines())
                .map(|l| Rectangle::from_corners([l.start.x, l.start.y], [l.end.x, l.end.y]))
                .collect();
            rstar::RTree::bulk_load(boxes)
        });
        let envelope = rstar::AABB::from_corners([window.min().x, window.min().y], [window.max().x, window.max().y]);
        tree.locate_in_envelope_intersecting(&envelope).next().is_some()
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
    let bytes = geojson::read_bytes(path)?;
    let features = geojson::parse_features(path, &bytes)?;
    let mut counts = repair::RepairCounts::default();
    let polygons: Vec<Polygon<f64>> =
        features.into_iter().flat_map(|f| f.polygons).filter_map(|p| repair::clean_polygon(p, &mut counts)).collect();
    if polygons.is_empty() {
        return Err(Error::file(
            path,
            "no polygon in this boundary file; give a file with the territory's (Multi)Polygon",
        ));
    }
    Ok(Territory::new(name, repair::union_polygons(polygons, &mut counts)))
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
    /// The denominator of the region's shares, km²: its official area under
    /// [`ShareConvention::Official`], else its outline's geodesic area.
    pub share_denominator_km2: f64,
}

/// How a region's share is computed (measures.md, "Share", and
/// ARCHITECTURE.md, "Deviations"). Every report prints [`ShareConvention::describe`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ShareConvention {
    /// The convention behind DeepState's published regional shares, found
    /// by measurement: the class within the region's outline *including its
    /// territorial sea* (geoBoundaries ADM1, the outlines whose union is the
    /// default reference territory) over the region's *official* area
    /// (State Statistics Service, `boundaries/official_areas.csv`), capped at
    /// 100 %: the map's layers cover coastal water the official (land) area
    /// does not count, so a coastal region held whole (Crimea) would
    /// otherwise exceed 100 %. Oblasts only (official areas are known for
    /// ADM1 units only).
    #[default]
    Official,
    /// The class within the region's own outline over that outline's
    /// geodesic area (measures.md's definition): the only choice for raions,
    /// hromadas and user files.
    Outline,
}

impl ShareConvention {
    /// The names the CLI and the API accept.
    pub const NAMES: [&'static str; 2] = ["official", "outline"];

    /// Parses `official` or `outline`.
    pub fn parse(s: &str) -> Option<ShareConvention> {
        match s.trim().to_ascii_lowercase().as_str() {
            "official" | "official-area" | "published" => Some(ShareConvention::Official),
            "outline" | "measured" | "outline-area" => Some(ShareConvention::Outline),
            _ => None,
        }
    }

    /// The name reports print.
    pub fn as_str(self) -> &'static str {
        match self {
            ShareConvention::Official => "official",
            ShareConvention::Outline => "outline",
        }
    }

    /// One sentence a reader understands, for every report's title.
    pub fn describe(self, outlines: &str) -> String {
        match self {
            ShareConvention::Official => format!(
                "share = area within the region incl. its territorial sea ({outlines}) ÷ the region's official area \
                 (State Statistics Service), at most 100 % (DeepState's convention)"
            ),
            ShareConvention::Outline => {
                format!("share = area within the region's outline ({outlines}) ÷ the outline's own measured area")
            }
        }
    }
}

/// The official areas of Ukraine's ADM1 units, km², by ISO 3166-2 code,
/// read from a `iso3166_2,name,area_km2` CSV (`boundaries/official_areas.csv`).
pub fn load_official_areas(path: &Path) -> Result<std::collections::BTreeMap<String, f64>> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
    let mut out = std::collections::BTreeMap::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split(',').collect();
        let (Some(iso), Some(area)) = (cols.first(), cols.last()) else {
            continue;
        };
        let area_km2: f64 = area.trim().parse().ok().filter(|a: &f64| a.is_finite() && *a > 0.0).ok_or_else(|| {
            Error::file(path, format!("line {}: area {:?} is not a positive number of km²", i + 1, area.trim()))
        })?;
        out.insert(iso.trim().to_string(), area_km2);
    }
    Ok(out)
}

/// The regions a breakdown uses, with the convention their shares follow.
#[derive(Debug, Clone)]
pub struct RegionSet {
    /// The regions, in file order.
    pub regions: Vec<Region>,
    /// How their shares are computed.
    pub convention: ShareConvention,
    /// Where the outlines come from, in words ("geoBoundaries ADM1 with territorial sea").
    pub outlines: String,
}

impl RegionSet {
    /// One sentence for every report's title.
    pub fn describe(&self) -> String {
        self.convention.describe(&self.outlines)
    }
}

/// Loads the regions of a level (or a user file) under a share convention.
///
/// `Official` needs oblasts: it reads the geoBoundaries ADM1 outlines with
/// territorial sea and the official areas, and fails for raions, hromadas
/// and files (their official areas are unknown); `Outline` reads the OSM
/// land outlines (or the file) and divides by their measured area.
pub fn load_region_set(choice: &RegionChoice, convention: ShareConvention, data_dir: &Path) -> Result<RegionSet> {
    match (convention, choice) {
        (ShareConvention::Official, RegionChoice::Level(RegionLevel::Oblast)) => {
            let path = data_dir.join("boundaries/adm1_geoboundaries_with_sea.geojson.gz");
            let areas_path = data_dir.join("boundaries/official_areas.csv");
            let official = load_official_areas(&areas_path)?;
            let mut regions = load_regions(&path)?;
            for r in &mut regions {
                let area = r.iso.as_ref().and_then(|iso| official.get(iso)).ok_or_else(|| {
                    Error::file(
                        &areas_path,
                        format!(
                            "no official area for {} ({}); add it, or use the outline convention",
                            r.name,
                            r.iso.as_deref().unwrap_or("no ISO code")
                        ),
                    )
                })?;
                r.share_denominator_km2 = *area;
            }
            Ok(RegionSet { regions, convention, outlines: "geoBoundaries ADM1 with territorial sea".into() })
        }
        (ShareConvention::Official, other) => Err(Error::Request(format!(
            "official areas are known for oblasts only, not for {}; use the outline convention \
             (share of the outline's own measured area)",
            other.describe()
        ))),
        (ShareConvention::Outline, choice) => {
            let path = choice.path(data_dir);
            Ok(RegionSet { regions: load_regions(&path)?, convention, outlines: choice.describe() })
        }
    }
}

/// What a breakdown is by: a built-in level or a user's file of regions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionChoice {
    /// A level frontline ships outlines for.
    Level(RegionLevel),
    /// A GeoJSON file of regions (one per feature).
    File(PathBuf),
}

impl RegionChoice {
    /// Parses `oblast`, `raion`, `hromada` (singular or plural) or a path.
    pub fn parse(s: &str) -> RegionChoice {
        match s.trim().to_ascii_lowercase().as_str() {
            "oblast" | "oblasts" => RegionChoice::Level(RegionLevel::Oblast),
            "raion" | "raions" => RegionChoice::Level(RegionLevel::Raion),
            "hromada" | "hromadas" => RegionChoice::Level(RegionLevel::Hromada),
            _ => RegionChoice::File(PathBuf::from(s)),
        }
    }

    /// The outline file.
    pub fn path(&self, data_dir: &Path) -> PathBuf {
        match self {
            RegionChoice::Level(l) => l.path(data_dir),
            RegionChoice::File(p) => p.clone(),
        }
    }

    /// The outlines in words.
    pub fn describe(&self) -> String {
        match self {
            RegionChoice::Level(RegionLevel::Oblast) => "OpenStreetMap oblast outlines, land only".into(),
            RegionChoice::Level(RegionLevel::Raion) => "OpenStreetMap raion outlines".into(),
            RegionChoice::Level(RegionLevel::Hromada) => "OpenStreetMap hromada outlines".into(),
            RegionChoice::File(p) => p.display().to_string(),
        }
    }

    /// The convention used when the user names none: `Official` for
    /// oblasts (it reproduces DeepState's published shares), `Outline`
    /// elsewhere.
    pub fn default_convention(&self) -> ShareConvention {
        match self {
            RegionChoice::Level(RegionLevel::Oblast) => ShareConvention::Official,
            _ => ShareConvention::Outline,
        }
    }
}

/// Boundary levels frontline ships files for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionLevel {
    /// ADM1: oblasts, Crimea, Kyiv city.
    Oblast,
    /// ADM2: raions (2020).
    Raion,
    /// ADM3: hromadas (municipalities).
    Hromada,
}

impl RegionLevel {
    /// The shared boundary file for this level.
    pub fn path(self, data_dir: &Path) -> PathBuf {
        match self {
            RegionLevel::Oblast => data_dir.join("boundaries/oblasts_osm.geojson.gz"),
            RegionLevel::Raion => data_dir.join("boundaries/raions_osm.geojson.gz"),
            RegionLevel::Hromada => data_dir.join("boundaries/hromadas_osm.geojson.gz"),
        }
    }
}

/// Reads a boundary set: one region per feature.
pub fn load_regions(path: &Path) -> Result<Vec<Region>> {
    load_regions_where(path, |_| true)
}

/// Reads a boundary set, one region per feature that `keep` accepts.
pub fn load_regions_where(path: &Path, keep: impl Fn(&geojson::RawFeature) -> bool) -> Result<Vec<Region>> {
    let bytes = geojson::read_bytes(path)?;
    let features = geojson::parse_features(path, &bytes)?;
    let mut out = Vec::with_capacity(features.len());
    for f in features.into_iter().filter(|f| keep(f)) {
        let name = ["name:en", "shapeName", "name", "NAME_1", "NAME"]
            .iter()
            .find_map(|k| f.prop_str(k))
            .map(str::to_string)
            .unwrap_or_else(|| format!("region #{}", f.index));
        let iso = ["iso3166-2", "shapeISO", "ISO"].iter().find_map(|k| f.prop_str(k)).map(str::to_string);
        let mut counts = repair::RepairCounts::default();
        let polygons: Vec<Polygon<f64>> =
            f.polygons.into_iter().filter_map(|p| repair::clean_polygon(p, &mut counts)).collect();
        if polygons.is_empty() {
            continue;
        }
        let geometry = repair::union_polygons(polygons, &mut counts);
        let territory = Territory::new(name.clone(), geometry);
        out.push(Region { share_denominator_km2: territory.area_km2(), territory, name, iso });
    }
    if out.is_empty() {
        return Err(Error::file(path, "no region polygons in this boundary file"));
    }
    Ok(out)
}

/// A point inside a polygon (inside its exterior, outside its holes, by the
/// even-odd rule) as geo's `InteriorPoint` finds one, without its exact
/// verification: the midpoint of the widest stretch of a horizontal line
/// through the polygon's middle. The line runs between two vertex
/// latitudes, so it never passes through a vertex. geo's version checks
/// its candidate with a full `Relate` and cost 77 % of ingesting the daily
/// maps; this is linear in the edges. `None` for a polygon with no area.
pub fn scanline_interior_point(p: &Polygon<f64>) -> Option<Coord<f64>> {
    let rings = || std::iter::once(p.exterior()).chain(p.interiors());
    let mut ys: Vec<f64> = p.exterior().0.iter().map(|c| c.y).filter(|y| y.is_finite()).collect();
    ys.sort_by(f64::total_cmp);
    ys.dedup();
    if ys.len() < 2 {
        return None;
    }
    let (lo, hi) = (ys[0], ys[ys.len() - 1]);
    let middle = (lo + hi) / 2.0;
    // The two neighbouring vertex latitudes around the middle.
    let k = ys.partition_point(|&y| y <= middle).clamp(1, ys.len() - 1);
    let y = (ys[k - 1] + ys[k]) / 2.0;
    let mut xs: Vec<f64> = vec![];
    for ring in rings() {
        for l in ring.lines() {
            let (a, b) = (l.start, l.end);
            if (a.y < y) != (b.y < y) {
                xs.push(a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y));
            }
        }
    }
    xs.sort_by(f64::total_cmp);
    xs.chunks_exact(2)
        .filter(|w| w[1] > w[0])
        .max_by(|u, v| (u[1] - u[0]).total_cmp(&(v[1] - v[0])))
        .map(|w| Coord { x: (w[0] + w[1]) / 2.0, y })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geodesy::GeodesicAreaM2;
    use geo::{polygon, BooleanOps};

    #[test]
    fn the_scanline_point_lies_inside_the_polygon_and_outside_its_holes() {
        let square_with_hole = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0)],
            interiors: [[(x: 2.0, y: 2.0), (x: 8.0, y: 2.0), (x: 8.0, y: 8.0), (x: 2.0, y: 8.0)]],
        );
        // A C opening east: the bbox's centre lies in the opening.
        let c_shape = polygon![(x: 0.0, y: 0.0), (x: 6.0, y: 0.0), (x: 6.0, y: 1.0), (x: 1.0, y: 1.0), (x: 1.0, y: 5.0),
            (x: 6.0, y: 5.0), (x: 6.0, y: 6.0), (x: 0.0, y: 6.0)];
        // Clockwise, with a vertex exactly at the middle latitude.
        let diamond = polygon![(x: 0.0, y: 5.0), (x: 5.0, y: 10.0), (x: 10.0, y: 5.0), (x: 5.0, y: 0.0)];
        for p in [square_with_hole, c_shape, diamond] {
            let c = scanline_interior_point(&p).expect("a point");
            // geo's own point-in-polygon decides, independently of the scanline.
            assert!(p.contains(&c), "{c:?} not inside {p:?}");
        }
        let flat = polygon![(x: 0.0, y: 1.0), (x: 5.0, y: 1.0), (x: 9.0, y: 1.0)];
        assert_eq!(scanline_interior_point(&flat), None);
    }

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

    #[test]
    fn indexed_point_test_agrees_with_contains() {
        // An L with a hole, and a grid of points (some on edges and vertices):
        // the interval tree must answer as geo's plain `contains`.
        let l_shape = polygon!(
            exterior: [(x: 30.0, y: 48.0), (x: 34.0, y: 48.0), (x: 34.0, y: 49.0), (x: 31.0, y: 49.0), (x: 31.0, y: 52.0), (x: 30.0, y: 52.0)],
            interiors: [[(x: 30.25, y: 50.0), (x: 30.75, y: 50.0), (x: 30.75, y: 51.0), (x: 30.25, y: 51.0)]],
        );
        let t = Territory::new("L", MultiPolygon::new(vec![l_shape]));
        let mut inside = 0;
        for i in 0..=80 {
            for j in 0..=80 {
                let c = Coord { x: 29.5 + i as f64 * 0.0625, y: 47.5 + j as f64 * 0.0625 };
                assert_eq!(t.contains_point(c), t.geometry.contains(&c), "{c:?}");
                inside += usize::from(t.contains_point(c));
            }
        }
        assert!(inside > 1000, "{inside}");
    }
}
