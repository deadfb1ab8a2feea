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

/// How a lookup matched a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum MatchKind {
    /// The name as typed, folding case, apostrophes, soft signs and separators.
    Exact,
    /// A transliteration variant (Kupyansk for Kupiansk).
    Transliteration,
    /// Within the typo budget.
    Typo {
        /// Edits between the query and the name (on the transliteration skeleton).
        edits: usize,
    },
}

/// One candidate for a name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    /// The place.
    pub place: PlaceId,
    /// Its English name.
    pub name: String,
    /// Its oblast.
    pub oblast: String,
    /// Its population.
    pub population: u64,
    /// Its point, longitude.
    pub lon: f64,
    /// Its point, latitude.
    pub lat: f64,
    /// The spelling of the place that matched the query.
    pub matched_name: String,
    /// How it matched.
    pub how: MatchKind,
}

/// Every settlement, and the name index to find them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(from = "Vec<Place>", into = "Vec<Place>")]
pub struct Gazetteer {
    places: Vec<Place>,
    index: NameIndex,
}

/// One key's places: (place, which of its names: see [`Place::numbered_names`]).
type Postings = Vec<(PlaceId, usize)>;

/// The name keys of every place ([`names::exact_key`], [`names::skeleton`]),
/// sorted for binary search. Deriving them is most of the cost of opening
/// a gazetteer (0.8 s for 26,000 places), so the store keeps the index
/// beside the places and a query reads it ready.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NameIndex {
    exact: KeyTable,
    skeleton: KeyTable,
    /// The skeleton keys as chars (same order as `skeleton`), for the
    /// typo scan: made on the first typo, as most queries never need it.
    #[serde(skip)]
    skeleton_chars: OnceLock<Vec<Vec<char>>>,
}

/// Sorted keys and their postings in a few flat vectors, not a string and
/// a vector per key: reading 200,000 keys back is then a handful of
/// allocations.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct KeyTable {
    /// Every key, ascending, one after the other.
    keys: String,
    /// Where each key ends in `keys`.
    key_ends: Vec<usize>,
    /// Where each key's postings end in `postings`.
    posting_ends: Vec<usize>,
    /// (place, name number) for every key, in key order.
    postings: Vec<(PlaceId, usize)>,
}

impl KeyTable {
    fn from_map(m: HashMap<String, Postings>) -> KeyTable {
        let mut v: Vec<(String, Postings)> = m.into_iter().collect();
        v.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut t = KeyTable::default();
        for (k, ps) in v {
            t.keys.push_str(&k);
            t.key_ends.push(t.keys.len());
            t.postings.extend(ps);
            t.posting_ends.push(t.postings.len());
        }
        t
    }

    fn len(&self) -> usize {
        self.key_ends.len()
    }

    /// Key `i` ("" when out of range: [`KeyTable::fits`] rules that out for a stored table).
    fn key(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.key_ends.get(i - 1).copied().unwrap_or(0) };
        let end = self.key_ends.get(i).copied().unwrap_or(start);
        self.keys.get(start..end).unwrap_or("")
    }

    fn postings(&self, i: usize) -> &[(PlaceId, usize)] {
        let start = if i == 0 { 0 } else { self.posting_ends.get(i - 1).copied().unwrap_or(0) };
        let end = self.posting_ends.get(i).copied().unwrap_or(start);
        self.postings.get(start..end).unwrap_or(&[])
    }

    fn get(&self, key: &str) -> Option<&[(PlaceId, usize)]> {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.key(mid).cmp(key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(self.postings(mid)),
            }
        }
        None
    }

    /// Whether the table is whole: offsets ascending within their vectors,
    /// on character boundaries, keys strictly ascending, every posting a
    /// place and one of its names.
    fn fits(&self, places: &[Place]) -> bool {
        let ascending =
            |ends: &[usize], len: usize| ends.windows(2).all(|w| w[0] <= w[1]) && ends.last().is_none_or(|&e| e == len);
        self.key_ends.len() == self.posting_ends.len()
            && ascending(&self.key_ends, self.keys.len())
            && ascending(&self.posting_ends, self.postings.len())
            && self.key_ends.iter().all(|&e| self.keys.is_char_boundary(e))
            && (1..self.len()).all(|i| self.key(i - 1) < self.key(i))
            && self.postings.iter().all(|&(id, k)| places.get(id).is_some_and(|p| p.name_at(k).is_some()))
    }
}

impl NameIndex {
    fn build(places: &[Place]) -> NameIndex {
        // The keys are most of the cost: in parallel.
        let keyed: Vec<Vec<(String, String, usize)>> = places
            .par_iter()
            .map(|p| {
                p.numbered_names()
                    .filter_map(|(k, n)| {
                        let e = names::exact_key(n);
                        (!e.is_empty()).then(|| (names::skeleton_of_key(&e), e, k))
                    })
                    .collect()
            })
            .collect();
        let mut exact: HashMap<String, Postings> = HashMap::new();
        let mut skeleton: HashMap<String, Postings> = HashMap::new();
        for (id, keys) in keyed.into_iter().enumerate() {
            for (s, e, k) in keys {
                push_unique(exact.entry(e).or_default(), id, k);
                push_unique(skeleton.entry(s).or_default(), id, k);
            }
        }
        NameIndex {
            exact: KeyTable::from_map(exact),
            skeleton: KeyTable::from_map(skeleton),
            skeleton_chars: OnceLock::new(),
        }
    }

