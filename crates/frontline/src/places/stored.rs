//! The gazetteer and status tables kept in the store, so that a question
//! about one town does not rebuild the gazetteer (about 20 s for 26,000
//! places with their cut discs) and sweep the whole history every time.
//! Both are rebuilt automatically when their inputs change: the
//! gazetteer's source files, or any snapshot of the source.
//!
//! A query writes only when the stored copy is missing or stale; once it
//! is there, reading it back is all a query does (a test checks that the
//! stored copy decodes, and that a second query leaves the store as it was).

use super::{Gazetteer, GazetteerSources, Place, StatusTable};
use crate::error::{Error, Result};
use crate::model::SourceId;
use crate::store::Store;
use flate2::{read::ZlibDecoder, write::ZlibEncoder, Compression};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::time::{Duration, Instant};

/// Bumped when the encoding or the computation of either changes.
/// 2: OSM places gazetteer, externally tagged footprint kinds, run-length
/// status columns. 4: a city of boroughs (Kyiv) cut to land, not to one borough.
const DERIVED_VERSION: u32 = 4;

/// Encodes a derived result as the store keeps it (bincode, zlib).
pub fn encode<T: serde::Serialize>(value: &T) -> Result<Vec<u8>> {
    let raw = bincode::serialize(value).map_err(|e| Error::Internal(format!("cannot encode a derived result: {e}")))?;
    let mut z = ZlibEncoder::new(Vec::with_capacity(raw.len() / 3), Compression::fast());
    z.write_all(&raw).and_then(|_| z.finish()).map_err(|e| Error::Internal(format!("cannot compress: {e}")))
}

/// Decodes a stored blob; the error says why (a blob that does not decode
/// is rebuilt, but silently rebuilding on every query is how the
/// gazetteer once cost 1.5 s a query: tests call this directly).
pub fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    let mut raw = vec![];
    ZlibDecoder::new(bytes)
        .read_to_end(&mut raw)
        .map_err(|e| Error::Internal(format!("a stored derived result is not zlib data ({e})")))?;
    bincode::deserialize(&raw).map_err(|e| Error::Internal(format!("a stored derived result does not decode ({e})")))
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

/// Where a query's time went, phase by phase, for `--timings`.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    /// (phase, time), in order.
    pub phases: Vec<(String, Duration)>,
}

impl Timings {
    fn lap(&mut self, what: impl Into<String>, since: &mut Instant) {
        let now = Instant::now();
        self.phases.push((what.into(), now - *since));
        *since = now;
    }
}

/// The gazetteer kept in the store for these source files, with its
/// footprint geometries, if there is a current one.
pub fn stored_gazetteer(store: &Store, sources: &GazetteerSources) -> Result<Option<Gazetteer>> {
    let inputs = file_fingerprint(sources)?;
    let Some(places) = store.derived("gazetteer", "", &inputs)? else {
        return Ok(None);
    };
    let mut g = Gazetteer::from_places(decode::<Vec<Place>>(&places)?);
    let Some(geometries) = store.derived("footprints", "", &inputs)? else {
        return Ok(None);
    };
    if !g.put_geometries(decode(&geometries)?) {
        return Err(Error::Internal("the stored footprints do not match the stored gazetteer".into()));
    }
    Ok(Some(g))
}

/// The gazetteer from the store, or built from the files and stored.
/// `store` may be read-only: then nothing is written. A stored copy that
/// is current is only read.
pub fn gazetteer(store: &Store, sources: &GazetteerSources, writable: bool) -> Result<Gazetteer> {
    gazetteer_timed(store, sources, writable, true, &mut Timings::default())
}

