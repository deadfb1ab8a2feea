//! Reading published control maps into [`Snapshot`]s: one module per source
//! format, sharing the GeoJSON reader and the repair rules.
//!
//! Every format ends in [`assemble`]: polygons sorted into classes, cleaned,
//! dropped when they lie outside the country, unioned per class, with a
//! [`FileReport`] that says what was read, repaired and skipped.

pub mod deepstate_archive;
pub mod deepstate_daily;
pub mod deepstate_raw;
pub mod isw;
pub mod mapped;

pub use mapped::Mapping;

use crate::error::{Error, Result};
use crate::model::{ControlClass, Snapshot, SourceId};
use crate::regions::Territory;
use crate::repair::RepairCounts;
use chrono::{DateTime, NaiveDate, Utc};
use geo::Polygon;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A source format frontline knows how to read.
#[derive(Debug, Clone, PartialEq)]
pub enum Format {
    /// DeepState's daily occupied-only export, `deepstatemap_data_YYYYMMDD.geojson`.
    DeepStateDaily,
    /// DeepState's full snapshots with every layer, `<unix-timestamp>.geojson.gz`.
    DeepStateRaw,
    /// DeepState's full maps downloaded daily since 2025-06-29,
    /// `deepstate_<YYYYMMDD>T<HHMMSS>Z_<hash>.geojson.gz`.
    DeepStateArchive,
    /// ISW's control maps: the 2022 layer files, the 2023 layered files and
    /// the simplified series (see [`isw`]).
    Isw,
    /// Any GeoJSON, read with a user's mapping of a property to classes.
    Mapped(Mapping),
}

impl Format {
    /// The names [`Format::parse`] accepts, for help texts and errors.
    pub const NAMES: [&'static str; 4] = ["deepstate-daily", "deepstate-raw", "deepstate-archive", "isw"];

    /// Recognises a file's format from its name, as published.
    ///
    /// ISW's `YYYYMMDD.geojson.gz` and `YYYY-MM-DD.geojson` names are generic,
    /// so they count as ISW only inside a folder whose name contains `isw`.
    pub fn detect(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?;
        if deepstate_daily::date_from_name(name).is_some() {
            return Some(Format::DeepStateDaily);
        }
        if deepstate_raw::taken_at_from_name(name).is_some() {
            return Some(Format::DeepStateRaw);
        }
        if deepstate_archive::taken_at_from_name(name).is_some() {
            return Some(Format::DeepStateArchive);
        }
        if isw::is_isw_2022_name(name) {
            return Some(Format::Isw);
        }
        let in_isw_folder = path.parent().is_some_and(|dir| {
            dir.components().any(|c| c.as_os_str().to_str().is_some_and(|s| s.to_ascii_lowercase().contains("isw")))
        });
        if in_isw_folder && isw::is_isw_dated_name(name) {
            return Some(Format::Isw);
        }
        None
    }

    /// Parses a format name given by the user (one of [`Format::NAMES`]).
    /// A mapped format is built with [`Mapping::parse_rules`] instead.
    pub fn parse(name: &str) -> Option<Format> {
        match name.trim().to_ascii_lowercase().as_str() {
            "deepstate-daily" => Some(Format::DeepStateDaily),
            "deepstate-raw" => Some(Format::DeepStateRaw),
            "deepstate-archive" => Some(Format::DeepStateArchive),
            "isw" => Some(Format::Isw),
            _ => None,
        }
    }

    /// The source id snapshots of this format are stored under.
    pub fn source(&self) -> SourceId {
        match self {
            Format::DeepStateDaily => SourceId::new(SourceId::DEEPSTATE_DAILY),
            Format::DeepStateRaw => SourceId::new(SourceId::DEEPSTATE_RAW),
            Format::DeepStateArchive => SourceId::new(SourceId::DEEPSTATE_ARCHIVE),
            Format::Isw => SourceId::new(SourceId::ISW),
            Format::Mapped(m) => m.source.clone(),
        }
    }
}

/// The format to read a file in: the one the user gave, else the one its
/// name shows, else an error telling the user to say it.
pub fn detect_or(path: &Path, explicit: Option<&Format>) -> Result<Format> {
    if let Some(f) = explicit {
        return Ok(f.clone());
    }
    Format::detect(path).ok_or_else(|| {
        Error::file(
            path,
            format!(
                "format not recognised from the file name; pass --as ({}) or, for any other \
                 GeoJSON, --map PROPERTY=VALUE:CLASS,... (e.g. --map status=occupied:occupied,status=contested:gray)",
                Format::NAMES.join(", ")
            ),
        )
    })
}

/// The first date a control map of this war can carry (the war began in
/// February 2014).
pub const FIRST_PLAUSIBLE_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2014, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// The one date plausibility rule of every format: a snapshot dated before
/// [`FIRST_PLAUSIBLE_DATE`] or more than one day after `today` (UTC; the day
/// of slack covers publishers in time zones ahead of UTC) is misdated at its
/// source and refused, never stored at a made-up date.
pub fn check_plausible_date(path: &Path, date: NaiveDate, today: NaiveDate, what: &str) -> Result<()> {
    let last = today.succ_opt().unwrap_or(today);
    if date < FIRST_PLAUSIBLE_DATE || date > last {
        return Err(Error::file(
            path,
            format!(
                "{what} {date} is implausible ({}); the file is misdated at its source: \
                 fix the date in the file and its name, or leave the file out",
                if date > last { "in the future" } else { "before the war began in 2014" }
            ),
        ));
    }
    Ok(())
}

/// What ingest needs besides the file.
#[derive(Debug, Clone, Default)]
pub struct IngestContext {
    /// Polygons wholly outside this territory are not territory of this war
    /// (DeepState's satirical "occupied" Karelia, Kuril Islands, ...) and are
    /// dropped and counted. `None` keeps everything.
    pub territory: Option<Arc<Territory>>,
}

/// A file read into a snapshot, with what happened on the way.
#[derive(Debug, Clone)]
pub struct FileIngest {
    /// The file.
    pub path: PathBuf,
    /// Its snapshot (only the classes this file carries).
    pub snapshot: Snapshot,
    /// What was read, repaired and skipped.
    pub report: FileReport,
}

/// The account of one file's ingest.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct FileReport {
    /// Features in the file.
    pub features: usize,
    /// Polygons kept, per class.
    pub polygons: BTreeMap<ControlClass, usize>,
    /// Parts not kept, per reason ("point: attack direction", "outside Ukraine", ...).
    pub skipped: BTreeMap<String, usize>,
    /// Repairs made.
    pub repairs: RepairCounts,
    /// Things a person should know (e.g. a key that disagrees with its colour).
    pub warnings: Vec<String>,
}

