//! The embedded snapshot store: one SQLite file (default `./frontline.db`).
//!
//! Layers are keyed by (source, instant, class), so two files that each
//! carry one class of the same snapshot (ISW's control and advance layers)
//! merge into one snapshot. Every file is written in one transaction: an
//! interrupted ingest leaves no partial snapshot. A file whose content hash
//! is already recorded is skipped before it is even parsed.

use crate::error::{Error, Result};
use crate::ingest::{FileIngest, FileReport};
use crate::model::{ControlClass, Layer, Snapshot, SourceId};
use chrono::{DateTime, NaiveDate, Utc};
use geo::{Coord, LineString, MultiPolygon, Polygon};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Bumped whenever the tables or the geometry encoding change.
pub const SCHEMA_VERSION: i64 = 1;

/// The default store path.
pub const DEFAULT_PATH: &str = "frontline.db";

/// An open store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// What writing a file did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PutOutcome {
    /// New layers were written.
    Added,
    /// Layers already stored for that (source, instant, class) were replaced
    /// by different content.
    Replaced,
    /// The same content was already stored: nothing written.
    Unchanged,
}

/// One source in the store.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SourceSummary {
    /// The source.
    pub source: SourceId,
    /// What it is, in words ([`SourceId::label`]).
    pub label: String,
    /// How many snapshots it has.
    pub snapshots: usize,
    /// The first snapshot's instant.
    pub first: DateTime<Utc>,
    /// The last snapshot's instant.
    pub last: DateTime<Utc>,
    /// The classes it publishes.
    pub classes: Vec<ControlClass>,
}

