//! Place search, a place's status timeline and the frontline of a date:
//! renderers over `frontline::places` and `frontline::front`. The gazetteer,
//! the status tables and the frontline extractor are built on first use
//! (and warmed up at start), then kept.

use crate::api::AppRef;
use crate::error::{ApiError, ApiResult};
use crate::geojson_out::{drawing, simplify_lines, tolerance_deg};
use crate::query::{self, Query};
use crate::state::{blocking, clip_text, AppState};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use frontline::encircle::CorridorParams;
use frontline::front::{sector_lengths, FrontExtractor, FrontOptions, Sectors, REPORTING_COAST_TOLERANCE_M};
use frontline::places::{stored, CaptureRule, Gazetteer, GazetteerSources, Place, StatusTable};
use frontline::regions::Reference;
use frontline::store::Store;
use frontline::usecase;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

/// The longest name a search accepts, characters.
pub const MAX_QUERY_CHARS: usize = 100;

/// The most matches a search returns.
pub const MAX_MATCHES: u32 = 50;

/// The place search's thresholds for capture dates (measures.md: 50 % and 95 %).
const THETAS: [f64; 2] = [0.5, 0.95];

/// The gazetteer, built once.
pub async fn gazetteer(app: &Arc<AppState>) -> ApiResult<Arc<Gazetteer>> {
    let Some(data_dir) = app.data_dir.clone() else {
        return Err(ApiError::unavailable("the shared data folder was not found at start: restart with --data DIR"));
    };
    if let Some(g) = app.gazetteer.get() {
        return Ok(g.clone());
    }
    // Built in its own task: a request that gives up (the 30 s limit) must
    // not throw the half-built gazetteer away for the next one to restart.
    let app2 = app.clone();
    let app4 = app.clone();
    let task = tokio::spawn(async move {
        app4.gazetteer
            .get_or_try_init(|| async move {
                let app = app2;
                let store_path = app.store_path.clone();
                blocking(move || {
                    // The CLI keeps a built gazetteer in the store; the server only
                    // reads it, and builds its own when the store has none.
                    let sources = GazetteerSources::shared(&data_dir);
                    let kept = Store::open_read_only(&store_path).and_then(|s| stored::gazetteer(&s, &sources, false));
                    match kept {
                        Ok(g) => Ok(Arc::new(g)),
                        Err(_) => Ok(Arc::new(Gazetteer::load(&sources)?.0)),
                    }
                })
                .await
            })
            .await
            .cloned()
    });
    task.await.map_err(|_| ApiError::internal("building the gazetteer failed"))?
}

/// Every place's status over a source's history, computed once per source.
pub async fn status_table(app: &Arc<AppState>, si: usize) -> ApiResult<Arc<StatusTable>> {
    let g = gazetteer(app).await?;
    let cell = app.status_cell(si)?;
    let app2 = app.clone();
    cell.get_or_try_init(|| async move {
        let _permit = app2.heavy.acquire().await.map_err(|_| ApiError::unavailable("server shutting down"))?;
        let app3 = app2.clone();
        blocking(move || {
            let source = &app3.sources[si].summary.source;
            // From the store when the CLI already computed it for these snapshots.
            let kept = app3.data_dir.as_ref().map(|d| GazetteerSources::shared(d)).map(|sources| {
                Store::open_read_only(&app3.store_path)
                    .and_then(|s| stored::status_table(&s, &mut (*g).clone(), &sources, source, false))
            });
            match kept.unwrap_or_else(|| Err(frontline::Error::Request("no data folder".into()))) {
                Ok(t) => Ok(Arc::new(t)),
                Err(_) => Ok(Arc::new(StatusTable::compute(&g, &app3.sources[si].snapshots)?)),
            }
        })
        .await
    })
    .await
    .cloned()
}

/// `?q=&limit=`
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// A settlement name in any common spelling, NAME@OBLAST (Mykolaivka@Donetsk) for one of several, or LON,LAT.
    #[param(required = true, example = "Pokrovsk")]
    q: Option<String>,
    /// At most this many matches (1-50, default 10).
    #[param(example = "10")]
    limit: Option<String>,
}

