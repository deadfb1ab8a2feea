//! Export of frontline's snapshots and measures to the files analysts open:
//! GeoParquet 1.1 (behind the `geoparquet` feature), FlatGeobuf, GeoJSON and
//! CSV.
//!
//! A separate crate so that the engine and the server never compile the
//! Parquet stack. Two steps, each one concern:
//! - [`datasets`] builds an [`ExportTable`] from engine results (snapshots,
//!   per-oblast pieces, gained/lost polygons, frontlines, settlements,
//!   corridor series). Every figure is the engine's: a row carries the
//!   geodesic `area_km2` (or `length_km`) of its own geometry, so a reader
//!   never recomputes one, and never with a planar formula.
//! - the writers ([`geojson`], [`csv_out`], [`fgb`], `parquet`) turn a table
//!   into files, first under a temporary name beside the target, renamed
//!   into place only when complete: a failed export leaves nothing behind.

pub mod csv_out;
pub mod datasets;
pub mod fgb;
pub mod geojson;
#[cfg(feature = "geoparquet")]
pub mod parquet;
pub mod table;
pub mod wkb;

pub use table::{Column, ExportTable, Kind, Row, Shape, Value};

use std::path::{Path, PathBuf};

/// The file formats an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// GeoParquet 1.1: WKB geometry, a `bbox` covering struct column, Hive-style
    /// folders `source=S/year=Y/` under the output folder.
    GeoParquet,
    /// FlatGeobuf with its packed Hilbert R-tree index (one file).
    FlatGeobuf,
    /// A GeoJSON FeatureCollection (one file, RFC 7946).
    GeoJson,
    /// CSV of the columns without the geometry (one file).
    Csv,
}

impl FileFormat {
    /// The names the CLI accepts.
    pub const NAMES: [&'static str; 4] = ["geoparquet", "flatgeobuf", "geojson", "csv"];

    /// Parses a format name (also `parquet`, `fgb`, `json`).
    pub fn parse(s: &str) -> Option<FileFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "geoparquet" | "parquet" => Some(FileFormat::GeoParquet),
            "flatgeobuf" | "fgb" => Some(FileFormat::FlatGeobuf),
            "geojson" | "json" => Some(FileFormat::GeoJson),
            "csv" => Some(FileFormat::Csv),
            _ => None,
        }
    }

    /// Whether this build can write the format.
    pub fn available(self) -> bool {
        self != FileFormat::GeoParquet || cfg!(feature = "geoparquet")
    }
}

/// What can go wrong while exporting.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The output already exists: an export never overwrites.
    #[error("{}: already exists; remove it or choose another --out", .0.display())]
    Exists(PathBuf),
    /// The format is not compiled into this build.
    #[error(
        "GeoParquet export is not in this build: rebuild with the geoparquet feature \
         (cargo build --release -p frontline-cli --features geoparquet)"
    )]
    NotBuilt,
    /// Writing failed.
    #[error("{}: cannot write: {problem}", path.display())]
    Write {
        /// The file or folder being written.
        path: PathBuf,
        /// What failed.
        problem: String,
    },
    /// The engine failed while computing what to export.
    #[error(transparent)]
    Engine(#[from] frontline::Error),
}

/// What an export wrote.
#[derive(Debug, Clone)]
pub struct Written {
    /// The final path (a file, or for GeoParquet the dataset's folder).
    pub path: PathBuf,
    /// Files written.
    pub files: usize,
    /// Rows written.
    pub rows: usize,
    /// Bytes written.
    pub bytes: u64,
}

/// Fails when `out` exists, before any work is done.
pub fn check_target(out: &Path) -> Result<(), ExportError> {
    if out.exists() || out.symlink_metadata().is_ok() {
        return Err(ExportError::Exists(out.to_path_buf()));
    }
    Ok(())
}

