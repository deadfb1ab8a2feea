//! Is a series fit to measure change? Per snapshot: the gap since the
//! previous one, whether it repeats the previous map, how densely it is
//! drawn, and whether its change from the previous one is plausible. Plus
//! the files that ingest rejected (misdated, unreadable), which the store
//! never saw.
//!
//! The rules, stated once (every report prints them with [`AuditRules::describe`]):
//!
//! - **gap**: more days since the previous snapshot than 1.5 times the median
//!   spacing of the 8 steps before it (so one missing day in a daily
//!   series, 11 days in a weekly one). Informational.
//! - **same map as previous**: the layer is identical, vertex for vertex,
//!   to the previous snapshot's (a repeated file, or a day without edits).
//!   Informational.
//! - **implausible jump**: |net| > max(k × m × days, floor), where m is
//!   the median |net| per day of the 20 neighbouring steps (10 before, 10
//!   after, the step itself left out: a robust local rate, so the weekly
//!   maps of 2022's war of movement are judged by 2022's pace, not by
//!   2024's), k = 5 and floor = 100 km² by default.
//! - **confirmed by another source**: an implausible jump that another
//!   publisher's map shows too ([`Audit::corroborate`]): the witness's net
//!   change between its snapshots enclosing the step (at most
//!   [`WITNESS_MAX_SPAN_DAYS`] apart) has the jump's sign and at least half
//!   its size. The Kharkiv counter-offensive (DeepState −8,849 km² in the
//!   week to 2022-09-12; ISW −10,839 km² in September) is a large change,
//!   not an error. Informational.
//! - **layer change**: ground lost *and* gained in different places at
//!   once: min(gained, lost) > max(k × t × days, floor), t being the
//!   series' median of min(gained, lost) per day. A real advance gains
//!   much and loses little; a redrawn layer does both.
//! - **precision change**: the drawing switches between simplified and
//!   full detail (mean edge longer or shorter than 3 km). Measured on the
//!   real data: ISW's full-precision layers have 80 m edges, DeepState's
//!   hand-drawn maps 1.3–2.2 km, ISW's simplified series 3.5–3.7 km.
//! - **rejected file**: a file in a folder the user names that is not in
//!   the store and that ingest refuses (e.g. ISW's two files dated
//!   2202-02-0x); the reason is ingest's own error.
//!
//! Areas here are the stored layers' own geodesic areas, unclipped: the
//! audit judges the series as published, whatever reference a figure later
//! uses.

use crate::area::{area_perimeter_series, class_area_series_km2};
use crate::geodesy::{GeodesicAreaM2, M2_PER_KM2};
use crate::geojson;
use crate::ingest::{detect_or, expand_path, ingest_bytes, IngestContext};
use crate::model::{ControlClass, Snapshot, SourceId};
use crate::overlay::gained_lost;
use crate::store::{content_hash, Store};
use chrono::NaiveDate;
use geo::MultiPolygon;
use rayon::prelude::*;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The thresholds of the audit.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct AuditRules {
    /// k: how many times the series' typical daily rate a step may reach.
    pub factor: f64,
    /// The floor under which no step is flagged, km².
    pub floor_km2: f64,
    /// Mean edge length above which a layer counts as simplified, m.
    pub simplified_edge_m: f64,
}

impl Default for AuditRules {
    fn default() -> Self {
        AuditRules { factor: 5.0, floor_km2: 100.0, simplified_edge_m: 3000.0 }
    }
}

