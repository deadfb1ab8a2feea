//! Where two sources disagree: for a pair of snapshots (one per source) the
//! area each holds, what only one of them counts, what both count, and how
//! much of each disagreement the other source draws as its gray layer.
//!
//! Definitions (measures.md, "Area" and "Change", applied across sources
//! instead of across dates), all within one reference territory R:
//!
//! - `a_km2` = area(R ∩ A), `b_km2` = area(R ∩ B);
//! - `a_only_km2` = area(R ∩ (A − B)), `b_only_km2` = area(R ∩ (B − A));
//! - `both_km2` = `a_km2` − `a_only_km2` (= area(R ∩ A ∩ B) up to the
//!   overlay's noding residual, a few m²);
//! - `symmetric_difference_km2` = `a_only_km2` + `b_only_km2`.
//!
//! The differences are taken on the layers as stored and only then clipped:
//! R ∩ (A − B) = (R ∩ A) − (R ∩ B), and the differences are much smaller
//! than the layers, so the costly clip to R sees few edges.
//!
//! The gray layers of two publishers mean different things: DeepState's is
//! a zone of unknown status (contested), ISW's is "assessed advances"
//! (ground where Russian forces operated or attacked without ISW assessing
//! control). Both are stored as the class `gray`; [`gray_layer_meaning`]
//! names what a source's gray layer is, and every output carries it, so the
//! two are never summed or confused.

use crate::area::area_within_km2;
use crate::front::Sectors;
use crate::geodesy::{GeodesicAreaM2, M2_PER_KM2};
use crate::model::{ControlClass, Snapshot, SourceId};
use crate::overlay::{full_gained_lost, intersection};
use crate::places::{Gazetteer, Status, StatusTable};
use crate::regions::{Region, Territory};
use chrono::NaiveDate;
use geo::{InteriorPoint, MultiPolygon};
use rayon::prelude::*;
use serde::Serialize;

/// What a source's `gray` layer stands for, in words for a reader.
pub fn gray_layer_meaning(source: &SourceId) -> &'static str {
    let s = source.as_str();
    if s.starts_with("deepstate") {
        "DeepState gray zone: status unknown / contested"
    } else if s.starts_with("isw") {
        "ISW assessed Russian advances: attacks or presence, not assessed control"
    } else {
        "the source's gray (contested) layer"
    }
}

/// One comparison of two snapshots of one class.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// Source A.
    pub a_source: SourceId,
    /// Date of A's snapshot actually used.
    pub a_date: NaiveDate,
    /// Source B.
    pub b_source: SourceId,
    /// Date of B's snapshot actually used.
    pub b_date: NaiveDate,
    /// `b_date − a_date`, days.
    pub days_apart: i64,
    /// The class compared.
    pub class: ControlClass,
    /// The reference territory both were clipped to.
    pub reference: String,
    /// Area of A's class within the reference, km².
    pub a_km2: f64,
    /// Area of B's class within the reference, km².
    pub b_km2: f64,
    /// Counted by both, km².
    pub both_km2: f64,
    /// Counted by A only, km².
    pub a_only_km2: f64,
    /// Counted by B only, km².
    pub b_only_km2: f64,
    /// A only + B only, km².
    pub symmetric_difference_km2: f64,
    /// Symmetric difference as a share of the union A ∪ B, per cent.
    pub disagreement_pct: f64,
    /// Part of "A only" that B draws as its gray layer, km² (`None` when B has no gray layer).
    pub a_only_in_b_gray_km2: Option<f64>,
    /// Part of "B only" that A draws as its gray layer, km² (`None` when A has no gray layer).
    pub b_only_in_a_gray_km2: Option<f64>,
    /// What A's gray layer means (`None` when A has none).
    pub a_gray_meaning: Option<&'static str>,
    /// What B's gray layer means (`None` when B has none).
    pub b_gray_meaning: Option<&'static str>,
}