    fn skeleton_chars(&self) -> &[Vec<char>] {
        self.skeleton_chars
            .get_or_init(|| (0..self.skeleton.len()).map(|i| self.skeleton.key(i).chars().collect()).collect())
    }

    /// Whether the index fits these places (a stored index that does not is rebuilt).
    fn fits(&self, places: &[Place]) -> bool {
        self.exact.fits(places) && self.skeleton.fits(places)
    }
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

    /// Every place a person may mean by `name`, biggest first.
    ///
    /// Tries, in order, the name as typed (folding case, apostrophes, soft
    /// signs, separators), then transliteration variants, then typos
    /// ([`names::typo_budget`]), and returns every place of the first tier
    /// that finds any: an ambiguous name gives all its places, never one
    /// silently picked. Former names (Krasnoarmiisk) are names like any other.
    pub fn lookup(&self, name: &str) -> Vec<Match> {
        let exact = names::exact_key(name);
        if exact.is_empty() {
            return vec![];
        }
        if let Some(hits) = self.index.exact.get(&exact) {
            return self.matches(hits.iter().map(|&(id, k)| (id, k, MatchKind::Exact)));
        }
        let skel = names::skeleton(name);
        if let Some(hits) = self.index.skeleton.get(&skel) {
            return self.matches(hits.iter().map(|&(id, k)| (id, k, MatchKind::Transliteration)));
        }
        let query: Vec<char> = skel.chars().collect();
        let budget = names::typo_budget(query.len());
        if budget == 0 {
            return vec![];
        }
        self.matches(self.within_edits(&query, budget).into_iter())
    }

    /// Names within `budget` edits of a skeleton, with their edit counts.
    fn within_edits(&self, query: &[char], budget: usize) -> Vec<(PlaceId, usize, MatchKind)> {
        let mut found = vec![];
        for (i, chars) in self.index.skeleton_chars().iter().enumerate() {
            let edits = names::edit_distance_within(query, chars, budget);
            if edits <= budget {
                found.extend(self.index.skeleton.postings(i).iter().map(|&(id, k)| (id, k, MatchKind::Typo { edits })));
            }
        }
        found
    }

    /// Up to `n` places whose names are close to a name nothing matched
    /// ("did you mean Pokrovsk?"): names within a third of the query's
    /// letters (at least 2 edits) on the transliteration skeleton, the
    /// biggest place first; one entry per distinct name.
    pub fn suggest(&self, name: &str, n: usize) -> Vec<Match> {
        let query: Vec<char> = names::skeleton(name).chars().collect();
        if query.len() < 3 {
            return vec![];
        }
        let budget = (query.len() / 3).max(2);
        let mut found = self.matches(self.within_edits(&query, budget).into_iter());
        // Someone misspelling a name most likely means a place in the news:
        // the biggest first, whatever the edit count within the budget.
        found.sort_by(|a, b| b.population.cmp(&a.population).then(a.how.cmp(&b.how)).then(a.place.cmp(&b.place)));
        let mut seen = BTreeSet::new();
        found.retain(|m| seen.insert(m.name.clone()));
        found.truncate(n);
        found
    }

