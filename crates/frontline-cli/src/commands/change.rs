//! `frontline change`: gained, lost and net area per period.

use crate::args::{ClassOrAll, Step, BY_VALUE, REFERENCE_VALUE};
use crate::context::{parse_date, pick_source, Context};
use crate::output::{num, write_geojson_file, Table};
use anyhow::Result;
use chrono::NaiveDate;
use frontline::usecase::{change_series, ChangePeriod, ChangeRequest};
use frontline::ControlClass;
use rayon::prelude::*;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Source (default: the only one, or deepstate-daily).
    #[arg(long)]
    source: Option<String>,
    /// Step: consecutive snapshots, or calendar periods.
    #[arg(long, value_enum, default_value_t = Step::Month)]
    every: Step,
    /// First day of the first period (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date)]
    from: Option<NaiveDate>,
    /// Last day covered (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date)]
    to: Option<NaiveDate>,
    /// Classes to compare.
    #[arg(long, value_enum, default_value_t = ClassOrAll::Occupied)]
    class: ClassOrAll,
    /// Reference territory: sea (default), land, or a polygon file.
    #[arg(long, default_value = "sea", value_name = REFERENCE_VALUE)]
    reference: String,
    /// Break each period down by region: oblast, raion, or a GeoJSON file.
    #[arg(long, value_name = BY_VALUE)]
    by: Option<String>,
    /// Also write the gained and lost polygons of every period to this GeoJSON file.
    #[arg(long)]
    geojson: Option<PathBuf>,
    /// The source runs this many days late: its file dated d is taken as the
    /// map of day d − N (see `compare --lag`), so periods follow the
    /// publisher's own calendar.
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    offset_days: i64,
}

/// A change row with the audit's verdict on its period.
#[derive(serde::Serialize)]
struct FlaggedChange {
    #[serde(flatten)]
    row: frontline::area::ChangeRow,
    /// Warnings of `frontline audit` on a snapshot inside the period (`None` when clean).
    flag: Option<String>,
}

#[derive(serde::Serialize)]
struct RegionChange {
    period: String,
    class: ControlClass,
    region: String,
    from: NaiveDate,
    to: NaiveDate,
    gained_km2: f64,
    lost_km2: f64,
    net_km2: f64,
    /// What `audit` found implausible in the period, for the whole map.
    flag: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> Result<ExitCode> {
    let every = args.every.period();
    let store = ctx.store()?;
    let source = pick_source(&store, args.source.as_deref())?;
    let reference = ctx.reference(&args.reference)?;
    let request = ChangeRequest {
        every,
        from: args.from,
        to: args.to,
        class: args.class.name().to_string(),
        offset_days: args.offset_days,
    };
    let results = change_series(&store, &source, &reference, &request)?;

    if let Some(path) = &args.geojson {
        let features = results.iter().flat_map(|ChangePeriod { row, geometry: geom, .. }| {
            [("gained", &geom.gained, row.gained_km2), ("lost", &geom.lost, row.lost_km2)]
                .into_iter()
                .filter(|(_, mp, _)| !mp.0.is_empty())
                .map(|(kind, mp, area)| {
                    let properties = serde_json::json!({"period": row.period, "class": row.class, "kind": kind,
                                   "from": row.from, "to": row.to, "area_km2": area,
                                   "source": source.as_str(), "reference": reference.name});
                    (properties, mp)
                })
        });
        let written = write_geojson_file(path, features)?;
        eprintln!("wrote {written} gained/lost feature(s) to {}", path.display());
    }

    if let Some(by) = &args.by {
        let set = super::area::region_set(ctx, by, None)?;
        let regions = &set.regions;
        let rows: Vec<RegionChange> = results
            .par_iter()
            .flat_map(|ChangePeriod { row, geometry: geom, flag }| {
                regions
                    .iter()
                    .map(|r| {
                        let gained = frontline::area::area_within_km2(&geom.gained, &r.territory);
                        let lost = frontline::area::area_within_km2(&geom.lost, &r.territory);
                        RegionChange {
                            period: row.period.clone(),
                            class: row.class,
                            region: r.name.clone(),
                            from: row.from,
                            to: row.to,
                            gained_km2: gained,
                            lost_km2: lost,
                            net_km2: gained - lost,
                            flag: flag.clone(),
                        }
                    })
                    .filter(|r| r.gained_km2 > 0.0 || r.lost_km2 > 0.0)
                    .collect::<Vec<_>>()
            })
            .collect();
        let flagged = rows.iter().filter(|r| r.flag.is_some()).count();
        let mut t = Table::new(
            vec!["period", "class", "region", "from", "to", "gained_km2", "lost_km2", "net_km2", "flag"],
            &rows,
            |r| {
                vec![
                    r.period.clone(),
                    r.class.to_string(),
                    r.region.clone(),
                    r.from.to_string(),
                    r.to.to_string(),
                    num(Some(r.gained_km2), 3),
                    num(Some(r.lost_km2), 3),
                    num(Some(r.net_km2), 3),
                    r.flag.clone().unwrap_or_default(),
                ]
            },
        )
        .title(format!("{source}: change per region ({by}: {}), within {}", set.outlines, reference.name));
        if flagged > 0 {
            t = t.note(format!(
                "flag: {flagged} row(s) fall in a period with a change `frontline audit {source}` finds implausible \
                 (judged on the whole map, not the region); read them with care"
            ));
        }
        t.print(ctx.format)?;
        return Ok(ExitCode::SUCCESS);
    }

    let rows: Vec<FlaggedChange> =
        results.into_iter().map(|ChangePeriod { row, flag, .. }| FlaggedChange { row, flag }).collect();
    // One total line per class shown (the gray zone's too, with --class gray or all).
    let mut totals: Vec<String> = vec![];
    for class in ControlClass::ALL {
        let of_class: Vec<_> = rows.iter().filter(|r| r.row.class == class).collect();
        if !of_class.is_empty() {
            let gained: f64 = of_class.iter().map(|r| r.row.gained_km2).sum();
            let net: f64 = of_class.iter().map(|r| r.row.net_km2).sum();
            totals.push(format!(
                "{class}: {} km² gained, {} km² net over the periods shown",
                num(Some(gained), 3),
                num(Some(net), 3)
            ));
        }
    }
    let flagged = rows.iter().filter(|r| r.flag.is_some()).count();
    let mut t = Table::new(
        vec!["period", "class", "from", "to", "days", "gained_km2", "lost_km2", "net_km2", "flag"],
        &rows,
        |f| {
            let r = &f.row;
            vec![
                r.period.clone(),
                r.class.to_string(),
                r.from.to_string(),
                r.to.to_string(),
                r.days.to_string(),
                num(Some(r.gained_km2), 3),
                num(Some(r.lost_km2), 3),
                num(Some(r.net_km2), 3),
                f.flag.clone().unwrap_or_default(),
            ]
        },
    )
    .title(format!(
        "{source}: change every {} within {} (from/to = the snapshots actually compared)",
        args.every.name(),
        reference.name
    ));
    for line in totals {
        t = t.note(line);
    }
    if args.offset_days != 0 {
        t = t.note(format!(
            "offset applied: {:+} day(s); each file dated d is taken as the map of d − ({}), and from/to are those map dates",
            args.offset_days, args.offset_days
        ));
    }
    if flagged > 0 {
        t = t.note(format!(
            "flag: {flagged} period(s) contain a change `frontline audit {source}` finds implausible; read them with care"
        ));
    }
    t.print(ctx.format)?;
    Ok(ExitCode::SUCCESS)
}