/// The polygons behind a [`Comparison`], clipped to the reference.
#[derive(Debug, Clone)]
pub struct Disagreement {
    /// Counted by A only.
    pub a_only: MultiPolygon<f64>,
    /// Counted by B only.
    pub b_only: MultiPolygon<f64>,
}

fn km2(mp: &MultiPolygon<f64>) -> f64 {
    let a = mp.geodesic_area_m2() / M2_PER_KM2;
    // Negative zero from empty sums prints as "-0.000"; a person reads that as a sign.
    if a == 0.0 {
        0.0
    } else {
        a
    }
}

/// The two differences `(A − B, B − A)` clipped to the reference.
pub fn differences(
    a: &MultiPolygon<f64>,
    b: &MultiPolygon<f64>,
    reference: &Territory,
) -> (MultiPolygon<f64>, MultiPolygon<f64>) {
    if a == b {
        return (MultiPolygon::new(vec![]), MultiPolygon::new(vec![]));
    }
    // full_gained_lost(a, b) = (b − a, a − b), whatever the orientation.
    // Not the shared-edge `gained_lost`: two sources share few edges, and
    // some stored layers carry a counter-clockwise hole (ISW 2022-05-01 and
    // raw 2022-05-02 by the Syvash), which would swap parts of A only and
    // B only there (46 km² on 2022-05-01, found against the oracle).
    let (b_only, a_only) = full_gained_lost(a, b);
    (reference.clip(&a_only), reference.clip(&b_only))
}

/// Compares one class of two snapshots within a reference. `None` when
/// either snapshot lacks the class (a source without a gray zone has no
/// gray disagreement, not a zero one). `a_km2`/`b_km2` may be given when
/// the caller already measured them (the lag search measures each snapshot
/// once, not once per pair).
pub fn compare_with(
    a: &Snapshot,
    b: &Snapshot,
    class: ControlClass,
    reference: &Territory,
    areas_km2: Option<(f64, f64)>,
) -> Option<(Comparison, Disagreement)> {
    let (la, lb) = (a.layer(class)?, b.layer(class)?);
    let (a_km2, b_km2) = areas_km2.unwrap_or_else(|| (area_within_km2(la, reference), area_within_km2(lb, reference)));
    let (a_only, b_only) = differences(la, lb, reference);
    let (a_only_km2, b_only_km2) = (km2(&a_only), km2(&b_only));
    let in_gray = |diff: &MultiPolygon<f64>, other: &Snapshot| {
        other.layer(ControlClass::Gray).map(|g| if diff.0.is_empty() { 0.0 } else { km2(&intersection(diff, g)) })
    };
    // A gray-vs-gray comparison asks about the other source's gray layer by
    // construction; the "in gray" columns only make sense for other classes.
    let (a_in_b_gray, b_in_a_gray) =
        if class == ControlClass::Gray { (None, None) } else { (in_gray(&a_only, b), in_gray(&b_only, a)) };
    let both_km2 = (a_km2 - a_only_km2).max(0.0);
    let union_km2 = both_km2 + a_only_km2 + b_only_km2;
    let symmetric_difference_km2 = a_only_km2 + b_only_km2;
    let row = Comparison {
        a_source: a.source.clone(),
        a_date: a.date(),
        b_source: b.source.clone(),
        b_date: b.date(),
        days_apart: (b.date() - a.date()).num_days(),
        class,
        reference: reference.name.clone(),
        a_km2,
        b_km2,
        both_km2,
        a_only_km2,
        b_only_km2,
        symmetric_difference_km2,
        disagreement_pct: if union_km2 > 0.0 { 100.0 * symmetric_difference_km2 / union_km2 } else { 0.0 },
        a_only_in_b_gray_km2: a_in_b_gray,
        b_only_in_a_gray_km2: b_in_a_gray,
        a_gray_meaning: a.layer(ControlClass::Gray).map(|_| gray_layer_meaning(&a.source)),
        b_gray_meaning: b.layer(ControlClass::Gray).map(|_| gray_layer_meaning(&b.source)),
    };
    Some((row, Disagreement { a_only, b_only }))
}

