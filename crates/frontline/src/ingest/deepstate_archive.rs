//! DeepState's current map as a daily job downloaded it, kept whenever it
//! changed (the git history of SmartFinn/wararchive-website,
//! `data/deepstate.geojson`): `deepstate_<YYYYMMDD>T<HHMMSS>Z_<sha8>.geojson.gz`,
//! 2025-06-29 onwards. The only gray-zone record after the raw history ends
//! (2025-08-03).
//!
//! The features are those of the raw history (same keys, colours, 3-D
//! coordinates), without points and without most satirical territories, so
//! the raw classification rules apply unchanged; Transnistria is still
//! there and is skipped by its key (and would fall outside the reference
//! territory anyway). The time in the name is the download time, not
//! DeepState's edit time: see [`crate::store`] for how the archive joins the
//! raw history into one `deepstate` series.

use super::deepstate_raw::{classify_features, CLASSES};
use super::{assemble, FileIngest, IngestContext};
use crate::error::{Error, Result};
use crate::model::SourceId;
use chrono::{DateTime, NaiveDateTime, Utc};
use std::path::Path;

/// The download time in a `deepstate_<YYYYMMDD>T<HHMMSS>Z_<sha8>.geojson[.gz]` name.
pub fn taken_at_from_name(name: &str) -> Option<DateTime<Utc>> {
    let stem = name
        .strip_suffix(".geojson.gz")
        .or_else(|| name.strip_suffix(".geojson"))
        .or_else(|| name.strip_suffix(".json"))?;
    let rest = stem.strip_prefix("deepstate_")?;
    let (stamp, hash) = rest.split_once('_')?;
    if hash.is_empty() || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let stamp = stamp.strip_suffix('Z')?;
    NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%M%S").ok().map(|t| t.and_utc())
}

pub(super) fn ingest(path: &Path, bytes: &[u8], ctx: &IngestContext) -> Result<FileIngest> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let taken_at = taken_at_from_name(name).ok_or_else(|| {
        Error::file(path, "not a DeepState archive file name (expected deepstate_YYYYMMDDTHHMMSSZ_<hash>.geojson.gz)")
    })?;
    let (classified, report) = classify_features(path, bytes, taken_at)?;
    assemble(path, SourceId::new(SourceId::DEEPSTATE_ARCHIVE), taken_at, &CLASSES, classified, report, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let t = taken_at_from_name("deepstate_20250629T094236Z_e3d9e719.geojson.gz").expect("archive name");
        assert_eq!(t.to_rfc3339(), "2025-06-29T09:42:36+00:00");
        assert!(taken_at_from_name("deepstate_20250629T094236Z_e3d9e719.txt").is_none());
        assert!(taken_at_from_name("deepstate_20251329T094236Z_e3d9e719.geojson.gz").is_none());
        assert!(taken_at_from_name("deepstate_20250629T094236Z_.geojson.gz").is_none());
        assert!(taken_at_from_name("deepstate_20250629T094236_e3d9e719.geojson.gz").is_none());
        assert!(taken_at_from_name("deepstatemap_data_20260101.geojson").is_none());
    }
}
