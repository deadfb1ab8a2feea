//! `frontline sync deepstate`: fetch the maps the store lacks from the
//! publishers and ingest each one as `frontline ingest` would (validation,
//! repair, one transaction, content hash).
//!
//! The HTTP side is here (the engine never touches the network); what the
//! publishers' listings look like and which responses are refused is
//! `frontline::feed`.

use crate::context::{parse_duration, Context};
use anyhow::{bail, Result};
use chrono::{DateTime, NaiveDate, Utc};
use frontline::audit::{audit_series, AuditRules};
use frontline::feed::{self, check_successor, Feed, SuccessorRules};
use frontline::ingest::{ingest_bytes, IngestContext};
use frontline::regions::{load_reference, Reference};
use frontline::store::{content_hash, PutOutcome, Store};
use frontline::{ControlClass, SourceId};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// DeepStateMap's list of every published map.
pub const DEFAULT_HISTORY_URL: &str = "https://deepstatemap.live/api/history/public";
/// One published map as GeoJSON (`{id}` is the map's id).
pub const DEFAULT_MAP_URL: &str = "https://deepstatemap.live/api/history/{id}/geojson";
/// The daily export's file listing (a git tree).
pub const DEFAULT_DAILY_INDEX_URL: &str =
    "https://api.github.com/repos/cyterat/deepstate-map-data/git/trees/main?recursive=1";
/// One file of the daily export (`{path}` is its path in the repository).
pub const DEFAULT_DAILY_FILE_URL: &str = "https://raw.githubusercontent.com/cyterat/deepstate-map-data/main/{path}";

#[derive(clap::Args)]
pub struct Args {
    /// The publisher to sync: deepstate (DeepStateMap).
    #[arg(value_parser = ["deepstate"])]
    publisher: String,
    #[command(flatten)]
    pub options: SyncOptions,
}

/// Where and how to fetch (shared with `serve --sync-every`).
#[derive(clap::Args, Debug, Clone)]
pub struct SyncOptions {
    /// Feeds to read, comma-separated: history (DeepStateMap's API: every
    /// map with every layer, stored as deepstate-raw) and daily (the GitHub
    /// export: occupied only, stored as deepstate-daily).
    #[arg(long, value_delimiter = ',', default_value = "history,daily", env = "FRONTLINE_SYNC_FEEDS")]
    pub feeds: Vec<String>,
    /// The history API's list of maps.
    #[arg(long, env = "FRONTLINE_DEEPSTATE_HISTORY_URL", default_value = DEFAULT_HISTORY_URL)]
    pub history_url: String,
    /// One map of the history API; {id} is replaced by the map's id.
    #[arg(long, env = "FRONTLINE_DEEPSTATE_MAP_URL", default_value = DEFAULT_MAP_URL)]
    pub map_url: String,
    /// The daily export's listing (a GitHub git tree or contents array).
    #[arg(long, env = "FRONTLINE_DAILY_INDEX_URL", default_value = DEFAULT_DAILY_INDEX_URL)]
    pub daily_index_url: String,
    /// One file of the daily export; {path} is replaced by its path in the listing.
    #[arg(long, env = "FRONTLINE_DAILY_FILE_URL", default_value = DEFAULT_DAILY_FILE_URL)]
    pub daily_file_url: String,
    /// Only maps published on or after this date (YYYY-MM-DD).
    #[arg(long, value_parser = crate::context::parse_date)]
    pub since: Option<NaiveDate>,
    /// Pause between two requests to a publisher (a polite rate limit).
    #[arg(long, default_value = "1s", value_parser = parse_duration)]
    pub delay: Duration,
    /// Tries per request when it times out or the publisher answers 429 or 5xx.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub attempts: u32,
    /// Wait before the first retry, doubled at each one (a longer
    /// Retry-After from the publisher wins, up to 5 minutes).
    #[arg(long, default_value = "2s", value_parser = parse_duration)]
    pub backoff: Duration,
    /// Give up on one request after this long.
    #[arg(long, default_value = "120s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Store a map even when it has far fewer polygons or a far different
    /// occupied area than the map before it (refused by default as a
    /// partial response).
    #[arg(long)]
    pub allow_shrink: bool,
}