impl AuditRules {
    /// The rules in words, with the series' medians filled in.
    pub fn describe(&self, median_net_km2_per_day: f64, median_churn_km2_per_day: f64) -> Vec<String> {
        // + 0.0 turns a median of -0.0 into 0.0 (printed "-0.00", read as a sign).
        let (median_net_km2_per_day, median_churn_km2_per_day) =
            (median_net_km2_per_day + 0.0, median_churn_km2_per_day + 0.0);
        vec![
            format!(
                "implausible jump: |net| > max({} × the median |net| per day of the 20 neighbouring steps × days, {} km²) \
                 (the series' overall median: {:.2} km²/day)",
                self.factor, self.floor_km2, median_net_km2_per_day
            ),
            format!(
                "confirmed by another source: an implausible jump that another publisher's map also shows (its net change \
                 between its maps enclosing the step, at most {WITNESS_MAX_SPAN_DAYS} days apart, has the same sign and at \
                 least half the size); not a warning"
            ),
            format!(
                "layer change: min(gained, lost) > max({} × {:.2} km²/day (the series' median of min(gained, lost) per day) × days, {} km²)",
                self.factor, median_churn_km2_per_day, self.floor_km2
            ),
            "gap: more than 1.5 times the median spacing of the 8 previous steps".into(),
            format!("simplified: mean edge longer than {} m", self.simplified_edge_m),
        ]
    }
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// More days than usual since the previous snapshot.
    Gap,
    /// The same map as the previous snapshot.
    SameAsPrevious,
    /// A net change beyond what the series makes plausible.
    ImplausibleJump,
    /// Large areas lost and gained at once: the layer was redrawn.
    LayerChange,
    /// The drawing switched between simplified and full detail.
    PrecisionChange,
    /// A file that ingest refused.
    RejectedFile,
    /// An implausible jump that another source's map shows too.
    ConfirmedChange,
}

impl FindingKind {
    /// The label printed in tables and in the `flag` column.
    pub fn label(self) -> &'static str {
        match self {
            FindingKind::Gap => "gap",
            FindingKind::SameAsPrevious => "same map as previous",
            FindingKind::ImplausibleJump => "implausible jump",
            FindingKind::LayerChange => "layer change",
            FindingKind::PrecisionChange => "precision change",
            FindingKind::RejectedFile => "rejected file",
            FindingKind::ConfirmedChange => "large change confirmed by another source",
        }
    }

    /// Whether a figure over a period containing it should carry a flag
    /// (gaps and repeated maps are facts of the series, not errors).
    pub fn is_warning(self) -> bool {
        matches!(
            self,
            FindingKind::ImplausibleJump
                | FindingKind::LayerChange
                | FindingKind::PrecisionChange
                | FindingKind::RejectedFile
        )
    }
}

/// One thing the audit found.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// What kind.
    pub kind: FindingKind,
    /// The snapshot it is about (the later one of a step), if any.
    pub date: Option<NaiveDate>,
    /// The previous snapshot, for a step.
    pub previous: Option<NaiveDate>,
    /// The file, for a rejected file.
    pub file: Option<PathBuf>,
    /// Why, in words, with the figures.
    pub detail: String,
}

/// One snapshot's audit row.
#[derive(Debug, Clone, Serialize)]
pub struct SnapshotAudit {
    /// The snapshot's date.
    pub date: NaiveDate,
    /// Days since the previous snapshot.
    pub days_since_previous: Option<i64>,
    /// Vertices of the layer (closing vertices not counted).
    pub vertices: usize,
    /// Mean edge length, m.
    pub mean_edge_m: f64,
    /// "simplified" or "full" (by the mean edge length).
    pub detail: &'static str,
    /// The layer's geodesic area, unclipped, km².
    pub area_km2: f64,
    /// Gained since the previous snapshot, km².
    pub gained_km2: Option<f64>,
    /// Lost since the previous snapshot, km².
    pub lost_km2: Option<f64>,
    /// gained − lost, km².
    pub net_km2: Option<f64>,
    /// The labels of what was found on this snapshot, comma-separated ("" when nothing).
    pub flags: String,
}

/// The audit of one class of one source.
#[derive(Debug, Clone, Serialize)]
pub struct Audit {
    /// The source.
    pub source: SourceId,
    /// The class audited.
    pub class: ControlClass,
    /// The rules used.
    pub rules: AuditRules,
    /// The series' median |net| per day, km²/day.
    pub median_net_km2_per_day: f64,
    /// The series' median min(gained, lost) per day, km²/day.
    pub median_churn_km2_per_day: f64,
    /// Per snapshot.
    pub snapshots: Vec<SnapshotAudit>,
    /// Everything found, in date order (rejected files last).
    pub findings: Vec<Finding>,
}

