//! Area held, share of the country and of each region, and change between
//! snapshots (measures.md, "Area" and "Change between two snapshots").

use crate::area_sweep::ClippedAreaSweep;
use crate::geodesy::{km2_to_sqmi, GeodesicAreaM2, M2_PER_KM2};
use crate::model::{ControlClass, Snapshot, SourceId};
use crate::regions::{Region, Territory};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use geo::MultiPolygon;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Ukraine's official area (km²), the default denominator of "share of Ukraine".
pub const UKRAINE_OFFICIAL_KM2: f64 = 603_550.0;

/// The area of a geometry inside a reference territory, km².
pub fn area_within_km2(geometry: &MultiPolygon<f64>, reference: &Territory) -> f64 {
    reference.clip(geometry).geodesic_area_m2() / M2_PER_KM2
}

// Negative zero from empty sums prints as "-0.000"; a person reads that as a loss.
fn clean_zero(x: f64) -> f64 {
    if x == 0.0 {
        0.0
    } else {
        x
    }
}

/// One snapshot's areas within a reference territory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaRow {
    /// The source.
    pub source: SourceId,
    /// The snapshot's date (UTC).
    pub date: NaiveDate,
    /// The snapshot's instant.
    pub taken_at: DateTime<Utc>,
    /// The reference territory the layers were clipped to.
    pub reference: String,
    /// Occupied area, km².
    pub occupied_km2: f64,
    /// Occupied area, square miles.
    pub occupied_sqmi: f64,
    /// Occupied share of the country denominator, per cent.
    pub occupied_pct: f64,
    /// Gray-zone area, km² (`None` when the source has no gray zone).
    pub gray_km2: Option<f64>,
    /// Upper bound: occupied ∪ gray, km².
    pub occupied_or_gray_km2: Option<f64>,
    /// Upper bound share, per cent.
    pub occupied_or_gray_pct: Option<f64>,
    /// Liberated (informational) area inside the reference, km².
    pub liberated_km2: Option<f64>,
    /// The denominator of the shares, km².
    pub country_km2: f64,
}

/// Measures one snapshot (measures.md, "Area" and "Share").
pub fn area_row(snapshot: &Snapshot, reference: &Territory, country_km2: f64) -> AreaRow {
    row_measured_by(snapshot, reference, country_km2, |_, g| area_within_km2(g, reference))
}

