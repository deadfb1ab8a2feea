//! The base map: Ukraine's outline, its oblasts, neighbouring countries and
//! rivers, read from the shared data folder once at start, simplified for
//! drawing and kept as GeoJSON text. No tile or style comes from the
//! internet: these layers are the whole base map.

use crate::geojson_out::{simplify_lines, simplify_multipolygon, DRAWING_PRECISION};
use frontline::geojson::{parse_features, read_bytes};
use frontline::geojson_write::FeatureCollectionWriter;
use geo::{BoundingRect, Coord, Intersects, MultiLineString, MultiPolygon, Rect};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// A base-map layer: its name in the API and its file under the data folder.
pub struct BaseLayer {
    /// The name in `/api/basemap/{name}`.
    pub name: &'static str,
    /// Path relative to the shared data folder.
    pub file: &'static str,
    /// Properties kept for the map (everything else is dropped to save bytes).
    pub keep: &'static [&'static str],
}

/// Every base-map layer the server offers.
pub const BASE_LAYERS: [BaseLayer; 4] = [
    BaseLayer { name: "countries", file: "context/countries_ne.geojson.gz", keep: &["NAME", "ISO_A3"] },
    BaseLayer { name: "land", file: "boundaries/ukraine_land_osm.geojson", keep: &[] },
    BaseLayer { name: "oblasts", file: "boundaries/oblasts_osm.geojson.gz", keep: &["name", "name:en", "iso3166-2"] },
    BaseLayer { name: "rivers", file: "context/rivers_ne.geojson.gz", keep: &["name"] },
];

/// About 500 m: enough for a country-wide view; the map never zooms to streets.
const TOLERANCE_DEG: f64 = 0.005;

/// What the map can show around Ukraine; features wholly outside are dropped.
fn window() -> Rect<f64> {
    Rect::new(Coord { x: 14.0, y: 38.0 }, Coord { x: 50.0, y: 58.0 })
}

/// Loads every base layer that exists under `data_dir`, as GeoJSON text.
/// A missing or unreadable file is reported in the second list, not fatal:
/// the map still works without rivers.
pub fn load(data_dir: &Path) -> (BTreeMap<&'static str, String>, Vec<String>) {
    let mut layers = BTreeMap::new();
    let mut problems = vec![];
    for layer in &BASE_LAYERS {
        let path = data_dir.join(layer.file);
        match load_layer(&path, layer.keep) {
            Ok(text) => {
                layers.insert(layer.name, text);
            }
            Err(e) => problems.push(format!("base layer '{}': {e}", layer.name)),
        }
    }
    (layers, problems)
}

fn load_layer(path: &Path, keep: &[&str]) -> Result<String, String> {
    // The engine's one reader (plain or gzip, checked coordinates), then its one writer.
    let bytes = read_bytes(path).map_err(|e| e.to_string())?;
    let features = parse_features(path, &bytes).map_err(|e| e.to_string())?;
    let win = window();
    let mut out =
        FeatureCollectionWriter::new(Vec::new(), &Value::Null, DRAWING_PRECISION).map_err(|e| e.to_string())?;
    for f in features {
        let props: serde_json::Map<String, Value> =
            keep.iter().filter_map(|k| f.properties.get(*k).map(|v| ((*k).to_string(), v.clone()))).collect();
        let written = if !f.polygons.is_empty() {
            let mp = MultiPolygon::new(f.polygons);
            if !mp.bounding_rect().is_some_and(|b| b.intersects(&win)) {
                continue;
            }
            let mp = simplify_multipolygon(&mp, TOLERANCE_DEG);
            if mp.0.is_empty() {
                continue;
            }
            out.feature(&props, &mp)
        } else if !f.lines.is_empty() {
            let ml = MultiLineString::new(f.lines);
            if !ml.bounding_rect().is_some_and(|b| b.intersects(&win)) {
                continue;
            }
            let ml = simplify_lines(&ml, TOLERANCE_DEG);
            if ml.0.is_empty() {
                continue;
            }
            out.feature(&props, &ml)
        } else {
            continue;
        };
        written.map_err(|e| e.to_string())?;
    }
    let bytes = out.finish().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}
