//! Queries of the use-case layer: what a front end does between its arguments and its
//! output, in one place. The CLI and the Python package both call these, so
//! a figure has one code path from the store to every output (issue 9):
//! which source, which snapshots a date option stands for, the audit's flags
//! beside the area and change rows, ingest over many files, the corridor's
//! sampling and the frontline's set-up. Each error says what to do next, in
//! the words the CLI has always printed.

use crate::area::{area_rows, change, period_pairs, AreaRow, ChangeGeometry, ChangeRow, Period};
use crate::audit::{audit_series, audit_stored, Audit, AuditRules};
use crate::encircle::{Corridor, CorridorFrame, CorridorParams};
use crate::front::{FrontExtractor, FrontOptions};
use crate::ingest::{Format, IngestContext};
use crate::regions::{load_reference, Reference, Territory};
use crate::store::Store;
use crate::{ControlClass, Error, Result, Snapshot, SourceId};
use chrono::NaiveDate;
use geo::{Coord, MultiPolygon};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// The source to use: the one named, else the only one in the store, else
/// the DeepState daily export if present, else the joined DeepState full map.
pub fn pick_source(store: &Store, named: Option<&str>) -> Result<SourceId> {
    let sources: Vec<SourceId> = store.sources()?.into_iter().map(|s| s.source).collect();
    pick_source_among(&sources, named, &store.path().display().to_string(), "--source")
}

/// [`pick_source`] among sources already listed (the server's, loaded at
/// start): `store` names the store in messages, `how_to_pick` is how the
/// front end names the choice (`--source`, `?source=`).
pub fn pick_source_among(
    sources: &[SourceId],
    named: Option<&str>,
    store: &str,
    how_to_pick: &str,
) -> Result<SourceId> {
    if let Some(n) = named {
        if let Some(s) = sources.iter().find(|s| s.as_str() == n) {
            return Ok(s.clone());
        }
        // Echoed back to a web client too: a name is cut short, not repeated whole.
        let shown: String = n.chars().take(60).collect();
        let cut = if shown.len() < n.len() { "…" } else { "" };
        return Err(Error::NotFound(format!(
            "no source '{shown}{cut}' in {store}; sources here: {}",
            sources.iter().map(SourceId::as_str).collect::<Vec<_>>().join(", ")
        )));
    }
    match sources {
        [] => Err(Error::NotFound(format!("{store} holds no snapshots; run `frontline ingest PATH...` first"))),
        [only] => Ok(only.clone()),
        many => [SourceId::DEEPSTATE_DAILY, SourceId::DEEPSTATE]
            .iter()
            .find_map(|want| many.iter().find(|s| s.as_str() == *want))
            .cloned()
            .ok_or_else(|| {
                Error::Request(format!(
                    "several sources in the store; pick one with {how_to_pick} ({})",
                    many.iter().map(|s| format!("{s}: {}", s.label())).collect::<Vec<_>>().join("; ")
                ))
            }),
    }
}

/// The snapshots (oldest first) dated within `from..=to`, either bound
/// optional: a slice of `snaps`, nothing copied.
pub fn snapshots_between(snaps: &[Snapshot], from: Option<NaiveDate>, to: Option<NaiveDate>) -> &[Snapshot] {
    let lo = from.map_or(0, |f| snaps.partition_point(|s| s.date() < f));
    let hi = to.map_or(snaps.len(), |t| snaps.partition_point(|s| s.date() <= t));
    snaps.get(lo..hi.max(lo)).unwrap_or(&[])
}

/// Snapshots chosen by a date option, with notes for the reader (a date
/// that had no snapshot of its own).
#[derive(Debug, Default)]
pub struct Selection {
    /// Oldest first.
    pub snapshots: Vec<Snapshot>,
    /// Plain sentences to print beside the figures.
    pub notes: Vec<String>,
}

