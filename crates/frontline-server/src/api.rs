//! The JSON API's handlers. Every figure comes from the engine
//! (`frontline::area`); the handlers only select, cache and serialise.

use crate::compress::Encoded;
use crate::error::{ApiError, ApiResult};
use crate::geojson_out::{drawing, simplify_multipolygon, tolerance_deg};
use crate::query::{self, Query};
use crate::state::{blocking, clip_text, reference_by_name, AppState};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use frontline::area::{area_rows, Period, UKRAINE_OFFICIAL_KM2};
use frontline::area_stored::AreaSeries;
use frontline::usecase;
use frontline::ControlClass;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

/// The shared state as handlers see it.
pub type AppRef = State<Arc<AppState>>;

/// The most periods one change request may ask for (the whole daily
/// history is about 770): beyond that the answer is too slow to wait for.
pub const MAX_CHANGE_PERIODS: usize = 1000;

/// A serialised body with its content type (the cached answers are kept as bytes).
pub fn json_body(content_type: &'static str, body: Bytes) -> Response {
    let mut r = body.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

#[utoipa::path(get, path = "/api/status", tag = "data",
    responses((status = 200, description = "OK", body = crate::openapi::StatusBody, content_type = "application/json")))]
/// `GET /api/status`: what is loaded, and anything the operator should know.
pub async fn status(State(app): AppRef) -> Json<serde_json::Value> {
    Json(json!({
        "sources": app.sources.iter().map(|s| json!({
            "source": s.summary.source, "snapshots": s.snapshots.len(), "dates": s.dates.len(),
        })).collect::<Vec<_>>(),
        "basemap": app.basemap.keys().collect::<Vec<_>>(),
        "features": crate::features(),
        "warnings": app.warnings,
        "read_only": true,
    }))
}

#[utoipa::path(get, path = "/api/sources", tag = "data",
    responses((status = 200, description = "OK", body = Vec<crate::openapi::SourceSchema>, content_type = "application/json")))]
/// `GET /api/sources`: every source with its snapshot count, span and classes.
pub async fn sources(State(app): AppRef) -> Json<serde_json::Value> {
    Json(json!(app.sources.iter().map(|s| &s.summary).collect::<Vec<_>>()))
}

/// `?source=`
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SourceQuery {
    /// Source name (default: the only one, else deepstate-daily, else deepstate).
    #[param(example = "deepstate-daily")]
    pub source: Option<String>,
}

#[utoipa::path(get, path = "/api/dates", tag = "data", params(SourceQuery),
    responses((status = 200, description = "OK", body = crate::openapi::DatesBody, content_type = "application/json")))]
/// `GET /api/dates`: a source's distinct snapshot dates, oldest first.
pub async fn dates(State(app): AppRef, Query(q): Query<SourceQuery>) -> ApiResult<Json<serde_json::Value>> {
    let (_, s) = app.source(q.source.as_deref())?;
    Ok(Json(json!({
        "source": s.summary.source,
        "classes": s.summary.classes,
        "dates": s.dates,
    })))
}

/// `?source=&zoom=&class=`
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SnapshotQuery {
    /// Source name (default: the only one, else deepstate-daily, else deepstate).
    #[param(example = "deepstate-daily")]
    source: Option<String>,
    /// Map zoom the geometry is drawn at (0-22, default 6; 13 and above are not simplified).
    #[param(example = "6")]
    zoom: Option<String>,
    /// occupied, gray, liberated, a comma list, or all (default).
    #[param(example = "occupied")]
    class: Option<String>,
}

fn class_mask(spec: Option<&str>, available: &[ControlClass]) -> ApiResult<u8> {
    let bit = |c: ControlClass| 1u8 << (c as u8);
    match spec {
        None | Some("all") => Ok(available.iter().fold(0, |m, c| m | bit(*c))),
        Some(list) => {
            let mut mask = 0;
            for name in list.split(',') {
                let c = ControlClass::parse(name).ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "class '{}': use occupied, gray, liberated, a comma-separated list of them, or all",
                        clip_text(name)
                    ))
                })?;
                mask |= bit(c);
            }
            Ok(mask)
        }
    }
}

