//! Every failure a client can see: a status and a sentence saying what was
//! wrong and what to send instead, as JSON `{"error": ..., "status": ...}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// An HTTP error with a message meant for the person reading it.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The status returned.
    pub status: StatusCode,
    /// What was wrong, and what to do instead.
    pub message: String,
}

impl ApiError {
    /// 400: the request cannot be understood as sent.
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError { status: StatusCode::BAD_REQUEST, message: message.into() }
    }

    /// 404: nothing at this address (unknown date, source, place, route).
    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError { status: StatusCode::NOT_FOUND, message: message.into() }
    }

    /// 500: a fault of the server, not of the request.
    pub fn internal(message: impl Into<String>) -> Self {
        ApiError { status: StatusCode::INTERNAL_SERVER_ERROR, message: message.into() }
    }

    /// 503: the server cannot answer this now (busy, or a part not available).
    pub fn unavailable(message: impl Into<String>) -> Self {
        ApiError { status: StatusCode::SERVICE_UNAVAILABLE, message: message.into() }
    }
}

impl From<frontline::Error> for ApiError {
    /// An invalid argument is the client's to fix (400), a missing thing
    /// is 404, everything else the server's fault (500).
    fn from(e: frontline::Error) -> Self {
        match e.kind() {
            frontline::error::ErrorKind::InvalidArgument => ApiError::bad_request(e.to_string()),
            frontline::error::ErrorKind::NotFound => ApiError::not_found(e.to_string()),
            frontline::error::ErrorKind::Internal => ApiError::internal(e.to_string()),
        }
    }
}

/// Seconds a client is told to wait (`Retry-After`) when the server is busy.
pub const RETRY_AFTER_S: u64 = 15;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = crate::openapi::ErrorBody { error: self.message, status: self.status.as_u16() };
        let mut r = (self.status, Json(body)).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            r.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(RETRY_AFTER_S));
        }
        r
    }
}

/// The result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_errors_map_to_their_status() {
        let status = |e: frontline::Error| ApiError::from(e).status;
        assert_eq!(status(frontline::Error::Request("radius must be positive".into())), StatusCode::BAD_REQUEST);
        assert_eq!(status(frontline::Error::NotFound("no snapshots of source 'x'".into())), StatusCode::NOT_FOUND);
        assert_eq!(
            status(frontline::Error::Internal("stored table does not match".into())),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        let store = frontline::Error::Store { path: "s.db".into(), problem: "disk I/O error".into() };
        assert_eq!(status(store), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