/// The SHA-256 of a file's content, the store's identity for "same file".
pub fn content_hash(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

impl Store {
    /// Opens (creating if needed) a store for reading and writing.
    pub fn open(path: &Path) -> Result<Store> {
        let conn = Connection::open(path).map_err(|e| store_err(path, e))?;
        let store = Store { conn, path: path.to_path_buf() };
        store.init()?;
        Ok(store)
    }

    /// Opens an existing store read-only (errors if it does not exist).
    pub fn open_read_only(path: &Path) -> Result<Store> {
        if !path.exists() {
            return Err(Error::Store {
                path: path.to_path_buf(),
                problem: "no such store; run `frontline ingest PATH...` first, or pass --db".into(),
            });
        }
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(|e| store_err(path, e))?;
        let store = Store { conn, path: path.to_path_buf() };
        store.check_version()?;
        Ok(store)
    }

    /// The store's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn init(&self) -> Result<()> {
        self.conn
            .execute_batch(
                "PRAGMA journal_mode=WAL;
                 PRAGMA synchronous=NORMAL;
                 CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
                 CREATE TABLE IF NOT EXISTS layers(
                     source TEXT NOT NULL,
                     taken_at INTEGER NOT NULL,
                     class TEXT NOT NULL,
                     geometry BLOB NOT NULL,
                     content_hash BLOB NOT NULL,
                     origin TEXT NOT NULL,
                     PRIMARY KEY(source, taken_at, class));
                 CREATE TABLE IF NOT EXISTS derived(
                     kind TEXT NOT NULL,
                     source TEXT NOT NULL,
                     inputs BLOB NOT NULL,
                     value BLOB NOT NULL,
                     PRIMARY KEY(kind, source));
                 CREATE TABLE IF NOT EXISTS files(
                     content_hash BLOB PRIMARY KEY,
                     path TEXT NOT NULL,
                     source TEXT NOT NULL,
                     taken_at INTEGER NOT NULL,
                     report TEXT NOT NULL);",
            )
            .map_err(|e| store_err(&self.path, e))?;
        let version: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key='schema_version'", [], |r| r.get(0))
            .optional()
            .map_err(|e| store_err(&self.path, e))?;
        match version {
            None => {
                self.conn
                    .execute("INSERT INTO meta(key, value) VALUES('schema_version', ?1)", [SCHEMA_VERSION.to_string()])
                    .map_err(|e| store_err(&self.path, e))?;
                Ok(())
            }
            Some(_) => self.check_version(),
        }
    }

    fn check_version(&self) -> Result<()> {
        let version: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key='schema_version'", [], |r| r.get(0))
            .optional()
            .map_err(|e| store_err(&self.path, e))?;
        match version.as_deref().map(str::parse::<i64>) {
            Some(Ok(v)) if v == SCHEMA_VERSION => Ok(()),
            Some(Ok(v)) => Err(Error::Store {
                path: self.path.clone(),
                problem: format!(
                    "schema version {v}, this frontline reads version {SCHEMA_VERSION}; re-ingest into a new store"
                ),
            }),
            _ => Err(Error::Store {
                path: self.path.clone(),
                problem: "not a frontline store (no schema version)".into(),
            }),
        }
    }

    /// Whether a file with this content was already ingested.
    pub fn has_file(&self, hash: &[u8; 32]) -> Result<bool> {
        self.conn
            .query_row("SELECT 1 FROM files WHERE content_hash=?1", [&hash[..]], |_| Ok(()))
            .optional()
            .map(|o| o.is_some())
            .map_err(|e| store_err(&self.path, e))
    }

    /// Writes one ingested file in a single transaction.
    pub fn put(&mut self, ingest: &FileIngest, hash: &[u8; 32]) -> Result<PutOutcome> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| store_err(&path, e))?;
        let snap = &ingest.snapshot;
        let ts = snap.taken_at.timestamp();
        let mut outcome = PutOutcome::Unchanged;
        for layer in &snap.layers {
            let blob = encode_multipolygon(&layer.geometry);
            let layer_hash = content_hash(&blob);
            let existing: Option<Vec<u8>> = tx
                .query_row(
                    "SELECT content_hash FROM layers WHERE source=?1 AND taken_at=?2 AND class=?3",
                    params![snap.source.as_str(), ts, layer.class.as_str()],
                    |r| r.get(0),
                )
                .optional()
                .map_err(|e| store_err(&path, e))?;
            match existing {
                Some(h) if h == layer_hash => continue,
                Some(_) => outcome = PutOutcome::Replaced,
                None if outcome == PutOutcome::Unchanged => outcome = PutOutcome::Added,
                None => {}
            }
            tx.execute(
                "INSERT OR REPLACE INTO layers(source, taken_at, class, geometry, content_hash, origin)
                 VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    snap.source.as_str(),
                    ts,
                    layer.class.as_str(),
                    blob,
                    &layer_hash[..],
                    ingest.path.display().to_string()
                ],
            )
            .map_err(|e| store_err(&path, e))?;
        }
        let report = serde_json::to_string(&ingest.report).unwrap_or_default();
        tx.execute(
            "INSERT OR REPLACE INTO files(content_hash, path, source, taken_at, report) VALUES(?1, ?2, ?3, ?4, ?5)",
            params![&hash[..], ingest.path.display().to_string(), snap.source.as_str(), ts, report],
        )
        .map_err(|e| store_err(&path, e))?;
        tx.commit().map_err(|e| store_err(&path, e))?;
        Ok(outcome)
    }

    /// Every source with its snapshot count and span.
    pub fn sources(&self) -> Result<Vec<SourceSummary>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT source, COUNT(DISTINCT taken_at), MIN(taken_at), MAX(taken_at), GROUP_CONCAT(DISTINCT class)
                 FROM layers GROUP BY source ORDER BY source",
            )
            .map_err(|e| store_err(&self.path, e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })
            .map_err(|e| store_err(&self.path, e))?;
        let mut out = vec![];
        for row in rows {
            let (source, n, first, last, classes) = row.map_err(|e| store_err(&self.path, e))?;
            let mut classes: Vec<ControlClass> = classes.split(',').filter_map(ControlClass::parse).collect();
            classes.sort();
            let source = SourceId::new(source);
            out.push(SourceSummary {
                label: source.label(),
                source,
                snapshots: usize::try_from(n).unwrap_or(0),
                first: self.instant(first)?,
                last: self.instant(last)?,
                classes,
            });
        }
        // The composite DeepState series is listed once its second member
        // (the archive) is stored: before that it would only repeat the raw history.
        let composite = SourceId::new(SourceId::DEEPSTATE);
        if out.iter().any(|s| s.source.as_str() == SourceId::DEEPSTATE_ARCHIVE) {
            let times = self.composite_times(&composite)?;
            if let (Some(first), Some(last)) = (times.first(), times.last()) {
                let mut classes: Vec<ControlClass> = out
                    .iter()
                    .filter(|s| composite.members().is_some_and(|m| m.contains(&s.source.as_str())))
                    .flat_map(|s| s.classes.iter().copied())
                    .collect();
                classes.sort();
                classes.dedup();
                out.push(SourceSummary {
                    label: composite.label(),
                    source: composite.clone(),
                    snapshots: times.len(),
                    first: self.instant(first.0)?,
                    last: self.instant(last.0)?,
                    classes,
                });
                out.sort_by(|a, b| a.source.cmp(&b.source));
            }
        }
        Ok(out)
    }

    /// The stored instants of one stored source, oldest first (empty when absent).
    fn stored_times(&self, source: &str) -> Result<Vec<i64>> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT taken_at FROM layers WHERE source=?1 ORDER BY taken_at")
            .map_err(|e| store_err(&self.path, e))?;
        let rows = stmt.query_map([source], |r| r.get::<_, i64>(0)).map_err(|e| store_err(&self.path, e))?;
        rows.collect::<std::result::Result<Vec<i64>, _>>().map_err(|e| store_err(&self.path, e))
    }

    /// The snapshots a composite source is made of, as (instant, member),
    /// oldest first: for each UTC calendar day, the maps of the
    /// highest-priority member that has one that day. For `deepstate` the
    /// raw history wins over the archive on the days both have, because a
    /// raw file's time is DeepState's own publication time, while an archive
    /// file's is the time a job downloaded the map (the same map can be
    /// downloaded the morning after it was published: the archive's
    /// 2025-08-04 file is raw's 2025-08-03 evening map).
    fn composite_times(&self, source: &SourceId) -> Result<Vec<(i64, &'static str)>> {
        let Some(members) = source.members() else {
            return Ok(vec![]);
        };
        let mut taken: std::collections::BTreeSet<NaiveDate> = Default::default();
        let mut out: Vec<(i64, &'static str)> = vec![];
        for member in members {
            let times = self.stored_times(member)?;
            let mut days_here = std::collections::BTreeSet::new();
            for ts in times {
                let day = self.instant(ts)?.date_naive();
                if !taken.contains(&day) {
                    days_here.insert(day);
                    out.push((ts, member));
                }
            }
            taken.extend(days_here);
        }
        out.sort();
        Ok(out)
    }

    fn instant(&self, ts: i64) -> Result<DateTime<Utc>> {
        DateTime::from_timestamp(ts, 0)
            .ok_or_else(|| Error::Store { path: self.path.clone(), problem: format!("corrupt timestamp {ts}") })
    }

    /// The instants of a source's snapshots, oldest first.
    pub fn snapshot_times(&self, source: &SourceId) -> Result<Vec<DateTime<Utc>>> {
        let stamps: Vec<i64> = match source.members() {
            Some(_) => self.composite_times(source)?.into_iter().map(|(ts, _)| ts).collect(),
            None => self.stored_times(source.as_str())?,
        };
        let mut out = vec![];
        for ts in stamps {
            out.push(self.instant(ts)?);
        }
        if out.is_empty() {
            let known: Vec<String> = self.sources()?.into_iter().map(|s| s.source.0).collect();
            return Err(Error::Request(format!(
                "no snapshots of source '{source}' in {}; sources here: {}",
                self.path.display(),
                if known.is_empty() { "none (run `frontline ingest` first)".to_string() } else { known.join(", ") }
            )));
        }
        Ok(out)
    }

    /// Loads every snapshot of a source whose date lies in `from..=to`
    /// (either bound optional), oldest first.
    pub fn load_range(
        &self,
        source: &SourceId,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Vec<Snapshot>> {
        if source.members().is_some() {
            let chosen: std::collections::BTreeSet<(i64, &str)> = self.composite_times(source)?.into_iter().collect();
            let mut out = vec![];
            for member in source.members().into_iter().flatten() {
                for mut snap in self.load_range(&SourceId::new(member), from, to)? {
                    if chosen.contains(&(snap.taken_at.timestamp(), member)) {
                        snap.source = source.clone();
                        out.push(snap);
                    }
                }
            }
            out.sort_by_key(|s| s.taken_at);
            return Ok(out);
        }
        let lo = from.and_then(|d| d.and_hms_opt(0, 0, 0)).map(|d| d.and_utc().timestamp()).unwrap_or(i64::MIN);
        let hi = to.and_then(|d| d.and_hms_opt(23, 59, 59)).map(|d| d.and_utc().timestamp()).unwrap_or(i64::MAX);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT taken_at, class, geometry FROM layers
                 WHERE source=?1 AND taken_at BETWEEN ?2 AND ?3 ORDER BY taken_at, class",
            )
            .map_err(|e| store_err(&self.path, e))?;
        let rows = stmt
            .query_map(params![source.as_str(), lo, hi], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, Vec<u8>>(2)?))
            })
            .map_err(|e| store_err(&self.path, e))?;
        let mut raw = vec![];
        for row in rows {
            raw.push(row.map_err(|e| store_err(&self.path, e))?);
        }
        // Decoding is the costly part: do it in parallel.
        use rayon::prelude::*;
        let path = &self.path;
        let decoded: Vec<(i64, ControlClass, MultiPolygon<f64>)> = raw
            .into_par_iter()
            .map(|(ts, class, blob)| {
                let class = ControlClass::parse(&class)
                    .ok_or_else(|| Error::Store { path: path.clone(), problem: format!("unknown class '{class}'") })?;
                let geometry = decode_multipolygon(&blob)
                    .ok_or_else(|| Error::Store { path: path.clone(), problem: format!("corrupt geometry at {ts}") })?;
                Ok((ts, class, geometry))
            })
            .collect::<Result<_>>()?;
        let mut out: Vec<Snapshot> = vec![];
        for (ts, class, geometry) in decoded {
            let taken_at = self.instant(ts)?;
            match out.last_mut() {
                Some(s) if s.taken_at == taken_at => s.layers.push(Layer { class, geometry }),
                _ => out.push(Snapshot { source: source.clone(), taken_at, layers: vec![Layer { class, geometry }] }),
            }
        }
        Ok(out)
    }
}

