//! Geometry to GeoJSON text for the map, simplified to the zoom asked for.
//!
//! This is drawing, not measuring: no figure is ever computed from the
//! simplified geometry. Coordinates are written with 5 decimals (about 1 m),
//! finer than any zoom the map shows.

use geo::{Coord, LineString, MultiLineString, MultiPolygon, Polygon, Simplify};
use std::fmt::Write;

/// The deepest zoom that is simplified; from here on the geometry is sent as stored.
pub const MAX_SIMPLIFIED_ZOOM: u8 = 12;

/// The highest zoom a client may ask for (MapLibre's own limit).
pub const MAX_ZOOM: u8 = 22;

/// Simplification tolerance (degrees) for a zoom: half a screen pixel of a
/// 512-pixel world at that zoom, so the simplification cannot be seen.
pub fn tolerance_deg(zoom: u8) -> f64 {
    if zoom > MAX_SIMPLIFIED_ZOOM {
        return 0.0;
    }
    0.5 * 360.0 / (512.0 * f64::from(1u32 << zoom))
}

/// Simplifies every ring (Ramer–Douglas–Peucker), dropping the rings that
/// collapse below a triangle: they are smaller than a pixel.
pub fn simplify_multipolygon(mp: &MultiPolygon<f64>, tolerance: f64) -> MultiPolygon<f64> {
    if tolerance <= 0.0 {
        return mp.clone();
    }
    let polygons =
        mp.0.iter()
            .filter_map(|p| {
                let exterior = p.exterior().simplify(tolerance);
                if exterior.0.len() < 4 {
                    return None;
                }
                let holes = p.interiors().iter().map(|h| h.simplify(tolerance)).filter(|h| h.0.len() >= 4).collect();
                Some(Polygon::new(exterior, holes))
            })
            .collect();
    MultiPolygon::new(polygons)
}

/// Simplifies lines, keeping every line that still has two points.
pub fn simplify_lines(lines: &MultiLineString<f64>, tolerance: f64) -> MultiLineString<f64> {
    MultiLineString::new(lines.0.iter().map(|l| l.simplify(tolerance)).filter(|l| l.0.len() >= 2).collect())
}

fn push_coord(out: &mut String, c: &Coord<f64>) {
    // Writing to a String cannot fail.
    let _ = write!(out, "[{:.5},{:.5}]", c.x, c.y);
}

fn push_ring(out: &mut String, ring: &LineString<f64>) {
    out.push('[');
    for (i, c) in ring.0.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_coord(out, c);
    }
    out.push(']');
}

/// Appends a GeoJSON MultiPolygon geometry object.
pub fn push_multipolygon(out: &mut String, mp: &MultiPolygon<f64>) {
    out.push_str(r#"{"type":"MultiPolygon","coordinates":["#);
    for (i, p) in mp.0.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('[');
        push_ring(out, p.exterior());
        for h in p.interiors() {
            out.push(',');
            push_ring(out, h);
        }
        out.push(']');
    }
    out.push_str("]}");
}

/// Appends a GeoJSON MultiLineString geometry object.
pub fn push_multilinestring(out: &mut String, lines: &MultiLineString<f64>) {
    out.push_str(r#"{"type":"MultiLineString","coordinates":["#);
    for (i, l) in lines.0.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_ring(out, l);
    }
    out.push_str("]}");
}

/// Appends one Feature with the given properties (a JSON object).
pub fn push_feature(out: &mut String, properties: &serde_json::Value, geometry: impl FnOnce(&mut String)) {
    out.push_str(r#"{"type":"Feature","properties":"#);
    out.push_str(&properties.to_string());
    out.push_str(r#","geometry":"#);
    geometry(out);
    out.push('}');
}

/// Wraps already written features (comma-separated) in a FeatureCollection.
pub fn feature_collection(features: &[String], extra_members: &serde_json::Value) -> String {
    let mut out = String::with_capacity(features.iter().map(String::len).sum::<usize>() + 256);
    out.push_str(r#"{"type":"FeatureCollection","#);
    if let Some(obj) = extra_members.as_object() {
        for (k, v) in obj {
            out.push_str(&serde_json::Value::String(k.clone()).to_string());
            out.push(':');
            out.push_str(&v.to_string());
            out.push(',');
        }
    }
    out.push_str(r#""features":["#);
    for (i, f) in features.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(f);
    }
    out.push_str("]}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn tolerance_halves_with_each_zoom() {
        // 512 px cover 360° at zoom 0: half a pixel is 360/1024 degrees.
        assert!((tolerance_deg(0) - 0.3515625).abs() < 1e-12);
        assert!((tolerance_deg(1) - 0.17578125).abs() < 1e-12);
        assert_eq!(tolerance_deg(MAX_SIMPLIFIED_ZOOM + 1), 0.0);
    }

    #[test]
    fn written_geojson_parses_back_to_the_same_rings() {
        let mp = MultiPolygon::new(vec![polygon![
            exterior: [(x: 30.0, y: 48.0), (x: 31.0, y: 48.0), (x: 31.0, y: 49.0), (x: 30.0, y: 49.0)],
            interiors: [[(x: 30.2, y: 48.2), (x: 30.2, y: 48.4), (x: 30.4, y: 48.4)]],
        ]]);
        let mut out = String::new();
        push_feature(&mut out, &serde_json::json!({"class": "occupied"}), |o| push_multipolygon(o, &mp));
        let fc = feature_collection(&[out], &serde_json::json!({"date": "2025-01-01"}));
        let v: serde_json::Value = serde_json::from_str(&fc).unwrap();
        assert_eq!(v["date"], "2025-01-01");
        let coords = &v["features"][0]["geometry"]["coordinates"];
        assert_eq!(coords[0][0].as_array().unwrap().len(), 5); // closed square
        assert_eq!(coords[0][1].as_array().unwrap().len(), 4); // closed triangle hole
        assert_eq!(coords[0][0][2][0].as_f64(), Some(31.0));
        assert_eq!(v["features"][0]["properties"]["class"], "occupied");
    }

    #[test]
    fn simplify_drops_subpixel_rings_and_keeps_corners() {
        // A square with a vertex every 0.001° along one side: a tolerance
        // of 0.01° keeps only the 4 corners (+ closing vertex).
        let mut ring: Vec<(f64, f64)> = (0..=1000).map(|i| (30.0 + f64::from(i) * 0.001, 48.0)).collect();
        ring.extend([(31.0, 49.0), (30.0, 49.0), (30.0, 48.0)]);
        let square = Polygon::new(LineString::from(ring), vec![]);
        let tiny = polygon![(x: 35.0, y: 48.0), (x: 35.001, y: 48.0), (x: 35.001, y: 48.001)];
        let out = simplify_multipolygon(&MultiPolygon::new(vec![square, tiny]), 0.01);
        assert_eq!(out.0.len(), 1);
        assert_eq!(out.0[0].exterior().0.len(), 5);
    }
}
