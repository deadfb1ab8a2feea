//! `/api/check`: sentences in, verdicts with evidence out — a renderer over
//! `frontline::claims` (the same engine calls as `frontline check`).

use crate::api::AppRef;
use crate::error::{ApiError, ApiResult};
use crate::query::{self, Query};
use crate::state::blocking;
use axum::extract::State;
use axum::Json;
use frontline::claims::check::{CheckOptions, Checker};
use frontline::claims::text::extract;
use frontline::store::Store;
use serde::Deserialize;
use serde_json::{json, Value};

/// The longest text a request may check, characters (a long article).
pub const MAX_TEXT_CHARS: usize = 20_000;

/// `?text=&as_of=&window_days=`
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CheckQuery {
    /// The text, at most 20,000 characters.
    #[param(example = "Russia occupies almost a fifth of Ukraine.")]
    text: String,
    /// The article's date (YYYY-MM-DD), for claims whose sentence names none.
    #[param(example = "2026-01-01")]
    as_of: Option<String>,
    /// Dates within ± this many days are tried as an alternative (0-60, default 7).
    #[param(example = "7")]
    window_days: Option<String>,
}

#[utoipa::path(get, path = "/api/check", tag = "check", params(CheckQuery),
    responses((status = 200, description = "OK", body = crate::openapi::CheckBody, content_type = "application/json")))]
/// `GET /api/check`: checks the claims of a text (English or Ukrainian sentences): each checkable
/// claim (share or area of the country or an oblast, a settlement captured, liberated, encircled
/// or held, area gained in a period, corridor width, frontline length) with its verdict, the band
/// its own rounding allows, every convention tried and the snapshot dates used. Claims without a
/// date in the sentence are checked at as_of, never at today's map.
pub async fn check(State(app): AppRef, Query(q): Query<CheckQuery>) -> ApiResult<Json<Value>> {
    if q.text.chars().count() > MAX_TEXT_CHARS {
        return Err(ApiError::bad_request(format!(
            "text is longer than {MAX_TEXT_CHARS} characters; check an article at a time"
        )));
    }
    let as_of = query::opt_date("as_of", q.as_of.as_deref())?;
    let window_days = match q.window_days.as_deref() {
        Some(w) => i64::from(query::int_in("window_days", w, 0, 60)?),
        None => 7,
    };
    let Some(data_dir) = app.data_dir.clone() else {
        return Err(ApiError::unavailable("the shared data folder was not found at start: restart with --data DIR"));
    };
    let store_path = app.store_path.clone();
    // The server's own gazetteer, built once and shared with place search.
    let gazetteer = crate::places::gazetteer(&app).await?;
    let _permit = app.heavy.acquire().await.map_err(|_| ApiError::unavailable("server shutting down"))?;
    blocking(move || {
        // The server never writes the store: the checker only reads it.
        let store = Store::open_read_only(&store_path)?;
        let opts = CheckOptions { window_days, ..CheckOptions::default() };
        let checker = Checker::new(&store, data_dir, opts)?.with_gazetteer(gazetteer);
        let found = extract(&q.text, as_of, checker.place_names()?);
        let checked = checker.check_all(&found.claims);
        Ok(Json(json!({
            "sentences": found.sentences,
            "skipped_sentences": found.skipped,
            "as_of": as_of,
            "claims": checked,
        })))
    })
    .await
}
