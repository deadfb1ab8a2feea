//! frontline: trustworthy numbers from public war maps.
//!
//! The engine is a library: files are read by [`ingest`] into
//! [`Snapshot`]s, kept in a [`store::Store`], and measured by the analyses
//! ([`area`]). It has no CLI, HTTP or terminal code; see the `frontline`
//! binary for that. Every figure follows `shared/docs/measures.md`.

pub mod area;
pub mod area_stored;
pub mod area_sweep;
pub mod audit;
pub mod claims;
pub mod compare;
mod coord_key;
pub mod encircle;
pub mod error;
pub mod feed;
pub mod front;
pub mod geodesy;
pub mod geojson;
pub mod geojson_write;
pub mod here;
pub mod ingest;
pub mod lag;
pub mod model;
pub mod overlay;
pub mod places;
pub mod regions;
pub mod repair;
pub mod store;
pub mod usecase;

pub use error::{Error, Result};
pub use model::{ControlClass, Layer, Snapshot, SourceId};
