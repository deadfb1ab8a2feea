//! Writing GeoJSON (RFC 7946): the one writer of Features and
//! FeatureCollections from geo types and properties, for every front end
//! (the CLI's `--geojson` files, the server's map layers).
//!
//! Streams to any [`Write`] (a file, a `Vec<u8>` that becomes an HTTP body)
//! feature by feature, so a large collection is never held twice.
//!
//! Coordinates are written as stored: rings in their stored order (the
//! store keeps exteriors counter-clockwise and holes clockwise, as RFC 7946
//! §3.1.6 asks; see ARCHITECTURE.md's invariants for the exceptions),
//! never re-oriented here. Precision ([`Precision`]):
//! - [`Precision::Full`]: the shortest decimal that reads back as the same
//!   double (serde_json's), so a figure measured on the written geometry is
//!   the figure measured on the stored one. For files people measure.
//! - [`Precision::Decimals`]: a fixed number of decimals (5 ≈ 1.1 m of
//!   latitude, the RFC's own example of "6 decimals ≈ 10 cm" scaled), for
//!   drawings (the web map), where bytes matter and no figure is computed
//!   from the geometry sent.

use geo::{Coord, Geometry, LineString, MultiLineString, MultiPolygon, Point, Polygon};
use serde::Serialize;
use serde_json::Value;
use std::io::{self, Write};

/// How coordinates are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// Shortest round-trip form: reading the text back gives the same `f64`.
    Full,
    /// This many decimals (rounded): for drawing only.
    Decimals(u8),
}

/// A geometry to write, borrowed (no copy of a layer to write it).
#[derive(Debug, Clone, Copy)]
pub enum GeometryRef<'a> {
    /// A point.
    Point(Coord<f64>),
    /// A line.
    LineString(&'a LineString<f64>),
    /// Lines.
    MultiLineString(&'a MultiLineString<f64>),
    /// A polygon.
    Polygon(&'a Polygon<f64>),
    /// Polygons.
    MultiPolygon(&'a MultiPolygon<f64>),
    /// `null` (a feature without geometry).
    Null,
}

impl<'a> From<&'a MultiPolygon<f64>> for GeometryRef<'a> {
    fn from(g: &'a MultiPolygon<f64>) -> Self {
        GeometryRef::MultiPolygon(g)
    }
}

impl<'a> From<&'a Polygon<f64>> for GeometryRef<'a> {
    fn from(g: &'a Polygon<f64>) -> Self {
        GeometryRef::Polygon(g)
    }
}

impl<'a> From<&'a MultiLineString<f64>> for GeometryRef<'a> {
    fn from(g: &'a MultiLineString<f64>) -> Self {
        GeometryRef::MultiLineString(g)
    }
}

impl<'a> From<&'a LineString<f64>> for GeometryRef<'a> {
    fn from(g: &'a LineString<f64>) -> Self {
        GeometryRef::LineString(g)
    }
}

impl From<Point<f64>> for GeometryRef<'_> {
    fn from(p: Point<f64>) -> Self {
        GeometryRef::Point(p.0)
    }
}

impl From<Coord<f64>> for GeometryRef<'_> {
    fn from(c: Coord<f64>) -> Self {
        GeometryRef::Point(c)
    }
}

impl<'a> From<&'a Geometry<f64>> for GeometryRef<'a> {
    /// The kinds frontline writes; any other kind (a rectangle, a
    /// triangle, a collection) is written as `null`.
    fn from(g: &'a Geometry<f64>) -> Self {
        match g {
            Geometry::Point(p) => GeometryRef::Point(p.0),
            Geometry::LineString(l) => GeometryRef::LineString(l),
            Geometry::MultiLineString(l) => GeometryRef::MultiLineString(l),
            Geometry::Polygon(p) => GeometryRef::Polygon(p),
            Geometry::MultiPolygon(p) => GeometryRef::MultiPolygon(p),
            _ => GeometryRef::Null,
        }
    }
}

impl<'a, T: Into<GeometryRef<'a>>> From<Option<T>> for GeometryRef<'a> {
    fn from(g: Option<T>) -> Self {
        g.map_or(GeometryRef::Null, Into::into)
    }
}

fn json_err(e: serde_json::Error) -> io::Error {
    io::Error::other(e)
}

fn number<W: Write>(out: &mut W, x: f64, precision: Precision) -> io::Result<()> {
    match precision {
        Precision::Full => serde_json::to_writer(&mut *out, &x).map_err(json_err),
        Precision::Decimals(d) if x.is_finite() => write!(out, "{x:.*}", usize::from(d)),
        // JSON has no NaN: serde_json writes null for it, and so does this.
        Precision::Decimals(_) => out.write_all(b"null"),
    }
}

fn position<W: Write>(out: &mut W, c: Coord<f64>, precision: Precision) -> io::Result<()> {
    out.write_all(b"[")?;
    number(out, c.x, precision)?;
    out.write_all(b",")?;
    number(out, c.y, precision)?;
    out.write_all(b"]")
}