/// The longest a publisher's Retry-After is honoured.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// The User-Agent of every request: who is asking, and where to read why.
fn user_agent() -> String {
    format!("frontline/{} (map measurement; https://github.com/frontline-maps/frontline)", env!("CARGO_PKG_VERSION"))
}

/// What one sync did.
#[derive(Debug, Default, serde::Serialize)]
pub struct SyncReport {
    /// Maps written, as `source instant (url)`.
    pub stored: Vec<String>,
    /// Maps listed that the store already had.
    pub already_stored: usize,
    /// Feeds whose listing had not changed since the last complete sync (HTTP 304).
    pub unchanged_listings: Vec<String>,
    /// HTTP requests made (retries included).
    pub requests: usize,
    /// Maps downloaded (a retried download counts once).
    pub map_downloads: usize,
    /// One line per map or listing that failed.
    pub failures: Vec<String>,
    /// Warnings of `audit` on the maps that came in.
    pub audit: Vec<String>,
    /// Repair and skip warnings of ingest.
    pub warnings: Vec<String>,
}

/// An HTTP response as sync needs it.
enum Fetched {
    Body { bytes: Vec<u8>, content_type: Option<String>, etag: Option<String>, last_modified: Option<String> },
    NotModified,
}

/// A blocking client with timeouts, retries, backoff and a pause between requests.
struct Client {
    agent: ureq::Agent,
    options: SyncOptions,
    last_request: Option<Instant>,
    requests: usize,
}

impl Client {
    fn new(options: &SyncOptions) -> Client {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(options.timeout))
            .timeout_connect(Some(options.timeout.min(Duration::from_secs(30))))
            .user_agent(user_agent())
            .http_status_as_error(false)
            .max_redirects(5)
            .build();
        Client {
            agent: ureq::Agent::new_with_config(config),
            options: options.clone(),
            last_request: None,
            requests: 0,
        }
    }

    fn pause(&mut self, at_least: Duration) {
        if let Some(last) = self.last_request {
            let since = last.elapsed();
            if since < at_least {
                std::thread::sleep(at_least - since);
            }
        }
    }

    /// GETs `url`, conditionally when `validators` (ETag, Last-Modified) are
    /// given; retries timeouts, connection errors, cut bodies, 429 and 5xx.
    fn get(&mut self, url: &str, validators: (Option<&str>, Option<&str>)) -> Result<Fetched, String> {
        let mut wait = self.options.backoff;
        let mut last_problem = String::new();
        for attempt in 1..=self.options.attempts {
            self.pause(self.options.delay);
            self.requests += 1;
            self.last_request = Some(Instant::now());
            let mut req =
                self.agent.get(url).header("Accept", "application/json, application/geo+json;q=0.9, */*;q=0.1");
            if let Some(etag) = validators.0 {
                req = req.header("If-None-Match", etag);
            }
            if let Some(lm) = validators.1 {
                req = req.header("If-Modified-Since", lm);
            }
            let mut retry_after = None;
            match req.call() {
                Err(e) => last_problem = format!("no answer ({e})"),
                Ok(mut resp) => {
                    let status = resp.status().as_u16();
                    let header =
                        |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
                    match status {
                        304 => return Ok(Fetched::NotModified),
                        200..=299 => {
                            let (content_type, etag, last_modified) =
                                (header("content-type"), header("etag"), header("last-modified"));
                            match resp.body_mut().with_config().limit(frontline::geojson::MAX_FILE_BYTES).read_to_vec()
                            {
                                Ok(bytes) => return Ok(Fetched::Body { bytes, content_type, etag, last_modified }),
                                Err(e) => last_problem = format!("the response was cut off ({e})"),
                            }
                        }
                        429 | 500..=599 => {
                            retry_after = header("retry-after")
                                .and_then(|v| v.trim().parse::<u64>().ok())
                                .map(Duration::from_secs);
                            last_problem = format!(
                                "HTTP {status}{}",
                                if status == 429 {
                                    " (too many requests: the publisher is rate-limiting)"
                                } else {
                                    " (the publisher's server failed)"
                                }
                            );
                        }
                        404 => return Err("HTTP 404: not found at the publisher (moved? check the URL flags)".into()),
                        _ => return Err(format!("HTTP {status}: refused by the publisher")),
                    }
                }
            }
            if attempt < self.options.attempts {
                let w = retry_after.map_or(wait, |r| r.max(wait)).min(MAX_RETRY_AFTER);
                std::thread::sleep(w);
                wait = wait.saturating_mul(2);
            }
        }
        Err(format!("{last_problem}, after {} attempt(s); run sync again later", self.options.attempts))
    }
}

