//! Per-sector front length, and how the front moved between two snapshots:
//! area gained and lost per sector, each sector's share of the gain, and the
//! advance of the line (measures.md, "Change" and "Frontline").

use super::extract::{FrontExtractor, Frontline, Hostile};
use super::local::{point_segment_distance, short_distance_m, LocalPlane};
use super::sectors::Sectors;
use crate::coord_key::{edge_key, CoordSet, EdgeKey};
use crate::error::{Error, Result};
use crate::geodesy::GeodesicAreaM2;
use crate::model::Snapshot;
use chrono::NaiveDate;
use geo::{Centroid, Contains, Coord, MultiLineString, MultiPolygon};
use rstar::primitives::Line as RLine;
use rstar::{RTree, AABB};
use serde::Serialize;

/// Spacing of the points sampled along the later front (measures.md).
pub const SAMPLE_SPACING_M: f64 = 1_000.0;

/// Below this a sample is on the earlier line: no sign to decide.
const SAME_LINE_M: f64 = 1.0;

/// One sector's share of a front.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectorLength {
    /// Sector name.
    pub sector: String,
    /// Geodesic length of the front in the sector, km.
    pub length_km: f64,
}

/// Splits a front into sectors; the lengths sum to the front's length.
pub fn sector_lengths(front: &MultiLineString<f64>, sectors: &Sectors) -> Vec<SectorLength> {
    walk_front(front, Some(sectors), None).0
}

/// One pass along a front: per-sector lengths and, when a spacing is given,
/// the sample points every `spacing_m` along each line (from its start).
/// Segment lengths are geodesic (short ones through the local plane, within
/// millimetres of GeographicLib).
fn walk_front(
    front: &MultiLineString<f64>,
    sectors: Option<&Sectors>,
    spacing_m: Option<f64>,
) -> (Vec<SectorLength>, Vec<Sample>) {
    let mut km = vec![0.0; sectors.map_or(0, Sectors::len)];
    let mut pieces = Vec::new();
    let mut samples = Vec::new();
    for line in &front.0 {
        let mut next_m = 0.0;
        let mut walked_m = 0.0;
        for seg in line.lines() {
            let len_m = short_distance_m(seg.start, seg.end);
            if let Some(sectors) = sectors {
                sectors.split_segment(seg.start, seg.end, &mut pieces);
                for &(s, t0, t1) in &pieces {
                    km[s] += len_m / 1e3 * (t1 - t0);
                }
            }
            if let Some(spacing_m) = spacing_m {
                while next_m <= walked_m + len_m && len_m > 0.0 {
                    let t = (next_m - walked_m) / len_m;
                    samples.push(Sample {
                        at: seg.start + (seg.end - seg.start) * t,
                        segment: segment_key(seg.start, seg.end),
                    });
                    next_m += spacing_m;
                }
            }
            walked_m += len_m;
        }
    }
    let lengths = sectors
        .map(Sectors::names)
        .unwrap_or_default()
        .into_iter()
        .zip(km)
        .map(|(sector, length_km)| SectorLength { sector, length_km })
        .collect();
    (lengths, samples)
}

/// How far the line moved: signed distances (km) from points sampled every
/// [`SAMPLE_SPACING_M`] along the later front to the earlier front, positive
/// where the point lies in ground that changed hands toward the attacker.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Advance {
    /// Number of sample points.
    pub samples: usize,
    /// Mean signed distance, km.
    pub mean_km: f64,
    /// Largest signed distance (the farthest advance), km.
    pub max_km: f64,
    /// Most negative signed distance (the farthest retreat), km.
    pub min_km: f64,
    /// `mean_km` per day between the snapshots.
    pub mean_rate_km_per_day: f64,
    /// `max_km` per day between the snapshots.
    pub max_rate_km_per_day: f64,
}

impl Advance {
    fn from_samples(d_km: &[f64], days: f64) -> Option<Advance> {
        if d_km.is_empty() {
            return None;
        }
        let mean_km = d_km.iter().sum::<f64>() / d_km.len() as f64;
        let max_km = d_km.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let min_km = d_km.iter().copied().fold(f64::INFINITY, f64::min);
        Some(Advance {
            samples: d_km.len(),
            mean_km,
            max_km,
            min_km,
            mean_rate_km_per_day: mean_km / days,
            max_rate_km_per_day: max_km / days,
        })
    }
}

