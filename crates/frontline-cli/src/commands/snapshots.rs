//! `frontline sources` and `frontline snapshots`.

use crate::context::{parse_date, pick_source, Context};
use crate::output::Table;
use anyhow::Result;
use chrono::NaiveDate;
use std::process::ExitCode;

pub fn sources(ctx: &Context) -> Result<ExitCode> {
    let store = ctx.store()?;
    let sources = store.sources()?;
    let t = Table::new(vec!["source", "what it is", "snapshots", "first", "last", "classes"], &sources, |s| {
        vec![
            s.source.to_string(),
            s.label.clone(),
            s.snapshots.to_string(),
            s.first.format("%Y-%m-%d %H:%M").to_string(),
            s.last.format("%Y-%m-%d %H:%M").to_string(),
            s.classes.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(" "),
        ]
    });
    t.print(ctx.format)?;
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct Args {
    /// Source (default: the only one, or deepstate-daily).
    #[arg(long)]
    source: Option<String>,
    /// First date (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date)]
    from: Option<NaiveDate>,
    /// Last date (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date)]
    to: Option<NaiveDate>,
}

#[derive(serde::Serialize)]
struct Row {
    date: NaiveDate,
    taken_at: chrono::DateTime<chrono::Utc>,
}

pub fn run(ctx: &Context, args: Args) -> Result<ExitCode> {
    let store = ctx.store()?;
    let source = pick_source(&store, args.source.as_deref())?;
    let rows: Vec<Row> = store
        .snapshot_times(&source)?
        .into_iter()
        .filter(|t| args.from.is_none_or(|f| t.date_naive() >= f) && args.to.is_none_or(|to| t.date_naive() <= to))
        .map(|t| Row { date: t.date_naive(), taken_at: t })
        .collect();
    let n = rows.len();
    Table::new(vec!["date", "taken_at_utc"], &rows, |r| {
        vec![r.date.to_string(), r.taken_at.format("%Y-%m-%dT%H:%M:%SZ").to_string()]
    })
    .title(format!("{source}: {n} snapshot(s)"))
    .print(ctx.format)?;
    Ok(ExitCode::SUCCESS)
}
