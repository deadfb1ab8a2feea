//! A GeoJSON FeatureCollection (RFC 7946), written feature by feature.
//! Coordinates are printed in Rust's shortest round-trip form, so reading
//! them back gives the exact stored doubles (the round-trip test relies on it).

use crate::table::{ExportTable, Kind, Value};
use crate::{io_err, ExportError, Written};
use geo::{Geometry, LineString};
use serde_json::{json, Map, Value as Json};
use std::io::Write;
use std::path::Path;

fn ring(l: &LineString<f64>) -> Json {
    Json::Array(l.0.iter().map(|c| json!([c.x, c.y])).collect())
}

/// A geometry as a GeoJSON geometry object (`null` for none).
pub fn geometry_json(g: Option<&Geometry<f64>>) -> Json {
    match g {
        Some(Geometry::MultiPolygon(mp)) => json!({
            "type": "MultiPolygon",
            "coordinates": mp.0.iter().map(|p| {
                Json::Array(std::iter::once(p.exterior()).chain(p.interiors()).map(ring).collect())
            }).collect::<Vec<_>>()
        }),
        Some(Geometry::MultiLineString(ml)) => {
            json!({"type": "MultiLineString", "coordinates": ml.0.iter().map(ring).collect::<Vec<_>>()})
        }
        Some(Geometry::Point(p)) => json!({"type": "Point", "coordinates": [p.x(), p.y()]}),
        _ => Json::Null,
    }
}

fn cell(kind: Kind, v: &Value) -> Json {
    match (kind, v) {
        (_, Value::Null) => Json::Null,
        (_, Value::Float(x)) => json!(x),
        (_, Value::Int(i)) => json!(i),
        _ => Json::String(v.to_text()),
    }
}

pub(crate) fn write_file(
    table: &ExportTable,
    path: &Path,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Written, ExportError> {
    let err = io_err(path);
    let file = std::fs::File::create(path).map_err(&err)?;
    let mut out = std::io::BufWriter::new(file);
    write!(out, "{{\"type\":\"FeatureCollection\",\"name\":{},\"features\":[", json!(table.name)).map_err(&err)?;
    let total = table.rows.len();
    for (i, r) in table.rows.iter().enumerate() {
        let mut props = Map::new();
        props.insert("source".into(), json!(r.source));
        props.insert("date".into(), json!(r.date.to_string()));
        for (c, v) in table.columns.iter().zip(&r.values) {
            props.insert(c.name.into(), cell(c.kind, v));
        }
        let feature = json!({"type": "Feature", "properties": props, "geometry": geometry_json(r.geometry.as_ref())});
        if i > 0 {
            out.write_all(b",\n").map_err(&err)?;
        }
        serde_json::to_writer(&mut out, &feature)
            .map_err(|e| ExportError::Write { path: path.to_path_buf(), problem: e.to_string() })?;
        if i % 64 == 63 {
            progress(i + 1, total);
        }
    }
    out.write_all(b"]}\n").map_err(&err)?;
    let file = out.into_inner().map_err(|e| err(e.into_error()))?;
    file.sync_all().map_err(&err)?;
    progress(total, total);
    let bytes = std::fs::metadata(path).map_err(&err)?.len();
    Ok(Written { path: path.to_path_buf(), files: 1, rows: total, bytes })
}
