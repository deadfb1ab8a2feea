//! frontline's HTTP server: a read-only JSON API over a snapshot store and
//! the embedded web map (`web/`).
//!
//! Data flows one way, as everywhere in frontline: the store is read once at
//! start into [`AppState`]; handlers call the engine for every figure and
//! only select, cache and serialise. The server never writes to the store.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use frontline_server::{AppState, ServerConfig};
//! let config = ServerConfig { db: "frontline.db".into(), data_dir: Some("../shared/data".into()) };
//! let state = std::sync::Arc::new(AppState::load(&config)?);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! frontline_server::serve(listener, state, std::future::pending()).await?;
//! # Ok(()) }
//! ```

pub mod api;
pub mod assets;
pub mod basemap;
pub mod boot;
pub mod check;
pub mod compare;
pub mod compress;
pub mod error;
pub mod geojson_out;
pub mod openapi;
pub mod places;
pub mod query;
pub mod state;
pub mod webmap;

pub use error::{ApiError, ApiResult};
pub use state::{AppState, ServerConfig};

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::OpenApi as _;
use utoipa_axum::{router::OpenApiRouter, routes};

/// The longest URI (path and query) accepted, bytes. Every real request is
/// far shorter; a longer one is refused before any parsing.
pub const MAX_URI_BYTES: usize = 2048;

/// No request may hold a connection longer than this.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A client must send a request's whole header within this time, counted
/// from when the server starts waiting for it (so an idle keep-alive
/// connection is closed after it too): slow-header ("slowloris") and
/// blank-line connections cannot hold a slot.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The most connections served at once; further clients wait in the
/// kernel's accept queue.
pub const MAX_CONNECTIONS: usize = 512;

/// The Content-Security-Policy of every response: everything from this
/// server only. MapLibre starts its worker from a `blob:` URL and draws
/// into canvases (`blob:`/`data:` images); it needs no `eval`. Inline style
/// attributes are allowed because the map positions its controls with them.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; worker-src 'self' blob:; \
     child-src 'self' blob:; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; \
     font-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The optional parts compiled into this server (the map's UI hides what is absent).
pub fn features() -> serde_json::Value {
    serde_json::json!({ "web": assets::built(), "places": true, "front": true, "corridor": true })
}

/// The whole application: API routes, assets, limits.
pub fn router(state: Arc<AppState>) -> Router {
    let (api, doc) = api_routes().split_for_parts();
    let doc = Arc::new(openapi::document(doc));
    // The only routes not in `api_routes`: the document itself (documented by
    // `openapi::ApiDoc`) and the catch-all that answers unknown API paths.
    let api = api
        .route("/api/openapi.json", get(openapi::openapi_json).layer(axum::Extension(doc)))
        .route("/api", get(api_not_found))
        .route("/api/{*rest}", get(api_not_found))
        .with_state(state);
    with_layers(Router::new().merge(api).fallback(get(assets::serve_asset)))
}

/// Every API route, each served and documented by one `routes!` entry
/// (the handler's `#[utoipa::path]` gives its path, parameters and body).
pub fn api_routes() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(api::status))
        .routes(routes!(api::sources))
        .routes(routes!(api::dates))
        .routes(routes!(api::snapshot))
        .routes(routes!(api::area))
        .routes(routes!(api::change_series))
        .routes(routes!(api::basemap))
        .routes(routes!(places::search))
        .routes(routes!(places::timeline))
        .routes(routes!(places::corridor))
        .routes(routes!(places::front))
        .routes(routes!(compare::compare_sources))
        .routes(routes!(compare::audit))
        .routes(routes!(compare::lag))
        .routes(routes!(webmap::labels))
        .routes(routes!(webmap::here))
        .routes(routes!(webmap::gained_lost))
        .routes(routes!(webmap::disagreement))
        .routes(routes!(check::check))
}

/// The OpenAPI document as served at `/api/openapi.json`.
pub fn openapi_document() -> serde_json::Value {
    openapi::document(api_routes().into_openapi())
}

/// What every response goes through: limits, compression, security headers.
fn with_layers(router: Router) -> Router {
    router
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(limit_uri))
        .layer(middleware::from_fn(limit_time))
        .layer(middleware::from_fn(compress::compress))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
}

