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
//! (Sutherland–Hodgman), intersected with the footprint ([`crate::overlay`])
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

mod distance;
mod edges;
mod runs;
mod sweep;
#[cfg(test)]
mod tests;

use super::gazetteer::{Gazetteer, PlaceId};
use crate::error::{Error, Result};
use crate::model::{ControlClass, Snapshot};
use chrono::NaiveDate;
use geo::MultiPolygon;
use runs::Runs;
use serde::{Deserialize, Serialize};
use sweep::{sweep, Target};

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
