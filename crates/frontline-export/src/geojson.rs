//! A GeoJSON FeatureCollection (RFC 7946), written feature by feature with
//! the engine's one GeoJSON writer ([`frontline::geojson_write`]) at full
//! precision: coordinates in Rust's shortest round-trip form, so reading
//! them back gives the exact stored doubles (the round-trip test relies on it).

use crate::table::{ExportTable, Kind, Value};
use crate::{io_err, ExportError, Written};
use frontline::geojson_write::{FeatureCollectionWriter, Precision};
use serde_json::{json, Map, Value as Json};
use std::path::Path;

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
    let out = std::io::BufWriter::new(file);
    let mut collection = FeatureCollectionWriter::new(out, &json!({ "name": table.name }), Precision::Full)
        .map_err(&err)?
        .one_feature_a_line();
    let total = table.rows.len();
    for (i, r) in table.rows.iter().enumerate() {
        let mut props = Map::new();
        props.insert("source".into(), json!(r.source));
        props.insert("date".into(), json!(r.date.to_string()));
        for (c, v) in table.columns.iter().zip(&r.values) {
            props.insert(c.name.into(), cell(c.kind, v));
        }
        collection.feature(&props, r.geometry.as_ref()).map_err(&err)?;
        if i % 64 == 63 {
            progress(i + 1, total);
        }
    }
    let mut out = collection.finish().map_err(&err)?;
    std::io::Write::write_all(&mut out, b"\n").map_err(&err)?;
    let file = out.into_inner().map_err(|e| err(e.into_error()))?;
    file.sync_all().map_err(&err)?;
    progress(total, total);
    let bytes = std::fs::metadata(path).map_err(&err)?.len();
    Ok(Written { path: path.to_path_buf(), files: 1, rows: total, bytes })
}
