//! Ingesting files into a store: the whole job as `frontline ingest`, the
//! Python package and any other front end run it.
//!
//! Reading, hashing, parsing and encoding for the store run in parallel;
//! writing runs on the calling thread (SQLite has one writer) *while* the
//! parsers work, in the order the files were given, so that of two files with
//! the same source and time the one given last is kept, as it would be one
//! file at a time. The writer writes whatever is ready as one transaction
//! (a batch): a commit costs far more than a row.

use crate::error::Result;
use crate::geojson;
use crate::ingest::{detect_or, expand_path_reporting, ingest_bytes, FileIngest, Format, IngestContext};
use crate::repair::RepairCounts;
use crate::store::{content_hash, EncodedFile, PutOutcome, Store};
use crate::ControlClass;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::mpsc;

/// A file to ingest and the format to read it as.
#[derive(Debug, Clone)]
pub struct IngestJob {
    /// The file.
    pub path: PathBuf,
    /// How to read it.
    pub format: Format,
}

/// The files that `paths` stand for (folders are walked), each with its
/// format (`explicit`, or recognised from the name), and the problems met:
/// unreadable entries and unrecognised names, one line each.
pub fn find_files(paths: &[PathBuf], explicit: Option<&Format>) -> Result<(Vec<IngestJob>, Vec<String>)> {
    let mut jobs = vec![];
    let mut problems = vec![];
    for p in paths {
        let (found, trouble) = expand_path_reporting(p)?;
        problems.extend(trouble);
        for path in found {
            match detect_or(&path, explicit) {
                Ok(format) => jobs.push(IngestJob { path, format }),
                Err(e) => problems.push(e.to_string()),
            }
        }
    }
    Ok((jobs, problems))
}

/// A file whose snapshot replaced the one another file had written.
#[derive(Debug, Clone, Serialize)]
pub struct Replacement {
    /// The file ingested now.
    pub file: String,
    /// The file whose layers it replaced.
    pub replaced: String,
}

/// What one ingest did, summed over its files.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IngestSummary {
    /// Files skipped because the store already holds exactly what they write.
    pub files_already_stored: usize,
    /// Files written, by outcome: "added", "replaced", "unchanged".
    pub files_written: BTreeMap<&'static str, usize>,
    /// Snapshots that replaced another file's.
    pub replacements: Vec<Replacement>,
    /// Polygons kept, per class.
    pub polygons_kept: BTreeMap<ControlClass, usize>,
    /// Repairs made, summed.
    pub repairs: RepairCounts,
    /// Parts not kept, per reason.
    pub skipped: BTreeMap<String, usize>,
    /// Things a person should know, each naming its file.
    pub warnings: Vec<String>,
    /// Files that could not be read or were refused, one line each (the
    /// rest were still written).
    pub errors: Vec<String>,
}

impl IngestSummary {
    /// Files written, whatever the outcome.
    pub fn files_written_total(&self) -> usize {
        self.files_written.values().sum()
    }

