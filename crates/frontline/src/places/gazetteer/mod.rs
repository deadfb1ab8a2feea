//! The gazetteer: every settlement with its names, oblast, population and
//! footprint (measures.md, "Settlements").
//!
//! The list of places is OpenStreetMap's (`osm_places_ua.csv.gz`: every
//! city, town and village node, with its Ukrainian name, Wikidata id and
//! oblast). GeoNames (`cities500`) is joined to it for population and
//! alternate names (Russian spellings, old names): a GeoNames entry joins
//! the OSM place that shares one of its names (transliteration skeleton)
//! and lies nearest, within [`JOIN_DISTANCE_M`], each side joined at most
//! once, nearest pairs first. GeoNames entries that join nothing are kept
//! as places of their own (districts, places OSM files as suburbs), unless
//! an OSM place of the same name already lies within the join distance
//! (a duplicate GeoNames entry).
//!
//! Footprints, in order: the OSM settlement outline
//! (`settlements_osm_partial`) that shares a name with the place and holds
//! its node (or lies within [`MATCH_DISTANCE_M`] of it); else the
//! population disc around the OSM node (measures.md), cut to the place's
//! hromada and to land, so that a riverside or coastal town's disc does not
//! reach across the Dnipro or into the sea.
//!
//! One algorithm a file: `sources.rs` reads the source files, `join.rs`
//! joins them into places (and their oblasts), `footprints.rs` gives each
//! place its footprint, `index.rs` keys every name, and `lookup.rs` finds
//! and resolves names. Their public items are re-exported here.

use super::names::{self, RENAMED};
use crate::error::{Error, Result};
use crate::geodesy::{self, GeodesicAreaM2};
use crate::geojson;
use crate::regions::{Region, Territory};
use crate::repair;
use geo::{BoundingRect, Centroid, Contains, Coord, Distance, Euclidean, LineString, MultiPolygon, Point, Polygon};
use geographiclib_rs::DirectGeodesic;
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

mod footprints;
mod index;
mod join;
mod lookup;
mod sources;

use footprints::*;
use join::*;
use sources::*;

pub use footprints::{disc_footprint, disc_radius_m, footprint_centroid, geodesic_disc};
pub use index::NameIndex;
pub use join::{oblast_by_point, OBLASTS};
pub use lookup::{
    disambiguation_hint, oblast_matches, parse_coordinates, short_oblast, Match, MatchKind, Resolution,
    DISAMBIGUATION_HINT, DOMINANCE, NEAREST_PLACE_M,
};
pub use sources::csv_records;

/// Index of a place in [`Gazetteer::places`].
pub type PlaceId = usize;

/// Vertices of a population disc: enough that the polygon's area is within
/// 0.2 % of the true disc's.
pub const DISC_VERTICES: usize = 64;

/// How far a place's point may lie from an OSM outline of the same name and
/// still be that place (the outline normally holds the node; GeoNames-only
/// points are often an old centre or a station, outside the boundary).
pub const MATCH_DISTANCE_M: f64 = 3_000.0;

/// How far a GeoNames point may lie from the OSM node of the same name and
/// still be that place. GeoNames puts some towns on their edge (Chasiv Yar:
/// 1.6 km east of OSM's centre); two villages of one name are rarely closer.
pub const JOIN_DISTANCE_M: f64 = 5_000.0;

/// OSM `place` classes the gazetteer keeps (hamlets, localities and
/// suburbs are left out: hamlets would add 3,200 mostly unnamed-in-print
/// places to every ambiguous name).
pub const PLACE_CLASSES: &[&str] = &["city", "town", "village"];

/// A disc cut by less than this share of its area counts as uncut (the
/// overlay's snapping moves a vertex by millimetres).
const UNCUT_TOLERANCE: f64 = 1e-4;