#[utoipa::path(get, path = "/api/snapshot/{date}", tag = "map", params(("date" = String, Path, description = "Snapshot date (YYYY-MM-DD), one of /api/dates.", example = "2026-01-01"), SnapshotQuery),
    responses((status = 200, description = "OK", body = crate::openapi::FeatureCollectionSchema, content_type = "application/geo+json")))]
/// `GET /api/snapshot/{date}`: the snapshot's classes as a GeoJSON
/// FeatureCollection (one feature per class), simplified for `zoom`.
pub async fn snapshot(
    State(app): AppRef,
    Path(date): Path<String>,
    Query(q): Query<SnapshotQuery>,
) -> ApiResult<Response> {
    let date = query::date("date", &date)?;
    let (si, source) = app.source(q.source.as_deref())?;
    let zoom = query::zoom(q.zoom.as_deref())?;
    let mask = class_mask(q.class.as_deref(), &source.summary.classes)?;
    let (k, _) = source.snapshot_on(date)?;
    let key = (si, k, zoom, mask);
    if let Some(body) = app.geo_cached(&key) {
        return Ok(geojson_response(&body));
    }
    let app2 = app.clone();
    let body = blocking(move || {
        let s = &app2.sources[si].snapshots[k];
        let tolerance = tolerance_deg(zoom);
        let layers: Vec<_> = s
            .layers
            .iter()
            .filter(|l| mask & (1u8 << (l.class as u8)) != 0)
            .map(|l| (json!({"class": l.class}), simplify_multipolygon(&l.geometry, tolerance)))
            .collect();
        let members = json!({
            "source": s.source, "date": s.date(), "taken_at": s.taken_at, "zoom": zoom,
            "tolerance_deg": tolerance,
        });
        drawing(&members, layers.iter().map(|(p, g)| (p, g)))
    })
    .await?;
    Ok(geojson_response(&app.geo_store(key, body)))
}

fn geojson_response(body: &Arc<Encoded>) -> Response {
    let mut r = body.response("application/geo+json");
    // A snapshot never changes while the server runs.
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    r
}

/// `?source=&reference=&from=&to=`
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AreaQuery {
    /// Source name (default: the only one, else deepstate-daily, else deepstate).
    #[param(example = "deepstate-daily")]
    pub source: Option<String>,
    /// Reference territory: sea (Ukraine with its territorial sea, the default) or land.
    #[param(example = "sea")]
    pub reference: Option<String>,
    /// First date (YYYY-MM-DD), inclusive.
    #[param(example = "2025-01-01")]
    pub from: Option<String>,
    /// Last date (YYYY-MM-DD), inclusive.
    #[param(example = "2025-03-01")]
    pub to: Option<String>,
}

fn check_range(from: Option<NaiveDate>, to: Option<NaiveDate>) -> ApiResult<()> {
    match (from, to) {
        (Some(f), Some(t)) if f > t => Err(ApiError::bad_request(format!("from {f} is after to {t}"))),
        _ => Ok(()),
    }
}

#[utoipa::path(get, path = "/api/area", tag = "data", params(AreaQuery),
    responses((status = 200, description = "OK", body = crate::openapi::AreaBody, content_type = "application/json")))]
/// `GET /api/area`: area held on every snapshot in `from..=to`, clipped to
/// the reference territory (`frontline::area::area_rows`). The body of each
/// distinct query is serialised once and kept with its compressed copies
/// (the whole series is 255 KB of JSON: writing and compressing it again
/// per request capped the server at a few hundred answers a second).
pub async fn area(State(app): AppRef, Query(q): Query<AreaQuery>) -> ApiResult<Response> {
    let AreaPick { source, reference: (ref_key, reference), from, to } = q.pick()?;
    let (si, _) = app.source(source.as_deref())?;
    let key = format!("{si}|{ref_key}|{from:?}|{to:?}");
    if let Some(body) = app.area_body(&key) {
        return Ok(body.response("application/json"));
    }
    let series = area_series(&app, si, ref_key, reference).await?;
    let body = area_body(&app.sources[si].summary.source, &series, from, to);
    Ok(app.keep_area_body(key, body).response("application/json"))
}

