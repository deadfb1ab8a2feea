//! `frontline export`: snapshots and measures as GeoParquet, FlatGeobuf,
//! GeoJSON or CSV (flags -> frontline-export -> a summary line).

use crate::context::{parse_date, pick_source, Context};
use crate::output::{num, Table};
use anyhow::{anyhow, bail, Result};
use chrono::NaiveDate;
use frontline::area::Period;
use frontline::front::{FrontExtractor, FrontOptions, Hostile};
use frontline::places::{stored, GazetteerSources};
use frontline::regions::{load_reference, load_region_set, Reference, RegionChoice, RegionLevel, ShareConvention};
use frontline::ControlClass;
use frontline_export::datasets::{self, Dataset};
use frontline_export::FileFormat;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// What to export: snapshots (each class layer as stored), oblasts (each
    /// layer cut to each oblast), changes (gained and lost polygons per
    /// period), front (the frontline per snapshot), places (every
    /// settlement's status on --on and its capture dates).
    dataset: String,
    /// Where to write: a file (.fgb, .geojson, .csv), or for GeoParquet a
    /// folder (.parquet) of source=S/year=Y/part-0.parquet files. Never overwritten.
    #[arg(long)]
    out: PathBuf,
    /// File format: geoparquet, flatgeobuf, geojson or csv (default: from
    /// --out's extension).
    #[arg(long = "as", id = "file_format", value_name = "FORMAT")]
    file_format: Option<String>,
    /// Source (default: the only one, or deepstate-daily).
    #[arg(long)]
    source: Option<String>,
    /// First date (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date)]
    from: Option<NaiveDate>,
    /// Last date (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date)]
    to: Option<NaiveDate>,
    /// Reference territory for clipped figures: sea (default), land, or a polygon file.
    #[arg(long, default_value = "sea")]
    reference: String,
    /// changes: the step (snapshot, day, week, month or year).
    #[arg(long, default_value = "month")]
    every: String,
    /// changes: occupied, gray, or all the source has.
    #[arg(long, default_value = "occupied")]
    class: String,
    /// front: count the gray zone as hostile too.
    #[arg(long)]
    with_gray: bool,
    /// places: the date (the last snapshot at or before it; default the latest).
    #[arg(long, value_parser = parse_date)]
    on: Option<NaiveDate>,
}

fn format_of(args: &Args) -> Result<FileFormat> {
    if let Some(f) = &args.file_format {
        return FileFormat::parse(f)
            .ok_or_else(|| anyhow!("--as {f}: unknown format; use one of {}", FileFormat::NAMES.join(", ")));
    }
    let ext = args.out.extension().and_then(|e| e.to_str()).unwrap_or("");
    FileFormat::parse(ext).ok_or_else(|| {
        anyhow!(
            "{}: cannot tell the format from the name; end it in .parquet, .fgb, .geojson or .csv, or pass --as FORMAT",
            args.out.display()
        )
    })
}

/// One line on stderr per tenth of the rows, when stderr is a terminal.
fn progress_line(what: &str) -> impl Fn(usize, usize) + Sync + '_ {
    let on = std::io::stderr().is_terminal();
    let last = std::sync::atomic::AtomicUsize::new(usize::MAX);
    move |done, total| {
        let tenth = (10 * done).checked_div(total).unwrap_or(10);
        if on && last.swap(tenth, std::sync::atomic::Ordering::Relaxed) != tenth {
            eprintln!("{what}: {done}/{total} rows written");
        }
    }
}

pub fn run(ctx: &Context, args: Args) -> Result<ExitCode> {
    let dataset = Dataset::parse(&args.dataset).ok_or_else(|| {
        anyhow!("'{}' is not something export writes; use one of {}", args.dataset, Dataset::NAMES.join(", "))
    })?;
    let format = format_of(&args)?;
    if !format.available() {
        bail!(frontline_export::ExportError::NotBuilt);
    }
    // Before any work: an export never overwrites.
    frontline_export::check_target(&args.out)?;
    if dataset == Dataset::Places {
        return places(ctx, &args, format);
    }
    let store = ctx.store()?;
    let source = pick_source(&store, args.source.as_deref())?;
    let snaps = store.load_range(&source, args.from, args.to)?;
    if snaps.is_empty() {
        bail!(
            "no {source} snapshot between {} and {}",
            args.from.map(|d| d.to_string()).unwrap_or("the start".into()),
            args.to.map(|d| d.to_string()).unwrap_or("the end".into())
        );
    }
    eprintln!("measuring {} {source} snapshots for {}...", snaps.len(), args.dataset);
    let table = match dataset {
        Dataset::Snapshots => datasets::snapshots(&snaps, &ctx.reference(&args.reference)?),
        Dataset::Oblasts => {
            let regions = load_region_set(
                &RegionChoice::Level(RegionLevel::Oblast),
                ShareConvention::Official,
                &ctx.data_dir()?,
            )?;
            datasets::oblasts(&snaps, &regions)
        }
        Dataset::Changes => {
            let every = Period::parse(&args.every)
                .ok_or_else(|| anyhow!("--every {}: use snapshot, day, week, month or year", args.every))?;
            let classes: Vec<ControlClass> = match args.class.as_str() {
                "all" => {
                    ControlClass::ALL.into_iter().filter(|c| snaps.iter().any(|s| s.layer(*c).is_some())).collect()
                }
                c => vec![ControlClass::parse(c)
                    .ok_or_else(|| anyhow!("--class {c}: use occupied, gray, liberated or all"))?],
            };
            datasets::changes(&snaps, every, &classes, &ctx.reference(&args.reference)?)
        }
        Dataset::Front => {
            let reference = ctx.reference(&args.reference)?;
            // As `frontline front`: with a reference reaching out to sea, the land outline marks the coast.
            let land = match Reference::parse(&args.reference) {
                Reference::Land => None,
                _ => Some(load_reference(&Reference::Land, &ctx.data_dir()?)?),
            };
            let options = FrontOptions {
                hostile: if args.with_gray { Hostile::OccupiedOrContested } else { Hostile::Occupied },
                coast_tolerance_m: frontline::front::REPORTING_COAST_TOLERANCE_M,
                ..FrontOptions::default()
            };
            let extractor = FrontExtractor::new(&reference, land.as_ref(), options)?;
            let parameters = format!(
                "reference {}, hostile {}, border tolerance {} m, coast tolerance {} m",
                reference.name,
                if args.with_gray { "occupied and gray zone" } else { "occupied" },
                options.border_tolerance_m,
                options.coast_tolerance_m
            );
            datasets::front(&snaps, &extractor, &parameters)
        }
        Dataset::Places => return places(ctx, &args, format),
    };
    finish(ctx, &table, format, &args.out)
}

