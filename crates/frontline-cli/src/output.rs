//! Rendering rows for people (aligned tables) and for scripts (CSV, JSON).
//! Renderers never compute a measure: they format what the engine returned.

use clap::ValueEnum;
use frontline::geojson_write::{FeatureCollectionWriter, GeometryRef, Precision};
use serde::Serialize;
use std::io::Write;

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned columns for a terminal.
    Table,
    /// RFC 4180 CSV with a header row.
    Csv,
    /// A JSON array of objects (full precision).
    Json,
}

/// A result table: headers and cells for table/CSV, and the serialisable
/// rows for JSON.
pub struct Table {
    pub title: Option<String>,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub json: serde_json::Value,
    pub notes: Vec<String>,
}

impl Table {
    pub fn new<T: Serialize>(headers: Vec<&'static str>, items: &[T], cells: impl Fn(&T) -> Vec<String>) -> Table {
        Table {
            title: None,
            headers: headers.into_iter().map(String::from).collect(),
            rows: items.iter().map(cells).collect(),
            json: serde_json::to_value(items).unwrap_or(serde_json::Value::Null),
            notes: vec![],
        }
    }

    pub fn title(mut self, t: impl Into<String>) -> Self {
        self.title = Some(t.into());
        self
    }

    pub fn note(mut self, n: impl Into<String>) -> Self {
        self.notes.push(n.into());
        self
    }

    pub fn print(&self, format: OutputFormat) -> std::io::Result<()> {
        self.write_to(format, &mut std::io::stdout().lock())
    }

    /// Writes the table in `format` to `out`.
    pub fn write_to(&self, format: OutputFormat, out: &mut impl Write) -> std::io::Result<()> {
        match format {
            OutputFormat::Json => {
                serde_json::to_writer_pretty(&mut *out, &self.json)?;
                writeln!(out)
            }
            OutputFormat::Csv => {
                // RFC 4180 by the csv crate: fields with commas, quotes, CR or LF are quoted.
                let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(&mut *out);
                w.write_record(&self.headers).map_err(csv_io)?;
                for r in &self.rows {
                    w.write_record(r).map_err(csv_io)?;
                }
                w.flush()
            }
            OutputFormat::Table => {
                if let Some(t) = &self.title {
                    writeln!(out, "{t}")?;
                }
                let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
                for r in &self.rows {
                    for (w, c) in widths.iter_mut().zip(r) {
                        *w = (*w).max(c.chars().count());
                    }
                }
                let line = |cells: &[String]| {
                    cells
                        .iter()
                        .zip(&widths)
                        .enumerate()
                        .map(|(i, (c, w))| {
                            // Numbers right-aligned, text left-aligned.
                            if i > 0 && looks_numeric(c) {
                                format!("{c:>w$}")
                            } else {
                                format!("{c:<w$}")
                            }
                        })
                        .collect::<Vec<_>>()
                        .join("  ")
                        .trim_end()
                        .to_string()
                };
                let headers: Vec<String> = self.headers.iter().map(|h| h.to_string()).collect();
                writeln!(out, "{}", line(&headers))?;
                writeln!(out, "{}", widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().join("  "))?;
                for r in &self.rows {
                    writeln!(out, "{}", line(r))?;
                }
                for n in &self.notes {
                    writeln!(out, "{n}")?;
                }
                Ok(())
            }
        }
    }
}

fn looks_numeric(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || "+-.,%".contains(c))
}