fn positions<W: Write>(out: &mut W, line: &LineString<f64>, precision: Precision) -> io::Result<()> {
    out.write_all(b"[")?;
    for (i, c) in line.0.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        position(out, *c, precision)?;
    }
    out.write_all(b"]")
}

fn rings<W: Write>(out: &mut W, p: &Polygon<f64>, precision: Precision) -> io::Result<()> {
    out.write_all(b"[")?;
    positions(out, p.exterior(), precision)?;
    for h in p.interiors() {
        out.write_all(b",")?;
        positions(out, h, precision)?;
    }
    out.write_all(b"]")
}

fn list<W: Write, T>(
    out: &mut W,
    items: &[T],
    precision: Precision,
    each: impl Fn(&mut W, &T, Precision) -> io::Result<()>,
) -> io::Result<()> {
    out.write_all(b"[")?;
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        each(out, item, precision)?;
    }
    out.write_all(b"]")
}

/// Writes a geometry object (`{"type":...,"coordinates":...}`, or `null`).
pub fn write_geometry<'a>(
    out: &mut impl Write,
    geometry: impl Into<GeometryRef<'a>>,
    precision: Precision,
) -> io::Result<()> {
    let (kind, g) = match geometry.into() {
        GeometryRef::Null => return out.write_all(b"null"),
        GeometryRef::Point(c) => ("Point", GeometryRef::Point(c)),
        g @ GeometryRef::LineString(_) => ("LineString", g),
        g @ GeometryRef::MultiLineString(_) => ("MultiLineString", g),
        g @ GeometryRef::Polygon(_) => ("Polygon", g),
        g @ GeometryRef::MultiPolygon(_) => ("MultiPolygon", g),
    };
    write!(out, r#"{{"type":"{kind}","coordinates":"#)?;
    match g {
        GeometryRef::Point(c) => position(out, c, precision)?,
        GeometryRef::LineString(l) => positions(out, l, precision)?,
        GeometryRef::MultiLineString(ml) => list(out, &ml.0, precision, |o, l, p| positions(o, l, p))?,
        GeometryRef::Polygon(p) => rings(out, p, precision)?,
        GeometryRef::MultiPolygon(mp) => list(out, &mp.0, precision, |o, p, pr| rings(o, p, pr))?,
        GeometryRef::Null => {}
    }
    out.write_all(b"}")
}

/// Writes one Feature: `{"type":"Feature","properties":...,"geometry":...}`.
/// `properties` must serialise to a JSON object (or `null`).
pub fn write_feature<'a>(
    out: &mut impl Write,
    properties: &impl Serialize,
    geometry: impl Into<GeometryRef<'a>>,
    precision: Precision,
) -> io::Result<()> {
    out.write_all(br#"{"type":"Feature","properties":"#)?;
    serde_json::to_writer(&mut *out, properties).map_err(json_err)?;
    out.write_all(br#","geometry":"#)?;
    write_geometry(out, geometry, precision)?;
    out.write_all(b"}")
}

/// A FeatureCollection written feature by feature:
/// `{"type":"FeatureCollection",<members>,"features":[...]}`.
pub struct FeatureCollectionWriter<W: Write> {
    out: W,
    precision: Precision,
    features: usize,
    separator: &'static [u8],
}

impl<W: Write> FeatureCollectionWriter<W> {
    /// Starts a collection. `members` (a JSON object, or `Value::Null` for
    /// none) are written as foreign members before `features` (RFC 7946
    /// §6.1: the date, the source, figures of the whole collection).
    pub fn new(mut out: W, members: &Value, precision: Precision) -> io::Result<Self> {
        out.write_all(br#"{"type":"FeatureCollection","#)?;
        match members {
            Value::Null => {}
            Value::Object(m) => {
                for (k, v) in m {
                    serde_json::to_writer(&mut out, k).map_err(json_err)?;
                    out.write_all(b":")?;
                    serde_json::to_writer(&mut out, v).map_err(json_err)?;
                    out.write_all(b",")?;
                }
            }
            _ => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "a FeatureCollection's members must be a JSON object",
                ))
            }
        }
        out.write_all(br#""features":["#)?;
        Ok(FeatureCollectionWriter { out, precision, features: 0, separator: b"," })
    }

    /// Puts a line break between features (a file a person may open in an
    /// editor), instead of nothing (an HTTP body).
    pub fn one_feature_a_line(mut self) -> Self {
        self.separator = b",\n";
        self
    }

    /// Appends one Feature.
    pub fn feature<'a>(&mut self, properties: &impl Serialize, geometry: impl Into<GeometryRef<'a>>) -> io::Result<()> {
        if self.features > 0 {
            self.out.write_all(self.separator)?;
        }
        self.features += 1;
        write_feature(&mut self.out, properties, geometry, self.precision)
    }

    /// How many features were written.
    pub fn len(&self) -> usize {
        self.features
    }

    /// Whether no feature was written yet.
    pub fn is_empty(&self) -> bool {
        self.features == 0
    }

    /// Closes the collection and returns the writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(b"]}")?;
        Ok(self.out)
    }
}