/// Steps on each side of a step that set its plausible pace.
pub const NEIGHBOUR_STEPS: usize = 10;

/// The widest interval between a witness's two snapshots that can still
/// confirm a jump: half a year (ISW's maps of 2022-11 and 2023-05 enclose
/// Kherson's liberation).
pub const WITNESS_MAX_SPAN_DAYS: i64 = 186;

/// Another source's area series of the same class, to confirm jumps with.
#[derive(Debug, Clone)]
pub struct Witness {
    /// Its name as reports print it.
    pub label: String,
    /// (date, area km²) in date order, areas of the layer as stored.
    pub areas_km2: Vec<(NaiveDate, f64)>,
}

impl Witness {
    /// The witness's areas of `class` over its snapshots (unclipped, as the audit measures).
    pub fn of(label: impl Into<String>, snapshots: &[Snapshot], class: ControlClass) -> Witness {
        let areas = class_area_series_km2(snapshots, class);
        Witness {
            label: label.into(),
            areas_km2: snapshots.iter().zip(areas).filter_map(|(s, a)| Some((s.date(), a?))).collect(),
        }
    }

    /// The net change between the witness's last snapshot on or before
    /// `from` and its first on or after `to`, with those dates, if they
    /// are at most [`WITNESS_MAX_SPAN_DAYS`] apart.
    fn net_enclosing(&self, from: NaiveDate, to: NaiveDate) -> Option<(NaiveDate, NaiveDate, f64)> {
        let a = self.areas_km2.iter().rev().find(|(d, _)| *d <= from)?;
        let b = self.areas_km2.iter().find(|(d, _)| *d >= to)?;
        ((b.0 - a.0).num_days() <= WITNESS_MAX_SPAN_DAYS).then_some((a.0, b.0, b.1 - a.1))
    }
}

/// The other publisher that can confirm a source's jumps: ISW for
/// DeepState's series, DeepState (the full map, else its history or daily
/// export) for ISW's. Same-publisher series are no witness: they share the
/// drawing.
pub fn witness_source(source: &SourceId, available: &[SourceId]) -> Option<SourceId> {
    let has = |name: &str| available.iter().find(|s| s.as_str() == name).cloned();
    if source.as_str().starts_with("isw") {
        ["deepstate", "deepstate-raw", "deepstate-archive", "deepstate-daily"].iter().find_map(|n| has(n))
    } else if source.as_str().starts_with("deepstate") {
        has("isw").or_else(|| available.iter().find(|s| s.as_str().starts_with("isw")).cloned())
    } else {
        None
    }
}

/// Audits a stored source and confirms its jumps against the other
/// publisher's series when the store has one: what `audit`, and the `flag`
/// column of `change` and `area`, use.
pub fn audit_stored(store: &Store, source: &SourceId, class: ControlClass, rules: AuditRules) -> crate::Result<Audit> {
    let snaps = store.load_range(source, None, None)?;
    let mut audit = audit_series(&snaps, class, rules);
    let available: Vec<SourceId> = store.sources()?.into_iter().map(|s| s.source).collect();
    if let Some(w) = witness_source(source, &available) {
        if audit.findings.iter().any(|f| f.kind == FindingKind::ImplausibleJump) {
            let label = w.label().to_string();
            let snaps = store.load_range(&w, None, None)?;
            audit.corroborate(&Witness::of(format!("{w} ({label})"), &snaps, class));
        }
    }
    Ok(audit)
}

fn median(mut xs: Vec<f64>) -> f64 {
    if xs.is_empty() {
        return 0.0;
    }
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        0.5 * (xs[n / 2 - 1] + xs[n / 2])
    }
}

fn vertex_count(mp: &MultiPolygon<f64>) -> usize {
    mp.0.iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .map(|r| r.0.len().saturating_sub(1))
        .sum()
}