    /// Resolves what a person typed to one place: a name, `NAME@OBLAST`, or
    /// coordinates `LON,LAT` (see [`Resolution`]).
    pub fn resolve(&self, query: &str) -> Resolution {
        let query = query.trim();
        if let Some(c) = parse_coordinates(query) {
            return self.resolve_point(c);
        }
        let (name, oblast) = match query.rsplit_once('@') {
            Some((n, o)) => (n.trim(), Some(o.trim())),
            None => (query, None),
        };
        let mut found = self.lookup(name);
        if let Some(o) = oblast {
            found.retain(|m| oblast_matches(&m.oblast, self.places[m.place].oblast_iso.as_deref(), o));
        }
        // A typo is never taken for an answer (Pokrovks is one letter from
        // the village Pokrovka and two from the city Pokrovsk): it becomes a
        // suggestion.
        if found.iter().all(|m| matches!(m.how, MatchKind::Typo { .. })) {
            found.clear();
        }
        if found.is_empty() {
            let mut suggestions = self.suggest(name, 5);
            if let Some(o) = oblast {
                // The name exists, only not in that oblast: say where it is.
                let elsewhere = self.lookup(name);
                if !elsewhere.is_empty() {
                    suggestions = elsewhere;
                    suggestions.truncate(5);
                } else {
                    suggestions.retain(|m| oblast_matches(&m.oblast, self.places[m.place].oblast_iso.as_deref(), o));
                }
            }
            return Resolution::NotFound { suggestions };
        }
        if found.len() == 1 {
            let m = found.remove(0);
            return Resolution::Found { place: m, note: None };
        }
        // Biggest first: lookup sorts by tier, then population.
        let rank = |m: &Match| class_rank(self.places[m.place].class.as_deref());
        let wins = |a: &Match, b: &Match| -> bool {
            (b.population > 0 && a.population >= DOMINANCE * b.population)
                || (rank(a) > rank(b) && (a.population >= b.population || b.population == 0))
        };
        let winner = (0..found.len()).find(|&i| (0..found.len()).all(|j| i == j || wins(&found[i], &found[j])));
        let Some(wi) = winner else {
            return Resolution::Ambiguous(found);
        };
        let top = found.remove(wi);
        let others: Vec<String> =
            found.iter().take(3).map(|m| format!("{}@{}", m.name, short_oblast(&m.oblast))).collect();
        let next_pop = found.iter().map(|m| m.population).max().unwrap_or(0);
        let why = if next_pop > 0 && top.population >= DOMINANCE * next_pop {
            format!("it has {} people, {} times the next", top.population, top.population / next_pop)
        } else {
            format!(
                "it is the only {} among them{}",
                self.places[top.place].class_word(),
                if top.population > 0 { format!(" ({} people)", top.population) } else { String::new() }
            )
        };
        let note = format!(
            "'{name}' also names {} other place(s) ({}{}); taking {}, {}, because {why}. For another, {}",
            found.len(),
            others.join(", "),
            if found.len() > 3 { ", ..." } else { "" },
            top.name,
            top.oblast,
            disambiguation_hint(&found[0]),
        );
        Resolution::Found { place: top, note: Some(note) }
    }

    /// The place at a point: the smallest footprint holding it, else the
    /// nearest place within [`NEAREST_PLACE_M`].
    fn resolve_point(&self, c: Coord<f64>) -> Resolution {
        let pt = Point::from(c);
        let holding = self
            .places
            .iter()
            .filter(|p| {
                p.footprint
                    .geometry
                    .bounding_rect()
                    .is_some_and(|b| b.min().x <= c.x && c.x <= b.max().x && b.min().y <= c.y && c.y <= b.max().y)
                    && p.footprint.geometry.contains(&pt)
            })
            .min_by(|a, b| a.footprint.area_m2.total_cmp(&b.footprint.area_m2));
        let (p, note) = match holding {
            Some(p) => {
                let d = geodesy::distance_m(c, p.point());
                (
                    p,
                    format!(
                        "{:.4},{:.4} lies in the footprint of {}, {:.1} km from its centre",
                        c.x,
                        c.y,
                        p.name,
                        d / 1000.0
                    ),
                )
            }
            None => {
                let nearest = self
                    .places
                    .iter()
                    .map(|p| (geodesy::distance_m(c, p.point()), p))
                    .min_by(|a, b| a.0.total_cmp(&b.0));
                match nearest {
                    Some((d, p)) if d <= NEAREST_PLACE_M => (
                        p,
                        format!(
                            "{:.4},{:.4} is in no footprint; the nearest settlement is {}, {:.1} km away",
                            c.x,
                            c.y,
                            p.name,
                            d / 1000.0
                        ),
                    ),
                    _ => return Resolution::NotFound { suggestions: vec![] },
                }
            }
        };
        let m = Match {
            place: p.id,
            name: p.name.clone(),
            oblast: p.oblast.clone(),
            population: p.population,
            lon: p.lon,
            lat: p.lat,
            matched_name: format!("{},{}", c.x, c.y),
            how: MatchKind::Exact,
        };
        Resolution::Found { place: m, note: Some(note) }
    }

    /// Candidates from index hits (place, name number, how), best match per place.
    fn matches(&self, hits: impl Iterator<Item = (PlaceId, usize, MatchKind)>) -> Vec<Match> {
        let mut best: HashMap<PlaceId, (MatchKind, usize)> = HashMap::new();
        for (id, k, how) in hits {
            let e = best.entry(id).or_insert((how, k));
            if how < e.0 {
                *e = (how, k);
            }
        }
        let mut out: Vec<Match> = best
            .into_iter()
            .filter_map(|(id, (how, k))| {
                let p = self.places.get(id)?;
                let n = p.name_at(k)?;
                Some(Match {
                    place: id,
                    name: p.name.clone(),
                    oblast: p.oblast.clone(),
                    population: p.population,
                    lon: p.lon,
                    lat: p.lat,
                    matched_name: n.clone(),
                    how,
                })
            })
            .collect();
        out.sort_by(|a, b| {
            a.how
                .cmp(&b.how)
                .then(b.population.cmp(&a.population))
                .then(a.name.cmp(&b.name))
                .then(a.place.cmp(&b.place))
        });
        out
    }
}

