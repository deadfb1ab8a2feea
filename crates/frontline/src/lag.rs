//! How late one source is against another: the whole-day offset that best
//! aligns two series of snapshots of the same war.
//!
//! For an offset k (days), every date d that source B has is paired with
//! A's snapshot dated d + k, and the two are compared by the area of their
//! symmetric difference within the reference ([`crate::compare`]). The best
//! offset minimises the mean symmetric difference over the dates that have
//! a partner at *every* offset tried (so each offset is judged on the same
//! days). A positive k means A is late: A's file dated d + k shows B's map
//! of day d.
//!
//! Confidence, stated three ways:
//! - the margin: the second-best offset's mean minus the best one's, km²
//!   and as a share of the best;
//! - the votes: on how many of the dates the best offset is also that
//!   date's own minimum;
//! - a sub-day estimate: the vertex of the parabola through the best offset
//!   and its two neighbours. The method itself resolves whole days (files
//!   are dated by day), so its error is ±0.5 day at best; the sub-day
//!   vertex says on which side of the best day the truth leans.

use crate::area::area_within_km2;
use crate::compare::compare_with;
use crate::error::{Error, Result};
use crate::model::{ControlClass, Snapshot};
use crate::regions::Territory;
use chrono::{Duration, NaiveDate};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;

/// One offset's score.
#[derive(Debug, Clone, Serialize)]
pub struct OffsetScore {
    /// A's date minus B's date, days.
    pub offset_days: i64,
    /// Mean symmetric difference over the dates compared, km².
    pub mean_symmetric_difference_km2: f64,
    /// Dates on which this offset gave the smallest symmetric difference.
    pub votes: usize,
}

/// One of B's dates: the symmetric difference at every offset.
#[derive(Debug, Clone, Serialize)]
pub struct DateScores {
    /// B's snapshot date.
    pub date: NaiveDate,
    /// Symmetric difference at each offset, km², in the order of [`Lag::offsets`].
    pub symmetric_difference_km2: Vec<f64>,
    /// The offset with the smallest symmetric difference that day.
    pub best_offset_days: i64,
}

/// The result of a lag search.
#[derive(Debug, Clone, Serialize)]
pub struct Lag {
    /// Every offset tried, in order.
    pub offsets: Vec<OffsetScore>,
    /// The offset with the smallest mean symmetric difference, days.
    pub best_offset_days: i64,
    /// The runner-up offset, days (`None` when only one was tried).
    pub second_offset_days: Option<i64>,
    /// Runner-up mean minus best mean, km².
    pub margin_km2: Option<f64>,
    /// The margin as a share of the best mean, per cent.
    pub margin_pct: Option<f64>,
    /// Dates on which the best offset was also that date's minimum.
    pub votes_for_best: usize,
    /// Dates compared (B's dates with a partner at every offset).
    pub dates_compared: usize,
    /// Vertex of the parabola through the best offset and its neighbours,
    /// days (`None` at the edge of the range tried).
    pub refined_offset_days: Option<f64>,
    /// Per date.
    pub per_date: Vec<DateScores>,
}

