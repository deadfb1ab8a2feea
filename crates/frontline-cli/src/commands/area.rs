//! `frontline area`: area held and shares, for one date or a range.

use crate::context::{parse_date, pick_source, Context};
use crate::output::{num, Table};
use anyhow::{bail, Result};
use chrono::NaiveDate;
use frontline::area::{area_rows, region_rows, UKRAINE_OFFICIAL_KM2};
use frontline::audit::{audit_series, AuditRules};
use frontline::regions::{load_region_set, RegionChoice, RegionSet, ShareConvention};
use frontline::store::Store;
use frontline::{Snapshot, SourceId};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Source (default: the only one, or deepstate-daily).
    #[arg(long)]
    source: Option<String>,
    /// The date to measure: the last snapshot at or before it is used (default: the latest).
    #[arg(long, value_parser = parse_date, conflicts_with_all = ["from", "to"])]
    on: Option<NaiveDate>,
    /// First date of a range (every snapshot in the range is measured).
    #[arg(long, value_parser = parse_date)]
    from: Option<NaiveDate>,
    /// Last date of a range.
    #[arg(long, value_parser = parse_date)]
    to: Option<NaiveDate>,
    /// Break down by region: oblast, raion, hromada, or a GeoJSON file of regions.
    #[arg(long)]
    by: Option<String>,
    /// How a region's share is computed: official (area within the region incl. its territorial sea ÷ its
    /// official area, at most 100 %: DeepState's convention, the default for oblasts) or outline (area
    /// within the region's outline ÷ the outline's measured area: the default, and only choice, elsewhere).
    #[arg(long, requires = "by")]
    shares: Option<String>,
    /// Reference territory: sea (Ukraine with its territorial sea, default), land, or a polygon file.
    #[arg(long, default_value = "sea")]
    reference: String,
    /// Denominator of "share of Ukraine", km² (DeepState's shares imply about 603,628).
    #[arg(long, default_value_t = UKRAINE_OFFICIAL_KM2)]
    country_km2: f64,
}