/// A candidate this many times bigger than every other of the same name is
/// the one meant (a city of 710,000 against a village of 940).
pub const DOMINANCE: u64 = 10;

/// City above town above village; GeoNames-only places (no class) rank
/// with villages.
fn class_rank(class: Option<&str>) -> u8 {
    match class {
        Some("city") => 3,
        Some("town") => 2,
        _ => 1,
    }
}

/// Coordinates more than this far from every settlement resolve to none.
pub const NEAREST_PLACE_M: f64 = 10_000.0;

/// The one hint every command and the API give for an ambiguous name.
pub const DISAMBIGUATION_HINT: &str = "pick one with NAME@OBLAST (e.g. Mykolaivka@Donetsk) or give LON,LAT";

/// [`DISAMBIGUATION_HINT`] with one of the candidates as the example.
pub fn disambiguation_hint(example: &Match) -> String {
    format!("pick one with NAME@OBLAST (e.g. {}@{}) or give LON,LAT", example.name, short_oblast(&example.oblast))
}

/// What a query resolved to.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "resolution")]
pub enum Resolution {
    /// One place; `note` says why when it was not the only candidate (it
    /// dwarfs the others) or when coordinates were given.
    Found {
        /// The place.
        place: Match,
        /// Why this one, for the reader.
        note: Option<String>,
    },
    /// Several places of comparable size: the caller lists them and stops.
    Ambiguous(Vec<Match>),
    /// Nothing by that name: the nearest spellings, if any.
    NotFound {
        /// Close names, fewest edits first.
        suggestions: Vec<Match>,
    },
}

/// `LON,LAT` in decimal degrees (also with a space after the comma), within
/// the ranges of longitude and latitude.
pub fn parse_coordinates(s: &str) -> Option<Coord<f64>> {
    let (a, b) = s.split_once(',')?;
    let x: f64 = a.trim().parse().ok()?;
    let y: f64 = b.trim().parse().ok()?;
    ((-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y)).then_some(Coord { x, y })
}

/// Whether an oblast (English name, ISO code) is the one a person typed
/// after `@`: its ISO code, or a prefix of its name folded like names are
/// ("Donetsk", "donetska", "Zaporizhia").
pub fn oblast_matches(oblast: &str, iso: Option<&str>, typed: &str) -> bool {
    if iso.is_some_and(|i| i.eq_ignore_ascii_case(typed.trim())) {
        return true;
    }
    let t = names::skeleton(typed.trim_end_matches(|c: char| !c.is_alphanumeric()));
    let t = t.strip_suffix("oblast").unwrap_or(&t).trim_end_matches('a').to_string();
    let o = names::skeleton(oblast);
    !t.is_empty() && (o.starts_with(&t) || names::skeleton(&oblast.replace("zhzh", "zh")).starts_with(&t))
}

/// "Donetsk Oblast" -> "Donetsk", for the NAME@OBLAST examples.
pub fn short_oblast(oblast: &str) -> &str {
    oblast.strip_suffix(" Oblast").unwrap_or(oblast)
}

