//! `frontline._frontline`: the engine behind the Python package.
//!
//! Each method is arguments → one engine call (the use-case layer,
//! `frontline::usecase`, where the CLI does more than that) → columns. A
//! table leaves as a dict of equal-length lists, which the pure-Python layer
//! (`frontline/__init__.py`) turns into a pandas DataFrame in one call;
//! geometry leaves as a list of WKB `bytes`, which it hands to
//! `geopandas.GeoSeries.from_wkb` (vectorised by shapely: no per-feature
//! Python loop). Long calls release the GIL (`Python::detach`). Engine
//! errors become the exceptions of `frontline/errors.py`, chosen by the
//! error's kind, with the message the CLI prints after `error: `.

mod wkb;

use chrono::NaiveDate;
use frontline::area::{Period, UKRAINE_OFFICIAL_KM2};
use frontline::encircle::CorridorParams;
use frontline::error::ErrorKind;
use frontline::front::{sector_lengths, FrontOptions, Hostile, Sectors};
use frontline::ingest::Format;
use frontline::places::{stored, CaptureRule, Direction, GazetteerSources, Status};
use frontline::regions::{load_reference, Reference, Territory};
use frontline::store::Store as EngineStore;
use frontline::usecase;
use frontline::usecase::places::{Footprints, PlacesData};
use frontline::Error;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use std::path::{Path, PathBuf};

/// The Python exception for an engine error, by the error's kind.
fn to_py(e: Error) -> PyErr {
    let class = match &e {
        Error::Io { .. } => "FileReadError",
        Error::Input { .. } => "InputError",
        Error::Store { .. } => "StoreError",
        other => kind_name(other),
    };
    raise(class, e.to_string())
}

/// The exception class of an error kind.
fn kind_name(e: &Error) -> &'static str {
    match e.kind() {
        ErrorKind::InvalidArgument => "InvalidArgumentError",
        ErrorKind::NotFound => "NotFoundError",
        ErrorKind::Internal => "InternalError",
    }
}

/// An exception of `frontline.errors` by class name.
fn raise(class: &str, message: String) -> PyErr {
    Python::attach(|py| {
        match py.import("frontline.errors").and_then(|m| m.getattr(class)).and_then(|c| c.call1((message.clone(),))) {
            Ok(instance) => PyErr::from_value(instance),
            Err(e) => e,
        }
    })
}

fn invalid(message: String) -> PyErr {
    raise("InvalidArgumentError", message)
}

/// YYYY-MM-DD, with the CLI's words when it is not one.
fn date(s: Option<&str>) -> PyResult<Option<NaiveDate>> {
    s.map(|s| {
        NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map_err(|_| invalid(format!("'{s}' is not a date: use YYYY-MM-DD, e.g. 2025-06-01")))
    })
    .transpose()
}

/// The shared data folder: `data`, $FRONTLINE_DATA, $FRONTLINE_SHARED/data,
/// else ../shared/data or shared/data from the current folder (the CLI's
/// order, less the binary's own location, which a Python module lacks).
fn data_dir(explicit: Option<&Path>) -> PyResult<PathBuf> {
    let check = |d: PathBuf| {
        if d.join("boundaries").is_dir() {
            Ok(d)
        } else {
            Err(invalid(format!(
                "{}: no boundaries/ folder here; pass data=DIR pointing at the shared data",
                d.display()
            )))
        }
    };
    if let Some(d) = explicit {
        return check(d.to_path_buf());
    }
    if let Some(d) = std::env::var_os("FRONTLINE_DATA") {
        return check(PathBuf::from(d));
    }
    if let Some(s) = std::env::var_os("FRONTLINE_SHARED") {
        return check(PathBuf::from(s).join("data"));
    }
    ["../shared/data", "shared/data"].into_iter().map(PathBuf::from).find(|c| c.join("boundaries").is_dir()).ok_or_else(
        || {
            raise(
                "NotFoundError",
                "shared data not found: pass data=DIR (the folder holding boundaries/), or set FRONTLINE_SHARED".into(),
            )
        },
    )
}

