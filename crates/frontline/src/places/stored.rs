//! The gazetteer and status tables kept in the store, so that a question
//! about one town does not rebuild the gazetteer (about 20 s for 26,000
//! places with their cut discs) and sweep the whole history every time.
//! Both are rebuilt automatically when their inputs change: the
//! gazetteer's source files, or any snapshot of the source.
//!
//! A query writes only when the stored copy is missing or stale; once it
//! is there, reading it back is all a query does (a test checks that the
//! stored copy decodes, and that a second query leaves the store as it was).

use super::gazetteer::NameIndex;
use super::{Gazetteer, GazetteerSources, Place, StatusTable};
use crate::error::{Error, Result};
use crate::model::SourceId;
use crate::store::Store;
use geo::{Coord, MultiPolygon};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};

/// Bumped when the encoding or the computation of either changes.
/// 2: OSM places gazetteer, externally tagged footprint kinds, run-length
/// status columns. 4: a city of boroughs (Kyiv) cut to land, not to one borough.
/// 5: postcard instead of bincode, the name index stored with the places,
/// footprints in the store's `footprints` table.
const DERIVED_VERSION: u32 = 5;

/// The first bytes of every derived blob: the codec (postcard), version 1.
/// A blob without them is from an older frontline (zlib around bincode 1,
/// starting 0x78) and is never fed to the decoder.
pub const MAGIC: &[u8; 8] = b"FLpost\x00\x01";

/// Encodes a derived result as the store keeps it: [`MAGIC`], then postcard
/// (a maintained, compact serde format; it is not self-describing, so the
/// stored types use no internally tagged enums, `flatten` or
/// `skip_serializing_if`). Not compressed: zlib halved the places but cost
/// more to inflate (40–130 ms) than the whole rest of a name query.
pub fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>> {
    postcard::to_extend(value, MAGIC.to_vec())
        .map_err(|e| Error::Internal(format!("cannot encode a derived result: {e}")))
}

/// Decodes a stored blob; the error says why (a blob that does not decode
/// is rebuilt, but silently rebuilding on every query is how the
/// gazetteer once cost 1.5 s a query: tests call this directly).
pub fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    let Some(body) = bytes.strip_prefix(MAGIC.as_slice()) else {
        return Err(Error::Internal(
            "a stored derived result is in an older encoding (bincode, before store schema 3); it is recomputed".into(),
        ));
    };
    match postcard::take_from_bytes(body) {
        Ok((value, [])) => Ok(value),
        Ok((_, rest)) => {
            Err(Error::Internal(format!("a stored derived result has {} bytes after its end", rest.len())))
        }
        Err(e) => Err(Error::Internal(format!("a stored derived result does not decode ({e})"))),
    }
}

/// The places (footprints without geometry) and their name index, as stored.
#[derive(Serialize)]
struct PlacesOut<'a> {
    places: &'a [Place],
    index: &'a NameIndex,
}

