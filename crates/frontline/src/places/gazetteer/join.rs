//! Joining the sources into places: GeoNames matched to OSM places by
//! name and distance (population, alternate names), the built-in renamings,
//! and each place's oblast.

use super::*;

/// Pairs every GeoNames entry with the OSM place it is: a shared name
/// skeleton and at most [`JOIN_DISTANCE_M`] apart; nearest pairs first, each
/// side used once. Returns the GeoNames index per OSM place, and which
/// GeoNames entries were used.
pub(super) fn join_geonames(
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
pub(super) struct Draft {
    pub(super) name: String,
    pub(super) name_uk: Option<String>,
    pub(super) name_ru: Option<String>,
    pub(super) other_names: Vec<String>,
    pub(super) lon: f64,
    pub(super) lat: f64,
    pub(super) population: u64,
    pub(super) class: Option<String>,
    pub(super) oblast: String,
    pub(super) oblast_iso: Option<String>,
    pub(super) geonames_id: Option<u64>,
    pub(super) osm_id: Option<String>,
    pub(super) wikidata: Option<String>,
}

impl Draft {
    pub(super) fn from_osm(o: &OsmPlace, gn: Option<&GeoNamesRow>, regions: &[Region]) -> Draft {
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

    pub(super) fn from_geonames(r: &GeoNamesRow) -> Draft {
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

    pub(super) fn point(&self) -> Coord<f64> {
        Coord { x: self.lon, y: self.lat }
    }

    pub(super) fn all_names(&self) -> impl Iterator<Item = &String> {
        std::iter::once(&self.name).chain(self.name_uk.iter()).chain(self.name_ru.iter()).chain(self.other_names.iter())
    }

    pub(super) fn into_place(self, footprint: Footprint) -> Place {
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

pub(super) fn add_renamings(drafts: &mut [Draft], report: &mut GazetteerReport) {
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

pub(super) fn oblast_name(admin1: &str) -> &str {
    OBLASTS.iter().find(|o| o.0 == admin1).map(|o| o.2).unwrap_or("unknown oblast")
}

pub(super) fn oblast_iso(admin1: &str) -> Option<&'static str> {
    OBLASTS.iter().find(|o| o.0 == admin1).map(|o| o.1)
}

/// OSM `region:name` spellings that differ from [`OBLASTS`].
pub(super) const OBLAST_ALIASES: &[(&str, &str)] =
    &[("Zaporizhia Oblast", "UA-23"), ("Sevastopol", "UA-40"), ("Kyiv", "UA-30")];

/// The oblast (English name, ISO code) an OSM `region:name` names.
pub(super) fn oblast_by_name(region: &str) -> Option<(&'static str, &'static str)> {
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
