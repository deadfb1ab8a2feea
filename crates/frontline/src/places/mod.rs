//! Settlements: where each town stands, when it fell, how close the war is
//! (measures.md, "Settlements").
//!
//! - [`gazetteer`]: the places, their names, oblasts, populations and
//!   footprints (GeoNames + OSM polygons, else the population disc).
//! - [`names`]: the name normalisation behind [`Gazetteer::lookup`].
//! - [`status`]: per-snapshot occupied / gray fractions, distance to hostile
//!   territory, status, capture and retake dates.

pub mod gazetteer;
pub mod names;
pub mod status;
pub mod stored;

pub use gazetteer::{
    Footprint, FootprintKind, Gazetteer, GazetteerReport, GazetteerSources, Match, MatchKind, Place, PlaceId,
    Resolution, DISAMBIGUATION_HINT,
};
pub use status::{CaptureRule, ControlChange, Direction, HandChange, Status, StatusChange, StatusPoint, StatusTable};
