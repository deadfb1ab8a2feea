//! What the server holds: every snapshot of every source, decoded once at
//! start (a rusqlite connection cannot be shared between threads, and the
//! whole daily history decodes in about 0.1 s), the base map, and caches of
//! what requests derive from them (simplified GeoJSON per zoom, area and
//! change series). Nothing is ever written to the store.

use crate::basemap;
use crate::compress::Encoded;
use crate::error::{ApiError, ApiResult};
use axum::body::Bytes;
use chrono::NaiveDate;
use frontline::area::AreaRow;
use frontline::area::UKRAINE_OFFICIAL_KM2;
use frontline::area_stored::{keep_area_series, load_area_series_keyed, series_key, AreaSeries};
use frontline::front::FrontExtractor;
use frontline::places::{Gazetteer, StatusTable};
use frontline::regions::{load_reference, Reference, Territory};
use frontline::store::{SourceSummary, Store};
use frontline::{Snapshot, SourceId};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::sync::{OnceCell, Semaphore};

/// What `frontline serve` was asked to serve.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The snapshot store, opened read-only.
    pub db: PathBuf,
    /// The shared data folder (holding `boundaries/` and `context/`), if found.
    pub data_dir: Option<PathBuf>,
}

/// One source with its snapshots in memory.
pub struct SourceData {
    /// Name, span and classes.
    pub summary: SourceSummary,
    /// Every snapshot, oldest first (shared with the state a reload
    /// replaces, when the source did not change).
    pub snapshots: Arc<Vec<Snapshot>>,
    /// The distinct snapshot dates, ascending.
    pub dates: Vec<NaiveDate>,
    /// For each date, the index in `snapshots` of the last snapshot that day.
    pub date_snapshot: Vec<usize>,
    /// The store's fingerprint of the source's layers when it was loaded.
    pub fingerprint: [u8; 32],
}

impl SourceData {
    /// The snapshot dated `date` exactly, or a 404 naming the nearest dates.
    pub fn snapshot_on(&self, date: NaiveDate) -> ApiResult<(usize, &Snapshot)> {
        match self.dates.binary_search(&date) {
            Ok(i) => {
                let k = self.date_snapshot[i];
                Ok((k, &self.snapshots[k]))
            }
            Err(i) => {
                let before = i.checked_sub(1).map(|j| self.dates[j].to_string());
                let after = self.dates.get(i).map(NaiveDate::to_string);
                let nearest = match (before, after) {
                    (Some(b), Some(a)) => format!("the nearest are {b} and {a}"),
                    (Some(b), None) => format!("the last is {b}"),
                    (None, Some(a)) => format!("the first is {a}"),
                    (None, None) => "it has none".to_string(),
                };
                Err(ApiError::not_found(format!(
                    "no {} snapshot on {date}: {nearest} (GET /api/dates?source={} lists every date)",
                    self.summary.source, self.summary.source
                )))
            }
        }
    }
}

/// The largest part of memory the GeoJSON cache may hold, bytes.
const GEO_CACHE_BUDGET_BYTES: usize = 512 << 20;

#[derive(Default)]
struct GeoCache {
    entries: HashMap<GeoKey, Arc<Encoded>>,
    bytes: usize,
}

/// A source's area series within one reference, computed once (or read
/// from the store's derived table at load).
pub type AreaCell = Arc<OnceCell<Arc<AreaSeries>>>;

/// The reference territories whose area series the store may keep, by
/// the key requests name them with.
pub const STORED_REFERENCES: [(&str, Reference); 2] = [("sea", Reference::WithSea), ("land", Reference::Land)];

/// (source, snapshot, zoom, class mask).
pub type GeoKey = (usize, usize, u8, u8);

