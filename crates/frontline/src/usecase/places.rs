//! The settlement use cases: `place` (one town's status, timeline and
//! capture dates), `places` (every settlement on a date, filtered),
//! `captured` (what changed hands in a period) and `watch` (distances over
//! time). The CLI prints these; the server and the Python package can call
//! the same, so a settlement's figure has one code path from the store.

use super::query::{last_of_each, Every};
use crate::places::stored::{self, Timings};
use crate::places::{
    CaptureRule, ControlChange, Gazetteer, GazetteerSources, HandChange, Match, PlaceId, Resolution, Status,
    StatusChange, StatusPoint, StatusTable,
};
use crate::store::Store;
use crate::{Error, Result, SourceId};
use chrono::NaiveDate;
use geo::Coord;
use serde::Serialize;
use std::path::Path;

/// The gazetteer and one source's status table, ready for the queries below.
pub struct PlacesData {
    /// The source the table was computed from.
    pub source: SourceId,
    /// The places; footprint geometries only around the points asked for.
    pub gazetteer: Gazetteer,
    /// Every place × snapshot of the source.
    pub table: StatusTable,
}

/// Which footprint geometries [`load_places`] reads: a name lookup and the
/// status table need none, resolving `LON,LAT` needs those around the
/// point, and a caller that hands the footprints out needs them all.
#[derive(Debug, Clone, Copy)]
pub enum Footprints<'a> {
    /// Only the footprints that may hold one of these points (none for `&[]`).
    Around(&'a [Coord<f64>]),
    /// Every footprint (about 30,000 geometries: slower to read).
    All,
}

/// Loads the gazetteer and the source's status table from the store
/// (building and keeping them when `writable` and missing), with the
/// footprint geometries `footprints` asks for.
pub fn load_places(
    store: &Store,
    writable: bool,
    data_dir: &Path,
    source: Option<&str>,
    footprints: Footprints<'_>,
    timings: &mut Timings,
) -> Result<PlacesData> {
    let t = std::time::Instant::now();
    let source = super::pick_source(store, source)?;
    timings.phases.push(("open the store".into(), t.elapsed()));
    let sources = GazetteerSources::shared(data_dir);
    let all = matches!(footprints, Footprints::All);
    let mut gazetteer = stored::gazetteer_timed(store, &sources, writable, all, timings)?;
    if let Footprints::Around(points) = footprints {
        let t = std::time::Instant::now();
        for &c in points {
            stored::geometries_at(store, &sources, &mut gazetteer, c)?;
        }
        if !points.is_empty() {
            timings.phases.push(("read the footprints around the point".into(), t.elapsed()));
        }
    }
    let table = stored::status_table_timed(store, &mut gazetteer, &sources, &source, writable, timings)?;
    Ok(PlacesData { source, gazetteer, table })
}

/// What a search box finds for a text ([`search`]).
#[derive(Debug, Clone, Serialize)]
pub struct PlaceSearch {
    /// The one place the text resolves to (as `frontline place TEXT`
    /// would take it), if it does.
    pub resolved: Option<Match>,
    /// Why that place, or how to pick one of several, or spelling
    /// suggestions, in words.
    pub note: Option<String>,
    /// Candidates, the resolved place first, then the other places of that
    /// name, then names starting with the text, biggest first.
    pub matches: Vec<Match>,
}

