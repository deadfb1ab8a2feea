//! Settlement status over time (measures.md, "Settlements"): occupied and
//! gray fractions of every footprint, the distance from every settlement to
//! the nearest hostile territory, status, capture and retake dates.
//!
//! # How it is fast
//! Consecutive daily maps share almost all their edges (a day's changes are
//! a few dozen edges). A snapshot's hostile geometry is compared with the
//! previous one's edge by edge; the *changed* edges (in one map but not the
//! other) bound the region D that changed hands, because the boundary of
//! A Δ B lies on edges that are not common to A and B, and a point lies in
//! D exactly when a ray from it crosses changed edges an odd number of
//! times. A settlement's fraction can change only if its footprint's bounding
//! box meets a changed edge or the footprint lies inside D; its distance
//! only if it lies inside D or a changed edge is nearer than its previous
//! distance. Everything else is copied from the previous snapshot, so the
//! result is the same as a full recomputation (no approximation is made
//! by skipping). Snapshots are cut into chunks that run in parallel, each
//! starting with a full computation.
//!
//! # Fractions
//! Where no hostile edge's bounding box meets the footprint's, the footprint
//! is wholly inside or outside, told by one point-in-polygon test. Otherwise
//! the hostile rings are clipped to the footprint's bounding box
//! (Sutherland–Hodgman), intersected with the footprint (geo's BooleanOps)
//! and the intersection's geodesic area divided by the footprint's.
//!
//! # Distance to hostile territory
//! Hostile edges are indexed as 3-D chords between their endpoints' ECEF
//! positions. The straight chord is never longer than the geodesic, so
//! chord distance minus a per-edge allowance for the edge's bulge off its
//! chord is a lower bound of the geodesic distance: the nearest-neighbour
//! walk visits edges in order of that bound and stops once it exceeds the
//! best exact distance found. The exact distance to an edge is the geodesic
//! (GeographicLib inverse) to the point of the edge nearest in 3-D, which is
//! within a metre of the true nearest point's distance for edges of up to
//! tens of km. Distance is 0 for a settlement inside hostile territory.

use super::gazetteer::{Gazetteer, PlaceId};
use crate::error::{Error, Result};
use crate::geodesy::{self, GeodesicAreaM2};
use crate::model::{ControlClass, Snapshot};
use chrono::NaiveDate;
use geo::{BooleanOps, BoundingRect, Coord, MultiPolygon, Rect};
use rayon::prelude::*;
use rstar::{Envelope, PointDistance, RTree, RTreeObject, AABB};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;

/// Below this occupied and gray fraction a settlement is held (measures.md).
pub const HELD_BELOW: f64 = 0.05;
/// From this occupied fraction a settlement is occupied (measures.md).
pub const OCCUPIED_FROM: f64 = 0.95;
/// Consecutive snapshots a new state must last to count (measures.md, "Capture date").
pub const PERSISTENCE_SNAPSHOTS: usize = 3;

/// A settlement's status at one snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Occupied < 5 % and gray < 5 %.
    Held,
    /// Anything between.
    Contested,
    /// Occupied ≥ 95 %.
    Occupied,
}

impl Status {
    /// The status of fractions, by measures.md's thresholds.
    pub fn of(occupied_fraction: f64, gray_fraction: f64) -> Status {
        if occupied_fraction >= OCCUPIED_FROM {
            Status::Occupied
        } else if occupied_fraction < HELD_BELOW && gray_fraction < HELD_BELOW {
            Status::Held
        } else {
            Status::Contested
        }
    }
}

/// The capture-date rule: threshold θ and persistence.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CaptureRule {
    /// Occupied fraction at which a settlement counts as captured (0..1).
    pub theta: f64,
    /// Consecutive snapshots the fraction must stay at or above θ (below, for a retake).
    pub persistence: usize,
}

impl CaptureRule {
    /// θ with the default persistence of 3 snapshots.
    pub fn at(theta: f64) -> Self {
        CaptureRule { theta, persistence: PERSISTENCE_SNAPSHOTS }
    }
}

impl Default for CaptureRule {
    fn default() -> Self {
        CaptureRule::at(0.5)
    }
}

/// Which way control changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// The occupied fraction reached θ and stayed.
    Captured,
    /// It fell back below θ and stayed.
    Retaken,
}

/// A capture or retake of one settlement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ControlChange {
    /// The settlement.
    pub place: PlaceId,
    /// The first snapshot date of the run that satisfied the rule.
    pub date: NaiveDate,
    /// That snapshot's index in [`StatusTable::dates`].
    pub snapshot: usize,
    /// Captured or retaken.
    pub direction: Direction,
    /// The rule applied.
    pub rule: CaptureRule,
    /// The run starts at the first snapshot: the change happened on or
    /// before `date`, not on it.
    pub at_first_snapshot: bool,
}

/// A change of status (held / contested / occupied) lasting at least the
/// persistence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusChange {
    /// First snapshot date of the new status.
    pub date: NaiveDate,
    /// That snapshot's index.
    pub snapshot: usize,
    /// The status before (None at the first snapshot).
    pub from: Option<Status>,
    /// The new status.
    pub to: Status,
}

/// One settlement at one snapshot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusPoint {
    /// Snapshot date.
    pub date: NaiveDate,
    /// area(footprint ∩ occupied) / area(footprint).
    pub occupied_fraction: f64,
    /// The same for gray; None when the source has no gray zone.
    pub gray_fraction: Option<f64>,
    /// Geodesic distance from the settlement's point to the nearest
    /// occupied territory (0 inside); None when nothing is occupied.
    pub distance_m: Option<f64>,
    /// Held / contested / occupied.
    pub status: Status,
}

/// A settlement that changed hands in a period, for "largest city to fall since ...".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HandChange {
    /// The change.
    #[serde(flatten)]
    pub change: ControlChange,
    /// Name of the settlement.
    pub name: String,
    /// Its oblast.
    pub oblast: String,
    /// Its population.
    pub population: u64,
}

/// Per-(settlement, snapshot) fractions and distances, place-major.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusTable {
    dates: Vec<NaiveDate>,
    places: usize,
    /// occupied[place * dates.len() + snapshot]; f32 keeps the table small
    /// (7 significant digits is far below the maps' precision).
    occupied: Runs,
    gray: Option<Runs>,
    /// Metres; infinite where nothing is occupied.
    distance_m: Runs,
}