/// One sector's change between two snapshots.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectorChange {
    /// Sector name.
    pub sector: String,
    /// Front length in the sector at the later snapshot, km.
    pub front_length_km: f64,
    /// Area that changed hands toward the attacker, km².
    pub gained_km2: f64,
    /// Area that changed hands away from the attacker, km².
    pub lost_km2: f64,
    /// `gained_km2 - lost_km2`.
    pub net_km2: f64,
    /// This sector's share of the total gain, % (0 when nothing was gained).
    pub gained_share_pct: f64,
    /// The line's advance in the sector (`None` without samples there).
    pub advance: Option<Advance>,
}

/// The change of the front between two snapshots a < b.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrontChange {
    /// The earlier snapshot's date.
    pub date_a: NaiveDate,
    /// The later snapshot's date.
    pub date_b: NaiveDate,
    /// Days between the two snapshots' instants.
    pub days: f64,
    /// The reference territory.
    pub reference: String,
    /// The land outline that marks the coast, if any.
    pub coast: Option<String>,
    /// Which territory counts as hostile.
    pub hostile: Hostile,
    /// Spacing of the advance samples, km.
    pub sample_spacing_km: f64,
    /// Front length at a, km.
    pub front_a_km: f64,
    /// Front length at b, km.
    pub front_b_km: f64,
    /// Total gained area inside the reference, km².
    pub gained_km2: f64,
    /// Total lost area inside the reference, km².
    pub lost_km2: f64,
    /// `gained_km2 - lost_km2`.
    pub net_km2: f64,
    /// The advance over the whole front.
    pub advance: Option<Advance>,
    /// Per sector, in the sectors' order.
    pub sectors: Vec<SectorChange>,
    /// Gained area as polygons (not serialised).
    #[serde(skip)]
    pub gained: MultiPolygon<f64>,
    /// Lost area as polygons (not serialised).
    #[serde(skip)]
    pub lost: MultiPolygon<f64>,
}

/// The change between two snapshots, extracting both fronts.
pub fn front_change(extractor: &FrontExtractor, sectors: &Sectors, a: &Snapshot, b: &Snapshot) -> Result<FrontChange> {
    let fa = extractor.frontline(a);
    let fb = extractor.frontline(b);
    front_change_with(extractor, sectors, a, &fa, b, &fb)
}