/// Search as you type: what `text` (NAME, NAME@OBLAST or LON,LAT) resolves
/// to with the resolver every command uses, and up to `limit` candidates,
/// names that start with the text included ("Pokr" offers Pokrovsk).
pub fn search(gazetteer: &Gazetteer, text: &str, limit: usize) -> PlaceSearch {
    use crate::places::gazetteer::disambiguation_hint;
    use crate::places::{names, MatchKind, DISAMBIGUATION_HINT};
    let name = text.rsplit_once('@').map_or(text, |(n, _)| n.trim());
    let (resolved, note, listed) = match gazetteer.resolve(text) {
        Resolution::Found { place, note } => {
            // The other places of that name follow it (not typos: the name was found).
            let others = gazetteer.lookup(name).into_iter().filter(|m| !matches!(m.how, MatchKind::Typo { .. }));
            (Some(place.clone()), note, std::iter::once(place).chain(others).collect())
        }
        Resolution::Ambiguous(found) => {
            let note = format!(
                "'{text}' matches {} settlements of comparable size; {}",
                found.len(),
                found.first().map(disambiguation_hint).unwrap_or_else(|| DISAMBIGUATION_HINT.to_string())
            );
            (None, Some(note), found)
        }
        Resolution::NotFound { suggestions } => {
            (None, Some(super::not_found(text, &suggestions).to_string()), suggestions)
        }
    };
    let mut seen = std::collections::HashSet::new();
    let mut matches: Vec<Match> = listed.into_iter().filter(|m| seen.insert(m.place)).collect();
    let key = names::exact_key(name);
    if matches.len() < limit && key.chars().count() >= 2 {
        let mut prefixed: Vec<_> = gazetteer
            .places()
            .iter()
            .filter(|p| !seen.contains(&p.id) && names::exact_key(&p.name).starts_with(&key))
            .collect();
        prefixed.sort_by_key(|p| std::cmp::Reverse(p.population));
        matches.extend(
            prefixed.into_iter().take(limit - matches.len()).map(|p| Match::of(p, p.name.clone(), MatchKind::Prefix)),
        );
    }
    matches.truncate(limit);
    PlaceSearch { resolved, note, matches }
}

/// The snapshot a date stands for: the last at or before it (default the
/// latest), with a note when the date had no snapshot of its own.
pub fn snapshot_index(table: &StatusTable, on: Option<NaiveDate>) -> Result<(usize, Option<String>)> {
    let dates = table.dates();
    let (Some(first), Some(last)) = (dates.first(), dates.len().checked_sub(1)) else {
        return Err(Error::NotFound("the status table holds no snapshots; ingest some maps first".into()));
    };
    let Some(d) = on else { return Ok((last, None)) };
    let i = dates
        .partition_point(|x| *x <= d)
        .checked_sub(1)
        .ok_or_else(|| Error::NotFound(format!("no snapshot on or before {d}; the first is {first}")))?;
    let note = (dates[i] != d).then(|| format!("no snapshot on {d}: using the last one before it, {}", dates[i]));
    Ok((i, note))
}

/// One settlement at a date and over the whole series.
#[derive(Debug, Clone, Serialize)]
pub struct PlaceReport {
    /// Its status on the date asked for.
    pub now: StatusPoint,
    /// Its status changes (each lasting 3+ snapshots).
    pub timeline: Vec<StatusChange>,
    /// Capture and retake dates at 50 % and at 95 % of the footprint.
    pub captures: Vec<ControlChange>,
    /// Notes for the reader (a date without a snapshot of its own).
    pub notes: Vec<String>,
}

/// The capture thresholds `place` reports: half the footprint, and nearly all of it.
pub const PLACE_THRESHOLDS: [f64; 2] = [0.5, 0.95];

/// `frontline place`: one settlement's status on `on` (default the latest
/// snapshot), its timeline and its capture dates.
pub fn place_report(data: &PlacesData, place: PlaceId, on: Option<NaiveDate>) -> Result<PlaceReport> {
    let (i, note) = snapshot_index(&data.table, on)?;
    let captures = PLACE_THRESHOLDS
        .into_iter()
        .flat_map(|theta| data.table.control_changes(place, CaptureRule::at(theta)))
        .collect();
    Ok(PlaceReport {
        now: data.table.point(place, i),
        timeline: data.table.timeline(place),
        captures,
        notes: note.into_iter().collect(),
    })
}

/// Which settlements `places` lists.
#[derive(Debug, Clone, Default)]
pub struct PlacesFilter {
    /// Only this status.
    pub status: Option<Status>,
    /// Only oblasts whose name contains this (any case).
    pub oblast: Option<String>,
    /// Only at least this population.
    pub min_pop: u64,
}

/// One settlement on a date.
#[derive(Debug, Clone, Serialize)]
pub struct PlaceRow {
    pub name: String,
    pub oblast: String,
    pub population: u64,
    pub status: Status,
    pub occupied_fraction: f64,
    pub gray_fraction: Option<f64>,
    pub distance_km: Option<f64>,
    /// The footprint, in words ("OSM outline of the town", ...).
    pub footprint: String,
    pub footprint_km2: f64,
}