impl FileReport {
    /// Counts one skipped part.
    pub fn skip(&mut self, reason: impl Into<String>) {
        *self.skipped.entry(reason.into()).or_default() += 1;
    }

    /// Records what every format counts the same way for a feature: rings
    /// closed on reading, a missing geometry, points and lines (not territory).
    pub fn note_feature(&mut self, f: &crate::geojson::RawFeature) {
        self.repairs.unclosed_rings += f.unclosed_rings;
        if f.null_geometry {
            self.skip("feature without geometry");
        }
        if f.non_areal_parts > 0 {
            *self.skipped.entry("point or line (not territory)".into()).or_default() += f.non_areal_parts;
        }
    }
}

/// Reads one file in the given format.
pub fn ingest_file(path: &Path, format: &Format, ctx: &IngestContext) -> Result<FileIngest> {
    let bytes = crate::geojson::read_bytes(path)?;
    ingest_bytes(path, &bytes, format, ctx)
}

/// Reads one file's content (already in memory) in the given format.
pub fn ingest_bytes(path: &Path, bytes: &[u8], format: &Format, ctx: &IngestContext) -> Result<FileIngest> {
    match format {
        Format::DeepStateDaily => deepstate_daily::ingest(path, bytes, ctx),
        Format::DeepStateRaw => deepstate_raw::ingest(path, bytes, ctx),
        Format::DeepStateArchive => deepstate_archive::ingest(path, bytes, ctx),
        Format::Isw => isw::ingest(path, bytes, ctx),
        Format::Mapped(m) => mapped::ingest(path, bytes, m, ctx),
    }
}

/// Lists the files a path stands for: the file itself, or every `.geojson`
/// / `.geojson.gz` / `.json` file under a folder, sorted by name.
/// Problems met on the way (see [`expand_path_reporting`]) are dropped here.
pub fn expand_path(path: &Path) -> Result<Vec<PathBuf>> {
    expand_path_reporting(path).map(|(files, _)| files)
}

