//! What every command needs: the store path, the shared data folder, the
//! output format, and the parsing of dates and sources.

use crate::output::OutputFormat;
use anyhow::{anyhow, bail, Context as _, Result};
use chrono::NaiveDate;
use frontline::regions::{load_reference, Reference, Territory};
use frontline::store::Store;
use frontline::SourceId;
use std::path::{Path, PathBuf};

pub struct Context {
    pub db: PathBuf,
    data: Option<PathBuf>,
    pub format: OutputFormat,
}

impl Context {
    pub fn new(db: PathBuf, data: Option<PathBuf>, format: OutputFormat) -> Self {
        Context { db, data, format }
    }

    /// The shared data folder: --data / $FRONTLINE_DATA, $FRONTLINE_SHARED/data,
    /// ../shared/data from the current folder, or from the binary's repo.
    pub fn data_dir(&self) -> Result<PathBuf> {
        if let Some(d) = &self.data {
            return check_data(d);
        }
        if let Some(s) = std::env::var_os("FRONTLINE_SHARED") {
            return check_data(&PathBuf::from(s).join("data"));
        }
        let mut candidates = vec![PathBuf::from("../shared/data"), PathBuf::from("shared/data")];
        if let Ok(exe) = std::env::current_exe() {
            // target/<profile>/frontline -> repo root -> ../shared/data
            if let Some(root) = exe.ancestors().nth(3) {
                candidates.push(root.join("../shared/data"));
            }
        }
        candidates.into_iter().find(|c| c.join("boundaries").is_dir()).ok_or_else(|| {
            anyhow!("shared data not found: pass --data DIR (the folder holding boundaries/), or set FRONTLINE_SHARED")
        })
    }

    pub fn store(&self) -> Result<Store> {
        Ok(Store::open_read_only(&self.db)?)
    }

    /// The store, writable when possible so that derived results (the
    /// gazetteer, status tables) are kept for next time; read-only when it
    /// cannot be written. Never creates a store that does not exist.
    pub fn store_for_cache(&self) -> Result<(Store, bool)> {
        if !self.db.exists() {
            return Ok((self.store()?, false));
        }
        match Store::open(&self.db) {
            Ok(s) => Ok((s, true)),
            Err(_) => Ok((self.store()?, false)),
        }
    }

    pub fn reference(&self, name: &str) -> Result<Territory> {
        let reference = Reference::parse(name);
        let data = match &reference {
            Reference::File(_) => PathBuf::new(),
            _ => self.data_dir()?,
        };
        load_reference(&reference, &data).with_context(|| format!("loading reference territory '{name}'"))
    }
}

fn check_data(d: &Path) -> Result<PathBuf> {
    if d.join("boundaries").is_dir() {
        Ok(d.to_path_buf())
    } else {
        bail!("{}: no boundaries/ folder here; pass --data DIR pointing at the shared data", d.display())
    }
}

/// Parses YYYY-MM-DD with an error that shows the expected form.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("'{s}' is not a date: use YYYY-MM-DD, e.g. 2025-06-01"))
}

/// The source to use: the one named, else the only one in the store, else
/// the DeepState daily export if present, else the joined DeepState full map
/// ([`frontline::usecase::pick_source`]).
pub fn pick_source(store: &Store, named: Option<&str>) -> Result<SourceId> {
    Ok(frontline::usecase::pick_source(store, named)?)
}

/// A duration as people write it: `500ms`, `30s`, `10m`, `6h`, `1d`
/// (a bare number is seconds).
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let t = s.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().map_err(|_| format!("'{s}': expected a duration such as 30s, 10m, 6h or 1d"))?;
    let seconds = match unit.trim() {
        "ms" => n / 1000.0,
        "" | "s" => n,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        "d" => n * 86400.0,
        other => return Err(format!("'{s}': unknown unit '{other}'; use ms, s, m, h or d")),
    };
    if !seconds.is_finite() || !(0.0..=1e9).contains(&seconds) {
        return Err(format!("'{s}': out of range"));
    }
    Ok(std::time::Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod duration_tests {
    #[test]
    fn durations() {
        use std::time::Duration;
        assert_eq!(super::parse_duration("6h"), Ok(Duration::from_secs(21_600)));
        assert_eq!(super::parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(super::parse_duration("90"), Ok(Duration::from_secs(90)));
        assert!(super::parse_duration("6 weeks").is_err());
        assert!(super::parse_duration("-1s").is_err());
    }
}