fn store_err(path: &Path, e: rusqlite::Error) -> Error {
    Error::Store { path: path.to_path_buf(), problem: e.to_string() }
}

impl Store {
    /// A fingerprint of every layer of a source (instants, classes and
    /// content hashes): derived results keyed by it are stale as soon as a
    /// snapshot is added or replaced.
    pub fn source_fingerprint(&self, source: &SourceId) -> Result<[u8; 32]> {
        if let Some(members) = source.members() {
            let mut h = Sha256::new();
            for m in members {
                h.update(self.source_fingerprint(&SourceId::new(m))?);
            }
            return Ok(h.finalize().into());
        }
        let mut stmt = self
            .conn
            .prepare("SELECT taken_at, class, content_hash FROM layers WHERE source=?1 ORDER BY taken_at, class")
            .map_err(|e| store_err(&self.path, e))?;
        let mut rows = stmt.query([source.as_str()]).map_err(|e| store_err(&self.path, e))?;
        let mut h = Sha256::new();
        while let Some(r) = rows.next().map_err(|e| store_err(&self.path, e))? {
            let ts: i64 = r.get(0).map_err(|e| store_err(&self.path, e))?;
            let class: String = r.get(1).map_err(|e| store_err(&self.path, e))?;
            let hash: Vec<u8> = r.get(2).map_err(|e| store_err(&self.path, e))?;
            h.update(ts.to_le_bytes());
            h.update(class.as_bytes());
            h.update(&hash);
        }
        Ok(h.finalize().into())
    }