/// Audits one class of a source's snapshots (sorted by time). Snapshots
/// without the class are skipped.
pub fn audit_series(snapshots: &[Snapshot], class: ControlClass, rules: AuditRules) -> Audit {
    let snaps: Vec<&Snapshot> = snapshots.iter().filter(|s| s.layer(class).is_some()).collect();
    let source = snapshots.first().map(|s| s.source.clone()).unwrap_or_else(|| SourceId::new(""));
    let empty = MultiPolygon::new(vec![]);
    let layer = |i: usize| snaps[i].layer(class).unwrap_or(&empty);
    let layers: Vec<&MultiPolygon<f64>> = (0..snaps.len()).map(layer).collect();
    // (area km², perimeter m) per snapshot, in one cached sweep.
    let measured = area_perimeter_series(&layers);
    // Per step: (same map, gained, lost).
    let steps: Vec<(bool, f64, f64)> = (1..snaps.len())
        .into_par_iter()
        .map(|i| {
            let (a, b) = (layer(i - 1), layer(i));
            if a == b {
                return (true, 0.0, 0.0);
            }
            let (g, l) = gained_lost(a, b);
            (false, g.geodesic_area_m2() / M2_PER_KM2, l.geodesic_area_m2() / M2_PER_KM2)
        })
        .collect();
    let density: Vec<(usize, f64)> = (0..snaps.len())
        .into_par_iter()
        .map(|i| {
            let n = vertex_count(layer(i));
            let perimeter_m = measured[i].1;
            (n, if n > 0 { perimeter_m / n as f64 } else { 0.0 })
        })
        .collect();
    let days: Vec<i64> = (1..snaps.len()).map(|i| (snaps[i].date() - snaps[i - 1].date()).num_days().max(1)).collect();
    let net_rates: Vec<f64> = steps.iter().zip(&days).map(|((_, g, l), d)| (g - l).abs() / *d as f64).collect();
    let net_rate = median(net_rates.clone());
    // The local pace around step j (the step itself left out).
    let local_rate = |j: usize| {
        let before = &net_rates[j.saturating_sub(NEIGHBOUR_STEPS)..j];
        let after = &net_rates[(j + 1).min(net_rates.len())..(j + 1 + NEIGHBOUR_STEPS).min(net_rates.len())];
        let window: Vec<f64> = before.iter().chain(after).copied().collect();
        if window.is_empty() {
            net_rate
        } else {
            median(window)
        }
    };
    let churn_rate = median(steps.iter().zip(&days).map(|((_, g, l), d)| g.min(*l) / *d as f64).collect());
    let mut findings = vec![];
    let mut rows = Vec::with_capacity(snaps.len());
    for i in 0..snaps.len() {
        let (vertices, mean_edge_m) = density[i];
        let detail = if mean_edge_m > rules.simplified_edge_m { "simplified" } else { "full" };
        let mut kinds: Vec<FindingKind> = vec![];
        let mut row = SnapshotAudit {
            date: snaps[i].date(),
            days_since_previous: None,
            vertices,
            mean_edge_m,
            detail,
            area_km2: measured[i].0,
            gained_km2: None,
            lost_km2: None,
            net_km2: None,
            flags: String::new(),
        };
        if i > 0 {
            let (same, gained, lost) = steps[i - 1];
            let d = days[i - 1];
            let prev = snaps[i - 1].date();
            let net = gained - lost;
            row.days_since_previous = Some((snaps[i].date() - prev).num_days());
            row.gained_km2 = Some(gained);
            row.lost_km2 = Some(lost);
            row.net_km2 = Some(net);
            let mut found = |kind: FindingKind, detail: String| {
                kinds.push(kind);
                findings.push(Finding { kind, date: Some(snaps[i].date()), previous: Some(prev), file: None, detail });
            };
            let window = &days[i.saturating_sub(9)..i - 1];
            let usual = if window.is_empty() { 1.0 } else { median(window.iter().map(|d| *d as f64).collect()) };
            if d as f64 > 1.5 * usual {
                found(FindingKind::Gap, format!("{d} days since {prev} (usual spacing here: {usual:.0} day(s))"));
            }
            if same {
                found(FindingKind::SameAsPrevious, format!("identical to {prev}"));
            }
            let jump_limit = (rules.factor * local_rate(i - 1) * d as f64).max(rules.floor_km2);
            if net.abs() > jump_limit {
                found(
                    FindingKind::ImplausibleJump,
                    format!("net {net:+.1} km² in {d} day(s) since {prev}; plausible up to ±{jump_limit:.1} km²"),
                );
            }
            let churn_limit = (rules.factor * churn_rate * d as f64).max(rules.floor_km2);
            if gained.min(lost) > churn_limit {
                found(
                    FindingKind::LayerChange,
                    format!(
                        "{gained:.1} km² gained and {lost:.1} km² lost at once since {prev}; usual up to {churn_limit:.1} km² of both"
                    ),
                );
            }
            let prev_detail = if density[i - 1].1 > rules.simplified_edge_m { "simplified" } else { "full" };
            if prev_detail != detail {
                found(
                    FindingKind::PrecisionChange,
                    format!(
                        "drawn {detail} (mean edge {mean_edge_m:.0} m) after {prev_detail} (mean edge {:.0} m) on {prev}",
                        density[i - 1].1
                    ),
                );
            }
        }
        row.flags = kinds.iter().map(|k| k.label()).collect::<Vec<_>>().join(", ");
        rows.push(row);
    }
    Audit {
        source,
        class,
        rules,
        median_net_km2_per_day: net_rate,
        median_churn_km2_per_day: churn_rate,
        snapshots: rows,
        findings,
    }
}