/// Writes `table` as `format` to `out` (a file; for GeoParquet a folder),
/// atomically: everything goes to a temporary sibling first, which is
/// renamed to `out` only when complete. `progress(done, total)` is called
/// as rows are written (for a progress line on a terminal).
pub fn write(
    table: &ExportTable,
    format: FileFormat,
    out: &Path,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Written, ExportError> {
    check_target(out)?;
    if !format.available() {
        return Err(ExportError::NotBuilt);
    }
    let tmp = temporary_sibling(out);
    let result = write_to(table, format, &tmp, progress);
    match result {
        Ok(mut w) => {
            // Checked again: another export may have created it meanwhile.
            if let Err(e) = check_target(out) {
                remove_quietly(&tmp);
                return Err(e);
            }
            std::fs::rename(&tmp, out).map_err(|e| {
                remove_quietly(&tmp);
                ExportError::Write { path: out.to_path_buf(), problem: e.to_string() }
            })?;
            w.path = out.to_path_buf();
            Ok(w)
        }
        Err(e) => {
            remove_quietly(&tmp);
            Err(e)
        }
    }
}

fn write_to(
    table: &ExportTable,
    format: FileFormat,
    tmp: &Path,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Written, ExportError> {
    match format {
        FileFormat::GeoJson => geojson::write_file(table, tmp, progress),
        FileFormat::Csv => csv_out::write_file(table, tmp, progress),
        FileFormat::FlatGeobuf => fgb::write_file(table, tmp, progress),
        #[cfg(feature = "geoparquet")]
        FileFormat::GeoParquet => parquet::write_dataset(table, tmp, progress),
        #[cfg(not(feature = "geoparquet"))]
        FileFormat::GeoParquet => Err(ExportError::NotBuilt),
    }
}

/// `dir/.name.partial-PID`: beside the target, so the final rename stays on
/// one file system.
fn temporary_sibling(out: &Path) -> PathBuf {
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "export".into());
    out.with_file_name(format!(".{name}.partial-{}", std::process::id()))
}

fn remove_quietly(p: &Path) {
    if p.is_dir() {
        let _ = std::fs::remove_dir_all(p);
    } else {
        let _ = std::fs::remove_file(p);
    }
}

/// An I/O error as an [`ExportError`] naming the path.
pub(crate) fn io_err(path: &Path) -> impl Fn(std::io::Error) -> ExportError + '_ {
    move |e| ExportError::Write { path: path.to_path_buf(), problem: e.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use geo::{polygon, Geometry, MultiPolygon};

    fn table() -> ExportTable {
        // Coordinates whose shortest decimal form is long: a writer that
        // rounds would not give these bits back.
        let p = polygon![
            (x: 37.1 + 0.2, y: 48.3),
            (x: 37.45, y: 48.1 + 1e-13),
            (x: 37.7, y: 48.6),
            (x: 37.1 + 0.2, y: 48.3),
        ];
        ExportTable {
            name: "test",
            description: "a test".into(),
            columns: vec![Column::required("area_km2", Kind::Float), Column::optional("note", Kind::Text)],
            shape: Shape::MultiPolygon,
            rows: vec![Row {
                source: "s".into(),
                date: NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
                values: vec![Value::Float(1.5), Value::Null],
                geometry: Some(Geometry::MultiPolygon(MultiPolygon::new(vec![p]))),
            }],
        }
    }

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("frontline-export-unit-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("tmp");
        d
    }

    #[test]
    fn geojson_gives_back_the_exact_doubles() {
        let t = table();
        let dir = tmp("exact");
        let out = dir.join("t.geojson");
        write(&t, FileFormat::GeoJson, &out, &|_, _| {}).expect("write");
        let text = std::fs::read_to_string(&out).expect("read");
        let doc: serde_json::Value = serde_json::from_str(&text).expect("json");
        let Some(Geometry::MultiPolygon(mp)) = &t.rows[0].geometry else { panic!("test geometry") };
        // Each vertex as Rust's shortest round-trip decimal (what a correctly
        // rounding reader, such as GDAL's or Python's, turns back into the
        // same bits; serde_json's own default parser is not one).
        for c in &mp.0[0].exterior().0 {
            assert_eq!(format!("{}", c.x).parse::<f64>().map(f64::to_bits), Ok(c.x.to_bits()));
            assert!(text.contains(&format!("[{},{}]", c.x, c.y)), "{} {} not in {text}", c.x, c.y);
        }
        assert_eq!(doc["features"][0]["properties"]["note"], serde_json::Value::Null);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_failed_write_leaves_nothing() {
        let dir = tmp("fail");
        let out = dir.join("missing-folder/t.fgb");
        let e = write(&table(), FileFormat::FlatGeobuf, &out, &|_, _| {}).expect_err("no such folder");
        assert!(e.to_string().contains("cannot write"), "{e}");
        assert_eq!(std::fs::read_dir(&dir).expect("dir").count(), 0, "nothing written");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_wrongly_typed_cell_is_caught_before_writing() {
        let mut t = table();
        t.rows[0].values[0] = Value::Text("1.5".into());
        assert_eq!(t.check(), Err("row 0: column area_km2 holds Text(\"1.5\")".into()));
        let mut t = table();
        t.rows[0].values[1] = Value::Null;
        assert_eq!(t.check(), Ok(()));
    }
}