/// [`area_row`] for every snapshot of a series, in order: the same figures,
/// measured by sweeping contiguous chunks in parallel, each with a
/// [`ClippedAreaSweep`] per class, so that a snapshot's clip is carried from
/// the previous one by the edges that changed instead of being redone.
pub fn area_rows(snapshots: &[Snapshot], reference: &Territory, country_km2: f64) -> Vec<AreaRow> {
    // Two chunks a thread: each starts with a full clip, and a chunk full of
    // changes along the border should not leave a thread idle for long.
    let chunk = snapshots.len().div_ceil(2 * rayon::current_num_threads().max(1)).max(1);
    snapshots
        .par_chunks(chunk)
        .flat_map_iter(|chunk| {
            // occupied, gray, liberated, occupied ∪ gray
            let mut sweeps: [ClippedAreaSweep; 4] = std::array::from_fn(|_| ClippedAreaSweep::new(reference));
            chunk
                .iter()
                .map(|s| {
                    row_measured_by(s, reference, country_km2, |which, g| {
                        sweeps[which as usize].area_m2(g) / M2_PER_KM2
                    })
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Which figure of a row a layer is measured for.
#[derive(Clone, Copy)]
enum Measured {
    Occupied = 0,
    Gray = 1,
    Liberated = 2,
    OccupiedOrGray = 3,
}

fn row_measured_by(
    snapshot: &Snapshot,
    reference: &Territory,
    country_km2: f64,
    mut within_km2: impl FnMut(Measured, &MultiPolygon<f64>) -> f64,
) -> AreaRow {
    let occupied = snapshot.class_or_empty(ControlClass::Occupied);
    let occupied_km2 = within_km2(Measured::Occupied, &occupied);
    let gray = snapshot.layer(ControlClass::Gray);
    let gray_km2 = gray.map(|g| within_km2(Measured::Gray, g));
    let occupied_or_gray_km2 = gray.map(|g| within_km2(Measured::OccupiedOrGray, &crate::overlay::union(&occupied, g)));
    AreaRow {
        source: snapshot.source.clone(),
        date: snapshot.date(),
        taken_at: snapshot.taken_at,
        reference: reference.name.clone(),
        occupied_km2,
        occupied_sqmi: km2_to_sqmi(occupied_km2),
        occupied_pct: 100.0 * occupied_km2 / country_km2,
        gray_km2,
        occupied_or_gray_km2,
        occupied_or_gray_pct: occupied_or_gray_km2.map(|a| 100.0 * a / country_km2),
        liberated_km2: snapshot.layer(ControlClass::Liberated).map(|g| within_km2(Measured::Liberated, g)),
        country_km2,
    }
}

/// Geodesic area (km²) of one class of every snapshot, as stored (not
/// clipped), in order. Sweeps contiguous chunks in parallel, each with an
/// [`crate::geodesy::EdgeAreaCache`]: consecutive snapshots share almost all
/// their edges, so most edge terms are computed once.
pub fn class_area_series_km2(snapshots: &[Snapshot], class: ControlClass) -> Vec<Option<f64>> {
    let chunk = snapshots.len().div_ceil(rayon::current_num_threads().max(1)).max(1);
    snapshots
        .par_chunks(chunk)
        .flat_map_iter(|chunk| {
            let mut cache = crate::geodesy::EdgeAreaCache::default();
            chunk
                .iter()
                .map(|s| {
                    cache.next_generation();
                    s.layer(class).map(|g| cache.multipolygon_area_m2(g) / M2_PER_KM2)
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Geodesic area (km²) and perimeter (m) of each layer, in order, as
/// [`class_area_series_km2`] sweeps them (an [`crate::geodesy::EdgeAreaCache`]
/// per contiguous chunk): the audit needs both for every snapshot, and
/// measured one by one the perimeters alone cost 2 s over the daily history.
pub fn area_perimeter_series(layers: &[&MultiPolygon<f64>]) -> Vec<(f64, f64)> {
    let chunk = layers.len().div_ceil(rayon::current_num_threads().max(1)).max(1);
    layers
        .par_chunks(chunk)
        .flat_map_iter(|chunk| {
            let mut cache = crate::geodesy::EdgeAreaCache::default();
            chunk
                .iter()
                .map(|g| {
                    cache.next_generation();
                    let (area_m2, perimeter_m) = cache.multipolygon_area_perimeter_m(g);
                    (area_m2 / M2_PER_KM2, perimeter_m)
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// One region's share of a class on one snapshot.
#[derive(Debug, Clone, Serialize)]
pub struct RegionRow {
    /// The snapshot's date.
    pub date: NaiveDate,
    /// Region name.
    pub region: String,
    /// ISO 3166-2 code, where known.
    pub iso: Option<String>,
    /// The share's denominator, km²: the region's official area or its
    /// outline's geodesic area (see [`crate::regions::ShareConvention`]).
    pub region_km2: f64,
    /// Occupied area inside the region, km².
    pub occupied_km2: f64,
    /// Occupied share of the region, per cent.
    pub occupied_pct: f64,
    /// Gray area inside the region, km² (`None` without a gray zone).
    pub gray_km2: Option<f64>,
    /// Gray share of the region, per cent.
    pub gray_pct: Option<f64>,
    /// Whether a share was capped at 100 % (the layer covers more than the
    /// region's official area, which counts no sea).
    pub capped: bool,
}

/// Shares of every region: area(class ∩ region) / the region's share
/// denominator, at most 100 % (see [`crate::regions::ShareConvention`]).
pub fn region_rows(snapshot: &Snapshot, regions: &[Region]) -> Vec<RegionRow> {
    let occupied = snapshot.class_or_empty(ControlClass::Occupied);
    let gray = snapshot.layer(ControlClass::Gray);
    regions
        .par_iter()
        .map(|r| {
            let region_km2 = r.share_denominator_km2;
            let occupied_km2 = area_within_km2(&occupied, &r.territory);
            let gray_km2 = gray.map(|g| area_within_km2(g, &r.territory));
            // Within an outline over its own area a share can exceed 100 % only by
            // rounding (1e-12); over an official area, by the coastal water it omits.
            let over = |km2: f64| km2 > region_km2 * (1.0 + 1e-9);
            let capped = over(occupied_km2) || gray_km2.is_some_and(over);
            let pct = |km2: f64| 100.0 * km2.min(region_km2) / region_km2;
            RegionRow {
                date: snapshot.date(),
                region: r.name.clone(),
                iso: r.iso.clone(),
                region_km2,
                occupied_km2,
                occupied_pct: pct(occupied_km2),
                gray_km2,
                gray_pct: gray_km2.map(pct),
                capped,
            }
        })
        .collect()
}

/// Gained and lost area of one class between two snapshots.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeRow {
    /// The period's label ("2025-03", "2025-W07", "2025-03-14", ...).
    pub period: String,
    /// The class compared.
    pub class: ControlClass,
    /// Date of the earlier snapshot actually used.
    pub from: NaiveDate,
    /// Date of the later snapshot actually used.
    pub to: NaiveDate,
    /// Days between them.
    pub days: i64,
    /// area(class_b − class_a) inside the reference, km².
    pub gained_km2: f64,
    /// area(class_a − class_b) inside the reference, km².
    pub lost_km2: f64,
    /// gained − lost, km².
    pub net_km2: f64,
}

/// The polygons behind a [`ChangeRow`], clipped to the reference.
#[derive(Debug, Clone)]
pub struct ChangeGeometry {
    /// Newly held by the class.
    pub gained: MultiPolygon<f64>,
    /// No longer held by the class.
    pub lost: MultiPolygon<f64>,
}

/// Change of `class` from `a` to `b`, both clipped to `reference`. `None`
/// when either snapshot lacks the class (a source without a gray zone has
/// no gray change, not a zero one).
pub fn change(
    period: &str,
    a: &Snapshot,
    b: &Snapshot,
    class: ControlClass,
    reference: &Territory,
) -> Option<(ChangeRow, ChangeGeometry)> {
    let (ga, gb) = (a.layer(class)?, b.layer(class)?);
    let (gained, lost) = if ga == gb {
        (MultiPolygon::new(vec![]), MultiPolygon::new(vec![]))
    } else {
        let (gained, lost) = gained_lost(ga, gb);
        (reference.clip(&gained), reference.clip(&lost))
    };
    let gained_km2 = clean_zero(gained.geodesic_area_m2() / M2_PER_KM2);
    let lost_km2 = clean_zero(lost.geodesic_area_m2() / M2_PER_KM2);
    let row = ChangeRow {
        period: period.to_string(),
        class,
        from: a.date(),
        to: b.date(),
        days: (b.date() - a.date()).num_days(),
        gained_km2,
        lost_km2,
        net_km2: clean_zero(gained_km2 - lost_km2),
    };
    Some((row, ChangeGeometry { gained, lost }))
}

pub use crate::overlay::gained_lost;

/// The step of a change table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Each pair of consecutive snapshots, whatever their spacing.
    Snapshot,
    /// Calendar days.
    Day,
    /// ISO weeks (Monday to Monday).
    Week,
    /// Calendar months.
    Month,
    /// Calendar years.
    Year,
}

impl Period {
    /// Parses `snapshot`, `day`, `week`, `month`, `year`.
    pub fn parse(s: &str) -> Option<Period> {
        match s {
            "snapshot" | "snapshots" => Some(Period::Snapshot),
            "day" | "daily" => Some(Period::Day),
            "week" | "weekly" => Some(Period::Week),
            "month" | "monthly" => Some(Period::Month),
            "year" | "yearly" => Some(Period::Year),
            _ => None,
        }
    }

    fn start_of(self, d: NaiveDate) -> NaiveDate {
        match self {
            Period::Snapshot | Period::Day => d,
            Period::Week => d - Duration::days(i64::from(d.weekday().num_days_from_monday())),
            Period::Month => d.with_day(1).unwrap_or(d),
            Period::Year => NaiveDate::from_ymd_opt(d.year(), 1, 1).unwrap_or(d),
        }
    }

    fn next(self, start: NaiveDate) -> NaiveDate {
        match self {
            Period::Snapshot | Period::Day => start + Duration::days(1),
            Period::Week => start + Duration::days(7),
            Period::Month => start.checked_add_months(chrono::Months::new(1)).unwrap_or(start),
            Period::Year => start.checked_add_months(chrono::Months::new(12)).unwrap_or(start),
        }
    }

    fn label(self, start: NaiveDate) -> String {
        match self {
            Period::Snapshot | Period::Day => start.format("%Y-%m-%d").to_string(),
            Period::Week => {
                let w = start.iso_week();
                format!("{}-W{:02}", w.year(), w.week())
            }
            Period::Month => start.format("%Y-%m").to_string(),
            Period::Year => start.format("%Y").to_string(),
        }
    }
}

/// A period and the two snapshots (indices into the sorted date list) that
/// measure it: the last snapshot at or before each boundary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeriodPair {
    /// "2025-03", "2025-W07", ...
    pub label: String,
    /// First day of the period.
    pub start: NaiveDate,
    /// First day of the next period.
    pub end: NaiveDate,
    /// Index of the snapshot measuring the start.
    pub a: usize,
    /// Index of the snapshot measuring the end.
    pub b: usize,
}

/// Splits `from..to` into periods and picks, for each boundary, the last
/// snapshot dated at or before it (measures.md: a missing day is never
/// invented). Periods whose two boundaries fall on the same snapshot, or
/// that start before the first snapshot, are left out. `dates` must be
/// sorted ascending.
pub fn period_pairs(
    dates: &[NaiveDate],
    every: Period,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Vec<PeriodPair> {
    let (Some(&first), Some(&last)) = (dates.first(), dates.last()) else { return vec![] };
    if every == Period::Snapshot {
        return dates
            .windows(2)
            .enumerate()
            .filter(|(_, w)| from.is_none_or(|f| w[0] >= f) && to.is_none_or(|t| w[1] <= t))
            .map(|(i, w)| PeriodPair { label: every.label(w[1]), start: w[0], end: w[1], a: i, b: i + 1 })
            .collect();
    }
    let at_or_before = |d: NaiveDate| dates.partition_point(|x| *x <= d).checked_sub(1);
    let mut start = every.start_of(from.unwrap_or(first).max(first));
    let stop = to.unwrap_or(last).min(last);
    let mut out = vec![];
    while start <= stop {
        let end = every.next(start);
        if end <= start {
            break;
        }
        if let (Some(a), Some(b)) = (at_or_before(start), at_or_before(end.min(stop.max(start)))) {
            if a != b {
                out.push(PeriodPair { label: every.label(start), start, end, a, b });
            }
        }
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    #[test]
    fn months_use_last_snapshot_at_or_before_each_boundary() {
        // 2025-02-01 is missing: February starts from 2025-01-31's snapshot.
        let dates =
            [d("2025-01-01"), d("2025-01-15"), d("2025-01-31"), d("2025-02-02"), d("2025-03-01"), d("2025-03-10")];
        let p = period_pairs(&dates, Period::Month, None, None);
        let got: Vec<(String, NaiveDate, NaiveDate)> =
            p.iter().map(|p| (p.label.clone(), dates[p.a], dates[p.b])).collect();
        assert_eq!(
            got,
            vec![
                ("2025-01".into(), d("2025-01-01"), d("2025-01-31")),
                ("2025-02".into(), d("2025-01-31"), d("2025-03-01")),
                ("2025-03".into(), d("2025-03-01"), d("2025-03-10")),
            ]
        );
    }

    #[test]
    fn weeks_start_on_monday() {
        // 2025-01-06 is a Monday.
        let dates = [d("2025-01-06"), d("2025-01-08"), d("2025-01-13"), d("2025-01-20")];
        let p = period_pairs(&dates, Period::Week, None, None);
        assert_eq!(p[0].label, "2025-W02");
        assert_eq!((dates[p[0].a], dates[p[0].b]), (d("2025-01-06"), d("2025-01-13")));
        assert_eq!(p.len(), 2);
    }
}
