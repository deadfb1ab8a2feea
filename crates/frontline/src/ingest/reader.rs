//! Reading GeoJSON as published: plain or gzipped, 2-D or 3-D, polygons
//! possibly wrapped in GeometryCollections, with properties of any shape.
//!
//! The parser is typed (no intermediate `serde_json::Value` for
//! coordinates) because parsing is most of the cost of sweeping a daily
//! history: see `benches/area_series.rs`.

use crate::error::{Error, Result};
use flate2::read::GzDecoder;
use geo::{Coord, LineString, Polygon};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::fmt;
use std::io::Read;
use std::path::Path;

/// Reads a file's bytes, gunzipping when it starts with the gzip magic.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    let raw = std::fs::read(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::with_capacity(raw.len() * 8);
        GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(|e| Error::file(path, format!("corrupt or truncated gzip data ({e}); download the file again")))?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

/// One GeoJSON feature as read: its properties and the polygons it carries.
#[derive(Debug, Clone, Default)]
pub struct RawFeature {
    /// Zero-based position in the file.
    pub index: usize,
    /// `properties`, empty when null or absent.
    pub properties: Map<String, Value>,
    /// Every polygon of the geometry (MultiPolygons and GeometryCollections
    /// flattened), Z dropped, rings as drawn.
    pub polygons: Vec<Polygon<f64>>,
    /// The geometry was null or absent.
    pub null_geometry: bool,
    /// Points and lines found in the geometry (not territory; counted, not kept).
    pub non_areal_parts: usize,
    /// Rings whose last position did not repeat the first (closed on reading).
    pub unclosed_rings: usize,
}

impl RawFeature {
    /// A property as a string, if present and a string.
    pub fn prop_str(&self, key: &str) -> Option<&str> {
        self.properties.get(key).and_then(Value::as_str)
    }
}

/// Parses a GeoJSON FeatureCollection (or a single Feature) from bytes.
///
/// Coordinates are checked here: a non-finite number, a latitude outside
/// ±90° or a longitude outside ±180° is an error naming the feature, since
/// no standard repair exists for a wrong coordinate.
pub fn parse_features(path: &Path, bytes: &[u8]) -> Result<Vec<RawFeature>> {
    let doc: Document = serde_json::from_slice(bytes).map_err(|e| json_error(path, bytes, &e))?;
    let raw_features = match doc {
        Document::Collection(f) => f,
        Document::Feature(f) => vec![f],
    };
    raw_features
        .into_iter()
        .enumerate()
        .map(|(index, f)| {
            let mut out = RawFeature {
                index,
                properties: f.properties.unwrap_or_default(),
                null_geometry: f.geometry.is_none(),
                ..RawFeature::default()
            };
            if let Some(g) = f.geometry {
                flatten(g, &mut out).map_err(|problem| Error::feature(path, index, problem))?;
            }
            Ok(out)
        })
        .collect()
}

/// Turns a serde_json error into one naming the feature it happened in.
fn json_error(path: &Path, bytes: &[u8], e: &serde_json::Error) -> Error {
    let offset = byte_offset(bytes, e.line(), e.column());
    let prefix = &bytes[..offset.min(bytes.len())];
    let features_begun = count(prefix, b"\"Feature\"");
    let hint = if e.is_eof() {
        "the file is truncated; download it again".to_string()
    } else if bytes.get(offset.saturating_sub(1)..offset + 2).is_some_and(|w| w.contains(&b'N') || w.contains(&b'I')) {
        format!("{e} (a NaN or Infinity coordinate: JSON has no such number; fix or drop that vertex)")
    } else {
        format!("not valid GeoJSON: {e}")
    };
    let hint = if e.is_eof() { format!("{hint} ({e})") } else { hint };
    if features_begun > 0 {
        Error::feature(path, features_begun - 1, hint)
    } else {
        Error::file(path, hint)
    }
}

fn byte_offset(bytes: &[u8], line: usize, column: usize) -> usize {
    let mut current_line = 1;
    let mut line_start = 0;
    if line > 1 {
        for (i, b) in bytes.iter().enumerate() {
            if *b == b'\n' {
                current_line += 1;
                if current_line == line {
                    line_start = i + 1;
                    break;
                }
            }
        }
    }
    (line_start + column.saturating_sub(1)).min(bytes.len())
}

fn count(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).filter(|w| *w == needle).count()
}

fn flatten(g: GeometryIn, out: &mut RawFeature) -> std::result::Result<(), String> {
    match g {
        GeometryIn::Polygon(c) => {
            let p = polygon(c, out)?;
            out.polygons.push(p);
        }
        GeometryIn::MultiPolygon(c) => match c {
            Nested::List(polys) => {
                for p in polys {
                    let p = polygon(p, out)?;
                    out.polygons.push(p);
                }
            }
            other => {
                return Err(format!(
                    "MultiPolygon coordinates must be an array of polygons, found {}",
                    other.describe()
                ))
            }
        },
        GeometryIn::Collection(parts) => {
            for part in parts {
                flatten(part, out)?;
            }
        }
        GeometryIn::NonAreal => out.non_areal_parts += 1,
    }
    Ok(())
}