fn push_unique(v: &mut Postings, id: PlaceId, k: usize) {
    if !v.iter().any(|(i, _)| *i == id) {
        v.push((id, k));
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

/// Pairs every GeoNames entry with the OSM place it is: a shared name
/// skeleton and at most [`JOIN_DISTANCE_M`] apart; nearest pairs first, each
/// side used once. Returns the GeoNames index per OSM place, and which
/// GeoNames entries were used.
fn join_geonames(
    osm: &[OsmPlace],
    osm_keys: &[BTreeSet<String>],
    gn: &[GeoNamesRow],
    gn_keys: &[BTreeSet<String>],
) -> (Vec<Option<usize>>, Vec<bool>) {
    let tree: RTree<GeomWithData<[f64; 2], usize>> =
        RTree::bulk_load(osm.iter().enumerate().map(|(i, o)| GeomWithData::new([o.lon, o.lat], i)).collect());
    let mut pairs: Vec<(f64, usize, usize)> = vec![];
    for (gi, r) in gn.iter().enumerate() {
        let c = Coord { x: r.lon, y: r.lat };
        for cand in tree.locate_in_envelope(&pad_envelope(c, JOIN_DISTANCE_M)) {
            let oi = cand.data;
            if osm_keys[oi].is_disjoint(&gn_keys[gi]) {
                continue;
            }
            let d = geodesy::distance_m(c, osm[oi].point());
            if d <= JOIN_DISTANCE_M {
                pairs.push((d, oi, gi));
            }
        }
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut joined = vec![None; osm.len()];
    let mut used = vec![false; gn.len()];
    for (_, oi, gi) in pairs {
        if joined[oi].is_none() && !used[gi] {
            joined[oi] = Some(gi);
            used[gi] = true;
        }
    }
    (joined, used)
}

/// A place before its footprint is chosen.
struct Draft {
    name: String,
    name_uk: Option<String>,
    name_ru: Option<String>,
    other_names: Vec<String>,
    lon: f64,
    lat: f64,
    population: u64,
    class: Option<String>,
    oblast: String,
    oblast_iso: Option<String>,
    geonames_id: Option<u64>,
    osm_id: Option<String>,
    wikidata: Option<String>,
}

impl Draft {
    fn from_osm(o: &OsmPlace, gn: Option<&GeoNamesRow>, regions: &[Region]) -> Draft {
        let (oblast, oblast_iso) = match oblast_by_name(&o.region) {
            Some((name, iso)) => (name.to_string(), Some(iso.to_string())),
            None => oblast_by_point(regions, Point::new(o.lon, o.lat)),
        };
        let kmu = o.name_uk.as_deref().map(names::kmu2010);
        let name = if !o.name.trim().is_empty() && !is_cyrillic(&o.name) {
            o.name.clone()
        } else if let Some(g) = gn {
            g.name.clone()
        } else {
            kmu.clone().unwrap_or_else(|| o.name.clone())
        };
        let mut other_names: Vec<String> = vec![o.name.clone()];
        other_names.extend(kmu);
        let (mut name_uk, mut name_ru) = (o.name_uk.clone(), None);
        let mut population = 0;
        let mut geonames_id = None;
        if let Some(g) = gn {
            let (uk, ru) = cyrillic_names(&g.alternates);
            name_uk = name_uk.or(uk);
            name_ru = ru;
            other_names.push(g.name.clone());
            other_names.push(g.ascii_name.clone());
            other_names.extend(g.alternates.iter().cloned());
            population = g.population;
            geonames_id = Some(g.geonames_id);
        }
        Draft {
            name,
            name_uk,
            name_ru,
            other_names,
            lon: o.lon,
            lat: o.lat,
            population,
            class: Some(o.class.clone()),
            oblast,
            oblast_iso,
            geonames_id,
            osm_id: Some(format!("{}/{}", o.osm_type, o.osm_id)),
            wikidata: (!o.wikidata.is_empty()).then(|| o.wikidata.clone()),
        }
    }

    fn from_geonames(r: &GeoNamesRow) -> Draft {
        let (name_uk, name_ru) = cyrillic_names(&r.alternates);
        Draft {
            name: r.name.clone(),
            name_uk,
            name_ru,
            other_names: std::iter::once(r.ascii_name.clone()).chain(r.alternates.iter().cloned()).collect(),
            lon: r.lon,
            lat: r.lat,
            population: r.population,
            class: None,
            oblast: oblast_name(&r.admin1).to_string(),
            oblast_iso: oblast_iso(&r.admin1).map(str::to_string),
            geonames_id: Some(r.geonames_id),
            osm_id: None,
            wikidata: None,
        }
    }

    fn point(&self) -> Coord<f64> {
        Coord { x: self.lon, y: self.lat }
    }

    fn all_names(&self) -> impl Iterator<Item = &String> {
        std::iter::once(&self.name).chain(self.name_uk.iter()).chain(self.name_ru.iter()).chain(self.other_names.iter())
    }

    fn into_place(self, footprint: Footprint) -> Place {
        Place {
            id: 0,
            name: self.name,
            name_uk: self.name_uk,
            name_ru: self.name_ru,
            other_names: self.other_names,
            lon: self.lon,
            lat: self.lat,
            population: self.population,
            class: self.class,
            oblast: self.oblast,
            oblast_iso: self.oblast_iso,
            geonames_id: self.geonames_id,
            osm_id: self.osm_id,
            wikidata: self.wikidata,
            osm_outline_id: None,
            footprint,
        }
    }
}

/// Cuts population discs to the hromada holding their centre and to land.
struct DiscCutter {
    hromadas: Vec<Region>,
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
    /// Each hromada ∩ land, made on first use.
    on_land: Vec<OnceLock<Territory>>,
    land: Option<Territory>,
}

impl DiscCutter {
    fn new(hromadas: Vec<Region>, land: Option<Territory>) -> Self {
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

    fn hromada_of(&self, c: Coord<f64>) -> Option<usize> {
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
    fn disc(&self, center: Coord<f64>, population: u64) -> Footprint {
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

fn osm_footprint(o: &OsmPolygon) -> Option<Footprint> {
    let mut counts = repair::RepairCounts::default();
    let polys: Vec<Polygon<f64>> =
        o.polygons.iter().cloned().filter_map(|p| repair::clean_polygon(p, &mut counts)).collect();
    let geometry = repair::union_polygons(polys, &mut counts);
    let area_m2 = geometry.geodesic_area_m2();
    (area_m2 > 0.0).then_some(Footprint { kind: FootprintKind::OsmPolygon, geometry, area_m2 })
}

// ---- OSM places (CSV) -----------------------------------------------------

struct OsmPlace {
    osm_type: String,
    osm_id: String,
    class: String,
    name: String,
    name_uk: Option<String>,
    wikidata: String,
    lat: f64,
    lon: f64,
    region: String,
}

impl OsmPlace {
    fn point(&self) -> Coord<f64> {
        Coord { x: self.lon, y: self.lat }
    }

    fn names(&self) -> impl Iterator<Item = &String> {
        std::iter::once(&self.name).chain(self.name_uk.iter())
    }
}

/// Splits CSV text (RFC 4180: quoted fields may hold commas, quotes as
/// `""` and line breaks) into records, each with its first line number;
/// `Err(line)` names the line of an unterminated quote.
pub fn csv_records(text: &str) -> std::result::Result<Vec<(usize, Vec<String>)>, usize> {
    let mut out = vec![];
    let mut record: Vec<String> = vec![];
    let mut field = String::new();
    let mut quoted = false;
    let mut line = 1;
    let mut start_line = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            ',' => record.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                if !(record.len() == 1 && record[0].is_empty()) {
                    out.push((start_line, std::mem::take(&mut record)));
                }
                record.clear();
                line += 1;
                start_line = line;
            }
            _ => field.push(c),
        }
    }
    if quoted {
        return Err(start_line);
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        out.push((start_line, record));
    }
    Ok(out)
}

/// Reads the OSM places, keeping [`PLACE_CLASSES`]. A way or relation
/// repeating a node of the same name within 2 km is dropped (counted).
fn read_osm_places(path: &Path) -> Result<(Vec<OsmPlace>, usize)> {
    let bytes = geojson::read_bytes(path)?;
    let text = String::from_utf8(bytes)
        .map_err(|e| Error::file(path, format!("not UTF-8 text ({e}); the OSM places file is UTF-8 CSV")))?;
    let records = csv_records(&text)
        .map_err(|line| Error::file(path, format!("line {line}: a quoted field is never closed; fix the quoting")))?;
    let Some(((_, header), rows)) = records.split_first() else {
        return Err(Error::file(path, "empty file; expected a CSV header osm_type,osm_id,place,name,name:uk,..."));
    };
    let col = |name: &str| {
        header.iter().position(|h| h.trim() == name).ok_or_else(|| {
            Error::file(path, format!("no '{name}' column in the header; expected osm_type,osm_id,place,name,name:uk,wikidata,lat,lon,region:name"))
        })
    };
    let (c_type, c_id, c_place, c_name, c_uk, c_wd, c_lat, c_lon, c_region) = (
        col("osm_type")?,
        col("osm_id")?,
        col("place")?,
        col("name")?,
        col("name:uk")?,
        col("wikidata")?,
        col("lat")?,
        col("lon")?,
        col("region:name")?,
    );
    let mut out: Vec<OsmPlace> = vec![];
    for (line, r) in rows {
        let get = |i: usize| r.get(i).map(|s| s.trim()).unwrap_or("");
        let class = get(c_place);
        if !PLACE_CLASSES.contains(&class) {
            continue;
        }
        let bad = |what: String| Error::file(path, format!("line {line}: {what}"));
        let num = |i: usize, what: &str| {
            get(i).parse::<f64>().map_err(|_| bad(format!("{what} {:?} is not a number", get(i))))
        };
        let (lat, lon) = (num(c_lat, "lat")?, num(c_lon, "lon")?);
        if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
            return Err(bad(format!("coordinate ({lat}, {lon}) out of range")));
        }
        let name_uk = Some(get(c_uk).to_string()).filter(|s| !s.is_empty());
        let name = get(c_name).to_string();
        if name.is_empty() && name_uk.is_none() {
            continue;
        }
        out.push(OsmPlace {
            osm_type: get(c_type).to_string(),
            osm_id: get(c_id).to_string(),
            class: class.to_string(),
            name,
            name_uk,
            wikidata: get(c_wd).to_string(),
            lat,
            lon,
            region: get(c_region).to_string(),
        });
    }
    // Nodes first, so that a way or relation repeating one is the one dropped.
    out.sort_by_key(|o| o.osm_type != "node");
    let mut kept: Vec<OsmPlace> = Vec::with_capacity(out.len());
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    let mut dropped = 0;
    for o in out {
        let key = names::exact_key(o.name_uk.as_deref().unwrap_or(&o.name));
        let same = by_name.entry(key).or_default();
        if o.osm_type != "node" && same.iter().any(|&k| geodesy::distance_m(kept[k].point(), o.point()) < 2_000.0) {
            dropped += 1;
            continue;
        }
        same.push(kept.len());
        kept.push(o);
    }
    if kept.is_empty() {
        return Err(Error::file(path, "no city, town or village rows; is this the OSM places CSV?"));
    }
    Ok((kept, dropped))
}

// ---- GeoNames ---------------------------------------------------------

struct GeoNamesRow {
    geonames_id: u64,
    name: String,
    ascii_name: String,
    alternates: Vec<String>,
    lat: f64,
    lon: f64,
    admin1: String,
    population: u64,
}

impl GeoNamesRow {
    fn names(&self) -> impl Iterator<Item = &String> {
        std::iter::once(&self.name).chain(std::iter::once(&self.ascii_name)).chain(self.alternates.iter())
    }
}

fn read_geonames(path: &Path) -> Result<Vec<GeoNamesRow>> {
    let bytes = geojson::read_bytes(path)?;
    let text = String::from_utf8(bytes)
        .map_err(|e| Error::file(path, format!("not UTF-8 text ({e}); GeoNames files are UTF-8: download it again")))?;
    let mut out = vec![];
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || (i == 0 && line.starts_with("geonameid")) {
            continue;
        }
        let bad = |what: &str| {
            Error::file(path, format!("line {}: {what}; expected the 19 tab-separated GeoNames columns", i + 1))
        };
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 15 {
            return Err(bad(&format!("{} columns", cols.len())));
        }
        // Only populated places (feature class P); cities500 holds nothing else,
        // but a user's file may.
        if cols[6] != "P" {
            continue;
        }
        let num =
            |c: &str, what: &str| c.trim().parse::<f64>().map_err(|_| bad(&format!("{what} {c:?} is not a number")));
        let lat = num(cols[4], "latitude")?;
        let lon = num(cols[5], "longitude")?;
        if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
            return Err(bad(&format!("coordinate ({lat}, {lon}) out of range")));
        }
        out.push(GeoNamesRow {
            geonames_id: cols[0]
                .trim()
                .parse()
                .map_err(|_| bad(&format!("geonameid {:?} is not a number", cols[0])))?,
            name: cols[1].to_string(),
            ascii_name: cols[2].to_string(),
            alternates: cols[3]
                .split(',')
                .filter(|s| !s.is_empty() && is_latin_or_cyrillic(s))
                .map(str::to_string)
                .collect(),
            lat,
            lon,
            admin1: cols[10].to_string(),
            population: cols[14].trim().parse().unwrap_or(0),
        });
    }
    if out.is_empty() {
        return Err(Error::file(path, "no populated places (feature class P) in this GeoNames file"));
    }
    Ok(out)
}

/// Names in scripts people type here; GeoNames also carries Chinese,
/// Armenian, Persian... spellings that would only add noise to the index.
fn is_latin_or_cyrillic(s: &str) -> bool {
    s.chars().all(|c| {
        c.is_ascii()
            || ('\u{00C0}'..='\u{024F}').contains(&c)
            || ('\u{0400}'..='\u{04FF}').contains(&c)
            || matches!(c, '’' | 'ʼ' | '‘' | '”' | '“' | '\u{301}')
    })
}

fn is_cyrillic(s: &str) -> bool {
    s.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c))
}

