//! Query strings: parsed strictly, with errors that name the parameter and
//! say what to send. Every field arrives as text and is converted here, so
//! that `zoom=abc` says "zoom" rather than "invalid digit".

use crate::error::ApiError;
use crate::state::clip_text;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::NaiveDate;
use serde::de::DeserializeOwned;

/// A query string deserialised into `T` (whose unknown fields are refused).
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        serde_urlencoded::from_str(q)
            .map(Query)
            .map_err(|e| ApiError::bad_request(format!("malformed query '{}': {e}", clip_text(q))))
    }
}

/// Parses a YYYY-MM-DD date named `what`.
pub fn date(what: &str, s: &str) -> Result<NaiveDate, ApiError> {
    // chrono accepts years of any length; a date the map can show has four digits.
    if s.len() == 10 {
        if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            return Ok(d);
        }
    }
    Err(ApiError::bad_request(format!("{what} '{}' is not a date: use YYYY-MM-DD, e.g. 2025-06-01", clip_text(s))))
}

/// Parses an optional date parameter.
pub fn opt_date(what: &str, s: Option<&str>) -> Result<Option<NaiveDate>, ApiError> {
    s.map(|s| date(what, s)).transpose()
}

/// The `zoom` parameter (default 6), capped at the first zoom that sends
/// the full geometry: every zoom past the last simplified one is the same.
pub fn zoom(z: Option<&str>) -> Result<u8, ApiError> {
    let zoom = match z {
        Some(z) => int_in("zoom", z, 0, u32::from(crate::geojson_out::MAX_ZOOM))?,
        None => 6,
    };
    Ok(u8::try_from(zoom).unwrap_or(0).min(crate::geojson_out::MAX_SIMPLIFIED_ZOOM + 1))
}

/// Parses a whole number in `lo..=hi`.
pub fn int_in(what: &str, s: &str, lo: u32, hi: u32) -> Result<u32, ApiError> {
    match s.parse::<u32>() {
        Ok(v) if (lo..=hi).contains(&v) => Ok(v),
        _ => Err(ApiError::bad_request(format!("{what} '{}': use a whole number from {lo} to {hi}", clip_text(s)))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_strict() {
        assert_eq!(date("d", "2025-06-01").unwrap(), NaiveDate::from_ymd_opt(2025, 6, 1).unwrap());
        for bad in ["2025-6-1", "2025-02-30", "20250601", "", "99999-01-01", "2025-06-01T00:00"] {
            let e = date("d", bad).unwrap_err();
            assert_eq!(e.status.as_u16(), 400, "{bad}");
            assert!(e.message.contains("YYYY-MM-DD"), "{}", e.message);
        }
    }

    #[test]
    fn ints_are_bounded() {
        assert_eq!(int_in("zoom", "7", 0, 22).unwrap(), 7);
        assert!(int_in("zoom", "23", 0, 22).is_err());
        assert!(int_in("zoom", "-1", 0, 22).is_err());
        assert!(int_in("zoom", "7.5", 0, 22).unwrap_err().message.contains("zoom"));
    }

    #[test]
    fn long_text_is_clipped_in_messages() {
        let e = date("d", &"x".repeat(10_000)).unwrap_err();
        assert!(e.message.len() < 200, "{}", e.message.len());
    }
}
