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

/// The most bytes a file may hold, plain or once unzipped: 256 MiB. The
/// largest published control map is under 5 MB unzipped; the limit keeps a
/// hostile `.gz` (a few MB that expand to gigabytes) from exhausting memory.
pub const MAX_FILE_BYTES: u64 = 256 << 20;

/// Reads a file's bytes, gunzipping when it starts with the gzip magic.
///
/// Refuses anything but a regular file (a FIFO would block, a device would
/// never end; symbolic links are followed to what they point at), and any
/// content above [`MAX_FILE_BYTES`], plain or unzipped.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    let io = |source| Error::Io { path: path.to_path_buf(), source };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(Error::file(path, format!("{}; frontline reads regular files only", file_kind(&meta))));
    }
    let too_big = |what: &str| {
        Error::file(
            path,
            format!(
                "{what} more than {} MiB; frontline reads control maps up to that size \
                 (published ones are under 5 MB): check the file, or split it",
                MAX_FILE_BYTES >> 20
            ),
        )
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_big("holds"));
    }
    let mut raw = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    std::fs::File::open(path).and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut raw)).map_err(io)?;
    if raw.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big("holds"));
    }
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::with_capacity(raw.len() * 8);
        GzDecoder::new(&raw[..])
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut out)
            .map_err(|e| Error::file(path, format!("corrupt or truncated gzip data ({e}); download the file again")))?;
        if out.len() as u64 > MAX_FILE_BYTES {
            return Err(too_big("unzips to"));
        }
        Ok(out)
    } else {
        Ok(raw)
    }
}

/// What a non-regular file is, in words.
fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a named pipe (FIFO), not a file";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device, not a file";
        }
        if t.is_socket() {
            return "a socket, not a file";
        }
    }
    if meta.is_dir() {
        "a folder, not a file"
    } else {
        "not a regular file"
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
    /// Points and lines found in the geometry (not territory: counted here,
    /// and the lines kept in `lines`).
    pub non_areal_parts: usize,
    /// The LineStrings and MultiLineStrings' lines (rivers on a base map),
    /// Z dropped; a line with a position that is not a finite lon/lat is
    /// left out (a control map's lines are never measured).
    pub lines: Vec<LineString<f64>>,
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
    // A UTF-8 byte-order mark (some Windows editors write one) is not JSON.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
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
        GeometryIn::Line(c) => {
            out.non_areal_parts += 1;
            out.lines.extend(ring(c).ok());
        }
        GeometryIn::MultiLine(c) => {
            out.non_areal_parts += 1;
            if let Nested::List(lines) = c {
                out.lines.extend(lines.into_iter().filter_map(|l| ring(l).ok()));
            }
        }
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
        return Err(format!("non-finite coordinate [{}, {}]; fix or drop that vertex", compact(c.x), compact(c.y)));
    }
    if !(-180.0..=180.0).contains(&c.x) || !(-90.0..=90.0).contains(&c.y) {
        return Err(format!(
            "coordinate [{}, {}] is outside longitude ±180 / latitude ±90 (swapped axes or a projected CRS? frontline reads WGS84 lon/lat only)",
            compact(c.x),
            compact(c.y)
        ));
    }
    Ok(c)
}

/// A coordinate as a person reads it: as written when short, else in
/// scientific notation (never a 309-digit number).
fn compact(v: f64) -> String {
    let plain = v.to_string();
    if plain.len() <= 24 {
        plain
    } else {
        format!("{v:.6e}")
    }
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
    Line(Nested),
    MultiLine(Nested),
    NonAreal,
}

