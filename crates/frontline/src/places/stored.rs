//! The gazetteer and status tables kept in the store, so that a question
//! about one town does not rebuild the gazetteer (about 1 s) and sweep the
//! whole history (about 1 s) every time. Both are rebuilt automatically
//! when their inputs change: the gazetteer's source files, or any snapshot
//! of the source.

use super::{Gazetteer, GazetteerSources, StatusTable};
use crate::error::{Error, Result};
use crate::model::SourceId;
use crate::store::Store;
use flate2::{read::ZlibDecoder, write::ZlibEncoder, Compression};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};

/// Bumped when the encoding or the computation of either changes.
const DERIVED_VERSION: u32 = 1;

fn encode<T: serde::Serialize>(value: &T) -> Result<Vec<u8>> {
    let raw = bincode::serialize(value).map_err(|e| Error::Request(format!("cannot encode a derived result: {e}")))?;
    let mut z = ZlibEncoder::new(Vec::with_capacity(raw.len() / 3), Compression::fast());
    z.write_all(&raw).and_then(|_| z.finish()).map_err(|e| Error::Request(format!("cannot compress: {e}")))
}

fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    let mut raw = vec![];
    ZlibDecoder::new(bytes).read_to_end(&mut raw).ok()?;
    bincode::deserialize(&raw).ok()
}

fn file_fingerprint(sources: &GazetteerSources) -> Result<Vec<u8>> {
    let mut h = Sha256::new();
    h.update(DERIVED_VERSION.to_le_bytes());
    for p in sources.paths() {
        let meta = std::fs::metadata(p).map_err(|source| Error::Io { path: p.to_path_buf(), source })?;
        h.update(p.to_string_lossy().as_bytes());
        h.update(meta.len().to_le_bytes());
        let mtime = meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
        h.update(mtime.map_or(0, |d| d.as_secs()).to_le_bytes());
    }
    Ok(h.finalize().to_vec())
}

/// The gazetteer from the store, or built from the files and stored.
/// `store` may be read-only: then nothing is written.
pub fn gazetteer(store: &Store, sources: &GazetteerSources, writable: bool) -> Result<Gazetteer> {
    let inputs = file_fingerprint(sources)?;
    if let Some(g) = store.derived("gazetteer", "", &inputs)?.and_then(|b| decode::<Gazetteer>(&b)) {
        return Ok(g);
    }
    let (g, _) = Gazetteer::load(sources)?;
    if writable {
        // Keeping it is an optimisation: a full disk must not fail a read.
        let _ = store.put_derived("gazetteer", "", &inputs, &encode(&g)?);
    }
    Ok(g)
}

/// Every settlement's status over every snapshot of a source, from the
/// store when its snapshots have not changed since, else computed (and
/// stored when `writable`).
pub fn status_table(store: &Store, gazetteer: &Gazetteer, source: &SourceId, writable: bool) -> Result<StatusTable> {
    let mut h = Sha256::new();
    h.update(DERIVED_VERSION.to_le_bytes());
    h.update(store.source_fingerprint(source)?);
    h.update(encode(&gazetteer.places().len())?);
    let inputs = h.finalize().to_vec();
    if let Some(t) = store.derived("status", source.as_str(), &inputs)?.and_then(|b| decode::<StatusTable>(&b)) {
        return Ok(t);
    }
    let snapshots = store.load_range(source, None, None)?;
    let t = StatusTable::compute(gazetteer, &snapshots)?;
    if writable {
        // Keeping it is an optimisation: a full disk must not fail a read.
        let _ = store.put_derived("status", source.as_str(), &inputs, &encode(&t)?);
    }
    Ok(t)
}
