//! `GET /api/compare` (two sources on a date: `frontline::compare`) and
//! `GET /api/audit` (a source's series: `frontline::audit`). Handlers only
//! select snapshots and serialise what the engine returns.

use crate::api::AppRef;
use crate::error::{ApiError, ApiResult};
use crate::query::{self, Query};
use crate::state::{blocking, clip_text, reference_by_name};
use axum::extract::State;
use axum::Json;
use frontline::audit::{audit_series, witness_source, AuditRules, Witness};
use frontline::compare::Pairing;
use frontline::usecase;
use frontline::{ControlClass, SourceId};
use serde::Deserialize;
use serde_json::{json, Value};

/// `?a=&b=&date=&class=&reference=`
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CompareQuery {
    /// Source A.
    #[param(example = "deepstate-daily")]
    a: String,
    /// Source B.
    #[param(example = "deepstate-daily")]
    b: String,
    /// The date (YYYY-MM-DD); each source's nearest snapshot is used.
    #[param(example = "2026-01-01")]
    date: String,
    /// occupied (default), gray or liberated.
    #[param(example = "occupied")]
    class: Option<String>,
    /// Reference territory: sea (default) or land.
    #[param(example = "sea")]
    reference: Option<String>,
}

fn class_of(text: Option<&str>) -> ApiResult<ControlClass> {
    let c = text.unwrap_or("occupied");
    ControlClass::parse(c)
        .ok_or_else(|| ApiError::bad_request(format!("class '{}': use occupied, gray or liberated", clip_text(c))))
}

#[utoipa::path(get, path = "/api/compare", tag = "compare", params(CompareQuery),
    responses((status = 200, description = "OK", body = crate::openapi::CompareBody, content_type = "application/json")))]
/// `GET /api/compare`: the snapshot of each source nearest to `date`, and
/// where they disagree (areas of A, B, both, A only, B only, the symmetric
/// difference, and how much of each difference the other draws as gray).
pub async fn compare_sources(State(app): AppRef, Query(q): Query<CompareQuery>) -> ApiResult<Json<Value>> {
    let (ai, _) = app.source(Some(&q.a))?;
    let (bi, _) = app.source(Some(&q.b))?;
    let date = query::date("date", &q.date)?;
    let class = class_of(q.class.as_deref())?;
    let (ref_key, reference) = reference_by_name(q.reference.as_deref().unwrap_or("sea"))?;
    let territory = app.reference(ref_key, reference).await?;
    let app2 = app.clone();
    let _permit = app.heavy.acquire().await.map_err(|_| ApiError::unavailable("server shutting down"))?;
    blocking(move || {
        let (a, b) = (&app2.sources[ai], &app2.sources[bi]);
        // The CLI's pairing (`frontline compare A B --on DATE`): each source's last snapshot of its nearest day.
        let compared = usecase::compare_snapshots(
            &a.summary.source,
            &b.summary.source,
            &a.snapshots,
            &b.snapshots,
            class,
            &territory,
            Pairing::On(date),
        )
        .map_err(|e| match e {
            frontline::Error::NotFound(_) => ApiError::not_found(format!(
                "{} or {} has no {class} layer near {date}; try class=occupied",
                a.summary.source, b.summary.source
            )),
            e => e.into(),
        })?;
        let row = compared.into_iter().next().map(|(_, _, row, _)| row).ok_or_else(|| {
            ApiError::not_found(format!("{} or {} has no snapshot", a.summary.source, b.summary.source))
        })?;
        Ok(Json(json!({ "date": date, "comparison": row })))
    })
    .await
}

/// `?source=&class=`
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Source name (default: the only one, else deepstate-daily, else deepstate).
    #[param(example = "deepstate-daily")]
    source: Option<String>,
    /// occupied (default), gray or liberated.
    #[param(example = "occupied")]
    class: Option<String>,
}

#[utoipa::path(get, path = "/api/audit", tag = "compare", params(AuditQuery),
    responses((status = 200, description = "OK", body = crate::openapi::AuditBody, content_type = "application/json")))]
