//! `frontline corridor` (the way out of a town, day by day) and
//! `frontline pockets` (friendly ground cut off from the main body).

use crate::args::{Sample, Snapshots, REFERENCE_VALUE};
use crate::chart::{LinesChart, NamedLine};
use crate::context::{parse_date, pick_source, Context};
use crate::output::{num, write_geojson_file, OutputFormat, Table};
use anyhow::{anyhow, bail, Result};
use chrono::NaiveDate;
use frontline::encircle::{hostile_layers, pockets, Corridor, CorridorParams};
use frontline::places::{stored, GazetteerSources};
use frontline::store::Store;
use frontline::usecase::{corridor_series, sample_every, CorridorRow, CorridorStart};
use geo::{Coord, MultiPolygon};
use std::path::PathBuf;
use std::process::ExitCode;

/// "250m", "250", "0.5km" -> metres.
fn parse_length_m(s: &str) -> Result<f64, String> {
    let t = s.trim().to_ascii_lowercase();
    let (num, scale) = if let Some(n) = t.strip_suffix("km") {
        (n, 1000.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 1.0)
    } else {
        (t.as_str(), 1.0)
    };
    match num.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v * scale),
        _ => Err(format!("'{s}' is not a length: write e.g. 250m or 0.5km")),
    }
}

#[derive(clap::Args)]
pub struct Args {
    /// The besieged town(s): a settlement name (any spelling the gazetteer knows), several joined
    /// by + (Pokrovsk+Myrnohrad: the union of their footprints), or LON,LAT (a point: the old
    /// seed-disc definition). Leave out with --area.
    place: Option<String>,
    /// The besieged area as a polygon file (GeoJSON) instead of town names.
    #[arg(long, conflicts_with = "place")]
    area: Option<PathBuf>,
    /// The same as NAME@OBLAST (for every name).
    #[arg(long)]
    oblast: Option<String>,
    #[command(flatten)]
    when: Snapshots,
    /// Series step: every snapshot, or the last snapshot of each ISO week or month.
    #[arg(long, value_enum, default_value_t = Sample::Day)]
    every: Sample,
    /// Also measure with the gray zone counted as hostile, shown beside the occupied-only figures.
    #[arg(long)]
    with_gray: bool,
    /// Raster resolution (e.g. 250m, 100m, 0.5km); the width is exact to about one cell.
    #[arg(long, default_value = "250m", value_parser = parse_length_m)]
    resolution: f64,
    /// The old definition (measures.md): start anywhere within this radius of the town's point
    /// instead of at the edge of its footprint (5km was the old default).
    #[arg(long, value_parser = parse_length_m)]
    seed_radius: Option<f64>,
    /// Half the side of the square window searched around the town(s).
    #[arg(long, default_value = "60km", value_parser = parse_length_m)]
    window: f64,
    /// Reference territory: sea (default), land, or a polygon file.
    #[arg(long, default_value = "sea", value_name = REFERENCE_VALUE)]
    reference: String,
    /// Draw the pincer gap and the narrowest width over time to this file (.png or .svg); with
    /// --with-gray also both with the gray zone counted hostile.
    #[arg(long)]
    chart: Option<PathBuf>,
    /// Write the besieged area, the neck, the pincer gap and the widest path of the last date to
    /// this GeoJSON file.
    #[arg(long)]
    geojson: Option<PathBuf>,
    /// Also export the series (one row a date, the widest path as geometry) to this file:
    /// .parquet (GeoParquet, with the geoparquet feature), .fgb, .geojson or .csv. Never overwritten.
    #[arg(long)]
    export: Option<PathBuf>,
}

/// Where the corridor starts.
enum Start {
    /// A besieged area: the union of towns' footprints, or a polygon file.
    Area { label: String, area: MultiPolygon<f64>, about: String },
    /// A point and a seed disc around it (the old definition).
    Point { label: String, point: Coord<f64>, seed_radius_m: f64 },
}

