//! Engine results as [`ExportTable`]s. Every figure comes from the engine's
//! own functions (the same code path as `frontline area`, `change`,
//! `front`): nothing is measured here that the engine does not measure.

use crate::table::{Column, ExportTable, Kind, Row, Shape, Value};
use frontline::area::{area_rows, change, class_area_series_km2, period_pairs, Period, UKRAINE_OFFICIAL_KM2};
use frontline::front::FrontExtractor;
use frontline::geodesy::{GeodesicAreaM2, M2_PER_KM2};
use frontline::places::{CaptureRule, Direction, Gazetteer, Status, StatusTable};
use frontline::regions::{RegionSet, Territory};
use frontline::{ControlClass, Snapshot};
use geo::orient::Orient;
use geo::{Geometry, MultiPolygon, Point};
use rayon::prelude::*;

/// The datasets `frontline export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dataset {
    /// One row per snapshot and class the source publishes: the layer as stored.
    Snapshots,
    /// One row per snapshot, oblast and class: the layer within the oblast.
    Oblasts,
    /// One row per period, class and direction: the polygons gained and lost.
    Changes,
    /// One row per snapshot: the frontline.
    Front,
    /// One row per settlement: its status on a date and its capture dates.
    Places,
}

impl Dataset {
    /// The names the CLI accepts.
    pub const NAMES: [&'static str; 5] = ["snapshots", "oblasts", "changes", "front", "places"];

    /// Parses a dataset name.
    pub fn parse(s: &str) -> Option<Dataset> {
        match s.trim().to_ascii_lowercase().as_str() {
            "snapshots" | "snapshot" => Some(Dataset::Snapshots),
            "oblasts" | "oblast" => Some(Dataset::Oblasts),
            "changes" | "change" | "gained-lost" => Some(Dataset::Changes),
            "front" | "frontline" => Some(Dataset::Front),
            "places" | "settlements" => Some(Dataset::Places),
            _ => None,
        }
    }
}

/// The layer with exteriors counter-clockwise and holes clockwise, as the
/// GeoParquet metadata declares and as RFC 7946 asks. The store should
/// already hold them so, but some stored layers of deepstate-raw (2022-23)
/// and deepstate-archive's gray zone have counter-clockwise holes, and a
/// reader that sums signed ring areas (pyproj's `geometry_area_perimeter`)
/// would add those holes instead of subtracting them. Orientation changes
/// no area the engine measures (it takes |ring| per ring).
fn oriented(mp: &MultiPolygon<f64>) -> Geometry<f64> {
    Geometry::MultiPolygon(mp.orient(geo::orient::Direction::Default))
}

fn area_km2(mp: &MultiPolygon<f64>) -> f64 {
    // `+ 0.0` turns the -0.0 of an empty sum into 0.0: a reader takes a sign for a loss.
    mp.geodesic_area_m2() / M2_PER_KM2 + 0.0
}

/// Every class layer of every snapshot, as stored (not clipped), with its
/// geodesic area and its area within `reference` (what `frontline area`
/// prints for that date).
pub fn snapshots(snapshots: &[Snapshot], reference: &Territory) -> ExportTable {
    let within = area_rows(snapshots, reference, UKRAINE_OFFICIAL_KM2);
    let mut per_class = Vec::new();
    for class in ControlClass::ALL {
        per_class.push((class, class_area_series_km2(snapshots, class)));
    }
    let mut rows = Vec::new();
    for (i, s) in snapshots.iter().enumerate() {
        for (class, areas) in &per_class {
            let (Some(layer), Some(Some(area))) = (s.layer(*class), areas.get(i)) else { continue };
            let in_reference = within.get(i).and_then(|w| match class {
                ControlClass::Occupied => Some(w.occupied_km2),
                ControlClass::Gray => w.gray_km2,
                ControlClass::Liberated => w.liberated_km2,
            });
            rows.push(Row {
                source: s.source.to_string(),
                date: s.date(),
                values: vec![
                    Value::Timestamp(s.taken_at),
                    Value::Text(class.as_str().into()),
                    Value::Float(*area),
                    Value::float(in_reference),
                    Value::Text(reference.name.clone()),
                ],
                geometry: Some(oriented(layer)),
            });
        }
    }
    ExportTable {
        name: "snapshots",
        description: format!(
            "one row per snapshot and class: the layer as the source published it (repaired, not clipped); \
             area_km2 = geodesic area of this geometry on WGS84 (GeographicLib), \
             area_in_reference_km2 = its part within {} (frontline area)",
            reference.name
        ),
        columns: vec![
            Column::required("taken_at", Kind::Timestamp),
            Column::required("class", Kind::Text),
            Column::required("area_km2", Kind::Float),
            Column::optional("area_in_reference_km2", Kind::Float),
            Column::required("reference", Kind::Text),
        ],
        shape: Shape::MultiPolygon,
        rows,
    }
}

/// Each snapshot's occupied (and gray, where published) layer cut to each
/// region of `regions`: the pieces a distributed engine sums per oblast and
/// month. `area_km2` is the geodesic area of the piece, the figure
/// `frontline area --by oblast` prints as occupied_km2 / gray_km2.
pub fn oblasts(snapshots: &[Snapshot], regions: &RegionSet) -> ExportTable {
    let rows: Vec<Row> = snapshots
        .par_iter()
        .flat_map_iter(|s| {
            let mut out = Vec::new();
            for class in [ControlClass::Occupied, ControlClass::Gray] {
                let Some(layer) = s.layer(class) else { continue };
                for r in &regions.regions {
                    let piece = r.territory.clip(layer);
                    out.push(Row {
                        source: s.source.to_string(),
                        date: s.date(),
                        values: vec![
                            Value::Text(r.name.clone()),
                            Value::text(r.iso.as_deref()),
                            Value::Text(class.as_str().into()),
                            Value::Float(area_km2(&piece)),
                            Value::Float(r.share_denominator_km2),
                        ],
                        geometry: Some(oriented(&piece)),
                    });
                }
            }
            out
        })
        .collect();
    ExportTable {
        name: "oblasts",
        description: format!(
            "one row per snapshot, region and class: the layer within the region; area_km2 = geodesic area of \
             the piece on WGS84; region_km2 = the denominator of the region's share ({})",
            regions.describe()
        ),
        columns: vec![
            Column::required("region", Kind::Text),
            Column::optional("iso3166_2", Kind::Text),
            Column::required("class", Kind::Text),
            Column::required("area_km2", Kind::Float),
            Column::required("region_km2", Kind::Float),
        ],
        shape: Shape::MultiPolygon,
        rows,
    }
}

/// The polygons gained and lost by each class per period (the last
/// snapshot at or before each boundary, as `frontline change`), clipped to
/// `reference`. `date` is the later snapshot's date.
pub fn changes(snapshots: &[Snapshot], every: Period, classes: &[ControlClass], reference: &Territory) -> ExportTable {
    let dates: Vec<_> = snapshots.iter().map(Snapshot::date).collect();
    let pairs = period_pairs(&dates, every, None, None);
    let rows: Vec<Row> = pairs
        .par_iter()
        .flat_map_iter(|p| {
            let (a, b) = (&snapshots[p.a], &snapshots[p.b]);
            let mut out = Vec::new();
            for class in classes {
                let Some((row, geometry)) = change(&p.label, a, b, *class, reference) else { continue };
                for (direction, km2, g) in
                    [("gained", row.gained_km2, geometry.gained), ("lost", row.lost_km2, geometry.lost)]
                {
                    out.push(Row {
                        source: b.source.to_string(),
                        date: row.to,
                        values: vec![
                            Value::Text(row.period.clone()),
                            Value::Date(row.from),
                            Value::Int(row.days),
                            Value::Text(class.as_str().into()),
                            Value::Text(direction.into()),
                            Value::Float(km2),
                            Value::Text(reference.name.clone()),
                        ],
                        geometry: Some(oriented(&g)),
                    });
                }
            }
            out
        })
        .collect();
    ExportTable {
        name: "changes",
        description: format!(
            "one row per period, class and direction: the ground the class gained or lost between the snapshots \
             dated from_date and date (the last at or before each period boundary), clipped to {}; \
             area_km2 = geodesic area on WGS84 (frontline change)",
            reference.name
        ),
        columns: vec![
            Column::required("period", Kind::Text),
            Column::required("from_date", Kind::Date),
            Column::required("days", Kind::Int),
            Column::required("class", Kind::Text),
            Column::required("direction", Kind::Text),
            Column::required("area_km2", Kind::Float),
            Column::required("reference", Kind::Text),
        ],
        shape: Shape::MultiPolygon,
        rows,
    }
}

/// The frontline of every snapshot (`frontline front`), with its geodesic length.
pub fn front(snapshots: &[Snapshot], extractor: &FrontExtractor, parameters: &str) -> ExportTable {
    let rows: Vec<Row> = snapshots
        .par_iter()
        .map(|s| {
            let f = extractor.frontline(s);
            Row {
                source: s.source.to_string(),
                date: s.date(),
                values: vec![Value::Float(f.length_km)],
                geometry: Some(Geometry::MultiLineString(f.lines)),
            }
        })
        .collect();
    ExportTable {
        name: "front",
        description: format!(
            "one row per snapshot: the frontline (frontline front: {parameters}); length_km = geodesic length on WGS84"
        ),
        columns: vec![Column::required("length_km", Kind::Float)],
        shape: Shape::MultiLineString,
        rows,
    }
}

fn status_word(s: Status) -> &'static str {
    match s {
        Status::Held => "held",
        Status::Contested => "contested",
        Status::Occupied => "occupied",
    }
}