/// The parts of an `/api/area` query that pick rows.
pub struct AreaPick {
    /// The source's name.
    pub source: Option<String>,
    /// The reference's key and territory.
    pub reference: (&'static str, frontline::regions::Reference),
    /// The first and last dates wanted.
    pub from: Option<NaiveDate>,
    /// The last date wanted.
    pub to: Option<NaiveDate>,
}

impl AreaQuery {
    /// The query checked: a reference the server knows, dates, from before to.
    pub fn pick(self) -> ApiResult<AreaPick> {
        let reference = reference_by_name(self.reference.as_deref().unwrap_or("sea"))?;
        let from = query::opt_date("from", self.from.as_deref())?;
        let to = query::opt_date("to", self.to.as_deref())?;
        check_range(from, to)?;
        Ok(AreaPick { source: self.source, reference, from, to })
    }
}

/// The `/api/area` answer: the rows of `series` dated within `from..=to`.
/// One function for the answer from the loaded state and the one at start
/// ([`crate::boot`]), so that both are the same bytes.
pub fn area_body(
    source: &frontline::SourceId,
    series: &AreaSeries,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Bytes {
    let picked: Vec<_> =
        series.rows.iter().filter(|r| from.is_none_or(|f| r.date >= f) && to.is_none_or(|t| r.date <= t)).collect();
    Bytes::from(
        json!({
            "source": source,
            "reference": series.reference,
            "reference_km2": series.reference_km2,
            "country_km2": series.country_km2,
            "rows": picked,
        })
        .to_string(),
    )
}

/// A source's whole area series within a reference: the one loaded from
/// the store's derived table when current, else computed once (on the
/// heavy pool, detached from the request so that a client giving up does
/// not throw it away) and then kept in the store for the next start.
pub async fn area_series(
    app: &Arc<AppState>,
    si: usize,
    ref_key: &'static str,
    reference: frontline::regions::Reference,
) -> ApiResult<Arc<AreaSeries>> {
    let cell = app.area_cell(si, ref_key)?;
    if let Some(s) = cell.get() {
        return Ok(s.clone());
    }
    let territory = app.reference(ref_key, reference.clone()).await?;
    let app2 = app.clone();
    let task = tokio::spawn(async move {
        cell.get_or_try_init(|| async move {
            let _permit = app2.heavy.acquire().await.map_err(|_| ApiError::unavailable("server shutting down"))?;
            let app3 = app2.clone();
            let series = blocking(move || {
                let snaps = &app3.sources[si].snapshots;
                let rows = area_rows(snaps, &territory, UKRAINE_OFFICIAL_KM2);
                let series = Arc::new(AreaSeries {
                    reference: territory.name.clone(),
                    reference_km2: territory.area_km2(),
                    country_km2: UKRAINE_OFFICIAL_KM2,
                    rows,
                });
                app3.keep_in_store(si, &reference, &series);
                Ok(series)
            })
            .await?;
            Ok::<_, ApiError>(series)
        })
        .await
        .cloned()
    });
    task.await.map_err(|e| ApiError::internal(format!("computation failed: {e}")))?
}

/// Starts computing every source's area series (within Ukraine incl. its
/// territorial sea, what the map draws) in the background, the default
/// source first, one after the other, so the map's chart does not wait
/// for it on first load or on a source switch. A series kept in the store
/// is ready at once.
pub fn warm_up(app: Arc<AppState>) {
    tokio::spawn(async move {
        let first = app.source(None).map(|(si, _)| si).ok();
        let order = first.into_iter().chain((0..app.sources.len()).filter(|&i| Some(i) != first));
        for si in order.collect::<Vec<_>>() {
            let _ = area_series(&app, si, "sea", frontline::regions::Reference::WithSea).await;
        }
    });
}

/// `?source=&every=&from=&to=&class=&reference=`
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ChangeQuery {
    /// Source name (default: the only one, else deepstate-daily, else deepstate).
    #[param(example = "deepstate-daily")]
    source: Option<String>,
    /// snapshot, day, week, month (default) or year.
    #[param(example = "month")]
    every: Option<String>,
    /// First date (YYYY-MM-DD), inclusive.
    #[param(example = "2025-01-01")]
    from: Option<String>,
    /// Last date (YYYY-MM-DD), inclusive.
    #[param(example = "2025-03-01")]
    to: Option<String>,
    /// occupied (default), gray, liberated or all.
    #[param(example = "occupied")]
    class: Option<String>,
    /// Reference territory: sea (default) or land.
    #[param(example = "sea")]
    reference: Option<String>,
}

#[utoipa::path(get, path = "/api/change", tag = "data", params(ChangeQuery),
    responses((status = 200, description = "OK", body = crate::openapi::ChangeBody, content_type = "application/json")))]