impl Audit {
    /// Turns each implausible jump that `witness` shows too (same sign, at
    /// least half the size, between its snapshots enclosing the step) into
    /// a [`FindingKind::ConfirmedChange`], and updates the rows' flags.
    pub fn corroborate(&mut self, witness: &Witness) {
        for f in self.findings.iter_mut().filter(|f| f.kind == FindingKind::ImplausibleJump) {
            let (Some(date), Some(previous)) = (f.date, f.previous) else { continue };
            let Some(net) = self.snapshots.iter().find(|r| r.date == date).and_then(|r| r.net_km2) else { continue };
            if let Some((a, b, witness_net)) = witness.net_enclosing(previous, date) {
                if witness_net.signum() == net.signum() && witness_net.abs() >= 0.5 * net.abs() {
                    f.kind = FindingKind::ConfirmedChange;
                    f.detail = format!(
                        "{}; {} shows {witness_net:+.1} km² from {a} to {b}: a real change",
                        f.detail, witness.label
                    );
                }
            }
        }
        for row in &mut self.snapshots {
            let labels: Vec<&str> =
                self.findings.iter().filter(|f| f.date == Some(row.date)).map(|f| f.kind.label()).collect();
            row.flags = labels.join(", ");
        }
    }

    /// The warning labels (see [`FindingKind::is_warning`]) of the steps
    /// ending in `from < date <= to`, comma-separated; `None` when clean.
    /// This is the `flag` column of `change`.
    pub fn flag_between(&self, from: NaiveDate, to: NaiveDate) -> Option<String> {
        self.flag_where(|d| d > from && d <= to)
    }

    /// The warning labels of the step ending on `date` (the `flag` column of `area`).
    pub fn flag_on(&self, date: NaiveDate) -> Option<String> {
        self.flag_where(|d| d == date)
    }

    fn flag_where(&self, keep: impl Fn(NaiveDate) -> bool) -> Option<String> {
        let mut labels: Vec<String> = self
            .findings
            .iter()
            .filter(|f| f.kind.is_warning() && f.date.is_some_and(&keep))
            .map(|f| format!("{} {}", f.kind.label(), f.date.map(|d| d.to_string()).unwrap_or_default()))
            .collect();
        labels.dedup();
        (!labels.is_empty()).then(|| labels.join("; "))
    }
}