/// Best guess at the Ukrainian and Russian names among GeoNames' alternates:
/// letters only one of the two alphabets has decide.
fn cyrillic_names(alternates: &[String]) -> (Option<String>, Option<String>) {
    let cyr: Vec<&String> = alternates.iter().filter(|s| is_cyrillic(s) && !s.contains('\u{301}')).collect();
    let uk = cyr.iter().find(|s| s.chars().any(|c| "іїєґІЇЄҐ".contains(c))).map(|s| s.to_string());
    let ru = cyr
        .iter()
        .find(|s| s.chars().any(|c| "ыэёъЫЭЁЪ".contains(c)))
        .or_else(|| cyr.iter().find(|s| Some(s.as_str()) != uk.as_deref()))
        .map(|s| s.to_string());
    (uk.or_else(|| cyr.first().map(|s| s.to_string())), ru)
}

fn add_renamings(drafts: &mut [Draft], report: &mut GazetteerReport) {
    for (alias, current, admin1) in RENAMED {
        let key = names::skeleton(current);
        let iso = oblast_iso(admin1);
        let target = drafts
            .iter_mut()
            .filter(|d| d.oblast_iso.as_deref() == iso && d.all_names().any(|n| names::skeleton(n) == key))
            .max_by_key(|d| d.population);
        match target {
            Some(d) => {
                if !d.other_names.iter().any(|a| a == alias) {
                    d.other_names.push(alias.to_string());
                }
            }
            None => report.renamings_unresolved.push(format!("{alias} -> {current} ({})", oblast_name(admin1))),
        }
    }
}