fn place_json(p: &Place) -> serde_json::Value {
    json!({
        "id": p.id, "name": p.name, "name_uk": p.name_uk, "oblast": p.oblast, "population": p.population,
        "class": p.class, "lon": p.lon, "lat": p.lat,
        "footprint": p.footprint.kind.describe(p.class_word()), "footprint_km2": p.footprint.area_m2 / 1e6,
        "osm_id": p.osm_id, "wikidata": p.wikidata, "geonames_id": p.geonames_id,
    })
}

#[utoipa::path(get, path = "/api/places", tag = "places", params(SearchQuery),
    responses((status = 200, description = "OK", body = crate::openapi::PlacesBody, content_type = "application/json")))]
/// `GET /api/places?q=NAME`: the places a name may mean (the engine's
/// lookup: exact, transliteration, typos), then names starting with it,
/// biggest first.
pub async fn search(State(app): AppRef, Query(q): Query<SearchQuery>) -> ApiResult<Json<serde_json::Value>> {
    let text = q.q.as_deref().map(str::trim).unwrap_or("");
    if text.is_empty() {
        return Err(ApiError::bad_request("give a name to search: ?q=Pokrovsk"));
    }
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::bad_request(format!("q is longer than {MAX_QUERY_CHARS} characters")));
    }
    let limit = match q.limit.as_deref() {
        Some(l) => query::int_in("limit", l, 1, MAX_MATCHES)?,
        None => 10,
    } as usize;
    let g = gazetteer(&app).await?;
    let text = text.to_string();
    let (resolved, matches) = blocking(move || {
        // The engine's search (the CLI's resolver, then names starting with the text).
        let found = frontline::usecase::places::search(&g, &text, limit);
        let resolved = match &found.resolved {
            Some(m) => json!({"id": m.place, "name": m.name, "oblast": m.oblast, "note": found.note}),
            None => json!({"id": null, "note": found.note}),
        };
        let matches: Vec<serde_json::Value> = found
            .matches
            .iter()
            .filter_map(|m| {
                let mut v = place_json(g.place(m.place)?);
                v["matched_name"] = json!(m.matched_name);
                v["how"] = json!(m.how);
                Some(v)
            })
            .collect();
        Ok((resolved, matches))
    })
    .await?;
    Ok(Json(json!({ "query": q.q, "resolved": resolved, "matches": matches })))
}

fn place_id(app: &Gazetteer, id: &str) -> ApiResult<usize> {
    match id.parse::<usize>() {
        Ok(i) if i < app.len() => Ok(i),
        _ => Err(ApiError::not_found(format!(
            "no place '{}': ids are 0..{} (find one with GET /api/places?q=NAME)",
            clip_text(id),
            app.len()
        ))),
    }
}

#[utoipa::path(get, path = "/api/places/{id}/timeline", tag = "places", params(("id" = String, Path, description = "A place id from /api/places.", example = "0"), crate::api::SourceQuery),
    responses((status = 200, description = "OK", body = crate::openapi::TimelineBody, content_type = "application/json")))]
/// `GET /api/places/{id}/timeline`: a place's occupied and gray fraction,
/// distance to hostile territory and status at every snapshot, its status
/// changes, and its capture and retake dates at 50 % and 95 % of the town occupied
/// (keys "50%" and "95%").
pub async fn timeline(
    State(app): AppRef,
    Path(id): Path<String>,
    Query(q): Query<crate::api::SourceQuery>,
) -> ApiResult<Response> {
    let (si, source) = app.source(q.source.as_deref())?;
    let g = gazetteer(&app).await?;
    let pid = place_id(&g, &id)?;
    let table = status_table(&app, si).await?;
    let p = g.place(pid).ok_or_else(|| ApiError::not_found(format!("no place {pid}")))?;
    let captures: serde_json::Map<String, serde_json::Value> = THETAS
        .iter()
        .map(|&t| (format!("{}%", (t * 100.0).round()), json!(table.control_changes(pid, CaptureRule::at(t)))))
        .collect();
    let first_capture: serde_json::Map<String, serde_json::Value> = THETAS
        .iter()
        .map(|&t| {
            (format!("{}%", (t * 100.0).round()), json!(table.first_capture(pid, CaptureRule::at(t)).map(|c| c.date)))
        })
        .collect();
    let body = json!({
        "source": source.summary.source,
        "place": place_json(p),
        "series": table.series(pid),
        "changes": table.timeline(pid),
        "captures": captures,
        "capture": first_capture,
    });
    Ok(Json(body).into_response())
}

