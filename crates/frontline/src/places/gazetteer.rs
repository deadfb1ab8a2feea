//! The gazetteer: every settlement with its names, oblast, population and
//! footprint (measures.md, "Settlements").
//!
//! GeoNames (`cities500`) gives the list of places, their coordinates,
//! population, oblast and alternate names. OpenStreetMap settlement
//! boundaries give footprints where a polygon matches a GeoNames place by
//! name and proximity; the rest get the population disc. OSM towns and
//! cities with no GeoNames entry (GeoNames lacks e.g. Bilozerske) are added
//! from OSM alone.

use super::names::{self, RENAMED};
use crate::error::{Error, Result};
use crate::geodesy::{self, GeodesicAreaM2};
use crate::ingest::{clean, reader};
use crate::regions::Region;
use geo::{
    BoundingRect, Contains, Coord, Distance, Euclidean, InteriorPoint, LineString, MultiPolygon, Point, Polygon,
};
use geographiclib_rs::DirectGeodesic;
use rstar::primitives::GeomWithData;
use rstar::{RTree, AABB};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// Index of a place in [`Gazetteer::places`].
pub type PlaceId = usize;

/// Vertices of a population disc: enough that the polygon's area is within
/// 0.2 % of the true disc's.
pub const DISC_VERTICES: usize = 64;

/// How far a GeoNames point may lie from an OSM polygon of the same name and
/// still be that place (GeoNames coordinates are often the old centre or a
/// station, outside today's boundary).
pub const MATCH_DISTANCE_M: f64 = 3_000.0;

/// One settlement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Place {
    /// Its index in the gazetteer.
    pub id: PlaceId,
    /// English name (OSM `name:en` where matched, else GeoNames' name).
    pub name: String,
    /// Ukrainian name, where known.
    pub name_uk: Option<String>,
    /// Russian name, where known.
    pub name_ru: Option<String>,
    /// Every other spelling lookups accept: GeoNames alternate names, OSM
    /// names and old names, and the built-in renamings.
    pub other_names: Vec<String>,
    /// The settlement's point (GeoNames; for OSM-only places, a point inside
    /// the polygon), WGS84 degrees.
    pub lon: f64,
    /// Latitude of the point, WGS84 degrees.
    pub lat: f64,
    /// Population (GeoNames; OSM `population` for OSM-only places; 0 if unknown).
    pub population: u64,
    /// English oblast name, e.g. "Donetsk Oblast".
    pub oblast: String,
    /// ISO 3166-2 code of the oblast, e.g. "UA-14", where known.
    pub oblast_iso: Option<String>,
    /// GeoNames id, if the place comes from GeoNames.
    pub geonames_id: Option<u64>,
    /// OSM id of the footprint polygon (e.g. "relation/123"), if one matched.
    pub osm_id: Option<String>,
    /// The area whose control is measured.
    pub footprint: Footprint,
}

impl Place {
    /// The settlement's point.
    pub fn point(&self) -> Coord<f64> {
        Coord { x: self.lon, y: self.lat }
    }
}

/// Where a footprint comes from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum FootprintKind {
    /// An OpenStreetMap settlement boundary.
    OsmPolygon,
    /// A geodesic disc around the point, its radius set by the population.
    PopulationDisc {
        /// Radius in metres.
        radius_m: f64,
    },
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
    /// GeoNames `cities500` extract for Ukraine (TSV, 19 columns, header row; gzip or plain).
    pub geonames: PathBuf,
    /// OSM settlement boundaries (GeoJSON), if any.
    pub osm_polygons: Option<PathBuf>,
    /// Oblast boundaries (GeoJSON with `iso3166-2`), to place OSM-only settlements.
    pub oblasts: Option<PathBuf>,
}

impl GazetteerSources {
    /// The files shipped in the shared data folder.
    pub fn shared(data_dir: &Path) -> Self {
        GazetteerSources {
            geonames: data_dir.join("settlements/geonames_cities500_UA.tsv.gz"),
            osm_polygons: Some(data_dir.join("settlements/settlements_osm_partial.geojson.gz")),
            oblasts: Some(data_dir.join("boundaries/oblasts_osm.geojson.gz")),
        }
    }