/// [`PlacesOut`] read back.
#[derive(Deserialize)]
struct PlacesIn {
    places: Vec<Place>,
    index: NameIndex,
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

/// The stored places with their name index, if current and readable.
fn stored_places(store: &Store, inputs: &[u8], timings: &mut Timings) -> Result<Option<Gazetteer>> {
    let mut t = Instant::now();
    let blob = store.derived("gazetteer", "", inputs)?;
    timings.lap("gazetteer: read the places and their name index from the store", &mut t);
    let Some(stored) = blob.and_then(|b| decode::<PlacesIn>(&b).ok()) else { return Ok(None) };
    timings.lap(format!("gazetteer: decode {} places and the name index", stored.places.len()), &mut t);
    let g = Gazetteer::from_places_and_index(stored.places, stored.index);
    timings.lap("gazetteer: check the index fits the places", &mut t);
    Ok(g)
}

/// The stored footprint geometries put into `g`, all of them; false when
/// the store has no current set for this gazetteer.
fn put_stored_geometries(store: &Store, inputs: &[u8], g: &mut Gazetteer) -> bool {
    // A cache that cannot be read (an old store opened read-only has no
    // footprints table) is rebuilt, not an error.
    match store.footprints(inputs) {
        Ok(Some(all)) if all.len() == g.len() => g.put_geometries_of(all),
        _ => false,
    }
}

/// The gazetteer kept in the store for these source files, with its
/// footprint geometries, if there is a current one.
pub fn stored_gazetteer(store: &Store, sources: &GazetteerSources) -> Result<Option<Gazetteer>> {
    let inputs = file_fingerprint(sources)?;
    let Some(mut g) = stored_places(store, &inputs, &mut Timings::default())? else {
        return Ok(None);
    };
    Ok(put_stored_geometries(store, &inputs, &mut g).then_some(g))
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
    timings.lap("gazetteer: fingerprint its source files", &mut t);
    if let Some(mut g) = stored_places(store, &inputs, timings)? {
        t = Instant::now();
        if !geometries {
            return Ok(g);
        }
        if put_stored_geometries(store, &inputs, &mut g) {
            timings.lap("gazetteer: read and decode the footprint geometries", &mut t);
            return Ok(g);
        }
    }
    t = Instant::now();
    let (mut g, _) = Gazetteer::load(sources)?;
    timings.lap("gazetteer: build from the source files (not stored yet)", &mut t);
    if writable {
        // Keeping it is an optimisation: a full disk must not fail a read.
        let _ = store_gazetteer(store, &inputs, &mut g);
        timings.lap("gazetteer: store", &mut t);
    }
    Ok(g)
}

/// Writes the places with their index, then the footprints, under `inputs`.
fn store_gazetteer(store: &Store, inputs: &[u8], g: &mut Gazetteer) -> Result<()> {
    let footprints: Vec<(usize, &MultiPolygon<f64>)> =
        g.places().iter().map(|p| (p.id, &p.footprint.geometry)).collect();
    store.put_footprints(inputs, &footprints)?;
    let geometries = g.take_geometries();
    let places = encode(&PlacesOut { places: g.places(), index: g.name_index() });
    g.put_geometries(geometries);
    store.put_derived("gazetteer", "", inputs, &places?)
}

/// Puts the footprint geometries into a gazetteer read without them.
pub(crate) fn ensure_geometries(store: &Store, sources: &GazetteerSources, g: &mut Gazetteer) -> Result<()> {
    if g.has_geometries() {
        return Ok(());
    }
    let inputs = file_fingerprint(sources)?;
    if put_stored_geometries(store, &inputs, g) {
        return Ok(());
    }
    *g = Gazetteer::load(sources)?.0;
    Ok(())
}

/// Puts into a gazetteer read without geometries the footprints that may
/// hold a point (those whose bounding box does), which is all that
/// resolving `LON,LAT` needs: the store answers from an index, so this
/// decodes a handful of footprints instead of all. Falls back to every
/// footprint when the store has none.
pub fn geometries_at(store: &Store, sources: &GazetteerSources, g: &mut Gazetteer, at: Coord<f64>) -> Result<()> {
    if g.has_geometries() {
        return Ok(());
    }
    let inputs = file_fingerprint(sources)?;
    if let Ok(Some(near)) = store.footprints_at(&inputs, at.x, at.y) {
        if g.put_geometries_of(near) {
            return Ok(());
        }
    }
    ensure_geometries(store, sources, g)
}

/// The stored footprint geometry of one place (one indexed row, not the
/// 26,000), if the store keeps current footprints for these files.
pub fn stored_footprint(store: &Store, sources: &GazetteerSources, id: usize) -> Result<Option<MultiPolygon<f64>>> {
    let inputs = file_fingerprint(sources)?;
    // A cache that cannot be read (an old store has no footprints table) is no answer.
    Ok(store.footprint_of(&inputs, id).ok().flatten())
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
