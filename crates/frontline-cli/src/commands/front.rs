//! `frontline front` (the line on a date) and `frontline advance` (how it moved).

use crate::context::{parse_date, pick_source, Context};
use crate::output::{num, write_geojson_file, OutputFormat, Table};
use anyhow::{anyhow, bail, Result};
use chrono::NaiveDate;
use frontline::area::period_pairs;
use frontline::front::{front_change_with, sector_lengths, FrontExtractor, FrontOptions, Frontline, Hostile, Sectors};
use frontline::regions::Reference;
use frontline::usecase::front_extractor;
use rayon::prelude::*;
use std::path::PathBuf;
use std::process::ExitCode;

/// What every frontline command shares.
#[derive(clap::Args)]
pub struct FrontArgs {
    /// Source (default: the only one, or deepstate-daily).
    #[arg(long)]
    source: Option<String>,
    /// Count the gray zone as hostile too (occupied and gray zone).
    #[arg(long)]
    with_gray: bool,
    /// Reference territory: sea (default), land, or a polygon file.
    #[arg(long, default_value = "sea", value_name = crate::args::REFERENCE_VALUE)]
    reference: String,
    /// Boundary closer than this to the state border is not front (m).
    #[arg(long, default_value_t = 500.0)]
    border_tolerance_m: f64,
    /// Boundary closer than this to the coast (the land outline) is not front (m).
    /// Default 3000, not measures.md's 500: DeepState draws the coast up to
    /// ~3 km off OSM's, and at 500 m about 500 km of shoreline would count
    /// as front (ARCHITECTURE.md, "Deviations").
    #[arg(long, default_value_t = frontline::front::REPORTING_COAST_TOLERANCE_M)]
    coast_tolerance_m: f64,
    /// Sectors: a GeoJSON file of named sector polygons (property `name`);
    /// default: the nearest of the built-in direction towns.
    #[arg(long)]
    sectors: Option<PathBuf>,
}

struct Setup {
    extractor: FrontExtractor,
    sectors: Sectors,
}

fn setup(ctx: &Context, a: &FrontArgs) -> Result<Setup> {
    let reference = ctx.reference(&a.reference)?;
    let options = FrontOptions {
        hostile: if a.with_gray { Hostile::OccupiedOrContested } else { Hostile::Occupied },
        border_tolerance_m: a.border_tolerance_m,
        coast_tolerance_m: a.coast_tolerance_m,
        ..FrontOptions::default()
    };
    let extractor = front_extractor(&reference, &Reference::parse(&a.reference), &ctx.data_dir()?, options)?;
    let sectors = match &a.sectors {
        Some(p) => Sectors::load_polygons(p)?,
        None => Sectors::default_towns(),
    };
    Ok(Setup { extractor, sectors })
}

fn describe(s: &Setup) -> String {
    let o = s.extractor.options();
    format!(
        "reference {}, coast {}, hostile {}, border tolerance {} m, coast tolerance {} m",
        s.extractor.reference_name(),
        s.extractor.coast_name().unwrap_or("(reference boundary)"),
        match o.hostile {
            Hostile::Occupied => "occupied",
            Hostile::OccupiedOrContested => "occupied and gray zone",
        },
        o.border_tolerance_m,
        o.coast_tolerance_m
    )
}

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    common: FrontArgs,
    /// The date: the last snapshot at or before it (default: the latest).
    #[arg(long, value_parser = parse_date)]
    on: Option<NaiveDate>,
    /// Also write the line as a GeoJSON MultiLineString feature to this file.
    #[arg(long)]
    geojson: Option<PathBuf>,
}