/// Searches the offsets `offsets` (days, A − B) for the best alignment of
/// A's snapshots with B's, comparing `class` within `reference`. Both
/// slices sorted by time; one snapshot per date is used (the last of a day).
pub fn find_lag(
    a: &[Snapshot],
    b: &[Snapshot],
    class: ControlClass,
    reference: &Territory,
    offsets: std::ops::RangeInclusive<i64>,
) -> Result<Lag> {
    let offsets: Vec<i64> = offsets.collect();
    if offsets.is_empty() {
        return Err(Error::Request("the offset range is empty: give e.g. --min-offset -3 --max-offset 5".into()));
    }
    let by_date = |snaps: &[Snapshot]| -> HashMap<NaiveDate, usize> {
        snaps.iter().enumerate().filter(|(_, s)| s.layer(class).is_some()).map(|(i, s)| (s.date(), i)).collect()
    };
    let (a_at, b_at) = (by_date(a), by_date(b));
    let mut b_dates: Vec<NaiveDate> = b_at.keys().copied().collect();
    b_dates.sort();
    // Only dates with a partner at every offset: each offset is scored on the same days.
    let dates: Vec<NaiveDate> =
        b_dates.into_iter().filter(|d| offsets.iter().all(|k| a_at.contains_key(&(*d + Duration::days(*k))))).collect();
    if dates.is_empty() {
        return Err(Error::Request(format!(
            "no date of {} has a {} snapshot at every offset from {} to {} days: the two do not overlap enough",
            b.first().map(|s| s.source.as_str()).unwrap_or("B"),
            a.first().map(|s| s.source.as_str()).unwrap_or("A"),
            offsets[0],
            offsets[offsets.len() - 1]
        )));
    }
    // Each snapshot's own area is measured once, not once per pair.
    let mut needed: Vec<(bool, usize)> = dates.iter().map(|d| (false, b_at[d])).collect();
    for d in &dates {
        for k in &offsets {
            needed.push((true, a_at[&(*d + Duration::days(*k))]));
        }
    }
    needed.sort();
    needed.dedup();
    let areas: HashMap<(bool, usize), f64> = needed
        .par_iter()
        .filter_map(|&(is_a, i)| {
            let s = if is_a { &a[i] } else { &b[i] };
            Some(((is_a, i), area_within_km2(s.layer(class)?, reference)))
        })
        .collect();
    let jobs: Vec<(usize, usize)> = (0..dates.len()).flat_map(|i| (0..offsets.len()).map(move |k| (i, k))).collect();
    let scores: Vec<f64> = jobs
        .par_iter()
        .map(|&(i, k)| {
            let (ai, bi) = (a_at[&(dates[i] + Duration::days(offsets[k]))], b_at[&dates[i]]);
            let known = areas.get(&(true, ai)).zip(areas.get(&(false, bi))).map(|(x, y)| (*x, *y));
            compare_with(&a[ai], &b[bi], class, reference, known)
                .map(|(c, _)| c.symmetric_difference_km2)
                .unwrap_or(0.0)
        })
        .collect();
    let per_date: Vec<DateScores> = dates
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let row = scores[i * offsets.len()..(i + 1) * offsets.len()].to_vec();
            let best = argmin(&row);
            DateScores { date: *d, symmetric_difference_km2: row, best_offset_days: offsets[best] }
        })
        .collect();
    let n = dates.len() as f64;
    let scores: Vec<OffsetScore> = offsets
        .iter()
        .enumerate()
        .map(|(k, off)| OffsetScore {
            offset_days: *off,
            mean_symmetric_difference_km2: per_date.iter().map(|p| p.symmetric_difference_km2[k]).sum::<f64>() / n,
            votes: per_date.iter().filter(|p| p.best_offset_days == *off).count(),
        })
        .collect();
    let means: Vec<f64> = scores.iter().map(|s| s.mean_symmetric_difference_km2).collect();
    let best = argmin(&means);
    let second = (0..means.len()).filter(|k| *k != best).min_by(|x, y| means[*x].total_cmp(&means[*y]));
    let margin_km2 = second.map(|s| means[s] - means[best]);
    let refined = (best > 0 && best + 1 < means.len()).then(|| {
        let (l, m, r) = (means[best - 1], means[best], means[best + 1]);
        let curvature = l - 2.0 * m + r;
        let shift = if curvature > 0.0 { 0.5 * (l - r) / curvature } else { 0.0 };
        offsets[best] as f64 + shift
    });
    Ok(Lag {
        best_offset_days: offsets[best],
        second_offset_days: second.map(|s| offsets[s]),
        margin_km2,
        margin_pct: margin_km2.filter(|_| means[best] > 0.0).map(|m| 100.0 * m / means[best]),
        votes_for_best: scores[best].votes,
        dates_compared: dates.len(),
        refined_offset_days: refined,
        offsets: scores,
        per_date,
    })
}

fn argmin(xs: &[f64]) -> usize {
    (0..xs.len()).min_by(|a, b| xs[*a].total_cmp(&xs[*b])).unwrap_or(0)
}

/// Re-dates a source's snapshots by an offset: with `offset_days` = k, the
/// file dated d is taken as the map of day d − k (a source k days late).
/// Used to align a series with a publisher's own calendar before period
/// boundaries are drawn.
pub fn shift_days(snapshots: &mut [Snapshot], offset_days: i64) {
    for s in snapshots {
        s.taken_at -= Duration::days(offset_days);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Layer, SourceId};
    use chrono::TimeZone;
    use geo::{polygon, MultiPolygon};

    fn snap(source: &str, day: i64, east_edge: f64) -> Snapshot {
        let t = chrono::Utc.with_ymd_and_hms(2025, 1, 1, 3, 0, 0).single().expect("valid") + Duration::days(day);
        let g = MultiPolygon::new(vec![
            polygon![(x: 36.0, y: 47.0), (x: east_edge, y: 47.0), (x: east_edge, y: 48.0), (x: 36.0, y: 48.0)],
        ]);
        Snapshot {
            source: SourceId::new(source),
            taken_at: t,
            layers: vec![Layer { class: ControlClass::Occupied, geometry: g }],
        }
    }

    #[test]
    fn finds_a_two_day_delay() {
        // The front moves west 0.01° a day on B's map; A shows each map two
        // days late (A on day d+2 = B on day d).
        let edge = |day: i64| 37.0 - 0.01 * day as f64;
        let b: Vec<Snapshot> = (0..30).map(|d| snap("b", d, edge(d))).collect();
        let a: Vec<Snapshot> = (0..30).map(|d| snap("a", d, edge(d - 2))).collect();
        let reference = Territory::new(
            "box",
            MultiPolygon::new(vec![
                polygon![(x: 30.0, y: 45.0), (x: 40.0, y: 45.0), (x: 40.0, y: 50.0), (x: 30.0, y: 50.0)],
            ]),
        );
        let lag = find_lag(&a, &b, ControlClass::Occupied, &reference, -3..=5).expect("overlap");
        assert_eq!(lag.best_offset_days, 2);
        // Every date votes for +2, and offsets +1 and +3 are equally wrong
        // (one day of movement each way), so the vertex sits on 2 exactly.
        assert_eq!(lag.votes_for_best, lag.dates_compared);
        assert!((lag.refined_offset_days.expect("inside the range") - 2.0).abs() < 1e-6);
        // Dates 3..=24 have a partner at every offset from -3 to +5.
        assert_eq!(lag.dates_compared, 22);
        assert!(lag.offsets[5].mean_symmetric_difference_km2 < 1e-6);
        let mut shifted = a.clone();
        shift_days(&mut shifted, 2);
        assert_eq!(shifted[2].date(), a[0].date());
    }
}