/// A long place-major column of f32 kept as runs of bit-identical values.
/// The sweep copies a settlement's value from the previous snapshot unless
/// a changed edge comes near it, so a village far from the front keeps one
/// value for months: the 26,000 settlements × 769 daily snapshots (20 M
/// cells per column, 80 MB) are a few hundred thousand runs, which the
/// store decodes in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Runs {
    /// Number of cells.
    cells: usize,
    /// Index of the first cell of each run, ascending, starting at 0.
    starts: Vec<u32>,
    /// The value of each run.
    values: Vec<f32>,
}

impl Runs {
    /// From per-snapshot rows (`rows[snapshot][place]`), place-major.
    fn from_rows(rows: &[Vec<f32>], places: usize) -> Result<Runs> {
        let snapshots = rows.len();
        if places.saturating_mul(snapshots) >= u32::MAX as usize {
            return Err(Error::Request(format!(
                "{places} settlements × {snapshots} snapshots is too many for one status table; narrow the period"
            )));
        }
        let mut runs = Runs { cells: places * snapshots, starts: vec![], values: vec![] };
        let mut last: Option<u32> = None;
        for p in 0..places {
            for (s, row) in rows.iter().enumerate() {
                let v = row.get(p).copied().unwrap_or(0.0);
                if last != Some(v.to_bits()) {
                    runs.starts.push((p * snapshots + s) as u32);
                    runs.values.push(v);
                    last = Some(v.to_bits());
                }
            }
        }
        Ok(runs)
    }

    /// The value at a cell; NaN past the end.
    fn get(&self, i: usize) -> f32 {
        if i >= self.cells {
            return f32::NAN;
        }
        let k = self.starts.partition_point(|&s| s as usize <= i);
        k.checked_sub(1).and_then(|k| self.values.get(k)).copied().unwrap_or(f32::NAN)
    }

    /// The values of cells `start..start + len`, as [`Runs::get`] gives
    /// them one by one, in one binary search and a walk: a whole place's
    /// history costs its snapshots plus its runs, not a search per cell
    /// (`captured` reads every place's history).
    fn row(&self, start: usize, len: usize) -> Vec<f32> {
        let mut k = self.starts.partition_point(|&s| s as usize <= start);
        (start..start.saturating_add(len))
            .map(|i| {
                if i >= self.cells {
                    return f32::NAN;
                }
                while self.starts.get(k).is_some_and(|&s| s as usize <= i) {
                    k += 1;
                }
                k.checked_sub(1).and_then(|k| self.values.get(k)).copied().unwrap_or(f32::NAN)
            })
            .collect()
    }

    /// Number of runs.
    fn len(&self) -> usize {
        self.values.len()
    }
}

impl StatusTable {
    /// Computes every settlement at every snapshot. Snapshots may come in
    /// any order; the table is sorted by time. The gray fraction is computed
    /// when any snapshot has a gray layer.
    pub fn compute(gazetteer: &Gazetteer, snapshots: &[Snapshot]) -> Result<StatusTable> {
        let mut order: Vec<usize> = (0..snapshots.len()).collect();
        order.sort_by_key(|&i| snapshots[i].taken_at);
        let sorted: Vec<&Snapshot> = order.iter().map(|&i| &snapshots[i]).collect();
        let targets: Vec<Target> = gazetteer
            .places()
            .iter()
            .map(|p| Target::new(&p.footprint.geometry, p.footprint.area_m2, p.point()))
            .collect::<Result<_>>()?;
        let empty = MultiPolygon::new(vec![]);
        let occupied_layers: Vec<&MultiPolygon<f64>> =
            sorted.iter().map(|s| s.layer(ControlClass::Occupied).unwrap_or(&empty)).collect();
        let has_gray = sorted.iter().any(|s| s.layer(ControlClass::Gray).is_some());
        let (occupied_rows, distance_rows) = sweep(&targets, &occupied_layers, true);
        let gray_rows = has_gray.then(|| {
            let gray_layers: Vec<&MultiPolygon<f64>> =
                sorted.iter().map(|s| s.layer(ControlClass::Gray).unwrap_or(&empty)).collect();
            sweep(&targets, &gray_layers, false).0
        });
        let places = targets.len();
        Ok(StatusTable {
            dates: sorted.iter().map(|s| s.date()).collect(),
            places,
            occupied: Runs::from_rows(&occupied_rows, places)?,
            gray: gray_rows.map(|r| Runs::from_rows(&r, places)).transpose()?,
            distance_m: Runs::from_rows(&distance_rows, places)?,
        })
    }

    /// Snapshot dates, ascending.
    pub fn dates(&self) -> &[NaiveDate] {
        &self.dates
    }

    /// Runs kept per column (occupied, gray, distance): what the stored
    /// table's size grows with.
    pub fn run_counts(&self) -> (usize, Option<usize>, usize) {
        (self.occupied.len(), self.gray.as_ref().map(Runs::len), self.distance_m.len())
    }

    /// Number of settlements.
    pub fn place_count(&self) -> usize {
        self.places
    }

    /// The index of the last snapshot at or before a date.
    pub fn snapshot_at(&self, date: NaiveDate) -> Option<usize> {
        self.dates.partition_point(|d| *d <= date).checked_sub(1)
    }

    fn at(&self, place: PlaceId, snapshot: usize) -> usize {
        place * self.dates.len() + snapshot
    }

    /// Occupied fraction of a settlement's footprint at a snapshot (NaN for
    /// a place or snapshot out of range).
    pub fn occupied_fraction(&self, place: PlaceId, snapshot: usize) -> f64 {
        f64::from(self.occupied.get(self.at(place, snapshot)))
    }

    /// Gray fraction; None when the source has no gray zone.
    pub fn gray_fraction(&self, place: PlaceId, snapshot: usize) -> Option<f64> {
        self.gray.as_ref().map(|g| f64::from(g.get(self.at(place, snapshot))))
    }

    /// Distance to the nearest occupied territory in metres, 0 inside; None
    /// when nothing is occupied.
    pub fn distance_m(&self, place: PlaceId, snapshot: usize) -> Option<f64> {
        let d = f64::from(self.distance_m.get(self.at(place, snapshot)));
        d.is_finite().then_some(d)
    }

    /// Status at a snapshot.
    pub fn status(&self, place: PlaceId, snapshot: usize) -> Status {
        Status::of(self.occupied_fraction(place, snapshot), self.gray_fraction(place, snapshot).unwrap_or(0.0))
    }

