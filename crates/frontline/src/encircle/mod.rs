//! Encirclement: pockets, the clearance field around a place, and the width
//! of the way out (measures.md, "Pockets and corridors").
//!
//! # How the corridor is computed
//! Around the place, an exact azimuthal-equidistant projection ([`Aeqd`])
//! carries a square raster of `2 window_half_size_m` a side at
//! `resolution_m` (cell centres on a lattice through the place). Each cell
//! is decided by its centre (exact scanline fill): *hostile* (occupied, or
//! occupied ∪ gray `with_gray`), *friendly* (reference territory and not
//! hostile) or *outside* (neither: border, sea; it blocks paths but is not
//! hostile). Hostile ground is rasterised over a margin of
//! `rear_clearance_m` beyond the window, so clearances inside the window are
//! exact up to the rear threshold (anything at or above it is reported as the
//! threshold, which is all the definition needs).
//!
//! Clearance of a cell = the Euclidean distance (metres, in the projection)
//! from its centre to the nearest hostile cell centre, by an exact distance
//! transform ([`edt`]: Felzenszwalb–Huttenlocher for the whole field,
//! [`CorridorFrame::clearance_field`]; the corridor search asks for the same
//! exact values cell by cell, since it touches only a few thousand cells). The rear is the friendly cells with clearance
//! `>= rear_clearance_m` that are not in a pocket (vector pockets of the
//! window and its margin; see `CorridorFrame::pocket_mask` for when that
//! equals the whole-country split of [`pockets`]). The widest path ([`widest`], 4-connected) runs from the
//! friendly cells within `seed_radius_m` of the place to the rear; its
//! lowest cell, refined to the better of its two neighbours across the path
//! at the same raster level, is the **neck**. `width_m` is 2 × the clearance of the neck's
//! centre measured exactly against the hostile polygons (point to segment in
//! the projection), and the **pincer** is the nearest hostile point to the neck
//! plus the nearest hostile point on the other side (in the half-plane facing
//! away from the first), with their geodesic distance.
//!
//! # How the raster relates to the continuous definition
//! With h the resolution and c* the continuous bottleneck clearance:
//! * the raster path, read as the polyline through its cell centres, stays
//!   within h/2 of each centre and clearance is 1-Lipschitz, so a continuous
//!   path at least as wide as (raster bottleneck − h/2) exists;
//! * conversely the cells a continuous optimal path crosses form a 4-connected
//!   chain whose centres lie within h/√2 of it;
//! * a cell's raster clearance never underestimates its centre's true
//!   clearance (hostile centres lie in hostile ground), and overestimates it by
//!   at most h/√2 where the hostile ground is at least a cell thick.
//!
//! So for hostile ground thicker than a cell the reported width lies within
//! about ±1.5 h of 2c* (±375 m at the default 250 m); in the analytic tests
//! (straight walls) it is within one cell. Hostile slivers thinner than a cell
//! may hold no cell centre and then do not block the raster path (the exact
//! neck clearance still sees them). Edges are straight in lon/lat as in the
//! source files, densified to 0.005° before projection.
//!
//! # Series
//! [`CorridorFrame::series`] computes many snapshots in parallel, and reuses
//! the previous snapshot's result when the hostile geometry clipped to the
//! window and its margin hashes the same (pockets that change only far outside
//! the window are then not looked at again).
mod aeqd;
mod corridor;
mod edt;
mod frame;
mod gap;
mod pincer;
mod pockets;
mod raster;
mod widest;

pub use aeqd::Aeqd;
pub use corridor::{ClearanceField, Corridor, CorridorParams, CorridorPoint, CorridorState, Pincer, PincerGap};
pub use frame::{corridor, corridor_series, hostile_layers, CorridorFrame};
pub use pockets::{pockets, FriendlyParts, Pocket, SLIVER_MAX_KM2};

#[cfg(test)]
mod tests;
