//! Claims measured against the store (see [`super`] for the bands and the
//! order of conventions). Every figure comes from the house's own
//! measures: [`crate::area`] for areas and shares, [`crate::overlay`] for
//! gains, [`crate::front`] for lengths, [`crate::encircle`] for corridors,
//! the gazetteer's footprints for settlements (occupied fraction ≥ 50 % =
//! captured, measures.md's capture threshold θ = 0.5).

use super::{Claim, ClaimKind, DateFrom, Side, TownEvent, Unit};
use crate::area::UKRAINE_OFFICIAL_KM2;
use crate::area_sweep::SweepMemory;
use crate::encircle::{hostile_layers, CorridorFrame, CorridorParams, CorridorState};
use crate::error::{Error, Result};
use crate::front::{FrontExtractor, FrontOptions, Hostile, REPORTING_COAST_TOLERANCE_M};
use crate::geodesy::{GeodesicAreaM2, M2_PER_KM2};
use crate::model::{ControlClass, Snapshot, SourceId};
use crate::places::{Footprint, Gazetteer, GazetteerSources, Match, MatchKind, PlaceId, Resolution};
use crate::regions::{Reference, RegionSet, ShareConvention, Territory};
use crate::store::Store;
use chrono::{Duration, NaiveDate};
use geo::{BoundingRect, MultiPolygon};
use serde::Serialize;
use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;

/// A snapshot older than this many days before a date does not measure it.
pub const MAX_STALENESS_DAYS: i64 = 10;

/// Sources tried for the default, in this order (the first with a
/// snapshot within [`MAX_STALENESS_DAYS`] at or before the date).
pub const SOURCE_PREFERENCE: [&str; 5] = [
    SourceId::DEEPSTATE_DAILY,
    SourceId::DEEPSTATE,
    SourceId::DEEPSTATE_RAW,
    SourceId::DEEPSTATE_ARCHIVE,
    SourceId::ISW,
];

/// How checks are run.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Dates within ± this many days of the claim's are tried (default 7).
    pub window_days: i64,
    /// The denominator of "share of Ukraine", km².
    pub country_km2: f64,
    /// Use this source for the default measurement instead of the preference order.
    pub source: Option<SourceId>,
    /// Whether the gazetteer may be kept in the store when it has to be built
    /// (a writable store: the next check then reads it in milliseconds).
    pub writable_cache: bool,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions { window_days: 7, country_km2: UKRAINE_OFFICIAL_KM2, source: None, writable_cache: false }
    }
}

/// The measurement tolerance added to both sides of a claim's band, in the
/// canonical unit (see the module docs of [`super`]).
pub fn measurement_tolerance(kind: &ClaimKind, unit: Unit, band_mid: f64) -> f64 {
    match (kind, unit.canonical()) {
        (ClaimKind::Corridor { .. }, _) => 0.5,
        (ClaimKind::FrontLength, _) => 0.02 * band_mid.abs(),
        (ClaimKind::Gained, Unit::Percent) => 0.005,
        (ClaimKind::Gained, _) => 0.03 * band_mid.abs(),
        (_, Unit::Percent) => 0.1,
        _ => 0.01 * band_mid.abs(),
    }
}

/// What the check concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The default measurement lies within the claim's band.
    Consistent,
    /// Only some named alternative conventions bring it within the band.
    ConsistentOnlyUnder,
    /// No convention tried brings it within the band.
    NotConsistent,
    /// Neither the claim nor `--as-of` gives a date.
    NoDate,
    /// It could not be measured (no snapshot near the date, unknown place, ...).
    CannotCheck,
}

impl Verdict {
    /// Plain words for a report.
    pub fn words(self) -> &'static str {
        match self {
            Verdict::Consistent => "consistent",
            Verdict::ConsistentOnlyUnder => "consistent only under",
            Verdict::NotConsistent => "not consistent",
            Verdict::NoDate => "no date",
            Verdict::CannotCheck => "cannot check",
        }
    }
}

/// One measurement under one convention.
#[derive(Debug, Clone, Serialize)]
pub struct Trial {
    /// The convention, in words ("default", "gray zone counted as Russian-held", "date 2025-11-03 (+2 days)").
    pub convention: String,
    /// The source measured.
    pub source: String,
    /// The snapshot dates used (two for a period).
    pub dates: Vec<NaiveDate>,
    /// The figure, in `unit` of the check (None when not applicable).
    pub value: Option<f64>,
    /// Whether the claim holds under it.
    pub holds: bool,
}

/// A settlement a claim named, as resolved.
#[derive(Debug, Clone, Serialize)]
pub struct PlaceRef {
    /// English name.
    pub name: String,
    /// Oblast.
    pub oblast: String,
    /// Longitude of its point.
    pub lon: f64,
    /// Latitude of its point.
    pub lat: f64,
}

/// A claim and its verdict, with the evidence.
#[derive(Debug, Clone, Serialize)]
pub struct Checked {
    /// The claim.
    pub claim: Claim,
    /// The verdict.
    pub verdict: Verdict,
    /// The conventions under which it holds, when only under some.
    pub only_under: Vec<String>,
    /// The default measurement, in `unit`.
    pub measured: Option<f64>,
    /// The unit of `measured`, the band and the trials: "%", "km²", "km",
    /// or "% of footprint occupied" for settlements.
    pub unit: String,
    /// The band the claim allows (its rounding plus the measurement tolerance), in `unit`.
    pub band: Option<(f64, f64)>,
    /// How the band was derived, in words.
    pub rule: String,
    /// Every measurement tried, the default first.
    pub evidence: Vec<Trial>,
    /// The settlement, for town and corridor claims.
    pub place: Option<PlaceRef>,
    /// Why it could not be checked, or a caveat.
    pub note: Option<String>,
    /// A link for the web map: the date, source and place of the default evidence.
    pub map_link: Option<String>,
}

/// The snapshots of one source on one day, shared.
type DaySnapshots = Rc<Vec<Rc<Snapshot>>>;

/// A measured value's key: source, snapshot instant, the claim's kind, side, unit and period, convention.
type ValueKey = (String, i64, String, Conv);

