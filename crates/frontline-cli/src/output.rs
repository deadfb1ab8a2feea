//! Rendering rows for people (aligned tables) and for scripts (CSV, JSON).
//! Renderers never compute a measure: they format what the engine returned.

use clap::ValueEnum;
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

/// A MultiPolygon as a GeoJSON geometry object (RFC 7946: exteriors
/// counter-clockwise, as the engine stores them).
pub fn multipolygon_geojson(mp: &geo::MultiPolygon<f64>) -> serde_json::Value {
    let ring = |r: &geo::LineString<f64>| r.0.iter().map(|c| [c.x, c.y]).collect::<Vec<_>>();
    let polys: Vec<Vec<Vec<[f64; 2]>>> =
        mp.0.iter().map(|p| std::iter::once(p.exterior()).chain(p.interiors()).map(ring).collect()).collect();
    serde_json::json!({"type": "MultiPolygon", "coordinates": polys})
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
    fn no_negative_zero() {
        assert_eq!(num(Some(-0.0000001), 3), "0.000");
        assert_eq!(num(Some(-0.0), 1), "0.0");
        assert_eq!(num(Some(-0.25), 1), "-0.2");
        assert_eq!(num(Some(12.3456), 2), "12.35");
        assert_eq!(num(None, 2), "");
    }
}
