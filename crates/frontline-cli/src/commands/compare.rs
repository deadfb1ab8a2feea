//! `frontline compare A B`: where two sources disagree, and `--lag`: how
//! many days one runs behind the other.

use crate::args::{Class, REFERENCE_VALUE};
use crate::context::{parse_date, Context};
use crate::output::{num, write_geojson_file, Table};
use anyhow::{bail, Result};
use chrono::NaiveDate;
use frontline::compare::{by_region, by_sector, gray_layer_meaning, status_differences, Pairing};
use frontline::front::Sectors;
use frontline::lag::find_lag;
use frontline::usecase::{compare_load, compare_pairs};
use frontline::{ControlClass, Snapshot};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Source A, e.g. deepstate-raw.
    a: String,
    /// Source B, e.g. isw.
    b: String,
    /// Compare the snapshot of each source nearest to this date.
    #[arg(long, value_parser = parse_date, conflicts_with_all = ["from", "to"])]
    on: Option<NaiveDate>,
    /// First date of a range: every snapshot of the sparser source from here
    /// on, each with the other source's nearest.
    #[arg(long, value_parser = parse_date)]
    from: Option<NaiveDate>,
    /// Last date of a range.
    #[arg(long, value_parser = parse_date)]
    to: Option<NaiveDate>,
    /// In a range, skip pairs whose two snapshots are more days apart than this.
    #[arg(long, default_value_t = 7)]
    max_days_apart: i64,
    /// Class to compare.
    #[arg(long, value_enum, default_value_t = Class::Occupied)]
    class: Class,
    /// Break down by oblast, raion, sector (nearest direction town), or a GeoJSON file of regions.
    #[arg(long, value_name = "oblast|raion|sector|FILE")]
    by: Option<String>,
    /// Reference territory: sea (default), land, or a polygon file.
    #[arg(long, default_value = "sea", value_name = REFERENCE_VALUE)]
    reference: String,
    /// Also write the disagreement polygons (A only, B only) to this GeoJSON file.
    #[arg(long)]
    geojson: Option<PathBuf>,
    /// Also list the settlements whose status (held / contested / occupied)
    /// differs between the two maps (needs the gazetteer; the first run builds it).
    #[arg(long, conflicts_with = "by")]
    places: bool,
    /// Instead: find the offset in days that best aligns A with B (A's file
    /// dated d + offset against B's dated d), over their overlap or --from/--to.
    #[arg(long, conflicts_with_all = ["on", "by", "geojson", "places"])]
    lag: bool,
    /// With --lag: the smallest offset tried, days.
    #[arg(long, default_value_t = -3, allow_hyphen_values = true)]
    min_offset: i64,
    /// With --lag: the largest offset tried, days.
    #[arg(long, default_value_t = 5, allow_hyphen_values = true)]
    max_offset: i64,
}

