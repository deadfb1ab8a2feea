//! `frontline check` on a whole article: a 2,000-word English review of
//! 2025 (`tests/data/check_article_en.txt`: the corpus's published
//! sentences among ordinary prose, about thirty checkable claims of every
//! kind) against a built store, as the command runs it: open the store
//! read-only, load the gazetteer, extract the claims, check each one with
//! its alternatives. Prints the time of each phase, the words per second
//! and the slowest claims.
//!
//!     CHECK_DB=/path/to/store.db cargo bench -p frontline --bench check
//!
//! `CHECK_DB` is a store holding DeepState's maps (daily, raw, archive;
//! ISW too if wanted) in which `frontline check` or `frontline places` has
//! run once, so that the gazetteer is stored (a "built store"); the store
//! is only read. `CHECK_AS_OF` overrides the article's date (2026-01-01)
//! and `CHECK_ARTICLE` the article. `CHECK_BUILD_STORE=1` first builds the
//! store (untimed, writing to it): the daily maps' area series kept as
//! `frontline serve` keeps them on its first start, and what a first
//! `frontline check` on a writable store keeps (the gazetteer, the
//! boundaries parsed and measured: [`frontline::claims::kept`]).

use chrono::NaiveDate;
use frontline::claims::check::{CheckOptions, Checker};
use frontline::claims::text::extract;
use frontline::store::Store;
use std::path::PathBuf;
use std::time::Instant;

fn shared() -> PathBuf {
    match std::env::var_os("FRONTLINE_SHARED") {
        Some(s) => PathBuf::from(s),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    }
}

fn main() {
    let Some(db) = std::env::var_os("CHECK_DB").map(PathBuf::from) else {
        eprintln!("set CHECK_DB to a built store (DeepState maps ingested, gazetteer stored); nothing measured");
        return;
    };
    let article = std::env::var_os("CHECK_ARTICLE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/check_article_en.txt"));
    let as_of = std::env::var("CHECK_AS_OF")
        .ok()
        .and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
        .or(NaiveDate::from_ymd_opt(2026, 1, 1));
    let text = std::fs::read_to_string(&article).expect("the article");
    let words = text.split_whitespace().count();
    let data = shared().join("data");

    if std::env::var_os("CHECK_BUILD_STORE").is_some() {
        build_store(&db, &data, &text, as_of);
    }

    let t0 = Instant::now();
    let store = Store::open_read_only(&db).expect("store");
    let checker = Checker::new(&store, data, CheckOptions::default()).expect("checker");
    let places = checker.place_names().expect("gazetteer");
    let t_open = t0.elapsed();
    let extraction = extract(&text, as_of, places);
    let t_extract = t0.elapsed();
    let mut per_claim = vec![];
    let mut checked = vec![];
    for c in &extraction.claims {
        let t = Instant::now();
        checked.push(checker.check(c));
        per_claim.push((t.elapsed(), c));
    }
    let total = t0.elapsed();

    println!(
        "check: {} ({words} words, {} sentences, {} claims, {} skipped), as of {}",
        article.display(),
        extraction.sentences,
        extraction.claims.len(),
        extraction.skipped,
        as_of.map(|d| d.to_string()).unwrap_or_default()
    );
    println!("  open the store and load the gazetteer: {:>7.3} s", t_open.as_secs_f64());
    println!("  extract the claims:                    {:>7.3} s", (t_extract - t_open).as_secs_f64());
    println!("  check them (with alternatives):        {:>7.3} s", (total - t_extract).as_secs_f64());
    println!(
        "  total:                                 {:>7.3} s = {:.0} words/s",
        total.as_secs_f64(),
        words as f64 / total.as_secs_f64()
    );
    // On a shared machine the wall time counts other people's work too.
    if let Some(cpu) = process_cpu_s() {
        println!("  processor time of this process:        {cpu:>7.3} s (user + system, all threads)");
    }
    let mut verdicts: std::collections::BTreeMap<&str, usize> = Default::default();
    for c in &checked {
        *verdicts.entry(c.verdict.words()).or_default() += 1;
    }
    println!("  verdicts: {verdicts:?}");
    per_claim.sort_by_key(|b| std::cmp::Reverse(b.0));
    println!("  slowest claims:");
    for (t, c) in per_claim.iter().take(8) {
        let quote: String = c.quote.chars().take(70).collect();
        println!("    {:>7.3} s  {:<12} {}", t.as_secs_f64(), c.kind.name(), quote);
    }
}

/// Builds the store (not timed: it is done once): the daily maps' area
/// series within both references, as `frontline serve` keeps them on its
/// first start, then one writable check of the article, which keeps the
/// gazetteer and the boundaries.
fn build_store(db: &std::path::Path, data: &std::path::Path, text: &str, as_of: Option<NaiveDate>) {
    use frontline::area_stored::{keep_area_series, load_area_series, AreaSeries};
    use frontline::regions::{load_reference, Reference};
    let store = Store::open(db).expect("a writable store");
    let source = frontline::model::SourceId::new(frontline::model::SourceId::DEEPSTATE_DAILY);
    let country_km2 = frontline::area::UKRAINE_OFFICIAL_KM2;
    for reference in [Reference::WithSea, Reference::Land] {
        if load_area_series(&store, &source, &reference, data, country_km2).expect("read").is_some() {
            continue;
        }
        let territory = load_reference(&reference, data).expect("reference");
        let snapshots = store.load_range(&source, None, None).expect("snapshots");
        let rows = frontline::area::area_rows(&snapshots, &territory, country_km2);
        let series =
            AreaSeries { reference: territory.name.clone(), reference_km2: territory.area_m2 / 1e6, country_km2, rows };
        keep_area_series(&store, &source, &reference, data, &series).expect("kept");
        println!("kept the {} area series of {source} ({} maps)", territory.name, snapshots.len());
    }
    let opts = CheckOptions { writable_cache: true, ..CheckOptions::default() };
    let checker = Checker::new(&store, data.to_path_buf(), opts).expect("checker");
    let claims = extract(text, as_of, checker.place_names().expect("gazetteer")).claims;
    checker.check_all(&claims);
    println!("checked the article once on the writable store, keeping the gazetteer and the boundaries");
}

/// User + system time of this process so far (Linux `/proc/self/stat`), seconds.
fn process_cpu_s() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name in parentheses: utime and stime are the 14th and 15th.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    // USER_HZ is 100 on every Linux this runs on.
    Some(ticks / 100.0)
}