/// The files under `paths` that are not in the store and that ingest
/// refuses, each with ingest's own reason. Files the store already holds
/// (same content hash) are not re-read, so this costs one hash per file
/// plus one ingest per file the store lacks.
pub fn rejected_files(paths: &[PathBuf], store: &Store, ctx: &IngestContext) -> crate::Result<Vec<Finding>> {
    let mut files = vec![];
    for p in paths {
        files.extend(expand_path(p)?);
    }
    let unknown: Vec<(PathBuf, Vec<u8>)> = files
        .into_iter()
        .filter_map(|f| {
            // The same bytes ingest hashes (decompressed when gzipped).
            let bytes = geojson::read_bytes(&f).ok();
            match bytes {
                Some(b) if store.has_file(&content_hash(&b)).unwrap_or(false) => None,
                Some(b) => Some((f, b)),
                None => Some((f, vec![])),
            }
        })
        .collect();
    let mut out: Vec<Finding> = unknown
        .par_iter()
        .filter_map(|(f, bytes)| {
            let problem = if bytes.is_empty() {
                geojson::read_bytes(f).err().map(|e| e.to_string()).unwrap_or_else(|| "empty file".into())
            } else {
                match detect_or(f, None).and_then(|format| ingest_bytes(f, bytes, &format, ctx)) {
                    Ok(_) => return None, // readable, just not ingested yet
                    // The finding names the file already.
                    Err(e) => {
                        let text = e.to_string();
                        let prefix = format!("{}: ", f.display());
                        text.strip_prefix(&prefix).map(str::to_string).unwrap_or(text)
                    }
                }
            };
            Some(Finding {
                kind: FindingKind::RejectedFile,
                date: None,
                previous: None,
                file: Some(f.clone()),
                detail: problem,
            })
        })
        .collect();
    out.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(out)
}