pub fn run(ctx: &Context, args: Args) -> Result<ExitCode> {
    let class = ControlClass::from(args.class);
    if args.max_days_apart < 0 {
        bail!("--max-days-apart must be 0 or more days");
    }
    let store = ctx.store()?;
    let pad_days = args.max_days_apart.max(args.max_offset.abs()).max(args.min_offset.abs()) + 1;
    // Load only what the dates can reach (with room for the nearest snapshot).
    let loaded = compare_load(&store, &args.a, &args.b, class, args.on, args.from, args.to, pad_days)?;
    let (a_source, b_source) = (loaded.a_source.clone(), loaded.b_source.clone());
    let (a_snaps, b_snaps) = (&loaded.a_snaps, &loaded.b_snaps);
    let reference = ctx.reference(&args.reference)?;

    if args.lag {
        if args.min_offset > args.max_offset {
            bail!("--min-offset {} is above --max-offset {}", args.min_offset, args.max_offset);
        }
        let in_range = |s: &&Snapshot| args.from.is_none_or(|f| s.date() >= f) && args.to.is_none_or(|t| s.date() <= t);
        let b_range: Vec<Snapshot> = b_snaps.iter().filter(in_range).cloned().collect();
        let lag = find_lag(a_snaps, &b_range, class, &reference, args.min_offset..=args.max_offset)?;
        let mut t = Table::new(vec!["offset_days", "mean_symmetric_difference_km2", "dates_where_best"], &lag.offsets, |o| {
            vec![o.offset_days.to_string(), num(Some(o.mean_symmetric_difference_km2), 3), o.votes.to_string()]
        })
        .title(format!(
            "How many days {a_source} runs behind {b_source}: {a_source}'s map dated d + offset against {b_source}'s dated d, {class}, within {}",
            reference.name
        ))
        .note(format!(
            "best offset: {:+} day(s) over {} dates ({} to {}); the best offset is also the day's own best on {} of them",
            lag.best_offset_days,
            lag.dates_compared,
            lag.per_date.first().map(|p| p.date.to_string()).unwrap_or_default(),
            lag.per_date.last().map(|p| p.date.to_string()).unwrap_or_default(),
            lag.votes_for_best,
        ));
        if let (Some(second), Some(m), Some(p)) = (lag.second_offset_days, lag.margin_km2, lag.margin_pct) {
            t = t.note(format!(
                "runner-up {second:+} day(s): {m:.1} km² more disagreement on average ({p:.0} % above the best)"
            ));
        }
        if let Some(r) = lag.refined_offset_days {
            t = t.note(format!(
                "sub-day estimate (parabola through the best day and its neighbours): {r:+.2} days; files are dated by day, so the method resolves ±0.5 day"
            ));
        }
        t.json = serde_json::to_value(&lag)?;
        t.print(ctx.format)?;
        return Ok(ExitCode::SUCCESS);
    }

    let pairing = match args.on {
        Some(d) => Pairing::On(d),
        None => Pairing::Range { from: args.from, to: args.to, max_days_apart: args.max_days_apart },
    };
    let compared = compare_pairs(&loaded, class, &reference, pairing)?;
    let pairs: Vec<(usize, usize)> = compared.iter().map(|(i, j, _, _)| (*i, *j)).collect();
    let results: Vec<_> = compared.into_iter().map(|(_, _, r, g)| (r, g)).collect();

    if let Some(path) = &args.geojson {
        let features = results.iter().flat_map(|(row, geom)| {
            [
                (format!("{} only", row.a_source), &geom.a_only, row.a_only_km2),
                (format!("{} only", row.b_source), &geom.b_only, row.b_only_km2),
            ]
            .into_iter()
            .filter(|(_, mp, _)| !mp.0.is_empty())
            .map(|(side, mp, area)| {
                let properties = serde_json::json!({"counted_by": side, "class": class, "a_source": row.a_source,
                               "a_date": row.a_date, "b_source": row.b_source, "b_date": row.b_date,
                               "area_km2": area, "reference": reference.name});
                (properties, mp)
            })
        });
        let written = write_geojson_file(path, features)?;
        eprintln!("wrote {written} disagreement feature(s) to {}", path.display());
    }

    let legend = format!("A = {a_source}, B = {b_source}; both clipped to {}", reference.name);
    let gray_notes = |t: Table| -> Table {
        let mut t = t;
        for (name, snaps) in [(&a_source, &a_snaps), (&b_source, &b_snaps)] {
            if snaps.iter().any(|s| s.layer(ControlClass::Gray).is_some()) {
                t = t.note(format!("gray layer of {name}: {}", gray_layer_meaning(name)));
            }
        }
        t
    };

    if let Some(by) = &args.by {
        let rows: Vec<_> = if by == "sector" || by == "sectors" {
            let sectors = Sectors::default_towns();
            results
                .iter()
                .zip(&pairs)
                .flat_map(|((_, g), (i, j))| by_sector(&a_snaps[*i], &b_snaps[*j], g, &sectors))
                .collect()
        } else {
            // The same outlines as `area --by` and `change --by` (for oblasts:
            // with their territorial sea, whose union is the default reference).
            let regions = super::area::region_set(ctx, by, None)?.regions;
            results
                .iter()
                .zip(&pairs)
                .flat_map(|((_, g), (i, j))| by_region(&a_snaps[*i], &b_snaps[*j], class, g, &regions))
                .collect()
        };
        let t = Table::new(
            vec!["a_date", "b_date", "part", "a_km2", "b_km2", "a_only_km2", "b_only_km2", "symmetric_difference_km2"],
            &rows,
            |r| {
                vec![
                    r.a_date.to_string(),
                    r.b_date.to_string(),
                    r.part.clone(),
                    num(r.a_km2, 3),
                    num(r.b_km2, 3),
                    num(Some(r.a_only_km2), 3),
                    num(Some(r.b_only_km2), 3),
                    num(Some(r.symmetric_difference_km2), 3),
                ]
            },
        )
        .title(format!("{class} by {by}: {legend}"));
        let t = if by.starts_with("sector") {
            t.note("sectors: each disagreement polygon is counted whole in the sector of the nearest direction town to its interior point")
        } else {
            t
        };
        gray_notes(t).print(ctx.format)?;
        return Ok(ExitCode::SUCCESS);
    }

    let rows: Vec<_> = results.into_iter().map(|(r, _)| r).collect();
    let t = Table::new(
        vec![
            "a_date",
            "b_date",
            "a_km2",
            "b_km2",
            "both_km2",
            "a_only_km2",
            "b_only_km2",
            "symmetric_difference_km2",
            "disagreement_pct",
            "a_only_in_b_gray_km2",
            "b_only_in_a_gray_km2",
        ],
        &rows,
        |r| {
            vec![
                r.a_date.to_string(),
                r.b_date.to_string(),
                num(Some(r.a_km2), 3),
                num(Some(r.b_km2), 3),
                num(Some(r.both_km2), 3),
                num(Some(r.a_only_km2), 3),
                num(Some(r.b_only_km2), 3),
                num(Some(r.symmetric_difference_km2), 3),
                num(Some(r.disagreement_pct), 2),
                num(r.a_only_in_b_gray_km2, 3),
                num(r.b_only_in_a_gray_km2, 3),
            ]
        },
    )
    .title(format!("{class}: {legend}; a_date/b_date = the snapshots actually compared"))
    .note("a_only = counted by A and not by B; symmetric_difference = a_only + b_only; disagreement_pct = symmetric difference / (A ∪ B)")
    .note("a_only_in_b_gray = the part of A only that B draws as its gray layer (empty when B has none)");
    gray_notes(t).print(ctx.format)?;
    if args.places {
        let (store, writable) = ctx.store_for_cache()?;
        let gazetteer = frontline::places::stored::gazetteer(
            &store,
            &frontline::places::GazetteerSources::shared(&ctx.data_dir()?),
            writable,
        )?;
        for (i, j) in &pairs {
            let (a, b) = (&a_snaps[*i], &b_snaps[*j]);
            let diffs = status_differences(&gazetteer, a, b)?;
            Table::new(
                vec!["name", "oblast", "population", "a_status", "b_status", "a_occupied_pct", "b_occupied_pct"],
                &diffs,
                |d| {
                    vec![
                        d.name.clone(),
                        d.oblast.clone(),
                        d.population.to_string(),
                        format!("{:?}", d.a_status).to_lowercase(),
                        format!("{:?}", d.b_status).to_lowercase(),
                        num(Some(d.a_occupied_pct), 1),
                        num(Some(d.b_occupied_pct), 1),
                    ]
                },
            )
            .title(format!(
                "Settlements whose status differs: A = {a_source} on {}, B = {b_source} on {} ({} of them, biggest first)",
                a.date(),
                b.date(),
                diffs.len()
            ))
            .note("status: held (occupied < 5 % and gray < 5 % of the footprint), occupied (≥ 95 %), contested otherwise")
            .print(ctx.format)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
