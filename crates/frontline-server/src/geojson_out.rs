//! Geometry to GeoJSON text for the map, simplified to the zoom asked for.
//!
//! This is drawing, not measuring: no figure is ever computed from the
//! simplified geometry. The text is written by the engine's one GeoJSON
//! writer ([`frontline::geojson_write`]) at [`DRAWING_PRECISION`].

use crate::error::{ApiError, ApiResult};
use axum::body::Bytes;
use frontline::geojson_write::{feature_collection_bytes, GeometryRef, Precision};
use geo::{MultiLineString, MultiPolygon, Polygon, Simplify};

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

/// How the map's layers are written: 5 decimals (about 1 m), finer than
/// any zoom the map shows (the engine's writer, `frontline::geojson_write`).
pub const DRAWING_PRECISION: Precision = Precision::Decimals(5);

/// A FeatureCollection for the map as an HTTP body: `members` (a JSON
/// object) beside `features`, each feature (properties, geometry).
pub fn drawing<'a, P: serde::Serialize, G: Into<GeometryRef<'a>>>(
    members: &serde_json::Value,
    features: impl IntoIterator<Item = (P, G)>,
) -> ApiResult<Bytes> {
    feature_collection_bytes(members, features, DRAWING_PRECISION)
        .map(Bytes::from)
        .map_err(|e| ApiError::internal(format!("writing GeoJSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, LineString};

    #[test]
    fn tolerance_halves_with_each_zoom() {
        // 512 px cover 360° at zoom 0: half a pixel is 360/1024 degrees.
        assert!((tolerance_deg(0) - 0.3515625).abs() < 1e-12);
        assert!((tolerance_deg(1) - 0.17578125).abs() < 1e-12);
        assert_eq!(tolerance_deg(MAX_SIMPLIFIED_ZOOM + 1), 0.0);
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