/// `GET /api/audit`: gaps, repeated maps, drawing precision, implausible
/// jumps and redrawn layers of a source's series, with the rules used
/// (default thresholds; rejected files are only visible to the CLI, which
/// can read the source's folder).
pub async fn audit(State(app): AppRef, Query(q): Query<AuditQuery>) -> ApiResult<axum::response::Response> {
    let (si, _) = app.source(q.source.as_deref())?;
    let class = class_of(q.class.as_deref())?;
    let app2 = app.clone();
    // The series never changes while the server runs: computed once per source and class.
    let cell = app.change_cell(format!("audit|{si}|{class:?}"))?;
    let body = app
        .heavy_cached(cell, move || {
            let mut audit = audit_series(&app2.sources[si].snapshots, class, AuditRules::default());
            // Jumps the other publisher's map shows too are real changes (as the CLI's audit).
            let ids: Vec<SourceId> = app2.sources.iter().map(|s| s.summary.source.clone()).collect();
            if let Some(w) = witness_source(&app2.sources[si].summary.source, &ids) {
                if let Some(ws) = app2.sources.iter().find(|s| s.summary.source == w) {
                    audit.corroborate(&Witness::of(format!("{w} ({})", ws.summary.label), &ws.snapshots, class));
                }
            }
            let rules = audit.rules.describe(audit.median_net_km2_per_day, audit.median_churn_km2_per_day);
            Ok(axum::body::Bytes::from(json!({ "rules_in_words": rules, "audit": audit }).to_string()))
        })
        .await?;
    Ok(crate::api::json_body("application/json", body))
}

/// `?a=&b=&offsets=&class=&reference=`
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LagQuery {
    /// Source A.
    #[param(example = "deepstate-daily")]
    a: String,
    /// Source B.
    #[param(example = "deepstate-daily")]
    b: String,
    /// Whole-day offsets to try (A's date minus B's), MIN..MAX within -31..31, e.g. -3..5.
    #[param(example = "0..0")]
    offsets: String,
    /// occupied (default), gray or liberated.
    #[param(example = "occupied")]
    class: Option<String>,
    /// Reference territory: sea (default) or land.
    #[param(example = "sea")]
    reference: Option<String>,
}

/// Offsets a request may try: a month either way.
const MAX_LAG_OFFSET_DAYS: i64 = 31;

/// Parses `MIN..MAX` (whole days, e.g. `-3..5`; `0` alone is `0..0`).
fn offsets_of(text: &str) -> ApiResult<(i64, i64)> {
    let bad = || {
        ApiError::bad_request(format!(
            "offsets '{}': give a range of whole days, MIN..MAX, within -{MAX_LAG_OFFSET_DAYS}..{MAX_LAG_OFFSET_DAYS} \
             (e.g. offsets=-3..5)",
            clip_text(text)
        ))
    };
    let (lo, hi) = text.split_once("..").unwrap_or((text, text));
    let (min, max) = (lo.trim().parse::<i64>().map_err(|_| bad())?, hi.trim().parse::<i64>().map_err(|_| bad())?);
    if min > max || min.abs() > MAX_LAG_OFFSET_DAYS || max.abs() > MAX_LAG_OFFSET_DAYS {
        return Err(bad());
    }
    Ok((min, max))
}

#[utoipa::path(get, path = "/api/lag", tag = "compare", params(LagQuery),
    responses((status = 200, description = "OK", body = crate::openapi::LagBody, content_type = "application/json")))]
/// `GET /api/lag`: the whole-day offset that best aligns source A with
/// source B over their common dates (`frontline::lag::find_lag`, as
/// `frontline compare A B --lag`): every offset's mean symmetric
/// difference, the best and the runner-up, the votes, the sub-day vertex.
pub async fn lag(State(app): AppRef, Query(q): Query<LagQuery>) -> ApiResult<axum::response::Response> {
    let (ai, _) = app.source(Some(&q.a))?;
    let (bi, _) = app.source(Some(&q.b))?;
    let class = class_of(q.class.as_deref())?;
    let (min, max) = offsets_of(&q.offsets)?;
    let (ref_key, reference) = reference_by_name(q.reference.as_deref().unwrap_or("sea"))?;
    let territory = app.reference(ref_key, reference).await?;
    let app2 = app.clone();
    // The series never change while a state lives: computed once per question.
    let cell = app.change_cell(format!("lag|{ai}|{bi}|{class:?}|{ref_key}|{min}|{max}"))?;
    let body = app
        .heavy_cached(cell, move || {
            let (a, b) = (&app2.sources[ai], &app2.sources[bi]);
            let lag = frontline::lag::find_lag(&a.snapshots, &b.snapshots, class, &territory, min..=max)?;
            Ok(axum::body::Bytes::from(
                json!({ "a": a.summary.source, "b": b.summary.source, "class": class, "lag": lag }).to_string(),
            ))
        })
        .await?;
    Ok(crate::api::json_body("application/json", body))
}