/// `GET /api/change`: gained, lost and net area per period
/// (`frontline::area::change` between the snapshots `period_pairs` picks).
pub async fn change_series(State(app): AppRef, Query(q): Query<ChangeQuery>) -> ApiResult<Response> {
    let (si, source) = app.source(q.source.as_deref())?;
    let every_text = q.every.clone().unwrap_or_else(|| "month".to_string());
    let every = Period::parse(&every_text).ok_or_else(|| {
        ApiError::bad_request(format!("every '{}': use snapshot, day, week, month or year", clip_text(&every_text)))
    })?;
    let from = query::opt_date("from", q.from.as_deref())?;
    let to = query::opt_date("to", q.to.as_deref())?;
    check_range(from, to)?;
    let (ref_key, reference) = reference_by_name(q.reference.as_deref().unwrap_or("sea"))?;
    // The CLI's choice of classes and periods (`frontline change`), over the loaded snapshots.
    let class_text = q.class.as_deref().unwrap_or("occupied");
    if class_text != "all" && ControlClass::parse(class_text).is_none() {
        return Err(ApiError::bad_request(format!(
            "class '{}': use occupied, gray, liberated or all",
            clip_text(class_text)
        )));
    }
    let classes = usecase::change_classes(&source.snapshots, &source.summary.source, class_text)?;
    let pairs = usecase::change_pairs(&source.snapshots, every, from, to);
    if pairs.len() * classes.len() > MAX_CHANGE_PERIODS {
        return Err(ApiError::bad_request(format!(
            "{} periods asked for; at most {MAX_CHANGE_PERIODS} per request: narrow from/to or use a longer step",
            pairs.len() * classes.len()
        )));
    }
    let key = format!("{si}|{every_text}|{from:?}|{to:?}|{classes:?}|{ref_key}");
    let cell = app.change_cell(key)?;
    let territory = app.reference(ref_key, reference).await?;
    let app3 = app.clone();
    let body = app
        .heavy_cached(cell, move || {
            let src = &app3.sources[si];
            let rows: Vec<_> = usecase::change_rows(&src.snapshots, &pairs, &classes, &territory)
                .into_iter()
                .map(|(r, _)| r)
                .collect();
            let body = json!({
                "source": src.summary.source, "reference": territory.name, "every": every_text, "rows": rows,
            });
            Ok(Bytes::from(body.to_string()))
        })
        .await?;
    Ok(json_body("application/json", body))
}

#[utoipa::path(get, path = "/api/basemap/{layer}", tag = "map", params(("layer" = String, Path, description = "countries, land, oblasts or rivers.", example = "oblasts")),
    responses((status = 200, description = "OK", body = crate::openapi::FeatureCollectionSchema, content_type = "application/geo+json")))]
/// `GET /api/basemap/{layer}`: a base-map layer as GeoJSON.
pub async fn basemap(State(app): AppRef, Path(layer): Path<String>) -> ApiResult<Response> {
    match app.basemap.get(layer.as_str()) {
        Some(body) => {
            let mut r = json_body("application/geo+json", body.clone());
            r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
            Ok(r)
        }
        None => Err(ApiError::not_found(format!(
            "no base layer '{}'; layers here: {}",
            clip_text(&layer),
            app.basemap.keys().copied().collect::<Vec<_>>().join(", ")
        ))),
    }
}
