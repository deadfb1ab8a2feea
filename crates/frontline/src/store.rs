//! The embedded snapshot store: one SQLite file (default `./frontline.db`).
//!
//! Layers are keyed by (source, instant, class), so two files that each
//! carry one class of the same snapshot (ISW's control and advance layers)
//! merge into one snapshot. Every file is written in one transaction: an
//! interrupted ingest leaves no partial snapshot. A file whose content hash
//! is recorded *and* whose layers are still the ones stored for its key is
//! skipped before it is even parsed; a second file for the same (source,
//! instant, class) replaces the first, and re-ingesting the first restores it.
//!
//! Every layer blob carries the SHA-256 it was written with; it is checked
//! on every load, so a flipped bit is an error naming the snapshot, never a
//! wrong area. `Store::verify` scans a whole store.

use crate::error::{Error, Result};
use crate::ingest::{FileIngest, FileReport};
use crate::model::{ControlClass, Layer, Snapshot, SourceId};
use chrono::{DateTime, NaiveDate, Utc};
use geo::{BoundingRect, Coord, LineString, MultiPolygon, Polygon};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Bumped whenever the tables or the geometry encoding change.
/// Version 2 added `files.layers` (the layer hashes a file wrote); a
/// version-1 store is migrated in place on its next writable open.
/// Version 3 keeps derived results in postcard instead of bincode 1
/// (unmaintained) and the settlement footprints in a table of their own
/// (`footprints`, one row a place, with its bounding box): a version-2
/// store's derived rows are caches of its snapshots in the old encoding,
/// so the migration deletes them and the next query that needs one
/// recomputes it in the new encoding; the snapshots are untouched.
pub const SCHEMA_VERSION: i64 = 3;

/// How long a writer waits for another writer's transaction (a second
/// `frontline ingest` on the same store) before giving up.
pub const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

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

/// What writing one file did, and which earlier files it replaced.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Written {
    /// Added, replaced or unchanged.
    pub outcome: PutOutcome,
    /// The files whose layers this one replaced (as they were given to ingest).
    pub replaced: Vec<String>,
}

/// A parsed file with its layers encoded as the store keeps them, their content
/// hashes and the file's report as JSON: the costly part of a write, done
/// where the file was parsed (in parallel) so that the store's one writer
/// only writes.
#[derive(Debug, Clone)]
pub struct EncodedFile {
    ingest: FileIngest,
    file_hash: [u8; 32],
    layers: Vec<EncodedLayer>,
    report_json: String,
}

#[derive(Debug, Clone)]
struct EncodedLayer {
    class: ControlClass,
    blob: Vec<u8>,
    content_hash: [u8; 32],
}

impl EncodedFile {
    /// Encodes `ingest`'s layers; `file_hash` is the content hash of the
    /// file's bytes. Fails if a layer is too large for the store's format.
    pub fn new(ingest: FileIngest, file_hash: [u8; 32]) -> Result<EncodedFile> {
        let snap = &ingest.snapshot;
        let mut layers = Vec::with_capacity(snap.layers.len());
        for layer in &snap.layers {
            let blob = encode_multipolygon(&layer.geometry).ok_or_else(|| {
                Error::file(
                    &ingest.path,
                    format!(
                        "the {} layer of {} has more polygons, rings or vertices than a layer can hold \
                         (4,294,967,295); split the file",
                        layer.class, snap.taken_at
                    ),
                )
            })?;
            let content_hash = content_hash(&blob);
            layers.push(EncodedLayer { class: layer.class, blob, content_hash });
        }
        let report_json = serde_json::to_string(&ingest.report).map_err(|e| {
            Error::file(
                &ingest.path,
                format!("its ingest report could not be written as JSON ({e}); report this as a bug"),
            )
        })?;
        Ok(EncodedFile { ingest, file_hash, layers, report_json })
    }