/// Every settlement of the gazetteer on snapshot `snapshot` of `table`
/// (`frontline places --on`): status, fractions, distance to occupied
/// ground, and the dates it was last captured and retaken up to that
/// snapshot by measures.md's rule (θ = 50 % of the footprint, held for 3
/// snapshots; `frontline place`).
pub fn places(gazetteer: &Gazetteer, table: &StatusTable, snapshot: usize, source: &str) -> ExportTable {
    let rule = CaptureRule::default();
    let Some(&date) = table.dates().get(snapshot) else {
        return places_table(vec![], rule);
    };
    let rows: Vec<Row> = gazetteer
        .places()
        .par_iter()
        .map(|p| {
            let s = table.point(p.id, snapshot);
            let changes = table.control_changes(p.id, rule);
            let last = |d: Direction| {
                changes.iter().filter(|c| c.direction == d && c.snapshot <= snapshot).map(|c| c.date).next_back()
            };
            Row {
                source: source.to_string(),
                date,
                values: vec![
                    Value::Text(p.name.clone()),
                    Value::text(p.name_uk.as_deref()),
                    Value::Text(p.oblast.clone()),
                    Value::Int(i64::try_from(p.population).unwrap_or(i64::MAX)),
                    Value::Text(status_word(s.status).into()),
                    Value::Float(s.occupied_fraction),
                    Value::float(s.gray_fraction),
                    Value::float(s.distance_m.map(|m| m / 1000.0)),
                    Value::Float(p.footprint.area_m2 / M2_PER_KM2),
                    last(Direction::Captured).map_or(Value::Null, Value::Date),
                    last(Direction::Retaken).map_or(Value::Null, Value::Date),
                ],
                geometry: Some(Geometry::Point(Point::new(p.lon, p.lat))),
            }
        })
        .collect();
    places_table(rows, rule)
}