/// The snapshots a date option stands for: the last at or before `on`, or
/// all in `from..=to`, or the latest.
pub fn select(
    store: &Store,
    source: &SourceId,
    on: Option<NaiveDate>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<(Vec<Snapshot>, Vec<String>)> {
    let times = store.snapshot_times(source)?;
    let mut notes = vec![];
    if from.is_some() || to.is_some() {
        let snaps = store.load_range(source, from, to)?;
        if snaps.is_empty() {
            bail!(
                "no {source} snapshot between {} and {} (it has {} to {})",
                from.map(|d| d.to_string()).unwrap_or("the start".into()),
                to.map(|d| d.to_string()).unwrap_or("the end".into()),
                times[0].date_naive(),
                times[times.len() - 1].date_naive()
            );
        }
        return Ok((snaps, notes));
    }
    let chosen = match on {
        None => times[times.len() - 1],
        Some(d) => match times.iter().rev().find(|t| t.date_naive() <= d) {
            Some(t) => {
                if t.date_naive() != d {
                    notes
                        .push(format!("no {source} snapshot on {d}: using the last one before it, {}", t.date_naive()));
                }
                *t
            }
            None => bail!("no {source} snapshot on or before {d}; the first is {}", times[0].date_naive()),
        },
    };
    let snaps = store.load_range(source, Some(chosen.date_naive()), Some(chosen.date_naive()))?;
    Ok((snaps.into_iter().filter(|s| s.taken_at == chosen).collect(), notes))
}

/// [`select`] over a source's whole series already loaded (oldest first),
/// for a command that needs the whole series anyway (the audit's flags).
fn select_loaded(
    all: Vec<Snapshot>,
    source: &SourceId,
    on: Option<NaiveDate>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<(Vec<Snapshot>, Vec<String>)> {
    let (Some(first), Some(last)) = (all.first().map(Snapshot::date), all.last().map(Snapshot::date)) else {
        bail!("the store holds no {source} snapshot");
    };
    let mut notes = vec![];
    if from.is_some() || to.is_some() {
        let snaps: Vec<Snapshot> = all
            .into_iter()
            .filter(|s| from.is_none_or(|f| s.date() >= f) && to.is_none_or(|t| s.date() <= t))
            .collect();
        if snaps.is_empty() {
            bail!(
                "no {source} snapshot between {} and {} (it has {first} to {last})",
                from.map(|d| d.to_string()).unwrap_or("the start".into()),
                to.map(|d| d.to_string()).unwrap_or("the end".into()),
            );
        }
        return Ok((snaps, notes));
    }
    let chosen = match on {
        None => all[all.len() - 1].taken_at,
        Some(d) => match all.iter().rev().find(|s| s.date() <= d) {
            Some(s) => {
                if s.date() != d {
                    notes.push(format!("no {source} snapshot on {d}: using the last one before it, {}", s.date()));
                }
                s.taken_at
            }
            None => bail!("no {source} snapshot on or before {d}; the first is {first}"),
        },
    };
    Ok((all.into_iter().filter(|s| s.taken_at == chosen).collect(), notes))
}

/// The regions of a breakdown under the convention named (default: the
/// level's own, see [`RegionChoice::default_convention`]).
pub fn region_set(ctx: &Context, by: &str, shares: Option<&str>) -> Result<RegionSet> {
    let choice = RegionChoice::parse(by);
    let convention = match shares {
        None => choice.default_convention(),
        Some(s) => ShareConvention::parse(s)
            .ok_or_else(|| anyhow::anyhow!("--shares {s:?}: use one of {}", ShareConvention::NAMES.join(", ")))?,
    };
    let data = match &choice {
        RegionChoice::File(_) if convention == ShareConvention::Outline => PathBuf::new(),
        _ => ctx.data_dir()?,
    };
    Ok(load_region_set(&choice, convention, &data)?)
}

pub fn run(ctx: &Context, args: Args) -> Result<ExitCode> {
    if !args.country_km2.is_finite() || args.country_km2 <= 0.0 {
        bail!("--country-km2 must be a positive area in km²");
    }
    let store = ctx.store()?;
    let source = pick_source(&store, args.source.as_deref())?;
    let reference = ctx.reference(&args.reference)?;
    if let Some(by) = &args.by {
        let (snaps, notes) = select(&store, &source, args.on, args.from, args.to)?;
        let set = region_set(ctx, by, args.shares.as_deref())?;
        let rows: Vec<_> = snaps.iter().flat_map(|s| region_rows(s, &set.regions)).collect();
        let mut t = Table::new(
            vec![
                "date",
                "region",
                "iso",
                "region_area_km2",
                "occupied_km2",
                "occupied_pct",
                "gray_km2",
                "gray_pct",
                "convention",
            ],
            &rows,
            |r| {
                vec![
                    r.date.to_string(),
                    r.region.clone(),
                    r.iso.clone().unwrap_or_default(),
                    num(Some(r.region_km2), 1),
                    num(Some(r.occupied_km2), 3),
                    num(Some(r.occupied_pct), 2),
                    num(r.gray_km2, 3),
                    num(r.gray_pct, 2),
                    format!("{}{}", set.convention.as_str(), if r.capped { " (capped at 100 %)" } else { "" }),
                ]
            },
        )
        .title(format!("{source}: share of each region ({by}); {}", set.describe()));
        if rows.iter().any(|r| r.capped) {
            t = t.note(
                "capped at 100 %: the map's layer covers the region's coastal water as well, which its official \
                 (land) area does not count"
                    .to_string(),
            );
        }
        for n in notes {
            t = t.note(n);
        }
        t.print(ctx.format)?;
        return Ok(ExitCode::SUCCESS);
    }
    // The flags need the whole series: load it once, for them and the rows.
    let all = store.load_range(&source, None, None)?;
    let audit = audit_series(&all, frontline::ControlClass::Occupied, AuditRules::default());
    let (snaps, notes) = select_loaded(all, &source, args.on, args.from, args.to)?;
    let rows: Vec<FlaggedArea> = area_rows(&snaps, &reference, args.country_km2)
        .into_iter()
        .map(|row| {
            let flag = audit.flag_on(row.date);
            FlaggedArea { row, flag }
        })
        .collect();
    let flagged = rows.iter().filter(|r| r.flag.is_some()).count();
    let mut t = Table::new(
        vec![
            "date",
            "occupied_km2",
            "occupied_sqmi",
            "occupied_pct",
            "gray_km2",
            "occupied_or_gray_km2",
            "occupied_or_gray_pct",
            "flag",
        ],
        &rows,
        |f| {
            let r = &f.row;
            vec![
                r.date.to_string(),
                num(Some(r.occupied_km2), 3),
                num(Some(r.occupied_sqmi), 3),
                num(Some(r.occupied_pct), 3),
                num(r.gray_km2, 3),
                num(r.occupied_or_gray_km2, 3),
                num(r.occupied_or_gray_pct, 3),
                f.flag.clone().unwrap_or_default(),
            ]
        },
    )
    .title(format!(
        "{source}: area within {} ({:.1} km²); shares of {:.0} km²",
        reference.name,
        reference.area_km2(),
        args.country_km2
    ));
    for n in notes {
        t = t.note(n);
    }
    if flagged > 0 {
        t = t.note(format!(
            "flag: {flagged} snapshot(s) changed implausibly since the previous one (`frontline audit {source}`); read them with care"
        ));
    }
    t.print(ctx.format)?;
    Ok(ExitCode::SUCCESS)
}

/// An area row with the audit's verdict on the step that led to it.
#[derive(serde::Serialize)]
struct FlaggedArea {
    #[serde(flatten)]
    row: frontline::area::AreaRow,
    /// Warnings of `frontline audit` on this snapshot (`None` when clean).
    flag: Option<String>,
}