    /// A settlement's occupied fractions, one per snapshot.
    fn occupied_row(&self, place: PlaceId) -> Vec<f32> {
        self.occupied.row(self.at(place, 0), self.dates.len())
    }

    /// A settlement's statuses, one per snapshot ([`StatusTable::status`] for each).
    fn status_row(&self, place: PlaceId) -> Vec<Status> {
        let occupied = self.occupied_row(place);
        let gray = self.gray.as_ref().map(|g| g.row(self.at(place, 0), self.dates.len()));
        occupied
            .iter()
            .enumerate()
            .map(|(s, &o)| {
                let g = gray.as_ref().map_or(0.0, |g| g.get(s).map_or(f64::NAN, |&v| f64::from(v)));
                Status::of(f64::from(o), g)
            })
            .collect()
    }

    /// Everything about a settlement at a snapshot.
    pub fn point(&self, place: PlaceId, snapshot: usize) -> StatusPoint {
        StatusPoint {
            date: self.dates[snapshot],
            occupied_fraction: self.occupied_fraction(place, snapshot),
            gray_fraction: self.gray_fraction(place, snapshot),
            distance_m: self.distance_m(place, snapshot),
            status: self.status(place, snapshot),
        }
    }

    /// A settlement's whole history.
    pub fn series(&self, place: PlaceId) -> Vec<StatusPoint> {
        let n = self.dates.len();
        let occupied = self.occupied_row(place);
        let gray = self.gray.as_ref().map(|g| g.row(self.at(place, 0), n));
        let distance = self.distance_m.row(self.at(place, 0), n);
        let statuses = self.status_row(place);
        (0..n)
            .map(|s| StatusPoint {
                date: self.dates[s],
                occupied_fraction: f64::from(occupied[s]),
                gray_fraction: gray.as_ref().map(|g| f64::from(g[s])),
                distance_m: Some(f64::from(distance[s])).filter(|d| d.is_finite()),
                status: statuses[s],
            })
            .collect()
    }

    /// Captures and retakes of one settlement under a rule: a capture is the
    /// first snapshot from which the occupied fraction stays ≥ θ for at
    /// least `persistence` consecutive snapshots; after it, a retake is the
    /// first from which it stays < θ as long. A run still too short at the
    /// end of the series is not (yet) a change.
    pub fn control_changes(&self, place: PlaceId, rule: CaptureRule) -> Vec<ControlChange> {
        let above: Vec<bool> = self.occupied_row(place).into_iter().map(|o| f64::from(o) >= rule.theta).collect();
        persistent_runs(&above, rule.persistence, false)
            .into_iter()
            .map(|(snapshot, captured)| ControlChange {
                place,
                date: self.dates[snapshot],
                snapshot,
                direction: if captured { Direction::Captured } else { Direction::Retaken },
                rule,
                at_first_snapshot: snapshot == 0,
            })
            .collect()
    }

    /// The first capture of a settlement under a rule, if any.
    pub fn first_capture(&self, place: PlaceId, rule: CaptureRule) -> Option<ControlChange> {
        self.control_changes(place, rule).into_iter().find(|c| c.direction == Direction::Captured)
    }

    /// Every capture and retake of every settlement under θ (default
    /// persistence), by date then place.
    pub fn capture_dates(&self, theta: f64) -> Vec<ControlChange> {
        let rule = CaptureRule::at(theta);
        let mut out: Vec<ControlChange> = (0..self.places).flat_map(|p| self.control_changes(p, rule)).collect();
        out.sort_by_key(|c| (c.date, c.place));
        out
    }

    /// A settlement's status changes, each lasting at least the default
    /// persistence; the first entry is its status at the first snapshot.
    pub fn timeline(&self, place: PlaceId) -> Vec<StatusChange> {
        let n = self.dates.len();
        if n == 0 {
            return vec![];
        }
        let statuses = self.status_row(place);
        let mut out = vec![StatusChange { date: self.dates[0], snapshot: 0, from: None, to: statuses[0] }];
        let mut current = statuses[0];
        let mut i = 1;
        while i < n {
            let mut j = i;
            while j < n && statuses[j] == statuses[i] {
                j += 1;
            }
            if statuses[i] != current && j - i >= PERSISTENCE_SNAPSHOTS {
                out.push(StatusChange { date: self.dates[i], snapshot: i, from: Some(current), to: statuses[i] });
                current = statuses[i];
            }
            i = j;
        }
        out
    }

    /// Settlements captured or retaken between two dates (inclusive) under
    /// a rule, biggest first. Changes dated at the first snapshot are left
    /// out: they happened before the table begins.
    pub fn changed_hands(
        &self,
        gazetteer: &Gazetteer,
        from: NaiveDate,
        to: NaiveDate,
        rule: CaptureRule,
    ) -> Result<Vec<HandChange>> {
        if gazetteer.len() != self.places {
            return Err(Error::Internal(format!(
                "this status table has {} settlements but the gazetteer {}: recompute the table with this gazetteer",
                self.places,
                gazetteer.len()
            )));
        }
        let mut out: Vec<HandChange> = (0..self.places)
            .flat_map(|p| self.control_changes(p, rule))
            .filter(|c| !c.at_first_snapshot && c.date >= from && c.date <= to)
            .filter_map(|change| {
                let p = gazetteer.place(change.place)?;
                Some(HandChange { name: p.name.clone(), oblast: p.oblast.clone(), population: p.population, change })
            })
            .collect();
        out.sort_by(|a, b| b.population.cmp(&a.population).then(a.change.date.cmp(&b.change.date)));
        Ok(out)
    }
}