fn finish(ctx: &Context, table: &frontline_export::ExportTable, format: FileFormat, out: &Path) -> Result<ExitCode> {
    table.check().map_err(|e| anyhow!("internal: the {} table is malformed: {e}", table.name))?;
    let written = frontline_export::write(table, format, out, &progress_line(table.name))?;
    summary(&written, table.name, format, &table.description).print(ctx.format)?;
    Ok(ExitCode::SUCCESS)
}

/// Settlements: the gazetteer and the status table as `frontline places`
/// reads them (from the store when current, else computed and kept).
fn places(ctx: &Context, args: &Args, format: FileFormat) -> Result<ExitCode> {
    let (store, writable) = ctx.store_for_cache()?;
    let source = pick_source(&store, args.source.as_deref())?;
    let sources = GazetteerSources::shared(&ctx.data_dir()?);
    eprintln!("loading the gazetteer and the {source} status table...");
    let mut gazetteer = stored::gazetteer(&store, &sources, writable)?;
    let table = stored::status_table(&store, &mut gazetteer, &sources, &source, writable)?;
    let dates = table.dates();
    let Some(last) = dates.len().checked_sub(1) else { bail!("the store holds no {source} snapshot") };
    let i = match args.on {
        None => last,
        Some(d) => dates
            .partition_point(|x| *x <= d)
            .checked_sub(1)
            .ok_or_else(|| anyhow!("no {source} snapshot on or before {d}; the first is {}", dates[0]))?,
    };
    if let Some(d) = args.on.filter(|d| *d != dates[i]) {
        eprintln!("no {source} snapshot on {d}: using the last one before it, {}", dates[i]);
    }
    finish(ctx, &datasets::places(&gazetteer, &table, i, source.as_str()), format, &args.out)
}

#[derive(serde::Serialize)]
struct Summary {
    dataset: &'static str,
    format: &'static str,
    path: PathBuf,
    files: usize,
    rows: usize,
    size_mb: f64,
}

fn summary(w: &frontline_export::Written, dataset: &'static str, format: FileFormat, about: &str) -> Table {
    let format = match format {
        FileFormat::GeoParquet => "GeoParquet 1.1",
        FileFormat::FlatGeobuf => "FlatGeobuf",
        FileFormat::GeoJson => "GeoJSON",
        FileFormat::Csv => "CSV",
    };
    let s =
        Summary { dataset, format, path: w.path.clone(), files: w.files, rows: w.rows, size_mb: w.bytes as f64 / 1e6 };
    Table::new(vec!["dataset", "format", "written to", "files", "rows", "size_mb"], &[s], |s| {
        vec![
            s.dataset.to_string(),
            s.format.to_string(),
            display(&s.path),
            s.files.to_string(),
            s.rows.to_string(),
            num(Some(s.size_mb), 1),
        ]
    })
    .note(format!("each row: {about}"))
}

fn display(p: &Path) -> String {
    p.display().to_string()
}

/// `frontline corridor --export PATH`: the series (and the one with the gray
/// zone hostile, when measured) as one table; format from PATH's extension.
pub fn export_corridor(rows: &[frontline::usecase::CorridorRow], place: &str, source: &str, out: &Path) -> Result<()> {
    let ext = out.extension().and_then(|e| e.to_str()).unwrap_or("");
    let format = FileFormat::parse(ext)
        .ok_or_else(|| anyhow!("--export {}: end the name in .parquet, .fgb, .geojson or .csv", out.display()))?;
    if !format.available() {
        bail!(frontline_export::ExportError::NotBuilt);
    }
    frontline_export::check_target(out)?;
    let occupied: Vec<_> = rows.iter().map(|r| (r.date, &r.occupied_only)).collect();
    let with_gray: Vec<_> = rows.iter().filter_map(|r| r.with_gray.as_ref().map(|c| (r.date, c))).collect();
    let mut table = datasets::corridor(&occupied, place, "occupied", source);
    table.rows.extend(datasets::corridor(&with_gray, place, "occupied and gray zone", source).rows);
    table.check().map_err(|e| anyhow!("internal: the corridor table is malformed: {e}"))?;
    let w = frontline_export::write(&table, format, out, &progress_line("corridor"))?;
    eprintln!("wrote {} corridor rows to {}", w.rows, w.path.display());
    Ok(())
}
