//! The one shape every dataset takes before it is written: rows of typed
//! values, each with its source, its date and one geometry.

use chrono::{DateTime, NaiveDate, Utc};
use geo::{BoundingRect, Geometry, Rect};

/// A column's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// UTF-8 text.
    Text,
    /// A calendar date.
    Date,
    /// An instant (UTC).
    Timestamp,
    /// A 64-bit float.
    Float,
    /// A 64-bit integer.
    Int,
}

/// A column besides `source`, `date` and the geometry, which every table has.
#[derive(Debug, Clone)]
pub struct Column {
    /// Its name (with its unit: `area_km2`, `length_km`).
    pub name: &'static str,
    /// Its type.
    pub kind: Kind,
    /// Whether a row may leave it empty.
    pub nullable: bool,
}

impl Column {
    /// A column that every row fills.
    pub const fn required(name: &'static str, kind: Kind) -> Self {
        Column { name, kind, nullable: false }
    }

    /// A column a row may leave empty.
    pub const fn optional(name: &'static str, kind: Kind) -> Self {
        Column { name, kind, nullable: true }
    }
}

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text.
    Text(String),
    /// A date.
    Date(NaiveDate),
    /// An instant.
    Timestamp(DateTime<Utc>),
    /// A float.
    Float(f64),
    /// An integer.
    Int(i64),
    /// Empty (only in a nullable column).
    Null,
}

impl Value {
    /// `Some(x)` as a float, `None` as empty.
    pub fn float(x: Option<f64>) -> Value {
        x.map_or(Value::Null, Value::Float)
    }

    /// `Some(s)` as text, `None` as empty.
    pub fn text(s: Option<&str>) -> Value {
        s.map_or(Value::Null, |s| Value::Text(s.to_string()))
    }

    /// The cell as people and CSV read it (full precision for floats).
    pub fn to_text(&self) -> String {
        match self {
            Value::Text(s) => s.clone(),
            Value::Date(d) => d.to_string(),
            Value::Timestamp(t) => t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            Value::Float(x) => x.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Null => String::new(),
        }
    }
}

/// The geometry type of a table's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Areas.
    MultiPolygon,
    /// Lines (the frontline).
    MultiLineString,
    /// Points (settlements, corridor necks).
    Point,
}

impl Shape {
    /// The OGC / GeoParquet name.
    pub fn name(self) -> &'static str {
        match self {
            Shape::MultiPolygon => "MultiPolygon",
            Shape::MultiLineString => "MultiLineString",
            Shape::Point => "Point",
        }
    }
}

/// One row: its source, its date, its cells in column order and its geometry.
#[derive(Debug, Clone)]
pub struct Row {
    /// The source of the snapshot(s) it comes from.
    pub source: String,
    /// The date it describes (for a change: the later snapshot's).
    pub date: NaiveDate,
    /// One value per [`ExportTable::columns`] entry.
    pub values: Vec<Value>,
    /// Its geometry (WGS84 lon/lat); `None` when it has none (a corridor
    /// date whose neck is closed).
    pub geometry: Option<Geometry<f64>>,
}

impl Row {
    /// The geometry's bounding box, `None` for an empty or absent geometry.
    pub fn bbox(&self) -> Option<Rect<f64>> {
        self.geometry.as_ref().and_then(|g| g.bounding_rect())
    }
}

/// A dataset ready to write.
#[derive(Debug, Clone)]
pub struct ExportTable {
    /// The dataset's name (`snapshots`, `oblasts`, ...), used as the layer name.
    pub name: &'static str,
    /// One sentence saying what a row is and how its figures were measured.
    pub description: String,
    /// The columns after `source` and `date`.
    pub columns: Vec<Column>,
    /// The geometry type.
    pub shape: Shape,
    /// The rows, in source and date order.
    pub rows: Vec<Row>,
}

impl ExportTable {
    /// Checks that every row has one value per column, of its column's type
    /// (or empty where allowed): a writer can then trust the cells.
    pub fn check(&self) -> Result<(), String> {
        for (i, r) in self.rows.iter().enumerate() {
            if r.values.len() != self.columns.len() {
                return Err(format!("row {i}: {} values for {} columns", r.values.len(), self.columns.len()));
            }
            for (c, v) in self.columns.iter().zip(&r.values) {
                let ok = matches!(
                    (c.kind, v),
                    (Kind::Text, Value::Text(_))
                        | (Kind::Date, Value::Date(_))
                        | (Kind::Timestamp, Value::Timestamp(_))
                        | (Kind::Float, Value::Float(_))
                        | (Kind::Int, Value::Int(_))
                ) || (c.nullable && *v == Value::Null);
                if !ok {
                    return Err(format!("row {i}: column {} holds {v:?}", c.name));
                }
            }
        }
        Ok(())
    }
}