/// The change between two snapshots whose fronts are already extracted
/// (with the same extractor), for series where each front serves two pairs.
pub fn front_change_with(
    extractor: &FrontExtractor,
    sectors: &Sectors,
    a: &Snapshot,
    front_a: &Frontline,
    b: &Snapshot,
    front_b: &Frontline,
) -> Result<FrontChange> {
    if a.taken_at >= b.taken_at {
        return Err(Error::Request(format!(
            "front change needs an earlier and a later snapshot, got {} then {}",
            a.taken_at, b.taken_at
        )));
    }
    let days = (b.taken_at - a.taken_at).num_seconds() as f64 / 86_400.0;
    let hostile = extractor.options().hostile;
    let (ha, hb) = (hostile.of(a), hostile.of(b));
    // Both are valid, consistently oriented layers: only their changed edges
    // need overlaying.
    let (gained, lost) = crate::overlay::gained_lost(&ha, &hb);
    let (gained, lost) = (extractor.clip_to_reference(&gained), extractor.clip_to_reference(&lost));

    let n = sectors.len();
    let mut gained_m2 = vec![0.0; n];
    let mut lost_m2 = vec![0.0; n];
    for (mp, acc) in [(&gained, &mut gained_m2), (&lost, &mut lost_m2)] {
        for p in &mp.0 {
            if let Some(c) = p.centroid() {
                acc[sectors.sector_of(c.0)] += p.geodesic_area_m2();
            }
        }
    }
    let gained_total_m2: f64 = gained_m2.iter().sum();
    let lost_total_m2: f64 = lost_m2.iter().sum();

    let (lengths, points) = walk_front(&front_b.lines, Some(sectors), Some(SAMPLE_SPACING_M));
    let samples = signed_distances(&front_a.lines, points, &ha);
    let mut per_sector: Vec<Vec<f64>> = vec![vec![]; n];
    let mut all = Vec::with_capacity(samples.len());
    for (p, d_km) in samples {
        per_sector[sectors.sector_of(p)].push(d_km);
        all.push(d_km);
    }
    let sectors_out = lengths
        .into_iter()
        .enumerate()
        .map(|(i, sl)| SectorChange {
            sector: sl.sector,
            front_length_km: sl.length_km,
            gained_km2: gained_m2[i] / 1e6,
            lost_km2: lost_m2[i] / 1e6,
            net_km2: (gained_m2[i] - lost_m2[i]) / 1e6,
            gained_share_pct: if gained_total_m2 > 0.0 { 100.0 * gained_m2[i] / gained_total_m2 } else { 0.0 },
            advance: Advance::from_samples(&per_sector[i], days),
        })
        .collect();
    Ok(FrontChange {
        date_a: a.date(),
        date_b: b.date(),
        days,
        reference: extractor.reference_name().to_string(),
        coast: extractor.coast_name().map(str::to_string),
        hostile,
        sample_spacing_km: SAMPLE_SPACING_M / 1e3,
        front_a_km: front_a.length_km,
        front_b_km: front_b.length_km,
        gained_km2: gained_total_m2 / 1e6,
        lost_km2: lost_total_m2 / 1e6,
        net_km2: (gained_total_m2 - lost_total_m2) / 1e6,
        advance: Advance::from_samples(&all, days),
        sectors: sectors_out,
        gained,
        lost,
    })
}

/// Points every `spacing_m` along each line, from its start.
pub fn sample_points(lines: &MultiLineString<f64>, spacing_m: f64) -> Vec<Coord<f64>> {
    walk_front(lines, None, Some(spacing_m)).1.into_iter().map(|s| s.at).collect()
}

/// A point sampled along a front, with the segment it lies on.
struct Sample {
    at: Coord<f64>,
    segment: EdgeKey,
}

/// A segment's identity, whichever way it runs.
fn segment_key(a: Coord<f64>, b: Coord<f64>) -> EdgeKey {
    if (a.x, a.y) <= (b.x, b.y) {
        edge_key(a, b)
    } else {
        edge_key(b, a)
    }
}

/// Below this many (sample, segment) pairs the off-line samples are
/// measured against every segment rather than through an R-tree.
const BRUTE_FORCE_PAIRS: usize = 200_000;

/// Signed distance (km) from each sample of `front_b` to `front_a`.
/// Empty when either front is empty (no line to measure from).
pub fn advance_samples(
    front_a: &MultiLineString<f64>,
    front_b: &MultiLineString<f64>,
    hostile_a: &MultiPolygon<f64>,
) -> Vec<(Coord<f64>, f64)> {
    let samples = walk_front(front_b, None, Some(SAMPLE_SPACING_M)).1;
    signed_distances(front_a, samples, hostile_a)
}

fn signed_distances(
    front_a: &MultiLineString<f64>,
    samples: Vec<Sample>,
    hostile_a: &MultiPolygon<f64>,
) -> Vec<(Coord<f64>, f64)> {
    if front_a.0.iter().all(|l| l.0.len() < 2) {
        return vec![];
    }
    // Most of a front does not move from one day to the next: a sample on a
    // segment that front_a has too is at distance 0, no search needed.
    let shared: CoordSet<EdgeKey> =
        front_a.0.iter().flat_map(|l| l.lines()).map(|s| segment_key(s.start, s.end)).collect();
    let mut out = Vec::with_capacity(samples.len());
    let mut off = Vec::new();
    for s in samples {
        if shared.contains(&s.segment) {
            out.push((s.at, 0.0));
        } else {
            off.push(s.at);
        }
    }
    let segments: Vec<(Coord<f64>, Coord<f64>)> =
        front_a.0.iter().flat_map(|l| l.lines()).map(|s| (s.start, s.end)).collect();
    let distances_m = if off.len() * segments.len() <= BRUTE_FORCE_PAIRS {
        off.iter()
            .map(|&p| {
                let plane = LocalPlane::at(p);
                let origin = Coord { x: 0.0, y: 0.0 };
                segments
                    .iter()
                    .map(|&(a, b)| point_segment_distance(origin, plane.metres(a), plane.metres(b)))
                    .fold(f64::INFINITY, f64::min)
            })
            .collect()
    } else {
        nearest_by_tree(&segments, &off)
    };
    for (p, d_m) in off.into_iter().zip(distances_m) {
        let signed_m = if d_m > SAME_LINE_M && hostile_a.contains(&p) { -d_m } else { d_m };
        out.push((p, signed_m / 1e3));
    }
    out
}

