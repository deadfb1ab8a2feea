//! The frontline (measures.md, "Frontline"): extraction, length, sectors,
//! and how the line moves between snapshots.

pub mod change;
pub mod extract;
pub(crate) mod local;
pub mod sectors;

pub use change::{
    advance_samples, front_change, front_change_with, sample_points, sector_lengths, Advance, FrontChange,
    SectorChange, SectorLength, SAMPLE_SPACING_M,
};
pub use extract::{FrontExtractor, FrontOptions, Frontline, Hostile, REPORTING_COAST_TOLERANCE_M};
pub use sectors::{DirectionTown, Sectors, DIRECTION_TOWNS, UNASSIGNED};
