//! `frontline corridor` (the way out of a town, day by day) and
//! `frontline pockets` (friendly ground cut off from the main body).

use crate::chart::LineChart;
use crate::context::{parse_date, pick_source, Context};
use crate::output::{multipolygon_geojson, num, OutputFormat, Table};
use anyhow::{anyhow, bail, Context as _, Result};
use chrono::NaiveDate;
use frontline::encircle::{hostile_layers, pockets, CorridorFrame, CorridorParams, CorridorPoint, CorridorState};
use frontline::places::{stored, GazetteerSources};
use frontline::store::Store;
use geo::Coord;
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
    /// Settlement name (any spelling the gazetteer knows), or LON,LAT.
    place: String,
    /// The same as NAME@OBLAST.
    #[arg(long)]
    oblast: Option<String>,
    /// Source (default: the only one, or deepstate-daily).
    #[arg(long)]
    source: Option<String>,
    /// One date (the last snapshot at or before it).
    #[arg(long, value_parser = parse_date, conflicts_with_all = ["from", "to"])]
    on: Option<NaiveDate>,
    /// First date of a series.
    #[arg(long, value_parser = parse_date)]
    from: Option<NaiveDate>,
    /// Last date of a series.
    #[arg(long, value_parser = parse_date)]
    to: Option<NaiveDate>,
    /// Series step: day (every snapshot) or week (the last snapshot of each ISO week).
    #[arg(long, default_value = "day")]
    every: String,
    /// Count the gray zone as hostile too.
    #[arg(long)]
    with_gray: bool,
    /// Raster resolution (e.g. 250m, 100m, 0.5km); the width is exact to about one cell.
    #[arg(long, default_value = "250m", value_parser = parse_length_m)]
    resolution: f64,
    /// Radius of the seed disc around the place.
    #[arg(long, default_value = "5km", value_parser = parse_length_m)]
    seed_radius: f64,
    /// Half the side of the square window searched around the place.
    #[arg(long, default_value = "60km", value_parser = parse_length_m)]
    window: f64,
    /// Reference territory: sea (default), land, or a polygon file.
    #[arg(long, default_value = "sea")]
    reference: String,
    /// Draw the width over time to this file (.png or .svg).
    #[arg(long)]
    chart: Option<PathBuf>,
    /// Write the neck, the pincer gap and the widest path of the last date to this GeoJSON file.
    #[arg(long)]
    geojson: Option<PathBuf>,
}

fn place_point(ctx: &Context, store: &Store, writable: bool, args: &Args) -> Result<(String, Coord<f64>)> {
    if let Some((lon, lat)) = args.place.split_once(',') {
        if let (Ok(lon), Ok(lat)) = (lon.trim().parse::<f64>(), lat.trim().parse::<f64>()) {
            if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
                bail!("{lon},{lat} is not a longitude,latitude pair");
            }
            return Ok((format!("{lon:.4},{lat:.4}"), Coord { x: lon, y: lat }));
        }
    }
    let g = stored::gazetteer(store, &GazetteerSources::shared(&ctx.data_dir()?), writable)?;
    let (m, why) = super::places::resolve_one(&g, &args.place, args.oblast.as_deref(), ctx.format)?;
    if let Some(w) = why {
        eprintln!("{w}");
    }
    Ok((format!("{} ({})", m.name, m.oblast), Coord { x: m.lon, y: m.lat }))
}

fn state_name(s: CorridorState) -> &'static str {
    match s {
        CorridorState::Open => "open",
        CorridorState::Rear => "rear",
        CorridorState::Encircled => "encircled",
        CorridorState::Occupied => "occupied",
        CorridorState::BeyondWindow => "beyond_window",
    }
}

