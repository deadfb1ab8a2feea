//! Reading the gazetteer's source files: OSM place nodes (CSV), GeoNames
//! (`cities500`) and the OSM settlement outlines (GeoJSON).

use super::*;

// ---- OSM places (CSV) -----------------------------------------------------

pub(super) struct OsmPlace {
    pub(super) osm_type: String,
    pub(super) osm_id: String,
    pub(super) class: String,
    pub(super) name: String,
    pub(super) name_uk: Option<String>,
    pub(super) wikidata: String,
    pub(super) lat: f64,
    pub(super) lon: f64,
    pub(super) region: String,
}

impl OsmPlace {
    pub(super) fn point(&self) -> Coord<f64> {
        Coord { x: self.lon, y: self.lat }
    }

    pub(super) fn names(&self) -> impl Iterator<Item = &String> {
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
pub(super) fn read_osm_places(path: &Path) -> Result<(Vec<OsmPlace>, usize)> {
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

pub(super) struct GeoNamesRow {
    pub(super) geonames_id: u64,
    pub(super) name: String,
    pub(super) ascii_name: String,
    pub(super) alternates: Vec<String>,
    pub(super) lat: f64,
    pub(super) lon: f64,
    pub(super) admin1: String,
    pub(super) population: u64,
}

impl GeoNamesRow {
    pub(super) fn names(&self) -> impl Iterator<Item = &String> {
        std::iter::once(&self.name).chain(std::iter::once(&self.ascii_name)).chain(self.alternates.iter())
    }
}

pub(super) fn read_geonames(path: &Path) -> Result<Vec<GeoNamesRow>> {
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
pub(super) fn is_latin_or_cyrillic(s: &str) -> bool {
    s.chars().all(|c| {
        c.is_ascii()
            || ('\u{00C0}'..='\u{024F}').contains(&c)
            || ('\u{0400}'..='\u{04FF}').contains(&c)
            || matches!(c, '’' | 'ʼ' | '‘' | '”' | '“' | '\u{301}')
    })
}

pub(super) fn is_cyrillic(s: &str) -> bool {
    s.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c))
}

/// Best guess at the Ukrainian and Russian names among GeoNames' alternates:
/// letters only one of the two alphabets has decide.
pub(super) fn cyrillic_names(alternates: &[String]) -> (Option<String>, Option<String>) {
    let cyr: Vec<&String> = alternates.iter().filter(|s| is_cyrillic(s) && !s.contains('\u{301}')).collect();
    let uk = cyr.iter().find(|s| s.chars().any(|c| "іїєґІЇЄҐ".contains(c))).map(|s| s.to_string());
    let ru = cyr
        .iter()
        .find(|s| s.chars().any(|c| "ыэёъЫЭЁЪ".contains(c)))
        .or_else(|| cyr.iter().find(|s| Some(s.as_str()) != uk.as_deref()))
        .map(|s| s.to_string());
    (uk.or_else(|| cyr.first().map(|s| s.to_string())), ru)
}

// ---- OSM ----------------------------------------------------------------

pub(super) struct OsmPolygon {
    pub(super) id: Option<String>,
    pub(super) name_ru: Option<String>,
    /// Every name and old name, for matching and lookup.
    pub(super) names: Vec<String>,
    pub(super) place: Option<String>,
    pub(super) population: Option<u64>,
    pub(super) polygons: Vec<Polygon<f64>>,
}

pub(super) fn read_osm(path: &Path) -> Result<Vec<OsmPolygon>> {
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