/// The persistence rule on a boolean series, starting in state `initial`:
/// (index, new state) for every run of the other state lasting at least
/// `persistence` entries.
pub fn persistent_runs(series: &[bool], persistence: usize, initial: bool) -> Vec<(usize, bool)> {
    let persistence = persistence.max(1);
    let mut state = initial;
    let mut out = vec![];
    let mut i = 0;
    while i < series.len() {
        if series[i] == state {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < series.len() && series[j] != state {
            j += 1;
        }
        if j - i >= persistence {
            state = !state;
            out.push((i, state));
        }
        i = j;
    }
    out
}

// ---- the sweep ----------------------------------------------------------

/// A settlement as the sweep sees it.
struct Target {
    footprint: MultiPolygon<f64>,
    bbox: Rect<f64>,
    area_m2: f64,
    /// A vertex of the footprint: inside/outside of a footprint no edge crosses.
    probe: Coord<f64>,
    point: Coord<f64>,
    point_ecef: [f64; 3],
}

impl Target {
    fn new(footprint: &MultiPolygon<f64>, area_m2: f64, point: Coord<f64>) -> Result<Target> {
        let bad = || {
            Error::Internal(format!(
                "settlement at ({}, {}) has an empty footprint; rebuild the gazetteer",
                point.x, point.y
            ))
        };
        let bbox = footprint.bounding_rect().ok_or_else(bad)?;
        let probe = *footprint.0.first().and_then(|p| p.exterior().0.first()).ok_or_else(bad)?;
        if area_m2 <= 0.0 {
            return Err(bad());
        }
        Ok(Target { footprint: footprint.clone(), bbox, area_m2, probe, point, point_ecef: ecef(point) })
    }
}

type EdgeKey = [u64; 4];

fn key(a: Coord<f64>, b: Coord<f64>) -> EdgeKey {
    [a.x.to_bits(), a.y.to_bits(), b.x.to_bits(), b.y.to_bits()]
}

fn unkey(k: &EdgeKey) -> (Coord<f64>, Coord<f64>) {
    (
        Coord { x: f64::from_bits(k[0]), y: f64::from_bits(k[1]) },
        Coord { x: f64::from_bits(k[2]), y: f64::from_bits(k[3]) },
    )
}

/// A multiply-rotate hasher for edge keys: SipHash's resistance to
/// adversarial keys is not needed for coordinates, and it was a tenth of
/// the sweep's time.
#[derive(Default, Clone, Copy)]
struct EdgeHasher(u64);

impl std::hash::Hasher for EdgeHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(w));
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// An edge key hashed word by word (the array impl would feed the hasher
/// byte slices).
#[derive(PartialEq, Eq, Clone, Copy)]
struct HashedKey(EdgeKey);

impl std::hash::Hash for HashedKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for w in self.0 {
            state.write_u64(w);
        }
    }
}

type EdgeSet = HashSet<HashedKey, BuildHasherDefault<EdgeHasher>>;

/// A hostile edge in lon/lat, indexed by its bounding box (kept: bulk
/// loading asks for envelopes many times).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Seg2 {
    a: Coord<f64>,
    b: Coord<f64>,
    id: u32,
    env: AABB<[f64; 2]>,
}

impl Seg2 {
    fn new(a: Coord<f64>, b: Coord<f64>, id: u32) -> Seg2 {
        Seg2 { a, b, id, env: AABB::from_corners([a.x, a.y], [b.x, b.y]) }
    }
}

impl RTreeObject for Seg2 {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        self.env
    }
}

/// A hostile edge as a 3-D chord, with the allowance for how far the edge
/// (straight in lon/lat) may bulge off its chord.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Seg3 {
    a: Coord<f64>,
    b: Coord<f64>,
    id: u32,
    a3: [f64; 3],
    b3: [f64; 3],
    slack_m: f64,
    env: AABB<[f64; 3]>,
}

impl Seg3 {
    fn new(a: Coord<f64>, b: Coord<f64>, id: u32) -> Seg3 {
        let a3 = ecef(a);
        let b3 = ecef(b);
        let len = dist3(a3, b3);
        // Sagitta of an arc of chord L on the Earth is L²/8R; a segment
        // straight in lon/lat departs from the great circle by about as much
        // again (tan φ < 1.5 here). Twice L²/4R plus a metre covers both.
        let s = len * len / (2.0 * 6_356_000.0) + 1.0;
        let env = AABB::from_corners(
            [a3[0].min(b3[0]) - s, a3[1].min(b3[1]) - s, a3[2].min(b3[2]) - s],
            [a3[0].max(b3[0]) + s, a3[1].max(b3[1]) + s, a3[2].max(b3[2]) + s],
        );
        Seg3 { a, b, id, a3, b3, slack_m: s, env }
    }

    /// Parameter of the point of the chord nearest to `p`.
    fn nearest_t(&self, p: [f64; 3]) -> f64 {
        let d = sub(self.b3, self.a3);
        let len2 = dot(d, d);
        if len2 == 0.0 {
            return 0.0;
        }
        (dot(sub(p, self.a3), d) / len2).clamp(0.0, 1.0)
    }

    fn chord_distance(&self, p: [f64; 3]) -> f64 {
        let t = self.nearest_t(p);
        let d = sub(self.b3, self.a3);
        dist3(p, [self.a3[0] + t * d[0], self.a3[1] + t * d[1], self.a3[2] + t * d[2]])
    }

    /// Geodesic distance from a point to this edge (see the module doc).
    fn geodesic_distance_m(&self, p: Coord<f64>, p3: [f64; 3]) -> f64 {
        let t = self.nearest_t(p3);
        let q = Coord { x: self.a.x + t * (self.b.x - self.a.x), y: self.a.y + t * (self.b.y - self.a.y) };
        geodesy::distance_m(p, q)
    }
}

impl RTreeObject for Seg3 {
    type Envelope = AABB<[f64; 3]>;
    fn envelope(&self) -> Self::Envelope {
        self.env
    }
}

impl PointDistance for Seg3 {
    /// The square of a lower bound of the geodesic distance.
    fn distance_2(&self, p: &[f64; 3]) -> f64 {
        let lb = (self.chord_distance(*p) - self.slack_m).max(0.0);
        lb * lb
    }
}

/// WGS84 earth-centred, earth-fixed coordinates in metres.
fn ecef(c: Coord<f64>) -> [f64; 3] {
    const A: f64 = 6_378_137.0;
    const F: f64 = 1.0 / 298.257_223_563;
    let e2 = F * (2.0 - F);
    let (lat, lon) = (c.y.to_radians(), c.x.to_radians());
    let n = A / (1.0 - e2 * lat.sin().powi(2)).sqrt();
    [n * lat.cos() * lon.cos(), n * lat.cos() * lon.sin(), n * (1.0 - e2) * lat.sin()]
}

fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn dist3(a: [f64; 3], b: [f64; 3]) -> f64 {
    let d = sub(a, b);
    dot(d, d).sqrt()
}