fn polygon(c: Nested, out: &mut RawFeature) -> std::result::Result<Polygon<f64>, String> {
    let Nested::List(rings) = c else {
        return Err(format!("Polygon coordinates must be an array of rings, found {}", c.describe()));
    };
    let mut rings = rings.into_iter().map(|r| {
        let r = ring(r)?;
        // geo closes rings itself; count the ones that needed it as repairs.
        if r.0.len() >= 2 && r.0.first() != r.0.last() {
            out.unclosed_rings += 1;
        }
        Ok::<_, String>(r)
    });
    let exterior = rings.next().transpose()?.unwrap_or_else(|| LineString::new(vec![]));
    let holes = rings.collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(Polygon::new(exterior, holes))
}

fn ring(c: Nested) -> std::result::Result<LineString<f64>, String> {
    let Nested::List(points) = c else {
        return Err(format!("a ring must be an array of positions, found {}", c.describe()));
    };
    points
        .into_iter()
        .map(|p| match p {
            Nested::Position(c) => check_coord(c),
            other => Err(format!("a position must be [longitude, latitude], found {}", other.describe())),
        })
        .collect::<std::result::Result<Vec<_>, _>>()
        .map(LineString::new)
}

fn check_coord(c: Coord<f64>) -> std::result::Result<Coord<f64>, String> {
    if !c.x.is_finite() || !c.y.is_finite() {
        return Err(format!("non-finite coordinate [{}, {}]; fix or drop that vertex", c.x, c.y));
    }
    if !(-180.0..=180.0).contains(&c.x) || !(-90.0..=90.0).contains(&c.y) {
        return Err(format!(
            "coordinate [{}, {}] is outside longitude ±180 / latitude ±90 (swapped axes or a projected CRS? frontline reads WGS84 lon/lat only)",
            c.x, c.y
        ));
    }
    Ok(c)
}

// ---- typed deserialisation ----------------------------------------------

enum Document {
    Collection(Vec<FeatureIn>),
    Feature(FeatureIn),
}

struct FeatureIn {
    properties: Option<Map<String, Value>>,
    geometry: Option<GeometryIn>,
}

enum GeometryIn {
    Polygon(Nested),
    MultiPolygon(Nested),
    Collection(Vec<GeometryIn>),
    NonAreal,
}

/// Coordinates of any depth: a position, or an array of deeper things.
enum Nested {
    Position(Coord<f64>),
    List(Vec<Nested>),
    Invalid(&'static str),
}

impl Nested {
    fn describe(&self) -> &'static str {
        match self {
            Nested::Position(_) => "a single position",
            Nested::List(_) => "an array",
            Nested::Invalid(what) => what,
        }
    }
}

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Document;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a GeoJSON FeatureCollection or Feature")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Document, A::Error> {
                let mut kind: Option<String> = None;
                let mut features = None;
                let mut properties = None;
                let mut geometry = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "type" => kind = Some(map.next_value()?),
                        "features" => features = Some(map.next_value::<Vec<FeatureIn>>()?),
                        "properties" => properties = map.next_value()?,
                        "geometry" => geometry = map.next_value::<Option<GeometryIn>>()?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                match kind.as_deref() {
                    Some("FeatureCollection") => Ok(Document::Collection(features.unwrap_or_default())),
                    Some("Feature") => Ok(Document::Feature(FeatureIn { properties, geometry })),
                    Some(other) => Err(de::Error::custom(format!(
                        "top-level type is {other:?}; expected a FeatureCollection or Feature"
                    ))),
                    None => Err(de::Error::custom("no top-level \"type\"; not a GeoJSON FeatureCollection")),
                }
            }
        }
        d.deserialize_map(V)
    }
}

impl<'de> Deserialize<'de> for FeatureIn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FeatureIn;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a GeoJSON Feature")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<FeatureIn, A::Error> {
                let mut properties = None;
                let mut geometry = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "properties" => properties = map.next_value()?,
                        "geometry" => geometry = map.next_value::<Option<GeometryIn>>()?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(FeatureIn { properties, geometry })
            }
        }
        d.deserialize_map(V)
    }
}