/// Everything the handlers share.
pub struct AppState {
    /// The store the snapshots came from.
    pub store_path: PathBuf,
    /// The shared data folder, if found.
    pub data_dir: Option<PathBuf>,
    /// Every source in the store, by name order.
    pub sources: Vec<SourceData>,
    /// Base-map layers as GeoJSON text.
    pub basemap: BTreeMap<&'static str, Bytes>,
    /// Things the operator should know (a base layer missing, ...).
    pub warnings: Vec<String>,
    references: Mutex<HashMap<&'static str, Arc<OnceCell<Arc<Territory>>>>>,
    geo_cache: Mutex<GeoCache>,
    area_cache: Mutex<HashMap<(usize, &'static str), AreaCell>>,
    area_bodies: Mutex<HashMap<String, Arc<Encoded>>>,
    change_cache: Mutex<HashMap<String, Arc<OnceCell<Bytes>>>>,
    status_tables: Mutex<HashMap<usize, Arc<OnceCell<Arc<StatusTable>>>>>,
    /// The gazetteer, built on first use.
    pub gazetteer: OnceCell<Arc<Gazetteer>>,
    /// The frontline extractor, built on first use.
    pub front_extractor: OnceCell<Arc<FrontExtractor>>,
    /// Bounds the number of costly computations (change series, area series)
    /// running at once, so that a burst of them cannot starve the map.
    pub heavy: Semaphore,
    /// Admission tickets for [`AppState::heavy_cached`]: computations
    /// running or queued. When none is left a request gets 503 at once.
    heavy_pending: Arc<Semaphore>,
}

/// How many costly computations run at once: one a core (at most
/// [`MAX_HEAVY_PENDING`]), so that a long corridor does not hold up an
/// unrelated change table behind it.
fn heavy_parallel() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, MAX_HEAVY_PENDING)
}

/// The most per-request computations (corridors, change tables) admitted at
/// once: one a core runs, the others queue. Beyond that a request is refused with
/// 503 and `Retry-After`, so that a flood cannot pile up work and memory.
pub const MAX_HEAVY_PENDING: usize = 4;

/// How long a request waits for its computation before answering 503
/// (under the server's 30 s request limit). The computation goes on and its
/// result is cached, so the client's retry gets it.
pub const HEAVY_WAIT: std::time::Duration = std::time::Duration::from_secs(20);

impl AppState {
    /// The value of `cell`, computing it with `work` when absent: admitted
    /// only while fewer than [`MAX_HEAVY_PENDING`] computations are running
    /// or queued (else 503 at once), run one a core, and detached from
    /// the request, so that a client giving up (or the [`HEAVY_WAIT`]
    /// answer) never throws finished work away: it lands in the cache.
    pub async fn heavy_cached<T, F>(self: &Arc<Self>, cell: Arc<OnceCell<T>>, work: F) -> ApiResult<T>
    where
        T: Clone + Send + Sync + 'static,
        F: FnOnce() -> ApiResult<T> + Send + 'static,
    {
        if let Some(v) = cell.get() {
            return Ok(v.clone());
        }
        let ticket = self.heavy_pending.clone().try_acquire_owned().map_err(|_| {
            ApiError::unavailable(format!(
                "the server is busy with {MAX_HEAVY_PENDING} long computations; retry in {} s",
                crate::error::RETRY_AFTER_S
            ))
        })?;
        let app = self.clone();
        let task = tokio::spawn(async move {
            let _ticket = ticket;
            cell.get_or_try_init(|| async move {
                let _permit = app.heavy.acquire().await.map_err(|_| ApiError::unavailable("server shutting down"))?;
                blocking(move || own_pool(work)).await
            })
            .await
            .cloned()
        });
        match tokio::time::timeout(HEAVY_WAIT, task).await {
            Ok(Ok(result)) => result,
            Ok(Err(e)) => Err(ApiError::internal(format!("computation failed: {e}"))),
            Err(_) => Err(ApiError::unavailable(format!(
                "still computing after {} s; the result is kept when ready: retry in {} s",
                HEAVY_WAIT.as_secs(),
                crate::error::RETRY_AFTER_S
            ))),
        }
    }
}

/// The reference territories a client may name (never a file path: a
/// request must not make the server read files of its choosing).
pub fn reference_by_name(name: &str) -> ApiResult<(&'static str, Reference)> {
    match name {
        "sea" | "with-sea" | "ukraine-with-sea" => Ok(("sea", Reference::WithSea)),
        "land" | "ukraine-land" => Ok(("land", Reference::Land)),
        other => Err(ApiError::bad_request(format!(
            "reference '{}': use sea (Ukraine with its territorial sea, the default) or land",
            clip_text(other)
        ))),
    }
}

/// Shortens text echoed back in an error message.
pub fn clip_text(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(MAX).collect::<String>())
    }
}