fn start_of(ctx: &Context, store: &Store, writable: bool, args: &Args) -> Result<Start> {
    if let Some(path) = &args.area {
        let t = ctx.reference(&path.display().to_string())?;
        let label = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into());
        let km2 = frontline::geodesy::EdgeAreaCache::default().multipolygon_area_m2(&t.geometry) / 1e6;
        return Ok(Start::Area { label, area: t.geometry, about: format!("the polygons of that file, {km2:.1} km²") });
    }
    let Some(place) = args.place.as_deref() else {
        bail!("name the besieged town(s) (e.g. Pokrovsk+Myrnohrad), give LON,LAT, or pass --area FILE");
    };
    if let Some((lon, lat)) = place.split_once(',') {
        if let (Ok(lon), Ok(lat)) = (lon.trim().parse::<f64>(), lat.trim().parse::<f64>()) {
            if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
                bail!("{lon},{lat} is not a longitude,latitude pair");
            }
            let seed_radius_m = args.seed_radius.unwrap_or(CorridorParams::default().seed_radius_m);
            return Ok(Start::Point {
                label: format!("{lon:.4},{lat:.4}"),
                point: Coord { x: lon, y: lat },
                seed_radius_m,
            });
        }
    }
    let g = stored::gazetteer(store, &GazetteerSources::shared(&ctx.data_dir()?), writable)?;
    let mut names = vec![];
    let mut polygons = vec![];
    let mut first_point = None;
    let mut km2 = 0.0;
    for name in place.split('+').map(str::trim) {
        if name.is_empty() {
            bail!("'{place}': an empty name between the + signs; write e.g. Pokrovsk+Myrnohrad");
        }
        let (m, why) = super::places::resolve_one(&g, name, args.oblast.as_deref(), ctx.format)?;
        if let Some(w) = why {
            eprintln!("{w}");
        }
        let p = g.place(m.place).ok_or_else(|| anyhow!("{name}: the gazetteer has no place {}", m.place))?;
        first_point.get_or_insert(p.point());
        km2 += p.footprint.area_m2 / 1e6;
        names.push(format!("{} ({}; {})", p.name, p.oblast, p.footprint_words()));
        polygons.extend(p.footprint.geometry.0.iter().cloned());
    }
    let label = names.iter().map(|n| n.split(" (").next().unwrap_or(n)).collect::<Vec<_>>().join(" + ");
    if let Some(r) = args.seed_radius {
        let point = first_point.ok_or_else(|| anyhow!("no town named"))?;
        return Ok(Start::Point { label, point, seed_radius_m: r });
    }
    let area = frontline::overlay::union_nonzero(&polygons);
    if area.0.is_empty() {
        bail!("{label}: no footprint geometry in the gazetteer; use --seed-radius 5km or --area FILE");
    }
    let about = format!("{} (footprints {km2:.1} km² in all)", names.join(", "));
    Ok(Start::Area { label, area, about })
}

use frontline::usecase::{corridor_state_name as state_name, pincer_gap_km as gap_km};

type Row = CorridorRow;

