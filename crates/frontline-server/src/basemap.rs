//! The base map: Ukraine's outline, its oblasts, neighbouring countries and
//! rivers, read from the shared data folder once at start, simplified for
//! drawing and kept as GeoJSON text. No tile or style comes from the
//! internet: these layers are the whole base map.

use crate::geojson_out::{
    feature_collection, push_feature, push_multilinestring, push_multipolygon, simplify_lines, simplify_multipolygon,
};
use frontline::geojson::read_bytes;
use geo::{BoundingRect, Coord, Intersects, LineString, MultiLineString, MultiPolygon, Polygon, Rect};
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
    let bytes = read_bytes(path).map_err(|e| e.to_string())?;
    let doc: Value = serde_json::from_slice(&bytes).map_err(|e| format!("{}: not JSON: {e}", path.display()))?;
    let features =
        doc["features"].as_array().ok_or_else(|| format!("{}: not a GeoJSON FeatureCollection", path.display()))?;
    let win = window();
    let mut out = vec![];
    for f in features {
        let mut props = serde_json::Map::new();
        for k in keep {
            if let Some(v) = f["properties"].get(*k) {
                props.insert((*k).to_string(), v.clone());
            }
        }
        let props = Value::Object(props);
        let mut text = String::new();
        match parse_geometry(&f["geometry"]) {
            Some(Shape::Areas(mp)) => {
                if !mp.bounding_rect().is_some_and(|b| b.intersects(&win)) {
                    continue;
                }
                let mp = simplify_multipolygon(&mp, TOLERANCE_DEG);
                if mp.0.is_empty() {
                    continue;
                }
                push_feature(&mut text, &props, |o| push_multipolygon(o, &mp));
            }
            Some(Shape::Lines(ml)) => {
                if !ml.bounding_rect().is_some_and(|b| b.intersects(&win)) {
                    continue;
                }
                let ml = simplify_lines(&ml, TOLERANCE_DEG);
                if ml.0.is_empty() {
                    continue;
                }
                push_feature(&mut text, &props, |o| push_multilinestring(o, &ml));
            }
            None => continue,
        }
        out.push(text);
    }
    Ok(feature_collection(&out, &Value::Null))
}

enum Shape {
    Areas(MultiPolygon<f64>),
    Lines(MultiLineString<f64>),
}

fn line(v: &Value) -> Option<LineString<f64>> {
    let coords = v
        .as_array()?
        .iter()
        .map(|p| Some(Coord { x: p.get(0)?.as_f64()?, y: p.get(1)?.as_f64()? }))
        .collect::<Option<Vec<_>>>()?;
    Some(LineString::new(coords))
}

fn polygon(v: &Value) -> Option<Polygon<f64>> {
    let mut rings = v.as_array()?.iter().map(line).collect::<Option<Vec<_>>>()?.into_iter();
    let exterior = rings.next()?;
    Some(Polygon::new(exterior, rings.collect()))
}

fn parse_geometry(g: &Value) -> Option<Shape> {
    let c = &g["coordinates"];
    match g["type"].as_str()? {
        "Polygon" => Some(Shape::Areas(MultiPolygon::new(vec![polygon(c)?]))),
        "MultiPolygon" => {
            Some(Shape::Areas(MultiPolygon::new(c.as_array()?.iter().map(polygon).collect::<Option<Vec<_>>>()?)))
        }
        "LineString" => Some(Shape::Lines(MultiLineString::new(vec![line(c)?]))),
        "MultiLineString" => {
            Some(Shape::Lines(MultiLineString::new(c.as_array()?.iter().map(line).collect::<Option<Vec<_>>>()?)))
        }
        _ => None,
    }
}