/// [`compare_with`], measuring both layers.
pub fn compare(
    a: &Snapshot,
    b: &Snapshot,
    class: ControlClass,
    reference: &Territory,
) -> Option<(Comparison, Disagreement)> {
    compare_with(a, b, class, reference, None)
}

/// One region's (or sector's) part of a comparison.
#[derive(Debug, Clone, Serialize)]
pub struct PartRow {
    /// Date of A's snapshot.
    pub a_date: NaiveDate,
    /// Date of B's snapshot.
    pub b_date: NaiveDate,
    /// Region or sector name.
    pub part: String,
    /// A's class inside the part, km² (`None` for sectors: a sector is a
    /// stretch of front, not a territory with an area).
    pub a_km2: Option<f64>,
    /// B's class inside the part, km² (`None` for sectors).
    pub b_km2: Option<f64>,
    /// Counted by A only, km².
    pub a_only_km2: f64,
    /// Counted by B only, km².
    pub b_only_km2: f64,
    /// A only + B only, km².
    pub symmetric_difference_km2: f64,
}

/// A comparison broken down by region: each region's share of A, B and of
/// the two differences. Regions where neither source has anything are left out.
pub fn by_region(
    a: &Snapshot,
    b: &Snapshot,
    class: ControlClass,
    d: &Disagreement,
    regions: &[Region],
) -> Vec<PartRow> {
    let (Some(la), Some(lb)) = (a.layer(class), b.layer(class)) else { return vec![] };
    regions
        .par_iter()
        .map(|r| {
            let a_only_km2 = area_within_km2(&d.a_only, &r.territory);
            let b_only_km2 = area_within_km2(&d.b_only, &r.territory);
            PartRow {
                a_date: a.date(),
                b_date: b.date(),
                part: r.name.clone(),
                a_km2: Some(area_within_km2(la, &r.territory)),
                b_km2: Some(area_within_km2(lb, &r.territory)),
                a_only_km2,
                b_only_km2,
                symmetric_difference_km2: a_only_km2 + b_only_km2,
            }
        })
        .filter(|r| r.a_km2.unwrap_or(0.0) > 0.0 || r.b_km2.unwrap_or(0.0) > 0.0)
        .collect()
}

/// A comparison broken down by front sector: each disagreement polygon goes
/// whole to the sector of its interior point (a polygon straddling two
/// sectors is counted in one; at the scale of a sector, tens of km, that
/// moves little).
pub fn by_sector(a: &Snapshot, b: &Snapshot, d: &Disagreement, sectors: &Sectors) -> Vec<PartRow> {
    let names = sectors.names();
    let mut a_only = vec![0.0; names.len()];
    let mut b_only = vec![0.0; names.len()];
    for (mp, sums) in [(&d.a_only, &mut a_only), (&d.b_only, &mut b_only)] {
        for p in &mp.0 {
            if let Some(ip) = p.interior_point() {
                let i = sectors.sector_of(ip.0);
                if let Some(s) = sums.get_mut(i) {
                    *s += p.geodesic_area_m2() / M2_PER_KM2;
                }
            }
        }
    }
    names
        .into_iter()
        .enumerate()
        .filter(|(i, _)| a_only[*i] > 0.0 || b_only[*i] > 0.0)
        .map(|(i, name)| PartRow {
            a_date: a.date(),
            b_date: b.date(),
            part: name,
            a_km2: None,
            b_km2: None,
            a_only_km2: a_only[i],
            b_only_km2: b_only[i],
            symmetric_difference_km2: a_only[i] + b_only[i],
        })
        .collect()
}

