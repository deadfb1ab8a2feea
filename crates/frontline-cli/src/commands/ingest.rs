//! `frontline ingest PATH...`

use crate::context::Context;
use anyhow::{bail, Result};
use frontline::ingest::mapped::Mapping;
use frontline::ingest::Format;
use frontline::store::Store;
use frontline::usecase::ingest::IngestSummary;
use frontline::usecase::ingest_paths;
use frontline::SourceId;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Files or folders (plain or .gz GeoJSON); folders are read recursively.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Read every file as this format instead of recognising it by name.
    #[arg(long = "as", value_name = "FORMAT", value_enum, conflicts_with = "map")]
    as_format: Option<crate::args::FormatName>,
    /// Any other GeoJSON: map a property's values to classes, e.g.
    /// `status=occupied:occupied,status=contested:gray,*:occupied`
    /// (`*:CLASS` for features no rule matches; without it they are skipped).
    #[arg(long, value_name = "RULES")]
    map: Option<String>,
    /// With --map: the source name to store the snapshots under.
    #[arg(long, default_value = "custom", requires = "map")]
    source: String,
    /// With --map: the snapshot's date (YYYY-MM-DD), if neither a date
    /// property nor the file name gives it.
    #[arg(long, value_parser = crate::context::parse_date, requires = "map")]
    date: Option<chrono::NaiveDate>,
    /// With --map: a property holding the date (every feature must agree).
    #[arg(long, requires = "map")]
    date_property: Option<String>,
}

fn explicit_format(args: &Args) -> Result<Option<Format>> {
    if let Some(rules) = &args.map {
        let mut m = Mapping::parse_rules(SourceId::new(args.source.clone()), rules)?;
        m.taken_at = args.date.and_then(|d| d.and_hms_opt(0, 0, 0)).map(|d| d.and_utc());
        m.date_property = args.date_property.clone();
        return Ok(Some(Format::Mapped(m)));
    }
    Ok(args.as_format.and_then(crate::args::FormatName::format))
}

pub fn run(ctx: &Context, args: Args) -> Result<ExitCode> {
    let explicit = explicit_format(&args)?;
    let data = match ctx.data_dir() {
        Ok(d) => d,
        Err(e) => bail!("{e}; ingest needs the reference territory to drop polygons outside Ukraine"),
    };
    let existed = ctx.db.exists();
    let mut store = Store::open(&ctx.db)?;
    let bar = progress();
    let result = ingest_paths(&mut store, &args.paths, explicit.as_ref(), &data, &|| bar.inc(1));
    bar.finish_and_clear();
    drop(store);
    let summary = match result {
        Ok(s) => s,
        Err(e) => {
            if !existed {
                // Nothing was found to ingest: leave no empty store behind.
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = ctx.db.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(p);
                }
            }
            return Err(e.into());
        }
    };
    let IngestSummary {
        files_already_stored: unchanged_files,
        files_written: outcomes,
        replacements,
        polygons_kept: polygons,
        repairs,
        skipped,
        warnings,
        errors,
    } = &summary;

    match ctx.format {
        crate::output::OutputFormat::Json => {
            let mut json = serde_json::to_value(&summary)?;
            if let Some(o) = json.as_object_mut() {
                o.insert("store".into(), ctx.db.display().to_string().into());
            }
            println!("{}", serde_json::to_string_pretty(&json)?)
        }
        _ => {
            let written: usize = outcomes.values().sum();
            let detail = if outcomes.is_empty() {
                String::new()
            } else {
                format!(" ({})", outcomes.iter().map(|(k, v)| format!("{v} {k}")).collect::<Vec<_>>().join(", "))
            };
            println!(
                "{written} file(s) written to {}{detail}; {unchanged_files} already stored (same content); {} failed",
                ctx.db.display(),
                errors.len()
            );
            for r in replacements {
                println!("{}: replaced {} (same source and time: the file ingested last is kept)", r.file, r.replaced);
            }
            if !polygons.is_empty() {
                println!(
                    "polygons kept: {}",
                    polygons.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ")
                );
            }
            if repairs.any() {
                println!(
                    "repairs: {} unclosed ring(s) closed, {} repeated vertices removed, {} degenerate ring(s) dropped, {} layer(s) with overlaps or self-intersections resolved",
                    repairs.unclosed_rings, repairs.duplicate_vertices, repairs.degenerate_rings, repairs.overlaps_resolved
                );
                if repairs.self_crossing_polygons > 0 {
                    println!(
                        "repairs: {} polygon(s) whose ring crosses or overlaps itself, filled by the non-zero rule (named in the warnings below)",
                        repairs.self_crossing_polygons
                    );
                }
            }
            if repairs.seams_closed > 0 {
                println!(
                    "seams closed: {} gap(s) under {} m wide between layers of one class, {:.3} km² in all",
                    repairs.seams_closed,
                    frontline::repair::SEAM_MAX_WIDTH_M,
                    repairs.seam_area_m2 / 1e6
                );
            }
            for (k, v) in skipped {
                println!("skipped: {v} × {k}");
            }
            for w in warnings.iter().take(20) {
                println!("warning: {w}");
            }
            if warnings.len() > 20 {
                println!("... and {} more warnings (use --format json for all)", warnings.len() - 20);
            }
        }
    }
    for e in errors {
        eprintln!("error: {e}");
    }
    Ok(if errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// A count of files done (the engine finds the files, so there is no total).
fn progress() -> ProgressBar {
    let bar = ProgressBar::no_length();
    if std::io::stderr().is_terminal() {
        bar.set_style(
            ProgressStyle::with_template("{spinner} ingesting: {pos} files done {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
    } else {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar
}