/// One snapshot's hostile geometry with its edge indexes. The indexes
/// hold every edge seen in the chunk of snapshots; `alive` says which are
/// this snapshot's (rebuilding or updating an R-tree per snapshot cost more
/// than the whole rest of the sweep).
struct Hostile<'a> {
    geometry: &'a MultiPolygon<f64>,
    tree2: &'a RTree<Seg2>,
    tree3: Option<&'a RTree<Seg3>>,
    alive: &'a [bool],
    edges: usize,
}

impl Hostile<'_> {
    fn contains(&self, p: Coord<f64>) -> bool {
        ray_parity(self.tree2, p, |s| self.alive[s.id as usize])
    }

    fn fraction(&self, t: &Target) -> f32 {
        let env = AABB::from_corners([t.bbox.min().x, t.bbox.min().y], [t.bbox.max().x, t.bbox.max().y]);
        if !self.tree2.locate_in_envelope_intersecting(&env).any(|s| self.alive[s.id as usize]) {
            return if self.contains(t.probe) { 1.0 } else { 0.0 };
        }
        // A margin keeps the clip rectangle's own edges (where clipping
        // leaves zero-width slivers) off the footprint.
        let margin = 1e-4;
        let clip = Rect::new(
            Coord { x: t.bbox.min().x - margin, y: t.bbox.min().y - margin },
            Coord { x: t.bbox.max().x + margin, y: t.bbox.max().y + margin },
        );
        let local = crate::overlay::crop_to_rect(self.geometry, clip);
        if local.0.is_empty() {
            return 0.0;
        }
        let inside = t.footprint.intersection(&local).geodesic_area_m2();
        (inside / t.area_m2).clamp(0.0, 1.0) as f32
    }

    fn distance_m(&self, t: &Target) -> f32 {
        let Some(tree3) = self.tree3 else {
            return f32::INFINITY;
        };
        if self.edges == 0 {
            return f32::INFINITY;
        }
        if self.contains(t.point) {
            return 0.0;
        }
        let mut best = f64::INFINITY;
        for (seg, lb2) in tree3.nearest_neighbor_iter_with_distance_2(&t.point_ecef) {
            if lb2.sqrt() > best {
                break;
            }
            if self.alive[seg.id as usize] {
                best = best.min(seg.geodesic_distance_m(t.point, t.point_ecef));
            }
        }
        best as f32
    }
}

fn edge_keys(geometry: &MultiPolygon<f64>) -> EdgeSet {
    let mut keys = EdgeSet::with_capacity_and_hasher(4096, Default::default());
    for p in &geometry.0 {
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            for w in ring.0.windows(2) {
                if w[0] != w[1] {
                    keys.insert(HashedKey(key(w[0], w[1])));
                }
            }
        }
    }
    keys
}

/// Point in polygon by the crossing rule over indexed edges: a ray from
/// the point towards the nearest side of the edges' bounding box (fewest
/// edges to look at), counting the edges it crosses, half-open so that a
/// vertex on the ray counts once.
fn ray_parity(tree: &RTree<Seg2>, p: Coord<f64>, alive: impl Fn(&Seg2) -> bool) -> bool {
    let bounds = tree.root().envelope();
    let (lo, hi) = (bounds.lower(), bounds.upper());
    if p.x < lo[0] || p.x > hi[0] || p.y < lo[1] || p.y > hi[1] {
        return false;
    }
    let gaps = [hi[0] - p.x, p.x - lo[0], hi[1] - p.y, p.y - lo[1]];
    let mut dir = 0;
    for (i, g) in gaps.iter().enumerate() {
        if *g < gaps[dir] {
            dir = i;
        }
    }
    let env = match dir {
        0 => AABB::from_corners([p.x, p.y], [hi[0], p.y]),
        1 => AABB::from_corners([lo[0], p.y], [p.x, p.y]),
        2 => AABB::from_corners([p.x, p.y], [p.x, hi[1]]),
        _ => AABB::from_corners([p.x, lo[1]], [p.x, p.y]),
    };
    let mut inside = false;
    for s in tree.locate_in_envelope_intersecting(&env) {
        if !alive(s) {
            continue;
        }
        let (a, b) = (s.a, s.b);
        let crosses = if dir < 2 {
            (a.y > p.y) != (b.y > p.y) && {
                let x = a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y);
                if dir == 0 {
                    x > p.x
                } else {
                    x < p.x
                }
            }
        } else {
            (a.x > p.x) != (b.x > p.x) && {
                let y = a.y + (p.x - a.x) * (b.y - a.y) / (b.x - a.x);
                if dir == 2 {
                    y > p.y
                } else {
                    y < p.y
                }
            }
        };
        if crosses {
            inside = !inside;
        }
    }
    inside
}

/// One value per (snapshot, settlement), snapshot-major.
type Rows = Vec<Vec<f32>>;

/// Fractions (and distances, when asked) of every target at every layer,
/// snapshot-major.
fn sweep(targets: &[Target], layers: &[&MultiPolygon<f64>], with_distance: bool) -> (Rows, Rows) {
    let n = layers.len();
    if n == 0 {
        return (vec![], vec![]);
    }
    // Each chunk starts with a full computation (~2,900 footprints): a few
    // chunks per thread balance the load without much repeated work.
    let chunks = (rayon::current_num_threads() * 3).clamp(1, n);
    let bounds: Vec<(usize, usize)> =
        (0..chunks).map(|c| (c * n / chunks, (c + 1) * n / chunks)).filter(|(a, b)| a < b).collect();
    let parts: Vec<(Rows, Rows)> =
        bounds.par_iter().map(|&(a, b)| sweep_chunk(targets, &layers[a..b], with_distance)).collect();
    let mut fractions = Vec::with_capacity(n);
    let mut distances = Vec::with_capacity(n);
    for (f, d) in parts {
        fractions.extend(f);
        distances.extend(d);
    }
    (fractions, distances)
}