/// A whole collection in memory, for an HTTP body or a small file: each
/// item of `features` is (properties, geometry).
pub fn feature_collection_bytes<'a, P: Serialize, G: Into<GeometryRef<'a>>>(
    members: &Value,
    features: impl IntoIterator<Item = (P, G)>,
    precision: Precision,
) -> io::Result<Vec<u8>> {
    let mut w = FeatureCollectionWriter::new(Vec::new(), members, precision)?;
    for (p, g) in features {
        w.feature(&p, g)?;
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{line_string, polygon};
    use serde_json::json;

    fn square_with_hole() -> MultiPolygon<f64> {
        MultiPolygon::new(vec![polygon![
            exterior: [(x: 30.0, y: 48.0), (x: 31.0, y: 48.0), (x: 31.0, y: 49.0), (x: 30.0, y: 49.0)],
            interiors: [[(x: 30.2, y: 48.2), (x: 30.2, y: 48.4), (x: 30.4, y: 48.4)]],
        ]])
    }

    #[test]
    fn a_collection_is_the_text_rfc_7946_shows() {
        // Written out by hand from RFC 7946 §1.5's example shapes.
        let mp = MultiPolygon::new(vec![polygon![(x: 1.0, y: 2.0), (x: 3.0, y: 2.0), (x: 3.0, y: 4.0)]]);
        let bytes = feature_collection_bytes(
            &json!({"date": "2025-01-01"}),
            [(json!({"class": "occupied"}), GeometryRef::from(&mp))],
            Precision::Decimals(2),
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            r#"{"type":"FeatureCollection","date":"2025-01-01","features":[{"type":"Feature","properties":{"class":"occupied"},"geometry":{"type":"MultiPolygon","coordinates":[[[[1.00,2.00],[3.00,2.00],[3.00,4.00],[1.00,2.00]]]]}}]}"#
        );
    }

    #[test]
    fn full_precision_reads_back_to_the_same_doubles() {
        // 0.1 + 0.2 is not 0.3 in binary: only a round-trip form keeps it.
        let x = 30.0 + 0.1 + 0.2;
        let y = 48.123_456_789_012_34;
        let line = line_string![(x: x, y: y), (x: 31.0, y: -0.000_000_1)];
        let mut out = vec![];
        write_geometry(&mut out, &line, Precision::Full).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with(r#"{"type":"LineString","coordinates":[["#), "{text}");
        // Read back with Rust's correctly rounded parser (serde_json's default
        // float parsing is not exact without its `float_roundtrip` feature).
        let numbers: Vec<f64> = text.split(['[', ']', ',']).filter_map(|t| t.parse().ok()).collect();
        assert_eq!(numbers, vec![x, y, 31.0, -0.000_000_1]);
    }

    #[test]
    fn rings_keep_their_order_and_holes() {
        let mut out = vec![];
        write_feature(&mut out, &json!({"kind": "gained"}), &square_with_hole(), Precision::Decimals(5)).unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        let coords = &v["geometry"]["coordinates"];
        assert_eq!(coords[0][0].as_array().unwrap().len(), 5); // closed square
        assert_eq!(coords[0][1].as_array().unwrap().len(), 4); // closed triangle hole
        assert_eq!(coords[0][0][1][0].as_f64(), Some(31.0));
        assert_eq!(coords[0][1][1].as_array().unwrap(), &vec![json!(30.2), json!(48.4)]);
        assert_eq!(v["properties"]["kind"], "gained");
    }

    #[test]
    fn points_nulls_and_lines_between_features() {
        let mut w =
            FeatureCollectionWriter::new(Vec::new(), &Value::Null, Precision::Full).unwrap().one_feature_a_line();
        w.feature(&json!({"a": 1}), Point::new(37.5, 48.25)).unwrap();
        w.feature(&json!({"a": 2}), GeometryRef::Null).unwrap();
        assert_eq!(w.len(), 2);
        let text = String::from_utf8(w.finish().unwrap()).unwrap();
        assert_eq!(
            text,
            "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"a\":1},\"geometry\":{\"type\":\"Point\",\"coordinates\":[37.5,48.25]}},\n{\"type\":\"Feature\",\"properties\":{\"a\":2},\"geometry\":null}]}"
        );
    }

    #[test]
    fn members_must_be_an_object() {
        let e = FeatureCollectionWriter::new(Vec::new(), &json!([1, 2]), Precision::Full).err().unwrap();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn a_non_finite_coordinate_is_null_not_invalid_json() {
        let mut out = vec![];
        write_geometry(&mut out, Coord { x: f64::NAN, y: 1.0 }, Precision::Decimals(3)).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), r#"{"type":"Point","coordinates":[null,1.000]}"#);
    }
}