impl<'de> Deserialize<'de> for GeometryIn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = GeometryIn;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a GeoJSON geometry")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<GeometryIn, A::Error> {
                let mut kind: Option<String> = None;
                let mut coordinates: Option<Nested> = None;
                let mut geometries: Option<Vec<GeometryIn>> = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "type" => kind = Some(map.next_value()?),
                        "coordinates" => coordinates = Some(map.next_value()?),
                        "geometries" => geometries = Some(map.next_value()?),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                let kind = kind.ok_or_else(|| de::Error::custom("geometry without \"type\""))?;
                let coords = || coordinates.ok_or_else(|| de::Error::custom(format!("{kind} without \"coordinates\"")));
                match kind.as_str() {
                    "Polygon" => Ok(GeometryIn::Polygon(coords()?)),
                    "MultiPolygon" => Ok(GeometryIn::MultiPolygon(coords()?)),
                    "GeometryCollection" => Ok(GeometryIn::Collection(geometries.unwrap_or_default())),
                    "Point" | "MultiPoint" | "LineString" | "MultiLineString" => Ok(GeometryIn::NonAreal),
                    other => Err(de::Error::custom(format!("unknown geometry type {other:?}"))),
                }
            }
        }
        d.deserialize_map(V)
    }
}

impl<'de> Deserialize<'de> for Nested {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(NestedVisitor)
    }
}

struct NestedVisitor;

/// One element of a coordinate array: a number (so the array is a position)
/// or something deeper.
enum Element {
    Number(f64),
    Deeper(Nested),
}

impl<'de> Deserialize<'de> for Element {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Element;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or an array")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Element, E> {
                Ok(Element::Number(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Element, E> {
                Ok(Element::Number(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Element, E> {
                Ok(Element::Number(v as f64))
            }
            fn visit_unit<E: de::Error>(self) -> std::result::Result<Element, E> {
                Ok(Element::Deeper(Nested::Invalid("null")))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> std::result::Result<Element, E> {
                Ok(Element::Deeper(Nested::Invalid("a string")))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> std::result::Result<Element, E> {
                Ok(Element::Deeper(Nested::Invalid("a boolean")))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Element, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Element::Deeper(Nested::Invalid("an object")))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> std::result::Result<Element, A::Error> {
                NestedVisitor.visit_seq(seq).map(Element::Deeper)
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Visitor<'de> for NestedVisitor {
    type Value = Nested;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("GeoJSON coordinates")
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<Nested, E> {
        Ok(Nested::Invalid("null"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Nested, A::Error> {
        match seq.next_element::<Element>()? {
            None => Ok(Nested::List(vec![])),
            Some(Element::Number(x)) => {
                // A position: longitude, latitude, then an optional Z (and
                // anything else) that is dropped.
                let y = match seq.next_element::<Element>()? {
                    Some(Element::Number(y)) => y,
                    _ => {
                        while seq.next_element::<IgnoredAny>()?.is_some() {}
                        return Ok(Nested::Invalid("a position without a numeric latitude"));
                    }
                };
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Nested::Position(Coord { x, y }))
            }
            Some(Element::Deeper(first)) => {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(8) + 1);
                items.push(first);
                while let Some(e) = seq.next_element::<Element>()? {
                    items.push(match e {
                        Element::Deeper(n) => n,
                        Element::Number(_) => Nested::Invalid("a number where an array was expected"),
                    });
                }
                Ok(Nested::List(items))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<RawFeature>> {
        parse_features(Path::new("t.geojson"), text.as_bytes())
    }

    #[test]
    fn reads_3d_polygons_inside_collections_and_skips_points() {
        let text = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"name":"a"},"geometry":{"type":"GeometryCollection","geometries":[
             {"type":"Polygon","coordinates":[[[30,48,0],[31,48,0],[31,49,0],[30,48,0]]]},
             {"type":"Point","coordinates":[30,48,0]}]}},
          {"type":"Feature","properties":null,"geometry":null}]}"#;
        let f = parse(text).expect("valid");
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].polygons.len(), 1);
        assert_eq!(f[0].polygons[0].exterior().0[1], Coord { x: 31.0, y: 48.0 });
        assert_eq!(f[0].non_areal_parts, 1);
        assert_eq!(f[0].prop_str("name"), Some("a"));
        assert!(f[1].null_geometry);
    }

    #[test]
    fn nan_names_the_feature() {
        let text = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[30,48],[31,48],[31,49],[30,48]]]}},
          {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[30,48],[NaN,48],[31,49],[30,48]]]}}]}"#;
        let e = parse(text).expect_err("NaN is not JSON").to_string();
        assert!(e.starts_with("t.geojson: feature #1: "), "{e}");
        assert!(e.contains("NaN"), "{e}");
    }

    #[test]
    fn truncated_file_is_reported() {
        let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[30,48],[31,4"#;
        let e = parse(text).expect_err("truncated").to_string();
        assert!(e.contains("feature #0") && e.contains("truncated"), "{e}");
    }

    #[test]
    fn out_of_range_and_null_coordinates_are_rejected() {
        let e = parse(r#"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[300,48],[31,48],[31,49],[300,48]]]}}"#)
            .expect_err("lon 300")
            .to_string();
        assert!(e.contains("feature #0") && e.contains("outside"), "{e}");
        let e = parse(r#"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[30,null],[31,48],[31,49],[30,48]]]}}"#)
            .expect_err("null lat")
            .to_string();
        assert!(e.contains("latitude"), "{e}");
    }
}