/// Coordinates of any depth: a position, or an array of deeper things.
enum Nested {
    Position(Coord<f64>),
    List(Vec<Nested>),
    Invalid(&'static str),
}

impl Nested {
    fn describe(&self) -> String {
        match self {
            Nested::Position(_) => "a single position".into(),
            Nested::List(items) => match items.iter().find_map(|i| match i {
                Nested::Invalid(what) => Some(*what),
                _ => None,
            }) {
                // e.g. ["30.5", "48.1"]: say what is inside, not just "an array".
                Some("a string") => {
                    "an array holding a string (coordinates must be JSON numbers, not text in quotes: 30.5, not \"30.5\")"
                        .into()
                }
                Some(what) => format!("an array holding {what}"),
                None => "an array".into(),
            },
            Nested::Invalid(what) => (*what).into(),
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
                let missing = || de::Error::custom(format!("{kind} without \"coordinates\""));
                match kind.as_str() {
                    "Polygon" => Ok(GeometryIn::Polygon(coordinates.ok_or_else(missing)?)),
                    "MultiPolygon" => Ok(GeometryIn::MultiPolygon(coordinates.ok_or_else(missing)?)),
                    "GeometryCollection" => Ok(GeometryIn::Collection(geometries.unwrap_or_default())),
                    "LineString" => Ok(coordinates.map_or(GeometryIn::NonAreal, GeometryIn::Line)),
                    "MultiLineString" => Ok(coordinates.map_or(GeometryIn::NonAreal, GeometryIn::MultiLine)),
                    "Point" | "MultiPoint" => Ok(GeometryIn::NonAreal),
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
    fn keeps_lines_for_base_maps_and_counts_them_as_non_areal() {
        // A river as LineString and as MultiLineString (3-D), and a line with an
        // out-of-range position, which is left out rather than failing the file.
        let text = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"name":"Dnipro"},"geometry":{"type":"LineString","coordinates":[[30,48],[31,47.5]]}},
          {"type":"Feature","properties":{},"geometry":{"type":"MultiLineString","coordinates":[[[30,48,1],[31,48,1]],[[32,49],[33,49],[34,50]]]}},
          {"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[30,48],[31,95]]}}]}"#;
        let f = parse(text).expect("valid");
        assert_eq!(f[0].lines, vec![LineString::from(vec![(30.0, 48.0), (31.0, 47.5)])]);
        assert_eq!(f[1].lines.len(), 2);
        assert_eq!(f[1].lines[1].0.len(), 3);
        assert!(f[2].lines.is_empty());
        assert!(f.iter().all(|x| x.polygons.is_empty() && x.non_areal_parts == 1));
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
    fn a_byte_order_mark_is_accepted() {
        let text = "\u{feff}{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[30,48],[31,48],[31,49],[30,48]]]}}";
        assert_eq!(parse(text).expect("BOM then JSON").len(), 1);
    }

    #[test]
    fn quoted_coordinates_are_named_as_strings() {
        let e = parse(r#"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[["30","48"],["31","48"],["31","49"],["30","48"]]]}}"#)
            .expect_err("strings")
            .to_string();
        assert!(e.contains("feature #0") && e.contains("a string") && e.contains("JSON numbers"), "{e}");
    }

    #[test]
    fn a_huge_coordinate_is_printed_compactly() {
        let e = parse(r#"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[1e308,48],[31,48],[31,49],[30,48]]]}}"#)
            .expect_err("1e308")
            .to_string();
        assert!(e.contains("[1.000000e308, 48]") && e.len() < 250, "{e}");
    }

    #[test]
    fn oversized_gzip_and_non_files_are_refused() {
        use flate2::write::GzEncoder;
        use std::io::Write;
        let dir = std::env::temp_dir().join(format!("frontline-reader-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        // 257 MiB of zeros, about 256 KB zipped.
        let bomb = dir.join("bomb.geojson.gz");
        let mut gz = GzEncoder::new(std::fs::File::create(&bomb).expect("create"), flate2::Compression::fast());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..257 {
            gz.write_all(&zeros).expect("write");
        }
        gz.finish().expect("finish");
        let e = read_bytes(&bomb).expect_err("bomb").to_string();
        assert!(e.contains("bomb.geojson.gz") && e.contains("unzips to more than 256 MiB"), "{e}");
        #[cfg(unix)]
        {
            let link = dir.join("null.geojson");
            let _ = std::fs::remove_file(&link);
            std::os::unix::fs::symlink("/dev/null", &link).expect("symlink");
            let e = read_bytes(&link).expect_err("device").to_string();
            assert!(e.contains("a device, not a file"), "{e}");
        }
        let e = read_bytes(&dir).expect_err("folder").to_string();
        assert!(e.contains("a folder"), "{e}");
        std::fs::remove_dir_all(&dir).ok();
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