    /// Every file the gazetteer is built from.
    pub fn paths(&self) -> Vec<&Path> {
        std::iter::once(self.geonames.as_path())
            .chain(self.osm_polygons.as_deref())
            .chain(self.oblasts.as_deref())
            .collect()
    }
}

/// What building the gazetteer did, for a report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GazetteerReport {
    /// Places read from GeoNames.
    pub geonames_places: usize,
    /// OSM polygons read (features with a polygon and a name).
    pub osm_polygons: usize,
    /// GeoNames places given an OSM footprint.
    pub matched: usize,
    /// OSM towns and cities with no GeoNames entry, added from OSM.
    pub osm_only_added: usize,
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

#[derive(Debug, Clone, Default)]
struct NameIndex {
    exact: HashMap<String, Vec<(PlaceId, String)>>,
    skeleton: HashMap<String, Vec<(PlaceId, String)>>,
    /// Distinct skeletons, as chars, for the typo scan.
    skeletons: Vec<(Vec<char>, String)>,
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

impl Gazetteer {
    /// Builds the index over places (ids are reassigned to positions).
    pub fn from_places(mut places: Vec<Place>) -> Self {
        for (i, p) in places.iter_mut().enumerate() {
            p.id = i;
        }
        let mut index = NameIndex::default();
        for p in &places {
            let all =
                std::iter::once(&p.name).chain(p.name_uk.iter()).chain(p.name_ru.iter()).chain(p.other_names.iter());
            for n in all {
                let e = names::exact_key(n);
                if e.is_empty() {
                    continue;
                }
                push_unique(index.exact.entry(e).or_default(), p.id, n);
                let s = names::skeleton(n);
                push_unique(index.skeleton.entry(s).or_default(), p.id, n);
            }
        }
        index.skeletons = index.skeleton.keys().map(|k| (k.chars().collect(), k.clone())).collect();
        index.skeletons.sort_by(|a, b| a.1.cmp(&b.1));
        Gazetteer { places, index }
    }

    /// Reads GeoNames, OSM polygons and oblasts and builds the gazetteer.
    pub fn load(sources: &GazetteerSources) -> Result<(Gazetteer, GazetteerReport)> {
        let mut report = GazetteerReport::default();
        let mut rows = read_geonames(&sources.geonames)?;
        report.geonames_places = rows.len();
        let osm = match &sources.osm_polygons {
            Some(p) => read_osm(p)?,
            None => vec![],
        };
        report.osm_polygons = osm.len();
        let regions = match &sources.oblasts {
            Some(p) => crate::regions::load_regions(p)?,
            None => vec![],
        };
        add_renamings(&mut rows, &mut report);

        let footprint_of = match_osm(&rows, &osm);
        let mut used_osm = vec![false; osm.len()];
        let mut places = Vec::with_capacity(rows.len() + 64);
        for (row, osm_match) in rows.into_iter().zip(footprint_of) {
            let footprint = osm_match.and_then(|i| {
                used_osm[i] = true;
                osm_footprint(&osm[i])
            });
            let (name_uk, name_ru) = cyrillic_names(&row.alternates);
            let mut place = Place {
                id: 0,
                name: row.name.clone(),
                name_uk,
                name_ru,
                other_names: std::iter::once(row.ascii_name.clone()).chain(row.alternates.iter().cloned()).collect(),
                lon: row.lon,
                lat: row.lat,
                population: row.population,
                oblast: oblast_name(&row.admin1).to_string(),
                oblast_iso: oblast_iso(&row.admin1).map(str::to_string),
                geonames_id: Some(row.geonames_id),
                osm_id: None,
                footprint: disc_footprint(Coord { x: row.lon, y: row.lat }, row.population),
            };
            if let (Some(fp), Some(i)) = (footprint, osm_match) {
                report.matched += 1;
                let o = &osm[i];
                if let Some(en) = &o.name_en {
                    place.name = en.clone();
                }
                place.name_uk = o.name_uk.clone().or(place.name_uk);
                place.name_ru = o.name_ru.clone().or(place.name_ru);
                place.other_names.extend(o.names.iter().cloned());
                place.osm_id = o.id.clone();
                place.footprint = fp;
            }
            if place.name != row.name {
                place.other_names.push(row.name.clone());
            }
            dedup_names(&mut place);
            places.push(place);
        }
        for (i, o) in osm.iter().enumerate() {
            if used_osm[i] || !matches!(o.place.as_deref(), Some("city" | "town")) {
                continue;
            }
            let Some(fp) = osm_footprint(o) else { continue };
            let Some(pt) = fp.geometry.interior_point() else {
                continue;
            };
            let (oblast, iso) = oblast_by_point(&regions, pt);
            let mut place = Place {
                id: 0,
                name: o.name_en.clone().unwrap_or_else(|| o.name.clone()),
                name_uk: o.name_uk.clone(),
                name_ru: o.name_ru.clone(),
                other_names: o.names.clone(),
                lon: pt.x(),
                lat: pt.y(),
                population: o.population.unwrap_or(0),
                oblast,
                oblast_iso: iso,
                geonames_id: None,
                osm_id: o.id.clone(),
                footprint: fp,
            };
            dedup_names(&mut place);
            places.push(place);
            report.osm_only_added += 1;
        }
        Ok((Gazetteer::from_places(places), report))
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
            return self.matches(hits.iter().map(|(id, n)| (*id, n, MatchKind::Exact)));
        }
        let skel = names::skeleton(name);
        if let Some(hits) = self.index.skeleton.get(&skel) {
            return self.matches(hits.iter().map(|(id, n)| (*id, n, MatchKind::Transliteration)));
        }
        let query: Vec<char> = skel.chars().collect();
        let budget = names::typo_budget(query.len());
        if budget == 0 {
            return vec![];
        }
        let mut found = vec![];
        for (chars, key) in &self.index.skeletons {
            let edits = names::edit_distance_within(&query, chars, budget);
            if edits <= budget {
                if let Some(hits) = self.index.skeleton.get(key) {
                    found.extend(hits.iter().map(|(id, n)| (*id, n, MatchKind::Typo { edits })));
                }
            }
        }
        self.matches(found.into_iter())
    }