fn range_words(from: Option<NaiveDate>, to: Option<NaiveDate>) -> (String, String) {
    (from.map(|d| d.to_string()).unwrap_or("the start".into()), to.map(|d| d.to_string()).unwrap_or("the end".into()))
}

/// The snapshots a date option stands for: the last at or before `on`, or
/// all in `from..=to`, or the latest.
pub fn select(
    store: &Store,
    source: &SourceId,
    on: Option<NaiveDate>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Selection> {
    let times = store.snapshot_times(source)?;
    let (Some(first), Some(last)) = (times.first(), times.last()) else {
        return Err(Error::NotFound(format!("the store holds no {source} snapshot")));
    };
    let mut notes = vec![];
    if from.is_some() || to.is_some() {
        let snapshots = store.load_range(source, from, to)?;
        if snapshots.is_empty() {
            let (f, t) = range_words(from, to);
            return Err(Error::NotFound(format!(
                "no {source} snapshot between {f} and {t} (it has {} to {})",
                first.date_naive(),
                last.date_naive()
            )));
        }
        return Ok(Selection { snapshots, notes });
    }
    let chosen = match on {
        None => *last,
        Some(d) => match times.iter().rev().find(|t| t.date_naive() <= d) {
            Some(t) => {
                if t.date_naive() != d {
                    notes
                        .push(format!("no {source} snapshot on {d}: using the last one before it, {}", t.date_naive()));
                }
                *t
            }
            None => {
                return Err(Error::NotFound(format!(
                    "no {source} snapshot on or before {d}; the first is {}",
                    first.date_naive()
                )))
            }
        },
    };
    let snaps = store.load_range(source, Some(chosen.date_naive()), Some(chosen.date_naive()))?;
    Ok(Selection { snapshots: snaps.into_iter().filter(|s| s.taken_at == chosen).collect(), notes })
}

/// [`select`] over a source's whole series already loaded (oldest first),
/// for a use that needs the whole series anyway (the audit's flags).
pub fn select_loaded(
    all: Vec<Snapshot>,
    source: &SourceId,
    on: Option<NaiveDate>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Selection> {
    let (Some(first), Some(last)) = (all.first().map(Snapshot::date), all.last().map(Snapshot::date)) else {
        return Err(Error::NotFound(format!("the store holds no {source} snapshot")));
    };
    let mut notes = vec![];
    if from.is_some() || to.is_some() {
        let snapshots: Vec<Snapshot> = all
            .into_iter()
            .filter(|s| from.is_none_or(|f| s.date() >= f) && to.is_none_or(|t| s.date() <= t))
            .collect();
        if snapshots.is_empty() {
            let (f, t) = range_words(from, to);
            return Err(Error::NotFound(format!(
                "no {source} snapshot between {f} and {t} (it has {first} to {last})"
            )));
        }
        return Ok(Selection { snapshots, notes });
    }
    let chosen = match on {
        None => all[all.len() - 1].taken_at,
        Some(d) => match all.iter().rev().find(|s| s.date() <= d) {
            Some(s) => {
                if s.date() != d {
                    notes.push(format!("no {source} snapshot on {d}: using the last one before it, {}", s.date()));
                }
                s.taken_at
            }
            None => {
                return Err(Error::NotFound(format!("no {source} snapshot on or before {d}; the first is {first}")))
            }
        },
    };
    Ok(Selection { snapshots: all.into_iter().filter(|s| s.taken_at == chosen).collect(), notes })
}

/// An area row with the audit's verdict on the step that led to it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FlaggedArea {
    /// The figures.
    #[serde(flatten)]
    pub row: AreaRow,
    /// Warnings of `frontline audit` on this snapshot (`None` when clean).
    pub flag: Option<String>,
}

/// The area series of `frontline area` (without `--by`): rows for the
/// snapshots the date option stands for, each with the audit's flag judged
/// over the source's whole series.
pub fn area_series(
    store: &Store,
    source: &SourceId,
    reference: &Territory,
    country_km2: f64,
    on: Option<NaiveDate>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<(Vec<FlaggedArea>, Vec<String>)> {
    if !country_km2.is_finite() || country_km2 <= 0.0 {
        return Err(Error::Request("--country-km2 must be a positive area in km²".into()));
    }
    // The flags need the whole series: load it once, for them and the rows.
    let all = store.load_range(source, None, None)?;
    let audit = audit_series(&all, ControlClass::Occupied, AuditRules::default());
    let sel = select_loaded(all, source, on, from, to)?;
    let rows = area_rows(&sel.snapshots, reference, country_km2)
        .into_iter()
        .map(|row| {
            let flag = audit.flag_on(row.date);
            FlaggedArea { row, flag }
        })
        .collect();
    Ok((rows, sel.notes))
}

/// What `frontline change` asks for.
#[derive(Debug, Clone)]
pub struct ChangeRequest {
    /// The step.
    pub every: Period,
    /// First day of the first period.
    pub from: Option<NaiveDate>,
    /// Last day covered.
    pub to: Option<NaiveDate>,
    /// `occupied`, `gray`, `liberated`, or `all` the source has.
    pub class: String,
    /// The source runs this many days late (see `compare --lag`).
    pub offset_days: i64,
}

/// One period's change, its polygons, and the audit's flag on the period.
#[derive(Debug, Clone)]
pub struct ChangePeriod {
    /// The figures.
    pub row: ChangeRow,
    /// Gained and lost polygons, clipped to the reference.
    pub geometry: ChangeGeometry,
    /// What `audit` found implausible in the period (`None` when clean).
    pub flag: Option<String>,
}

/// The change series of `frontline change`: one entry per period and class,
/// in period order. Dates are map dates (file date − offset).
pub fn change_series(
    store: &Store,
    source: &SourceId,
    reference: &Territory,
    req: &ChangeRequest,
) -> Result<Vec<ChangePeriod>> {
    if req.offset_days.abs() > 366 {
        return Err(Error::Request(format!(
            "--offset-days {}: give a lag of at most a year, in days",
            req.offset_days
        )));
    }
    let offset = chrono::Duration::days(req.offset_days);
    let mut snaps = store.load_range(source, None, req.to.map(|t| t + offset))?;
    crate::lag::shift_days(&mut snaps, req.offset_days);
    let classes = change_classes(&snaps, source, &req.class)?;
    let pairs = change_pairs(&snaps, req.every, req.from, req.to);
    if pairs.is_empty() {
        return Err(Error::NotFound(format!(
            "no period with two distinct snapshots in that range ({source} has {} snapshots)",
            snaps.len()
        )));
    }
    let results = change_rows(&snaps, &pairs, &classes, reference);
    // The audit judges the files as dated by their publisher; flags are
    // looked up in file dates (map date + offset).
    let audits: Vec<(ControlClass, Audit)> = classes
        .iter()
        .map(|c| Ok((*c, audit_stored(store, source, *c, AuditRules::default())?)))
        .collect::<Result<_>>()?;
    Ok(results
        .into_iter()
        .map(|(row, geometry)| {
            let flag = audits
                .iter()
                .find(|(c, _)| *c == row.class)
                .and_then(|(_, a)| a.flag_between(row.from + offset, row.to + offset));
            ChangePeriod { row, geometry, flag }
        })
        .collect())
}

/// The classes a change series measures: `occupied`, `gray`, `liberated`,
/// or `all` the source has. A class the snapshots never carry is an error.
pub fn change_classes(snaps: &[Snapshot], source: &SourceId, class: &str) -> Result<Vec<ControlClass>> {
    let classes: Vec<ControlClass> = match class {
        "all" => ControlClass::ALL.into_iter().filter(|c| snaps.iter().any(|s| s.layer(*c).is_some())).collect(),
        c => vec![ControlClass::parse(c)
            .ok_or_else(|| Error::Request(format!("--class {c}: use occupied, gray, liberated or all")))?],
    };
    for c in &classes {
        if !snaps.iter().any(|s| s.layer(*c).is_some()) {
            return Err(Error::NotFound(format!("source {source} has no {c} layer")));
        }
    }
    Ok(classes)
}

/// The periods of a change series over `snaps` (oldest first): the last
/// snapshot at or before each boundary (`area::period_pairs`).
pub fn change_pairs(
    snaps: &[Snapshot],
    every: Period,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Vec<crate::area::PeriodPair> {
    let dates: Vec<NaiveDate> = snaps.iter().map(|s| s.date()).collect();
    period_pairs(&dates, every, from, to)
}

/// Gained, lost and net area of every period × class, in period order,
/// measured in parallel; a pair where a snapshot lacks the class is left out.
pub fn change_rows(
    snaps: &[Snapshot],
    pairs: &[crate::area::PeriodPair],
    classes: &[ControlClass],
    reference: &Territory,
) -> Vec<(ChangeRow, ChangeGeometry)> {
    let jobs: Vec<(usize, ControlClass)> =
        (0..pairs.len()).flat_map(|i| classes.iter().map(move |c| (i, *c))).collect();
    jobs.par_iter()
        .filter_map(|(i, c)| {
            let p = &pairs[*i];
            change(&p.label, &snaps[p.a], &snaps[p.b], *c, reference)
        })
        .collect()
}

/// Reads files and folders (recursively) into the store, as `frontline
/// ingest` does ([`super::ingest`]: each file's format detected or
/// `explicit`, content already stored skipped, parsing in parallel, each
/// file written in its own transaction). Polygons wholly outside Ukraine
/// with its sea are dropped, so the reference territory is needed
/// (`data_dir`). `on_file` hears each file done.
pub fn ingest_paths(
    store: &mut Store,
    paths: &[PathBuf],
    explicit: Option<&Format>,
    data_dir: &Path,
    on_file: &(dyn Fn() + Sync),
) -> Result<super::ingest::IngestSummary> {
    let (jobs, mut problems) = super::ingest::find_files(paths, explicit)?;
    if jobs.is_empty() {
        let found = if problems.is_empty() { String::new() } else { format!("; {}", problems.join("; ")) };
        return Err(Error::NotFound(format!(
            "no .geojson/.geojson.gz/.json files to ingest under {}{found}",
            paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "),
        )));
    }
    // Polygons wholly outside Ukraine (with its sea) are not territory of this war.
    let territory = Some(std::sync::Arc::new(load_reference(&Reference::WithSea, data_dir)?));
    let ictx = IngestContext { territory };
    let mut summary = super::ingest::ingest_files(store, jobs, &ictx, on_file)?;
    problems.append(&mut summary.errors);
    summary.errors = problems;
    Ok(summary)
}

/// How a series is sampled: every snapshot, or the last snapshot of each
/// ISO week or calendar month (the corridor series, `watch`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Every {
    /// Every snapshot.
    Day,
    /// The last snapshot of each ISO week.
    Week,
    /// The last snapshot of each month.
    Month,
}

impl Every {
    /// `day` (or `snapshot`), `week` or `month`.
    pub fn parse(s: &str) -> Option<Every> {
        match s {
            "day" | "snapshot" => Some(Every::Day),
            "week" => Some(Every::Week),
            "month" => Some(Every::Month),
            _ => None,
        }
    }

    /// The word for the period, as in "the last snapshot of each week".
    pub fn name(self) -> &'static str {
        match self {
            Every::Day => "day",
            Every::Week => "week",
            Every::Month => "month",
        }
    }

    /// The period holding a date; `None` for every snapshot (each its own).
    fn period(self, d: NaiveDate) -> Option<(i32, u32)> {
        use chrono::Datelike;
        match self {
            Every::Day => None,
            Every::Week => Some((d.iso_week().year(), d.iso_week().week())),
            Every::Month => Some((d.year(), d.month())),
        }
    }
}

/// The indices of the dates a series shows (dates ascending): every one,
/// or the last of each run of dates in one period.
pub fn last_of_each(dates: &[NaiveDate], every: Every) -> Vec<usize> {
    let mut picked: Vec<usize> = Vec::with_capacity(dates.len());
    for (i, d) in dates.iter().enumerate() {
        match picked.last_mut() {
            Some(j) if every.period(dates[*j]).is_some_and(|p| Some(p) == every.period(*d)) => *j = i,
            _ => picked.push(i),
        }
    }
    picked
}

/// The snapshots a corridor series measures: every snapshot (`day` or
/// `snapshot`), or the last of each ISO week (`week`) or month (`month`).
pub fn sample_every(snaps: Vec<Snapshot>, every: &str) -> Result<Vec<Snapshot>> {
    let every =
        Every::parse(every).ok_or_else(|| Error::Request(format!("--every {every}: use day, week or month")))?;
    let dates: Vec<NaiveDate> = snaps.iter().map(Snapshot::date).collect();
    let keep = last_of_each(&dates, every);
    let mut k = keep.into_iter().peekable();
    Ok(snaps
        .into_iter()
        .enumerate()
        .filter_map(|(i, s)| {
            (k.peek() == Some(&i)).then(|| {
                k.next();
                s
            })
        })
        .collect())
}

/// Where a corridor starts.
#[derive(Debug, Clone)]
pub enum CorridorStart {
    /// A besieged area: the union of towns' footprints, or a polygon file.
    Area(MultiPolygon<f64>),
    /// A point and a seed disc around it (measures.md's old definition).
    Point {
        /// The town's point.
        point: Coord<f64>,
        /// Radius of the seed disc, m.
        seed_radius_m: f64,
    },
}

/// One date of a corridor series.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CorridorRow {
    /// The snapshot's date.
    pub date: NaiveDate,
    /// With only the occupied layer hostile.
    pub occupied_only: Corridor,
    /// With the gray zone hostile too; `None` without `with_gray`, or when
    /// the snapshot has no gray layer.
    pub with_gray: Option<Corridor>,
}