/// One settlement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Place {
    /// Its index in the gazetteer.
    pub id: PlaceId,
    /// English name (OSM `name`, else GeoNames', else the KMU 2010
    /// transliteration of the Ukrainian name).
    pub name: String,
    /// Ukrainian name, where known.
    pub name_uk: Option<String>,
    /// Russian name, where known.
    pub name_ru: Option<String>,
    /// Every other spelling lookups accept: GeoNames alternate names, the
    /// KMU 2010 transliteration, OSM old names and the built-in renamings.
    pub other_names: Vec<String>,
    /// The settlement's point (the OSM place node; GeoNames' point for a
    /// GeoNames-only place), WGS84 degrees.
    pub lon: f64,
    /// Latitude of the point, WGS84 degrees.
    pub lat: f64,
    /// Population (GeoNames; else the OSM outline's `population` tag; 0 if unknown).
    pub population: u64,
    /// OSM `place` class: city, town or village (None for GeoNames-only places).
    pub class: Option<String>,
    /// English oblast name, e.g. "Donetsk Oblast".
    pub oblast: String,
    /// ISO 3166-2 code of the oblast, e.g. "UA-14", where known.
    pub oblast_iso: Option<String>,
    /// GeoNames id, where GeoNames has the place.
    pub geonames_id: Option<u64>,
    /// OSM object of the place, e.g. "node/256613727".
    pub osm_id: Option<String>,
    /// Wikidata item, e.g. "Q2415330".
    pub wikidata: Option<String>,
    /// OSM id of the footprint outline (e.g. "relation/3940065"), if one matched.
    pub osm_outline_id: Option<String>,
    /// The area whose control is measured.
    pub footprint: Footprint,
}

impl Place {
    /// The settlement's point.
    pub fn point(&self) -> Coord<f64> {
        Coord { x: self.lon, y: self.lat }
    }

    /// "town", "village", ... or "settlement" when unknown.
    pub fn class_word(&self) -> &str {
        self.class.as_deref().unwrap_or("settlement")
    }

    /// The footprint in words a reader understands, with its area:
    /// "town outline from OpenStreetMap, 12.34 km²".
    pub fn footprint_words(&self) -> String {
        format!("{}, {:.2} km²", self.footprint.kind.describe(self.class_word()), self.footprint.area_m2 / 1e6)
    }
}

/// Where a footprint comes from. Externally tagged: the store keeps the
/// gazetteer in postcard, which (not self-describing) cannot decode
/// internally tagged enums.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FootprintKind {
    /// An OpenStreetMap settlement boundary.
    OsmPolygon,
    /// A geodesic disc around the point, its radius set by the population.
    PopulationDisc {
        /// Radius in metres.
        radius_m: f64,
        /// Whether cutting it to its hromada and to land removed any of it.
        cut: bool,
    },
}

impl FootprintKind {
    /// Plain words: "town outline from OpenStreetMap", "3 km circle around
    /// the centre, cut to the municipality and land".
    pub fn describe(&self, class: &str) -> String {
        match self {
            FootprintKind::OsmPolygon => format!("{class} outline from OpenStreetMap"),
            FootprintKind::PopulationDisc { radius_m, cut } => {
                let km = radius_m / 1000.0;
                let cut = if *cut { ", cut to the municipality and land" } else { "" };
                format!("{km} km circle around the centre (no outline known; radius from the population){cut}")
            }
        }
    }
}

/// A settlement's footprint: the area its occupied fraction is measured on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Footprint {
    /// Polygon or disc.
    pub kind: FootprintKind,
    /// The footprint, valid, WGS84 lon/lat.
    pub geometry: MultiPolygon<f64>,
    /// Its geodesic area.
    pub area_m2: f64,
}

/// Where the gazetteer's files are.
#[derive(Debug, Clone)]
pub struct GazetteerSources {
    /// OSM place nodes (CSV: osm_type, osm_id, place, name, name:uk,
    /// wikidata, lat, lon, region:name, ...; gzip or plain).
    pub osm_places: PathBuf,
    /// GeoNames `cities500` extract for Ukraine (TSV, 19 columns, header row; gzip or plain).
    pub geonames: PathBuf,
    /// OSM settlement boundaries (GeoJSON), if any.
    pub osm_polygons: Option<PathBuf>,
    /// Oblast boundaries (GeoJSON with `iso3166-2`), to place points with no oblast.
    pub oblasts: Option<PathBuf>,
    /// Hromada boundaries (GeoJSON), to cut discs to their municipality.
    pub hromadas: Option<PathBuf>,
    /// Land outline (GeoJSON), to keep discs out of the sea.
    pub land: Option<PathBuf>,
}