    /// A derived result (gazetteer, status table, ...) stored under `kind`
    /// and `source`, if it was computed from exactly `inputs`.
    pub fn derived(&self, kind: &str, source: &str, inputs: &[u8]) -> Result<Option<Vec<u8>>> {
        let row: Option<(Vec<u8>, Vec<u8>)> = self
            .conn
            .query_row("SELECT inputs, value FROM derived WHERE kind=?1 AND source=?2", params![kind, source], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(|e| store_err(&self.path, e))?;
        Ok(row.and_then(|(i, v)| (i == inputs).then_some(v)))
    }

    /// Keeps a derived result (replacing an older one of the same kind and source).
    pub fn put_derived(&self, kind: &str, source: &str, inputs: &[u8], value: &[u8]) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO derived(kind, source, inputs, value) VALUES(?1, ?2, ?3, ?4)",
                params![kind, source, inputs, value],
            )
            .map_err(|e| store_err(&self.path, e))?;
        Ok(())
    }
}

/// Encodes a MultiPolygon compactly: counts as u32, coordinates as f64,
/// little-endian, rings with their closing vertex.
pub fn encode_multipolygon(mp: &MultiPolygon<f64>) -> Vec<u8> {
    let n: usize =
        mp.0.iter().map(|p| p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>()).sum();
    let mut out = Vec::with_capacity(16 * n + 64);
    put_u32(&mut out, mp.0.len());
    for p in &mp.0 {
        put_u32(&mut out, 1 + p.interiors().len());
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            put_u32(&mut out, ring.0.len());
            for c in &ring.0 {
                out.extend_from_slice(&c.x.to_le_bytes());
                out.extend_from_slice(&c.y.to_le_bytes());
            }
        }
    }
    out
}