    fn add(&mut self, fi: &FileIngest, outcome: PutOutcome, replaced: &[String]) {
        for old in replaced {
            self.replacements.push(Replacement { file: fi.path.display().to_string(), replaced: old.clone() });
        }
        *self
            .files_written
            .entry(match outcome {
                PutOutcome::Added => "added",
                PutOutcome::Replaced => "replaced",
                PutOutcome::Unchanged => "unchanged",
            })
            .or_default() += 1;
        self.repairs.add(&fi.report.repairs);
        for (k, v) in &fi.report.skipped {
            *self.skipped.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &fi.report.polygons {
            *self.polygons_kept.entry(*k).or_default() += v;
        }
        self.warnings.extend(fi.report.warnings.iter().map(|w| format!("{}: {w}", fi.path.display())));
    }
}

/// What a parser hands the writer for one file.
enum Parsed {
    AlreadyStored,
    Failed(String),
    Ready(Box<EncodedFile>),
}

/// At most this many files go into one transaction: a failed write loses
/// no more than this, and the batch's parsed files stay bounded in memory.
const MAX_FILES_PER_TRANSACTION: usize = 64;

/// Ingests `jobs` into `store`; `on_file` is called once per file as it is
/// done (for a progress bar). A file that cannot be read or parsed is an
/// error line in the summary and the others are still written; a store that
/// cannot be written is an error (each batch of files is one transaction,
/// so what was written before stays whole and no file is half written).
pub fn ingest_files(
    store: &mut Store,
    jobs: Vec<IngestJob>,
    ctx: &IngestContext,
    on_file: &(dyn Fn() + Sync),
) -> Result<IngestSummary> {
    let mut summary = IngestSummary::default();
    // What the store already holds, known before any parsing: a file with
    // that content is skipped without being parsed.
    let stored: HashSet<[u8; 32]> = store.stored_file_hashes()?;
    // A server loading the store meanwhile says its snapshots may be incomplete.
    store.begin_ingest(chrono::Utc::now())?;
    let n = jobs.len();
    let (tx, rx) = mpsc::sync_channel::<(usize, Parsed)>(rayon::current_num_threads() * 4);
    let written: Result<()> = std::thread::scope(|scope| {
        scope.spawn(move || {
            jobs.into_par_iter().enumerate().for_each_with(tx, |tx, (i, job)| {
                let parsed = match geojson::read_bytes(&job.path) {
                    Err(e) => Parsed::Failed(e.to_string()),
                    Ok(bytes) => {
                        let hash = content_hash(&bytes);
                        if stored.contains(&hash) {
                            Parsed::AlreadyStored
                        } else {
                            match ingest_bytes(&job.path, &bytes, &job.format, ctx)
                                .and_then(|fi| EncodedFile::new(fi, hash))
                            {
                                Ok(ready) => Parsed::Ready(Box::new(ready)),
                                Err(e) => Parsed::Failed(e.to_string()),
                            }
                        }
                    }
                };
                // The writer only stops receiving on a store error; the
                // remaining files are then not needed.
                let _ = tx.send((i, parsed));
            });
        });
        // Write in the order given, holding early arrivals until their turn;
        // what is ready in order when the writer looks goes in one batch.
        let mut pending: BTreeMap<usize, Parsed> = BTreeMap::new();
        let mut next = 0usize;
        let mut batch: Vec<EncodedFile> = vec![];
        while let Ok((i, parsed)) = rx.recv() {
            pending.insert(i, parsed);
            // Whatever else has arrived meanwhile, without waiting.
            while let Ok((i, parsed)) = rx.try_recv() {
                pending.insert(i, parsed);
            }
            while let Some(p) = pending.remove(&next) {
                next += 1;
                match p {
                    Parsed::AlreadyStored => {
                        summary.files_already_stored += 1;
                        on_file();
                    }
                    Parsed::Failed(e) => {
                        summary.errors.push(e);
                        on_file();
                    }
                    Parsed::Ready(ready) => {
                        batch.push(*ready);
                        if batch.len() >= MAX_FILES_PER_TRANSACTION {
                            write_batch(store, &mut batch, &mut summary, on_file)?;
                        }
                    }
                }
            }
            write_batch(store, &mut batch, &mut summary, on_file)?;
        }
        Ok(())
    });
    // The mark comes off even after a store error: what was written is whole.
    let ended = store.end_ingest();
    written?;
    ended?;
    debug_assert!(summary.files_already_stored + summary.errors.len() + summary.files_written_total() <= n);
    Ok(summary)
}

/// Writes `batch` in one transaction and empties it.
fn write_batch(
    store: &mut Store,
    batch: &mut Vec<EncodedFile>,
    summary: &mut IngestSummary,
    on_file: &(dyn Fn() + Sync),
) -> Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let written = store.put_files(batch)?;
    for (file, w) in batch.iter().zip(&written) {
        summary.add(file.ingest(), w.outcome, &w.replaced);
        on_file();
    }
    batch.clear();
    Ok(())
}
