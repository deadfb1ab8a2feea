//! `frontline check`: sentences (or a CSV, YAML or TOML file of claims) in, verdicts with evidence out.

use crate::context::{parse_date, Context};
use crate::output::{num, OutputFormat, Table};
use anyhow::{bail, Context as _, Result};
use chrono::NaiveDate;
use frontline::claims::check::{claims_from, CheckOptions, Checked, Checker, Verdict};
use frontline::SourceId;
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

/// Bigger inputs are not articles: refuse them rather than read a disk image.
const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

#[derive(clap::Args)]
pub struct Args {
    /// A text file (English or Ukrainian sentences, a paragraph or a whole article), a file of claims
    /// (.csv with the header kind,subject,value,unit,qualifier,date,from,side; .yaml/.yml or .toml with the
    /// same fields, and period instead of from and date), or - for standard input (text or CSV).
    input: PathBuf,
    /// The article's date: claims whose sentence names no date are checked at it (never at today's map).
    #[arg(long, value_parser = parse_date)]
    as_of: Option<NaiveDate>,
    /// Dates within ± this many days of a claim's date are tried as an alternative convention.
    #[arg(long, default_value_t = 7)]
    window_days: i64,
    /// Measure the default with this source (default: the first of deepstate-daily, deepstate,
    /// deepstate-raw, deepstate-archive, isw with a snapshot near the date).
    #[arg(long)]
    source: Option<String>,
    /// Denominator of "share of Ukraine", km².
    #[arg(long, default_value_t = frontline::area::UKRAINE_OFFICIAL_KM2)]
    country_km2: f64,
}

fn read_input(path: &PathBuf) -> Result<String> {
    let mut bytes = vec![];
    if path.as_os_str() == "-" {
        std::io::stdin().take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes).context("reading standard input")?;
    } else {
        let meta = std::fs::metadata(path).with_context(|| format!("{}: cannot read", path.display()))?;
        if !meta.is_file() {
            bail!(
                "{}: not a regular file; give a text, CSV, YAML or TOML file, or - for standard input",
                path.display()
            );
        }
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes))
            .with_context(|| format!("{}: cannot read", path.display()))?;
    }
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        bail!("{}: larger than 16 MiB; split the text into articles", path.display());
    }
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!("{}: not UTF-8 text (byte {}); save it as UTF-8", path.display(), e.utf8_error().valid_up_to())
    })
}

