//! The nouns: control classes, sources, snapshots.

use chrono::{DateTime, NaiveDate, Utc};
use geo::MultiPolygon;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a polygon says about who holds the ground (measures.md, "Inputs").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ControlClass {
    /// Held by the attacking side (DeepState: occupied, ORDLO, Crimea, Tuzla).
    Occupied,
    /// Contested / unknown status (DeepState's gray zone, ISW's assessed advances).
    Gray,
    /// Informational: ground retaken, or held by the defender across the border.
    Liberated,
}

impl ControlClass {
    /// Every class, in storage order.
    pub const ALL: [ControlClass; 3] = [Self::Occupied, Self::Gray, Self::Liberated];

    /// The lowercase name used in the store, the CLI and every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Occupied => "occupied",
            Self::Gray => "gray",
            Self::Liberated => "liberated",
        }
    }

    /// Parses the lowercase name (also accepts "grey", "contested", "unknown").
    pub fn parse(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "occupied" | "hostile" => Some(Self::Occupied),
            "gray" | "grey" | "contested" | "unknown" => Some(Self::Gray),
            "liberated" => Some(Self::Liberated),
            _ => None,
        }
    }
}

impl fmt::Display for ControlClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A publisher of control maps, e.g. `deepstate-daily`, `deepstate-raw`, `isw`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SourceId(pub String);

impl SourceId {
    /// DeepState's occupied-only daily export (cyterat/deepstate-map-data).
    pub const DEEPSTATE_DAILY: &'static str = "deepstate-daily";
    /// DeepState's full snapshots with every layer (DanielRose2310/deepstatemaps-history).
    pub const DEEPSTATE_RAW: &'static str = "deepstate-raw";
    /// DeepState's full maps as downloaded daily since 2025-06-29 (SmartFinn/wararchive-website).
    pub const DEEPSTATE_ARCHIVE: &'static str = "deepstate-archive";
    /// DeepState's full map as one series: the raw history, continued by the
    /// archive. Not stored: the store composes it from its two members.
    pub const DEEPSTATE: &'static str = "deepstate";
    /// ISW's assessed control (full precision 2022-23 layers and the simplified series).
    pub const ISW: &'static str = "isw";

    /// A source id from any name.
    pub fn new(name: impl Into<String>) -> Self {
        Self(name.into())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What a person reads for this source: the publisher and what the
    /// series holds. Unknown (user-mapped) sources are shown by their id.
    pub fn label(&self) -> String {
        match self.as_str() {
            Self::DEEPSTATE_DAILY => "DeepState daily export (occupied only)".into(),
            Self::DEEPSTATE_RAW => "DeepState full map, history 2022-2025 (with gray zone)".into(),
            Self::DEEPSTATE_ARCHIVE => "DeepState full map, daily downloads since June 2025 (with gray zone)".into(),
            Self::DEEPSTATE => "DeepState full map (with gray zone): history and daily downloads joined".into(),
            Self::ISW => "ISW assessed control".into(),
            other => other.to_string(),
        }
    }

    /// The stored sources a composite source is made of, highest priority
    /// first; `None` for a source that is stored as itself.
    pub fn members(&self) -> Option<[&'static str; 2]> {
        (self.as_str() == Self::DEEPSTATE).then_some([Self::DEEPSTATE_RAW, Self::DEEPSTATE_ARCHIVE])
    }
}

impl fmt::Display for SourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One class layer of a snapshot: its geometry as published (classified,
/// unioned, repaired), before clipping to any reference territory.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    /// The class this layer carries.
    pub class: ControlClass,
    /// The union of the class's polygons, WGS84 lon/lat, no Z.
    pub geometry: MultiPolygon<f64>,
}

/// The control map of one source at one instant (measures.md, "Snapshot").
///
/// A class that the source does not publish is absent from `layers`; a class
/// that it publishes but that is empty on that day is present with an empty
/// geometry. The distinction matters: the daily DeepState export has no gray
/// zone at all, which is not the same as "no gray zone that day".
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// Who published it.
    pub source: SourceId,
    /// When it was published (or downloaded, for sources that only say that), UTC.
    pub taken_at: DateTime<Utc>,
    /// One layer per class the source publishes, sorted by class.
    pub layers: Vec<Layer>,
}

impl Snapshot {
    /// The calendar date (UTC) of the snapshot.
    pub fn date(&self) -> NaiveDate {
        self.taken_at.date_naive()
    }

    /// The geometry of a class, if the source publishes it.
    pub fn layer(&self, class: ControlClass) -> Option<&MultiPolygon<f64>> {
        self.layers.iter().find(|l| l.class == class).map(|l| &l.geometry)
    }

    /// The geometry of a class, empty if the source does not publish it.
    pub fn class_or_empty(&self, class: ControlClass) -> MultiPolygon<f64> {
        self.layer(class).cloned().unwrap_or_else(|| MultiPolygon::new(vec![]))
    }

    /// Sets (or replaces) a class layer, keeping `layers` sorted by class.
    pub fn set_layer(&mut self, class: ControlClass, geometry: MultiPolygon<f64>) {
        match self.layers.iter_mut().find(|l| l.class == class) {
            Some(l) => l.geometry = geometry,
            None => {
                self.layers.push(Layer { class, geometry });
                self.layers.sort_by_key(|l| l.class);
            }
        }
    }
}