impl GazetteerSources {
    /// The files shipped in the shared data folder.
    pub fn shared(data_dir: &Path) -> Self {
        GazetteerSources {
            osm_places: data_dir.join("settlements/osm_places_ua.csv.gz"),
            geonames: data_dir.join("settlements/geonames_cities500_UA.tsv.gz"),
            osm_polygons: Some(data_dir.join("settlements/settlements_osm_partial.geojson.gz")),
            oblasts: Some(data_dir.join("boundaries/oblasts_osm.geojson.gz")),
            hromadas: Some(data_dir.join("boundaries/hromadas_osm.geojson.gz")),
            land: Some(data_dir.join("boundaries/ukraine_land_osm.geojson")),
        }
    }

    /// Every file the gazetteer is built from.
    pub fn paths(&self) -> Vec<&Path> {
        [Some(self.osm_places.as_path()), Some(self.geonames.as_path())]
            .into_iter()
            .flatten()
            .chain(self.osm_polygons.as_deref())
            .chain(self.oblasts.as_deref())
            .chain(self.hromadas.as_deref())
            .chain(self.land.as_deref())
            .collect()
    }
}

/// What building the gazetteer did, for a report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GazetteerReport {
    /// OSM places kept (cities, towns, villages).
    pub osm_places: usize,
    /// OSM places dropped as a second object (way/relation) of a node already kept.
    pub osm_duplicates_dropped: usize,
    /// Places read from GeoNames.
    pub geonames_places: usize,
    /// OSM places joined to a GeoNames entry (name + distance rule).
    pub joined: usize,
    /// OSM places with no GeoNames entry (population unknown unless the outline has one).
    pub osm_not_joined: usize,
    /// GeoNames entries that joined no OSM place, kept as places of their own.
    pub geonames_only_added: usize,
    /// GeoNames entries that joined no OSM place but lie within the join
    /// distance of an OSM place of the same name (duplicates), dropped.
    pub geonames_duplicates_dropped: usize,
    /// OSM outlines read (features with a polygon and a name).
    pub osm_polygons: usize,
    /// Places whose footprint is an OSM outline.
    pub outline_footprints: usize,
    /// Places whose footprint is a population disc.
    pub disc_footprints: usize,
    /// Discs that cutting to hromada and land made smaller.
    pub discs_cut: usize,
    /// Built-in renamings whose place was not found.
    pub renamings_unresolved: Vec<String>,
}

/// Every settlement, and the name index to find them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(from = "Vec<Place>", into = "Vec<Place>")]
pub struct Gazetteer {
    places: Vec<Place>,
    index: NameIndex,
}

impl From<Vec<Place>> for Gazetteer {
    fn from(places: Vec<Place>) -> Self {
        Gazetteer::from_places(places)
    }
}

impl From<Gazetteer> for Vec<Place> {
    fn from(g: Gazetteer) -> Self {
        g.places
    }
}

impl Place {
    /// Every name of the place with its number: 0 the English name, 1 the
    /// Ukrainian, 2 the Russian, 3 and up the other names in order.
    pub fn numbered_names(&self) -> impl Iterator<Item = (usize, &String)> {
        std::iter::once((0, &self.name))
            .chain(self.name_uk.iter().map(|n| (1, n)))
            .chain(self.name_ru.iter().map(|n| (2, n)))
            .chain(self.other_names.iter().enumerate().map(|(i, n)| (3 + i, n)))
    }

    /// The name numbered `k` by [`Place::numbered_names`].
    pub fn name_at(&self, k: usize) -> Option<&String> {
        match k {
            0 => Some(&self.name),
            1 => self.name_uk.as_ref(),
            2 => self.name_ru.as_ref(),
            _ => self.other_names.get(k - 3),
        }
    }
}