/// [`REQUEST_TIMEOUT`], answered in the API's error shape (JSON, 503,
/// `Retry-After`). Heavy work is detached from the request
/// ([`AppState::heavy_cached`]) and finishes into the cache regardless.
async fn limit_time(req: Request, next: Next) -> Response {
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(req)).await {
        Ok(r) => r,
        Err(_) => ApiError::unavailable(format!(
            "no answer within {} s; retry in {} s",
            REQUEST_TIMEOUT.as_secs(),
            error::RETRY_AFTER_S
        ))
        .into_response(),
    }
}

async fn api_not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!("no API route {}; GET /api/openapi.json lists them all", state::clip_text(uri.path())))
}

async fn method_not_allowed() -> ApiError {
    ApiError {
        status: StatusCode::METHOD_NOT_ALLOWED,
        message: "this server is read-only: only GET (and HEAD) requests are answered".into(),
    }
}

async fn limit_uri(req: Request, next: Next) -> Response {
    let len = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if len > MAX_URI_BYTES {
        return ApiError {
            status: StatusCode::URI_TOO_LONG,
            message: format!("request URI of {len} bytes; at most {MAX_URI_BYTES} are accepted"),
        }
        .into_response();
    }
    next.run(req).await
}

/// Serves until `shutdown` completes, then lets open requests finish.
///
/// HTTP/1.1 over hyper directly (not `axum::serve`) to set
/// [`HEADER_READ_TIMEOUT`] and cap connections at [`MAX_CONNECTIONS`].
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_live(listener, Live::new(state), shutdown).await
}

/// The state requests are answered from, replaced whole when the store
/// changes ([`watch_store`]): a request runs on the state it started
/// with, so an answer never mixes two loads, and no request waits for a
/// reload (the new state is built beside the old one, then swapped in).
pub struct Live {
    current: std::sync::RwLock<Option<(Arc<AppState>, Router)>>,
    /// Answers `/api/area` while the state loads ([`boot`]).
    boot: Option<(Arc<boot::Boot>, Router)>,
    ready: tokio::sync::watch::Sender<bool>,
    /// How many times the state was replaced since the server started.
    pub reloads: std::sync::atomic::AtomicUsize,
    wake: tokio::sync::Notify,
}

impl Live {
    /// Serves `state` until it is replaced.
    pub fn new(state: Arc<AppState>) -> Arc<Live> {
        let app = router(state.clone());
        Arc::new(Live {
            current: std::sync::RwLock::new(Some((state, app))),
            boot: None,
            ready: tokio::sync::watch::Sender::new(true),
            reloads: std::sync::atomic::AtomicUsize::new(0),
            wake: tokio::sync::Notify::new(),
        })
    }

    /// Serves before the state is loaded: `/api/area` from what `boot`
    /// read, every other request once [`Live::start`] is called.
    pub fn booting(boot: boot::Boot) -> Arc<Live> {
        let boot = Arc::new(boot);
        let app = with_layers(Router::new().route("/api/area", get(boot::area)).with_state(boot.clone()));
        Arc::new(Live {
            current: std::sync::RwLock::new(None),
            boot: Some((boot, app)),
            ready: tokio::sync::watch::Sender::new(false),
            reloads: std::sync::atomic::AtomicUsize::new(0),
            wake: tokio::sync::Notify::new(),
        })
    }

    /// The state answering requests now (none while booting).
    pub fn state(&self) -> Option<Arc<AppState>> {
        match self.current.read() {
            Ok(c) => c.as_ref().map(|c| c.0.clone()),
            Err(p) => p.into_inner().as_ref().map(|c| c.0.clone()),
        }
    }

    fn router(&self) -> Option<Router> {
        match self.current.read() {
            Ok(c) => c.as_ref().map(|c| c.1.clone()),
            Err(p) => p.into_inner().as_ref().map(|c| c.1.clone()),
        }
    }