/// The corridor of `start` on every snapshot, occupied ground only, and
/// also with the gray zone counted hostile when `with_gray`.
pub fn corridor_series(
    reference: &Territory,
    start: &CorridorStart,
    params: CorridorParams,
    with_gray: bool,
    source: &SourceId,
    snaps: &[Snapshot],
) -> Result<Vec<CorridorRow>> {
    if snaps.is_empty() {
        return Err(Error::NotFound(format!("no {source} snapshot in that range")));
    }
    let has_gray: Vec<bool> = snaps.iter().map(|s| s.layer(ControlClass::Gray).is_some()).collect();
    if with_gray && !has_gray.iter().any(|&g| g) {
        return Err(Error::NotFound(format!(
            "--with-gray: source {source} has no gray zone (try --source deepstate, the DeepState full map)"
        )));
    }
    let frame_for = |with_gray: bool| -> Result<CorridorFrame<'_>> {
        let params = CorridorParams { with_gray, ..params };
        match start {
            CorridorStart::Area(area) => CorridorFrame::for_area(reference, area, params),
            CorridorStart::Point { point, seed_radius_m } => {
                CorridorFrame::new(reference, *point, CorridorParams { seed_radius_m: *seed_radius_m, ..params })
            }
        }
    };
    let occupied = frame_for(false)?.series(snaps);
    let gray = if with_gray { Some(frame_for(true)?.series(snaps)) } else { None };
    Ok(occupied
        .iter()
        .enumerate()
        .map(|(i, p)| CorridorRow {
            date: p.date,
            occupied_only: p.corridor.clone(),
            with_gray: gray.as_ref().and_then(|g| g.get(i)).filter(|_| has_gray[i]).map(|q| q.corridor.clone()),
        })
        .collect())
}

