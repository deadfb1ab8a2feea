//! `frontline place`, `places`, `captured`, `watch`: settlements over time.

use crate::context::{parse_date, Context};
use crate::output::{num, OutputFormat, Table};
use anyhow::{anyhow, bail, Result};
use chrono::NaiveDate;
use frontline::places::gazetteer::{disambiguation_hint, parse_coordinates};
use frontline::places::stored::Timings;
use frontline::places::{Direction, Gazetteer, Match, Resolution, Status, DISAMBIGUATION_HINT};
use frontline::usecase::places::{self as uc, load_places, Footprints, PlacesData, PlacesFilter};
use geo::Coord;
use std::process::ExitCode;

/// The gazetteer and the source's status table ([`frontline::usecase::places::load_places`]).
fn load(ctx: &Context, source: Option<&str>, points: &[Coord<f64>], timings: &mut Timings) -> Result<PlacesData> {
    let (store, writable) = ctx.store_for_cache()?;
    Ok(load_places(&store, writable, &ctx.data_dir()?, source, Footprints::Around(points), timings)?)
}

fn status_name(s: Status) -> &'static str {
    match s {
        Status::Held => "held",
        Status::Contested => "contested",
        Status::Occupied => "occupied",
    }
}

/// Resolves NAME, NAME@OBLAST or LON,LAT (`--oblast X` is the same as
/// NAME@X) to one place and a note saying why when it was not the only
/// candidate. An ambiguous name lists its candidates and fails; an unknown
/// one fails with suggestions. Every place-taking command uses this, so the
/// hint is the same everywhere.
pub(crate) fn resolve_one(
    g: &Gazetteer,
    query: &str,
    oblast: Option<&str>,
    format: OutputFormat,
) -> Result<(Match, Option<String>)> {
    let full = match oblast {
        Some(o) => format!("{}@{o}", query.split_once('@').map_or(query, |(n, _)| n)),
        None => query.to_string(),
    };
    match g.resolve(&full) {
        Resolution::Found { place, note } => Ok((place, note)),
        Resolution::Ambiguous(found) => {
            Table::new(vec!["name", "oblast", "population", "lon", "lat", "matched"], &found, |m| {
                vec![
                    m.name.clone(),
                    m.oblast.clone(),
                    if m.population > 0 { m.population.to_string() } else { "unknown".into() },
                    num(Some(m.lon), 4),
                    num(Some(m.lat), 4),
                    m.matched_name.clone(),
                ]
            })
            .title(format!("{} settlements match '{full}' (biggest first):", found.len()))
            .print(format)?;
            bail!(
                "'{full}' is ambiguous: {} settlements of comparable size match (listed above); {}",
                found.len(),
                found.first().map(disambiguation_hint).unwrap_or_else(|| DISAMBIGUATION_HINT.to_string())
            )
        }
        Resolution::NotFound { suggestions } => Err(frontline::usecase::not_found(&full, &suggestions).into()),
    }
}

/// Prints where the time went, to stderr (for `--timings`).
fn print_timings(timings: &Timings, started: std::time::Instant) {
    eprintln!("where the time went:");
    for (what, d) in &timings.phases {
        eprintln!("  {:>8.1} ms  {what}", d.as_secs_f64() * 1e3);
    }
    eprintln!("  {:>8.1} ms  total", started.elapsed().as_secs_f64() * 1e3);
}

#[derive(clap::Args)]
pub struct PlaceArgs {
    /// Settlement: a name in English, Ukrainian or Russian (old names and variant spellings accepted),
    /// NAME@OBLAST for one of several (Mykolaivka@Donetsk), or LON,LAT (37.84,48.59).
    name: String,
    /// The same as NAME@OBLAST.
    #[arg(long)]
    oblast: Option<String>,
    /// Source (default: the only one, or deepstate-daily).
    #[arg(long)]
    source: Option<String>,
    /// The date of the "current" status (default: the latest snapshot).
    #[arg(long, value_parser = parse_date)]
    on: Option<NaiveDate>,
    /// Print to stderr where the time went (store, gazetteer, status table).
    #[arg(long)]
    timings: bool,
}