    /// The router for a request: the state's; while booting, the boot's
    /// for an `/api/area` it can answer, else the state's once loaded.
    async fn router_for(&self, uri: &axum::http::Uri) -> Router {
        let mut ready = self.ready.subscribe();
        loop {
            if let Some(r) = self.router() {
                return r;
            }
            if let Some((boot, app)) = &self.boot {
                if uri.path() == "/api/area" && boot.answers(uri.query()) {
                    return app.clone();
                }
            }
            // Woken when the state is in place (a closed channel cannot happen: `self` holds the sender).
            if ready.wait_for(|r| *r).await.is_err() {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }

    fn put(&self, state: Arc<AppState>) {
        let app = router(state.clone());
        match self.current.write() {
            Ok(mut c) => *c = Some((state.clone(), app)),
            Err(p) => *p.into_inner() = Some((state.clone(), app)),
        }
        self.ready.send_replace(true);
        api::warm_up(state.clone());
        places::warm_up(state);
    }

    /// Answers every request from `state`, loaded after [`Live::booting`].
    pub fn start(&self, state: Arc<AppState>) {
        self.put(state);
    }

    /// Answers every request from now on from `state`, and starts its warm-up.
    pub fn replace(&self, state: Arc<AppState>) {
        self.put(state);
        self.reloads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Asks [`watch_store`] to look at the store now rather than at its next tick
    /// (`serve --sync-every` calls it after a sync).
    pub fn check_now(&self) {
        self.wake.notify_one();
    }
}

/// Polls the store every `every` (and whenever [`Live::check_now`] is
/// called) for new or replaced snapshots ([`frontline::store::Store::change_marker`],
/// a cheap count), and when it changed loads it again with
/// [`AppState::reload`] off the request threads and swaps it in. While an
/// ingest is writing, it waits until the writer has been quiet for one
/// interval. `loaded` is the store's marker read *before* the state being
/// served was loaded (so that a write in between is not missed; `None`
/// reloads at the first tick). `note` receives one line per reload or
/// failure, for the log.
pub fn watch_store(
    live: Arc<Live>,
    config: ServerConfig,
    every: Duration,
    loaded: Option<(i64, i64, bool)>,
    note: impl Fn(String) + Send + Sync + 'static,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let marker_of = |db: std::path::PathBuf| async move {
            tokio::task::spawn_blocking(move || {
                frontline::store::Store::open_read_only(&db).and_then(|s| s.change_marker())
            })
            .await
            .map_err(|e| e.to_string())
            .and_then(|r| r.map_err(|e| e.to_string()))
        };
        let mut loaded = loaded;
        let mut previous_poll = loaded;
        loop {
            tokio::select! {
                () = tokio::time::sleep(every) => {}
                () = live.wake.notified() => {}
            }
            let Ok(now) = marker_of(config.db.clone()).await else { continue };
            let layers = |m: Option<(i64, i64, bool)>| m.map(|(n, max, _)| (n, max));
            let changed = layers(Some(now)) != layers(loaded);
            // A writer still at work: wait until its layers stop changing.
            let writer_busy = now.2 && layers(Some(now)) != layers(previous_poll);
            previous_poll = Some(now);
            if !changed || writer_busy {
                continue;
            }
            let Some(old) = live.state() else { continue };
            let cfg = config.clone();
            let started = std::time::Instant::now();
            match tokio::task::spawn_blocking(move || old.reload(&cfg)).await {
                Ok(Ok(state)) => {
                    let snapshots: usize = state.sources.iter().map(|s| s.snapshots.len()).sum();
                    live.replace(Arc::new(state));
                    loaded = Some(now);
                    note(format!(
                        "store changed: {snapshots} snapshots now, reloaded in {:.1} s",
                        started.elapsed().as_secs_f64()
                    ));
                }
                Ok(Err(e)) => {
                    note(format!("store changed but could not be reloaded ({e}); still serving the previous snapshots"))
                }
                Err(e) => note(format!("reload failed ({e}); still serving the previous snapshots")),
            }
        }
    })
}

/// [`serve`] with a state that [`watch_store`] may replace while serving.
pub async fn serve_live(
    listener: tokio::net::TcpListener,
    live: Arc<Live>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;
    use tower::ServiceExt;

    if let Some(state) = live.state() {
        api::warm_up(state.clone());
        places::warm_up(state);
    }
    // Each request is routed by the router of the state current when it
    // arrives (a keep-alive connection sees a reload at its next request).
    let app = tower::service_fn(move |req: axum::extract::Request<hyper::body::Incoming>| {
        let live = live.clone();
        async move { live.router_for(req.uri()).await.oneshot(req).await }
    });
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let slot = tokio::select! {
            s = slots.clone().acquire_owned() => s.map_err(std::io::Error::other)?,
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((stream, _)) => stream,
                // Out of file descriptors and the like: wait, do not spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = TowerToHyperService::new(app.clone());
        let mut stop = stop_rx.clone();
        connections.spawn(async move {
            let _slot = slot;
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service);
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = stop.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
        while connections.try_join_next().is_some() {}
    }
    let _ = stop_tx.send(true);
    while connections.join_next().await.is_some() {}
    Ok(())
}