impl AppState {
    /// Opens the store read-only and loads every source and the base map.
    pub fn load(config: &ServerConfig) -> frontline::Result<AppState> {
        Self::load_after(config, None)
    }

    /// Loads the store again after it changed, keeping what is still true
    /// of `self`: sources whose layers did not change are shared, not
    /// decoded again, with every cache derived from them (GeoJSON, area and
    /// change series, status tables); a source that only gained snapshots
    /// at its end keeps its GeoJSON cache and gets its area series extended
    /// by the new snapshots alone; the base map, reference territories, the
    /// gazetteer and the frontline extractor do not depend on snapshots and
    /// are kept whole. Runs on a blocking thread while `self` goes on
    /// answering requests.
    pub fn reload(&self, config: &ServerConfig) -> frontline::Result<AppState> {
        Self::load_after(config, Some(self))
    }

    fn load_after(config: &ServerConfig, previous: Option<&AppState>) -> frontline::Result<AppState> {
        use rayon::prelude::*;
        let store = Store::open_read_only(&config.db)?;
        let summaries = store.sources()?;
        let fingerprints: Vec<[u8; 32]> =
            summaries.iter().map(|s| store.source_fingerprint(&s.source)).collect::<frontline::Result<_>>()?;
        // A source whose layers did not change since `previous` is shared, not decoded again.
        let kept = |i: usize| -> Option<Arc<Vec<Snapshot>>> {
            previous.and_then(|p| {
                p.sources
                    .iter()
                    .find(|s| s.summary.source == summaries[i].source && s.fingerprint == fingerprints[i])
                    .map(|s| s.snapshots.clone())
            })
        };
        // Stored sources in parallel, a connection each (decoding and
        // checking every blob is the cost of starting); a composite source
        // is then picked from its members' snapshots, not decoded twice.
        let mut loaded: HashMap<String, Arc<Vec<Snapshot>>> = summaries
            .par_iter()
            .enumerate()
            .filter(|(_, s)| s.source.members().is_none())
            .map(|(i, s)| {
                let snaps = match kept(i) {
                    Some(k) => k,
                    None => Arc::new(Store::open_read_only(&config.db)?.load_range(&s.source, None, None)?),
                };
                Ok((s.source.as_str().to_string(), snaps))
            })
            .collect::<frontline::Result<_>>()?;
        for (i, s) in summaries.iter().enumerate().filter(|(_, s)| s.source.members().is_some()) {
            if let Some(k) = kept(i) {
                loaded.insert(s.source.as_str().to_string(), k);
                continue;
            }
            let chosen: std::collections::BTreeSet<(i64, &str)> =
                store.composite_times(&s.source)?.into_iter().collect();
            let mut snaps: Vec<Snapshot> = s
                .source
                .members()
                .into_iter()
                .flatten()
                .flat_map(|m| loaded.get(m).into_iter().flat_map(|v| v.iter()).map(move |snap| (m, snap)))
                .filter(|(m, snap)| chosen.contains(&(snap.taken_at.timestamp(), *m)))
                .map(|(_, snap)| Snapshot { source: s.source.clone(), ..snap.clone() })
                .collect();
            if snaps.len() != chosen.len() {
                // A member not listed as a source of its own: read the composite as the store composes it.
                snaps = store.load_range(&s.source, None, None)?;
            }
            snaps.sort_by_key(|x| x.taken_at);
            loaded.insert(s.source.as_str().to_string(), Arc::new(snaps));
        }
        let mut sources = vec![];
        for (summary, fingerprint) in summaries.into_iter().zip(fingerprints) {
            let snapshots = loaded.remove(summary.source.as_str()).unwrap_or_default();
            let mut dates: Vec<NaiveDate> = vec![];
            let mut date_snapshot = vec![];
            for (i, s) in snapshots.iter().enumerate() {
                if dates.last() == Some(&s.date()) {
                    if let Some(last) = date_snapshot.last_mut() {
                        *last = i;
                    }
                } else {
                    dates.push(s.date());
                    date_snapshot.push(i);
                }
            }
            sources.push(SourceData { summary, snapshots, dates, date_snapshot, fingerprint });
        }
        let mut warnings = vec![];
        if let Some(started) = store.unfinished_ingest()? {
            warnings.push(format!(
                "an ingest started at {started} had not finished when this server loaded the store: some snapshots \
                 may be missing; `frontline serve` loads them when the ingest has ended (unless started with \
                 --check-store-every 0: then restart it); if the ingest was stopped, run it again"
            ));
        }
        let basemap = match (&config.data_dir, previous) {
            (Some(_), Some(p)) => p.basemap.clone(),
            (Some(d), None) => {
                let (layers, problems) = basemap::load(d);
                warnings.extend(problems);
                layers.into_iter().map(|(k, v)| (k, Bytes::from(v))).collect()
            }
            (None, _) => {
                warnings.push("shared data folder not found: no base map and no area series (pass --data DIR)".into());
                BTreeMap::new()
            }
        };
        let state = AppState {
            store_path: config.db.clone(),
            data_dir: config.data_dir.clone(),
            sources,
            basemap,
            warnings,
            references: Mutex::default(),
            geo_cache: Mutex::default(),
            area_cache: Mutex::default(),
            area_bodies: Mutex::default(),
            change_cache: Mutex::default(),
            status_tables: Mutex::default(),
            gazetteer: OnceCell::new(),
            front_extractor: OnceCell::new(),
            heavy: Semaphore::new(heavy_parallel()),
            heavy_pending: Arc::new(Semaphore::new(MAX_HEAVY_PENDING)),
        };
        if let Some(p) = previous {
            state.keep_caches_of(p);
        }
        state.read_stored_series(&store);
        Ok(state)
    }

