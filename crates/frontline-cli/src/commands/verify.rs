//! `frontline verify`: scan a whole store for damage.

use crate::context::Context;
use crate::output::Table;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(ctx: &Context) -> Result<ExitCode> {
    let store = ctx.store()?;
    let report = store.verify()?;
    if report.damaged.is_empty() {
        match ctx.format {
            crate::output::OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
            _ => println!(
                "{}: sound ({} stored layers checked: checksums, geometry, SQLite structure)",
                ctx.db.display(),
                report.layers_checked
            ),
        }
        return Ok(ExitCode::SUCCESS);
    }
    let t = Table::new(vec!["source", "snapshot time", "class", "from file", "problem"], &report.damaged, |d| {
        vec![d.source.clone(), d.taken_at.clone(), d.class.clone(), d.origin.clone(), d.problem.clone()]
    })
    .title(format!(
        "{}: {} damaged of {} stored layers checked",
        ctx.db.display(),
        report.damaged.len(),
        report.layers_checked
    ))
    .note("Figures from a damaged snapshot are refused, never computed. Re-ingest the files listed into a new store.");
    t.print(ctx.format)?;
    Ok(ExitCode::FAILURE)
}
