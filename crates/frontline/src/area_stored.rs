//! A source's area series kept in the store's `derived` table, so that a
//! process answering from it (the server at start) need not decode every
//! snapshot and clip it again: the rows of [`crate::area::area_rows`],
//! exactly as computed (JSON numbers round-trip every `f64` bit for bit),
//! with the reference's name and area.
//!
//! The entry is keyed by what the rows depend on: the source's layers
//! ([`Store::source_fingerprint`]), the bytes of the reference's file, the
//! country denominator and [`AREA_SERIES_VERSION`]. Any change to one of
//! them makes the stored rows stale, and they are then never returned.

use crate::area::AreaRow;
use crate::error::{Error, Result};
use crate::model::SourceId;
use crate::regions::Reference;
use crate::store::{content_hash, Store};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Bumped whenever a change to the engine changes any figure of an
/// [`AreaRow`]: stored series of an older version are then recomputed.
/// 2: occupied ∪ gray is unioned on the fixed overlay grid (under 0.001 km² apart).
pub const AREA_SERIES_VERSION: u32 = 2;

/// A source's whole area series within one reference territory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaSeries {
    /// The reference territory's name (`ukraine-with-sea`, ...).
    pub reference: String,
    /// The reference territory's geodesic area, km².
    pub reference_km2: f64,
    /// The denominator of the shares, km².
    pub country_km2: f64,
    /// One row per snapshot, oldest first.
    pub rows: Vec<AreaRow>,
}

/// The key of a stored series: the `derived` kind and the inputs digest,
/// given the source's layer fingerprint ([`Store::source_fingerprint`],
/// which reads every layer record: a caller that has it passes it here).
pub fn series_key(
    source_fingerprint: &[u8; 32],
    reference: &Reference,
    data_dir: &Path,
    country_km2: f64,
) -> Result<(String, Vec<u8>)> {
    let path = reference.path(data_dir);
    let bytes = std::fs::read(&path)
        .map_err(|e| Error::Request(format!("{}: cannot read the reference territory: {e}", path.display())))?;
    let mut inputs = Vec::with_capacity(32 * 2 + 12);
    inputs.extend_from_slice(source_fingerprint);
    inputs.extend_from_slice(&content_hash(&bytes));
    inputs.extend_from_slice(&country_km2.to_le_bytes());
    inputs.extend_from_slice(&AREA_SERIES_VERSION.to_le_bytes());
    Ok((format!("area-series:{}", reference.name()), inputs))
}

fn key(
    store: &Store,
    source: &SourceId,
    reference: &Reference,
    data_dir: &Path,
    country_km2: f64,
) -> Result<(String, Vec<u8>)> {
    series_key(&store.source_fingerprint(source)?, reference, data_dir, country_km2)
}

/// [`load_area_series`] under a key made by [`series_key`].
pub fn load_area_series_keyed(store: &Store, source: &SourceId, key: &(String, Vec<u8>)) -> Result<Option<AreaSeries>> {
    Ok(store.derived(&key.0, source.as_str(), &key.1)?.and_then(|v| serde_json::from_slice(&v).ok()))
}

/// The stored series of `source` within `reference`, if one was kept for
/// exactly the source's current layers and the reference file as it is.
/// A stored value that does not decode counts as absent (it is recomputed).
pub fn load_area_series(
    store: &Store,
    source: &SourceId,
    reference: &Reference,
    data_dir: &Path,
    country_km2: f64,
) -> Result<Option<AreaSeries>> {
    load_area_series_keyed(store, source, &key(store, source, reference, data_dir, country_km2)?)
}

/// Keeps `series` as the series of `source` within `reference` (replacing
/// an older one). `store` must be open for writing.
pub fn keep_area_series(
    store: &Store,
    source: &SourceId,
    reference: &Reference,
    data_dir: &Path,
    series: &AreaSeries,
) -> Result<()> {
    let (kind, inputs) = key(store, source, reference, data_dir, series.country_km2)?;
    let value = serde_json::to_vec(series).map_err(|e| Error::Internal(format!("area series not encoded: {e}")))?;
    store.put_derived(&kind, source.as_str(), &inputs, &value)
}