    /// Carries over the caches of `previous` that the new snapshots leave
    /// true (see [`AppState::reload`]).
    fn keep_caches_of(&self, previous: &AppState) {
        if let Some(g) = previous.gazetteer.get().cloned() {
            let _ = self.gazetteer.set(g);
        }
        if let Some(f) = previous.front_extractor.get().cloned() {
            let _ = self.front_extractor.set(f);
        }
        if let (Ok(old), Ok(mut new)) = (previous.references.lock(), self.references.lock()) {
            new.extend(old.iter().map(|(k, v)| (*k, v.clone())));
        }
        // old source index -> (new index, whether unchanged, how many leading snapshots are shared)
        let mut map: HashMap<usize, (usize, bool, usize)> = HashMap::new();
        for (oi, old) in previous.sources.iter().enumerate() {
            let Some((ni, new)) = self.sources.iter().enumerate().find(|(_, s)| s.summary.source == old.summary.source)
            else {
                continue;
            };
            if new.fingerprint == old.fingerprint {
                map.insert(oi, (ni, true, old.snapshots.len()));
            } else if new.snapshots.len() > old.snapshots.len()
                && old.snapshots.iter().zip(new.snapshots.iter()).all(|(a, b)| a == b)
            {
                map.insert(oi, (ni, false, old.snapshots.len()));
            }
        }
        if let (Ok(old), Ok(mut new)) = (previous.geo_cache.lock(), self.geo_cache.lock()) {
            for (&(oi, k, z, m), body) in &old.entries {
                if let Some(&(ni, _, shared)) = map.get(&oi) {
                    if k < shared {
                        new.bytes += body.identity.len();
                        new.entries.insert((ni, k, z, m), body.clone());
                    }
                }
            }
        }
        let references = self.references.lock().map(|r| r.clone()).unwrap_or_default();
        if let (Ok(old), Ok(mut new)) = (previous.area_cache.lock(), self.area_cache.lock()) {
            for (&(oi, reference), cell) in old.iter() {
                let Some(&(ni, unchanged, shared)) = map.get(&oi) else { continue };
                if unchanged {
                    new.insert((ni, reference), cell.clone());
                    continue;
                }
                // Extend: the rows of the shared snapshots stay, the new ones are computed.
                let (Some(rows), Some(territory)) =
                    (cell.get(), references.get(reference).and_then(|t| t.get().cloned()))
                else {
                    continue;
                };
                let mut extended: Vec<AreaRow> = rows.rows.iter().take(shared).cloned().collect();
                extended.extend(
                    self.sources[ni].snapshots[shared..]
                        .iter()
                        .map(|s| frontline::area::area_row(s, &territory, rows.country_km2)),
                );
                let series = Arc::new(AreaSeries { rows: extended, ..rows.as_ref().clone() });
                if let Some((_, r)) = STORED_REFERENCES.iter().find(|(k, _)| *k == reference) {
                    self.keep_in_store(ni, r, &series);
                }
                new.insert((ni, reference), Arc::new(OnceCell::new_with(Some(series))));
            }
        }
        if let (Ok(old), Ok(mut new)) = (previous.status_tables.lock(), self.status_tables.lock()) {
            for (oi, cell) in old.iter() {
                if let Some(&(ni, true, _)) = map.get(oi) {
                    new.insert(ni, cell.clone());
                }
            }
        }
        if let (Ok(old), Ok(mut new)) = (previous.change_cache.lock(), self.change_cache.lock()) {
            for (key, cell) in old.iter() {
                let Some((si, rest)) = key.split_once('|') else { continue };
                if let Some(&(ni, true, _)) = si.parse::<usize>().ok().and_then(|oi| map.get(&oi)) {
                    new.insert(format!("{ni}|{rest}"), cell.clone());
                }
            }
        }
    }