    /// The file these layers were encoded from.
    pub fn ingest(&self) -> &FileIngest {
        &self.ingest
    }
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
    ///
    /// Refuses a folder, a file that is not SQLite, and an SQLite database
    /// that is not a frontline store (it has tables but no frontline
    /// schema version): ingest never adds tables to someone else's database.
    pub fn open(path: &Path) -> Result<Store> {
        check_not_dir(path)?;
        let conn = Connection::open(path).map_err(|e| store_err(path, e))?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| store_err(path, e))?;
        // SQLite silently opens an unwritable file (read-only file system)
        // read-only: say so here, so that callers fall back to reading.
        if conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
            return Err(Error::Store {
                path: path.to_path_buf(),
                problem: "cannot be written (read-only file or file system); write to a store elsewhere with --db"
                    .into(),
            });
        }
        let store = Store { conn, path: path.to_path_buf() };
        store.init()?;
        Ok(store)
    }

    /// Opens an existing store read-only (errors if it does not exist).
    ///
    /// Works on a read-only file system: when SQLite cannot open the file
    /// normally (it wants to create the WAL index beside it), it is opened
    /// as immutable, which is safe because nothing can write there either.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        if !path.exists() {
            return Err(Error::Store {
                path: path.to_path_buf(),
                problem: "no such store; run `frontline ingest PATH...` first, or pass --db".into(),
            });
        }
        check_not_dir(path)?;
        let journal = sibling(path, "-journal");
        let wal = sibling(path, "-wal");
        if journal.exists() {
            // A writer was killed mid-transaction: a read-only connection
            // cannot roll its journal back, a writable one does on first read.
            let _ = Connection::open(path)
                .and_then(|c| c.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let normal = Connection::open_with_flags(path, flags).and_then(|c| {
            c.busy_timeout(BUSY_TIMEOUT)?;
            // Opening is lazy: touch the schema so that a file SQLite cannot
            // read in place fails here, not in the first query.
            c.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))?;
            Ok(c)
        });
        let conn = match normal {
            Ok(c) => c,
            Err(e) if is_not_a_database(&e) => return Err(not_a_store(path, "not an SQLite database")),
            Err(first) => {
                // Immutable mode ignores journals and WAL: only safe when
                // the last writer finished cleanly.
                let unfinished = journal.exists() || std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0);
                if unfinished {
                    return Err(Error::Store {
                        path: path.to_path_buf(),
                        problem: format!(
                            "cannot be opened here ({first}) and its last write was not finished; \
                             open it once where it can be written (any frontline command), then retry"
                        ),
                    });
                }
                let uri = immutable_uri(path);
                Connection::open_with_flags(&uri, flags | OpenFlags::SQLITE_OPEN_URI)
                    .and_then(|c| {
                        c.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))?;
                        Ok(c)
                    })
                    .map_err(|_| store_err(path, first))?
            }
        };
        let store = Store { conn, path: path.to_path_buf() };
        store.check_version()?;
        Ok(store)
    }

    /// The store's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn init(&self) -> Result<()> {
        // One write transaction from the foreign-database check to the
        // version row: two ingests creating the same store at once must not
        // see each other's half-made schema, and a foreign database is left
        // untouched (the journal mode is set only after the check).
        self.conn.execute_batch("BEGIN IMMEDIATE").map_err(|e| self.open_err(e))?;
        let made = self.refuse_foreign().and_then(|()| self.create_schema());
        let end = if made.is_ok() { "COMMIT" } else { "ROLLBACK" };
        self.conn.execute_batch(end).map_err(|e| store_err(&self.path, e))?;
        made?;
        self.conn
            .execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
            .map_err(|e| store_err(&self.path, e))
    }

    fn create_schema(&self) -> Result<()> {
        self.conn
            .execute_batch(
                "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
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
                     report TEXT NOT NULL,
                     layers TEXT);
                 -- Covers the derived results' fingerprint of a source
                 -- (source_fingerprint) so that it never reads the layer
                 -- blobs, which lie before content_hash in each row.
                 CREATE INDEX IF NOT EXISTS layers_by_hash ON layers(source, taken_at, class, content_hash);
                 CREATE TABLE IF NOT EXISTS footprints(
                     place INTEGER PRIMARY KEY,
                     min_lon REAL NOT NULL,
                     min_lat REAL NOT NULL,
                     max_lon REAL NOT NULL,
                     max_lat REAL NOT NULL,
                     geometry BLOB NOT NULL);",
            )
            .map_err(|e| store_err(&self.path, e))?;
        let version: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key='schema_version'", [], |r| r.get(0))
            .optional()
            .map_err(|e| store_err(&self.path, e))?;
        match version.as_deref() {
            None => {
                self.conn
                    .execute("INSERT INTO meta(key, value) VALUES('schema_version', ?1)", [SCHEMA_VERSION.to_string()])
                    .map_err(|e| store_err(&self.path, e))?;
                Ok(())
            }
            Some("1") => {
                // Version 1 lacks files.layers: files recorded without it
                // are simply parsed again on their next ingest (a no-op write).
                self.conn
                    .execute_batch(
                        "ALTER TABLE files ADD COLUMN layers TEXT;
                         UPDATE meta SET value='2' WHERE key='schema_version';",
                    )
                    .map_err(|e| store_err(&self.path, e))?;
                self.migrate_derived_to_3()
            }
            Some("2") => self.migrate_derived_to_3(),
            Some(_) => self.check_version(),
        }
    }

    /// Version 2 → 3: the derived rows are bincode-1 caches that this
    /// frontline cannot read; they are dropped (the next query recomputes
    /// each in the new encoding, as after an ingest), the `footprints`
    /// table was made by `create_schema`. Runs inside `init`'s transaction.
    fn migrate_derived_to_3(&self) -> Result<()> {
        self.conn
            .execute_batch(
                "DELETE FROM derived;
                 DELETE FROM footprints;
                 UPDATE meta SET value='3' WHERE key='schema_version';",
            )
            .map_err(|e| store_err(&self.path, e))?;
        self.check_version()
    }

    /// Errors if the database already holds tables but is not a frontline store.
    fn refuse_foreign(&self) -> Result<()> {
        let tables = self.table_names()?;
        if !tables.is_empty() && !tables.iter().any(|t| t == "meta") {
            return Err(not_a_store(
                &self.path,
                &format!("an SQLite database with other tables ({})", tables.join(", ")),
            ));
        }
        Ok(())
    }

    fn table_names(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
            .map_err(|e| self.open_err(e))?;
        let names = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(|e| self.open_err(e))?;
        names.collect::<rusqlite::Result<Vec<_>>>().map_err(|e| self.open_err(e))
    }

    fn open_err(&self, e: rusqlite::Error) -> Error {
        if is_not_a_database(&e) {
            not_a_store(&self.path, "not an SQLite database")
        } else {
            store_err(&self.path, e)
        }
    }

    fn check_version(&self) -> Result<()> {
        let tables = self.table_names()?;
        if !tables.iter().any(|t| t == "meta") {
            let what = if tables.is_empty() {
                "an empty database".to_string()
            } else {
                format!("an SQLite database with other tables ({})", tables.join(", "))
            };
            return Err(not_a_store(&self.path, &what));
        }
        let version: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key='schema_version'", [], |r| r.get(0))
            .optional()
            .map_err(|e| store_err(&self.path, e))?;
        match version.as_deref().map(str::parse::<i64>) {
            Some(Ok(v)) if v == SCHEMA_VERSION => Ok(()),
            // Read-only opens take a version-1 or -2 store as it is: its
            // layers are unchanged; only the ingest bookkeeping gained a
            // column, and its derived rows (old encoding) do not decode, so
            // a query recomputes them in memory (`places::stored`).
            Some(Ok(1 | 2)) if self.conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) => Ok(()),
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

    /// The content hashes of every file for which [`Store::has_file`] holds,
    /// in one pass over the store: what an ingest may skip unparsed.
    pub fn stored_file_hashes(&self) -> Result<std::collections::HashSet<[u8; 32]>> {
        let err = |e| store_err(&self.path, e);
        let mut current: std::collections::HashMap<(String, i64, String), String> = Default::default();
        {
            let mut stmt =
                self.conn.prepare("SELECT source, taken_at, class, content_hash FROM layers").map_err(err)?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?, r.get::<_, Vec<u8>>(3)?))
                })
                .map_err(err)?;
            for row in rows {
                let (source, ts, class, hash) = row.map_err(err)?;
                current.insert((source, ts, class), to_hex(&hash));
            }
        }
        let mut out = std::collections::HashSet::new();
        let mut stmt = self.conn.prepare("SELECT content_hash, source, taken_at, layers FROM files").map_err(err)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, Vec<u8>>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            })
            .map_err(err)?;
        'files: for row in rows {
            let (hash, source, ts, layers) = row.map_err(err)?;
            // A file recorded before layer hashes were kept is parsed again.
            let (Ok(hash), Some(layers)) = (<[u8; 32]>::try_from(hash.as_slice()), layers) else {
                continue;
            };
            for entry in layers.split(',').filter(|e| !e.is_empty()) {
                let Some((class, hex)) = entry.split_once(':') else {
                    continue 'files;
                };
                if current.get(&(source.clone(), ts, class.to_string())).is_none_or(|now| now != hex) {
                    continue 'files;
                }
            }
            out.insert(hash);
        }
        Ok(out)
    }

    /// Whether a file with this content was already ingested *and* what it
    /// wrote is still what the store holds for its key: after another file
    /// replaced its snapshot, the original is no longer "already stored", so
    /// ingesting it again restores it.
    pub fn has_file(&self, hash: &[u8; 32]) -> Result<bool> {
        let row: Option<(String, i64, Option<String>)> = self
            .conn
            .query_row("SELECT source, taken_at, layers FROM files WHERE content_hash=?1", [&hash[..]], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()
            .map_err(|e| store_err(&self.path, e))?;
        // A file recorded before layer hashes were kept is parsed again.
        let Some((source, ts, Some(layers))) = row else {
            return Ok(false);
        };
        for entry in layers.split(',').filter(|e| !e.is_empty()) {
            let Some((class, hex)) = entry.split_once(':') else {
                return Ok(false);
            };
            let now: Option<Vec<u8>> = self
                .conn
                .query_row(
                    "SELECT content_hash FROM layers WHERE source=?1 AND taken_at=?2 AND class=?3",
                    params![source, ts, class],
                    |r| r.get(0),
                )
                .optional()
                .map_err(|e| store_err(&self.path, e))?;
            if now.is_none_or(|h| to_hex(&h) != hex) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Writes one ingested file in a single transaction.
    pub fn put(&mut self, ingest: &FileIngest, hash: &[u8; 32]) -> Result<PutOutcome> {
        self.put_file(ingest, hash).map(|w| w.outcome)
    }

    /// Writes one ingested file in a single transaction and says what it
    /// replaced. Waits (up to [`BUSY_TIMEOUT`]) while another process writes.
    pub fn put_file(&mut self, ingest: &FileIngest, hash: &[u8; 32]) -> Result<Written> {
        // The batch path owns its files; one file is cloned (tests and
        // small writes), the ingest command's files are not.
        let encoded = EncodedFile::new(ingest.clone(), *hash)?;
        let mut written = self.put_files(std::slice::from_ref(&encoded))?;
        Ok(written.pop().unwrap_or(Written { outcome: PutOutcome::Unchanged, replaced: vec![] }))
    }

    /// Writes several ingested files, in the order given, in a single
    /// transaction: all of them or none. The result is what each file did,
    /// exactly as if they had been written one at a time (a file later in
    /// the list replaces an earlier one's layers of the same time).
    /// Committing is the writer's main cost, so `frontline ingest` writes
    /// what its parsers have ready as one batch.
    pub fn put_files(&mut self, files: &[EncodedFile]) -> Result<Vec<Written>> {
        let path = self.path.clone();
        // A composite source is read from its members: layers stored under
        // its own name would never be read back.
        for ingest in files.iter().map(EncodedFile::ingest) {
            if let Some(members) = ingest.snapshot.source.members() {
                return Err(Error::file(
                    &ingest.path,
                    format!(
                        "source name '{}' is reserved for the joined series of {}; ingest under another --source name",
                        ingest.snapshot.source,
                        members.join(" and ")
                    ),
                ));
            }
        }
        // IMMEDIATE: take the write lock before reading, so that a second
        // writer waits in the busy handler instead of failing on upgrade.
        let tx =
            self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| store_err(&path, e))?;
        let mut written = Vec::with_capacity(files.len());
        {
            let mut existing_layer = tx
                .prepare_cached("SELECT content_hash, origin FROM layers WHERE source=?1 AND taken_at=?2 AND class=?3")
                .map_err(|e| store_err(&path, e))?;
            let mut insert_layer = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO layers(source, taken_at, class, geometry, content_hash, origin)
                     VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(|e| store_err(&path, e))?;
            let mut insert_file = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO files(content_hash, path, source, taken_at, report, layers)
                     VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(|e| store_err(&path, e))?;
            for encoded in files {
                let ingest = &encoded.ingest;
                let snap = &ingest.snapshot;
                let ts = snap.taken_at.timestamp();
                let origin = ingest.path.display().to_string();
                let mut outcome = PutOutcome::Unchanged;
                let mut replaced: Vec<String> = vec![];
                let mut written_layers: Vec<String> = vec![];
                for layer in &encoded.layers {
                    written_layers.push(format!("{}:{}", layer.class.as_str(), to_hex(&layer.content_hash)));
                    let existing: Option<(Vec<u8>, String)> = existing_layer
                        .query_row(params![snap.source.as_str(), ts, layer.class.as_str()], |r| {
                            Ok((r.get(0)?, r.get(1)?))
                        })
                        .optional()
                        .map_err(|e| store_err(&path, e))?;
                    match existing {
                        Some((h, _)) if h == layer.content_hash => continue,
                        Some((_, old)) => {
                            outcome = PutOutcome::Replaced;
                            if !replaced.contains(&old) {
                                replaced.push(old);
                            }
                        }
                        None if outcome == PutOutcome::Unchanged => outcome = PutOutcome::Added,
                        None => {}
                    }
                    insert_layer
                        .execute(params![
                            snap.source.as_str(),
                            ts,
                            layer.class.as_str(),
                            layer.blob,
                            &layer.content_hash[..],
                            origin
                        ])
                        .map_err(|e| store_err(&path, e))?;
                }
                insert_file
                    .execute(params![
                        &encoded.file_hash[..],
                        origin,
                        snap.source.as_str(),
                        ts,
                        encoded.report_json,
                        written_layers.join(",")
                    ])
                    .map_err(|e| store_err(&path, e))?;
                written.push(Written { outcome, replaced });
            }
        }
        tx.commit().map_err(|e| store_err(&path, e))?;
        Ok(written)
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
    pub fn composite_times(&self, source: &SourceId) -> Result<Vec<(i64, &'static str)>> {
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
            return Err(Error::NotFound(format!(
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
                "SELECT taken_at, class, geometry, content_hash FROM layers
                 WHERE source=?1 AND taken_at BETWEEN ?2 AND ?3 ORDER BY taken_at, class",
            )
            .map_err(|e| store_err(&self.path, e))?;
        let rows = stmt
            .query_map(params![source.as_str(), lo, hi], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, Vec<u8>>(2)?, r.get::<_, Vec<u8>>(3)?))
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
            .map(|(ts, class, blob, hash)| {
                let geometry = decode_checked(path, source, ts, &class, &blob, &hash)?;
                let class = ControlClass::parse(&class)
                    .ok_or_else(|| Error::Store { path: path.clone(), problem: format!("unknown class '{class}'") })?;
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

/// Decodes one stored layer after checking its blob against the SHA-256 it
/// was written with (SHA-NI makes this a small fraction of decoding): a
/// flipped bit becomes an error naming the snapshot, never a wrong figure.
fn decode_checked(
    path: &Path,
    source: &SourceId,
    ts: i64,
    class: &str,
    blob: &[u8],
    hash: &[u8],
) -> Result<MultiPolygon<f64>> {
    let corrupt = |what: &str| {
        let when = DateTime::from_timestamp(ts, 0).map_or_else(|| format!("timestamp {ts}"), |t| t.to_rfc3339());
        Error::Store {
            path: path.to_path_buf(),
            problem: format!(
                "the stored {class} layer of {source} at {when} is corrupt ({what}); \
                 run `frontline verify` to list every damaged snapshot, then re-ingest those files into a new store"
            ),
        }
    };
    if content_hash(blob)[..] != *hash {
        return Err(corrupt("its checksum does not match"));
    }
    decode_multipolygon(blob).ok_or_else(|| corrupt("its geometry cannot be decoded"))
}

impl Store {
    /// Marks the store as being written by an ingest that started at
    /// `started`, so that a reader (the server) loading it meanwhile can say
    /// its snapshots may be incomplete. Cleared by [`Store::end_ingest`]; an
    /// ingest killed before that leaves the mark, which the next ingest
    /// replaces and clears.
    pub fn begin_ingest(&self, started: DateTime<Utc>) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES('ingest_started', ?1)",
                [started.format("%Y-%m-%d %H:%M:%S UTC").to_string()],
            )
            .map_err(|e| store_err(&self.path, e))?;
        Ok(())
    }

    /// Clears the mark of [`Store::begin_ingest`].
    pub fn end_ingest(&self) -> Result<()> {
        self.conn.execute("DELETE FROM meta WHERE key='ingest_started'", []).map_err(|e| store_err(&self.path, e))?;
        Ok(())
    }

    /// A value `frontline sync` keeps between runs (a listing's ETag), by key.
    pub fn sync_state(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key=?1", [format!("sync:{key}")], |r| r.get(0))
            .optional()
            .map_err(|e| store_err(&self.path, e))
    }

    /// Keeps (or with `None` forgets) a value of [`Store::sync_state`].
    pub fn set_sync_state(&self, key: &str, value: Option<&str>) -> Result<()> {
        let key = format!("sync:{key}");
        match value {
            Some(v) => self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)", params![key, v]),
            None => self.conn.execute("DELETE FROM meta WHERE key=?1", [key]),
        }
        .map_err(|e| store_err(&self.path, e))?;
        Ok(())
    }

    /// What changes whenever a snapshot is added or replaced: the number of
    /// stored layers and a digest of every layer's key and content hash
    /// (its first 8 bytes; row ids are no marker, SQLite reuses the highest
    /// one when it is replaced), plus whether an ingest is under way. A
    /// reader polls it to notice new snapshots without decoding anything
    /// (a scan of the primary key and 32-byte hashes: milliseconds).
    pub fn change_marker(&self) -> Result<(i64, i64, bool)> {
        let mut stmt = self
            .conn
            .prepare("SELECT source, taken_at, class, content_hash FROM layers ORDER BY source, taken_at, class")
            .map_err(|e| store_err(&self.path, e))?;
        let mut rows = stmt.query([]).map_err(|e| store_err(&self.path, e))?;
        let mut h = Sha256::new();
        let mut n = 0i64;
        while let Some(r) = rows.next().map_err(|e| store_err(&self.path, e))? {
            let source: String = r.get(0).map_err(|e| store_err(&self.path, e))?;
            let ts: i64 = r.get(1).map_err(|e| store_err(&self.path, e))?;
            let class: String = r.get(2).map_err(|e| store_err(&self.path, e))?;
            let hash: Vec<u8> = r.get(3).map_err(|e| store_err(&self.path, e))?;
            h.update(source.as_bytes());
            h.update(ts.to_le_bytes());
            h.update(class.as_bytes());
            h.update(&hash);
            n += 1;
        }
        let digest: [u8; 32] = h.finalize().into();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        Ok((n, i64::from_le_bytes(first), self.unfinished_ingest()?.is_some()))
    }

    /// When an ingest that has not finished started (its mark is still
    /// there: it is running, or it was killed), if any.
    pub fn unfinished_ingest(&self) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key='ingest_started'", [], |r| r.get(0))
            .optional()
            .map_err(|e| store_err(&self.path, e))
    }
}

fn store_err(path: &Path, e: rusqlite::Error) -> Error {
    Error::Store { path: path.to_path_buf(), problem: e.to_string() }
}

fn not_a_store(path: &Path, what: &str) -> Error {
    Error::Store {
        path: path.to_path_buf(),
        problem: format!(
            "not a frontline store ({what}); pass --db with the path of a store made by `frontline ingest`, \
             or a new file name to create one"
        ),
    }
}

fn check_not_dir(path: &Path) -> Result<()> {
    if path.is_dir() {
        return Err(Error::Store {
            path: path.to_path_buf(),
            problem: "is a folder; --db takes the store's file, e.g. --db data/frontline.db".into(),
        });
    }
    Ok(())
}

fn is_not_a_database(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::NotADatabase)
}

/// A `file:` URI opening `path` as immutable (no locks, no WAL index): for
/// read-only file systems only.
fn immutable_uri(path: &Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut uri = String::from("file:");
    for b in abs.to_string_lossy().bytes() {
        match b {
            b'?' | b'#' | b'%' | 0x80.. => uri.push_str(&format!("%{b:02X}")),
            _ => uri.push(b as char),
        }
    }
    uri.push_str("?mode=ro&immutable=1");
    uri
}

/// `path` with `suffix` appended to its file name (SQLite's `-wal`, `-journal`).
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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

/// A settlement footprint as the store keeps it: the place's index in the
/// gazetteer and its geometry.
pub type StoredFootprint = (usize, MultiPolygon<f64>);

impl Store {
    /// Replaces every stored footprint (`footprints` table) with these, in
    /// one transaction, and records them as derived from `inputs` (a
    /// `derived` row of kind `footprints` holding their count), so that a
    /// half-written set is never read as current.
    pub fn put_footprints(&self, inputs: &[u8], footprints: &[(usize, &MultiPolygon<f64>)]) -> Result<()> {
        let err = |e| store_err(&self.path, e);
        let tx = self.conn.unchecked_transaction().map_err(err)?;
        tx.execute("DELETE FROM footprints", []).map_err(err)?;
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO footprints(place, min_lon, min_lat, max_lon, max_lat, geometry)
                     VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(err)?;
            for (place, mp) in footprints {
                let Some(b) = mp.bounding_rect() else { continue };
                let blob = encode_multipolygon(mp).ok_or_else(|| {
                    Error::Internal(format!("the footprint of place {place} has too many vertices to store"))
                })?;
                let place = i64::try_from(*place).map_err(|_| Error::Internal("place index out of range".into()))?;
                insert.execute(params![place, b.min().x, b.min().y, b.max().x, b.max().y, blob]).map_err(err)?;
            }
        }
        let count = i64::try_from(footprints.len()).unwrap_or(i64::MAX).to_le_bytes();
        tx.execute(
            "INSERT OR REPLACE INTO derived(kind, source, inputs, value) VALUES('footprints', '', ?1, ?2)",
            params![inputs, count.as_slice()],
        )
        .map_err(err)?;
        tx.commit().map_err(err)
    }

    /// Whether the stored footprints were derived from `inputs`, and how many there are.
    fn footprints_current(&self, inputs: &[u8]) -> Result<Option<usize>> {
        let Some(v) = self.derived("footprints", "", inputs)? else { return Ok(None) };
        let count = <[u8; 8]>::try_from(v.as_slice()).ok().map(i64::from_le_bytes);
        Ok(count.and_then(|c| usize::try_from(c).ok()))
    }

    /// Every stored footprint derived from `inputs`, by place, if current.
    pub fn footprints(&self, inputs: &[u8]) -> Result<Option<Vec<StoredFootprint>>> {
        let Some(count) = self.footprints_current(inputs)? else { return Ok(None) };
        self.footprints_where("SELECT place, geometry FROM footprints ORDER BY place", [], Some(count))
    }

    /// The stored footprints derived from `inputs` whose bounding box holds
    /// a point (an indexed question: `place LON,LAT` decodes a handful of
    /// footprints, not 26,000), if current.
    pub fn footprints_at(&self, inputs: &[u8], lon: f64, lat: f64) -> Result<Option<Vec<StoredFootprint>>> {
        if self.footprints_current(inputs)?.is_none() {
            return Ok(None);
        }
        self.footprints_where(
            "SELECT place, geometry FROM footprints
             WHERE min_lon <= ?1 AND ?1 <= max_lon AND min_lat <= ?2 AND ?2 <= max_lat ORDER BY place",
            [lon, lat],
            None,
        )
    }

    /// The stored footprint of one place derived from `inputs`, if
    /// current (one indexed row: a claim about a town needs its own).
    pub fn footprint_of(&self, inputs: &[u8], place: usize) -> Result<Option<MultiPolygon<f64>>> {
        if self.footprints_current(inputs)?.is_none() {
            return Ok(None);
        }
        let Ok(place) = i64::try_from(place) else { return Ok(None) };
        let found = self.footprints_where("SELECT place, geometry FROM footprints WHERE place = ?1", [place], None)?;
        Ok(found.and_then(|mut v| v.pop()).map(|(_, g)| g))
    }

    fn footprints_where<P: rusqlite::Params>(
        &self,
        sql: &str,
        args: P,
        expected: Option<usize>,
    ) -> Result<Option<Vec<StoredFootprint>>> {
        let err = |e| store_err(&self.path, e);
        let mut stmt = self.conn.prepare(sql).map_err(err)?;
        let mut rows = stmt.query(args).map_err(err)?;
        let mut out = Vec::with_capacity(expected.unwrap_or(0));
        while let Some(r) = rows.next().map_err(err)? {
            let place: i64 = r.get(0).map_err(err)?;
            let blob = r.get_ref(1).map_err(err)?.as_blob().map_err(|e| err(e.into()))?;
            let (Ok(place), Some(mp)) = (usize::try_from(place), decode_multipolygon(blob)) else {
                // A damaged cache is no answer: the caller recomputes it.
                return Ok(None);
            };
            out.push((place, mp));
        }
        Ok(expected.is_none_or(|n| n == out.len()).then_some(out))
    }
}

/// One damaged thing [`Store::verify`] found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Damage {
    /// The source, or empty for damage SQLite itself reports.
    pub source: String,
    /// The snapshot's instant (RFC 3339), if known.
    pub taken_at: String,
    /// The class of the layer.
    pub class: String,
    /// The file the layer came from (re-ingest it).
    pub origin: String,
    /// What is wrong.
    pub problem: String,
}