/// What a measurement function needs to know about one convention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Conv {
    gray_in: bool,
    land: bool,
    outline: bool,
    gross: bool,
    /// A corridor's pincer gap instead of its narrowest width.
    gap: bool,
}

const DEFAULT: Conv = Conv { gray_in: false, land: false, outline: false, gross: false, gap: false };

/// What a corridor claim is measured by: state, narrowest width and pincer gap (km).
type CorridorFigures = (CorridorState, Option<f64>, Option<f64>);

/// The territory an area is measured within.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Within {
    /// Ukraine with its territorial sea, or land only.
    Country { land: bool },
    /// An oblast (ISO code), under the outline or the official convention.
    Region { iso: String, outline: bool },
}

/// A kept area series by snapshot instant: km² occupied, and occupied or
/// gray (`None` for a map without a gray layer).
type KeptAreas = HashMap<i64, (f64, Option<f64>)>;

/// A source's kept series within one reference, if the store keeps one.
type KeptSeries = Option<Rc<KeptAreas>>;

/// A snapshot's hostile ground: source, instant, gray counted.
type HostileKey = (String, i64, bool);

/// A gross gain: source, the two instants, gray counted, land only.
type GrossKey = (String, i64, i64, bool, bool);

/// The hostile ground of snapshots, and its area within the territories
/// claims ask about, kept across claims and conventions: an article's
/// claims meet the same few maps again and again (every country share, the
/// two ends of every gain, the dates around each), and one clip per
/// snapshot and territory serves them all.
#[derive(Default)]
struct AreaCache {
    hostile: HashMap<HostileKey, Option<Rc<MultiPolygon<f64>>>>,
    km2: HashMap<(HostileKey, Within), Option<f64>>,
    /// One sweep per source, gray convention and territory: a snapshot a
    /// few days from the last one measured is carried by its changed edges
    /// instead of clipped in full ([`crate::area_sweep`]).
    sweeps: HashMap<(String, bool, Within), SweepMemory>,
    /// Gross gains (gained, lost km²) of a pair of snapshots.
    gross: HashMap<GrossKey, (f64, f64)>,
    /// Corridors: place, source, instant, gray counted.
    corridors: HashMap<(crate::places::PlaceId, String, i64, bool), CorridorFigures>,
}

/// Measures claims against a store. Loads boundaries, the gazetteer and
/// snapshots lazily and keeps them, so many claims of one article cost
/// little more than one.
pub struct Checker<'a> {
    store: &'a Store,
    data_dir: PathBuf,
    opts: CheckOptions,
    sources: Vec<SourceId>,
    sea: OnceCell<Territory>,
    land: OnceCell<Territory>,
    official: OnceCell<RegionSet>,
    outline: OnceCell<RegionSet>,
    gazetteer: OnceCell<std::sync::Arc<Gazetteer>>,
    /// The gazetteer with every footprint geometry, only when the store
    /// keeps none to read one by one.
    all_footprints: OnceCell<Gazetteer>,
    /// The footprints claims asked about.
    footprints: RefCell<HashMap<PlaceId, Rc<Footprint>>>,
    fronts: OnceCell<(FrontExtractor, FrontExtractor)>,
    days: RefCell<HashMap<(String, NaiveDate), DaySnapshots>>,
    /// The area series the store keeps (the server writes them), by source
    /// and reference (land or not): the km² occupied and occupied or gray
    /// of each snapshot by its instant, so that a country figure is read,
    /// not clipped. `None`: none kept for the source's current layers.
    kept: RefCell<HashMap<(String, bool), KeptSeries>>,
    values: RefCell<HashMap<ValueKey, Option<f64>>>,
    areas: RefCell<AreaCache>,
}

fn sources_in(store: &Store) -> Result<Vec<SourceId>> {
    let stored: Vec<String> = store.sources()?.into_iter().map(|s| s.source.0).collect();
    Ok(SOURCE_PREFERENCE
        .iter()
        .filter(|s| {
            stored.iter().any(|x| x == *s)
                || SourceId::new(**s).members().is_some_and(|m| m.iter().any(|m| stored.iter().any(|x| x == m)))
        })
        .map(|s| SourceId::new(*s))
        .chain(stored.iter().filter(|s| !SOURCE_PREFERENCE.contains(&s.as_str())).map(|s| SourceId::new(s.clone())))
        .collect())
}

impl<'a> Checker<'a> {
    /// A checker over `store`, reading boundaries and the gazetteer from `data_dir`.
    pub fn new(store: &'a Store, data_dir: PathBuf, opts: CheckOptions) -> Result<Self> {
        let sources = sources_in(store)?;
        if sources.is_empty() {
            return Err(Error::Request(format!(
                "{} holds no snapshots; run `frontline ingest PATH...` first",
                store.path().display()
            )));
        }
        if let Some(s) = &opts.source {
            if !sources.contains(s) {
                return Err(Error::Request(format!(
                    "no source '{s}' in {}; sources here: {}",
                    store.path().display(),
                    sources.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                )));
            }
        }
        Ok(Checker {
            store,
            data_dir,
            opts,
            sources,
            sea: OnceCell::new(),
            land: OnceCell::new(),
            official: OnceCell::new(),
            outline: OnceCell::new(),
            gazetteer: OnceCell::new(),
            all_footprints: OnceCell::new(),
            footprints: RefCell::new(HashMap::new()),
            fronts: OnceCell::new(),
            days: RefCell::new(HashMap::new()),
            kept: RefCell::new(HashMap::new()),
            values: RefCell::new(HashMap::new()),
            areas: RefCell::new(AreaCache::default()),
        })
    }

    fn reference(&self, land: bool) -> Result<&Territory> {
        let (cell, which) = if land { (&self.land, Reference::Land) } else { (&self.sea, Reference::WithSea) };
        if let Some(t) = cell.get() {
            return Ok(t);
        }
        let t = super::kept::reference(self.store, &which, &self.data_dir, self.opts.writable_cache)?;
        Ok(cell.get_or_init(|| t))
    }