pub fn run(ctx: &Context, args: Args) -> Result<ExitCode> {
    let store = ctx.store()?;
    let source = pick_source(&store, args.common.source.as_deref())?;
    let (snaps, notes) = super::area::select(&store, &source, args.on, None, None)?;
    let snap = snaps.first().ok_or_else(|| anyhow!("no snapshot"))?;
    let setup = setup(ctx, &args.common)?;
    let front: Frontline = setup.extractor.frontline(snap);
    let by_sector = sector_lengths(&front.lines, &setup.sectors);
    if let Some(path) = &args.geojson {
        let properties = serde_json::json!({"source": source.as_str(), "date": front.date,
                               "length_km": front.length_km, "parameters": describe(&setup)});
        write_geojson_file(path, [(properties, &front.lines)])?;
        eprintln!("wrote the frontline of {} to {}", front.date, path.display());
    }
    if ctx.format == OutputFormat::Json {
        let v = serde_json::json!({
            "source": source.as_str(), "date": front.date, "length_km": front.length_km,
            "parameters": setup.extractor.options(), "reference": setup.extractor.reference_name(),
            "coast": setup.extractor.coast_name(), "sectors": by_sector,
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    let mut t =
        Table::new(vec!["sector", "length_km"], &by_sector, |s| vec![s.sector.clone(), num(Some(s.length_km), 1)])
            .title(format!("{source} frontline on {}: {:.1} km ({})", front.date, front.length_km, describe(&setup)));
    for n in notes {
        t = t.note(n);
    }
    t.print(ctx.format)?;
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct AdvanceArgs {
    #[command(flatten)]
    common: FrontArgs,
    /// First date (YYYY-MM-DD); with --every, the first period's start.
    #[arg(long, value_parser = parse_date)]
    from: Option<NaiveDate>,
    /// Last date (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date)]
    to: Option<NaiveDate>,
    /// Split into periods (default: one period from --from to --to).
    #[arg(long, value_enum)]
    every: Option<crate::args::Step>,
}

#[derive(serde::Serialize)]
struct Row {
    period: String,
    from: NaiveDate,
    to: NaiveDate,
    sector: String,
    gained_km2: f64,
    lost_km2: f64,
    net_km2: f64,
    gained_share_pct: f64,
    mean_advance_km: Option<f64>,
    max_advance_km: Option<f64>,
    mean_rate_km_per_day: Option<f64>,
    front_length_km: f64,
}

pub fn advance(ctx: &Context, args: AdvanceArgs) -> Result<ExitCode> {
    let store = ctx.store()?;
    let source = pick_source(&store, args.common.source.as_deref())?;
    let snaps = store.load_range(&source, None, args.to)?;
    let dates: Vec<NaiveDate> = snaps.iter().map(|s| s.date()).collect();
    let pairs = match args.every {
        Some(e) => period_pairs(&dates, e.period(), args.from, args.to),
        None => {
            let from = args.from.ok_or_else(|| anyhow!("give --from DATE (and --to DATE), or --every month"))?;
            let a = dates.partition_point(|d| *d <= from).checked_sub(1).ok_or_else(|| {
                anyhow!(
                    "no {source} snapshot on or before {from}; the first is {}",
                    dates.first().map(|d| d.to_string()).unwrap_or_default()
                )
            })?;
            let b = dates.len().checked_sub(1).ok_or_else(|| anyhow!("no snapshots"))?;
            if a == b {
                bail!("--from {from} and --to fall on the same snapshot ({}): nothing moved", dates[a]);
            }
            vec![frontline::area::PeriodPair {
                label: format!("{}..{}", dates[a], dates[b]),
                start: dates[a],
                end: dates[b],
                a,
                b,
            }]
        }
    };
    if pairs.is_empty() {
        bail!("no period with two distinct snapshots in that range");
    }
    let setup = setup(ctx, &args.common)?;
    // Each front serves two pairs: extract every needed one once.
    let mut needed: Vec<usize> = pairs.iter().flat_map(|p| [p.a, p.b]).collect();
    needed.sort_unstable();
    needed.dedup();
    let fronts: std::collections::HashMap<usize, Frontline> =
        needed.par_iter().map(|&i| (i, setup.extractor.frontline(&snaps[i]))).collect();
    let changes: Vec<_> = pairs
        .par_iter()
        .map(|p| {
            front_change_with(&setup.extractor, &setup.sectors, &snaps[p.a], &fronts[&p.a], &snaps[p.b], &fronts[&p.b])
                .map(|c| (p.label.clone(), c))
        })
        .collect::<frontline::Result<_>>()?;
    let mut rows = vec![];
    for (label, c) in &changes {
        let mut sectors: Vec<&frontline::front::SectorChange> = c.sectors.iter().collect();
        // Biggest first: the sectors where the most ground changed hands.
        sectors.sort_by(|x, y| y.gained_km2.total_cmp(&x.gained_km2));
        for s in sectors {
            rows.push(Row {
                period: label.clone(),
                from: c.date_a,
                to: c.date_b,
                sector: s.sector.clone(),
                gained_km2: s.gained_km2,
                lost_km2: s.lost_km2,
                net_km2: s.net_km2,
                gained_share_pct: s.gained_share_pct,
                mean_advance_km: s.advance.as_ref().map(|a| a.mean_km),
                max_advance_km: s.advance.as_ref().map(|a| a.max_km),
                mean_rate_km_per_day: s.advance.as_ref().map(|a| a.mean_rate_km_per_day),
                front_length_km: s.front_length_km,
            });
        }
    }
    Table::new(
        vec![
            "period",
            "from",
            "to",
            "sector",
            "gained_km2",
            "lost_km2",
            "net_km2",
            "share_pct",
            "mean_adv_km",
            "max_adv_km",
            "km_per_day",
            "front_km",
        ],
        &rows,
        |r| {
            vec![
                r.period.clone(),
                r.from.to_string(),
                r.to.to_string(),
                r.sector.clone(),
                num(Some(r.gained_km2), 2),
                num(Some(r.lost_km2), 2),
                num(Some(r.net_km2), 2),
                num(Some(r.gained_share_pct), 1),
                num(r.mean_advance_km, 2),
                num(r.max_advance_km, 2),
                num(r.mean_rate_km_per_day, 3),
                num(Some(r.front_length_km), 1),
            ]
        },
    )
    .title(format!(
        "{source}: change per sector ({}); advance sampled every 1 km along the later front",
        describe(&setup)
    ))
    .print(ctx.format)?;
    Ok(ExitCode::SUCCESS)
}