fn sweep_chunk(targets: &[Target], layers: &[&MultiPolygon<f64>], with_distance: bool) -> (Rows, Rows) {
    let mut fractions: Vec<Vec<f32>> = Vec::with_capacity(layers.len());
    let mut distances: Vec<Vec<f32>> = Vec::with_capacity(layers.len());
    if layers.is_empty() {
        return (fractions, distances);
    }
    // Every edge of the chunk gets an id and goes into the indexes once.
    let layer_keys: Vec<EdgeSet> = layers.iter().map(|l| edge_keys(l)).collect();
    let mut ids: HashMap<HashedKey, u32, BuildHasherDefault<EdgeHasher>> = HashMap::default();
    let mut segs: Vec<(Coord<f64>, Coord<f64>)> = vec![];
    for keys in &layer_keys {
        for k in keys {
            ids.entry(*k).or_insert_with(|| {
                segs.push(unkey(&k.0));
                (segs.len() - 1) as u32
            });
        }
    }
    let tree2 = RTree::bulk_load(segs.iter().enumerate().map(|(i, &(a, b))| Seg2::new(a, b, i as u32)).collect());
    let tree3 = with_distance
        .then(|| RTree::bulk_load(segs.iter().enumerate().map(|(i, &(a, b))| Seg3::new(a, b, i as u32)).collect()));
    let id = |k: &HashedKey| ids.get(k).map_or(0, |i| *i as usize);
    let mut alive = vec![false; segs.len()];
    for k in &layer_keys[0] {
        alive[id(k)] = true;
    }
    {
        let h = Hostile {
            geometry: layers[0],
            tree2: &tree2,
            tree3: tree3.as_ref(),
            alive: &alive,
            edges: layer_keys[0].len(),
        };
        fractions.push(targets.iter().map(|t| h.fraction(t)).collect());
        distances.push(if with_distance { targets.iter().map(|t| h.distance_m(t)).collect() } else { vec![] });
    }
    for k in 1..layers.len() {
        let (keys, prev_keys) = (&layer_keys[k], &layer_keys[k - 1]);
        let added: Vec<&HashedKey> = keys.iter().filter(|e| !prev_keys.contains(*e)).collect();
        let removed: Vec<&HashedKey> = prev_keys.iter().filter(|e| !keys.contains(*e)).collect();
        let prev_f = fractions.last().cloned().unwrap_or_default();
        let prev_d = distances.last().cloned().unwrap_or_default();
        if added.is_empty() && removed.is_empty() {
            fractions.push(prev_f);
            distances.push(prev_d);
            continue;
        }
        for e in &removed {
            alive[id(e)] = false;
        }
        for e in &added {
            alive[id(e)] = true;
        }
        let changed: Vec<(Coord<f64>, Coord<f64>)> = added.iter().chain(&removed).map(|e| unkey(&e.0)).collect();
        let changed2 = RTree::bulk_load(changed.iter().map(|&(a, b)| Seg2::new(a, b, 0)).collect());
        let changed_bbox = changed2.root().envelope();
        let in_changed = |p: Coord<f64>| ray_parity(&changed2, p, |_| true);
        let h = Hostile { geometry: layers[k], tree2: &tree2, tree3: tree3.as_ref(), alive: &alive, edges: keys.len() };
        let mut row_f = prev_f;
        for (i, t) in targets.iter().enumerate() {
            let env = AABB::from_corners([t.bbox.min().x, t.bbox.min().y], [t.bbox.max().x, t.bbox.max().y]);
            let touched =
                changed_bbox.intersects(&env) && changed2.locate_in_envelope_intersecting(&env).next().is_some();
            if touched || in_changed(t.probe) {
                row_f[i] = h.fraction(t);
            }
        }
        fractions.push(row_f);
        if !with_distance {
            distances.push(vec![]);
            continue;
        }
        let changed3: RTree<Seg3> = RTree::bulk_load(changed.iter().map(|&(a, b)| Seg3::new(a, b, 0)).collect());
        let changed3_env = changed3.root().envelope();
        let mut row_d = prev_d;
        for (i, t) in targets.iter().enumerate() {
            let prev = f64::from(row_d[i]);
            let stale = in_changed(t.point)
                || (prev > 0.0
                    && changed3_env.distance_2(&t.point_ecef).sqrt() <= prev
                    && changed3
                        .nearest_neighbor_iter_with_distance_2(&t.point_ecef)
                        .next()
                        .is_some_and(|(_, lb2)| lb2.sqrt() <= prev));
            if stale {
                row_d[i] = h.distance_m(t);
            }
        }
        distances.push(row_d);
    }
    (fractions, distances)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use geo::{polygon, Polygon};

    use crate::model::SourceId;
    use crate::places::gazetteer::{geodesic_disc, Footprint, FootprintKind, Place};
    use chrono::TimeZone;
    use geographiclib_rs::DirectGeodesic;

    fn place(name: &str, point: Coord<f64>, footprint: Polygon<f64>, kind: FootprintKind) -> Place {
        let geometry = MultiPolygon::new(vec![footprint]);
        Place {
            id: 0,
            name: name.into(),
            name_uk: None,
            name_ru: None,
            other_names: vec![],
            lon: point.x,
            lat: point.y,
            population: 1000,
            class: None,
            oblast: "Test Oblast".into(),
            oblast_iso: None,
            geonames_id: None,
            osm_id: None,
            wikidata: None,
            osm_outline_id: None,
            footprint: Footprint { kind, area_m2: geometry.geodesic_area_m2(), geometry },
        }
    }

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Polygon<f64> {
        polygon![(x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1)]
    }

    fn snapshot(day: u32, occupied: MultiPolygon<f64>) -> Snapshot {
        let mut s = Snapshot {
            source: SourceId::new("test"),
            taken_at: chrono::Utc.with_ymd_and_hms(2025, 1, day, 3, 0, 0).unwrap(),
            layers: vec![],
        };
        s.set_layer(ControlClass::Occupied, occupied);
        s
    }

    fn offset(c: Coord<f64>, azimuth: f64, m: f64) -> Coord<f64> {
        let (lat, lon): (f64, f64) = geodesy::wgs84().direct(c.y, c.x, azimuth, m);
        Coord { x: lon, y: lat }
    }

    /// Polygon footprint: the rectangle [37.00, 37.02] x [48.00, 48.01].
    /// Hostile west of 37.005 covers a quarter of its width, so a quarter
    /// of its area (lon/lat rectangles in one latitude band have areas
    /// proportional to their width); hostile over all of it but a
    /// 0.005° x 0.005° hole leaves 1 - 0.125.
    #[test]
    fn polygon_footprint_fractions() {
        let fp = rect(37.00, 48.00, 37.02, 48.01);
        let g =
            Gazetteer::from_places(vec![place("Rect", Coord { x: 37.0125, y: 48.005 }, fp, FootprintKind::OsmPolygon)]);
        let quarter = MultiPolygon::new(vec![rect(36.9, 47.9, 37.005, 48.1)]);
        let holed = MultiPolygon::new(vec![Polygon::new(
            rect(36.9, 47.9, 37.1, 48.1).exterior().clone(),
            vec![rect(37.01, 48.0025, 37.015, 48.0075).exterior().clone()],
        )]);
        let t = StatusTable::compute(&g, &[snapshot(1, quarter), snapshot(2, holed)]).unwrap();
        assert!((t.occupied_fraction(0, 0) - 0.25).abs() < 1e-5, "{}", t.occupied_fraction(0, 0));
        assert!((t.occupied_fraction(0, 1) - 0.875).abs() < 1e-5, "{}", t.occupied_fraction(0, 1));
        assert_eq!(t.status(0, 0), Status::Contested);
        assert_eq!(t.gray_fraction(0, 0), None, "no gray layer in these snapshots");
        // The point (37.0125, 48.005) is the hole's centre on day 2: the
        // nearest hostile ground is the hole's west or east side, 0.0025° of
        // longitude away (186 m at 48°N; north/south is 0.0025° of latitude, 278 m).
        let d = t.distance_m(0, 1).unwrap();
        let expected = geodesy::distance_m(Coord { x: 37.0125, y: 48.005 }, Coord { x: 37.01, y: 48.005 });
        assert!((185.0..187.0).contains(&expected));
        assert!((d - expected).abs() < 1.0, "{d} vs {expected}");
    }

    /// Disc footprint of radius r = 3 km. A hostile edge along the meridian
    /// through its centre halves it (the disc is symmetric about the
    /// meridian, a geodesic); one r/2 east of the centre leaves uncovered the
    /// circular segment beyond the chord, (θ - sin θ)/2π of the disc with
    /// θ = 2 acos(1/2), so 1 - 0.19550 is occupied (the 64-gon differs from
    /// the circle by under 0.2 %).
    #[test]
    fn disc_footprint_fractions() {
        let c = Coord { x: 37.0, y: 48.0 };
        let g = Gazetteer::from_places(vec![place(
            "Disc",
            c,
            geodesic_disc(c, 3_000.0),
            FootprintKind::PopulationDisc { radius_m: 3_000.0, cut: false },
        )]);
        let half = MultiPolygon::new(vec![rect(36.5, 47.5, 37.0, 48.5)]);
        let chord_x = offset(c, 90.0, 1_500.0).x;
        let most = MultiPolygon::new(vec![rect(36.5, 47.5, chord_x, 48.5)]);
        let t = StatusTable::compute(&g, &[snapshot(1, half), snapshot(2, most)]).unwrap();
        assert!((t.occupied_fraction(0, 0) - 0.5).abs() < 1e-6, "{}", t.occupied_fraction(0, 0));
        let theta = 2.0 * (0.5_f64).acos();
        let expected = 1.0 - (theta - theta.sin()) / (2.0 * std::f64::consts::PI);
        assert!((expected - 0.80450).abs() < 1e-5);
        let f = t.occupied_fraction(0, 1);
        assert!((f - expected).abs() < 2e-3, "{f} vs {expected}");
        // The centre is on the hostile edge on day 1 and inside on day 2.
        assert_eq!(t.distance_m(0, 1), Some(0.0));
    }

    /// A gray layer is measured like the occupied one: half of a disc
    /// under gray, none occupied, is contested (measures.md: held needs
    /// gray < 5 %); the distance ignores gray (hostile = occupied).
    #[test]
    fn gray_fraction_and_contested_status() {
        let c = Coord { x: 37.0, y: 48.0 };
        let g = Gazetteer::from_places(vec![place(
            "Disc",
            c,
            geodesic_disc(c, 3_000.0),
            FootprintKind::PopulationDisc { radius_m: 3_000.0, cut: false },
        )]);
        let mut s = snapshot(1, MultiPolygon::new(vec![rect(36.0, 47.0, 36.5, 49.0)]));
        s.set_layer(ControlClass::Gray, MultiPolygon::new(vec![rect(36.5, 47.5, 37.0, 48.5)]));
        let t = StatusTable::compute(&g, &[s]).unwrap();
        let gray = t.gray_fraction(0, 0).unwrap();
        assert!((gray - 0.5).abs() < 1e-6, "{gray}");
        assert_eq!(t.occupied_fraction(0, 0), 0.0);
        assert_eq!(t.status(0, 0), Status::Contested);
        // Nearest occupied ground: the meridian 36.5°, 0.5° of longitude west.
        let expected = geodesy::distance_m(c, Coord { x: 36.5, y: 48.0 });
        let d = t.distance_m(0, 0).unwrap();
        assert!((d - expected).abs() < 1.0, "{d} vs {expected}");
    }

    /// Distance to a hostile edge along a meridian from a point 1 km due
    /// east of it: the geodesic leaving the meridian at a right angle is
    /// the perpendicular, so exactly 1 km.
    #[test]
    fn distance_to_a_meridian_edge() {
        let foot = Coord { x: 37.0, y: 48.0 };
        let p = offset(foot, 90.0, 1_000.0);
        let far = offset(foot, 90.0, 250_000.0);
        let g = Gazetteer::from_places(vec![
            place(
                "Near",
                p,
                geodesic_disc(p, 1_500.0),
                FootprintKind::PopulationDisc { radius_m: 1_500.0, cut: false },
            ),
            place(
                "Far",
                far,
                geodesic_disc(far, 1_500.0),
                FootprintKind::PopulationDisc { radius_m: 1_500.0, cut: false },
            ),
        ]);
        let hostile = MultiPolygon::new(vec![rect(36.0, 47.0, 37.0, 49.0)]);
        let t = StatusTable::compute(&g, &[snapshot(1, hostile)]).unwrap();
        let d = t.distance_m(0, 0).unwrap();
        assert!((d - 1_000.0).abs() < 1.0, "{d}");
        let d = t.distance_m(1, 0).unwrap();
        assert!((d - 250_000.0).abs() < 10.0, "{d}");
        // The 1.5 km disc reaches 500 m over the edge: a circular segment
        // with θ = 2 acos(2/3), (θ - sin θ)/2π = 0.10955 of the disc.
        let f = t.occupied_fraction(0, 0);
        assert!((f - 0.10955).abs() < 1e-3, "{f}");
        assert_eq!(t.occupied_fraction(1, 0), 0.0);
    }

    /// The persistence rule on maps: a one-day flicker over a town is not a
    /// capture; three days are; three days free again are a retake.
    #[test]
    fn capture_flicker_and_retake_on_maps() {
        let c = Coord { x: 37.0, y: 48.0 };
        let g = Gazetteer::from_places(vec![place(
            "Town",
            c,
            geodesic_disc(c, 1_500.0),
            FootprintKind::PopulationDisc { radius_m: 1_500.0, cut: false },
        )]);
        let over = MultiPolygon::new(vec![rect(36.9, 47.9, 37.1, 48.1)]);
        let away = MultiPolygon::new(vec![rect(36.0, 47.0, 36.5, 47.5)]);
        let pattern = [false, true, false, false, true, true, true, true, false, false, false, true];
        let snaps: Vec<Snapshot> = pattern
            .iter()
            .enumerate()
            .map(|(i, &o)| snapshot(i as u32 + 1, if o { over.clone() } else { away.clone() }))
            .collect();
        let t = StatusTable::compute(&g, &snaps).unwrap();
        let changes = t.control_changes(0, CaptureRule::default());
        let got: Vec<(u32, Direction)> =
            changes.iter().map(|c| (chrono::Datelike::day(&c.date), c.direction)).collect();
        assert_eq!(got, vec![(5, Direction::Captured), (9, Direction::Retaken)]);
        let tl = t.timeline(0);
        let to: Vec<Status> = tl.iter().map(|s| s.to).collect();
        assert_eq!(to, vec![Status::Held, Status::Occupied, Status::Held]);
        let hands = t
            .changed_hands(
                &g,
                chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
                chrono::NaiveDate::from_ymd_opt(2025, 1, 6).unwrap(),
                CaptureRule::default(),
            )
            .unwrap();
        assert_eq!(hands.len(), 1);
        assert_eq!(hands[0].change.direction, Direction::Captured);
    }

    /// Skipping unchanged settlements gives the same table as computing
    /// every snapshot from scratch: a hostile wedge advancing over a grid of
    /// towns, one step a day, with a day that jumps a whole block.
    #[test]
    fn incremental_sweep_equals_full_recomputation() {
        let mut places = vec![];
        for i in 0..8 {
            for j in 0..6 {
                let c = Coord { x: 37.0 + 0.05 * i as f64, y: 48.0 + 0.04 * j as f64 };
                places.push(place(
                    &format!("t{i}{j}"),
                    c,
                    geodesic_disc(c, 1_500.0),
                    FootprintKind::PopulationDisc { radius_m: 1_500.0, cut: false },
                ));
            }
        }
        let g = Gazetteer::from_places(places);
        let targets: Vec<Target> = g
            .places()
            .iter()
            .map(|p| Target::new(&p.footprint.geometry, p.footprint.area_m2, p.point()).unwrap())
            .collect();
        let mut layers = vec![];
        for day in 0..12 {
            let x = 36.95 + 0.031 * day as f64;
            let mut polys = vec![
                polygon![(x: 36.5, y: 47.8), (x: x, y: 47.8), (x: x + 0.07, y: 48.1), (x: x, y: 48.4), (x: 36.5, y: 48.4)],
            ];
            if day >= 6 {
                polys.push(rect(37.28, 48.05, 37.42, 48.13));
            }
            layers.push(MultiPolygon::new(polys));
        }
        let refs: Vec<&MultiPolygon<f64>> = layers.iter().collect();
        let (f_inc, d_inc) = sweep_chunk(&targets, &refs, true);
        for (k, layer) in refs.iter().enumerate() {
            let (f_full, d_full) = sweep_chunk(&targets, &[*layer], true);
            assert_eq!(f_inc[k], f_full[0], "fractions, day {k}");
            assert_eq!(d_inc[k], d_full[0], "distances, day {k}");
        }
        // The wedge does cover towns partly and wholly on the way.
        assert!(f_inc[11].iter().any(|f| *f > 0.0 && *f < 1.0));
        assert!(f_inc[11].contains(&1.0));
    }

    #[test]
    fn persistence_rule() {
        let t = true;
        let f = false;
        // A one-snapshot flicker is not a capture.
        assert_eq!(persistent_runs(&[f, f, t, f, f, f], 3, false), vec![]);
        // Two is not either; three is, dated at its first snapshot.
        assert_eq!(persistent_runs(&[f, t, t, f, t, t, t], 3, false), vec![(4, true)]);
        // Capture then retake, each by the rule.
        assert_eq!(persistent_runs(&[f, t, t, t, f, t, f, f, f, f], 3, false), vec![(1, true), (6, false)]);
        // Held from the start: a capture at index 0.
        assert_eq!(persistent_runs(&[t, t, t], 3, false), vec![(0, true)]);
        // A run still too short at the end is not a change yet.
        assert_eq!(persistent_runs(&[f, f, t, t], 3, false), vec![]);
    }

    #[test]
    fn status_thresholds() {
        assert_eq!(Status::of(0.0, 0.0), Status::Held);
        assert_eq!(Status::of(0.049, 0.049), Status::Held);
        assert_eq!(Status::of(0.05, 0.0), Status::Contested);
        assert_eq!(Status::of(0.0, 0.3), Status::Contested);
        assert_eq!(Status::of(0.95, 0.0), Status::Occupied);
    }

    #[test]
    fn rect_clip_keeps_the_area_inside() {
        // An L-shaped ring (area 3 unit squares) clipped to [0.5, 1.5]²:
        // the part inside is 3/4 of the rectangle (the L misses the top-right quarter).
        let l = polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 1.0), (x: 1.0, y: 1.0), (x: 1.0, y: 2.0), (x: 0.0, y: 2.0)];
        let r = Rect::new(Coord { x: 0.5, y: 0.5 }, Coord { x: 1.5, y: 1.5 });
        let clipped = crate::overlay::crop_to_rect(&MultiPolygon::new(vec![l]), r);
        let area = geo::Area::unsigned_area(&clipped);
        assert!((area - 0.75).abs() < 1e-12, "{area}");
    }

    #[test]
    fn ecef_of_the_equator_and_pole() {
        let e = ecef(Coord { x: 0.0, y: 0.0 });
        assert!((e[0] - 6_378_137.0).abs() < 1e-6 && e[1].abs() < 1e-6 && e[2].abs() < 1e-6);
        let n = ecef(Coord { x: 0.0, y: 90.0 });
        // The polar radius b = a(1 - f) = 6,356,752.314 m.
        assert!((n[2] - 6_356_752.314).abs() < 1e-3, "{}", n[2]);
    }
}