fn put_u32(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
}

/// Decodes [`encode_multipolygon`]'s bytes; `None` if they are corrupt.
pub fn decode_multipolygon(bytes: &[u8]) -> Option<MultiPolygon<f64>> {
    let mut r = Reader { bytes, at: 0 };
    let npolys = r.u32()?;
    let mut polys = Vec::with_capacity(npolys.min(1 << 16));
    for _ in 0..npolys {
        let nrings = r.u32()?;
        let mut rings = Vec::with_capacity(nrings.min(1 << 16));
        for _ in 0..nrings {
            let npts = r.u32()?;
            if npts.checked_mul(16)? > bytes.len() {
                return None;
            }
            let mut pts = Vec::with_capacity(npts);
            for _ in 0..npts {
                pts.push(Coord { x: r.f64()?, y: r.f64()? });
            }
            rings.push(LineString::new(pts));
        }
        let mut rings = rings.into_iter();
        let exterior = rings.next()?;
        polys.push(Polygon::new(exterior, rings.collect()));
    }
    (r.at == bytes.len()).then(|| MultiPolygon::new(polys))
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let s = self.bytes.get(self.at..self.at + N)?;
        self.at += N;
        s.try_into().ok()
    }
    fn u32(&mut self) -> Option<usize> {
        self.take::<4>().map(|b| u32::from_le_bytes(b) as usize)
    }
    fn f64(&mut self) -> Option<f64> {
        self.take::<8>().map(f64::from_le_bytes)
    }
}