pub fn corridor(ctx: &Context, args: Args) -> Result<ExitCode> {
    let (store, writable) = ctx.store_for_cache()?;
    let source = pick_source(&store, args.when.source.as_deref())?;
    let start = start_of(ctx, &store, writable, &args)?;
    let (snaps, notes) = if args.when.from.is_some() || args.when.to.is_some() {
        (store.load_range(&source, args.when.from, args.when.to)?, vec![])
    } else {
        super::area::select(&store, &source, args.when.on, None, None)?
    };
    let snaps = sample_every(snaps, args.every.every().name())?;
    let reference = ctx.reference(&args.reference)?;
    let params =
        CorridorParams { window_half_size_m: args.window, resolution_m: args.resolution, ..CorridorParams::default() };
    let begin = match &start {
        Start::Area { area, .. } => CorridorStart::Area(area.clone()),
        Start::Point { point, seed_radius_m, .. } => {
            CorridorStart::Point { point: *point, seed_radius_m: *seed_radius_m }
        }
    };
    let rows: Vec<Row> = corridor_series(&reference, &begin, params, args.with_gray, &source, &snaps)?;
    if let Some(out) = &args.export {
        let label = match &start {
            Start::Area { label, .. } | Start::Point { label, .. } => label.clone(),
        };
        super::export::export_corridor(&rows, &label, source.as_str(), out)?;
    }
    let (label, definition) = match &start {
        Start::Area { label, about, .. } => (
            label.clone(),
            format!(
                "from the edge of the besieged area ({about}); the towns' own streets are not part of the corridor"
            ),
        ),
        Start::Point { label, seed_radius_m, .. } => {
            (label.clone(), format!("old definition: from anywhere within {} km of the point", seed_radius_m / 1000.0))
        }
    };
    let missing_gray = rows.iter().filter(|r| args.with_gray && r.with_gray.is_none()).count();

    if let Some(path) = &args.geojson {
        write_geojson(path, &start, &rows)?;
    }
    if let Some(path) = &args.chart {
        let series = |f: &dyn Fn(&Corridor) -> Option<f64>, gray: bool| -> Vec<(NaiveDate, Option<f64>)> {
            rows.iter()
                .map(|r| (r.date, if gray { r.with_gray.as_ref().and_then(f) } else { f(&r.occupied_only) }))
                .collect()
        };
        let width_km = |c: &Corridor| c.width_m.map(|w| w / 1000.0);
        let (gap, width) = (series(&gap_km, false), series(&width_km, false));
        let (gap_gray, width_gray) = (series(&gap_km, true), series(&width_km, true));
        let title = format!("The way out of {label} ({source}, {} m cells)", args.resolution);
        let mut lines: Vec<NamedLine> =
            vec![("pincer gap, occupied ground only", &gap), ("narrowest width, occupied ground only", &width)];
        if args.with_gray {
            lines.insert(1, ("pincer gap, gray zone counted as hostile", &gap_gray));
            lines.push(("narrowest width, gray zone counted as hostile", &width_gray));
        }
        LinesChart { title: &title, y_label: "km", lines: &lines }.write(path)?;
        eprintln!("wrote the chart to {}", path.display());
    }
    if ctx.format == OutputFormat::Json {
        let v = serde_json::json!({"besieged": label, "definition": definition, "source": source.as_str(),
                                   "reference": reference.name, "series": rows});
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    let mut headers = vec!["date", "state", "width_km", "pincer_gap_km", "length_km"];
    if args.with_gray {
        headers.extend(["gray_state", "gray_width_km", "gray_pincer_gap_km", "gray_length_km"]);
    }
    let with_gray = args.with_gray;
    let mut t = Table::new(headers, &rows, |r| {
        let cells = |c: &Corridor| {
            vec![
                state_name(c.state).to_string(),
                num(c.width_m.map(|w| w / 1000.0), 2),
                num(gap_km(c), 2),
                num(c.length_m.map(|l| l / 1000.0), 1),
            ]
        };
        let mut v = vec![r.date.to_string()];
        v.extend(cells(&r.occupied_only));
        if with_gray {
            match &r.with_gray {
                Some(c) => v.extend(cells(c)),
                None => v.extend(std::iter::repeat_n(String::new(), 4)),
            }
        }
        v
    })
    .title(format!(
        "{source}: the way out of {label} to the rear (ground 25 km or more from hostile ground), {} m cells",
        args.resolution
    ))
    .note(format!("corridor measured {definition}"))
    .note(
        "state: open (a way out exists), encircled (cut off), occupied (no friendly ground left in the area), \
         rear (the area itself is 25 km or more from hostile ground)",
    )
    .note(
        "width_km: the narrowest width of the way out (twice the distance from its narrowest point to hostile ground)",
    )
    .note(
        "pincer_gap_km: the shortest straight line between hostile ground on the left and on the right of the way \
         out (0 once cut); length_km: the way out's length to the rear",
    );
    if with_gray {
        t = t.note("gray_*: the same with DeepState's gray zone (contested ground) counted as hostile");
        if missing_gray > 0 {
            t = t.note(format!("{missing_gray} snapshot(s) publish no gray layer: their gray_* cells are empty"));
        }
    }
    for n in notes {
        t = t.note(n);
    }
    t.print(ctx.format)?;
    Ok(ExitCode::SUCCESS)
}

fn write_geojson(path: &std::path::Path, start: &Start, rows: &[Row]) -> Result<()> {
    let last = rows.last().ok_or_else(|| anyhow!("empty series"))?;
    let point = |p: [f64; 2]| geo::Geometry::Point(geo::Point::new(p[0], p[1]));
    let line = |ps: &[[f64; 2]]| geo::Geometry::LineString(ps.iter().map(|p| (p[0], p[1])).collect());
    let mut features: Vec<(serde_json::Value, geo::Geometry<f64>)> = vec![match start {
        Start::Area { label, area, .. } => {
            (serde_json::json!({"kind": "besieged_area", "name": label}), geo::Geometry::MultiPolygon(area.clone()))
        }
        Start::Point { label, point: p, .. } => {
            (serde_json::json!({"kind": "place", "name": label}), geo::Geometry::Point(geo::Point::from(*p)))
        }
    }];
    let variants = [("occupied_only", Some(&last.occupied_only)), ("with_gray", last.with_gray.as_ref())];
    for (variant, c) in variants {
        let Some(c) = c else { continue };
        if let Some(n) = c.neck {
            features.push((
                serde_json::json!({"kind": "neck", "variant": variant, "date": last.date, "width_m": c.width_m}),
                point(n),
            ));
        }
        if let Some(g) = &c.gap {
            features.push((
                serde_json::json!({"kind": "pincer_gap", "variant": variant, "date": last.date, "gap_m": g.gap_m}),
                line(&[g.left, g.right]),
            ));
        }
        if c.path.len() >= 2 {
            features.push((
                serde_json::json!({"kind": "widest_path", "variant": variant, "date": last.date}),
                line(&c.path),
            ));
        }
    }
    write_geojson_file(path, features.iter().map(|(p, g)| (p, g)))?;
    eprintln!("wrote the besieged area, neck, pincer gap and widest path of {} to {}", last.date, path.display());
    Ok(())
}

#[derive(clap::Args)]
pub struct PocketsArgs {
    /// Source (default: the only one, or deepstate-daily).
    #[arg(long)]
    source: Option<String>,
    /// The date (the last snapshot at or before it; default the latest).
    #[arg(long, value_parser = parse_date)]
    on: Option<NaiveDate>,
    /// Count the gray zone as hostile too.
    #[arg(long)]
    with_gray: bool,
    /// Parts of friendly ground smaller than this (km²) with no settlement in them are drawing noise
    /// (where the map's outline and the boundary file disagree), counted but not listed as pockets.
    #[arg(long, default_value_t = frontline::encircle::SLIVER_MAX_KM2)]
    noise_km2: f64,
    /// Also leave out pockets smaller than this (km²), settlements or not.
    #[arg(long, default_value_t = 0.0)]
    min_km2: f64,
    /// Reference territory: sea (default), land, or a polygon file.
    #[arg(long, default_value = "sea", value_name = REFERENCE_VALUE)]
    reference: String,
    /// Also write the pockets' polygons to this GeoJSON file.
    #[arg(long)]
    geojson: Option<PathBuf>,
}

#[derive(serde::Serialize)]
struct PocketRow {
    area_km2: f64,
    lon: f64,
    lat: f64,
    settlements: Vec<String>,
}

pub fn pockets_cmd(ctx: &Context, args: PocketsArgs) -> Result<ExitCode> {
    let (store, writable) = ctx.store_for_cache()?;
    let source = pick_source(&store, args.source.as_deref())?;
    let (snaps, notes) = super::area::select(&store, &source, args.on, None, None)?;
    let snap = snaps.first().ok_or_else(|| anyhow!("no snapshot"))?;
    let reference = ctx.reference(&args.reference)?;
    let mut parts = pockets(&reference, &hostile_layers(snap, args.with_gray));
    let gazetteer = stored::gazetteer(&store, &GazetteerSources::shared(&ctx.data_dir()?), writable)?;
    let settlements: Vec<geo::Coord<f64>> = gazetteer.places().iter().map(|p| p.point()).collect();
    parts.set_aside_slivers(&settlements, args.noise_km2);
    let kept: Vec<&frontline::encircle::Pocket> = parts.pockets.iter().filter(|p| p.area_km2 >= args.min_km2).collect();
    let rows: Vec<PocketRow> = kept
        .iter()
        .map(|p| {
            let mut inside: Vec<&frontline::places::Place> =
                gazetteer.places().iter().filter(|pl| p.contains(pl.point())).collect();
            inside.sort_by_key(|pl| std::cmp::Reverse(pl.population));
            PocketRow {
                area_km2: p.area_km2,
                lon: p.interior_point[0],
                lat: p.interior_point[1],
                settlements: inside.iter().map(|pl| format!("{} ({})", pl.name, pl.population)).collect(),
            }
        })
        .collect();
    if let Some(path) = &args.geojson {
        let features = kept.iter().zip(&rows).map(|(p, r)| {
            let properties =
                serde_json::json!({"area_km2": r.area_km2, "settlements": r.settlements, "date": snap.date()});
            (properties, &p.polygon)
        });
        write_geojson_file(path, features)?;
    }
    let small = parts.pockets.len() - kept.len();
    if ctx.format == crate::output::OutputFormat::Json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "source": source.as_str(), "date": snap.date(), "reference": reference.name,
                "gray_counted_hostile": args.with_gray, "main_body_km2": parts.main_body_area_km2,
                "pockets": rows, "slivers": parts.slivers, "sliver_area_km2": parts.sliver_area_km2,
                "sliver_rule": format!("parts under {} km² with no settlement", args.noise_km2),
                "pockets_under_min_km2": small,
            }))?
        );
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = Table::new(vec!["area_km2", "lon", "lat", "settlements"], &rows, |r| {
        vec![num(Some(r.area_km2), 2), num(Some(r.lon), 4), num(Some(r.lat), 4), r.settlements.join(", ")]
    })
    .title(format!(
        "{source} on {}: {} pocket(s) of friendly territory cut off from the main body ({:.0} km²) within {}{}",
        snap.date(),
        rows.len(),
        parts.main_body_area_km2,
        reference.name,
        if args.with_gray { ", gray counted hostile" } else { "" }
    ));
    if parts.slivers > 0 {
        t = t.note(format!(
            "{} sliver(s) of drawing noise not listed ({:.2} km² in all): parts under {} km² with no settlement, \
             where the map's outline and the boundary file disagree (--noise-km2)",
            parts.slivers, parts.sliver_area_km2, args.noise_km2
        ));
    }
    if small > 0 {
        t = t.note(format!("{small} pocket(s) under {} km² left out (--min-km2)", args.min_km2));
    }
    for n in notes {
        t = t.note(n);
    }
    t.print(ctx.format)?;
    Ok(ExitCode::SUCCESS)
}
