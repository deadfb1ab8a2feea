//! The `frontline` command: arguments in, engine calls, tables out.

mod args;
mod chart;
mod commands;
mod context;
mod output;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// The heading under which `--help` lists the options every command takes.
const GLOBAL: &str = "Options of every command";

/// Trustworthy numbers from public war maps: ingest control maps, measure
/// area, share and change on the WGS84 ellipsoid.
#[derive(Parser)]
#[command(name = "frontline", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// The snapshot store (SQLite).
    #[arg(long, global = true, env = "FRONTLINE_DB", default_value = frontline::store::DEFAULT_PATH, help_heading = GLOBAL)]
    db: PathBuf,
    /// Folder of the shared data (boundaries/, settlements/): default
    /// $FRONTLINE_SHARED/data, else ../shared/data near the current folder or the binary.
    #[arg(long, global = true, env = "FRONTLINE_DATA", help_heading = GLOBAL)]
    data: Option<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', global = true, value_enum, default_value_t = output::OutputFormat::Table, help_heading = GLOBAL)]
    format: output::OutputFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read control-map files (or folders of them) into the store.
    Ingest(commands::ingest::Args),
    /// List the sources in the store.
    Sources,
    /// List a source's snapshots.
    Snapshots(commands::snapshots::Args),
    /// Area held, share of the country, or of each region.
    Area(commands::area::Args),
    /// Area gained and lost per day, week, month or year.
    Change(commands::change::Args),
    /// The frontline on a date: its length, per sector.
    Front(commands::front::Args),
    /// How the line moved: gained area, share and advance per sector.
    Advance(commands::front::AdvanceArgs),
    /// One settlement: status, fractions, distance to the front, timeline, capture dates.
    Place(commands::places::PlaceArgs),
    /// Every settlement's status on a date, filtered.
    Places(commands::places::PlacesArgs),
    /// Settlements that changed hands in a period, biggest first.
    Captured(commands::places::CapturedArgs),
    /// Distance from named towns to occupied territory over time.
    Watch(commands::places::WatchArgs),
    /// The width of the way out of a town to the rear, for a date or day by day.
    Corridor(commands::corridor::Args),
    /// Friendly territory cut off from the main body, with the settlements inside.
    Pockets(commands::corridor::PocketsArgs),
    /// Where two sources disagree (areas, A only, B only, per region), or with --lag how many days one runs behind the other.
    Compare(commands::compare::Args),
    /// Check a source's series: gaps, repeated maps, precision, implausible jumps, redrawn layers, rejected files.
    Audit(commands::audit::Args),
    /// Check published sentences (or a CSV of claims) against the maps: verdicts with evidence.
    Check(commands::check::Args),
    /// Serve the HTTP API and the web map (read-only).
    Serve(commands::serve::Args),
    /// Fetch the maps the store lacks from the publishers (DeepStateMap's history API, its daily export).
    Sync(commands::sync::Args),
    /// Check a whole store for damage (checksums of every snapshot); exits non-zero if any.
    Verify,
    /// Write snapshots, per-oblast pieces, gained/lost polygons or frontlines as GeoParquet, FlatGeobuf, GeoJSON or CSV.
    Export(commands::export::Args),
}

/// Whether an error is a closed pipe on stdout (`frontline ... | head`).
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
}

/// A reader that stops early (`| head`) is not an error: stop quietly with
/// success, as ripgrep does. Rust ignores SIGPIPE, so a closed pipe shows up
/// as an error from a write, or as a panic from `println!`.
fn quiet_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.contains("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

fn main() -> ExitCode {
    quiet_on_broken_pipe();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => match args::one_line_error(&e) {
            Some(line) => {
                eprintln!("error: {line}");
                return ExitCode::from(2);
            }
            // Help, version, and clap's own words for a missing or unknown flag.
            None => e.exit(),
        },
    };
    let ctx = context::Context::new(cli.db, cli.data, cli.format);
    let result = match cli.command {
        Command::Ingest(a) => commands::ingest::run(&ctx, a),
        Command::Sources => commands::snapshots::sources(&ctx),
        Command::Snapshots(a) => commands::snapshots::run(&ctx, a),
        Command::Area(a) => commands::area::run(&ctx, a),
        Command::Change(a) => commands::change::run(&ctx, a),
        Command::Front(a) => commands::front::run(&ctx, a),
        Command::Advance(a) => commands::front::advance(&ctx, a),
        Command::Place(a) => commands::places::place(&ctx, a),
        Command::Places(a) => commands::places::places(&ctx, a),
        Command::Captured(a) => commands::places::captured(&ctx, a),
        Command::Watch(a) => commands::places::watch(&ctx, a),
        Command::Corridor(a) => commands::corridor::corridor(&ctx, a),
        Command::Pockets(a) => commands::corridor::pockets_cmd(&ctx, a),
        Command::Compare(a) => commands::compare::run(&ctx, a),
        Command::Audit(a) => commands::audit::run(&ctx, a),
        Command::Check(a) => commands::check::run(&ctx, a),
        Command::Serve(a) => commands::serve::run(&ctx, a),
        Command::Sync(a) => commands::sync::run(&ctx, a),
        Command::Verify => commands::verify::run(&ctx),
        Command::Export(a) => commands::export::run(&ctx, a),
    };
    match result {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // One line: the engine's errors already name file, feature and problem.
            let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            eprintln!("error: {}", chain.join(": "));
            ExitCode::FAILURE
        }
    }
}