/// What [`Store::verify`] checked and found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct VerifyReport {
    /// Layers whose checksum and geometry were checked.
    pub layers_checked: usize,
    /// Everything found damaged (empty when the store is sound).
    pub damaged: Vec<Damage>,
}

impl Store {
    /// Checks the whole store: SQLite's own structure check, then every
    /// layer's checksum and geometry. Reads everything once; never writes.
    pub fn verify(&self) -> Result<VerifyReport> {
        let mut damaged = vec![];
        let mut stmt = self.conn.prepare("PRAGMA quick_check").map_err(|e| store_err(&self.path, e))?;
        let lines = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(|e| store_err(&self.path, e))?;
        for line in lines {
            match line {
                Ok(l) if l == "ok" => {}
                Ok(l) => damaged.push(Damage {
                    source: String::new(),
                    taken_at: String::new(),
                    class: String::new(),
                    origin: String::new(),
                    problem: format!("SQLite structure: {l}"),
                }),
                Err(e) => return Err(store_err(&self.path, e)),
            }
        }
        let mut stmt = self
            .conn
            .prepare("SELECT source, taken_at, class, geometry, content_hash, origin FROM layers ORDER BY source, taken_at, class")
            .map_err(|e| store_err(&self.path, e))?;
        let mut rows = stmt.query([]).map_err(|e| store_err(&self.path, e))?;
        let mut layers_checked = 0;
        loop {
            // A damaged page can make a row unreadable: report it, stop the scan.
            let row = match rows.next() {
                Ok(Some(r)) => r,
                Ok(None) => break,
                Err(e) => {
                    damaged.push(Damage {
                        source: String::new(),
                        taken_at: String::new(),
                        class: String::new(),
                        origin: String::new(),
                        problem: format!("a row cannot be read: {e}"),
                    });
                    break;
                }
            };
            layers_checked += 1;
            let get = |i: usize| row.get_ref(i).ok();
            let source = get(0).and_then(|v| v.as_str().ok()).unwrap_or("?").to_string();
            let ts = get(1).and_then(|v| v.as_i64().ok());
            let class = get(2).and_then(|v| v.as_str().ok()).unwrap_or("?").to_string();
            let blob = get(3).and_then(|v| v.as_blob().ok()).unwrap_or_default();
            let hash = get(4).and_then(|v| v.as_blob().ok()).unwrap_or_default();
            let origin = get(5).and_then(|v| v.as_str().ok()).unwrap_or("?").to_string();
            let when = ts.and_then(|t| DateTime::from_timestamp(t, 0));
            let mut problems = vec![];
            if when.is_none() {
                problems.push("its timestamp is not a date".to_string());
            }
            if ControlClass::parse(&class).is_none() {
                problems.push(format!("unknown class '{class}'"));
            }
            if content_hash(blob)[..] != *hash {
                problems.push("its checksum does not match".into());
            } else if decode_multipolygon(blob).is_none() {
                problems.push("its geometry cannot be decoded".into());
            }
            if !problems.is_empty() {
                damaged.push(Damage {
                    source,
                    taken_at: when.map_or_else(|| format!("{ts:?}"), |t| t.to_rfc3339()),
                    class,
                    origin,
                    problem: problems.join("; "),
                });
            }
        }
        Ok(VerifyReport { layers_checked, damaged })
    }
}