/// The frontline extractor for a reference territory named as the CLI's
/// `--reference` (sea, land, or a file): with a reference that reaches out
/// to sea, the shore is not front, so the land outline marks the coast.
pub fn front_extractor(
    reference: &Territory,
    reference_choice: &Reference,
    data_dir: &Path,
    options: FrontOptions,
) -> Result<FrontExtractor> {
    let land = match reference_choice {
        Reference::Land => None,
        _ => Some(load_reference(&Reference::Land, data_dir)?),
    };
    FrontExtractor::new(reference, land.as_ref(), options)
}

/// Resolves NAME, NAME@OBLAST or LON,LAT (`oblast` is the same as
/// NAME@OBLAST) to one place, with a note saying why when it was not the
/// only candidate. Ambiguous and unknown names fail in the CLI's words
/// (the candidates listed in the message, since there is no table to print
/// them above it).
pub fn resolve_place(
    gazetteer: &crate::places::Gazetteer,
    query: &str,
    oblast: Option<&str>,
) -> Result<(crate::places::Match, Option<String>)> {
    use crate::places::gazetteer::disambiguation_hint;
    use crate::places::{Resolution, DISAMBIGUATION_HINT};
    let full = match oblast {
        Some(o) => format!("{}@{o}", query.split_once('@').map_or(query, |(n, _)| n)),
        None => query.to_string(),
    };
    match gazetteer.resolve(&full) {
        Resolution::Found { place, note } => Ok((place, note)),
        Resolution::Ambiguous(found) => Err(Error::Request(format!(
            "'{full}' is ambiguous: {} settlements of comparable size match ({}); {}",
            found.len(),
            found.iter().map(|m| format!("{} ({})", m.name, m.oblast)).collect::<Vec<_>>().join(", "),
            found.first().map(disambiguation_hint).unwrap_or_else(|| DISAMBIGUATION_HINT.to_string())
        ))),
        Resolution::NotFound { suggestions } => Err(not_found(&full, &suggestions)),
    }
}