#[cfg(test)]
impl Place {
    /// A place for unit tests: `footprint` as its footprint, 1,000 people
    /// in "Test Oblast", nothing else known.
    pub(crate) fn for_test(name: &str, point: Coord<f64>, footprint: Polygon<f64>, kind: FootprintKind) -> Place {
        let geometry = MultiPolygon::new(vec![footprint]);
        Place {
            id: 0,
            name: name.into(),
            name_uk: None,
            name_ru: None,
            other_names: vec![],
            lon: point.x,
            lat: point.y,
            population: 1000,
            class: None,
            oblast: "Test Oblast".into(),
            oblast_iso: None,
            geonames_id: None,
            osm_id: None,
            wikidata: None,
            osm_outline_id: None,
            footprint: Footprint { kind, area_m2: geometry.geodesic_area_m2(), geometry },
        }
    }
}

impl Gazetteer {
    /// Builds the index over places (ids are reassigned to positions).
    pub fn from_places(mut places: Vec<Place>) -> Self {
        for (i, p) in places.iter_mut().enumerate() {
            p.id = i;
        }
        let index = NameIndex::build(&places);
        Gazetteer { places, index }
    }

    /// A gazetteer from places and the index built for them (as the store
    /// keeps them); `None` when they do not fit each other (ids not
    /// positions, a posting to no place), so the caller rebuilds.
    pub fn from_places_and_index(places: Vec<Place>, index: NameIndex) -> Option<Self> {
        let ids_are_positions = places.iter().enumerate().all(|(i, p)| p.id == i);
        (ids_are_positions && index.fits(&places)).then_some(Gazetteer { places, index })
    }

    /// The name index, to store beside the places.
    pub fn name_index(&self) -> &NameIndex {
        &self.index
    }

