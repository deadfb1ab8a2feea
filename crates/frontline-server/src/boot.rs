//! The server's first second: the store is open and the socket listens
//! before every snapshot is decoded (about a second for the whole
//! DeepState history, more with every source), and `/api/area` is
//! answered at once from the area series the store keeps
//! ([`frontline::area_stored`]), the very rows the loaded state would
//! serve. Every other request waits for the load, then is answered as
//! usual.

use crate::api::{area_body, AreaPick, AreaQuery};
use crate::compress::Encoded;
use crate::error::{ApiError, ApiResult};
use crate::query::Query;
use crate::state::{ServerConfig, STORED_REFERENCES};
use axum::extract::State;
use axum::response::Response;
use frontline::area::UKRAINE_OFFICIAL_KM2;
use frontline::area_stored::{load_area_series_keyed, series_key, AreaSeries};
use frontline::store::Store;
use frontline::SourceId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What is known before the snapshots are loaded.
pub struct Boot {
    /// Every source in the store, by name order.
    sources: Vec<SourceId>,
    /// The area series the store keeps, by source and reference key.
    series: HashMap<(String, &'static str), Arc<AreaSeries>>,
    /// Bodies already answered, by query.
    bodies: Mutex<HashMap<String, Arc<Encoded>>>,
}

impl Boot {
    /// Reads the store's list of sources and the area series it keeps for
    /// their current layers (a few milliseconds: no snapshot is decoded).
    /// A store that cannot be read gives an empty boot (every request then
    /// waits for the load, which reports the problem).
    pub fn read(config: &ServerConfig) -> Boot {
        let mut boot = Boot { sources: vec![], series: HashMap::new(), bodies: Mutex::default() };
        let Ok(store) = Store::open_read_only(&config.db) else { return boot };
        let Ok(summaries) = store.sources() else { return boot };
        boot.sources = summaries.into_iter().map(|s| s.source).collect();
        let Some(data_dir) = &config.data_dir else { return boot };
        // The default source only: a source's fingerprint reads every one of
        // its layer records (0.1 s for the daily history); the others wait
        // for the load, which reads them anyway.
        let Some(source) = boot.source(None).cloned() else { return boot };
        let Ok(fingerprint) = store.source_fingerprint(&source) else { return boot };
        for (key, reference) in &STORED_REFERENCES {
            let kept = series_key(&fingerprint, reference, data_dir, UKRAINE_OFFICIAL_KM2)
                .and_then(|k| load_area_series_keyed(&store, &source, &k));
            if let Ok(Some(s)) = kept {
                boot.series.insert((source.as_str().to_string(), *key), Arc::new(s));
            }
        }
        boot
    }

    /// The source a request names, by the rule of [`crate::AppState::source`].
    fn source(&self, name: Option<&str>) -> Option<&SourceId> {
        match name {
            Some(n) => self.sources.iter().find(|s| s.as_str() == n),
            None if self.sources.len() == 1 => self.sources.first(),
            None => self.sources.iter().find(|s| s.as_str() == SourceId::DEEPSTATE_DAILY),
        }
    }

    fn pick(&self, q: AreaQuery) -> ApiResult<(&SourceId, Arc<AreaSeries>, AreaPick)> {
        let pick = q.pick()?;
        let source = self.source(pick.source.as_deref()).ok_or_else(|| ApiError::not_found("not known yet"))?;
        let series = self
            .series
            .get(&(source.as_str().to_string(), pick.reference.0))
            .ok_or_else(|| ApiError::not_found("not kept"))?;
        Ok((source, series.clone(), pick))
    }

    /// Whether `/api/area?{query}` can be answered before the load: a
    /// well-formed query about a source whose series the store keeps.
    pub fn answers(&self, query: Option<&str>) -> bool {
        serde_urlencoded::from_str::<AreaQuery>(query.unwrap_or("")).is_ok_and(|q| self.pick(q).is_ok())
    }
}

/// `GET /api/area` before the load ([`Boot::answers`] said it can).
pub async fn area(State(boot): State<Arc<Boot>>, Query(q): Query<AreaQuery>) -> ApiResult<Response> {
    let (source, series, pick) = boot.pick(q)?;
    let key = format!("{source}|{}|{:?}|{:?}", pick.reference.0, pick.from, pick.to);
    let kept = boot.bodies.lock().ok().and_then(|b| b.get(&key).cloned());
    let body = match kept {
        Some(b) => b,
        None => {
            let b = Encoded::new(area_body(source, &series, pick.from, pick.to));
            if let Ok(mut bodies) = boot.bodies.lock() {
                // Distinct queries are few; a flood of them must not grow memory without end.
                if bodies.len() >= 256 {
                    bodies.clear();
                }
                bodies.insert(key, b.clone());
            }
            b
        }
    };
    Ok(body.response("application/json"))
}