    /// Fills the area cache with the series the store keeps for the
    /// current layers (those a previous run computed), so that the first
    /// `/api/area` of a source costs no clipping.
    fn read_stored_series(&self, store: &Store) {
        let Some(data_dir) = &self.data_dir else { return };
        let Ok(mut cache) = self.area_cache.lock() else { return };
        for (si, s) in self.sources.iter().enumerate() {
            for (key, reference) in &STORED_REFERENCES {
                if cache.get(&(si, *key)).is_some_and(|c| c.initialized()) {
                    continue;
                }
                let stored = series_key(&s.fingerprint, reference, data_dir, UKRAINE_OFFICIAL_KM2)
                    .and_then(|k| load_area_series_keyed(store, &s.summary.source, &k));
                // Rows for other snapshots than those loaded (a write in between) are not these rows.
                if let Ok(Some(series)) = stored.map(|o| o.filter(|x| x.rows.len() == s.snapshots.len())) {
                    cache.insert((si, *key), Arc::new(OnceCell::new_with(Some(Arc::new(series)))));
                }
            }
        }
    }

    /// Keeps a computed area series in the store's derived table for the
    /// next start. The one write the server makes, and only to that
    /// cache: it never touches snapshots, and a store it cannot write
    /// (read-only file, an ingest holding the lock) is simply not updated.
    pub fn keep_in_store(&self, si: usize, reference: &Reference, series: &Arc<AreaSeries>) {
        let (Some(data_dir), Some(source)) = (self.data_dir.clone(), self.sources.get(si)) else { return };
        let (path, id, fingerprint) = (self.store_path.clone(), source.summary.source.clone(), source.fingerprint);
        let (reference, series) = (reference.clone(), series.clone());
        // On a thread of its own: waiting for an ingest's lock must not hold up an answer.
        std::thread::spawn(move || {
            let write = || -> frontline::Result<()> {
                if !path.exists() {
                    return Ok(());
                }
                let store = Store::open(&path)?;
                // Written only if the store still holds the layers the rows were measured on.
                if store.source_fingerprint(&id)? != fingerprint {
                    return Ok(());
                }
                keep_area_series(&store, &id, &reference, &data_dir, &series)
            };
            let _ = write();
        });
    }

    /// The source named, else the only one, else the DeepState daily
    /// export, else the joined full map (the CLI's choice: `usecase::pick_source_among`).
    pub fn source(&self, name: Option<&str>) -> ApiResult<(usize, &SourceData)> {
        if self.sources.is_empty() {
            return Err(ApiError::not_found(format!(
                "the store {} holds no snapshots; run `frontline ingest PATH...` or `frontline sync deepstate` \
                 (`frontline serve` picks them up without a restart)",
                self.store_path.display()
            )));
        }
        let ids: Vec<SourceId> = self.sources.iter().map(|s| s.summary.source.clone()).collect();
        let picked = frontline::usecase::pick_source_among(
            &ids,
            name,
            &format!("the store {}", self.store_path.display()),
            "?source=",
        )?;
        self.sources
            .iter()
            .enumerate()
            .find(|(_, s)| s.summary.source == picked)
            .ok_or_else(|| ApiError::internal(format!("source {picked} picked but not loaded")))
    }