/// [`gazetteer`], recording its phases. With `geometries` false the
/// footprints come without their geometry (kind and area kept): the
/// places and the name index are all a name lookup needs, and the
/// geometries are nine tenths of the stored bytes.
pub fn gazetteer_timed(
    store: &Store,
    sources: &GazetteerSources,
    writable: bool,
    geometries: bool,
    timings: &mut Timings,
) -> Result<Gazetteer> {
    let mut t = Instant::now();
    let inputs = file_fingerprint(sources)?;
    let blob = store.derived("gazetteer", "", &inputs)?;
    timings.lap("gazetteer: read the places from the store", &mut t);
    if let Some(places) = blob.and_then(|b| decode::<Vec<Place>>(&b).ok()) {
        timings.lap(format!("gazetteer: decode {} places", places.len()), &mut t);
        let mut g = Gazetteer::from_places(places);
        timings.lap("gazetteer: index the names", &mut t);
        if !geometries {
            return Ok(g);
        }
        let geo = store.derived("footprints", "", &inputs)?.and_then(|b| decode(&b).ok());
        if geo.is_some_and(|geo| g.put_geometries(geo)) {
            timings.lap("gazetteer: read and decode the footprint geometries", &mut t);
            return Ok(g);
        }
    }
    let (mut g, _) = Gazetteer::load(sources)?;
    timings.lap("gazetteer: build from the source files (not stored yet)", &mut t);
    if writable {
        let geo = g.take_geometries();
        let places = encode(&g.places())?;
        let footprints = encode(&geo)?;
        g.put_geometries(geo);
        // Keeping it is an optimisation: a full disk must not fail a read.
        let _ = store.put_derived("gazetteer", "", &inputs, &places);
        let _ = store.put_derived("footprints", "", &inputs, &footprints);
        timings.lap("gazetteer: store", &mut t);
    }
    Ok(g)
}

/// Puts the footprint geometries into a gazetteer read without them.
pub(crate) fn ensure_geometries(store: &Store, sources: &GazetteerSources, g: &mut Gazetteer) -> Result<()> {
    if g.has_geometries() {
        return Ok(());
    }
    let inputs = file_fingerprint(sources)?;
    let geo = store.derived("footprints", "", &inputs)?.and_then(|b| decode(&b).ok());
    if geo.is_some_and(|geo| g.put_geometries(geo)) {
        return Ok(());
    }
    *g = Gazetteer::load(sources)?.0;
    Ok(())
}

fn status_inputs(store: &Store, sources: &GazetteerSources, source: &SourceId) -> Result<Vec<u8>> {
    let mut h = Sha256::new();
    h.update(DERIVED_VERSION.to_le_bytes());
    h.update(store.source_fingerprint(source)?);
    // A table is only valid for the gazetteer it was computed with.
    h.update(file_fingerprint(sources)?);
    Ok(h.finalize().to_vec())
}

/// The status table kept in the store for this source and gazetteer, if
/// there is a current one.
pub fn stored_status_table(
    store: &Store,
    sources: &GazetteerSources,
    source: &SourceId,
) -> Result<Option<StatusTable>> {
    let inputs = status_inputs(store, sources, source)?;
    store.derived("status", source.as_str(), &inputs)?.map(|b| decode::<StatusTable>(&b)).transpose()
}

/// Every settlement's status over every snapshot of a source, from the
/// store when its snapshots and the gazetteer's files have not changed
/// since, else computed (and stored when `writable`).
pub fn status_table(
    store: &Store,
    gazetteer: &mut Gazetteer,
    sources: &GazetteerSources,
    source: &SourceId,
    writable: bool,
) -> Result<StatusTable> {
    status_table_timed(store, gazetteer, sources, source, writable, &mut Timings::default())
}

/// [`status_table`], recording its phases.
pub fn status_table_timed(
    store: &Store,
    gazetteer: &mut Gazetteer,
    sources: &GazetteerSources,
    source: &SourceId,
    writable: bool,
    timings: &mut Timings,
) -> Result<StatusTable> {
    let mut t = Instant::now();
    let inputs = status_inputs(store, sources, source)?;
    timings.lap("status table: fingerprint the source's snapshots", &mut t);
    let blob = store.derived("status", source.as_str(), &inputs)?;
    timings.lap("status table: read from the store", &mut t);
    if let Some(table) = blob.and_then(|b| decode::<StatusTable>(&b).ok()) {
        if table.place_count() == gazetteer.len() {
            timings.lap("status table: decode", &mut t);
            return Ok(table);
        }
    }
    // Computing needs the footprints themselves.
    ensure_geometries(store, sources, gazetteer)?;
    timings.lap("status table: not stored yet; read the footprint geometries", &mut t);
    let snapshots = store.load_range(source, None, None)?;
    timings.lap(format!("status table: load {} snapshots", snapshots.len()), &mut t);
    let table = StatusTable::compute(gazetteer, &snapshots)?;
    timings.lap("status table: compute", &mut t);
    if writable {
        // Keeping it is an optimisation: a full disk must not fail a read.
        let _ = store.put_derived("status", source.as_str(), &inputs, &encode(&table)?);
        timings.lap("status table: store", &mut t);
    }
    Ok(table)
}