/// The frontline extractor with the CLI's defaults (reference with its
/// sea, the land outline as coast, coast tolerance 3 km).
pub async fn extractor(app: &Arc<AppState>) -> ApiResult<Arc<FrontExtractor>> {
    let Some(data_dir) = app.data_dir.clone() else {
        return Err(ApiError::unavailable("the shared data folder was not found at start: restart with --data DIR"));
    };
    let reference = app.reference("sea", Reference::WithSea).await?;
    app.front_extractor
        .get_or_try_init(|| async move {
            blocking(move || {
                let options =
                    FrontOptions { coast_tolerance_m: REPORTING_COAST_TOLERANCE_M, ..FrontOptions::default() };
                Ok(Arc::new(usecase::front_extractor(&reference, &Reference::WithSea, &data_dir, options)?))
            })
            .await
        })
        .await
        .cloned()
}

/// `?source=&zoom=`
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FrontQuery {
    /// Source name (default: the only one, else deepstate-daily, else deepstate).
    #[param(example = "deepstate-daily")]
    source: Option<String>,
    /// Map zoom the line is drawn at (default 6).
    #[param(example = "6")]
    zoom: Option<String>,
}

#[utoipa::path(get, path = "/api/front/{date}", tag = "map", params(("date" = String, Path, description = "Snapshot date (YYYY-MM-DD), one of /api/dates.", example = "2026-01-01"), FrontQuery),
    responses((status = 200, description = "OK", body = crate::openapi::FeatureCollectionSchema, content_type = "application/geo+json")))]
/// `GET /api/front/{date}`: the frontline of a snapshot as a GeoJSON
/// MultiLineString with its geodesic length and its length per sector
/// (the engine's figures, on the full line; the line drawn is simplified).
pub async fn front(State(app): AppRef, Path(date): Path<String>, Query(q): Query<FrontQuery>) -> ApiResult<Response> {
    let date = query::date("date", &date)?;
    let (si, source) = app.source(q.source.as_deref())?;
    let zoom = query::zoom(q.zoom.as_deref())?;
    let (k, _) = source.snapshot_on(date)?;
    // Bit 7 of the class mask marks a frontline entry in the GeoJSON cache.
    let key = (si, k, zoom, 0x80);
    if let Some(body) = app.geo_cached(&key) {
        return Ok(body.response("application/geo+json"));
    }
    let ex = extractor(&app).await?;
    let app2 = app.clone();
    let body = blocking(move || {
        let s = &app2.sources[si].snapshots[k];
        let front = ex.frontline(s);
        let sectors = sector_lengths(&front.lines, &Sectors::default_towns());
        let lines = simplify_lines(&front.lines, tolerance_deg(zoom));
        let members = json!({
            "source": s.source, "date": front.date, "length_km": front.length_km, "sectors": sectors,
            "parameters": ex.options(), "reference": ex.reference_name(), "coast": ex.coast_name(), "zoom": zoom,
        });
        drawing(&members, [(json!({"class": "front", "length_km": front.length_km}), &lines)])
    })
    .await?;
    Ok(app.geo_store(key, body).response("application/geo+json"))
}

/// Builds the gazetteer and the default source's status table in the background.
pub fn warm_up(app: Arc<AppState>) {
    tokio::spawn(async move {
        if let Ok((si, _)) = app.source(None) {
            let _ = status_table(&app, si).await;
        }
    });
}