/// GeoNames admin1 codes for Ukraine: (code, ISO 3166-2, English name).
pub const OBLASTS: &[(&str, &str, &str)] = &[
    ("01", "UA-71", "Cherkasy Oblast"),
    ("02", "UA-74", "Chernihiv Oblast"),
    ("03", "UA-77", "Chernivtsi Oblast"),
    ("04", "UA-12", "Dnipropetrovsk Oblast"),
    ("05", "UA-14", "Donetsk Oblast"),
    ("06", "UA-26", "Ivano-Frankivsk Oblast"),
    ("07", "UA-63", "Kharkiv Oblast"),
    ("08", "UA-65", "Kherson Oblast"),
    ("09", "UA-68", "Khmelnytskyi Oblast"),
    ("10", "UA-35", "Kirovohrad Oblast"),
    ("11", "UA-43", "Autonomous Republic of Crimea"),
    ("12", "UA-30", "Kyiv"),
    ("13", "UA-32", "Kyiv Oblast"),
    ("14", "UA-09", "Luhansk Oblast"),
    ("15", "UA-46", "Lviv Oblast"),
    ("16", "UA-48", "Mykolaiv Oblast"),
    ("17", "UA-51", "Odesa Oblast"),
    ("18", "UA-53", "Poltava Oblast"),
    ("19", "UA-56", "Rivne Oblast"),
    ("20", "UA-40", "Sevastopol"),
    ("21", "UA-59", "Sumy Oblast"),
    ("22", "UA-61", "Ternopil Oblast"),
    ("23", "UA-05", "Vinnytsia Oblast"),
    ("24", "UA-07", "Volyn Oblast"),
    ("25", "UA-21", "Zakarpattia Oblast"),
    ("26", "UA-23", "Zaporizhzhia Oblast"),
    ("27", "UA-18", "Zhytomyr Oblast"),
];

