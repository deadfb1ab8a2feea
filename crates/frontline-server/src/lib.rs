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
pub mod compare;
pub mod error;
pub mod geojson_out;
pub mod openapi;
pub mod places;
pub mod query;
pub mod state;

pub use error::{ApiError, ApiResult};
pub use state::{AppState, ServerConfig};

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

/// The longest URI (path and query) accepted, bytes. Every real request is
/// far shorter; a longer one is refused before any parsing.
pub const MAX_URI_BYTES: usize = 2048;

/// No request may hold a connection longer than this.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The optional parts compiled into this server (the map's UI hides what is absent).
pub fn features() -> serde_json::Value {
    serde_json::json!({ "web": assets::built(), "places": true, "front": true, "corridor": true })
}

/// The whole application: API routes, assets, limits.
pub fn router(state: Arc<AppState>) -> Router {
    let doc = Arc::new(openapi::document(compare::paths()));
    let api = Router::new()
        .route("/api/openapi.json", get(move || std::future::ready(Json(doc.as_ref().clone()))))
        .route("/api/status", get(api::status))
        .route("/api/sources", get(api::sources))
        .route("/api/dates", get(api::dates))
        .route("/api/snapshot/{date}", get(api::snapshot))
        .route("/api/area", get(api::area))
        .route("/api/change", get(api::change_series))
        .route("/api/basemap/{layer}", get(api::basemap))
        .route("/api/places", get(places::search))
        .route("/api/places/{id}/timeline", get(places::timeline))
        .route("/api/places/{id}/corridor", get(places::corridor))
        .route("/api/front/{date}", get(places::front))
        .route("/api/compare", get(compare::compare_sources))
        .route("/api/audit", get(compare::audit))
        .route("/api", get(api_not_found))
        .route("/api/{*rest}", get(api_not_found))
        .with_state(state);
    Router::new()
        .merge(api)
        .fallback(get(assets::serve_asset))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(limit_uri))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, REQUEST_TIMEOUT))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
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

/// Serves until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    api::warm_up(state.clone());
    places::warm_up(state.clone());
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await
}