/// The csv crate's error as the I/O error it wraps (so that a closed pipe
/// stays a `BrokenPipe`, which `main` ends quietly on).
fn csv_io(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

/// A number with a fixed number of decimals ("" when absent). A value that
/// rounds to zero prints as zero, never "-0.000" (a person reads a sign as
/// a change).
pub fn num(x: Option<f64>, decimals: usize) -> String {
    x.map(|v| {
        let s = format!("{v:.decimals$}");
        match s.strip_prefix('-') {
            Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
            _ => s,
        }
    })
    .unwrap_or_default()
}

/// Writes a GeoJSON FeatureCollection file (the engine's one writer,
/// `frontline::geojson_write`, full precision: read back, every coordinate
/// is the stored double) and returns how many features it holds. The file
/// is written whole or not at all (a temporary sibling renamed into place).
pub fn write_geojson_file<'a, P: Serialize, G: Into<GeometryRef<'a>>>(
    path: &std::path::Path,
    features: impl IntoIterator<Item = (P, G)>,
) -> anyhow::Result<usize> {
    use anyhow::Context;
    let mut w = FeatureCollectionWriter::new(Vec::new(), &serde_json::Value::Null, Precision::Full)?;
    for (properties, geometry) in features {
        w.feature(&properties, geometry)?;
    }
    let count = w.len();
    let bytes = w.finish()?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let partial = path.with_file_name(format!(".{name}.partial"));
    std::fs::write(&partial, bytes)
        .and_then(|()| std::fs::rename(&partial, path))
        .with_context(|| format!("writing {}: check that its folder exists and is writable", path.display()))?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::{num, OutputFormat, Table};

    #[test]
    fn csv_quotes_what_rfc_4180_says() {
        let rows = vec![vec!["a,b", "say \"hi\"", "one\rtwo", "line\nbreak", "plain"]];
        let t = Table::new(vec!["h1", "h2", "h3", "h4", "h5"], &rows, |r| r.iter().map(|c| c.to_string()).collect());
        let mut out = vec![];
        t.write_to(OutputFormat::Csv, &mut out).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            String::from_utf8_lossy(&out),
            "h1,h2,h3,h4,h5\n\"a,b\",\"say \"\"hi\"\"\",\"one\rtwo\",\"line\nbreak\",plain\n"
        );
    }

    #[test]
    fn a_geojson_file_holds_every_feature_with_its_exact_doubles() {
        use geo::{line_string, polygon};
        let dir = std::env::temp_dir().join(format!("frontline-output-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let path = dir.join("gained.geojson");
        // 0.1 + 0.2 ≠ 0.3 in binary: only a round-trip form gives the same double back.
        let x = 37.0 + 0.1 + 0.2;
        let mp = geo::MultiPolygon::new(vec![polygon![(x: x, y: 48.0), (x: 38.0, y: 48.0), (x: 38.0, y: 49.0)]]);
        let line = geo::MultiLineString::new(vec![line_string![(x: 36.0, y: 47.0), (x: 36.5, y: 47.25)]]);
        let features: Vec<(serde_json::Value, frontline::geojson_write::GeometryRef)> = vec![
            (serde_json::json!({"kind": "gained", "area_km2": 12.5}), (&mp).into()),
            (serde_json::json!({"kind": "front"}), (&line).into()),
        ];
        let n = super::write_geojson_file(&path, features).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(n, 2);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v["type"], "FeatureCollection");
        assert_eq!(v["features"][0]["properties"]["kind"], "gained");
        assert_eq!(v["features"][0]["geometry"]["type"], "MultiPolygon");
        // The first vertex, read back with Rust's correctly rounded parser (serde_json's
        // default float parsing is not exact).
        let first = text.split("\"coordinates\":[[[[").nth(1).and_then(|t| t.split(',').next());
        assert_eq!(first.and_then(|t| t.parse::<f64>().ok()), Some(x), "{text}");
        // geo closes the ring: 3 corners + the first again.
        assert_eq!(v["features"][0]["geometry"]["coordinates"][0][0].as_array().map(Vec::len), Some(4));
        assert_eq!(v["features"][1]["geometry"]["coordinates"][0][1][1].as_f64(), Some(47.25));
        // Written whole, then renamed: no partial file is left beside it.
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{e}")).flatten().collect();
        assert_eq!(left.len(), 1);
        // A folder that does not exist: an error naming the file, nothing written.
        let e = super::write_geojson_file(
            &dir.join("no/such/out.geojson"),
            Vec::<(serde_json::Value, &geo::MultiPolygon<f64>)>::new(),
        )
        .err()
        .map(|e| format!("{e:#}"))
        .unwrap_or_default();
        assert!(e.contains("out.geojson") && e.contains("writable"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn no_negative_zero() {
        assert_eq!(num(Some(-0.0000001), 3), "0.000");
        assert_eq!(num(Some(-0.0), 1), "0.0");
        assert_eq!(num(Some(-0.25), 1), "-0.2");
        assert_eq!(num(Some(12.3456), 2), "12.35");
        assert_eq!(num(None, 2), "");
    }
}