    fn regions(&self, outline: bool) -> Result<&RegionSet> {
        let (cell, conv) = if outline {
            (&self.outline, ShareConvention::Outline)
        } else {
            (&self.official, ShareConvention::Official)
        };
        if let Some(r) = cell.get() {
            return Ok(r);
        }
        let r = super::kept::oblasts(self.store, conv, &self.data_dir, self.opts.writable_cache)?;
        Ok(cell.get_or_init(|| r))
    }

    /// The gazetteer's places and name index, without the footprint
    /// geometries (nine tenths of its bytes; a claim needs one or two).
    fn gazetteer(&self) -> Result<&Gazetteer> {
        if let Some(g) = self.gazetteer.get() {
            return Ok(g);
        }
        let sources = GazetteerSources::shared(&self.data_dir);
        let g = crate::places::stored::gazetteer_timed(
            self.store,
            &sources,
            self.opts.writable_cache,
            false,
            &mut Default::default(),
        )?;
        Ok(self.gazetteer.get_or_init(|| std::sync::Arc::new(g)))
    }

    /// Uses a gazetteer the caller already holds (the server keeps one)
    /// instead of reading it from the store.
    pub fn with_gazetteer(self, g: std::sync::Arc<Gazetteer>) -> Self {
        let _ = self.gazetteer.set(g);
        self
    }

    /// A settlement's footprint with its geometry: the gazetteer's when it
    /// carries geometries, else the store's row for that place, else (a
    /// store without footprints) every footprint built once.
    fn footprint(&self, id: PlaceId) -> Result<Rc<Footprint>> {
        if let Some(f) = self.footprints.borrow().get(&id) {
            return Ok(f.clone());
        }
        let missing = || Error::Request(format!("place {id} is not in the gazetteer"));
        let mut fp = self.gazetteer()?.place(id).ok_or_else(missing)?.footprint.clone();
        if fp.geometry.0.is_empty() {
            let sources = GazetteerSources::shared(&self.data_dir);
            fp.geometry = match crate::places::stored::stored_footprint(self.store, &sources, id)? {
                Some(g) => g,
                None => self.all_footprints()?.place(id).ok_or_else(missing)?.footprint.geometry.clone(),
            };
        }
        let fp = Rc::new(fp);
        self.footprints.borrow_mut().insert(id, fp.clone());
        Ok(fp)
    }

    fn all_footprints(&self) -> Result<&Gazetteer> {
        if let Some(g) = self.all_footprints.get() {
            return Ok(g);
        }
        let sources = GazetteerSources::shared(&self.data_dir);
        let mut g = self.gazetteer()?.clone();
        crate::places::stored::ensure_geometries(self.store, &sources, &mut g)?;
        Ok(self.all_footprints.get_or_init(|| g))
    }

    /// The gazetteer, for the text grammar's settlement names.
    pub fn place_names(&self) -> Result<&Gazetteer> {
        self.gazetteer()
    }

    fn fronts(&self) -> Result<&(FrontExtractor, FrontExtractor)> {
        if let Some(f) = self.fronts.get() {
            return Ok(f);
        }
        let sea = self.reference(false)?;
        let land = self.reference(true)?;
        let make = |hostile| {
            FrontExtractor::new(
                sea,
                Some(land),
                FrontOptions { hostile, coast_tolerance_m: REPORTING_COAST_TOLERANCE_M, ..FrontOptions::default() },
            )
        };
        let pair = (make(Hostile::Occupied)?, make(Hostile::OccupiedOrContested)?);
        Ok(self.fronts.get_or_init(|| pair))
    }

    /// The snapshots of `source` dated `day`, cached: a claim's
    /// alternatives decode only the snapshots they measure (decoding, not
    /// measuring, is what a wide window would cost).
    fn day(&self, source: &SourceId, day: NaiveDate) -> Result<DaySnapshots> {
        let key = (source.as_str().to_string(), day);
        if let Some(w) = self.days.borrow().get(&key) {
            return Ok(w.clone());
        }
        // One query fills every day a claim's alternatives may ask for (a
        // composite source costs a scan of its members' times per query).
        let (lo, hi) = (
            day - Duration::days(MAX_STALENESS_DAYS + self.opts.window_days),
            day + Duration::days(self.opts.window_days),
        );
        let mut by_day: HashMap<NaiveDate, Vec<Rc<Snapshot>>> = HashMap::new();
        for s in self.store.load_range(source, Some(lo), Some(hi))? {
            by_day.entry(s.date()).or_default().push(Rc::new(s));
        }
        let mut days = self.days.borrow_mut();
        let mut d = lo;
        while d <= hi {
            let k = (source.as_str().to_string(), d);
            days.entry(k).or_insert_with(|| Rc::new(by_day.remove(&d).unwrap_or_default()));
            d += Duration::days(1);
        }
        Ok(days.get(&key).cloned().unwrap_or_default())
    }

    /// The last snapshot at or before `date`, no older than the staleness limit.
    fn at(&self, source: &SourceId, date: NaiveDate) -> Result<Option<Rc<Snapshot>>> {
        for back in 0..=MAX_STALENESS_DAYS {
            if let Some(s) = self.day(source, date - Duration::days(back))?.last() {
                return Ok(Some(s.clone()));
            }
        }
        Ok(None)
    }

    /// The default source for a date (and the start of a period, which it
    /// must cover too).
    fn default_source(&self, date: NaiveDate, from: Option<NaiveDate>) -> Result<Option<SourceId>> {
        let covers = |s: &SourceId| -> Result<bool> {
            Ok(self.at(s, date)?.is_some()
                && match from {
                    Some(f) => self.at(s, f)?.is_some(),
                    None => true,
                })
        };
        if let Some(s) = &self.opts.source {
            return Ok(if covers(s)? { Some(s.clone()) } else { None });
        }
        for s in &self.sources {
            if covers(s)? {
                return Ok(Some(s.clone()));
            }
        }
        Ok(None)
    }

    /// Checks every claim, in order.
    pub fn check_all(&self, claims: &[Claim]) -> Vec<Checked> {
        claims.iter().map(|c| self.check(c)).collect()
    }