    fn matches<'a>(&self, hits: impl Iterator<Item = (PlaceId, &'a String, MatchKind)>) -> Vec<Match> {
        let mut best: HashMap<PlaceId, (MatchKind, &String)> = HashMap::new();
        for (id, n, how) in hits {
            let e = best.entry(id).or_insert((how, n));
            if how < e.0 {
                *e = (how, n);
            }
        }
        let mut out: Vec<Match> = best
            .into_iter()
            .filter_map(|(id, (how, n))| {
                let p = self.places.get(id)?;
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

fn push_unique(v: &mut Vec<(PlaceId, String)>, id: PlaceId, name: &str) {
    if !v.iter().any(|(i, _)| *i == id) {
        v.push((id, name.to_string()));
    }
}

fn dedup_names(p: &mut Place) {
    let mut seen = BTreeSet::new();
    seen.insert(p.name.clone());
    p.other_names.retain(|n| !n.trim().is_empty() && seen.insert(n.clone()));
}

fn disc_footprint(center: Coord<f64>, population: u64) -> Footprint {
    let radius_m = disc_radius_m(population);
    let geometry = MultiPolygon::new(vec![geodesic_disc(center, radius_m)]);
    Footprint { kind: FootprintKind::PopulationDisc { radius_m }, area_m2: geometry.geodesic_area_m2(), geometry }
}

fn osm_footprint(o: &OsmPolygon) -> Option<Footprint> {
    let mut counts = clean::RepairCounts::default();
    let polys: Vec<Polygon<f64>> =
        o.polygons.iter().cloned().filter_map(|p| clean::clean_polygon(p, &mut counts)).collect();
    let geometry = clean::union_polygons(polys, &mut counts);
    let area_m2 = geometry.geodesic_area_m2();
    (area_m2 > 0.0).then_some(Footprint { kind: FootprintKind::OsmPolygon, geometry, area_m2 })
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

fn read_geonames(path: &Path) -> Result<Vec<GeoNamesRow>> {
    let bytes = reader::read_bytes(path)?;
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

fn add_renamings(rows: &mut [GeoNamesRow], report: &mut GazetteerReport) {
    for (alias, current, admin1) in RENAMED {
        let target = rows.iter_mut().filter(|r| r.name == *current && r.admin1 == *admin1).max_by_key(|r| r.population);
        match target {
            Some(r) => {
                if !r.alternates.iter().any(|a| a == alias) {
                    r.alternates.push(alias.to_string());
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
    name: String,
    name_en: Option<String>,
    name_uk: Option<String>,
    name_ru: Option<String>,
    /// Every name and old name, for matching and lookup.
    names: Vec<String>,
    place: Option<String>,
    population: Option<u64>,
    polygons: Vec<Polygon<f64>>,
}

fn read_osm(path: &Path) -> Result<Vec<OsmPolygon>> {
    let bytes = reader::read_bytes(path)?;
    let features = reader::parse_features(path, &bytes)?;
    let mut out = vec![];
    for f in features {
        if f.polygons.is_empty() {
            continue;
        }
        let Some(name) = f.prop_str("name").map(str::to_string) else {
            continue;
        };
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
            name,
            name_en: s("name:en"),
            name_uk: s("name:uk"),
            name_ru: s("name:ru"),
            names,
            place: s("place"),
            population,
            polygons: f.polygons,
        });
    }
    Ok(out)
}

/// For each GeoNames row, the OSM polygon that is the same place: one that
/// shares a name (transliteration skeleton) and contains the point or lies
/// within [`MATCH_DISTANCE_M`] of it. Containing beats near; then the
/// nearer; then a settlement (`place` tagged) over an untagged boundary;
/// then the smaller.
fn match_osm(rows: &[GeoNamesRow], osm: &[OsmPolygon]) -> Vec<Option<usize>> {
    let tree: RTree<GeomWithData<[f64; 2], usize>> =
        RTree::bulk_load(rows.iter().enumerate().map(|(i, r)| GeomWithData::new([r.lon, r.lat], i)).collect());
    let row_keys: Vec<BTreeSet<String>> = rows
        .iter()
        .map(|r| {
            std::iter::once(&r.name)
                .chain(std::iter::once(&r.ascii_name))
                .chain(r.alternates.iter())
                .map(|n| names::skeleton(n))
                .filter(|k| !k.is_empty())
                .collect()
        })
        .collect();
    // (outside, distance_m, untagged, area in square degrees): smaller is better.
    type Score = (bool, f64, bool, f64);
    let mut best: Vec<Option<(usize, Score)>> = vec![None; rows.len()];
    for (oi, o) in osm.iter().enumerate() {
        let mp = MultiPolygon::new(o.polygons.clone());
        let Some(bbox) = mp.bounding_rect() else {
            continue;
        };
        let keys: BTreeSet<String> = o.names.iter().map(|n| names::skeleton(n)).collect();
        let lat = bbox.center().y;
        let pad_lat = MATCH_DISTANCE_M / 110_000.0;
        let pad_lon = MATCH_DISTANCE_M / (110_000.0 * lat.to_radians().cos().max(0.1));
        let env = AABB::from_corners(
            [bbox.min().x - pad_lon, bbox.min().y - pad_lat],
            [bbox.max().x + pad_lon, bbox.max().y + pad_lat],
        );
        let planar_area = geo::Area::unsigned_area(&mp);
        for cand in tree.locate_in_envelope(&env) {
            let ri = cand.data;
            if row_keys[ri].is_disjoint(&keys) {
                continue;
            }
            let pt = Point::new(rows[ri].lon, rows[ri].lat);
            let contains = mp.contains(&pt);
            let distance_m = if contains { 0.0 } else { approx_distance_m(pt, &mp) };
            if distance_m > MATCH_DISTANCE_M {
                continue;
            }
            let score = (!contains, distance_m, o.place.is_none(), planar_area);
            let better = match &best[ri] {
                None => true,
                Some((_, s)) => score.partial_cmp(s) == Some(std::cmp::Ordering::Less),
            };
            if better {
                best[ri] = Some((oi, score));
            }
        }
    }
    best.into_iter().map(|b| b.map(|(i, _)| i)).collect()
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
            oblast: oblast.into(),
            oblast_iso: None,
            geonames_id: None,
            osm_id: None,
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