/// Whether a path names something to read (for a clear error before any work).
pub fn check_paths(paths: &[PathBuf]) -> crate::Result<()> {
    for p in paths {
        if !Path::new(p).exists() {
            return Err(crate::Error::Request(format!(
                "{}: no such file or folder; give the folder of the source's files, e.g. ../shared/data/isw/control",
                p.display()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Layer;
    use chrono::{Duration, TimeZone};
    use geo::polygon;

    fn snap(day: i64, poly: MultiPolygon<f64>) -> Snapshot {
        let t = chrono::Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).single().expect("valid") + Duration::days(day);
        Snapshot {
            source: SourceId::new("test"),
            taken_at: t,
            layers: vec![Layer { class: ControlClass::Occupied, geometry: poly }],
        }
    }

    fn rect(x0: f64, x1: f64) -> MultiPolygon<f64> {
        MultiPolygon::new(vec![polygon![(x: x0, y: 48.0), (x: x1, y: 48.0), (x: x1, y: 48.1), (x: x0, y: 48.1)]])
    }

    #[test]
    fn flags_a_jump_a_redraw_a_repeat_and_a_gap() {
        // 1°×0.1° at 48°N ≈ 74.5 km × 11.1 km ≈ 829 km²; 0.001° of longitude ≈ 0.83 km².
        // A steady advance of 0.001° a day (≈0.83 km²/day), then on day 20 a
        // jump of 0.5° (≈415 km²), on day 30 the whole box moved east by 0.3°
        // (≈249 km² lost and gained), day 31 repeats day 30, day 40 after a
        // 9-day gap.
        let mut snaps = vec![];
        let mut east = 37.0;
        for day in 0..20 {
            east += 0.001;
            snaps.push(snap(day, rect(36.0, east)));
        }
        east += 0.5;
        snaps.push(snap(20, rect(36.0, east)));
        for day in 21..30 {
            east += 0.001;
            snaps.push(snap(day, rect(36.0, east)));
        }
        snaps.push(snap(30, rect(36.3, east + 0.3)));
        snaps.push(snap(31, rect(36.3, east + 0.3)));
        snaps.push(snap(40, rect(36.3, east + 0.301)));
        let audit = audit_series(&snaps, ControlClass::Occupied, AuditRules::default());
        let kinds: Vec<(String, FindingKind)> =
            audit.findings.iter().map(|f| (f.date.map(|d| d.to_string()).unwrap_or_default(), f.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                ("2025-01-21".to_string(), FindingKind::ImplausibleJump),
                ("2025-01-31".to_string(), FindingKind::LayerChange),
                ("2025-02-01".to_string(), FindingKind::SameAsPrevious),
                ("2025-02-10".to_string(), FindingKind::Gap),
            ]
        );
        // The median daily rate is the steady advance's, ≈0.83 km²/day.
        assert!((audit.median_net_km2_per_day - 0.83).abs() < 0.02, "{}", audit.median_net_km2_per_day);
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        assert!(audit.flag_between(d("2025-01-01"), d("2025-01-31")).is_some());
        assert_eq!(audit.flag_between(d("2025-02-01"), d("2025-02-10")), None);
        assert_eq!(audit.flag_on(d("2025-01-21")).as_deref(), Some("implausible jump 2025-01-21"));
        // The box's edges are 11 and 75 km long: "simplified".
        assert_eq!(audit.snapshots[0].detail, "simplified");
        assert_eq!(audit.snapshots[0].vertices, 4);
    }

    #[test]
    fn a_jump_another_publisher_shows_is_a_confirmed_change() {
        // The steady advance of the test above with the ≈415 km² jump on day
        // 20 (2025-01-21, from 2025-01-20).
        let mut snaps = vec![];
        let mut east = 37.0;
        for day in 0..30 {
            east += if day == 20 { 0.5 } else { 0.001 };
            snaps.push(snap(day, rect(36.0, east)));
        }
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        let witness = |a: &str, b: &str, net: f64| Witness {
            label: "other".into(),
            areas_km2: vec![(d(a), 1000.0), (d(b), 1000.0 + net)],
        };
        let kind_on_21 = |w: &Witness| {
            let mut audit = audit_series(&snaps, ControlClass::Occupied, AuditRules::default());
            audit.corroborate(w);
            let f = audit.findings.iter().find(|f| f.date == Some(d("2025-01-21"))).expect("a finding").clone();
            (f.kind, audit.flag_on(d("2025-01-21")))
        };
        // Half the jump (≥ 207.5 km²) over maps enclosing 01-20 → 01-21: confirmed, no flag.
        assert_eq!(kind_on_21(&witness("2025-01-15", "2025-02-01", 210.0)), (FindingKind::ConfirmedChange, None));
        // Less than half, the other sign, or maps that do not enclose the step, or too far apart: still a warning.
        for w in [
            witness("2025-01-15", "2025-02-01", 200.0),
            witness("2025-01-15", "2025-02-01", -415.0),
            witness("2025-01-21", "2025-02-01", 415.0),
            witness("2024-06-01", "2025-02-01", 415.0),
        ] {
            assert_eq!(kind_on_21(&w).0, FindingKind::ImplausibleJump, "{:?}", w.areas_km2);
        }
    }

    #[test]
    fn the_plausible_pace_is_the_neighbourhood_s() {
        // 40 quiet days (≈0.83 km²/day), then 20 days of ≈83 km²/day (a war
        // of movement) with one step of ≈330 km² among them. Each fast step
        // is 100× the series' overall median (≈0.83 km²/day, which the old
        // whole-series rule used: every one of them would be flagged), but
        // within 5× its neighbourhood's pace (≥ 42 km²/day at the turn, 83
        // inside), so none is.
        let mut snaps = vec![];
        let mut east = 37.0;
        for day in 0..60 {
            east += match day {
                0..40 => 0.001,
                50 => 0.4,
                _ => 0.1,
            };
            snaps.push(snap(day, rect(36.0, east)));
        }
        let audit = audit_series(&snaps, ControlClass::Occupied, AuditRules::default());
        assert!((audit.median_net_km2_per_day - 0.83).abs() < 0.02, "{}", audit.median_net_km2_per_day);
        let jumps: Vec<_> = audit.findings.iter().filter(|f| f.kind == FindingKind::ImplausibleJump).collect();
        assert!(jumps.is_empty(), "{jumps:?}");
    }
}