/// Where `frontline sync` prints progress.
pub enum Progress {
    /// A bar on a terminal, else one line per stored map.
    Stderr,
    /// One line per stored map, prefixed (for `serve --sync-every`).
    Lines(&'static str),
}

/// Syncs every feed in `options` into the store at `db`.
pub fn sync(db: &Path, data_dir: &Path, options: &SyncOptions, progress: Progress) -> Result<SyncReport> {
    for f in &options.feeds {
        if !matches!(f.as_str(), "history" | "daily") {
            bail!("--feeds {f}: use history, daily or history,daily");
        }
    }
    let territory = Some(Arc::new(load_reference(&Reference::WithSea, data_dir)?));
    let ictx = IngestContext { territory };
    let mut store = Store::open(db)?;
    let mut client = Client::new(options);
    let mut report = SyncReport::default();
    let mut new_by_source: Vec<(SourceId, Vec<NaiveDate>)> = vec![];
    for feed_name in &options.feeds {
        let feed = if feed_name == "history" { Feed::History } else { Feed::Daily };
        let listing_url = match feed {
            Feed::History => options.history_url.clone(),
            Feed::Daily => options.daily_index_url.clone(),
        };
        let source = feed.format().source();
        // (label, url, instant, id or name)
        let wanted = match list(&mut client, &store, feed, &listing_url, options, &mut report) {
            Ok(Some(w)) => w,
            Ok(None) => continue,
            Err(problem) => {
                report.failures.push(format!("{feed_name} listing {listing_url}: {problem}"));
                continue;
            }
        };
        let stored: BTreeSet<i64> = stored_times(&store, &source)?;
        let (todo, had): (Vec<_>, Vec<_>) = wanted.0.into_iter().partition(|w| !stored.contains(&w.2.timestamp()));
        report.already_stored += had.len();
        let bar = bar(todo.len() as u64, feed_name, &progress);
        let failures_before = report.failures.len();
        let mut dates = vec![];
        for (label, url, taken_at, name) in todo {
            report.map_downloads += 1;
            let result = fetch_one(&mut client, &mut store, &ictx, feed, &url, &name, taken_at, options, &mut report);
            bar.inc(1);
            match result {
                Ok(true) => {
                    let line = format!("{source} {} ({url})", taken_at.format("%Y-%m-%d %H:%M UTC"));
                    match &progress {
                        Progress::Stderr if bar.is_hidden() => eprintln!("stored {line}"),
                        Progress::Stderr => bar.println(format!("stored {line}")),
                        Progress::Lines(prefix) => eprintln!("{prefix}stored {line}"),
                    }
                    report.stored.push(line);
                    dates.push(taken_at.date_naive());
                }
                Ok(false) => report.already_stored += 1,
                Err(problem) => report.failures.push(format!("{label} {url}: {problem}")),
            }
        }
        bar.finish_and_clear();
        if !dates.is_empty() {
            new_by_source.push((source.clone(), dates));
        }
        // Keep the listing's validators only when every map it lists is
        // stored: a 304 next time must never hide a map that failed.
        if report.failures.len() == failures_before {
            if let Some((etag, last_modified)) = wanted.1 {
                store.set_sync_state(&format!("etag:{listing_url}"), etag.as_deref())?;
                store.set_sync_state(&format!("last-modified:{listing_url}"), last_modified.as_deref())?;
            }
        }
    }
    report.requests = client.requests;
    // `audit` on what came in: its warnings on the new dates.
    for (source, dates) in new_by_source {
        let snaps = store.load_range(&source, None, None)?;
        let audit = audit_series(&snaps, ControlClass::Occupied, AuditRules::default());
        for f in &audit.findings {
            if f.kind.is_warning() && f.date.is_some_and(|d| dates.contains(&d)) {
                report.audit.push(format!(
                    "{source} {}: {}: {}",
                    f.date.map(|d| d.to_string()).unwrap_or_default(),
                    f.kind.label(),
                    f.detail
                ));
            }
        }
    }
    Ok(report)
}

type Wanted = (Vec<(&'static str, String, DateTime<Utc>, String)>, Option<(Option<String>, Option<String>)>);

/// The maps a feed lists (with the listing's validators), or `None` when
/// the listing has not changed since the last complete sync.
fn list(
    client: &mut Client,
    store: &Store,
    feed: Feed,
    url: &str,
    options: &SyncOptions,
    report: &mut SyncReport,
) -> Result<Option<Wanted>, String> {
    let state = |k: &str| store.sync_state(&format!("{k}:{url}")).ok().flatten();
    let (etag, last_modified) = (state("etag"), state("last-modified"));
    let (bytes, content_type, validators) = match client.get(url, (etag.as_deref(), last_modified.as_deref()))? {
        Fetched::NotModified => {
            report.unchanged_listings.push(url.to_string());
            return Ok(None);
        }
        Fetched::Body { bytes, content_type, etag, last_modified } => (bytes, content_type, (etag, last_modified)),
    };
    feed::check_body(&bytes, content_type.as_deref())?;
    let since = options.since.unwrap_or(NaiveDate::MIN);
    let wanted = match feed {
        Feed::History => feed::parse_history_list(&bytes)?
            .into_iter()
            .filter(|e| e.taken_at.date_naive() >= since)
            .map(|e| ("map", options.map_url.replace("{id}", &e.id.to_string()), e.taken_at, e.id.to_string()))
            .collect(),
        Feed::Daily => feed::parse_daily_index(&bytes)?
            .into_iter()
            .filter(|e| e.date >= since)
            .map(|e| {
                let name = e.path.rsplit('/').next().unwrap_or(&e.path).to_string();
                (
                    "daily file",
                    options.daily_file_url.replace("{path}", &e.path),
                    frontline::ingest::deepstate_daily::taken_at(e.date),
                    name,
                )
            })
            .collect(),
    };
    Ok(Some((wanted, Some(validators))))
}

fn stored_times(store: &Store, source: &SourceId) -> Result<BTreeSet<i64>> {
    if !store.sources()?.iter().any(|s| &s.source == source) {
        return Ok(BTreeSet::new());
    }
    Ok(store.snapshot_times(source)?.into_iter().map(|t| t.timestamp()).collect())
}

/// Downloads, checks, ingests and stores one map: `Ok(true)` when written,
/// `Ok(false)` when the store already had this content.
#[allow(clippy::too_many_arguments)]
fn fetch_one(
    client: &mut Client,
    store: &mut Store,
    ictx: &IngestContext,
    feed: Feed,
    url: &str,
    name: &str,
    taken_at: DateTime<Utc>,
    options: &SyncOptions,
    report: &mut SyncReport,
) -> Result<bool, String> {
    let (bytes, content_type) = match client.get(url, (None, None))? {
        Fetched::Body { bytes, content_type, .. } => (bytes, content_type),
        Fetched::NotModified => return Err("HTTP 304 to an unconditional request".into()),
    };
    feed::check_body(&bytes, content_type.as_deref())?;
    let hash = content_hash(&bytes);
    if store.has_file(&hash).map_err(|e| e.to_string())? {
        return Ok(false);
    }
    let path = feed::ingest_name(feed, url, name);
    let fi = ingest_bytes(&path, &bytes, &feed.format(), ictx).map_err(|e| {
        // The engine's error starts with the path, which is the URL given above.
        let text = e.to_string();
        text.strip_prefix(&format!("{}: ", path.display())).map(str::to_string).unwrap_or(text)
    })?;
    if fi.snapshot.taken_at != taken_at {
        return Err(format!("the map is dated {} but the listing says {}", fi.snapshot.taken_at, taken_at));
    }
    if !options.allow_shrink {
        if let Some(previous) = previous_snapshot(store, &fi.snapshot.source, taken_at).map_err(|e| e.to_string())? {
            check_successor(&previous, &fi.snapshot, SuccessorRules::default())?;
        }
    }
    // The same mark as `frontline ingest`: a server loading meanwhile knows.
    store.begin_ingest(Utc::now()).map_err(|e| e.to_string())?;
    let written = store.put_file(&fi, &hash).map_err(|e| e.to_string());
    store.end_ingest().map_err(|e| e.to_string())?;
    let written = written?;
    report.warnings.extend(fi.report.warnings.iter().map(|w| format!("{url}: {w}")));
    Ok(written.outcome != PutOutcome::Unchanged)
}

/// The snapshot stored just before `taken_at` in `source`, if any.
fn previous_snapshot(
    store: &Store,
    source: &SourceId,
    taken_at: DateTime<Utc>,
) -> frontline::Result<Option<frontline::Snapshot>> {
    let times = stored_times(store, source).map_err(|e| frontline::Error::Request(e.to_string()))?;
    let Some(&prev) = times.range(..taken_at.timestamp()).next_back() else {
        return Ok(None);
    };
    let Some(day) = DateTime::from_timestamp(prev, 0).map(|t| t.date_naive()) else {
        return Ok(None);
    };
    Ok(store.load_range(source, Some(day), Some(day))?.into_iter().find(|s| s.taken_at.timestamp() == prev))
}

fn bar(n: u64, feed: &str, progress: &Progress) -> ProgressBar {
    let bar = ProgressBar::new(n);
    if matches!(progress, Progress::Stderr) && std::io::stderr().is_terminal() {
        let template = format!("{{spinner}} syncing {feed} [{{bar:40}}] {{pos}}/{{len}} maps {{elapsed}}");
        bar.set_style(ProgressStyle::with_template(&template).unwrap_or_else(|_| ProgressStyle::default_bar()));
    } else {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar
}

/// Prints a sync's account: what came in, what failed, audit warnings.
pub fn print_report(ctx: &Context, report: &SyncReport) -> Result<()> {
    match ctx.format {
        crate::output::OutputFormat::Json => println!("{}", serde_json::to_string_pretty(report)?),
        _ => {
            println!(
                "{} map(s) stored in {}; {} already stored; {} listing(s) unchanged since the last sync; {} failed; {} request(s)",
                report.stored.len(),
                ctx.db.display(),
                report.already_stored,
                report.unchanged_listings.len(),
                report.failures.len(),
                report.requests
            );
            for s in &report.stored {
                println!("stored: {s}");
            }
            for a in &report.audit {
                println!("audit: {a}");
            }
            for w in report.warnings.iter().take(20) {
                println!("warning: {w}");
            }
        }
    }
    for f in &report.failures {
        eprintln!("error: {f}");
    }
    Ok(())
}

pub fn run(ctx: &Context, args: Args) -> Result<ExitCode> {
    let data_dir = match ctx.data_dir() {
        Ok(d) => d,
        Err(e) => bail!("{e}; sync needs the reference territory to drop polygons outside Ukraine"),
    };
    let _ = &args.publisher;
    let report = sync(&ctx.db, &data_dir, &args.options, Progress::Stderr)?;
    print_report(ctx, &report)?;
    Ok(if report.failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