/// The error for a NAME, NAME@OBLAST or LON,LAT the gazetteer does not
/// resolve, with its spelling suggestions: the same words from every front
/// end, whichever way it shows an ambiguous name.
pub fn not_found(full: &str, suggestions: &[crate::places::Match]) -> Error {
    if crate::places::gazetteer::parse_coordinates(full).is_some() {
        return Error::NotFound(format!("no settlement at or within 10 km of {full} (LON,LAT in degrees)"));
    }
    let did_you_mean = if suggestions.is_empty() {
        String::new()
    } else {
        format!(
            "; did you mean {}?",
            suggestions.iter().map(|m| format!("{} ({})", m.name, m.oblast)).collect::<Vec<_>>().join(", ")
        )
    };
    Error::NotFound(format!(
        "no settlement called '{full}' in the gazetteer (OSM cities, towns and villages, GeoNames places){did_you_mean}"
    ))
}

/// The besieged area of `frontline corridor NAME[+NAME...]`: the union of
/// the named towns' footprints, with a label ("Pokrovsk + Myrnohrad") and
/// the notes of the name resolution. The gazetteer must hold its footprint
/// geometries.
pub fn besieged_area(
    gazetteer: &crate::places::Gazetteer,
    names: &str,
    oblast: Option<&str>,
) -> Result<(String, MultiPolygon<f64>, Vec<String>)> {
    let mut labels = vec![];
    let mut polygons = vec![];
    let mut notes = vec![];
    for name in names.split('+').map(str::trim) {
        if name.is_empty() {
            return Err(Error::Request(format!(
                "'{names}': an empty name between the + signs; write e.g. Pokrovsk+Myrnohrad"
            )));
        }
        let (m, why) = resolve_place(gazetteer, name, oblast)?;
        notes.extend(why);
        let p = gazetteer
            .place(m.place)
            .ok_or_else(|| Error::Internal(format!("{name}: the gazetteer has no place {}", m.place)))?;
        labels.push(p.name.clone());
        polygons.extend(p.footprint.geometry.0.iter().cloned());
    }
    let label = labels.join(" + ");
    let area = crate::overlay::union_nonzero(&polygons);
    if area.0.is_empty() {
        return Err(Error::NotFound(format!(
            "{label}: no footprint geometry in the gazetteer; use --seed-radius 5km or --area FILE"
        )));
    }
    Ok((label, area, notes))
}