/// Every settlement on a date.
#[derive(Debug, Clone)]
pub struct PlacesOn {
    /// The snapshot's date.
    pub date: NaiveDate,
    /// Biggest first.
    pub rows: Vec<PlaceRow>,
    pub notes: Vec<String>,
}

/// `frontline places`: every settlement's status on `on` (default the
/// latest snapshot), filtered, biggest first.
pub fn places_on(data: &PlacesData, on: Option<NaiveDate>, filter: &PlacesFilter) -> Result<PlacesOn> {
    let (i, note) = snapshot_index(&data.table, on)?;
    let oblast = filter.oblast.as_ref().map(|o| o.to_lowercase());
    let mut rows: Vec<PlaceRow> = data
        .gazetteer
        .places()
        .iter()
        .filter(|p| p.population >= filter.min_pop)
        .filter(|p| oblast.as_ref().is_none_or(|o| p.oblast.to_lowercase().contains(o)))
        .map(|p| {
            let s = data.table.point(p.id, i);
            PlaceRow {
                name: p.name.clone(),
                oblast: p.oblast.clone(),
                population: p.population,
                status: s.status,
                occupied_fraction: s.occupied_fraction,
                gray_fraction: s.gray_fraction,
                distance_km: s.distance_m.map(|d| d / 1000.0),
                footprint: p.footprint.kind.describe(p.class_word()),
                footprint_km2: p.footprint.area_m2 / 1e6,
            }
        })
        .filter(|r| filter.status.is_none_or(|w| r.status == w))
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.population));
    Ok(PlacesOn { date: data.table.dates()[i], rows, notes: note.into_iter().collect() })
}

/// Settlements that changed hands in a period.
#[derive(Debug, Clone)]
pub struct Captured {
    /// The period's last date (the latest snapshot when not given).
    pub to: NaiveDate,
    /// Biggest first.
    pub rows: Vec<HandChange>,
}

/// `frontline captured`: settlements captured or retaken between `from`
/// and `to` at `threshold_pct` % of the footprint (3-snapshot rule), with
/// at least `min_pop` people.
pub fn captured(
    data: &PlacesData,
    from: NaiveDate,
    to: Option<NaiveDate>,
    threshold_pct: f64,
    min_pop: u64,
) -> Result<Captured> {
    if !(threshold_pct > 0.0 && threshold_pct <= 100.0) {
        return Err(Error::Request(
            "--threshold must be a percentage above 0 and at most 100, e.g. --threshold 50".into(),
        ));
    }
    let to = to.unwrap_or_else(|| data.table.dates().last().copied().unwrap_or(from));
    let rows = data
        .table
        .changed_hands(&data.gazetteer, from, to, CaptureRule::at(threshold_pct / 100.0))?
        .into_iter()
        .filter(|r| r.population >= min_pop)
        .collect();
    Ok(Captured { to, rows })
}

/// One town at one date of a watch.
#[derive(Debug, Clone, Serialize)]
pub struct WatchRow {
    pub date: NaiveDate,
    pub place: String,
    pub distance_km: Option<f64>,
    pub occupied_fraction: f64,
    pub status: Status,
}

/// `frontline watch`: the snapshots shown (the last of each period within
/// `from..=to`, as indices into the table's dates) and one row per
/// snapshot and place, in that order.
pub fn watch(
    data: &PlacesData,
    places: &[(PlaceId, String)],
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    every: Every,
) -> (Vec<usize>, Vec<WatchRow>) {
    let dates = data.table.dates();
    let first = from.map_or(0, |f| dates.partition_point(|d| *d < f));
    let end = to.map_or(dates.len(), |t| dates.partition_point(|d| *d <= t)).max(first);
    let picked: Vec<usize> =
        last_of_each(dates.get(first..end).unwrap_or_default(), every).into_iter().map(|i| first + i).collect();
    let rows = picked
        .iter()
        .flat_map(|&i| {
            places.iter().map(move |(id, name)| {
                let p = data.table.point(*id, i);
                WatchRow {
                    date: p.date,
                    place: name.clone(),
                    distance_km: p.distance_m.map(|d| d / 1000.0),
                    occupied_fraction: p.occupied_fraction,
                    status: p.status,
                }
            })
        })
        .collect();
    (picked, rows)
}
