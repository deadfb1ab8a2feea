//! Routes the web map needs beyond the data API: settlement labels drawn
//! offline (`/api/labels`), what is at a clicked point (`/api/here`), and
//! the polygons of a comparison. The engine does the work (`frontline::here`,
//! the gazetteer, the status table, the frontline extractor); these
//! handlers only select and serialise.

use crate::api::AppRef;
use crate::error::{ApiError, ApiResult};
use crate::geojson_out::{drawing, simplify_multipolygon, tolerance_deg};
use crate::query::{self, Query};
use crate::state::blocking;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use frontline::area::change;
use frontline::compare::{compare, nearest};
use frontline::here::{class_at, distance_to_lines_m, nearest_place};
use frontline::ControlClass;
use geo::Coord;
use serde::Deserialize;
use serde_json::{json, Value};

/// The smallest settlement labelled on the map (people): below it labels
/// only crowd the map, and the answer stays small.
pub const LABEL_MIN_POPULATION: u64 = 1_000;

/// The smallest settlement named as "nearest town" after a click.
pub const HERE_MIN_POPULATION: u64 = 500;

#[utoipa::path(get, path = "/api/labels", tag = "map",
    responses((status = 200, description = "OK", body = crate::openapi::LabelsBody, content_type = "application/json")))]
/// `GET /api/labels`: settlements of at least [`LABEL_MIN_POPULATION`]
/// people, biggest first, as rows of `fields` (the map picks by zoom).
pub async fn labels(State(app): AppRef) -> ApiResult<Response> {
    let g = crate::places::gazetteer(&app).await?;
    let body = blocking(move || {
        let mut places: Vec<_> = g.places().iter().filter(|p| p.population >= LABEL_MIN_POPULATION).collect();
        places.sort_by_key(|p| std::cmp::Reverse(p.population));
        // Coordinates to 1e-4° (about 10 m): plenty for a label.
        let r4 = |x: f64| (x * 1e4).round() / 1e4;
        let rows: Vec<Value> =
            places.iter().map(|p| json!([p.id, p.name, p.name_uk, p.population, r4(p.lon), r4(p.lat)])).collect();
        Ok(Bytes::from(
            json!({
                "fields": ["id", "name", "name_uk", "population", "lon", "lat"],
                "min_population": LABEL_MIN_POPULATION,
                "rows": rows,
            })
            .to_string(),
        ))
    })
    .await?;
    let mut r = crate::api::json_body("application/json", body);
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    Ok(r)
}

/// `?lon=&lat=&date=&source=`
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HereQuery {
    /// Longitude, decimal degrees.
    #[param(example = "37.18")]
    lon: String,
    /// Latitude, decimal degrees.
    #[param(example = "48.28")]
    lat: String,
    /// The date of one of the source's snapshots (YYYY-MM-DD; GET /api/dates lists them).
    #[param(example = "2026-01-01")]
    date: String,
    /// Source name (default: the only one, else deepstate-daily, else deepstate).
    #[param(example = "deepstate-daily")]
    source: Option<String>,
}

fn coordinate(what: &str, text: &str, lo: f64, hi: f64) -> ApiResult<f64> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && (lo..=hi).contains(&v) => Ok(v),
        _ => Err(ApiError::bad_request(format!(
            "{what} '{}': give decimal degrees between {lo} and {hi}",
            crate::state::clip_text(text)
        ))),
    }
}

#[utoipa::path(get, path = "/api/here", tag = "map", params(HereQuery),
    responses((status = 200, description = "OK", body = crate::openapi::HereBody, content_type = "application/json")))]
/// `GET /api/here`: at a point on a date, the class the source draws
/// there, the distance to its frontline, and the nearest settlement with
/// its status on that date.
pub async fn here(State(app): AppRef, Query(q): Query<HereQuery>) -> ApiResult<Json<Value>> {
    let lon = coordinate("lon", &q.lon, -180.0, 180.0)?;
    let lat = coordinate("lat", &q.lat, -90.0, 90.0)?;
    let date = query::date("date", &q.date)?;
    let (si, source) = app.source(q.source.as_deref())?;
    let (k, snap) = source.snapshot_on(date)?;
    let snap_date = snap.date();
    let at = Coord { x: lon, y: lat };
    let g = crate::places::gazetteer(&app).await?;
    // The status table takes a while to build for a source never asked
    // about: a click does not wait for it (the town's status is then
    // null), it starts it in the background for the next click.
    let table = app.status_cell(si)?.get().cloned();
    if table.is_none() {
        let app3 = app.clone();
        tokio::spawn(async move {
            let _ = crate::places::status_table(&app3, si).await;
        });
    }
    let ex = crate::places::extractor(&app).await?;
    let app2 = app.clone();
    blocking(move || {
        let s = &app2.sources[si].snapshots[k];
        let class = class_at(s, at);
        let front = ex.frontline(s);
        let front_m = distance_to_lines_m(at, &front.lines);
        let town = nearest_place(&g, at, HERE_MIN_POPULATION).and_then(|(pid, d)| {
            let p = g.place(pid)?;
            let status = table.as_ref().and_then(|t| t.snapshot_at(snap_date).map(|i| t.point(pid, i)));
            Some(json!({
                "id": p.id, "name": p.name, "name_uk": p.name_uk, "oblast": p.oblast, "population": p.population,
                "lon": p.lon, "lat": p.lat, "distance_m": d, "status": status,
            }))
        });
        Ok(Json(json!({
            "source": s.source, "date": snap_date, "lon": lon, "lat": lat,
            "class": class, "distance_to_front_m": front_m, "nearest_town": town,
        })))
    })
    .await
}