/// A corridor state in the words every output uses.
pub fn corridor_state_name(s: crate::encircle::CorridorState) -> &'static str {
    use crate::encircle::CorridorState;
    match s {
        CorridorState::Open => "open",
        CorridorState::Rear => "rear",
        CorridorState::Encircled => "encircled",
        CorridorState::Occupied => "occupied",
        CorridorState::BeyondWindow => "beyond_window",
    }
}

/// The pincer gap in km as reported: 0 once the way out is cut or taken.
pub fn pincer_gap_km(c: &Corridor) -> Option<f64> {
    pincer_gap_m(c).map(|m| m / 1000.0)
}

/// The pincer gap in m as reported: 0 once the way out is cut or taken.
pub fn pincer_gap_m(c: &Corridor) -> Option<f64> {
    use crate::encircle::CorridorState;
    match c.state {
        CorridorState::Encircled | CorridorState::Occupied => Some(0.0),
        _ => c.gap.as_ref().map(|g| g.gap_m),
    }
}

/// Two sources' snapshots loaded for `frontline compare`, oldest first.
#[derive(Debug)]
pub struct ComparePair {
    /// Source A.
    pub a_source: SourceId,
    /// Source B.
    pub b_source: SourceId,
    /// A's snapshots that the dates can reach.
    pub a_snaps: Vec<Snapshot>,
    /// B's snapshots that the dates can reach.
    pub b_snaps: Vec<Snapshot>,
}