/// The stored report of an ingested file, by content hash.
pub fn report_of(store: &Store, hash: &[u8; 32]) -> Result<Option<FileReport>> {
    let json: Option<String> = store
        .conn
        .query_row("SELECT report FROM files WHERE content_hash=?1", [&hash[..]], |r| r.get(0))
        .optional()
        .map_err(|e| store_err(&store.path, e))?;
    Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn geometry_round_trips_bit_for_bit() {
        let p = polygon!(
            exterior: [(x: 30.1, y: 48.2), (x: 31.0, y: 48.0), (x: 31.0, y: 49.0)],
            interiors: [[(x: 30.8, y: 48.2), (x: 30.9, y: 48.3), (x: 30.85, y: 48.5)]],
        );
        let mp = MultiPolygon::new(vec![p.clone(), p]);
        let bytes = encode_multipolygon(&mp);
        assert_eq!(decode_multipolygon(&bytes), Some(mp));
        assert_eq!(decode_multipolygon(&bytes[..bytes.len() - 1]), None);
        assert_eq!(decode_multipolygon(&[255, 255, 255, 255]), None);
    }

    fn put(store: &mut Store, source: &str, at: &str, size: f64) {
        let taken_at = DateTime::parse_from_rfc3339(at).expect("time").with_timezone(&Utc);
        let mut snapshot = Snapshot { source: SourceId::new(source), taken_at, layers: vec![] };
        let square = polygon![(x: 30.0, y: 48.0), (x: 30.0 + size, y: 48.0), (x: 30.0 + size, y: 48.0 + size)];
        snapshot.set_layer(ControlClass::Occupied, MultiPolygon::new(vec![square]));
        let ingest = FileIngest { path: PathBuf::from(at), snapshot, report: FileReport::default() };
        store.put(&ingest, &content_hash(at.as_bytes())).expect("put");
    }

    #[test]
    fn the_deepstate_series_joins_raw_and_archive_by_day_raw_first() {
        let dir = std::env::temp_dir().join(format!("frontline-composite-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("tmp");
        let path = dir.join("s.db");
        let _ = std::fs::remove_file(&path);
        let mut store = Store::open(&path).expect("store");
        put(&mut store, SourceId::DEEPSTATE_RAW, "2025-08-02T20:00:00Z", 0.1);
        put(&mut store, SourceId::DEEPSTATE_RAW, "2025-08-03T19:58:25Z", 0.2);
        // The archive's download of the same day loses to raw's publication...
        put(&mut store, SourceId::DEEPSTATE_ARCHIVE, "2025-08-03T09:30:00Z", 0.3);
        // ... and the next morning's download (raw has nothing that day) is used.
        put(&mut store, SourceId::DEEPSTATE_ARCHIVE, "2025-08-04T09:38:27Z", 0.4);
        let deepstate = SourceId::new(SourceId::DEEPSTATE);
        let times: Vec<String> =
            store.snapshot_times(&deepstate).expect("times").iter().map(|t| t.to_rfc3339()).collect();
        assert_eq!(times, ["2025-08-02T20:00:00+00:00", "2025-08-03T19:58:25+00:00", "2025-08-04T09:38:27+00:00"]);
        let snaps = store.load_range(&deepstate, None, None).expect("load");
        assert_eq!(snaps.len(), 3);
        assert!(snaps.iter().all(|s| s.source == deepstate));
        let sizes: Vec<f64> = snaps
            .iter()
            .map(|s| s.layer(ControlClass::Occupied).expect("occupied").0[0].exterior().0[1].x - 30.0)
            .collect();
        assert!((sizes[0] - 0.1).abs() < 1e-9 && (sizes[1] - 0.2).abs() < 1e-9 && (sizes[2] - 0.4).abs() < 1e-9);
        let listed: Vec<(String, usize)> =
            store.sources().expect("sources").into_iter().map(|s| (s.source.0, s.snapshots)).collect();
        assert_eq!(listed, [("deepstate".into(), 3), ("deepstate-archive".into(), 2), ("deepstate-raw".into(), 2)]);
        // A new archive map changes the joined series' fingerprint.
        let before = store.source_fingerprint(&deepstate).expect("fingerprint");
        put(&mut store, SourceId::DEEPSTATE_ARCHIVE, "2025-08-05T09:30:00Z", 0.5);
        assert_ne!(before, store.source_fingerprint(&deepstate).expect("fingerprint"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