    /// Reads the OSM places, GeoNames, OSM outlines, oblasts, hromadas and
    /// land, and builds the gazetteer.
    pub fn load(sources: &GazetteerSources) -> Result<(Gazetteer, GazetteerReport)> {
        let mut report = GazetteerReport::default();
        let (osm_places, dropped) = read_osm_places(&sources.osm_places)?;
        report.osm_places = osm_places.len();
        report.osm_duplicates_dropped = dropped;
        let geonames = read_geonames(&sources.geonames)?;
        report.geonames_places = geonames.len();
        let outlines = match &sources.osm_polygons {
            Some(p) => read_osm(p)?,
            None => vec![],
        };
        report.osm_polygons = outlines.len();
        let regions = match &sources.oblasts {
            Some(p) => crate::regions::load_regions(p)?,
            None => vec![],
        };
        // Kyiv is not a hromada in the file but ten boroughs (`place=borough`):
        // cutting its disc to the borough holding the centre left 14 of its
        // 78 km². A city of boroughs is cut to land only.
        let hromadas = match &sources.hromadas {
            Some(p) => crate::regions::load_regions_where(p, |f| f.prop_str("place") != Some("borough"))?,
            None => vec![],
        };
        let land = match &sources.land {
            Some(p) => Some(crate::regions::load_territory("land", p)?),
            None => None,
        };

        // 1. Join GeoNames to the OSM places.
        let osm_keys: Vec<BTreeSet<String>> = osm_places.iter().map(|o| skeletons(o.names())).collect();
        let gn_keys: Vec<BTreeSet<String>> = geonames.iter().map(|r| skeletons(r.names())).collect();
        let (joined, gn_used) = join_geonames(&osm_places, &osm_keys, &geonames, &gn_keys);

        // 2. Draft places: OSM places (with their GeoNames entry), then
        // GeoNames entries that joined nothing.
        let mut drafts: Vec<Draft> = Vec::with_capacity(osm_places.len() + 256);
        for (o, gn) in osm_places.iter().zip(&joined) {
            let gn = gn.map(|i| &geonames[i]);
            if gn.is_some() {
                report.joined += 1;
            } else {
                report.osm_not_joined += 1;
            }
            drafts.push(Draft::from_osm(o, gn, &regions));
        }
        let osm_tree: RTree<GeomWithData<[f64; 2], usize>> = RTree::bulk_load(
            osm_places.iter().enumerate().map(|(i, o)| GeomWithData::new([o.lon, o.lat], i)).collect(),
        );
        for (gi, r) in geonames.iter().enumerate() {
            if gn_used[gi] {
                continue;
            }
            let near_same_name =
                osm_tree.locate_in_envelope(&pad_envelope(Coord { x: r.lon, y: r.lat }, JOIN_DISTANCE_M)).any(|c| {
                    !osm_keys[c.data].is_disjoint(&gn_keys[gi])
                        && geodesy::distance_m(Coord { x: r.lon, y: r.lat }, osm_places[c.data].point())
                            <= JOIN_DISTANCE_M
                });
            if near_same_name {
                report.geonames_duplicates_dropped += 1;
                continue;
            }
            report.geonames_only_added += 1;
            drafts.push(Draft::from_geonames(r));
        }
        add_renamings(&mut drafts, &mut report);

        // 3. Footprints: the OSM outline, else the cut population disc.
        let keys: Vec<BTreeSet<String>> = drafts.iter().map(|d| skeletons(d.all_names())).collect();
        let outline_of = match_outlines(&drafts, &keys, &outlines);
        let cutter = DiscCutter::new(hromadas, land);
        let footprints: Vec<(Footprint, Option<usize>)> = drafts
            .par_iter()
            .zip(outline_of.par_iter())
            .map(|(d, o)| {
                if let Some(oi) = o {
                    if let Some(fp) = osm_footprint(&outlines[*oi]) {
                        return (fp, Some(*oi));
                    }
                }
                (cutter.disc(d.point(), d.population), None)
            })
            .collect();
        let mut places = Vec::with_capacity(drafts.len());
        for (d, (footprint, outline)) in drafts.into_iter().zip(footprints) {
            let mut place = d.into_place(footprint);
            match outline {
                Some(oi) => {
                    report.outline_footprints += 1;
                    let o = &outlines[oi];
                    place.osm_outline_id = o.id.clone();
                    place.other_names.extend(o.names.iter().cloned());
                    if place.population == 0 {
                        place.population = o.population.unwrap_or(0);
                    }
                    place.name_ru = place.name_ru.or_else(|| o.name_ru.clone());
                }
                None => {
                    report.disc_footprints += 1;
                    if matches!(place.footprint.kind, FootprintKind::PopulationDisc { cut: true, .. }) {
                        report.discs_cut += 1;
                    }
                }
            }
            dedup_names(&mut place);
            places.push(place);
        }
        Ok((Gazetteer::from_places(places), report))
    }

    /// Takes every footprint's geometry out (kind and area stay), for a
    /// gazetteer that answers names fast; [`Gazetteer::put_geometries`]
    /// puts them back.
    pub fn take_geometries(&mut self) -> Vec<MultiPolygon<f64>> {
        self.places
            .iter_mut()
            .map(|p| std::mem::replace(&mut p.footprint.geometry, MultiPolygon::new(vec![])))
            .collect()
    }

    /// Puts back geometries taken by [`Gazetteer::take_geometries`]; false
    /// (and nothing changed) when their number is not the number of places.
    pub fn put_geometries(&mut self, geometries: Vec<MultiPolygon<f64>>) -> bool {
        if geometries.len() != self.places.len() {
            return false;
        }
        for (p, g) in self.places.iter_mut().zip(geometries) {
            p.footprint.geometry = g;
        }
        true
    }

    /// Puts geometries back by place (the store's footprints, all or those
    /// near a point); false (and nothing changed) when a place is out of range.
    pub fn put_geometries_of(&mut self, geometries: Vec<(PlaceId, MultiPolygon<f64>)>) -> bool {
        if geometries.iter().any(|(id, _)| *id >= self.places.len()) {
            return false;
        }
        for (id, g) in geometries {
            if let Some(p) = self.places.get_mut(id) {
                p.footprint.geometry = g;
            }
        }
        true
    }