/// Loads two sources for a comparison: all of both for one date (the
/// nearest snapshot may lie anywhere), else `from − pad ..= to + pad`.
/// Fails when either has no snapshot there, or no layer of `class`.
#[allow(clippy::too_many_arguments)]
pub fn compare_load(
    store: &Store,
    a: &str,
    b: &str,
    class: ControlClass,
    on: Option<NaiveDate>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    pad_days: i64,
) -> Result<ComparePair> {
    let a_source = pick_source(store, Some(a))?;
    let b_source = pick_source(store, Some(b))?;
    let pad = chrono::Duration::days(pad_days);
    let (lo, hi) = match on {
        Some(_) => (None, None),
        None => (from.map(|d| d - pad), to.map(|d| d + pad)),
    };
    let a_snaps = store.load_range(&a_source, lo, hi)?;
    let b_snaps = store.load_range(&b_source, lo, hi)?;
    for (src, snaps) in [(&a_source, &a_snaps), (&b_source, &b_snaps)] {
        if snaps.is_empty() {
            let times = store.snapshot_times(src)?;
            let (Some(first), Some(last)) = (times.first(), times.last()) else {
                return Err(Error::NotFound(format!("the store holds no {src} snapshot")));
            };
            return Err(Error::NotFound(format!(
                "no {src} snapshot in that period; it has {} to {}",
                first.date_naive(),
                last.date_naive()
            )));
        }
        if !snaps.iter().any(|s| s.layer(class).is_some()) {
            return Err(Error::NotFound(format!(
                "{src} has no {class} layer in that period; try --class occupied, or another date"
            )));
        }
    }
    Ok(ComparePair { a_source, b_source, a_snaps, b_snaps })
}