/// A column of a table: a list of Python values.
fn column<'py, T: IntoPyObject<'py>>(py: Python<'py>, values: Vec<T>) -> PyResult<Bound<'py, PyList>> {
    PyList::new(py, values)
}

/// WKB blobs as a list of `bytes`.
fn wkb_column<'py>(py: Python<'py>, blobs: &[Vec<u8>]) -> PyResult<Bound<'py, PyList>> {
    PyList::new(py, blobs.iter().map(|b| PyBytes::new(py, b)))
}

/// Builds a dict of columns from `(name, list)` pairs.
macro_rules! table {
    ($py:expr, $( $name:expr => $values:expr ),+ $(,)?) => {{
        let d = PyDict::new($py);
        $( d.set_item($name, column($py, $values)?)?; )+
        d
    }};
}

/// A snapshot store: open it, ingest into it, measure from it.
#[pyclass(frozen, module = "frontline._frontline")]
struct Store {
    path: PathBuf,
    data: Option<PathBuf>,
}

impl Store {
    fn read(&self) -> PyResult<EngineStore> {
        EngineStore::open_read_only(&self.path).map_err(to_py)
    }

    /// Writable when possible, so derived results (gazetteer, status
    /// tables) are kept for next time; read-only otherwise (as the CLI).
    fn for_cache(&self) -> PyResult<(EngineStore, bool)> {
        if !self.path.exists() {
            return Ok((self.read()?, false));
        }
        match EngineStore::open(&self.path) {
            Ok(s) => Ok((s, true)),
            Err(_) => Ok((self.read()?, false)),
        }
    }

    fn data(&self) -> PyResult<PathBuf> {
        data_dir(self.data.as_deref())
    }

    /// The reference territory named as the CLI's `--reference`.
    fn reference(&self, name: &str) -> PyResult<Territory> {
        let choice = Reference::parse(name);
        let data = match &choice {
            Reference::File(_) => PathBuf::new(),
            _ => self.data()?,
        };
        load_reference(&choice, &data).map_err(|e| {
            let kind = match &e {
                Error::Io { .. } => "FileReadError",
                Error::Input { .. } => "InputError",
                other => kind_name(other),
            };
            raise(kind, format!("loading reference territory '{name}': {e}"))
        })
    }

    /// The gazetteer and the status table, as the CLI loads them ([`usecase::places::load_places`]).
    fn places_loaded(&self, source: Option<&str>, footprints: Footprints<'_>) -> PyResult<PlacesData> {
        let (store, writable) = self.for_cache()?;
        let mut timings = stored::Timings::default();
        usecase::places::load_places(&store, writable, &self.data()?, source, footprints, &mut timings).map_err(to_py)
    }
}

fn status_name(s: Status) -> &'static str {
    match s {
        Status::Held => "held",
        Status::Contested => "contested",
        Status::Occupied => "occupied",
    }
}

fn direction_name(d: Direction) -> &'static str {
    match d {
        Direction::Captured => "captured",
        Direction::Retaken => "retaken",
    }
}

#[pymethods]
impl Store {
    /// Opens (does not create) nothing yet: the file is opened by each call,
    /// read-only unless the call writes.
    #[new]
    #[pyo3(signature = (path, data=None))]
    fn new(path: PathBuf, data: Option<PathBuf>) -> Self {
        Store { path, data }
    }