fn oblast_name(admin1: &str) -> &str {
    OBLASTS.iter().find(|o| o.0 == admin1).map(|o| o.2).unwrap_or("unknown oblast")
}

fn oblast_iso(admin1: &str) -> Option<&'static str> {
    OBLASTS.iter().find(|o| o.0 == admin1).map(|o| o.1)
}

/// OSM `region:name` spellings that differ from [`OBLASTS`].
const OBLAST_ALIASES: &[(&str, &str)] = &[("Zaporizhia Oblast", "UA-23"), ("Sevastopol", "UA-40"), ("Kyiv", "UA-30")];

/// The oblast (English name, ISO code) an OSM `region:name` names.
fn oblast_by_name(region: &str) -> Option<(&'static str, &'static str)> {
    let region = region.trim();
    if region.is_empty() {
        return None;
    }
    let iso = OBLAST_ALIASES.iter().find(|a| a.0 == region).map(|a| a.1);
    OBLASTS.iter().find(|o| Some(o.1) == iso || o.2 == region).map(|o| (o.2, o.1))
}

/// The oblast containing a point, named as in [`OBLASTS`] when its ISO code is known.
pub fn oblast_by_point(regions: &[Region], pt: Point<f64>) -> (String, Option<String>) {
    for r in regions {
        if r.territory.geometry.contains(&pt) {
            let name = r
                .iso
                .as_deref()
                .and_then(|iso| OBLASTS.iter().find(|o| o.1 == iso))
                .map(|o| o.2.to_string())
                .unwrap_or_else(|| r.name.clone());
            return (name, r.iso.clone());
        }
    }
    ("unknown oblast".to_string(), None)
}

// ---- OSM ----------------------------------------------------------------

struct OsmPolygon {
    id: Option<String>,
    name_ru: Option<String>,
    /// Every name and old name, for matching and lookup.
    names: Vec<String>,
    place: Option<String>,
    population: Option<u64>,
    polygons: Vec<Polygon<f64>>,
}

fn read_osm(path: &Path) -> Result<Vec<OsmPolygon>> {
    let bytes = geojson::read_bytes(path)?;
    let features = geojson::parse_features(path, &bytes)?;
    let mut out = vec![];
    for f in features {
        if f.polygons.is_empty() {
            continue;
        }
        if f.prop_str("name").is_none() {
            continue;
        }
        let s = |k: &str| f.prop_str(k).map(str::to_string);
        let names: Vec<String> = [
            "name",
            "name:en",
            "name:uk",
            "name:ru",
            "int_name",
            "alt_name",
            "old_name",
            "old_name:en",
            "old_name:uk",
            "old_name:ru",
        ]
        .iter()
        .filter_map(|k| f.prop_str(k))
        .flat_map(|v| v.split(';'))
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
        let population = f
            .prop_str("population")
            .and_then(|p| p.chars().filter(char::is_ascii_digit).collect::<String>().parse().ok());
        out.push(OsmPolygon {
            id: s("@id"),
            name_ru: s("name:ru"),
            names,
            place: s("place"),
            population,
            polygons: f.polygons,
        });
    }
    Ok(out)
}

/// For each place, the OSM outline that is the same place: one that shares
/// a name (transliteration skeleton) and contains the point or lies within
/// [`MATCH_DISTANCE_M`] of it. Containing beats near; then the nearer; then
/// a settlement (`place` tagged) over an untagged boundary; then the
/// smaller. Best pairs first, each outline given to one place.
fn match_outlines(drafts: &[Draft], keys: &[BTreeSet<String>], osm: &[OsmPolygon]) -> Vec<Option<usize>> {
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
fn approx_distance_m(pt: Point<f64>, mp: &MultiPolygon<f64>) -> f64 {
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