pub fn place(ctx: &Context, args: PlaceArgs) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let mut timings = Timings::default();
    // Coordinates are resolved against the footprints themselves.
    let points: Vec<Coord<f64>> = parse_coordinates(&args.name).into_iter().collect();
    let l = load(ctx, args.source.as_deref(), &points, &mut timings)?;
    let t = std::time::Instant::now();
    let (m, why) = resolve_one(&l.gazetteer, &args.name, args.oblast.as_deref(), ctx.format)?;
    timings.phases.push(("resolve the name".into(), t.elapsed()));
    let p = l.gazetteer.place(m.place).ok_or_else(|| anyhow!("place {} vanished", m.place))?;
    let uc::PlaceReport { now, timeline, captures, notes } = uc::place_report(&l, m.place, args.on)?;
    if ctx.format == OutputFormat::Json {
        let v = serde_json::json!({
            "source": l.source.as_str(), "place": p.name, "name_uk": p.name_uk, "oblast": p.oblast,
            "population": p.population, "class": p.class, "lon": p.lon, "lat": p.lat,
            "osm_id": p.osm_id, "wikidata": p.wikidata, "geonames_id": p.geonames_id,
            "footprint": p.footprint.kind.describe(p.class_word()),
            "footprint_area_km2": p.footprint.area_m2 / 1e6, "footprint_osm_id": p.osm_outline_id,
            "chosen_because": why,
            "now": now, "timeline": timeline, "captures": captures,
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
        if args.timings {
            print_timings(&timings, started);
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(w) = &why {
        println!("{w}");
    }
    println!(
        "{} ({}), {}, {}, population {}",
        p.name,
        p.name_uk.as_deref().unwrap_or("-"),
        p.class_word(),
        p.oblast,
        if p.population > 0 { p.population.to_string() } else { "unknown".into() },
    );
    println!("footprint: {}", p.footprint_words());
    println!(
        "ids: OpenStreetMap {}, Wikidata {}, GeoNames {}",
        p.osm_id.as_deref().unwrap_or("-"),
        p.wikidata.as_deref().unwrap_or("-"),
        p.geonames_id.map(|g| g.to_string()).unwrap_or_else(|| "-".into())
    );
    println!(
        "{} on {}: {} — occupied {:.1} %{}; distance to occupied territory: {}",
        l.source,
        now.date,
        status_name(now.status),
        // `+ 0.0` turns a rounding -0.0 into 0.0, so nobody reads "-0.0 %".
        100.0 * now.occupied_fraction + 0.0,
        now.gray_fraction.map(|g| format!(", gray {:.1} %", 100.0 * g + 0.0)).unwrap_or_default(),
        match now.distance_m {
            Some(d) if d > 0.0 => format!("{:.1} km", d / 1000.0),
            Some(_) => "0 (inside it)".to_string(),
            None => "nothing occupied".to_string(),
        }
    );
    for n in &notes {
        println!("{n}");
    }
    println!();
    Table::new(vec!["date", "from", "to"], &timeline, |c| {
        vec![
            c.date.to_string(),
            c.from.map(status_name).unwrap_or("(first snapshot)").to_string(),
            status_name(c.to).into(),
        ]
    })
    .title("status changes (each lasting 3+ snapshots):")
    .print(ctx.format)?;
    println!();
    if captures.is_empty() {
        println!("never captured at 50 % or 95 % in this source's history");
    } else {
        Table::new(vec!["threshold_pct", "date", "change"], &captures, |c| {
            vec![
                format!("{:.0}", 100.0 * c.rule.theta),
                format!("{}{}", if c.at_first_snapshot { "≤ " } else { "" }, c.date),
                match c.direction {
                    Direction::Captured => "captured".into(),
                    Direction::Retaken => "retaken".into(),
                },
            ]
        })
        .title(
            "capture dates (the date the occupied share of the town reached the threshold and stayed there for 3+ maps; \
             retaken: fell below it for 3+ maps):",
        )
        .print(ctx.format)?;
    }
    if args.timings {
        print_timings(&timings, started);
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct PlacesArgs {
    /// The date (default: the latest snapshot).
    #[arg(long, value_parser = parse_date)]
    on: Option<NaiveDate>,
    /// Only settlements with this status.
    #[arg(long, value_enum)]
    status: Option<crate::args::StatusName>,
    /// Only settlements in an oblast whose name contains this.
    #[arg(long)]
    oblast: Option<String>,
    /// Only settlements with at least this population.
    #[arg(long, default_value_t = 0)]
    min_pop: u64,
    /// Source (default: the only one, or deepstate-daily).
    #[arg(long)]
    source: Option<String>,
}

pub fn places(ctx: &Context, args: PlacesArgs) -> Result<ExitCode> {
    let l = load(ctx, args.source.as_deref(), &[], &mut Timings::default())?;
    let filter = PlacesFilter { status: args.status.map(Status::from), oblast: args.oblast, min_pop: args.min_pop };
    let uc::PlacesOn { date, rows, notes } = uc::places_on(&l, args.on, &filter)?;
    let mut t = Table::new(
        vec![
            "name",
            "oblast",
            "population",
            "status",
            "occupied_pct",
            "gray_pct",
            "km_to_occupied",
            "footprint",
            "footprint_km2",
        ],
        &rows,
        |r| {
            vec![
                r.name.clone(),
                r.oblast.clone(),
                r.population.to_string(),
                status_name(r.status).into(),
                num(Some(100.0 * r.occupied_fraction), 1),
                num(r.gray_fraction.map(|g| 100.0 * g), 1),
                num(r.distance_km, 1),
                r.footprint.clone(),
                num(Some(r.footprint_km2), 2),
            ]
        },
    )
    .title(format!("{}: {} settlement(s) on {date}, biggest first", l.source, rows.len()));
    for n in notes {
        t = t.note(n);
    }
    t.print(ctx.format)?;
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct CapturedArgs {
    /// First date of the period (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date)]
    from: NaiveDate,
    /// Last date (default: the latest snapshot).
    #[arg(long, value_parser = parse_date)]
    to: Option<NaiveDate>,
    /// Capture threshold: the share of the town's footprint that must be
    /// occupied, in per cent (50 or 95, or any).
    #[arg(long, alias = "theta", default_value_t = 50.0)]
    threshold: f64,
    /// Only settlements with at least this population.
    #[arg(long, default_value_t = 0)]
    min_pop: u64,
    /// Source (default: the only one, or deepstate-daily).
    #[arg(long)]
    source: Option<String>,
}

pub fn captured(ctx: &Context, args: CapturedArgs) -> Result<ExitCode> {
    if !(args.threshold > 0.0 && args.threshold <= 100.0) {
        // Before the status table is loaded: a bad flag costs nothing.
        bail!("--threshold must be a percentage above 0 and at most 100, e.g. --threshold 50");
    }
    let l = load(ctx, args.source.as_deref(), &[], &mut Timings::default())?;
    let uc::Captured { to, rows } = uc::captured(&l, args.from, args.to, args.threshold, args.min_pop)?;
    let g = &l.gazetteer;
    Table::new(vec!["name", "oblast", "population", "date", "change", "footprint"], &rows, |r| {
        vec![
            r.name.clone(),
            r.oblast.clone(),
            r.population.to_string(),
            r.change.date.to_string(),
            match r.change.direction {
                Direction::Captured => "captured".into(),
                Direction::Retaken => "retaken".into(),
            },
            g.place(r.change.place).map(|p| p.footprint_words()).unwrap_or_default(),
        ]
    })
    .title(format!(
        "{}: settlements that changed hands {} .. {to} (captured: {} % of the town occupied for 3+ maps in a row), \
         biggest first",
        l.source, args.from, args.threshold
    ))
    .print(ctx.format)?;
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct WatchArgs {
    /// Settlements: names, NAME@OBLAST for one of several (Mykolaivka@Donetsk), or LON,LAT.
    #[arg(required = true)]
    names: Vec<String>,
    /// First date (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date)]
    from: Option<NaiveDate>,
    /// Last date.
    #[arg(long, value_parser = parse_date)]
    to: Option<NaiveDate>,
    /// One row per snapshot, or the last snapshot of each ISO week or month.
    #[arg(long, value_enum, default_value_t = crate::args::Sample::Week)]
    every: crate::args::Sample,
    /// Source (default: the only one, or deepstate-daily).
    #[arg(long)]
    source: Option<String>,
}

pub fn watch(ctx: &Context, args: WatchArgs) -> Result<ExitCode> {
    let points: Vec<Coord<f64>> = args.names.iter().filter_map(|n| parse_coordinates(n)).collect();
    let l = load(ctx, args.source.as_deref(), &points, &mut Timings::default())?;
    let mut ids = vec![];
    let mut notes = vec![];
    for n in &args.names {
        let (m, why) = resolve_one(&l.gazetteer, n, None, OutputFormat::Table)?;
        if let Some(p) = l.gazetteer.place(m.place) {
            notes.push(format!("{}, {}: footprint {}", p.name, p.oblast, p.footprint_words()));
        }
        notes.extend(why);
        ids.push((m.place, m.name));
    }
    let (_, rows) = uc::watch(&l, &ids, args.from, args.to, args.every.every());
    if ctx.format != OutputFormat::Table {
        Table::new(vec!["date", "place", "km_to_occupied", "occupied_pct", "status"], &rows, |r| {
            vec![
                r.date.to_string(),
                r.place.clone(),
                num(r.distance_km, 2),
                num(Some(100.0 * r.occupied_fraction), 1),
                status_name(r.status).into(),
            ]
        })
        .print(ctx.format)?;
        return Ok(ExitCode::SUCCESS);
    }
    // For people: one column per town.
    let mut headers: Vec<String> = vec!["date".into()];
    headers.extend(ids.iter().map(|(_, n)| format!("{n}_km")));
    // The rows come date by date, one per town in the order given.
    let wide: Vec<Vec<String>> = rows
        .chunks(ids.len().max(1))
        .map(|at_date| {
            let mut r = vec![at_date.first().map(|w| w.date.to_string()).unwrap_or_default()];
            r.extend(at_date.iter().map(|w| num(w.distance_km, 1)));
            r
        })
        .collect();
    let t = Table {
        title: Some(format!(
            "{}: distance to occupied territory (km), last snapshot of each {}",
            l.source,
            args.every.every().name()
        )),
        headers,
        rows: wide,
        json: serde_json::Value::Null,
        notes,
    };
    t.print(ctx.format)?;
    Ok(ExitCode::SUCCESS)
}
