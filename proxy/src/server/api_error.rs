//! Errors as clients see them: the shared JSON wire format, never cached.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use feedframe_feed::ApiErrorBody;

/// A JSON error in the shared wire format.
pub fn error_response(status: StatusCode, code: &str, message: &str) -> Response {
    let mut response = (status, axum::Json(ApiErrorBody::new(code, message))).into_response();
    let h = response.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Any path the router does not know.
pub(crate) async fn not_found() -> Response {
    error_response(StatusCode::NOT_FOUND, "not_found", "no such path")
}