/// A settlement whose status (held / contested / occupied, measures.md
/// "Settlements") differs between the two snapshots.
#[derive(Debug, Clone, Serialize)]
pub struct PlaceDifference {
    /// The settlement's name.
    pub name: String,
    /// Its oblast.
    pub oblast: String,
    /// Its population (0 when unknown).
    pub population: u64,
    /// Its status on A's map.
    pub a_status: Status,
    /// Its status on B's map.
    pub b_status: Status,
    /// Occupied share of its footprint on A's map, per cent.
    pub a_occupied_pct: f64,
    /// Occupied share of its footprint on B's map, per cent.
    pub b_occupied_pct: f64,
}

/// The settlements the two snapshots place in different statuses, biggest
/// first. Uses the public [`StatusTable`] API (one table per snapshot).
pub fn status_differences(gazetteer: &Gazetteer, a: &Snapshot, b: &Snapshot) -> crate::Result<Vec<PlaceDifference>> {
    let (ta, tb) = rayon::join(
        || StatusTable::compute(gazetteer, std::slice::from_ref(a)),
        || StatusTable::compute(gazetteer, std::slice::from_ref(b)),
    );
    let (ta, tb) = (ta?, tb?);
    let mut out: Vec<PlaceDifference> = gazetteer
        .places()
        .iter()
        .filter_map(|p| {
            let (pa, pb) = (ta.point(p.id, 0), tb.point(p.id, 0));
            (pa.status != pb.status).then(|| PlaceDifference {
                name: p.name.clone(),
                oblast: p.oblast.clone(),
                population: p.population,
                a_status: pa.status,
                b_status: pb.status,
                a_occupied_pct: 100.0 * pa.occupied_fraction,
                b_occupied_pct: 100.0 * pb.occupied_fraction,
            })
        })
        .collect();
    out.sort_by_key(|d| std::cmp::Reverse(d.population));
    Ok(out)
}

/// The index of the date nearest to `d` (ties go to the earlier one);
/// `dates` sorted ascending, `None` when empty.
pub fn nearest(dates: &[NaiveDate], d: NaiveDate) -> Option<usize> {
    let i = dates.partition_point(|x| *x < d);
    let before = i.checked_sub(1);
    let after = (i < dates.len()).then_some(i);
    match (before, after) {
        (Some(b), Some(a)) => Some(if (dates[a] - d).num_days() < (d - dates[b]).num_days() { a } else { b }),
        (x, None) | (None, x) => x,
    }
}

/// Which snapshots to compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pairing {
    /// The snapshot of each source nearest to one date.
    On(NaiveDate),
    /// Every snapshot of the sparser source in `from..=to` (either bound
    /// optional), each with the other source's nearest snapshot, skipping
    /// pairs more than `max_days_apart` apart.
    Range {
        /// First date.
        from: Option<NaiveDate>,
        /// Last date.
        to: Option<NaiveDate>,
        /// Largest gap between the two dates of a pair, days.
        max_days_apart: i64,
    },
}