/// `?source=&from=&to=&zoom=` (from and to: snapshot dates)
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GainedLostQuery {
    /// Source name.
    #[param(example = "deepstate-daily")]
    source: Option<String>,
    /// The earlier snapshot's date.
    #[param(example = "2026-06-01")]
    from: String,
    /// The later snapshot's date.
    #[param(example = "2026-08-22")]
    to: String,
    /// Map zoom the drawing is simplified for (3-13).
    #[param(example = "7")]
    zoom: Option<String>,
}

fn geo_body(body: Bytes) -> Response {
    let mut r = body.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/geo+json"));
    r
}

/// Two polygons as a FeatureCollection with `kind` and `km2` properties,
/// simplified for drawing at `zoom` (the areas are the engine's, on the
/// full geometry).
fn two_layers(parts: [(&str, &geo::MultiPolygon<f64>, f64); 2], zoom: u8, members: &Value) -> ApiResult<Bytes> {
    let tolerance = tolerance_deg(zoom);
    let simplified =
        parts.map(|(kind, g, km2)| (json!({"kind": kind, "km2": km2}), simplify_multipolygon(g, tolerance)));
    drawing(members, simplified.iter().map(|(p, g)| (p, g)))
}

#[utoipa::path(get, path = "/api/gained-lost", tag = "map", params(GainedLostQuery),
    responses((status = 200, description = "OK", body = crate::openapi::FeatureCollectionSchema, content_type = "application/geo+json")))]
/// `GET /api/gained-lost`: the occupied area gained and lost between two
/// snapshots of a source, as polygons (`frontline::area::change`).
pub async fn gained_lost(State(app): AppRef, Query(q): Query<GainedLostQuery>) -> ApiResult<Response> {
    let (si, source) = app.source(q.source.as_deref())?;
    let (ka, _) = source.snapshot_on(query::date("from", &q.from)?)?;
    let (kb, _) = source.snapshot_on(query::date("to", &q.to)?)?;
    let zoom = query::zoom(q.zoom.as_deref())?;
    let territory = app.reference("sea", frontline::regions::Reference::WithSea).await?;
    let cell = app.change_cell(format!("gained-lost|{si}|{ka}|{kb}|{zoom}"))?;
    let app2 = app.clone();
    let body = app
        .heavy_cached(cell, move || {
            let snaps = &app2.sources[si].snapshots;
            let (a, b) = (&snaps[ka], &snaps[kb]);
            let (row, g) = change("", a, b, ControlClass::Occupied, &territory)
                .ok_or_else(|| ApiError::not_found("this source has no occupied layer"))?;
            let members = json!({"source": a.source, "from": a.date(), "to": b.date(), "reference": territory.name,
                "gained_km2": row.gained_km2, "lost_km2": row.lost_km2, "net_km2": row.net_km2, "zoom": zoom});
            two_layers([("gained", &g.gained, row.gained_km2), ("lost", &g.lost, row.lost_km2)], zoom, &members)
        })
        .await?;
    Ok(geo_body(body))
}

/// `?a=&b=&date=&zoom=`
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DisagreeQuery {
    /// Source A.
    #[param(example = "deepstate-daily")]
    a: String,
    /// Source B.
    #[param(example = "deepstate-daily")]
    b: String,
    /// The date (YYYY-MM-DD).
    #[param(example = "2025-06-01")]
    date: String,
    /// Map zoom the drawing is simplified for (3-13).
    #[param(example = "7")]
    zoom: Option<String>,
}

#[utoipa::path(get, path = "/api/compare/geometry", tag = "compare", params(DisagreeQuery),
    responses((status = 200, description = "OK", body = crate::openapi::FeatureCollectionSchema, content_type = "application/geo+json")))]
/// `GET /api/compare/geometry`: where two sources disagree on a date (each
/// source's nearest snapshot), as polygons: occupied by A only, by B only
/// (`frontline::compare`), with the comparison's figures as members.
pub async fn disagreement(State(app): AppRef, Query(q): Query<DisagreeQuery>) -> ApiResult<Response> {
    let (ai, _) = app.source(Some(&q.a))?;
    let (bi, _) = app.source(Some(&q.b))?;
    let date = query::date("date", &q.date)?;
    let zoom = query::zoom(q.zoom.as_deref())?;
    let territory = app.reference("sea", frontline::regions::Reference::WithSea).await?;
    let (a, b) = (&app.sources[ai], &app.sources[bi]);
    let (Some(i), Some(j)) = (nearest(&a.dates, date), nearest(&b.dates, date)) else {
        return Err(ApiError::not_found("a source has no snapshots"));
    };
    let (ka, kb) = (a.date_snapshot[i], b.date_snapshot[j]);
    let cell = app.change_cell(format!("disagree|{ai}|{ka}|{bi}|{kb}|{zoom}"))?;
    let app2 = app.clone();
    let body = app
        .heavy_cached(cell, move || {
            let (sa, sb) = (&app2.sources[ai].snapshots[ka], &app2.sources[bi].snapshots[kb]);
            let (row, d) = compare(sa, sb, ControlClass::Occupied, &territory)
                .ok_or_else(|| ApiError::not_found("a source has no occupied layer"))?;
            let members = json!({"date": date, "comparison": row, "zoom": zoom});
            two_layers([("a_only", &d.a_only, row.a_only_km2), ("b_only", &d.b_only, row.b_only_km2)], zoom, &members)
        })
        .await?;
    Ok(geo_body(body))
}