/// Distance (m) from each point to the nearest segment, through an R-tree.
fn nearest_by_tree(segments: &[(Coord<f64>, Coord<f64>)], points: &[Coord<f64>]) -> Vec<f64> {
    let mean_lat = segments.iter().map(|s| s.0.y).sum::<f64>() / segments.len().max(1) as f64;
    // Index in degrees with longitude shrunk by the mean latitude's cosine,
    // so the index's nearest neighbour is close to the metric one; the exact
    // minimum is then taken in a local plane over every candidate nearby.
    let k = mean_lat.to_radians().cos();
    let tree: RTree<RLine<[f64; 2]>> =
        RTree::bulk_load(segments.iter().map(|(a, b)| RLine::new([a.x * k, a.y], [b.x * k, b.y])).collect());
    let unscale = |p: [f64; 2]| Coord { x: p[0] / k, y: p[1] };
    points
        .iter()
        .map(|&p| {
            let plane = LocalPlane::at(p);
            let origin = Coord { x: 0.0, y: 0.0 };
            let seg_m = |s: &RLine<[f64; 2]>| {
                point_segment_distance(origin, plane.metres(unscale(s.from)), plane.metres(unscale(s.to)))
            };
            let Some(near) = tree.nearest_neighbor(&[p.x * k, p.y]) else {
                return f64::INFINITY;
            };
            let first_m = seg_m(near);
            let (dx, dy) = plane.degrees_for(first_m);
            let env = AABB::from_corners([(p.x - dx) * k, p.y - dy], [(p.x + dx) * k, p.y + dy]);
            tree.locate_in_envelope_intersecting(&env).map(seg_m).fold(first_m, f64::min)
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::front::{DirectionTown, FrontOptions};
    use crate::model::{ControlClass, SourceId};
    use crate::regions::Territory;
    use chrono::{TimeZone, Utc};
    use geo::polygon;

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
        MultiPolygon::new(vec![polygon![(x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1)]])
    }

    fn snapshot(day: u32, occupied: MultiPolygon<f64>) -> Snapshot {
        let mut s = Snapshot {
            source: SourceId::new("test"),
            taken_at: Utc.with_ymd_and_hms(2025, 1, day, 3, 0, 0).unwrap(),
            layers: vec![],
        };
        s.set_layer(ControlClass::Occupied, occupied);
        s
    }

    fn two_towns(lat: f64) -> Sectors {
        Sectors::from_towns(vec![
            DirectionTown { name: "west".into(), lon: 29.0, lat },
            DirectionTown { name: "east".into(), lon: 32.0, lat },
        ])
        .unwrap()
    }

    /// Hostile spans lon 29..32 (beyond the reference's lon 30..31), so the
    /// front is the one parallel across the reference; it moves north by
    /// exactly 2 km between day 1 and day 5.
    fn check_two_km(lat0: f64, lat_b: f64, strip_m2: f64) {
        let reference = Territory::new("ref", rect(30.0, lat0 - 1.0, 31.0, lat0 + 1.0));
        let ex = FrontExtractor::new(&reference, None, FrontOptions::default()).unwrap();
        let a = snapshot(1, rect(29.0, lat0 - 2.0, 32.0, lat0));
        let b = snapshot(5, rect(29.0, lat0 - 2.0, 32.0, lat_b));
        let sectors = two_towns(lat0);
        let c = front_change(&ex, &sectors, &a, &b).unwrap();
        let adv = c.advance.clone().unwrap();
        assert!((adv.mean_km - 2.0).abs() < 0.005, "{adv:?}");
        assert!((adv.max_km - 2.0).abs() < 0.005, "{adv:?}");
        assert!((adv.min_km - 2.0).abs() < 0.005, "{adv:?}");
        assert!((adv.mean_rate_km_per_day - 0.5).abs() < 0.002, "{adv:?}");
        // Samples every km along a front of (1° of longitude - 1 km).
        let front_km = c.front_b_km;
        assert_eq!(adv.samples, front_km.floor() as usize + 1);
        // The gained strip, clipped to lon 30..31 (oracle area).
        assert!((c.gained_km2 * 1e6 - strip_m2).abs() < 1e-6 * strip_m2, "{}", c.gained_km2);
        assert_eq!(c.lost_km2, 0.0);
        // The strip's centroid is east of the bisector lon 30.5 by a hair or
        // west: either way one sector holds 100 %.
        let shares: f64 = c.sectors.iter().map(|s| s.gained_share_pct).sum();
        assert!((shares - 100.0).abs() < 1e-9);
        // Each sector holds half the front (the bisector is lon 30.5).
        let (w, e) = (c.sectors[0].front_length_km, c.sectors[1].front_length_km);
        assert!((w - e).abs() < 0.002 && (w + e - front_km).abs() < 1e-9, "{w} {e}");
        // Backwards the line retreats 2 km.
        let back = front_change(
            &ex,
            &sectors,
            &snapshot(1, b.class_or_empty(ControlClass::Occupied)),
            &snapshot(5, a.class_or_empty(ControlClass::Occupied)),
        )
        .unwrap();
        let adv = back.advance.unwrap();
        assert!((adv.mean_km + 2.0).abs() < 0.005 && (adv.max_km + 2.0).abs() < 0.005, "{adv:?}");
        assert!((back.lost_km2 * 1e6 - strip_m2).abs() < 1e-6 * strip_m2);
    }

    #[test]
    fn two_km_advance_at_48n() {
        // benches/oracles/front_synthetic.py
        check_two_km(48.0, 48.017_987_148_581, 149_222_279.317_688);
    }

    #[test]
    fn two_km_advance_at_60n() {
        // benches/oracles/front_synthetic.py
        check_two_km(60.0, 60.017_951_316_750, 111_566_231.118_530);
    }

    #[test]
    fn tree_search_finds_the_line_2_km_away() {
        // The R-tree path (used for many off-line samples): segments of
        // 0.01° along lat 48, points on the parallel 2 km north (oracle
        // latitude), and one point 2 km north of the line's west end.
        let lat_b = 48.017_987_148_581;
        let segments: Vec<(Coord<f64>, Coord<f64>)> = (0..100)
            .map(|i| {
                let x = 30.0 + 0.01 * i as f64;
                (Coord { x, y: 48.0 }, Coord { x: x + 0.01, y: 48.0 })
            })
            .collect();
        let points: Vec<Coord<f64>> = (0..50).map(|i| Coord { x: 30.01 + 0.019 * i as f64, y: lat_b }).collect();
        for d in nearest_by_tree(&segments, &points) {
            assert!((d - 2_000.0).abs() < 2.0, "{d}");
        }
    }

    #[test]
    fn reversed_dates_are_refused() {
        let reference = Territory::new("ref", rect(30.0, 47.0, 31.0, 49.0));
        let ex = FrontExtractor::new(&reference, None, FrontOptions::default()).unwrap();
        let s = two_towns(48.0);
        let a = snapshot(1, rect(29.0, 46.0, 32.0, 48.0));
        assert!(front_change(&ex, &s, &a, &a).is_err());
    }

    #[test]
    fn sampling_every_km() {
        // A meridian arc of 111,200.037 m (oracle) gives samples at 0..=111 km.
        let line = MultiLineString::new(vec![geo::LineString::from(vec![(31.0, 48.0), (31.0, 49.0)])]);
        let pts = sample_points(&line, 1000.0);
        assert_eq!(pts.len(), 112);
        let d = crate::geodesy::distance_m(pts[0], pts[111]);
        assert!((d - 111_000.0).abs() < 1.0, "{d}");
    }
}