/// `?source=&from=&to=&with_gray=`
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CorridorQuery {
    /// Source name (default: the only one, else deepstate-daily, else deepstate).
    #[param(example = "deepstate-daily")]
    source: Option<String>,
    /// First date (YYYY-MM-DD), inclusive.
    #[param(example = "2025-06-01")]
    from: Option<String>,
    /// Last date (YYYY-MM-DD), inclusive.
    #[param(example = "2026-01-31")]
    to: Option<String>,
    /// true: also count the gray zone as hostile, beside the occupied-only figures.
    #[param(example = "true")]
    with_gray: Option<String>,
}

/// One date's corridor figures, small enough to send for every snapshot.
fn corridor_row(c: &frontline::encircle::Corridor) -> serde_json::Value {
    json!({"state": c.state, "width_m": c.width_m, "gap_m": usecase::pincer_gap_m(c), "length_m": c.length_m})
}

#[utoipa::path(get, path = "/api/places/{id}/corridor", tag = "places", params(("id" = String, Path, description = "A place id from /api/places.", example = "0"), CorridorQuery),
    responses((status = 200, description = "OK", body = crate::openapi::CorridorBody, content_type = "application/json")))]
/// `GET /api/places/{id}/corridor`: the way out of a place to the rear at
/// every snapshot in from..to (`frontline::encircle`, from the edge of the
/// place's footprint; 250 m cells, 60 km window, 25 km rear): state, width,
/// pincer gap and length, with `with_gray=true` the same with the gray zone
/// counted hostile beside them; and the whole measurement of the last date.
pub async fn corridor(
    State(app): AppRef,
    Path(id): Path<String>,
    Query(q): Query<CorridorQuery>,
) -> ApiResult<Response> {
    let (si, source) = app.source(q.source.as_deref())?;
    let from = query::opt_date("from", q.from.as_deref())?;
    let to = query::opt_date("to", q.to.as_deref())?;
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(ApiError::bad_request(format!("from {f} is after to {t}")));
        }
    }
    let with_gray = match q.with_gray.as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(o) => return Err(ApiError::bad_request(format!("with_gray={o}: use true or false"))),
    };
    let g = gazetteer(&app).await?;
    let pid = place_id(&g, &id)?;
    let key = format!("corridor|{si}|{pid}|{from:?}|{to:?}|{with_gray}");
    let cell = app.change_cell(key)?;
    let reference = app.reference("sea", Reference::WithSea).await?;
    let app3 = app.clone();
    let src_name = source.summary.source.clone();
    let body = app
        .heavy_cached(cell, move || {
            let p = g.place(pid).ok_or_else(|| ApiError::not_found(format!("no place {pid}")))?;
            let snaps = usecase::snapshots_between(&app3.sources[si].snapshots, from, to);
            if snaps.is_empty() {
                return Err(ApiError::not_found(format!("no {src_name} snapshot between from and to")));
            }
            // The CLI's corridor series (`frontline corridor NAME`) from the place's footprint; a
            // source without a gray zone answers the occupied-only figures with `with_gray` null.
            let with_gray = with_gray && snaps.iter().any(|s| s.layer(frontline::ControlClass::Gray).is_some());
            let start = usecase::CorridorStart::Area(p.footprint.geometry.clone());
            let series =
                usecase::corridor_series(&reference, &start, CorridorParams::default(), with_gray, &src_name, snaps)?;
            let rows: Vec<serde_json::Value> = series
                .iter()
                .map(|c| {
                    let mut row = corridor_row(&c.occupied_only);
                    row["date"] = json!(c.date);
                    row["with_gray"] = c.with_gray.as_ref().map_or(serde_json::Value::Null, corridor_row);
                    row
                })
                .collect();
            let last = series.last().map(|c| &c.occupied_only);
            let last_with_gray = series.last().and_then(|c| c.with_gray.as_ref());
            Ok(Bytes::from(
                json!({
                    "source": src_name, "place": place_json(p), "reference": reference.name,
                    "besieged_area": "the place's footprint (OSM outline or population disc)",
                    "params": last.map(|c| c.params), "rows": rows, "last": last, "last_with_gray": last_with_gray,
                })
                .to_string(),
            ))
        })
        .await?;
    Ok(crate::api::json_body("application/json", body))
}
