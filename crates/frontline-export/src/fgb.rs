//! FlatGeobuf with its spatial index (packed Hilbert R-tree), readable by
//! GDAL/OGR, QGIS and pyogrio. Features are stored in Hilbert order, as the
//! format requires for its index; each carries `source`, `date` and the
//! table's columns (dates as ISO text, instants as ISO 8601 date-times).

use crate::table::{ExportTable, Kind, Shape, Value};
use crate::{io_err, ExportError, Written};
use flatgeobuf::{ColumnType, FgbCrs, FgbWriter, FgbWriterOptions, GeometryType};
use geozero::{ColumnValue, PropertyProcessor};
use std::path::Path;

fn column_type(kind: Kind) -> ColumnType {
    match kind {
        Kind::Text | Kind::Date => ColumnType::String,
        Kind::Timestamp => ColumnType::DateTime,
        Kind::Float => ColumnType::Double,
        Kind::Int => ColumnType::Long,
    }
}

pub(crate) fn write_file(
    table: &ExportTable,
    path: &Path,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Written, ExportError> {
    let fail = |problem: String| ExportError::Write { path: path.to_path_buf(), problem };
    let geometry_type = match table.shape {
        Shape::MultiPolygon => GeometryType::MultiPolygon,
        Shape::MultiLineString => GeometryType::MultiLineString,
        Shape::Point => GeometryType::Point,
    };
    let options = FgbWriterOptions {
        write_index: true,
        detect_type: false,
        promote_to_multi: true,
        crs: FgbCrs { code: 4326, ..Default::default() },
        description: Some(&table.description),
        ..Default::default()
    };
    let mut fgb =
        FgbWriter::create_with_options(table.name, geometry_type, options).map_err(|e| fail(e.to_string()))?;
    fgb.add_column("source", ColumnType::String, |_, c| c.nullable = false);
    fgb.add_column("date", ColumnType::String, |_, c| c.nullable = false);
    for c in &table.columns {
        fgb.add_column(c.name, column_type(c.kind), |_, col| col.nullable = c.nullable);
    }
    let total = table.rows.len();
    let mut written = 0;
    for (i, r) in table.rows.iter().enumerate() {
        // FlatGeobuf has no null geometry: a row without one is left out
        // (the CSV and GeoParquet exports keep it).
        let Some(g) = &r.geometry else { continue };
        let date = r.date.to_string();
        let texts: Vec<String> = r.values.iter().map(Value::to_text).collect();
        let mut failed = None;
        fgb.add_feature_geom(g.clone(), |feat| {
            let mut put = |idx: usize, name: &str, v: &ColumnValue| {
                if let Err(e) = feat.property(idx, name, v) {
                    failed.get_or_insert(e.to_string());
                }
            };
            put(0, "source", &ColumnValue::String(&r.source));
            put(1, "date", &ColumnValue::String(&date));
            for (j, (c, v)) in table.columns.iter().zip(&r.values).enumerate() {
                let cv = match v {
                    Value::Null => continue,
                    Value::Float(x) => ColumnValue::Double(*x),
                    Value::Int(n) => ColumnValue::Long(*n),
                    Value::Timestamp(_) => ColumnValue::DateTime(&texts[j]),
                    Value::Text(_) | Value::Date(_) => ColumnValue::String(&texts[j]),
                };
                put(j + 2, c.name, &cv);
            }
        })
        .map_err(|e| fail(format!("feature #{i}: {e}")))?;
        if let Some(e) = failed {
            return Err(fail(format!("feature #{i}: {e}")));
        }
        written += 1;
        if i % 64 == 63 {
            progress(i + 1, total);
        }
    }
    let file = std::fs::File::create(path).map_err(io_err(path))?;
    let mut out = std::io::BufWriter::new(file);
    fgb.write(&mut out).map_err(|e| fail(e.to_string()))?;
    let file = out.into_inner().map_err(|e| io_err(path)(e.into_error()))?;
    file.sync_all().map_err(io_err(path))?;
    progress(total, total);
    let bytes = std::fs::metadata(path).map_err(io_err(path))?.len();
    Ok(Written { path: path.to_path_buf(), files: 1, rows: written, bytes })
}