    #[getter]
    fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// The sources in the store: name, description, snapshot count, first and last date.
    fn sources<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = py.detach(|| self.read()?.sources().map_err(to_py))?;
        Ok(table!(py,
            "source" => s.iter().map(|s| s.source.to_string()).collect::<Vec<_>>(),
            "description" => s.iter().map(|s| s.label.clone()).collect::<Vec<_>>(),
            "snapshots" => s.iter().map(|s| s.snapshots).collect::<Vec<_>>(),
            "first" => s.iter().map(|s| s.first.date_naive().to_string()).collect::<Vec<_>>(),
            "last" => s.iter().map(|s| s.last.date_naive().to_string()).collect::<Vec<_>>(),
        ))
    }

    /// Reads files or folders into the store (creating it), as `frontline
    /// ingest`; returns the summary as JSON text.
    #[pyo3(signature = (paths, format=None))]
    fn ingest(&self, py: Python<'_>, paths: Vec<PathBuf>, format: Option<String>) -> PyResult<String> {
        let explicit = match format.as_deref() {
            None => None,
            Some(name) => Some(Format::parse(name).ok_or_else(|| {
                invalid(format!(
                    "unknown format '{name}'; known: {} (or --map for any other GeoJSON)",
                    Format::NAMES.join(", ")
                ))
            })?),
        };
        let data = match self.data() {
            Ok(d) => d,
            Err(e) => {
                return Err(invalid(format!(
                    "{}; ingest needs the reference territory to drop polygons outside Ukraine",
                    Python::attach(|py| e.value(py).to_string())
                )))
            }
        };
        py.detach(|| {
            let mut store = EngineStore::open(&self.path).map_err(to_py)?;
            let summary = usecase::ingest_paths(&mut store, &paths, explicit.as_ref(), &data, &|| ()).map_err(to_py)?;
            serde_json::to_string(&summary).map_err(|e| raise("InternalError", e.to_string()))
        })
    }

    /// `frontline area`: one row per snapshot (the last at or before `on`,
    /// every one in `from_..=to`, or the latest), with the audit's flag.
    #[pyo3(signature = (source=None, on=None, from_=None, to=None, reference="sea", country_km2=UKRAINE_OFFICIAL_KM2))]
    #[allow(clippy::too_many_arguments)]
    fn area<'py>(
        &self,
        py: Python<'py>,
        source: Option<&str>,
        on: Option<&str>,
        from_: Option<&str>,
        to: Option<&str>,
        reference: &str,
        country_km2: f64,
    ) -> PyResult<(Bound<'py, PyDict>, Vec<String>)> {
        let (on, from, to) = (date(on)?, date(from_)?, date(to)?);
        let (rows, notes) = py.detach(|| {
            let store = self.read()?;
            let source = usecase::pick_source(&store, source).map_err(to_py)?;
            let reference = self.reference(reference)?;
            usecase::area_series(&store, &source, &reference, country_km2, on, from, to).map_err(to_py)
        })?;
        let r = |f: &dyn Fn(&usecase::FlaggedArea) -> Option<f64>| rows.iter().map(f).collect::<Vec<_>>();
        let t = table!(py,
            "date" => rows.iter().map(|f| f.row.date.to_string()).collect::<Vec<_>>(),
            "source" => rows.iter().map(|f| f.row.source.to_string()).collect::<Vec<_>>(),
            "reference" => rows.iter().map(|f| f.row.reference.clone()).collect::<Vec<_>>(),
            "occupied_km2" => r(&|f| Some(f.row.occupied_km2)),
            "occupied_sqmi" => r(&|f| Some(f.row.occupied_sqmi)),
            "occupied_pct" => r(&|f| Some(f.row.occupied_pct)),
            "gray_km2" => r(&|f| f.row.gray_km2),
            "occupied_or_gray_km2" => r(&|f| f.row.occupied_or_gray_km2),
            "occupied_or_gray_pct" => r(&|f| f.row.occupied_or_gray_pct),
            "liberated_km2" => r(&|f| f.row.liberated_km2),
            "flag" => rows.iter().map(|f| f.flag.clone()).collect::<Vec<_>>(),
        );
        Ok((t, notes))
    }

    /// `frontline change`: gained, lost and net km² per period; with
    /// `geometry`, also the gained and lost polygons as WKB rows.
    #[pyo3(signature = (source=None, every="month", from_=None, to=None, class_="occupied", reference="sea", offset_days=0, geometry=false))]
    #[allow(clippy::too_many_arguments)]
    fn change<'py>(
        &self,
        py: Python<'py>,
        source: Option<&str>,
        every: &str,
        from_: Option<&str>,
        to: Option<&str>,
        class_: &str,
        reference: &str,
        offset_days: i64,
        geometry: bool,
    ) -> PyResult<(Bound<'py, PyDict>, Option<Bound<'py, PyDict>>)> {
        let period = Period::parse(every)
            .ok_or_else(|| invalid(format!("--every {every}: use snapshot, day, week, month or year")))?;
        let req = usecase::ChangeRequest {
            every: period,
            from: date(from_)?,
            to: date(to)?,
            class: class_.to_string(),
            offset_days,
        };
        let (rows, shapes) = py.detach(|| -> PyResult<_> {
            let store = self.read()?;
            let source = usecase::pick_source(&store, source).map_err(to_py)?;
            let reference = self.reference(reference)?;
            let rows = usecase::change_series(&store, &source, &reference, &req).map_err(to_py)?;
            // (row index, "gained"/"lost", km², WKB) for each non-empty polygon set.
            let mut shapes: Vec<(usize, &'static str, f64, Vec<u8>)> = vec![];
            if geometry {
                for (i, p) in rows.iter().enumerate() {
                    for (kind, mp, km2) in
                        [("gained", &p.geometry.gained, p.row.gained_km2), ("lost", &p.geometry.lost, p.row.lost_km2)]
                    {
                        if !mp.0.is_empty() {
                            shapes.push((i, kind, km2, wkb::multipolygon(mp)));
                        }
                    }
                }
            }
            Ok((rows, shapes))
        })?;
        let t = table!(py,
            "period" => rows.iter().map(|p| p.row.period.clone()).collect::<Vec<_>>(),
            "class" => rows.iter().map(|p| p.row.class.to_string()).collect::<Vec<_>>(),
            "from" => rows.iter().map(|p| p.row.from.to_string()).collect::<Vec<_>>(),
            "to" => rows.iter().map(|p| p.row.to.to_string()).collect::<Vec<_>>(),
            "days" => rows.iter().map(|p| p.row.days).collect::<Vec<_>>(),
            "gained_km2" => rows.iter().map(|p| p.row.gained_km2).collect::<Vec<_>>(),
            "lost_km2" => rows.iter().map(|p| p.row.lost_km2).collect::<Vec<_>>(),
            "net_km2" => rows.iter().map(|p| p.row.net_km2).collect::<Vec<_>>(),
            "flag" => rows.iter().map(|p| p.flag.clone()).collect::<Vec<_>>(),
        );
        let g = if geometry {
            let blobs: Vec<Vec<u8>> = shapes.iter().map(|s| s.3.clone()).collect();
            let d = table!(py,
                "period" => shapes.iter().map(|s| rows[s.0].row.period.clone()).collect::<Vec<_>>(),
                "class" => shapes.iter().map(|s| rows[s.0].row.class.to_string()).collect::<Vec<_>>(),
                "kind" => shapes.iter().map(|s| s.1).collect::<Vec<_>>(),
                "from" => shapes.iter().map(|s| rows[s.0].row.from.to_string()).collect::<Vec<_>>(),
                "to" => shapes.iter().map(|s| rows[s.0].row.to.to_string()).collect::<Vec<_>>(),
                "area_km2" => shapes.iter().map(|s| s.2).collect::<Vec<_>>(),
            );
            d.set_item("wkb", wkb_column(py, &blobs)?)?;
            Some(d)
        } else {
            None
        };
        Ok((t, g))
    }

    /// `frontline places`: every settlement's status on a date (the last
    /// snapshot at or before `on`; default the latest); with `geometry`,
    /// the footprints as WKB.
    #[pyo3(signature = (source=None, on=None, geometry=false))]
    fn places<'py>(
        &self,
        py: Python<'py>,
        source: Option<&str>,
        on: Option<&str>,
        geometry: bool,
    ) -> PyResult<(Bound<'py, PyDict>, Vec<String>)> {
        let on = date(on)?;
        let (g, table, i, notes) = py.detach(|| -> PyResult<_> {
            let footprints = if geometry { Footprints::All } else { Footprints::Around(&[]) };
            let PlacesData { gazetteer, table, .. } = self.places_loaded(source, footprints)?;
            let (i, note) = usecase::places::snapshot_index(&table, on).map_err(to_py)?;
            Ok((gazetteer, table, i, note.into_iter().collect::<Vec<_>>()))
        })?;
        let places = g.places();
        let points: Vec<_> = places.iter().map(|p| table.point(p.id, i)).collect();
        let t = table!(py,
            "date" => points.iter().map(|s| s.date.to_string()).collect::<Vec<_>>(),
            "name" => places.iter().map(|p| p.name.clone()).collect::<Vec<_>>(),
            "name_uk" => places.iter().map(|p| p.name_uk.clone()).collect::<Vec<_>>(),
            "oblast" => places.iter().map(|p| p.oblast.clone()).collect::<Vec<_>>(),
            "population" => places.iter().map(|p| p.population).collect::<Vec<_>>(),
            "lon" => places.iter().map(|p| p.lon).collect::<Vec<_>>(),
            "lat" => places.iter().map(|p| p.lat).collect::<Vec<_>>(),
            "status" => points.iter().map(|s| status_name(s.status)).collect::<Vec<_>>(),
            "occupied_fraction" => points.iter().map(|s| s.occupied_fraction).collect::<Vec<_>>(),
            "gray_fraction" => points.iter().map(|s| s.gray_fraction).collect::<Vec<_>>(),
            "distance_to_occupied_km" => points.iter().map(|s| s.distance_m.map(|d| d / 1000.0)).collect::<Vec<_>>(),
            "footprint_km2" => places.iter().map(|p| p.footprint.area_m2 / 1e6).collect::<Vec<_>>(),
        );
        if geometry {
            let blobs: Vec<Vec<u8>> = places.iter().map(|p| wkb::multipolygon(&p.footprint.geometry)).collect();
            t.set_item("wkb", wkb_column(py, &blobs)?)?;
        }
        Ok((t, notes))
    }

    /// Capture and retake dates of every settlement at occupied share
    /// `threshold` (3 maps in a row, measures.md), or of one place.
    #[pyo3(signature = (source=None, threshold=0.5, place=None, oblast=None))]
    fn captures<'py>(
        &self,
        py: Python<'py>,
        source: Option<&str>,
        threshold: f64,
        place: Option<&str>,
        oblast: Option<&str>,
    ) -> PyResult<(Bound<'py, PyDict>, Vec<String>)> {
        if !(threshold > 0.0 && threshold <= 1.0) {
            return Err(invalid(format!(
                "threshold {threshold}: give the occupied share as a fraction in (0, 1], e.g. 0.5"
            )));
        }
        // A LON,LAT place needs the footprints around the point to resolve.
        let points: Vec<_> = place.and_then(frontline::places::gazetteer::parse_coordinates).into_iter().collect();
        let (g, changes, notes) = py.detach(|| -> PyResult<_> {
            let PlacesData { gazetteer: g, table, .. } = self.places_loaded(source, Footprints::Around(&points))?;
            let rule = CaptureRule::at(threshold);
            match place {
                Some(name) => {
                    let (m, why) = usecase::resolve_place(&g, name, oblast).map_err(to_py)?;
                    Ok((g, table.control_changes(m.place, rule), why.into_iter().collect()))
                }
                None => Ok((g, table.capture_dates(threshold), vec![])),
            }
        })?;
        let name_of =
            |id: usize, f: &dyn Fn(&frontline::places::Place) -> String| g.place(id).map(f).unwrap_or_default();
        let t = table!(py,
            "name" => changes.iter().map(|c| name_of(c.place, &|p| p.name.clone())).collect::<Vec<_>>(),
            "oblast" => changes.iter().map(|c| name_of(c.place, &|p| p.oblast.clone())).collect::<Vec<_>>(),
            "population" => changes.iter().map(|c| g.place(c.place).map_or(0, |p| p.population)).collect::<Vec<_>>(),
            "date" => changes.iter().map(|c| c.date.to_string()).collect::<Vec<_>>(),
            "change" => changes.iter().map(|c| direction_name(c.direction)).collect::<Vec<_>>(),
            "threshold_pct" => changes.iter().map(|c| 100.0 * c.rule.theta).collect::<Vec<_>>(),
            "on_or_before" => changes.iter().map(|c| c.at_first_snapshot).collect::<Vec<_>>(),
        );
        Ok((t, notes))
    }

    /// `frontline front`: the line on a date (length per sector) and its geometry (WKB MultiLineString).
    #[pyo3(signature = (source=None, on=None, with_gray=false, reference="sea", border_tolerance_m=500.0, coast_tolerance_m=frontline::front::REPORTING_COAST_TOLERANCE_M))]
    #[allow(clippy::too_many_arguments)]
    fn front<'py>(
        &self,
        py: Python<'py>,
        source: Option<&str>,
        on: Option<&str>,
        with_gray: bool,
        reference: &str,
        border_tolerance_m: f64,
        coast_tolerance_m: f64,
    ) -> PyResult<(Bound<'py, PyDict>, Bound<'py, PyDict>, Vec<String>)> {
        let on = date(on)?;
        let (front, sectors, source, notes) = py.detach(|| -> PyResult<_> {
            let store = self.read()?;
            let source = usecase::pick_source(&store, source).map_err(to_py)?;
            let sel = usecase::select(&store, &source, on, None, None).map_err(to_py)?;
            let snap = sel.snapshots.first().ok_or_else(|| raise("NotFoundError", "no snapshot".into()))?;
            let territory = self.reference(reference)?;
            let options = FrontOptions {
                hostile: if with_gray { Hostile::OccupiedOrContested } else { Hostile::Occupied },
                border_tolerance_m,
                coast_tolerance_m,
                ..FrontOptions::default()
            };
            let extractor = usecase::front_extractor(&territory, &Reference::parse(reference), &self.data()?, options)
                .map_err(to_py)?;
            let front = extractor.frontline(snap);
            let sectors = sector_lengths(&front.lines, &Sectors::default_towns());
            Ok((front, sectors, source, sel.notes))
        })?;
        let line = table!(py,
            "date" => vec![front.date.to_string()],
            "source" => vec![source.to_string()],
            "length_km" => vec![front.length_km],
        );
        line.set_item("wkb", wkb_column(py, &[wkb::multilinestring(&front.lines)])?)?;
        let by_sector = table!(py,
            "sector" => sectors.iter().map(|s| s.sector.clone()).collect::<Vec<_>>(),
            "length_km" => sectors.iter().map(|s| s.length_km).collect::<Vec<_>>(),
        );
        Ok((line, by_sector, notes))
    }

    /// `frontline corridor`: the way out of a besieged town (or towns joined
    /// by +) to the rear, on one date or every snapshot of a range.
    #[pyo3(signature = (place, oblast=None, source=None, on=None, from_=None, to=None, every="day", with_gray=false, resolution_m=250.0, window_m=60000.0, seed_radius_m=None, reference="sea"))]
    #[allow(clippy::too_many_arguments)]
    fn corridor<'py>(
        &self,
        py: Python<'py>,
        place: &str,
        oblast: Option<&str>,
        source: Option<&str>,
        on: Option<&str>,
        from_: Option<&str>,
        to: Option<&str>,
        every: &str,
        with_gray: bool,
        resolution_m: f64,
        window_m: f64,
        seed_radius_m: Option<f64>,
        reference: &str,
    ) -> PyResult<(Bound<'py, PyDict>, Vec<String>)> {
        let (on, from, to) = (date(on)?, date(from_)?, date(to)?);
        let (rows, notes) = py.detach(|| -> PyResult<_> {
            let (store, writable) = self.for_cache()?;
            let source = usecase::pick_source(&store, source).map_err(to_py)?;
            let g = stored::gazetteer(&store, &GazetteerSources::shared(&self.data()?), writable).map_err(to_py)?;
            let (start, mut notes) = match seed_radius_m {
                Some(r) => {
                    let first = place.split('+').next().unwrap_or(place).trim();
                    let (m, why) = usecase::resolve_place(&g, first, oblast).map_err(to_py)?;
                    (
                        usecase::CorridorStart::Point { point: geo::Coord { x: m.lon, y: m.lat }, seed_radius_m: r },
                        why.into_iter().collect(),
                    )
                }
                None => {
                    let (_, area, notes) = usecase::besieged_area(&g, place, oblast).map_err(to_py)?;
                    (usecase::CorridorStart::Area(area), notes)
                }
            };
            let snaps = if from.is_some() || to.is_some() {
                store.load_range(&source, from, to).map_err(to_py)?
            } else {
                let sel = usecase::select(&store, &source, on, None, None).map_err(to_py)?;
                notes.extend(sel.notes);
                sel.snapshots
            };
            let snaps = usecase::sample_every(snaps, every).map_err(to_py)?;
            let territory = self.reference(reference)?;
            let params = CorridorParams { window_half_size_m: window_m, resolution_m, ..CorridorParams::default() };
            let rows =
                usecase::corridor_series(&territory, &start, params, with_gray, &source, &snaps).map_err(to_py)?;
            Ok((rows, notes))
        })?;
        let state = |c: &frontline::encircle::Corridor| usecase::corridor_state_name(c.state);
        let width = |c: &frontline::encircle::Corridor| c.width_m.map(|w| w / 1000.0);
        let length = |c: &frontline::encircle::Corridor| c.length_m.map(|l| l / 1000.0);
        let t = table!(py,
            "date" => rows.iter().map(|r| r.date.to_string()).collect::<Vec<_>>(),
            "state" => rows.iter().map(|r| state(&r.occupied_only)).collect::<Vec<_>>(),
            "width_km" => rows.iter().map(|r| width(&r.occupied_only)).collect::<Vec<_>>(),
            "pincer_gap_km" => rows.iter().map(|r| usecase::pincer_gap_km(&r.occupied_only)).collect::<Vec<_>>(),
            "length_km" => rows.iter().map(|r| length(&r.occupied_only)).collect::<Vec<_>>(),
        );
        if with_gray {
            let g = |f: &dyn Fn(&frontline::encircle::Corridor) -> Option<f64>| {
                rows.iter().map(|r| r.with_gray.as_ref().and_then(f)).collect::<Vec<_>>()
            };
            t.set_item(
                "gray_state",
                column(py, rows.iter().map(|r| r.with_gray.as_ref().map(state)).collect::<Vec<_>>())?,
            )?;
            t.set_item("gray_width_km", column(py, g(&width))?)?;
            t.set_item("gray_pincer_gap_km", column(py, g(&usecase::pincer_gap_km))?)?;
            t.set_item("gray_length_km", column(py, g(&length))?)?;
        }
        Ok((t, notes))
    }

    /// `frontline compare A B`: where two sources disagree, on the date
    /// nearest `on` or every date of the sparser source in a range; with
    /// `geometry`, also the A-only and B-only polygons as WKB rows.
    #[pyo3(signature = (a, b, on=None, from_=None, to=None, max_days_apart=7, class_="occupied", reference="sea", geometry=false))]
    #[allow(clippy::too_many_arguments)]
    fn compare<'py>(
        &self,
        py: Python<'py>,
        a: &str,
        b: &str,
        on: Option<&str>,
        from_: Option<&str>,
        to: Option<&str>,
        max_days_apart: i64,
        class_: &str,
        reference: &str,
        geometry: bool,
    ) -> PyResult<(Bound<'py, PyDict>, Option<Bound<'py, PyDict>>)> {
        let class = frontline::ControlClass::parse(class_)
            .ok_or_else(|| invalid(format!("--class {class_}: use occupied, gray or liberated")))?;
        if max_days_apart < 0 {
            return Err(invalid("--max-days-apart must be 0 or more days".into()));
        }
        let (on, from, to) = (date(on)?, date(from_)?, date(to)?);
        let (rows, shapes) = py.detach(|| -> PyResult<_> {
            let store = self.read()?;
            let loaded = usecase::compare_load(&store, a, b, class, on, from, to, max_days_apart + 1).map_err(to_py)?;
            let territory = self.reference(reference)?;
            let pairing = match on {
                Some(d) => frontline::compare::Pairing::On(d),
                None => frontline::compare::Pairing::Range { from, to, max_days_apart },
            };
            let compared = usecase::compare_pairs(&loaded, class, &territory, pairing).map_err(to_py)?;
            let mut shapes: Vec<(usize, String, f64, Vec<u8>)> = vec![];
            if geometry {
                for (k, (_, _, row, d)) in compared.iter().enumerate() {
                    for (side, mp, km2) in [
                        (format!("{} only", row.a_source), &d.a_only, row.a_only_km2),
                        (format!("{} only", row.b_source), &d.b_only, row.b_only_km2),
                    ] {
                        if !mp.0.is_empty() {
                            shapes.push((k, side, km2, wkb::multipolygon(mp)));
                        }
                    }
                }
            }
            Ok((compared.into_iter().map(|(_, _, r, _)| r).collect::<Vec<_>>(), shapes))
        })?;
        let f = |g: &dyn Fn(&frontline::compare::Comparison) -> Option<f64>| rows.iter().map(g).collect::<Vec<_>>();
        let t = table!(py,
            "a_source" => rows.iter().map(|r| r.a_source.to_string()).collect::<Vec<_>>(),
            "a_date" => rows.iter().map(|r| r.a_date.to_string()).collect::<Vec<_>>(),
            "b_source" => rows.iter().map(|r| r.b_source.to_string()).collect::<Vec<_>>(),
            "b_date" => rows.iter().map(|r| r.b_date.to_string()).collect::<Vec<_>>(),
            "days_apart" => rows.iter().map(|r| r.days_apart).collect::<Vec<_>>(),
            "class" => rows.iter().map(|r| r.class.to_string()).collect::<Vec<_>>(),
            "reference" => rows.iter().map(|r| r.reference.clone()).collect::<Vec<_>>(),
            "a_km2" => f(&|r| Some(r.a_km2)),
            "b_km2" => f(&|r| Some(r.b_km2)),
            "both_km2" => f(&|r| Some(r.both_km2)),
            "a_only_km2" => f(&|r| Some(r.a_only_km2)),
            "b_only_km2" => f(&|r| Some(r.b_only_km2)),
            "symmetric_difference_km2" => f(&|r| Some(r.symmetric_difference_km2)),
            "disagreement_pct" => f(&|r| Some(r.disagreement_pct)),
            "a_only_in_b_gray_km2" => f(&|r| r.a_only_in_b_gray_km2),
            "b_only_in_a_gray_km2" => f(&|r| r.b_only_in_a_gray_km2),
        );
        let g = if geometry {
            let blobs: Vec<Vec<u8>> = shapes.iter().map(|s| s.3.clone()).collect();
            let d = table!(py,
                "counted_by" => shapes.iter().map(|s| s.1.clone()).collect::<Vec<_>>(),
                "a_date" => shapes.iter().map(|s| rows[s.0].a_date.to_string()).collect::<Vec<_>>(),
                "b_date" => shapes.iter().map(|s| rows[s.0].b_date.to_string()).collect::<Vec<_>>(),
                "area_km2" => shapes.iter().map(|s| s.2).collect::<Vec<_>>(),
            );
            d.set_item("wkb", wkb_column(py, &blobs)?)?;
            Some(d)
        } else {
            None
        };
        Ok((t, g))
    }
}

/// The engine behind the `frontline` package.
#[pymodule]
fn _frontline(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Store>()?;
    m.add("UKRAINE_OFFICIAL_KM2", UKRAINE_OFFICIAL_KM2)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
