//! CSV (RFC 4180) of a table's columns, without its geometry: the figures
//! for a spreadsheet. The geometry goes to GeoJSON, FlatGeobuf or GeoParquet.

use crate::table::ExportTable;
use crate::{io_err, ExportError, Written};
use std::path::Path;

pub(crate) fn write_file(
    table: &ExportTable,
    path: &Path,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Written, ExportError> {
    let err = |e: csv::Error| ExportError::Write { path: path.to_path_buf(), problem: e.to_string() };
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_path(path).map_err(err)?;
    let mut header = vec!["source", "date"];
    header.extend(table.columns.iter().map(|c| c.name));
    w.write_record(&header).map_err(err)?;
    for r in &table.rows {
        let mut cells = vec![r.source.clone(), r.date.to_string()];
        cells.extend(r.values.iter().map(|v| v.to_text()));
        w.write_record(&cells).map_err(err)?;
    }
    w.flush().map_err(io_err(path))?;
    drop(w);
    progress(table.rows.len(), table.rows.len());
    let bytes = std::fs::metadata(path).map_err(io_err(path))?.len();
    Ok(Written { path: path.to_path_buf(), files: 1, rows: table.rows.len(), bytes })
}