pub fn corridor(ctx: &Context, args: Args) -> Result<ExitCode> {
    let (store, writable) = ctx.store_for_cache()?;
    let source = pick_source(&store, args.source.as_deref())?;
    let (label, point) = place_point(ctx, &store, writable, &args)?;
    let (snaps, notes) = if args.from.is_some() || args.to.is_some() {
        (store.load_range(&source, args.from, args.to)?, vec![])
    } else {
        super::area::select(&store, &source, args.on, None, None)?
    };
    if snaps.is_empty() {
        bail!("no {source} snapshot in that range");
    }
    let snaps = match args.every.as_str() {
        "day" | "snapshot" => snaps,
        "week" => {
            let mut out: Vec<frontline::Snapshot> = vec![];
            for s in snaps {
                let w = chrono::Datelike::iso_week(&s.date());
                match out.last() {
                    Some(l) if chrono::Datelike::iso_week(&l.date()) == w => {
                        if let Some(last) = out.last_mut() {
                            *last = s;
                        }
                    }
                    _ => out.push(s),
                }
            }
            out
        }
        o => bail!("--every {o}: use day or week"),
    };
    let reference = ctx.reference(&args.reference)?;
    let params = CorridorParams {
        window_half_size_m: args.window,
        resolution_m: args.resolution,
        seed_radius_m: args.seed_radius,
        with_gray: args.with_gray,
        ..CorridorParams::default()
    };
    if args.with_gray && !snaps.iter().any(|s| s.layer(frontline::ControlClass::Gray).is_some()) {
        bail!("--with-gray: source {source} has no gray zone (try --source deepstate, the DeepState full map)");
    }
    let frame = CorridorFrame::new(&reference, point, params)?;
    let series: Vec<CorridorPoint> = frame.series(&snaps);

    if let Some(path) = &args.geojson {
        let last = series.last().ok_or_else(|| anyhow!("empty series"))?;
        let c = &last.corridor;
        let mut features = vec![serde_json::json!({
            "type": "Feature",
            "properties": {"kind": "place", "name": label},
            "geometry": {"type": "Point", "coordinates": [point.x, point.y]},
        })];
        if let Some(n) = c.neck {
            features.push(serde_json::json!({"type": "Feature",
                "properties": {"kind": "neck", "date": last.date, "width_m": c.width_m},
                "geometry": {"type": "Point", "coordinates": n}}));
        }
        if let Some(p) = &c.pincer {
            if let Some(far) = p.far {
                features.push(serde_json::json!({"type": "Feature",
                    "properties": {"kind": "pincer_gap", "date": last.date, "gap_m": p.gap_m},
                    "geometry": {"type": "LineString", "coordinates": [p.near, far]}}));
            }
        }
        if c.path.len() >= 2 {
            features.push(serde_json::json!({"type": "Feature",
                "properties": {"kind": "widest_path", "date": last.date},
                "geometry": {"type": "LineString", "coordinates": c.path}}));
        }
        let fc = serde_json::json!({"type": "FeatureCollection", "features": features});
        std::fs::write(path, serde_json::to_vec(&fc)?).with_context(|| format!("writing {}", path.display()))?;
        eprintln!("wrote the neck, pincer gap and widest path of {} to {}", last.date, path.display());
    }
    if let Some(path) = &args.chart {
        let points: Vec<(NaiveDate, Option<f64>)> =
            series.iter().map(|p| (p.date, p.corridor.width_m.map(|w| w / 1000.0))).collect();
        let title = format!(
            "Corridor width, {label} ({source}{}, {} m cells)",
            if args.with_gray { ", gray counted hostile" } else { "" },
            args.resolution
        );
        LineChart { title: &title, y_label: "corridor width (km)", points: &points }.write(path)?;
        eprintln!("wrote the chart to {}", path.display());
    }
    if ctx.format == OutputFormat::Json {
        let v = serde_json::json!({"place": label, "lon": point.x, "lat": point.y, "source": source.as_str(),
                                   "reference": reference.name, "series": series});
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = Table::new(
        vec!["date", "state", "width_km", "neck_lon", "neck_lat", "pincer_gap_km", "reused"],
        &series,
        |p| {
            let c = &p.corridor;
            vec![
                p.date.to_string(),
                state_name(c.state).into(),
                num(c.width_m.map(|w| w / 1000.0), 2),
                num(c.neck.map(|n| n[0]), 4),
                num(c.neck.map(|n| n[1]), 4),
                num(c.pincer.as_ref().and_then(|p| p.gap_m).map(|g| g / 1000.0), 2),
                if p.reused { "yes".into() } else { String::new() },
            ]
        },
    )
    .title(format!(
        "{source}: corridor of {label} to the rear (clearance ≥ 25 km), {} m cells, seed {} km{}; width = 2 × the widest path's bottleneck clearance",
        args.resolution,
        args.seed_radius / 1000.0,
        if args.with_gray { ", gray counted hostile" } else { "" }
    ));
    for n in notes {
        t = t.note(n);
    }
    t.print(ctx.format)?;
    Ok(ExitCode::SUCCESS)
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
    #[arg(long, default_value = "sea")]
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
        let features: Vec<serde_json::Value> = kept
            .iter()
            .zip(&rows)
            .map(|(p, r)| {
                serde_json::json!({"type": "Feature",
                    "properties": {"area_km2": r.area_km2, "settlements": r.settlements, "date": snap.date()},
                    "geometry": multipolygon_geojson(&geo::MultiPolygon::new(vec![p.polygon.clone()]))})
            })
            .collect();
        std::fs::write(
            path,
            serde_json::to_vec(&serde_json::json!({"type": "FeatureCollection", "features": features}))?,
        )
        .with_context(|| format!("writing {}", path.display()))?;
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
