//! `frontline area`: area held and shares, for one date or a range.

use crate::args::{Shares, Snapshots, BY_VALUE, REFERENCE_VALUE};
use crate::context::{pick_source, Context};
use crate::output::{num, Table};
use anyhow::Result;
use chrono::NaiveDate;
use frontline::area::{region_rows, UKRAINE_OFFICIAL_KM2};
use frontline::regions::{load_region_set, RegionChoice, RegionSet, ShareConvention};
use frontline::store::Store;
use frontline::usecase::area_series;
use frontline::{Snapshot, SourceId};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    when: Snapshots,
    /// Break down by region: oblast, raion, hromada, or a GeoJSON file of regions.
    #[arg(long, value_name = BY_VALUE)]
    by: Option<String>,
    /// How a region's share is computed (default: official for oblasts, outline elsewhere).
    #[arg(long, value_enum, requires = "by")]
    shares: Option<Shares>,
    /// Reference territory: sea (Ukraine with its territorial sea, default), land, or a polygon file.
    #[arg(long, default_value = "sea", value_name = REFERENCE_VALUE)]
    reference: String,
    /// Denominator of "share of Ukraine", km² (DeepState's shares imply about 603,628).
    #[arg(long, default_value_t = UKRAINE_OFFICIAL_KM2)]
    country_km2: f64,
}

/// The snapshots a date option stands for (the engine's
/// [`frontline::usecase::select`]), with notes for the reader.
pub fn select(
    store: &Store,
    source: &SourceId,
    on: Option<NaiveDate>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<(Vec<Snapshot>, Vec<String>)> {
    let sel = frontline::usecase::select(store, source, on, from, to)?;
    Ok((sel.snapshots, sel.notes))
}

/// The regions of a breakdown under the convention named (default: the
/// level's own, see [`RegionChoice::default_convention`]).
pub fn region_set(ctx: &Context, by: &str, shares: Option<Shares>) -> Result<RegionSet> {
    let choice = RegionChoice::parse(by);
    let convention = shares.map_or_else(|| choice.default_convention(), ShareConvention::from);
    let data = match &choice {
        RegionChoice::File(_) if convention == ShareConvention::Outline => PathBuf::new(),
        _ => ctx.data_dir()?,
    };
    Ok(load_region_set(&choice, convention, &data)?)
}

pub fn run(ctx: &Context, args: Args) -> Result<ExitCode> {
    let store = ctx.store()?;
    let source = pick_source(&store, args.when.source.as_deref())?;
    let reference = ctx.reference(&args.reference)?;
    if let Some(by) = &args.by {
        let (snaps, notes) = select(&store, &source, args.when.on, args.when.from, args.when.to)?;
        let set = region_set(ctx, by, args.shares)?;
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
    let (rows, notes) =
        area_series(&store, &source, &reference, args.country_km2, args.when.on, args.when.from, args.when.to)?;
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
