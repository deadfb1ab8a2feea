//! GeoParquet 1.1 (<https://geoparquet.org/releases/v1.1.0/>) with the
//! `parquet` crate's column writers, no Arrow: geometry as WKB, a `bbox`
//! struct column declared as the geometry's `covering` (so engines can skip
//! row groups by their statistics), and the `geo` metadata written here.
//!
//! Layout (Hive-style, what pyarrow, geopandas, DataFusion, Sedona and
//! DuckDB read as one partitioned table):
//! `OUT/source=<source>/year=<yyyy>/part-0.parquet`. `source` and `year` live
//! in the folder names only (an engine adds them as columns); each file holds
//! `date`, the table's columns, `geometry` and `bbox`.

use crate::table::{ExportTable, Kind, Row, Shape, Value};
use crate::{io_err, wkb, ExportError, Written};
use chrono::{Datelike, NaiveDate};
use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// `value` as a Hive partition value: anything but `[A-Za-z0-9._-]` percent-encoded.
fn hive_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"._-".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn schema(table: &ExportTable) -> String {
    let mut fields = vec!["required int32 date (DATE);".to_string()];
    for c in &table.columns {
        let rep = if c.nullable { "optional" } else { "required" };
        let ty = match c.kind {
            Kind::Text => "binary",
            Kind::Date => "int32",
            Kind::Timestamp | Kind::Int => "int64",
            Kind::Float => "double",
        };
        let logical = match c.kind {
            Kind::Text => " (STRING)",
            Kind::Date => " (DATE)",
            Kind::Timestamp => " (TIMESTAMP(MILLIS,true))",
            Kind::Int | Kind::Float => "",
        };
        fields.push(format!("{rep} {ty} {}{logical};", c.name));
    }
    fields.push("optional binary geometry;".into());
    fields.push(
        "optional group bbox { required double xmin; required double ymin; required double xmax; required double ymax; }"
            .into(),
    );
    format!("message {} {{ {} }}", table.name, fields.join(" "))
}

/// The GeoParquet `geo` metadata of one file.
fn geo_metadata(table: &ExportTable, rows: &[&Row]) -> serde_json::Value {
    let mut bbox: Option<[f64; 4]> = None;
    for r in rows {
        if let Some(b) = r.bbox() {
            let e = bbox.get_or_insert([f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY]);
            e[0] = e[0].min(b.min().x);
            e[1] = e[1].min(b.min().y);
            e[2] = e[2].max(b.max().x);
            e[3] = e[3].max(b.max().y);
        }
    }
    let mut column = serde_json::json!({
        "encoding": "WKB",
        "geometry_types": [table.shape.name()],
        "edges": "planar",
        "covering": {"bbox": {
            "xmin": ["bbox", "xmin"], "ymin": ["bbox", "ymin"],
            "xmax": ["bbox", "xmax"], "ymax": ["bbox", "ymax"]
        }}
    });
    if table.shape == Shape::MultiPolygon {
        // The store keeps exteriors counter-clockwise and holes clockwise.
        column["orientation"] = "counterclockwise".into();
    }
    if let Some(b) = bbox {
        column["bbox"] = serde_json::json!(b);
    }
    serde_json::json!({"version": "1.1.0", "primary_column": "geometry", "columns": {"geometry": column}})
}

fn days_since_epoch(d: NaiveDate) -> i32 {
    d.num_days_from_ce() - 719_163 // 1970-01-01 is day 719,163 of the common era
}

/// Values and definition levels of one column (levels only where nullable).
fn leaf<T>(cells: impl Iterator<Item = Option<T>>) -> (Vec<T>, Vec<i16>) {
    let mut values = vec![];
    let mut levels = vec![];
    for c in cells {
        match c {
            Some(v) => {
                values.push(v);
                levels.push(1);
            }
            None => levels.push(0),
        }
    }
    (values, levels)
}

