//! The corridor's parameters and what a measurement reports (the nouns of
//! [`super::CorridorFrame`]).

use crate::error::{Error, Result};
use chrono::NaiveDate;
use serde::Serialize;

/// The parameters of a corridor measurement; every report prints them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CorridorParams {
    /// Half the side of the square window around the place, metres (default 60 km).
    pub window_half_size_m: f64,
    /// Raster cell side, metres (default 250 m).
    pub resolution_m: f64,
    /// Paths may start anywhere within this distance of the place, metres (default 5 km).
    pub seed_radius_m: f64,
    /// Friendly ground this far from hostile ground is the rear, metres (default 25 km).
    pub rear_clearance_m: f64,
    /// Count gray (contested) ground as hostile.
    pub with_gray: bool,
    /// Whether the corridor starts at the edge of a besieged area (towns'
    /// footprints, [`super::CorridorFrame::for_area`]) rather than anywhere in the
    /// seed disc (`seed_radius_m`, the definition of measures.md). Set by
    /// the constructor.
    pub from_area: bool,
}

impl Default for CorridorParams {
    fn default() -> Self {
        CorridorParams {
            window_half_size_m: 60_000.0,
            resolution_m: 250.0,
            seed_radius_m: 5_000.0,
            rear_clearance_m: 25_000.0,
            with_gray: false,
            from_area: false,
        }
    }
}

/// Cells the hostile raster (window plus margin) may hold: about 1.6 GB of
/// working memory at this size, far beyond any sensible request.
const MAX_CELLS: f64 = 2.0e8;

impl CorridorParams {
    /// Checks the parameters, saying which one is wrong and what would do.
    pub fn validate(&self) -> Result<()> {
        let bad = |what: String| Err(Error::Request(what));
        let pos = |v: f64| v.is_finite() && v > 0.0;
        if !pos(self.resolution_m) {
            return bad(format!(
                "corridor resolution must be a positive number of metres, got {} (default 250)",
                self.resolution_m
            ));
        }
        if !pos(self.rear_clearance_m) {
            return bad(format!(
                "rear clearance must be a positive number of metres, got {} (default 25000)",
                self.rear_clearance_m
            ));
        }
        if !(self.seed_radius_m.is_finite() && self.seed_radius_m >= 0.0) {
            return bad(format!(
                "seed radius must be zero or a positive number of metres, got {} (default 5000)",
                self.seed_radius_m
            ));
        }
        if !pos(self.window_half_size_m) || self.window_half_size_m < self.resolution_m {
            return bad(format!(
                "window half-size must be at least one cell ({} m), got {} (default 60000)",
                self.resolution_m, self.window_half_size_m
            ));
        }
        if self.seed_radius_m > self.window_half_size_m {
            return bad(format!(
                "seed radius {} m does not fit in the window (half-size {} m): enlarge the window",
                self.seed_radius_m, self.window_half_size_m
            ));
        }
        let side = 2.0 * (self.window_half_size_m + self.rear_clearance_m) / self.resolution_m;
        if side * side > MAX_CELLS {
            return bad(format!(
                "a {} m raster over a {} km window (+{} km margin) needs {:.0} million cells; \
                 coarsen the resolution or shrink the window",
                self.resolution_m,
                2.0 * self.window_half_size_m / 1000.0,
                self.rear_clearance_m / 1000.0,
                side * side / 1e6
            ));
        }
        Ok(())
    }
}

/// What the corridor search found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CorridorState {
    /// A way out exists; `width_m` is its width.
    Open,
    /// The seed disc itself reaches the rear: the width is at least
    /// 2 × rear clearance, which is what `width_m` reports.
    Rear,
    /// The friendly ground near the place lies only in pockets: width 0.
    Encircled,
    /// No friendly ground within the seed radius: width 0.
    Occupied,
    /// The place is in the main body but no route to the rear exists inside
    /// the window: enlarge the window. `width_m` is `None`.
    BeyondWindow,
}

/// The two hostile points that pinch the corridor at its neck.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Pincer {
    /// The hostile point nearest the neck (lon, lat).
    pub near: [f64; 2],
    /// The nearest hostile point on the other side of the neck (lon, lat),
    /// if there is hostile ground there within the window and margin.
    pub far: Option<[f64; 2]>,
    /// Geodesic distance between the two, metres.
    pub gap_m: Option<f64>,
}

/// The pincer gap: the shortest straight line between two hostile points
/// that crosses the corridor's path once, without crossing the besieged
/// area. Its ends lie on the two sides of the path: the flanks are the sides
/// of the path itself (a curve from the town to the rear), not of a straight
/// line through the neck, so a corridor that bends still has its left and
/// right told apart. Closing that line would cut the way out.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PincerGap {
    /// Hostile point on the left of the path, walking from the town to the rear (lon, lat).
    pub left: [f64; 2],
    /// Hostile point on the right (lon, lat).
    pub right: [f64; 2],
    /// Where the line crosses the path (lon, lat).
    pub crossing: [f64; 2],
    /// Geodesic distance between `left` and `right`, metres.
    pub gap_m: f64,
}

/// One corridor measurement of a place at one date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Corridor {
    /// Open, rear, encircled, occupied or beyond the window.
    pub state: CorridorState,
    /// 2 × the neck's clearance, metres (0 when encircled or occupied; `None`
    /// when the route leaves the window).
    pub width_m: Option<f64>,
    /// The bottleneck cell of the widest path (lon, lat).
    pub neck: Option<[f64; 2]>,
    /// The neck's clearance on the raster (distance to the nearest hostile
    /// cell centre), metres: 2 × this is the raster width.
    pub neck_raster_clearance_m: Option<f64>,
    /// The hostile points either side of the neck.
    pub pincer: Option<Pincer>,
    /// The pincer gap: the shortest line between hostile ground on the left
    /// of the corridor and hostile ground on its right ([`PincerGap`]).
    /// `None` when the corridor is not open, or wider than twice the rear
    /// clearance.
    pub gap: Option<PincerGap>,
    /// Length of the corridor, metres: the shortest route from the besieged
    /// area's edge (or the seed disc) to the rear through ground at least as
    /// wide as the neck (8-connected cells, so up to 8 % long on a diagonal
    /// staircase; exact along the grid's axes and diagonals).
    pub length_m: Option<f64>,
    /// The widest path from the seed disc to the rear, lon/lat, at its turns.
    pub path: Vec<[f64; 2]>,
    /// The parameters used (resolution, window, seed radius, rear clearance).
    pub params: CorridorParams,
}

/// A corridor at one date of a series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorridorPoint {
    /// The snapshot's date.
    pub date: NaiveDate,
    /// The measurement.
    pub corridor: Corridor,
    /// Whether the hostile geometry in the window was unchanged since the
    /// previous snapshot, so its result was reused.
    pub reused: bool,
}

/// The clearance raster of a window (see the module docs for its cells).
#[derive(Debug, Clone, Serialize)]
pub struct ClearanceField {
    /// Cells per side (odd); the place is the middle cell. Row `j` lies
    /// `(j - c) × resolution_m` north of the place and column `i` as far east,
    /// with `c = (cells_per_side - 1) / 2`, in the place's azimuthal
    /// equidistant projection.
    pub cells_per_side: usize,
    /// Cell side, metres.
    pub resolution_m: f64,
    /// Row-major clearance, metres, capped at the rear clearance: 0 on
    /// hostile cells, NaN outside the reference territory.
    #[serde(skip)]
    pub clearance_m: Vec<f32>,
}
