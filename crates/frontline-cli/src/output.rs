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
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        match format {
            OutputFormat::Json => {
                serde_json::to_writer_pretty(&mut out, &self.json)?;
                writeln!(out)
            }
            OutputFormat::Csv => {
                writeln!(out, "{}", self.headers.iter().map(|h| csv_cell(h)).collect::<Vec<_>>().join(","))?;
                for r in &self.rows {
                    writeln!(out, "{}", r.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(","))?;
                }
                Ok(())
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

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
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
    use super::num;

    #[test]
    fn no_negative_zero() {
        assert_eq!(num(Some(-0.0000001), 3), "0.000");
        assert_eq!(num(Some(-0.0), 1), "0.0");
        assert_eq!(num(Some(-0.25), 1), "-0.2");
        assert_eq!(num(Some(12.3456), 2), "12.35");
        assert_eq!(num(None, 2), "");
    }
}