/// Encodes a MultiPolygon compactly: counts as u32, coordinates as f64,
/// little-endian, rings with their closing vertex. `None` when a count
/// does not fit in a u32 (a saturated count would be a corrupt blob).
pub fn encode_multipolygon(mp: &MultiPolygon<f64>) -> Option<Vec<u8>> {
    let n: usize =
        mp.0.iter().map(|p| p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>()).sum();
    let mut out = Vec::with_capacity(16 * n + 64);
    put_u32(&mut out, mp.0.len())?;
    for p in &mp.0 {
        put_u32(&mut out, 1 + p.interiors().len())?;
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            put_u32(&mut out, ring.0.len())?;
            for c in &ring.0 {
                out.extend_from_slice(&c.x.to_le_bytes());
                out.extend_from_slice(&c.y.to_le_bytes());
            }
        }
    }
    Some(out)
}

fn put_u32(out: &mut Vec<u8>, n: usize) -> Option<()> {
    out.extend_from_slice(&u32::try_from(n).ok()?.to_le_bytes());
    Some(())
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
    use crate::ingest::FileReport;
    use geo::polygon;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("frontline-store-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("tmp dir");
        d
    }

    /// A one-layer file of a square `side` degrees wide with its SW corner at (lon, 48).
    fn file(path: &str, lon: f64, side: f64) -> FileIngest {
        let sq = polygon![(x: lon, y: 48.0), (x: lon + side, y: 48.0), (x: lon + side, y: 48.0 + side), (x: lon, y: 48.0 + side)];
        let taken_at =
            NaiveDate::from_ymd_opt(2026, 1, 1).and_then(|d| d.and_hms_opt(3, 0, 0)).expect("date").and_utc();
        let mut snapshot = Snapshot { source: SourceId::new("deepstate-daily"), taken_at, layers: vec![] };
        snapshot.set_layer(ControlClass::Occupied, MultiPolygon::new(vec![sq]));
        FileIngest { path: PathBuf::from(path), snapshot, report: FileReport::default() }
    }

    fn stored_lon(store: &Store) -> f64 {
        let snaps = store.load_range(&SourceId::new("deepstate-daily"), None, None).expect("load");
        snaps[0].layers[0].geometry.0[0].exterior().0[0].x
    }

    #[test]
    fn a_second_file_replaces_and_the_first_restores() {
        let dir = tmp("replace");
        let mut store = Store::open(&dir.join("t.db")).expect("open");
        let (a, b) = (
            file("a/deepstatemap_data_20260101.geojson", 37.0, 1.0),
            file("b/deepstatemap_data_20260101.geojson", 36.0, 0.1),
        );
        let (ha, hb) = ([1u8; 32], [2u8; 32]);
        assert_eq!(store.put_file(&a, &ha).expect("put").outcome, PutOutcome::Added);
        assert!(store.has_file(&ha).expect("has"));
        let w = store.put_file(&b, &hb).expect("put");
        assert_eq!(w, Written { outcome: PutOutcome::Replaced, replaced: vec![a.path.display().to_string()] });
        assert_eq!(stored_lon(&store), 36.0);
        // The original is no longer what is stored for its key: not "already stored".
        assert!(!store.has_file(&ha).expect("has"));
        assert!(store.has_file(&hb).expect("has"));
        let w = store.put_file(&a, &ha).expect("put");
        assert_eq!(w.replaced, vec![b.path.display().to_string()]);
        assert_eq!(stored_lon(&store), 37.0);
        assert!(store.has_file(&ha).expect("has") && !store.has_file(&hb).expect("has"));
        // The one-pass set an ingest skips by says the same as has_file.
        let mut c = file("c/deepstatemap_data_20260102.geojson", 35.0, 0.5);
        c.snapshot.taken_at += chrono::Duration::days(1);
        store.put_file(&c, &[3u8; 32]).expect("put");
        let set = store.stored_file_hashes().expect("hashes");
        assert_eq!(set, [ha, [3u8; 32]].into_iter().collect());
        assert!(!set.contains(&hb));
    }

    #[test]
    fn a_batch_writes_as_one_file_at_a_time_and_fails_whole() {
        let dir = tmp("batch");
        let mut store = Store::open(&dir.join("t.db")).expect("open");
        let a = file("a/deepstatemap_data_20260101.geojson", 37.0, 1.0);
        let b = file("b/deepstatemap_data_20260101.geojson", 36.0, 0.1);
        let mut c = file("c/deepstatemap_data_20260102.geojson", 35.0, 0.5);
        c.snapshot.taken_at += chrono::Duration::days(1);
        let a_path = a.path.display().to_string();
        let encoded = [(a, 1u8), (b, 2), (c, 3)].map(|(f, h)| EncodedFile::new(f, [h; 32]).expect("encode"));
        // b replaces a inside the same transaction, as it would one at a time.
        let w = store.put_files(&encoded).expect("put");
        let added = || Written { outcome: PutOutcome::Added, replaced: vec![] };
        assert_eq!(w, vec![added(), Written { outcome: PutOutcome::Replaced, replaced: vec![a_path] }, added()]);
        assert_eq!(stored_lon(&store), 36.0);
        assert_eq!(store.stored_file_hashes().expect("hashes"), [[2u8; 32], [3u8; 32]].into_iter().collect());
        // A batch holding a file the store refuses writes none of its files.
        let mut d = file("d/deepstatemap_data_20260103.geojson", 34.0, 0.5);
        d.snapshot.taken_at += chrono::Duration::days(2);
        let mut bad = file("e/deepstatemap_data_20260104.geojson", 34.0, 0.5);
        bad.snapshot.source = SourceId::new("deepstate");
        let batch = [(d, 4u8), (bad, 5)].map(|(f, h)| EncodedFile::new(f, [h; 32]).expect("encode"));
        assert!(store.put_files(&batch).is_err());
        assert!(!store.has_file(&[4u8; 32]).expect("has"), "nothing of a failed batch is written");
    }

    #[test]
    fn a_flipped_bit_is_an_error_naming_the_snapshot() {
        let dir = tmp("bitflip");
        let db = dir.join("t.db");
        let lon = 37.123_456_789_012_3;
        {
            let mut store = Store::open(&db).expect("open");
            store.put_file(&file("a/deepstatemap_data_20260101.geojson", lon, 1.0), &[1u8; 32]).expect("put");
        }
        assert!(Store::open_read_only(&db).expect("open").verify().expect("verify").damaged.is_empty());
        // Flip the lowest mantissa bit of the first vertex's longitude in the
        // file itself: a change of 7e-15 degrees that no structure check sees.
        let mut bytes = std::fs::read(&db).expect("read");
        let needle = lon.to_le_bytes();
        let at = bytes.windows(8).position(|w| w == needle).expect("coordinate in file");
        bytes[at] ^= 1;
        std::fs::write(&db, &bytes).expect("write");
        let store = Store::open_read_only(&db).expect("open");
        let e = store.load_range(&SourceId::new("deepstate-daily"), None, None).expect_err("corrupt").to_string();
        assert!(e.contains("occupied layer of deepstate-daily at 2026-01-01") && e.contains("frontline verify"), "{e}");
        let report = store.verify().expect("verify");
        assert_eq!(report.layers_checked, 1);
        assert_eq!(report.damaged.len(), 1, "{:?}", report.damaged);
        assert_eq!(report.damaged[0].origin, "a/deepstatemap_data_20260101.geojson");
    }

    #[test]
    fn folders_foreign_and_empty_databases_are_refused_clearly() {
        let dir = tmp("foreign");
        let e = Store::open(&dir).err().expect("folder").to_string();
        assert!(e.contains("is a folder"), "{e}");
        let e = Store::open_read_only(&dir).err().expect("folder").to_string();
        assert!(e.contains("is a folder"), "{e}");
        let foreign = dir.join("other.sqlite");
        Connection::open(&foreign).and_then(|c| c.execute_batch("CREATE TABLE notes(x TEXT);")).expect("foreign");
        for e in [Store::open(&foreign).err(), Store::open_read_only(&foreign).err()] {
            let e = e.expect("foreign").to_string();
            assert!(e.contains("not a frontline store") && e.contains("notes"), "{e}");
        }
        // Ingest added nothing to it.
        let c = Connection::open(&foreign).expect("reopen");
        let n: i64 = c.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0)).expect("count");
        assert_eq!(n, 1);
        let empty = dir.join("empty.db");
        std::fs::write(&empty, b"").expect("empty");
        let e = Store::open_read_only(&empty).err().expect("empty").to_string();
        assert!(e.contains("not a frontline store (an empty database)"), "{e}");
        let text = dir.join("notes.db");
        std::fs::write(&text, b"these are my notes, not a database, but long enough to look like one at first")
            .expect("text");
        let e = Store::open_read_only(&text).err().expect("text").to_string();
        assert!(e.contains("not a frontline store (not an SQLite database)"), "{e}");
    }

    #[test]
    fn a_version_1_store_is_migrated_in_place() {
        let dir = tmp("migrate");
        let db = dir.join("t.db");
        {
            let mut store = Store::open(&db).expect("open");
            store.put_file(&file("a/x.geojson", 37.0, 1.0), &[1u8; 32]).expect("put");
            store
                .conn
                .execute_batch(
                    "ALTER TABLE files DROP COLUMN layers; UPDATE meta SET value='1' WHERE key='schema_version';",
                )
                .expect("downgrade");
        }
        assert!(Store::open_read_only(&db).is_ok(), "a read-only open takes version 1 as it is");
        let store = Store::open(&db).expect("migrate");
        // Recorded without layer hashes: parsed again on its next ingest.
        assert!(!store.has_file(&[1u8; 32]).expect("has"));
        let v: String =
            store.conn.query_row("SELECT value FROM meta WHERE key='schema_version'", [], |r| r.get(0)).expect("v");
        assert_eq!(v, SCHEMA_VERSION.to_string());
    }

    #[test]
    fn geometry_round_trips_bit_for_bit() {
        let p = polygon!(
            exterior: [(x: 30.1, y: 48.2), (x: 31.0, y: 48.0), (x: 31.0, y: 49.0)],
            interiors: [[(x: 30.8, y: 48.2), (x: 30.9, y: 48.3), (x: 30.85, y: 48.5)]],
        );
        let mp = MultiPolygon::new(vec![p.clone(), p]);
        let bytes = encode_multipolygon(&mp).unwrap();
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
        // Nothing can be stored under the joined series' own name.
        let before_sources = store.sources().expect("sources").len();
        let mut snapshot = Snapshot { source: deepstate.clone(), taken_at: Utc::now(), layers: vec![] };
        snapshot.set_layer(ControlClass::Occupied, MultiPolygon::new(vec![]));
        let ingest = FileIngest { path: PathBuf::from("mine.geojson"), snapshot, report: FileReport::default() };
        let err = store.put(&ingest, &content_hash(b"mine")).expect_err("reserved name").to_string();
        assert!(err.contains("mine.geojson") && err.contains("reserved"), "{err}");
        assert_eq!(store.sources().expect("sources").len(), before_sources);
        // A new archive map changes the joined series' fingerprint.
        let before = store.source_fingerprint(&deepstate).expect("fingerprint");
        put(&mut store, SourceId::DEEPSTATE_ARCHIVE, "2025-08-05T09:30:00Z", 0.5);
        assert_ne!(before, store.source_fingerprint(&deepstate).expect("fingerprint"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
