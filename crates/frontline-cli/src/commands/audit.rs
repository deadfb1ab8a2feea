//! `frontline audit SOURCE`: gaps, repeated maps, drawing precision,
//! implausible jumps, redrawn layers, and the files ingest rejected.

use crate::args::Class;
use crate::context::{pick_source, Context};
use crate::output::{num, Table};
use anyhow::{anyhow, Result};
use frontline::audit::{audit_stored, check_paths, rejected_files, AuditRules};
use frontline::ingest::IngestContext;
use frontline::regions::{load_reference, Reference};
use frontline::ControlClass;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(clap::Args)]
pub struct Args {
    /// The source to audit, e.g. isw or deepstate-daily.
    source: String,
    /// Class to audit.
    #[arg(long, value_enum, default_value_t = Class::Occupied)]
    class: Class,
    /// Also look for files the store lacks in these files or folders and
    /// report those ingest rejects (e.g. misdated ones).
    #[arg(long, num_args = 1..)]
    files: Vec<PathBuf>,
    /// List every snapshot, not only those with a finding.
    #[arg(long)]
    all: bool,
    /// k of the rules: how many times the local median daily rate (20 neighbouring steps) a step may reach.
    #[arg(long, default_value_t = 5.0)]
    factor: f64,
    /// The floor under which no change is flagged, km².
    #[arg(long, default_value_t = 100.0)]
    floor_km2: f64,
}

pub fn run(ctx: &Context, args: Args) -> Result<ExitCode> {
    let class = ControlClass::from(args.class);
    if !(args.factor.is_finite() && args.factor > 0.0 && args.floor_km2.is_finite() && args.floor_km2 >= 0.0) {
        return Err(anyhow!("--factor must be positive and --floor-km2 zero or more"));
    }
    check_paths(&args.files)?;
    let store = ctx.store()?;
    let source = pick_source(&store, Some(&args.source))?;
    let rules = AuditRules { factor: args.factor, floor_km2: args.floor_km2, ..AuditRules::default() };
    let mut audit = audit_stored(&store, &source, class, rules)?;
    if !args.files.is_empty() {
        // The same context ingest uses, so that a file is judged as ingest judged it.
        let territory = Some(Arc::new(load_reference(&Reference::WithSea, &ctx.data_dir()?)?));
        audit.findings.extend(rejected_files(&args.files, &store, &IngestContext { territory })?);
    }
    let rows: Vec<_> = audit.snapshots.iter().filter(|r| args.all || !r.flags.is_empty()).cloned().collect();
    let mut t = Table::new(
        vec![
            "date",
            "days_since_previous",
            "vertices",
            "mean_edge_m",
            "detail",
            "area_km2",
            "gained_km2",
            "lost_km2",
            "net_km2",
            "flags",
        ],
        &rows,
        |r| {
            vec![
                r.date.to_string(),
                r.days_since_previous.map(|d| d.to_string()).unwrap_or_default(),
                r.vertices.to_string(),
                num(Some(r.mean_edge_m), 0),
                r.detail.to_string(),
                num(Some(r.area_km2), 1),
                num(r.gained_km2, 1),
                num(r.lost_km2, 1),
                num(r.net_km2, 1),
                r.flags.clone(),
            ]
        },
    )
    .title(format!(
        "Audit of {source} ({class}, {} snapshots, layers as stored, unclipped){}",
        audit.snapshots.len(),
        if args.all { "" } else { ": snapshots with a finding" }
    ));
    for f in &audit.findings {
        let what = match (&f.file, f.date) {
            (Some(file), _) => file.display().to_string(),
            (None, Some(d)) => d.to_string(),
            (None, None) => String::new(),
        };
        t = t.note(format!("{what}: {}: {}", f.kind.label(), f.detail));
    }
    for rule in audit.rules.describe(audit.median_net_km2_per_day, audit.median_churn_km2_per_day) {
        t = t.note(format!("rule: {rule}"));
    }
    t.json = serde_json::to_value(&audit)?;
    t.print(ctx.format)?;
    Ok(ExitCode::SUCCESS)
}