/// A date list with, for each date, the index of the last snapshot that day.
fn last_per_day(snaps: &[Snapshot]) -> (Vec<NaiveDate>, Vec<usize>) {
    let mut dates: Vec<NaiveDate> = vec![];
    let mut idx: Vec<usize> = vec![];
    for (i, s) in snaps.iter().enumerate() {
        if dates.last() == Some(&s.date()) {
            if let Some(last) = idx.last_mut() {
                *last = i;
            }
        } else {
            dates.push(s.date());
            idx.push(i);
        }
    }
    (dates, idx)
}

/// The comparisons of `frontline compare` (without `--lag`): the pairs of
/// snapshots the dates call for (the sparser source drives; the last
/// snapshot of each day), each measured within `reference`, with the
/// indices of the two snapshots in `pair`.
pub fn compare_pairs(
    pair: &ComparePair,
    class: ControlClass,
    reference: &Territory,
    pairing: crate::compare::Pairing,
) -> Result<Vec<(usize, usize, crate::compare::Comparison, crate::compare::Disagreement)>> {
    compare_snapshots(&pair.a_source, &pair.b_source, &pair.a_snaps, &pair.b_snaps, class, reference, pairing)
}

/// [`compare_pairs`] over two sources' snapshots already loaded (oldest
/// first; the server's): the indices returned are into `a_snaps` and `b_snaps`.
pub fn compare_snapshots(
    a_source: &SourceId,
    b_source: &SourceId,
    a_snaps: &[Snapshot],
    b_snaps: &[Snapshot],
    class: ControlClass,
    reference: &Territory,
    pairing: crate::compare::Pairing,
) -> Result<Vec<(usize, usize, crate::compare::Comparison, crate::compare::Disagreement)>> {
    let (a_dates, a_idx) = last_per_day(a_snaps);
    let (b_dates, b_idx) = last_per_day(b_snaps);
    let max_days_apart = match pairing {
        crate::compare::Pairing::Range { max_days_apart, .. } => max_days_apart,
        _ => 0,
    };
    let pairs: Vec<(usize, usize)> = crate::compare::pair_dates(&a_dates, &b_dates, pairing)
        .into_iter()
        .map(|(i, j)| (a_idx[i], b_idx[j]))
        .collect();
    if pairs.is_empty() {
        return Err(Error::NotFound(format!(
            "no pair of {a_source} and {b_source} snapshots within {max_days_apart} day(s) of each other in that range; widen --max-days-apart or the dates"
        )));
    }
    let results: Vec<_> = pairs
        .par_iter()
        .filter_map(|(i, j)| {
            crate::compare::compare(&a_snaps[*i], &b_snaps[*j], class, reference).map(|(c, d)| (*i, *j, c, d))
        })
        .collect();
    if results.is_empty() {
        return Err(Error::NotFound(format!(
            "{a_source} and {b_source} have no {class} layer on the same pairs of dates"
        )));
    }
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn the_last_of_each_week_or_month_by_the_calendar() {
        // 2025-01-05 is a Sunday (ISO week 1); 01-06 and 01-12 are week 2;
        // Friday 01-31 and Saturday 02-01 share week 5 but not a month.
        let dates = ["2025-01-05", "2025-01-06", "2025-01-12", "2025-01-31", "2025-02-01"].map(d);
        assert_eq!(last_of_each(&dates, Every::Day), vec![0, 1, 2, 3, 4]);
        assert_eq!(last_of_each(&dates, Every::Week), vec![0, 2, 4]);
        assert_eq!(last_of_each(&dates, Every::Month), vec![3, 4]);
        // Monday 2024-12-30 already belongs to ISO week 1 of 2025.
        let dates = ["2024-12-29", "2024-12-30", "2025-01-01"].map(d);
        assert_eq!(last_of_each(&dates, Every::Week), vec![0, 2]);
        assert_eq!(last_of_each(&dates, Every::Month), vec![1, 2]);
        assert_eq!(Every::parse("snapshot"), Some(Every::Day));
        assert_eq!(Every::parse("fortnight"), None);
    }
}