    /// Whether the footprints carry their geometry (a gazetteer read for
    /// names only does not).
    pub fn has_geometries(&self) -> bool {
        self.places.iter().all(|p| !p.footprint.geometry.0.is_empty())
    }

    /// Every place, in id order.
    pub fn places(&self) -> &[Place] {
        &self.places
    }

    /// One place.
    pub fn place(&self, id: PlaceId) -> Option<&Place> {
        self.places.get(id)
    }

    /// Number of places.
    pub fn len(&self) -> usize {
        self.places.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }
}

fn dedup_names(p: &mut Place) {
    let mut seen = BTreeSet::new();
    seen.insert(p.name.clone());
    p.other_names.retain(|n| !n.trim().is_empty() && seen.insert(n.clone()));
}

fn skeletons<'a>(names: impl Iterator<Item = &'a String>) -> BTreeSet<String> {
    names.map(|n| names::skeleton(n)).filter(|k| !k.is_empty()).collect()
}

/// A box around a point, `m` metres on each side (generous in longitude).
fn pad_envelope(c: Coord<f64>, m: f64) -> AABB<[f64; 2]> {
    let pad_lat = m / 110_000.0;
    let pad_lon = m / (110_000.0 * c.y.to_radians().cos().max(0.1));
    AABB::from_corners([c.x - pad_lon, c.y - pad_lat], [c.x + pad_lon, c.y + pad_lat])
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn town(name: &str, others: &[&str], population: u64, oblast: &str) -> Place {
        let c = Coord { x: 37.0, y: 48.0 };
        Place {
            id: 0,
            name: name.into(),
            name_uk: None,
            name_ru: None,
            other_names: others.iter().map(|s| s.to_string()).collect(),
            lon: c.x,
            lat: c.y,
            population,
            class: None,
            oblast: oblast.into(),
            oblast_iso: None,
            geonames_id: None,
            osm_id: None,
            wikidata: None,
            osm_outline_id: None,
            footprint: disc_footprint(c, population),
        }
    }

    #[test]
    fn lookup_lists_every_candidate_biggest_first_and_survives_serde() {
        let g = Gazetteer::from_places(vec![
            town("Oleksandrivka", &[], 900, "Kirovohrad Oblast"),
            town("Oleksandrivka", &["Александровка"], 5_000, "Donetsk Oblast"),
            town("Kupiansk", &["Куп'янськ"], 27_169, "Kharkiv Oblast"),
        ]);
        let json = serde_json::to_string(&g).unwrap();
        let g: Gazetteer = serde_json::from_str(&json).unwrap();
        let found = g.lookup("oleksandrivka");
        let pops: Vec<u64> = found.iter().map(|m| m.population).collect();
        assert_eq!(pops, vec![5_000, 900]);
        assert!(found.iter().all(|m| m.how == MatchKind::Exact));
        assert_eq!(g.lookup("Kupyansk")[0].how, MatchKind::Transliteration);
        assert_eq!(g.lookup("Kupjanskk")[0].how, MatchKind::Transliteration);
        // One substitution in 8 letters is within the budget; a swap (two
        // edits) is not.
        assert_eq!(g.lookup("Kupiamsk")[0].how, MatchKind::Typo { edits: 1 });
        assert!(g.lookup("Kupianks").is_empty());
        assert!(g.lookup("Lviv").is_empty());
    }

    #[test]
    fn resolve_takes_a_dominant_place_and_refuses_a_tie() {
        let mut city = town("Zaporizhzhia", &[], 710_052, "Zaporizhzhia Oblast");
        city.class = Some("city".into());
        let mut big_village = town("Mykolaivka", &[], 3_629, "Odesa Oblast");
        big_village.class = Some("village".into());
        let mut unknown_town = town("Mykolaivka", &[], 0, "Donetsk Oblast");
        unknown_town.class = Some("town".into());
        let g = Gazetteer::from_places(vec![
            city,
            town("Zaporizhzhia", &[], 940, "Donetsk Oblast"),
            big_village,
            town("Mykolaivka", &[], 400, "Odesa Oblast"),
            unknown_town,
        ]);
        // 710,052 ≥ 10 × 940.
        match g.resolve("zaporizhzhia") {
            Resolution::Found { place, note } => {
                assert_eq!(place.population, 710_052);
                assert!(note.unwrap().contains("755 times the next"));
            }
            other => panic!("{other:?}"),
        }
        // A town of unknown size against a village of 3,629: neither wins.
        assert!(matches!(g.resolve("Mykolaivka"), Resolution::Ambiguous(v) if v.len() == 3));
        // NAME@OBLAST narrows to one; the town wins among Donetsk's.
        match g.resolve("Mykolaivka@Donetsk") {
            Resolution::Found { place, .. } => assert_eq!(place.oblast, "Donetsk Oblast"),
            other => panic!("{other:?}"),
        }
        // Nothing in that oblast: the places of that name elsewhere are suggested.
        match g.resolve("Mykolaivka@Lviv") {
            Resolution::NotFound { suggestions } => assert_eq!(suggestions.len(), 3),
            other => panic!("{other:?}"),
        }
        // A typo is a suggestion, never an answer.
        match g.resolve("Zaporizhzhya") {
            Resolution::Found { .. } => {} // a transliteration variant, not a typo
            other => panic!("{other:?}"),
        }
        match g.resolve("Zaporishzhia") {
            Resolution::NotFound { suggestions } => assert_eq!(suggestions[0].population, 710_052),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn coordinates_and_oblast_spellings() {
        assert_eq!(parse_coordinates("37.84,48.59"), Some(Coord { x: 37.84, y: 48.59 }));
        assert_eq!(parse_coordinates(" 37.84, 48.59 "), Some(Coord { x: 37.84, y: 48.59 }));
        assert_eq!(parse_coordinates("48.59,237.84"), None);
        assert_eq!(parse_coordinates("Kyiv"), None);
        assert!(oblast_matches("Donetsk Oblast", Some("UA-14"), "Donetsk"));
        assert!(oblast_matches("Donetsk Oblast", Some("UA-14"), "donetska"));
        assert!(oblast_matches("Donetsk Oblast", Some("UA-14"), "UA-14"));
        assert!(oblast_matches("Zaporizhzhia Oblast", Some("UA-23"), "Zaporizhia"));
        assert!(!oblast_matches("Donetsk Oblast", Some("UA-14"), "Luhansk"));
    }

    #[test]
    fn disc_radius_follows_measures_md() {
        assert_eq!(disc_radius_m(0), 1_500.0);
        assert_eq!(disc_radius_m(19_999), 1_500.0);
        assert_eq!(disc_radius_m(20_000), 3_000.0);
        assert_eq!(disc_radius_m(99_999), 3_000.0);
        assert_eq!(disc_radius_m(100_000), 5_000.0);
    }

    #[test]
    fn disc_vertices_lie_at_the_radius_and_its_area_is_a_circles() {
        let c = Coord { x: 37.18, y: 48.28 };
        let disc = geodesic_disc(c, 3_000.0);
        for v in disc.exterior().0.iter() {
            let d = geodesy::distance_m(c, *v);
            assert!((d - 3_000.0).abs() < 1e-6, "{d}");
        }
        // A regular 64-gon inscribed in a circle of radius r has area
        // (n/2) r² sin(2π/n) = 0.99839 π r².
        let n = DISC_VERTICES as f64;
        let expected = n / 2.0 * 3_000.0_f64.powi(2) * (2.0 * std::f64::consts::PI / n).sin();
        let area = disc.geodesic_area_m2();
        assert!((area - expected).abs() / expected < 1e-4, "{area} vs {expected}");
        assert!(geo::Area::signed_area(&disc) > 0.0, "counter-clockwise");
    }
}