    /// Checks one claim. Failures to measure become a [`Verdict::CannotCheck`]
    /// with the reason, so one bad claim never hides the others.
    pub fn check(&self, claim: &Claim) -> Checked {
        let mut out = Checked {
            claim: claim.clone(),
            verdict: Verdict::CannotCheck,
            only_under: vec![],
            measured: None,
            unit: String::new(),
            band: None,
            rule: String::new(),
            evidence: vec![],
            place: None,
            note: None,
            map_link: None,
        };
        if claim.kind == ClaimKind::Gained && (claim.from.is_none() || claim.date.is_none()) {
            out.verdict = Verdict::NoDate;
            out.note = Some("ground gained is measured between two dates, and the claim names no period (a month, a year, or since a date); a share of Ukraine under 5 % is always such a change, since Russia has held over 7 % since 2014".into());
            return out;
        }
        if claim.date_from == DateFrom::None || claim.date.is_none() {
            out.verdict = Verdict::NoDate;
            out.note = Some("the sentence names no date and no --as-of (the article's date) was given; a claim is never checked against today's map".into());
            return out;
        }
        if let Err(e) = self.check_into(claim, &mut out) {
            out.verdict = Verdict::CannotCheck;
            out.note = Some(e.to_string());
        }
        out
    }

    fn check_into(&self, claim: &Claim, out: &mut Checked) -> Result<()> {
        let date = claim.date.ok_or_else(|| Error::Request("no date".into()))?;
        let from = if claim.kind == ClaimKind::Gained { claim.from } else { None };
        let Some(source) = self.default_source(date, from)? else {
            return Err(Error::Request(format!(
                "no snapshot of {} within {MAX_STALENESS_DAYS} days before {}",
                self.sources.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
                match from {
                    Some(f) => format!("{f} and {date} (the period's two ends)"),
                    None => date.to_string(),
                }
            )));
        };
        // What to measure, and the band it must fall in.
        let (band, unit, rule): ((f64, f64), String, String) = match (&claim.kind, &claim.amount) {
            (ClaimKind::Town { event, .. }, _) => match event {
                TownEvent::Captured => ((50.0, 100.0), "% of footprint occupied".into(), "captured: at least 50 % of its footprint occupied on the date".into()),
                TownEvent::Held => ((0.0, 49.999), "% of footprint occupied".into(), "held: under 50 % of its footprint occupied on the date".into()),
                TownEvent::Liberated => ((0.0, 49.999), "% of footprint occupied".into(), "liberated: under 50 % occupied on the date, and at least 50 % on some snapshot of the year before (sampled every 30 days)".into()),
                TownEvent::Encircled => ((0.0, 0.0), "km wide way out".into(), "encircled: no way out to the rear (corridor width 0, the town's ground only in pockets)".into()),
            },
            (_, Some(a)) => {
                let (lo, hi) = a.band();
                let mid = (lo + hi) / 2.0;
                let tol = measurement_tolerance(&claim.kind, a.unit, mid);
                let unit = a.unit.canonical().as_str().to_string();
                let rule = format!(
                    "'{}' (read as {}) means {}–{} {unit}, and ± {} {unit} is allowed for measurement",
                    a.text,
                    a.qualifier.as_str(),
                    fmt(lo),
                    fmt(hi),
                    fmt(tol)
                );
                ((lo - tol, hi + tol), unit, rule)
            }
            (_, None) => return Err(Error::Request("this claim has no number to check".into())),
        };
        out.band = Some(band);
        out.unit = unit;
        out.rule = rule;
        let holds = |v: f64| v >= band.0 - 1e-9 && v <= band.1 + 1e-9;
        // Place claims resolve their settlement first.
        let place = match &claim.kind {
            ClaimKind::Town { place, .. } | ClaimKind::Corridor { place } => {
                let (p, id, why) = self.resolve(place, &claim.quote)?;
                out.note = why;
                Some((p, id))
            }
            _ => None,
        };
        out.place = place.as_ref().map(|(p, _)| p.clone());
        let measure = |source: &SourceId, d: NaiveDate, conv: Conv| -> Result<Option<(f64, Vec<NaiveDate>)>> {
            self.measure(claim, place.as_ref().map(|(_, id)| *id), source, d, conv)
        };
        // The default.
        let default = measure(&source, date, DEFAULT)?;
        let Some((value, dates)) = default else {
            return Err(Error::Request(format!("{source} has no snapshot to measure this claim around {date}")));
        };
        let ok = self.holds_town(claim, value, &holds, place.as_ref().map(|(_, id)| *id), &source, date)?;
        out.measured = Some(value);
        out.map_link = Some(map_link(&source, dates.last().copied().unwrap_or(date), out.place.as_ref()));
        out.evidence.push(Trial {
            convention: format!(
                "default: {source}, gray zone not counted as held, Ukraine with its territorial sea{}",
                if matches!(claim.kind, ClaimKind::Region { .. }) {
                    ", oblast share over its official area"
                } else {
                    ""
                }
            ),
            source: source.to_string(),
            dates,
            value: Some(value),
            holds: ok,
        });
        if ok {
            out.verdict = Verdict::Consistent;
            return Ok(());
        }
        // The alternatives, one change at a time.
        let mut alternatives: Vec<(String, SourceId, NaiveDate, Conv)> = vec![];
        let gray_source = if self.has_gray(&source, date)? {
            Some(source.clone())
        } else {
            self.sources
                .iter()
                .find(|s| s.as_str() != source.as_str() && self.has_gray(s, date).unwrap_or(false))
                .cloned()
        };
        if let Some(g) = &gray_source {
            alternatives.push((
                format!("gray zone counted as held by Russia ({g})"),
                g.clone(),
                date,
                Conv { gray_in: true, ..DEFAULT },
            ));
        }
        if matches!(claim.kind, ClaimKind::Country | ClaimKind::Gained) {
            alternatives.push((
                "land only (Ukraine without its territorial sea)".into(),
                source.clone(),
                date,
                Conv { land: true, ..DEFAULT },
            ));
        }
        if matches!(claim.kind, ClaimKind::Region { .. }) {
            alternatives.push((
                "oblast share over its outline's own area".into(),
                source.clone(),
                date,
                Conv { outline: true, ..DEFAULT },
            ));
        }
        if matches!(claim.kind, ClaimKind::Corridor { .. }) {
            alternatives.push((
                "pincer gap (the shortest straight line between the hostile ground on either side) instead of the narrowest width".into(),
                source.clone(),
                date,
                Conv { gap: true, ..DEFAULT },
            ));
        }
        if claim.kind == ClaimKind::Gained {
            alternatives.push((
                "gross gain (losses in the period not subtracted)".into(),
                source.clone(),
                date,
                Conv { gross: true, ..DEFAULT },
            ));
        }
        for s in &self.sources {
            if s != &source && (s.as_str() != SourceId::DEEPSTATE || !source.as_str().starts_with("deepstate-")) {
                alternatives.push((format!("source {s}"), s.clone(), date, DEFAULT));
            }
        }
        let w = self.opts.window_days;
        for k in (1..=w).flat_map(|k| [k, -k]) {
            let d = date + Duration::days(k);
            alternatives.push((format!("date {d} ({k:+} days)"), source.clone(), d, DEFAULT));
        }
        let mut seen_dates: Vec<Vec<NaiveDate>> = vec![out.evidence[0].dates.clone()];
        let mut shift_holds = false;
        for (name, s, d, conv) in alternatives {
            let shifted = conv == DEFAULT && s == source && d != date;
            if shifted {
                // Dates are tried nearest first: the nearest that holds is the evidence.
                if shift_holds {
                    continue;
                }
                // A shifted date that lands on snapshots already measured adds nothing:
                // find out which before measuring.
                let end = self.at(&s, d)?.map(|b| b.date());
                let start = match (&claim.kind, claim.from) {
                    (ClaimKind::Gained, Some(f)) => self.at(&s, f + (d - date))?.map(|a| a.date()),
                    _ => None,
                };
                let key: Vec<NaiveDate> = start.into_iter().chain(end).collect();
                if end.is_none() || seen_dates.contains(&key) {
                    continue;
                }
                seen_dates.push(key);
            }
            let Some((v, dates)) = measure(&s, d, conv)? else { continue };
            let ok = self.holds_town(claim, v, &holds, place.as_ref().map(|(_, id)| *id), &s, d)?;
            if ok {
                out.only_under.push(name.clone());
                shift_holds |= shifted;
            }
            out.evidence.push(Trial { convention: name, source: s.to_string(), dates, value: Some(v), holds: ok });
        }
        out.verdict = if out.only_under.is_empty() { Verdict::NotConsistent } else { Verdict::ConsistentOnlyUnder };
        Ok(())
    }