/// Pairs of indices `(into a_dates, into b_dates)`, in date order, without
/// repeats. Both date lists sorted ascending.
pub fn pair_dates(a_dates: &[NaiveDate], b_dates: &[NaiveDate], pairing: Pairing) -> Vec<(usize, usize)> {
    match pairing {
        Pairing::On(d) => match (nearest(a_dates, d), nearest(b_dates, d)) {
            (Some(i), Some(j)) => vec![(i, j)],
            _ => vec![],
        },
        Pairing::Range { from, to, max_days_apart } => {
            let in_range = |d: &NaiveDate| from.is_none_or(|f| *d >= f) && to.is_none_or(|t| *d <= t);
            let count = |ds: &[NaiveDate]| ds.iter().filter(|d| in_range(d)).count();
            // The sparser source drives: each of its snapshots is compared
            // once, with the denser source's nearest one.
            let a_drives = count(a_dates) <= count(b_dates);
            let (driver, other) = if a_drives { (a_dates, b_dates) } else { (b_dates, a_dates) };
            let mut out: Vec<(usize, usize)> = driver
                .iter()
                .enumerate()
                .filter(|(_, d)| in_range(d))
                .filter_map(|(i, d)| {
                    let j = nearest(other, *d)?;
                    ((other[j] - *d).num_days().abs() <= max_days_apart).then_some(if a_drives {
                        (i, j)
                    } else {
                        (j, i)
                    })
                })
                .collect();
            out.dedup();
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Layer;
    use chrono::TimeZone;
    use geo::polygon;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    fn snap(source: &str, date: &str, layers: Vec<(ControlClass, MultiPolygon<f64>)>) -> Snapshot {
        let t = chrono::Utc.from_utc_datetime(&d(date).and_hms_opt(0, 0, 0).expect("midnight"));
        Snapshot {
            source: SourceId::new(source),
            taken_at: t,
            layers: layers.into_iter().map(|(class, geometry)| Layer { class, geometry }).collect(),
        }
    }

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
        MultiPolygon::new(vec![polygon![(x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1)]])
    }

    #[test]
    fn nearest_prefers_the_closer_then_the_earlier() {
        let dates = [d("2022-04-25"), d("2022-05-02"), d("2022-05-09")];
        assert_eq!(nearest(&dates, d("2022-05-01")), Some(1));
        // 2022-04-28: 3 days after 04-25, 4 days before 05-02.
        assert_eq!(nearest(&dates, d("2022-04-28")), Some(0));
        assert_eq!(nearest(&dates, d("2022-04-30")), Some(1));
        assert_eq!(nearest(&dates, d("2022-05-30")), Some(2));
        assert_eq!(nearest(&dates, d("2020-01-01")), Some(0));
        assert_eq!(nearest(&[], d("2020-01-01")), None);
        // A tie (3 days each way) goes to the earlier snapshot.
        assert_eq!(nearest(&[d("2022-01-01"), d("2022-01-07")], d("2022-01-04")), Some(0));
    }

    #[test]
    fn the_sparser_source_drives_the_pairs() {
        let daily: Vec<NaiveDate> = (1..=20).map(|i| d("2024-12-31") + chrono::Duration::days(i)).collect();
        let weekly = [d("2025-01-01"), d("2025-01-08"), d("2025-01-15"), d("2025-03-01")];
        let pairs = pair_dates(&daily, &weekly, Pairing::Range { from: None, to: None, max_days_apart: 3 });
        // 2025-03-01 is 40 days after the last daily date: skipped.
        let got: Vec<(NaiveDate, NaiveDate)> = pairs.iter().map(|(i, j)| (daily[*i], weekly[*j])).collect();
        assert_eq!(
            got,
            vec![
                (d("2025-01-01"), d("2025-01-01")),
                (d("2025-01-08"), d("2025-01-08")),
                (d("2025-01-15"), d("2025-01-15"))
            ]
        );
    }

    #[test]
    fn disagreement_of_two_overlapping_squares() {
        // A = [30,32]×[48,49], B = [31,33]×[48,49]: A only is [30,31], B only
        // [32,33], both [31,32]. B's gray covers [30,30.5]×[48,49], half of A only.
        let reference = Territory::new("box", rect(29.0, 47.0, 34.0, 50.0));
        let a = snap("deepstate-raw", "2022-05-02", vec![(ControlClass::Occupied, rect(30.0, 48.0, 32.0, 49.0))]);
        let b = snap(
            "isw",
            "2022-05-01",
            vec![
                (ControlClass::Occupied, rect(31.0, 48.0, 33.0, 49.0)),
                (ControlClass::Gray, rect(30.0, 48.0, 30.5, 49.0)),
            ],
        );
        let (row, geom) = compare(&a, &b, ControlClass::Occupied, &reference).expect("both have occupied");
        // Hand check on the ellipsoid: the strips [30,31] and [32,33] between
        // the same parallels have the same area (longitude does not matter).
        let strip = rect(30.0, 48.0, 31.0, 49.0).geodesic_area_m2() / 1e6;
        assert!((row.a_only_km2 - strip).abs() < 1e-6 * strip, "{}", row.a_only_km2);
        assert!((row.b_only_km2 - strip).abs() < 1e-6 * strip);
        // "Both" is A minus A only. The 2°-wide A is not two 1° strips on the
        // ellipsoid (its long edges are geodesics, which bow poleward, while
        // the overlay splits them at 31°E), so it is measured, not doubled.
        let a_km2 = rect(30.0, 48.0, 32.0, 49.0).geodesic_area_m2() / 1e6;
        assert!((row.both_km2 - (a_km2 - strip)).abs() < 1e-6 * strip);
        assert!((row.symmetric_difference_km2 - 2.0 * strip).abs() < 1e-6 * strip);
        // A third of the union, within the bow of the geodesic edges.
        assert!((row.disagreement_pct - 200.0 / 3.0).abs() < 0.1, "{}", row.disagreement_pct);
        // The overlap is exactly the gray rectangle [30,30.5]×[48,49].
        let half = row.a_only_in_b_gray_km2.expect("B has gray");
        let gray_km2 = rect(30.0, 48.0, 30.5, 49.0).geodesic_area_m2() / 1e6;
        assert!((half - gray_km2).abs() < 1e-6 * strip, "{half} vs {gray_km2}");
        // A has no gray layer: not zero, absent.
        assert_eq!(row.b_only_in_a_gray_km2, None);
        assert_eq!(row.a_gray_meaning, None);
        assert_eq!(row.b_gray_meaning, Some(gray_layer_meaning(&SourceId::new("isw"))));
        assert_eq!(row.days_apart, -1);
        assert_eq!(geom.a_only.0.len(), 1);
        // Clipping: a reference that stops at 32.5°E leaves [32,32.5] of B only.
        let narrow = Territory::new("narrow", rect(29.0, 47.0, 32.5, 50.0));
        let (row, _) = compare(&a, &b, ControlClass::Occupied, &narrow).expect("both have occupied");
        let kept = rect(32.0, 48.0, 32.5, 49.0).geodesic_area_m2() / 1e6;
        assert!((row.b_only_km2 - kept).abs() < 1e-6 * strip, "{} vs {kept}", row.b_only_km2);
    }

    #[test]
    fn settlements_placed_differently_are_listed_biggest_first() {
        use crate::places::{FootprintKind, Place};
        // Three square "towns": West lies in A's occupied ground only, Mid
        // in both, East in neither; the occupied strips are A = [30,32],
        // B = [31,33] (longitude), 48°..49° N.
        let town = |name: &str, x: f64, population: u64| Place {
            population,
            class: Some("town".into()),
            ..Place::for_test(
                name,
                geo::Coord { x: x + 0.01, y: 48.41 },
                rect(x, 48.4, x + 0.02, 48.42).0.remove(0),
                FootprintKind::OsmPolygon,
            )
        };
        let g = Gazetteer::from_places(vec![
            town("West", 30.5, 1000),
            town("Mid", 31.5, 5000),
            town("East", 33.5, 9000),
            town("FarEast", 32.5, 20000),
        ]);
        let a = snap("a", "2024-01-01", vec![(ControlClass::Occupied, rect(30.0, 48.0, 32.0, 49.0))]);
        let b = snap("b", "2024-01-01", vec![(ControlClass::Occupied, rect(31.0, 48.0, 33.0, 49.0))]);
        let diffs = status_differences(&g, &a, &b).expect("status tables");
        let got: Vec<(&str, Status, Status)> =
            diffs.iter().map(|d| (d.name.as_str(), d.a_status, d.b_status)).collect();
        // FarEast (B only, 20k people) first, then West (A only); Mid and East agree.
        assert_eq!(got, vec![("FarEast", Status::Held, Status::Occupied), ("West", Status::Occupied, Status::Held)]);
        assert!((diffs[1].a_occupied_pct - 100.0).abs() < 1e-6);
    }

    #[test]
    fn meanings_of_gray_stay_apart() {
        assert_ne!(gray_layer_meaning(&SourceId::new("deepstate-raw")), gray_layer_meaning(&SourceId::new("isw")));
    }
}