/// [`expand_path`], with one line per thing that was not listed and why:
/// a file name that is not UTF-8 (frontline cannot read its date), a
/// folder reached again through a symbolic link (a loop, listed once).
/// Folders are followed through symbolic links; what they hold is read
/// through [`crate::geojson::read_bytes`], which refuses anything but regular files.
pub fn expand_path_reporting(path: &Path) -> Result<(Vec<PathBuf>, Vec<String>)> {
    let meta = std::fs::metadata(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
    if !meta.is_dir() {
        return Ok((vec![path.to_path_buf()], vec![]));
    }
    let mut out = vec![];
    let mut problems = vec![];
    let mut seen = std::collections::HashSet::new();
    walk(path, &mut seen, &mut out, &mut problems)?;
    out.sort();
    Ok((out, problems))
}

fn walk(
    dir: &Path,
    seen: &mut std::collections::HashSet<PathBuf>,
    out: &mut Vec<PathBuf>,
    problems: &mut Vec<String>,
) -> Result<()> {
    let io = |source| Error::Io { path: dir.to_path_buf(), source };
    // Canonical paths identify a folder however it was reached.
    if !seen.insert(std::fs::canonicalize(dir).map_err(io)?) {
        problems.push(format!("{}: folder already read (a symbolic link loops back to it); read once", dir.display()));
        return Ok(());
    }
    for e in std::fs::read_dir(dir).map_err(io)? {
        let p = e.map_err(io)?.path();
        if p.is_dir() {
            walk(&p, seen, out, problems)?;
            continue;
        }
        let Some(name) = p.file_name() else { continue };
        let wanted = |n: &[u8]| n.ends_with(b".geojson") || n.ends_with(b".geojson.gz") || n.ends_with(b".json");
        match name.to_str() {
            Some(n) if wanted(n.as_bytes()) => out.push(p),
            Some(_) => {}
            None if wanted(name.as_encoded_bytes()) => problems.push(format!(
                "{}: file name is not valid UTF-8, so its date cannot be read; rename the file",
                p.display()
            )),
            None => {}
        }
    }
    Ok(())
}

/// Polygons sorted into classes, before cleaning and union.
#[derive(Debug, Default)]
pub struct Classified {
    /// Polygons per class.
    pub by_class: BTreeMap<ControlClass, Vec<Polygon<f64>>>,
    /// The feature each polygon came from (same order as `by_class`), so
    /// that repairs can be reported by feature.
    pub origins: BTreeMap<ControlClass, Vec<Option<usize>>>,
}

impl Classified {
    /// Adds one polygon to a class.
    pub fn push(&mut self, class: ControlClass, p: Polygon<f64>) {
        self.by_class.entry(class).or_default().push(p);
        self.origins.entry(class).or_default().push(None);
    }

    /// Adds one polygon of feature `feature` (zero-based) to a class.
    pub fn push_from(&mut self, class: ControlClass, p: Polygon<f64>, feature: usize) {
        self.by_class.entry(class).or_default().push(p);
        self.origins.entry(class).or_default().push(Some(feature));
    }
}

/// The shared tail of every format: clean, drop what lies outside the
/// country, union per class, and build the snapshot. `classes` lists the
/// classes the file publishes (present even when empty).
pub fn assemble(
    path: &Path,
    source: SourceId,
    taken_at: DateTime<Utc>,
    classes: &[ControlClass],
    mut classified: Classified,
    mut report: FileReport,
    ctx: &IngestContext,
) -> Result<FileIngest> {
    check_plausible_date(path, taken_at.date_naive(), Utc::now().date_naive(), "date")?;
    let mut snapshot = Snapshot { source, taken_at, layers: vec![] };
    for &class in classes {
        let polygons = classified.by_class.remove(&class).unwrap_or_default();
        let origins = classified.origins.remove(&class).unwrap_or_default();
        let mut kept = Vec::with_capacity(polygons.len());
        let mut kept_origins = Vec::with_capacity(polygons.len());
        for (i, p) in polygons.into_iter().enumerate() {
            let Some(p) = crate::repair::clean_polygon(p, &mut report.repairs) else {
                continue;
            };
            if let Some(t) = &ctx.territory {
                if t.lies_outside(&p) {
                    report.skip(format!("{class} polygon outside {}", t.name));
                    continue;
                }
            }
            kept.push(p);
            kept_origins.push(origins.get(i).copied().flatten());
        }
        report.polygons.insert(class, kept.len());
        let (union, crossing) =
            crate::repair::union_polygons_naming(kept, &mut report.repairs, crate::repair::MAX_SELF_CROSSINGS)
                .map_err(|t| {
                    let problem = format!(
                        "the {class} polygon's edges cross or touch each other at least {} times (the limit is {}): \
                     a scribble, not a map, and resolving it would take time and memory without bound; \
                     repair the geometry (e.g. with make_valid) and ingest it again",
                        t.crossings,
                        crate::repair::MAX_SELF_CROSSINGS
                    );
                    match kept_origins.get(t.polygon).copied().flatten() {
                        Some(f) => Error::feature(path, f, problem),
                        None => Error::file(path, problem),
                    }
                })?;
        for k in crossing {
            let who = match kept_origins.get(k).copied().flatten() {
                Some(f) => format!("feature #{f}"),
                None => format!("{class} polygon #{k}"),
            };
            report.warnings.push(format!(
                "{who}: the {class} ring crosses or overlaps itself; filled by the non-zero rule \
                 (every place the ring encloses counts once, even where it is wound twice)"
            ));
        }
        // Layers of one class drawn edge to edge (DeepState's ORDLO, Crimea
        // and occupied) leave sub-metre seams that are not ground.
        let union = crate::repair::close_seams(union, crate::repair::SEAM_MAX_WIDTH_M, &mut report.repairs);
        snapshot.set_layer(class, union);
    }
    if let Some((class, polys)) = classified.by_class.into_iter().next() {
        return Err(Error::file(
            path,
            format!("internal: {} {class} polygon(s) classified but the format does not publish {class}", polys.len()),
        ));
    }
    if snapshot.layers.iter().all(|l| l.geometry.0.is_empty()) {
        // Stored, an empty map would read as "nothing occupied" on its date.
        let classes: Vec<&str> = classes.iter().map(|c| c.as_str()).collect();
        return Err(Error::file(
            path,
            format!(
                "no {} polygons to keep (an empty or cut-off download?); a map with nothing drawn is refused, \
                 since it would read as nothing held: check the file is a whole map",
                classes.join(" or ")
            ),
        ));
    }
    Ok(FileIngest { path: path.to_path_buf(), snapshot, report })
}

#[cfg(test)]
mod format_tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn folder_listing_names_what_it_cannot_list() {
        use std::os::unix::ffi::OsStrExt;
        let dir = std::env::temp_dir().join(format!("frontline-expand-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).expect("dir");
        std::fs::write(dir.join("sub/deepstatemap_data_20250101.geojson"), "{}").expect("file");
        // A loop: sub/back -> .. ; and a Latin-1 file name.
        std::os::unix::fs::symlink("..", dir.join("sub/back")).expect("symlink");
        let latin1 = std::ffi::OsStr::from_bytes(b"carte_\xe9t\xe9.geojson");
        std::fs::write(dir.join(latin1), "{}").expect("file");
        let (files, problems) = expand_path_reporting(&dir).expect("expand");
        assert_eq!(files, vec![dir.join("sub/deepstatemap_data_20250101.geojson")]);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("not valid UTF-8") && p.contains("carte_")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("symbolic link loops")), "{problems:?}");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn detects_published_names() {
        let d = |p: &str| Format::detect(Path::new(p));
        assert_eq!(d("a/deepstatemap_data_20260101.geojson"), Some(Format::DeepStateDaily));
        assert_eq!(d("raw/1754251105.geojson.gz"), Some(Format::DeepStateRaw));
        assert_eq!(d("archive/deepstate_20250629T094236Z_e3d9e719.geojson.gz"), Some(Format::DeepStateArchive));
        assert_eq!(d("x/20220401_RussianAssessedCoTinUkraine.geojson.gz"), Some(Format::Isw));
        assert_eq!(d("data/isw/full_2023/20230503.geojson.gz"), Some(Format::Isw));
        assert_eq!(d("data/ISW/control/2202-02-02.geojson"), Some(Format::Isw));
        // The same generic names elsewhere are not guessed.
        assert_eq!(d("maps/20230503.geojson.gz"), None);
        assert_eq!(d("maps/2025-08-11.geojson"), None);
    }

    #[test]
    fn undetected_file_asks_for_a_format() {
        let e = detect_or(Path::new("maps/front.geojson"), None).expect_err("unknown").to_string();
        assert!(e.contains("--as") && e.contains("--map"), "{e}");
        let m = Mapping::parse_rules(SourceId::new("mine"), "k=v:gray").expect("rules");
        let f = detect_or(Path::new("maps/front.geojson"), Some(&Format::Mapped(m.clone()))).expect("explicit");
        assert_eq!(f.source(), SourceId::new("mine"));
        assert_eq!(Format::parse("ISW"), Some(Format::Isw));
    }
}