fn places_table(rows: Vec<Row>, rule: CaptureRule) -> ExportTable {
    ExportTable {
        name: "places",
        description: format!(
            "one row per settlement (OSM and GeoNames gazetteer, point = the OSM place node) on the snapshot dated \
             date: status (held < 5 % occupied and gray, occupied >= 95 %), fractions of its footprint \
             (footprint_km2, geodesic), geodesic distance to occupied ground, and the last capture and retake \
             dates up to that snapshot (occupied fraction crossing {:.0} % and staying {} snapshots; a date equal \
             to the first snapshot means on or before it)",
            100.0 * rule.theta,
            rule.persistence
        ),
        columns: vec![
            Column::required("name", Kind::Text),
            Column::optional("name_uk", Kind::Text),
            Column::required("oblast", Kind::Text),
            Column::required("population", Kind::Int),
            Column::required("status", Kind::Text),
            Column::required("occupied_fraction", Kind::Float),
            Column::optional("gray_fraction", Kind::Float),
            Column::optional("distance_to_occupied_km", Kind::Float),
            Column::required("footprint_km2", Kind::Float),
            Column::optional("captured_on", Kind::Date),
            Column::optional("retaken_on", Kind::Date),
        ],
        shape: Shape::Point,
        rows,
    }
}

/// A corridor series (`frontline corridor`, the engine's
/// [`frontline::encircle::CorridorFrame::series`]): one row per date with
/// the state of the way out, its width, pincer gap and length, and the
/// widest path as the geometry (none when there is no path).
pub fn corridor(
    points: &[(chrono::NaiveDate, &frontline::encircle::Corridor)],
    place: &str,
    hostile: &str,
    source: &str,
) -> ExportTable {
    use frontline::encircle::CorridorState;
    let rows = points
        .iter()
        .map(|&(date, c)| {
            let state = match c.state {
                CorridorState::Open => "open",
                CorridorState::Rear => "rear",
                CorridorState::Encircled => "encircled",
                CorridorState::Occupied => "occupied",
                CorridorState::BeyondWindow => "beyond_window",
            };
            let path: geo::LineString<f64> = c.path.iter().map(|&[x, y]| geo::coord! {x: x, y: y}).collect();
            Row {
                source: source.to_string(),
                date,
                values: vec![
                    Value::Text(place.to_string()),
                    Value::Text(hostile.to_string()),
                    Value::Text(state.into()),
                    Value::float(c.width_m),
                    Value::float(c.gap.map(|g| g.gap_m)),
                    Value::float(c.length_m.map(|m| m / 1000.0)),
                    Value::float(c.neck.map(|n| n[0])),
                    Value::float(c.neck.map(|n| n[1])),
                ],
                geometry: (path.0.len() >= 2).then(|| Geometry::MultiLineString(geo::MultiLineString::new(vec![path]))),
            }
        })
        .collect();
    ExportTable {
        name: "corridor",
        description: "one row per date: the way out of the place to the rear (frontline corridor): state, \
                      width_m = 2 x the neck's clearance, gap_m = the pincer gap (geodesic), length_km, \
                      the neck's point, and the widest path as the geometry"
            .into(),
        columns: vec![
            Column::required("place", Kind::Text),
            Column::required("hostile", Kind::Text),
            Column::required("state", Kind::Text),
            Column::optional("width_m", Kind::Float),
            Column::optional("gap_m", Kind::Float),
            Column::optional("length_km", Kind::Float),
            Column::optional("neck_lon", Kind::Float),
            Column::optional("neck_lat", Kind::Float),
        ],
        shape: Shape::MultiLineString,
        rows,
    }
}