    /// A reference territory, loaded on first use and kept.
    pub async fn reference(&self, key: &'static str, reference: Reference) -> ApiResult<Arc<Territory>> {
        let Some(data_dir) = self.data_dir.clone() else {
            return Err(ApiError::unavailable(
                "the shared data folder was not found at start: restart with --data DIR to measure areas",
            ));
        };
        let cell = {
            let mut map = self.references.lock().map_err(|_| ApiError::internal("reference cache poisoned"))?;
            map.entry(key).or_default().clone()
        };
        cell.get_or_try_init(|| async move {
            blocking(move || load_reference(&reference, &data_dir).map(Arc::new).map_err(ApiError::from)).await
        })
        .await
        .cloned()
    }

    /// A cached GeoJSON body, if present.
    pub fn geo_cached(&self, key: &GeoKey) -> Option<Arc<Encoded>> {
        self.geo_cache.lock().ok()?.entries.get(key).cloned()
    }

    /// Keeps a GeoJSON body; when the budget is spent the cache starts over
    /// (simple, and a refill costs milliseconds per snapshot).
    pub fn geo_store(&self, key: GeoKey, body: Bytes) -> Arc<Encoded> {
        let body = Encoded::new(body);
        if let Ok(mut c) = self.geo_cache.lock() {
            // The compressed copies are a fraction of the body: counted in the slack of the budget.
            let len = body.identity.len();
            if c.bytes + len > GEO_CACHE_BUDGET_BYTES {
                c.entries.clear();
                c.bytes = 0;
            }
            c.bytes += len;
            if let Some(old) = c.entries.insert(key, body.clone()) {
                c.bytes -= old.identity.len();
            }
        }
        body
    }

    /// The cell holding a source's area series within a reference.
    pub fn area_cell(&self, source: usize, reference: &'static str) -> ApiResult<AreaCell> {
        let mut map = self.area_cache.lock().map_err(|_| ApiError::internal("area cache poisoned"))?;
        Ok(map.entry((source, reference)).or_default().clone())
    }

    /// The serialised answer of an area query, if kept.
    pub fn area_body(&self, key: &str) -> Option<Arc<Encoded>> {
        self.area_bodies.lock().ok()?.get(key).cloned()
    }

    /// Keeps the serialised answer of an area query. Distinct queries are
    /// few in practice (a date range per chart); a flood of them must not
    /// grow memory without end.
    pub fn keep_area_body(&self, key: String, body: Bytes) -> Arc<Encoded> {
        let body = Encoded::new(body);
        if let Ok(mut map) = self.area_bodies.lock() {
            if map.len() >= 256 {
                map.clear();
            }
            map.insert(key, body.clone());
        }
        body
    }

    /// The cell holding a change table's JSON body.
    pub fn change_cell(&self, key: String) -> ApiResult<Arc<OnceCell<Bytes>>> {
        let mut map = self.change_cache.lock().map_err(|_| ApiError::internal("change cache poisoned"))?;
        // Distinct queries are few in practice; a flood of them must not grow memory without end.
        if map.len() > 256 {
            map.clear();
        }
        Ok(map.entry(key).or_default().clone())
    }

    /// The cell holding a source's settlement status table.
    pub fn status_cell(&self, source: usize) -> ApiResult<Arc<OnceCell<Arc<StatusTable>>>> {
        let mut map = self.status_tables.lock().map_err(|_| ApiError::internal("status cache poisoned"))?;
        Ok(map.entry(source).or_default().clone())
    }

    /// The store's path, for messages.
    pub fn store_path(&self) -> &Path {
        &self.store_path
    }
}

/// Runs a computation on a rayon pool of its own: on the shared pool, a
/// table asked for while a corridor runs would queue behind every task of
/// the corridor; on its own threads it gets its share of the cores at once.
fn own_pool<T>(work: impl FnOnce() -> ApiResult<T> + Send) -> ApiResult<T>
where
    T: Send,
{
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(work),
        // No threads to spare: the shared pool still answers.
        Err(_) => work(),
    }
}

/// Runs CPU-bound work off the async threads.
pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> ApiResult<T> + Send + 'static) -> ApiResult<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| ApiError::internal(format!("computation failed: {e}")))?
}