fn write_file(table: &ExportTable, rows: &[&Row], path: &Path) -> Result<u64, ExportError> {
    let fail =
        |e: parquet::errors::ParquetError| ExportError::Write { path: path.to_path_buf(), problem: e.to_string() };
    let schema = Arc::new(parse_message_type(&schema(table)).map_err(fail)?);
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_created_by(format!("frontline {}", env!("CARGO_PKG_VERSION")))
        .set_key_value_metadata(Some(vec![
            KeyValue::new("geo".into(), geo_metadata(table, rows).to_string()),
            KeyValue::new("frontline".into(), table.description.clone()),
        ]))
        .build();
    let file = std::fs::File::create(path).map_err(io_err(path))?;
    let mut writer = SerializedFileWriter::new(file, schema, Arc::new(props)).map_err(fail)?;
    let mut group = writer.next_row_group().map_err(fail)?;
    let missing = || ExportError::Write {
        path: path.to_path_buf(),
        problem: "fewer Parquet columns than the schema declares".into(),
    };
    // The schema above has exactly these leaves, in this order.
    macro_rules! next {
        () => {
            group.next_column().map_err(fail)?.ok_or_else(missing)?
        };
    }
    // date
    let mut col = next!();
    let dates: Vec<i32> = rows.iter().map(|r| days_since_epoch(r.date)).collect();
    col.typed::<Int32Type>().write_batch(&dates, None, None).map_err(fail)?;
    col.close().map_err(fail)?;
    for (j, c) in table.columns.iter().enumerate() {
        let mut col = next!();
        let cell = |r: &&Row| r.values.get(j).cloned().unwrap_or(Value::Null);
        let levels = |l: &Vec<i16>| if c.nullable { Some(l.clone()) } else { None };
        match c.kind {
            Kind::Text => {
                let (v, l) = leaf(rows.iter().map(|r| match cell(r) {
                    Value::Text(s) => Some(ByteArray::from(s.into_bytes())),
                    _ => None,
                }));
                col.typed::<ByteArrayType>().write_batch(&v, levels(&l).as_deref(), None).map_err(fail)?;
            }
            Kind::Date => {
                let (v, l) = leaf(rows.iter().map(|r| match cell(r) {
                    Value::Date(d) => Some(days_since_epoch(d)),
                    _ => None,
                }));
                col.typed::<Int32Type>().write_batch(&v, levels(&l).as_deref(), None).map_err(fail)?;
            }
            Kind::Timestamp | Kind::Int => {
                let (v, l) = leaf(rows.iter().map(|r| match cell(r) {
                    Value::Timestamp(t) => Some(t.timestamp_millis()),
                    Value::Int(i) => Some(i),
                    _ => None,
                }));
                col.typed::<Int64Type>().write_batch(&v, levels(&l).as_deref(), None).map_err(fail)?;
            }
            Kind::Float => {
                let (v, l) = leaf(rows.iter().map(|r| match cell(r) {
                    Value::Float(x) => Some(x),
                    _ => None,
                }));
                col.typed::<DoubleType>().write_batch(&v, levels(&l).as_deref(), None).map_err(fail)?;
            }
        }
        col.close().map_err(fail)?;
    }
    // geometry
    let mut col = next!();
    let (v, l) = leaf(rows.iter().map(|r| r.geometry.as_ref().map(|g| ByteArray::from(wkb::to_vec(g)))));
    col.typed::<ByteArrayType>().write_batch(&v, Some(&l), None).map_err(fail)?;
    col.close().map_err(fail)?;
    // bbox.xmin, ymin, xmax, ymax: null where the geometry is absent or empty.
    let boxes: Vec<Option<[f64; 4]>> =
        rows.iter().map(|r| r.bbox().map(|b| [b.min().x, b.min().y, b.max().x, b.max().y])).collect();
    for k in 0..4 {
        let mut col = next!();
        let (v, l) = leaf(boxes.iter().map(|b| b.map(|b| b[k])));
        col.typed::<DoubleType>().write_batch(&v, Some(&l), None).map_err(fail)?;
        col.close().map_err(fail)?;
    }
    group.close().map_err(fail)?;
    let file = writer.into_inner().map_err(fail)?;
    file.sync_all().map_err(io_err(path))?;
    Ok(std::fs::metadata(path).map_err(io_err(path))?.len())
}

pub(crate) fn write_dataset(
    table: &ExportTable,
    dir: &Path,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Written, ExportError> {
    let mut parts: BTreeMap<(&str, i32), Vec<&Row>> = BTreeMap::new();
    for r in &table.rows {
        parts.entry((r.source.as_str(), r.date.year())).or_default().push(r);
    }
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    let (total, mut done, mut bytes) = (table.rows.len(), 0, 0);
    for ((source, year), rows) in &parts {
        let folder = dir.join(format!("source={}", hive_value(source))).join(format!("year={year}"));
        std::fs::create_dir_all(&folder).map_err(io_err(&folder))?;
        bytes += write_file(table, rows, &folder.join("part-0.parquet"))?;
        done += rows.len();
        progress(done, total);
    }
    Ok(Written { path: dir.to_path_buf(), files: parts.len(), rows: total, bytes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_day() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date");
        assert_eq!(days_since_epoch(d("1970-01-01")), 0);
        // 2026-01-01: 56 years, 14 of them leap (1972..2024) -> 56*365 + 14.
        assert_eq!(days_since_epoch(d("2026-01-01")), 56 * 365 + 14);
    }

    #[test]
    fn hive_values_are_escaped() {
        assert_eq!(hive_value("deepstate-daily"), "deepstate-daily");
        assert_eq!(hive_value("a/b=c"), "a%2Fb%3Dc");
    }
}