    /// Whether a measured value satisfies the claim; "liberated" also
    /// needs the town to have been occupied in the year before.
    fn holds_town(
        &self,
        claim: &Claim,
        value: f64,
        holds: &dyn Fn(f64) -> bool,
        place: Option<crate::places::PlaceId>,
        source: &SourceId,
        date: NaiveDate,
    ) -> Result<bool> {
        if !holds(value) {
            return Ok(false);
        }
        let (ClaimKind::Town { event: TownEvent::Liberated, .. }, Some(id)) = (&claim.kind, place) else {
            return Ok(true);
        };
        for k in 1..=12 {
            let d = date - Duration::days(30 * k);
            if let Some(s) = self.at(source, d)? {
                if self.occupied_fraction_pct(id, &s, false)? >= 50.0 {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    fn has_gray(&self, source: &SourceId, date: NaiveDate) -> Result<bool> {
        Ok(self.at(source, date)?.is_some_and(|s| s.layer(ControlClass::Gray).is_some()))
    }

    /// The settlement a claim names, resolved by the sentence it stands
    /// in first ([`nearest_by_context`]), then as every command resolves a
    /// name; the note says when the sentence decided it.
    fn resolve(&self, name: &str, sentence: &str) -> Result<(PlaceRef, crate::places::PlaceId, Option<String>)> {
        let g = self.gazetteer()?;
        let to_ref = |m: &Match| PlaceRef { name: m.name.clone(), oblast: m.oblast.clone(), lon: m.lon, lat: m.lat };
        if let Some((m, why)) = nearest_by_context(g, name, sentence) {
            return Ok((to_ref(&m), m.place, Some(why)));
        }
        let forms = super::text::inflection_forms(name);
        let mut last = Resolution::NotFound { suggestions: vec![] };
        for f in &forms {
            last = g.resolve(f);
            if let Resolution::Found { place, .. } = &last {
                return Ok((to_ref(place), place.place, None));
            }
        }
        Err(Error::Request(match last {
            Resolution::Ambiguous(c) => format!(
                "'{name}' names {} settlements of comparable size ({}); write it as NAME@OBLAST in a CSV claim",
                c.len(),
                c.iter().take(4).map(|m| format!("{} in {}", m.name, m.oblast)).collect::<Vec<_>>().join(", ")
            ),
            _ => format!("no settlement called '{name}' in the gazetteer"),
        }))
    }

    /// The ground counted as Russian-held on a snapshot (occupied, plus
    /// gray `gray_in`; `None` for a map without a gray layer), computed once
    /// per snapshot: the union with the gray zone is an overlay of the whole
    /// map.
    fn hostile(&self, s: &Snapshot, gray_in: bool) -> Option<Rc<MultiPolygon<f64>>> {
        let key = (s.source.as_str().to_string(), s.taken_at.timestamp(), gray_in);
        if let Some(h) = self.areas.borrow().hostile.get(&key) {
            return h.clone();
        }
        let h = if gray_in {
            s.layer(ControlClass::Gray).map(|_| Rc::new(Hostile::OccupiedOrContested.of(s)))
        } else {
            Some(Rc::new(s.class_or_empty(ControlClass::Occupied)))
        };
        self.areas.borrow_mut().hostile.insert(key, h.clone());
        h
    }

    /// Km² of a snapshot's hostile ground within a territory (`None`: the
    /// map has no gray layer to count), once per snapshot and territory,
    /// carried from the nearest snapshot measured before when it can be.
    fn hostile_km2(&self, s: &Snapshot, gray_in: bool, within: &Within) -> Result<Option<f64>> {
        let hkey = (s.source.as_str().to_string(), s.taken_at.timestamp(), gray_in);
        let key = (hkey, within.clone());
        if let Some(v) = self.areas.borrow().km2.get(&key) {
            return Ok(*v);
        }
        if let Within::Country { land } = within {
            if let Some(&(occupied, or_gray)) =
                self.kept_areas(&s.source, *land).as_ref().and_then(|k| k.get(&s.taken_at.timestamp()))
            {
                let value = if gray_in { or_gray } else { Some(occupied) };
                self.areas.borrow_mut().km2.insert(key, value);
                return Ok(value);
            }
        }
        let value = match self.hostile(s, gray_in) {
            None => None,
            Some(h) => {
                let (territory, layer) = match within {
                    Within::Country { land } => (self.reference(*land)?, None),
                    Within::Region { iso, outline } => {
                        let r = self.region(iso, *outline)?;
                        // The overlay's cost grows with every edge it sees: keep the
                        // hostile ground near the oblast only (linear time).
                        let layer = match r.territory.geometry.bounding_rect() {
                            Some(b) => {
                                let m = 1e-3;
                                let w = geo::Rect::new(
                                    geo::Coord { x: b.min().x - m, y: b.min().y - m },
                                    geo::Coord { x: b.max().x + m, y: b.max().y + m },
                                );
                                Some(crate::overlay::crop_to_rect(&h, w))
                            }
                            None => Some(MultiPolygon::new(vec![])),
                        };
                        (&r.territory, layer)
                    }
                };
                let mut areas = self.areas.borrow_mut();
                let sweep = areas.sweeps.entry((key.0 .0.clone(), gray_in, within.clone())).or_default();
                let (m2, _) = sweep.area_m2(territory, layer.as_ref().unwrap_or(&h));
                Some(m2 / M2_PER_KM2)
            }
        };
        self.areas.borrow_mut().km2.insert(key, value);
        Ok(value)
    }

    /// The area series the store keeps for a source within the country
    /// (with its sea, or land only), if one was kept for its current
    /// layers and the reference file as it is ([`crate::area_stored`]):
    /// the same clip of the same layers, done once for every snapshot.
    fn kept_areas(&self, source: &SourceId, land: bool) -> Option<Rc<KeptAreas>> {
        let key = (source.as_str().to_string(), land);
        if let Some(k) = self.kept.borrow().get(&key) {
            return k.clone();
        }
        let reference = if land { Reference::Land } else { Reference::WithSea };
        // A series that cannot be read is no series: the areas are clipped instead.
        let series =
            crate::area_stored::load_area_series(self.store, source, &reference, &self.data_dir, self.opts.country_km2)
                .ok()
                .flatten();
        let kept = series.map(|series| {
            Rc::new(
                series
                    .rows
                    .iter()
                    .map(|r| (r.taken_at.timestamp(), (r.occupied_km2, r.occupied_or_gray_km2)))
                    .collect::<KeptAreas>(),
            )
        });
        self.kept.borrow_mut().insert(key, kept.clone());
        kept
    }

    fn region(&self, iso: &str, outline: bool) -> Result<&crate::regions::Region> {
        self.regions(outline)?
            .regions
            .iter()
            .find(|r| r.iso.as_deref() == Some(iso))
            .ok_or_else(|| Error::Request(format!("no outline for {iso} in the oblast boundaries")))
    }

    fn occupied_fraction_pct(&self, place: crate::places::PlaceId, s: &Snapshot, gray_in: bool) -> Result<f64> {
        let footprint = self.footprint(place)?;
        let Some(h) = self.hostile(s, gray_in) else { return Ok(f64::NAN) };
        let fp = &footprint.geometry;
        let Some(rect) = fp.bounding_rect() else { return Ok(0.0) };
        let near = crate::overlay::crop_to_rect(h.as_ref(), rect);
        let inside = crate::overlay::intersection(&near, fp).geodesic_area_m2();
        // + 0.0 turns an empty intersection's -0.0 into 0.0, which a reader does not take for a loss.
        Ok(if footprint.area_m2 > 0.0 { (100.0 * inside / footprint.area_m2).clamp(0.0, 100.0) + 0.0 } else { 0.0 })
    }

    /// The way out of a settlement on a snapshot, as `frontline corridor`
    /// measures it: from the edge of its footprint (the town's own streets
    /// never narrow it), or from its point when it has no footprint. Kept
    /// per snapshot: the width and the pincer gap come from one raster.
    fn corridor_of(&self, id: crate::places::PlaceId, b: &Snapshot, gray_in: bool) -> Result<CorridorFigures> {
        let key = (id, b.source.as_str().to_string(), b.taken_at.timestamp(), gray_in);
        if let Some(c) = self.areas.borrow().corridors.get(&key) {
            return Ok(*c);
        }
        let point = self
            .gazetteer()?
            .place(id)
            .ok_or_else(|| Error::Request(format!("place {id} is not in the gazetteer")))?
            .point();
        let footprint = self.footprint(id)?;
        let reference = self.reference(false)?;
        let params = CorridorParams { with_gray: gray_in, ..CorridorParams::default() };
        let frame = if footprint.geometry.0.is_empty() {
            CorridorFrame::new(reference, point, params)?
        } else {
            CorridorFrame::for_area(reference, &footprint.geometry, params)?
        };
        let c = frame.corridor(&hostile_layers(b, gray_in));
        let figures = (c.state, c.width_m.map(|w| w / 1000.0), c.gap.map(|g| g.gap_m / 1000.0));
        self.areas.borrow_mut().corridors.insert(key, figures);
        Ok(figures)
    }

    /// Km² gained and lost by Russia from snapshot `a` to `b`, within the
    /// convention's reference; `None` when a map lacks the gray layer asked for.
    fn gross_km2(&self, a: &Snapshot, b: &Snapshot, conv: Conv) -> Result<Option<(f64, f64)>> {
        let key =
            (a.source.as_str().to_string(), a.taken_at.timestamp(), b.taken_at.timestamp(), conv.gray_in, conv.land);
        if let Some(v) = self.areas.borrow().gross.get(&key) {
            return Ok(Some(*v));
        }
        let (Some(ha), Some(hb)) = (self.hostile(a, conv.gray_in), self.hostile(b, conv.gray_in)) else {
            return Ok(None);
        };
        let reference = self.reference(conv.land)?;
        let (gained, lost) = crate::overlay::gained_lost(&ha, &hb);
        let g = reference.clip(&gained).geodesic_area_m2() / M2_PER_KM2;
        let l = reference.clip(&lost).geodesic_area_m2() / M2_PER_KM2;
        self.areas.borrow_mut().gross.insert(key, (g, l));
        Ok(Some((g, l)))
    }

    /// One figure of a claim under one convention: the value (in the
    /// check's unit) and the snapshot dates used; `None` when the source has
    /// nothing for that date or convention.
    fn measure(
        &self,
        claim: &Claim,
        place: Option<crate::places::PlaceId>,
        source: &SourceId,
        date: NaiveDate,
        conv: Conv,
    ) -> Result<Option<(f64, Vec<NaiveDate>)>> {
        let Some(b) = self.at(source, date)? else { return Ok(None) };
        let unit = claim.amount.as_ref().map(|a| a.unit.canonical());
        let key_kind = format!("{:?}|{:?}|{:?}|{:?}", claim.kind, claim.side, unit, claim.from);
        let cache_key = (source.as_str().to_string(), b.taken_at.timestamp(), key_kind, conv);
        let dates = |extra: Option<NaiveDate>| extra.into_iter().chain(std::iter::once(b.date())).collect::<Vec<_>>();
        // A gained claim needs its start snapshot too.
        let start = match (&claim.kind, claim.from) {
            (ClaimKind::Gained, Some(from)) => {
                let shift = date - claim.date.unwrap_or(date);
                match self.at(source, from + shift)? {
                    Some(a) => Some(a),
                    None => return Ok(None),
                }
            }
            _ => None,
        };
        if start.is_none() {
            if let Some(v) = self.values.borrow().get(&cache_key) {
                return Ok(v.map(|v| (v, dates(None))));
            }
        }
        let country = self.opts.country_km2;
        let value: Option<f64> = match &claim.kind {
            ClaimKind::Country => {
                let Some(km2) = self.hostile_km2(&b, conv.gray_in, &Within::Country { land: conv.land })? else {
                    return Ok(None);
                };
                Some(match (unit, claim.side) {
                    (Some(Unit::Percent), Side::Russia) => 100.0 * km2 / country,
                    (Some(Unit::Percent), Side::Ukraine) => 100.0 - 100.0 * km2 / country,
                    (_, Side::Russia) => km2,
                    (_, Side::Ukraine) => country - km2,
                })
            }
            ClaimKind::Region { iso, .. } => {
                let r = self.region(iso, conv.outline)?;
                let within = Within::Region { iso: iso.clone(), outline: conv.outline };
                let Some(km2) = self.hostile_km2(&b, conv.gray_in, &within)? else { return Ok(None) };
                let den = r.share_denominator_km2;
                let pct = 100.0 * km2.min(den) / den;
                Some(match (unit, claim.side) {
                    (Some(Unit::Percent), Side::Russia) => pct,
                    (Some(Unit::Percent), Side::Ukraine) => 100.0 - pct,
                    (_, Side::Russia) => km2,
                    (_, Side::Ukraine) => (den - km2).max(0.0),
                })
            }
            ClaimKind::Gained => {
                let Some(a) = &start else { return Ok(None) };
                let within = Within::Country { land: conv.land };
                // Net: the difference of the two ends' areas (what gained − lost
                // gives, to the overlay's noding residual of a few m²), so each
                // snapshot is clipped once whatever the period. Gross needs the
                // gained and lost ground themselves.
                let km2 = if conv.gross {
                    let Some((g, l)) = self.gross_km2(a, &b, conv)? else { return Ok(None) };
                    match claim.side {
                        Side::Russia => g,
                        Side::Ukraine => l,
                    }
                } else {
                    let (Some(ka), Some(kb)) =
                        (self.hostile_km2(a, conv.gray_in, &within)?, self.hostile_km2(&b, conv.gray_in, &within)?)
                    else {
                        return Ok(None);
                    };
                    match claim.side {
                        Side::Russia => kb - ka,
                        Side::Ukraine => ka - kb,
                    }
                };
                Some(if unit == Some(Unit::Percent) { 100.0 * km2 / country } else { km2 })
            }
            ClaimKind::Town { event, .. } => {
                let id = place.ok_or_else(|| Error::Request("no place".into()))?;
                if *event == TownEvent::Encircled {
                    if conv.gray_in && b.layer(ControlClass::Gray).is_none() {
                        return Ok(None);
                    }
                    match self.corridor_of(id, &b, conv.gray_in)? {
                        (CorridorState::Encircled | CorridorState::Occupied, _, _) => Some(0.0),
                        (_, width, _) => width,
                    }
                } else {
                    let v = self.occupied_fraction_pct(id, &b, conv.gray_in)?;
                    if v.is_nan() {
                        None
                    } else {
                        Some(v)
                    }
                }
            }
            ClaimKind::Corridor { .. } => {
                let id = place.ok_or_else(|| Error::Request("no place".into()))?;
                if conv.gray_in && b.layer(ControlClass::Gray).is_none() {
                    return Ok(None);
                }
                let (_, width, gap) = self.corridor_of(id, &b, conv.gray_in)?;
                if conv.gap {
                    gap
                } else {
                    width
                }
            }
            ClaimKind::FrontLength => {
                if conv.gray_in && b.layer(ControlClass::Gray).is_none() {
                    return Ok(None);
                }
                let (occ, gray) = self.fronts()?;
                Some(if conv.gray_in { gray.frontline(&b).length_km } else { occ.frontline(&b).length_km })
            }
        };
        if start.is_none() {
            self.values.borrow_mut().insert(cache_key, value);
        }
        Ok(value.map(|v| (v, dates(start.map(|a| a.date())))))
    }
}

/// Same-name places nearer than this to a place the sentence names
/// unambiguously are the ones meant (a village next to the town a report
/// is about, not the city of that name 90 km away).
pub const CONTEXT_RADIUS_M: f64 = 30_000.0;

/// The candidates a name has (exact or transliterated, never a typo), by
/// its first inflection form that has any.
fn candidates(g: &Gazetteer, name: &str) -> Vec<Match> {
    for f in super::text::inflection_forms(name) {
        let found: Vec<Match> = g.lookup(&f).into_iter().filter(|m| !matches!(m.how, MatchKind::Typo { .. })).collect();
        if !found.is_empty() {
            return found;
        }
    }
    vec![]
}

/// A name with several places resolved by the other settlements its
/// sentence names: those with a single candidate are anchors, and the
/// candidate within [`CONTEXT_RADIUS_M`] of an anchor, at most half as far
/// as any other candidate, is the one meant ("the occupied village of
/// Krasnyi Lyman", beside Myrnohrad, is the village 5 km from it, not Lyman,
/// once called Krasnyi Lyman). `None` when the sentence does not decide it.
fn nearest_by_context(g: &Gazetteer, name: &str, sentence: &str) -> Option<(Match, String)> {
    let cands = candidates(g, name);
    if cands.len() < 2 {
        return None;
    }
    let anchors: Vec<Match> = super::text::settlement_names(sentence, g)
        .into_iter()
        .filter(|other| other != name)
        .filter_map(|other| match candidates(g, &other).as_slice() {
            [one] if cands.iter().all(|c| c.place != one.place) => Some(one.clone()),
            _ => None,
        })
        .collect();
    let point = |m: &Match| geo::Coord { x: m.lon, y: m.lat };
    let mut by_distance: Vec<(f64, &Match, &Match)> = cands
        .iter()
        .filter_map(|c| {
            anchors
                .iter()
                .map(|a| (crate::geodesy::distance_m(point(c), point(a)), c, a))
                .min_by(|x, y| x.0.total_cmp(&y.0))
        })
        .collect();
    by_distance.sort_by(|x, y| x.0.total_cmp(&y.0));
    let (d, best, anchor) = *by_distance.first()?;
    let runner_up = by_distance.get(1).map_or(f64::INFINITY, |r| r.0);
    if d > CONTEXT_RADIUS_M || runner_up < 2.0 * d {
        return None;
    }
    let why = format!(
        "'{name}' names {} places; taking {}, {}, the one {:.0} km from {}, which the same sentence names",
        cands.len(),
        best.name,
        best.oblast,
        d / 1000.0,
        anchor.name
    );
    Some((best.clone(), why))
}

fn fmt(x: f64) -> String {
    if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else if x.abs() >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    }
}

/// A link the web map opens at: the source, the date and the place.
fn map_link(source: &SourceId, date: NaiveDate, place: Option<&PlaceRef>) -> String {
    let mut s = format!("/?source={source}&date={date}");
    if let Some(p) = place {
        let name: String = p.name.chars().map(|c| if c == ' ' { '+' } else { c }).collect();
        s.push_str(&format!("&place={name}&lon={:.4}&lat={:.4}&z=10", p.lon, p.lat));
    }
    s
}

/// Reads a claims file or text: a structured file (CSV, YAML, TOML: by
/// its extension, or a CSV header starting with `kind,`; see
/// [`super::structured`]), else text. Text needs the gazetteer for
/// settlement names, which `checker` provides.
pub fn claims_from(
    input: &str,
    path: &std::path::Path,
    as_of: Option<NaiveDate>,
    checker: &Checker<'_>,
) -> Result<super::Extraction> {
    if let Some(format) = super::structured::format_of(path, input) {
        let claims = super::structured::parse(format, input, path, as_of)?;
        let n = claims.len();
        return Ok(super::Extraction { claims, sentences: n, skipped: 0 });
    }
    let g = checker.place_names()?;
    Ok(super::text::extract(input, as_of, g))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::places::gazetteer::{geodesic_disc, FootprintKind, Place};

    fn town(name: &str, lon: f64, lat: f64, population: u64, other_names: &[&str]) -> Place {
        let at = geo::Coord { x: lon, y: lat };
        let disc = FootprintKind::PopulationDisc { radius_m: 1_000.0, cut: false };
        let mut p = Place::for_test(name, at, geodesic_disc(at, 1_000.0), disc);
        p.population = population;
        p.other_names = other_names.iter().map(|n| n.to_string()).collect();
        p
    }

    /// "Krasnyi Lyman" is a village beside Myrnohrad and the old name of
    /// Lyman city, 87 km away: a sentence that names Myrnohrad means the
    /// village; one that names no other town does not decide; nor does one
    /// whose second candidate is less than twice as far from the anchor.
    #[test]
    fn a_name_of_several_places_is_the_one_beside_a_town_the_sentence_names() {
        // The village 0.054° of longitude east of Myrnohrad: at 48.3022° N one
        // degree of longitude is 74,159 m on WGS84 (prime-vertical radius
        // 6,390,080 m × cos φ × π/180), so 4,005 m.
        let g = Gazetteer::from_places(vec![
            town("Myrnohrad", 37.2627, 48.3022, 46_000, &[]),
            town("Krasnyi Lyman", 37.3167, 48.3022, 300, &[]),
            town("Lyman", 37.8022, 48.9886, 20_000, &["Krasnyi Lyman"]),
        ]);
        let sentence = "Russian forces occupied the village of Krasnyi Lyman near Myrnohrad.";
        let (m, why) = nearest_by_context(&g, "Krasnyi Lyman", sentence).expect("decided by Myrnohrad");
        assert_eq!((m.place, m.name.as_str()), (1, "Krasnyi Lyman"));
        assert!(why.contains("the one 4 km from Myrnohrad"), "{why}");
        assert!(why.contains("names 2 places"), "{why}");
        assert!(nearest_by_context(&g, "Krasnyi Lyman", "Russian forces occupied Krasnyi Lyman.").is_none());

        // A second Krasnyi Lyman 6 km west of Myrnohrad: under twice 4 km, undecided.
        let mut places: Vec<Place> = g.places().to_vec();
        places.push(town("Krasnyi Lyman", 37.1818, 48.3022, 300, &[]));
        let g = Gazetteer::from_places(places);
        assert!(nearest_by_context(&g, "Krasnyi Lyman", sentence).is_none());
    }
}