pub fn run(ctx: &Context, a: Args) -> Result<ExitCode> {
    if !(0..=60).contains(&a.window_days) {
        bail!("--window-days must be between 0 and 60, got {}", a.window_days);
    }
    if !(a.country_km2.is_finite() && a.country_km2 > 0.0) {
        bail!("--country-km2 must be a positive number of km², got {}", a.country_km2);
    }
    let text = read_input(&a.input)?;
    // Writable when possible, so a gazetteer built once is kept for the next check.
    let (store, writable_cache) = ctx.store_for_cache()?;
    let opts = CheckOptions {
        window_days: a.window_days,
        country_km2: a.country_km2,
        source: a.source.map(SourceId::new),
        writable_cache,
    };
    let checker = Checker::new(&store, ctx.data_dir()?, opts)?;
    let extraction = claims_from(&text, &a.input, a.as_of, &checker)?;
    let checked = checker.check_all(&extraction.claims);
    match ctx.format {
        OutputFormat::Json => {
            let v = serde_json::json!({
                "sentences": extraction.sentences,
                "skipped_sentences": extraction.skipped,
                "as_of": a.as_of,
                "claims": checked,
            });
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        OutputFormat::Csv => {
            Table::new(
                vec![
                    "sentence",
                    "kind",
                    "claim",
                    "date",
                    "verdict",
                    "only_under",
                    "measured",
                    "unit",
                    "band_low",
                    "band_high",
                    "evidence_dates",
                    "source",
                    "quote",
                ],
                &checked,
                |c| {
                    vec![
                        c.claim.sentence.to_string(),
                        c.claim.kind.name().into(),
                        claim_words(c),
                        c.claim.date.map(|d| d.to_string()).unwrap_or_default(),
                        c.verdict.words().into(),
                        c.only_under.join("; "),
                        num(c.measured, 3),
                        c.unit.clone(),
                        num(c.band.map(|b| b.0), 3),
                        num(c.band.map(|b| b.1), 3),
                        c.evidence.first().map(|t| dates(&t.dates)).unwrap_or_default(),
                        c.evidence.first().map(|t| t.source.clone()).unwrap_or_default(),
                        c.claim.quote.clone(),
                    ]
                },
            )
            .print(ctx.format)?;
        }
        OutputFormat::Table => print_report(&checked, extraction.sentences, extraction.skipped),
    }
    Ok(ExitCode::SUCCESS)
}

fn dates(d: &[NaiveDate]) -> String {
    d.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(" → ")
}

/// "captured Velyka Novosilka", "almost a fifth (country, Russia)".
fn claim_words(c: &Checked) -> String {
    use frontline::claims::ClaimKind;
    let side = match c.claim.side {
        frontline::claims::Side::Russia => "Russia",
        frontline::claims::Side::Ukraine => "Ukraine",
    };
    let amount = c.claim.amount.as_ref().map(|a| a.text.clone()).unwrap_or_default();
    match &c.claim.kind {
        ClaimKind::Country => format!("{side} holds {amount} of Ukraine"),
        ClaimKind::Region { name, .. } => format!("{side} holds {amount} of {name}"),
        ClaimKind::Town { place, event } => format!("{place} {}", event.as_str()),
        ClaimKind::Gained => format!(
            "{side} gained {amount}{}",
            match (c.claim.from, c.claim.date) {
                (Some(f), Some(t)) => format!(" from {f} to {t}"),
                _ => String::new(),
            }
        ),
        ClaimKind::Corridor { place } => format!("the way out of {place} is {amount} wide"),
        ClaimKind::FrontLength => format!("the frontline is {amount} long"),
    }
}

/// A Markdown report: readable in a terminal, renders as a page.
fn print_report(checked: &[Checked], sentences: usize, skipped: usize) {
    println!("# Claims checked\n");
    println!(
        "{} claims in {sentences} sentences; {skipped} sentences hold nothing checkable and were skipped.\n",
        checked.len()
    );
    let count = |v: Verdict| checked.iter().filter(|c| c.verdict == v).count();
    println!(
        "consistent: {}, consistent only under a named convention: {}, not consistent: {}, no date: {}, cannot check: {}\n",
        count(Verdict::Consistent),
        count(Verdict::ConsistentOnlyUnder),
        count(Verdict::NotConsistent),
        count(Verdict::NoDate),
        count(Verdict::CannotCheck)
    );
    for (i, c) in checked.iter().enumerate() {
        println!("## {}. {} — {}\n", i + 1, claim_words(c), c.verdict.words().to_uppercase());
        println!("> {}\n", c.claim.quote);
        match (c.claim.date, c.claim.date_from) {
            (Some(d), frontline::claims::DateFrom::Claim) => println!("- date: {d} (from the sentence)"),
            (Some(d), frontline::claims::DateFrom::AsOf) => println!("- date: {d} (the article's date, --as-of)"),
            (Some(d), frontline::claims::DateFrom::None) => println!("- date: {d}"),
            (None, _) => println!("- date: none in the sentence, and no --as-of given"),
        }
        if let Some(p) = &c.place {
            println!("- settlement: {} ({}), {:.4}, {:.4}", p.name, p.oblast, p.lon, p.lat);
        }
        if !c.rule.is_empty() {
            println!("- what the claim allows: {}", c.rule);
        }
        if let (Some(m), Some((lo, hi))) = (c.measured, c.band) {
            println!(
                "- measured: {} {} (allowed {} to {})",
                num(Some(m), 2),
                c.unit,
                num(Some(lo), 2),
                num(Some(hi), 2)
            );
        }
        if !c.only_under.is_empty() {
            println!("- holds only under: {}", c.only_under.join("; "));
        }
        if let Some(n) = &c.note {
            println!("- note: {n}");
        }
        if let Some(l) = &c.map_link {
            println!("- on the map: {l}");
        }
        if !c.evidence.is_empty() {
            println!("\n| convention | source | snapshots | value | holds |\n|---|---|---|---|---|");
            for t in &c.evidence {
                println!(
                    "| {} | {} | {} | {} | {} |",
                    t.convention,
                    t.source,
                    dates(&t.dates),
                    num(t.value, 2),
                    if t.holds { "yes" } else { "no" }
                );
            }
        }
        println!();
    }
}
