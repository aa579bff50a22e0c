//! CORS: per feed, any origin by default, else only the origins the owner listed
//! (`token add --allow-origin`); and the answer to a browser's preflight.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Per-feed CORS: any origin by default, else only the listed ones.
pub(crate) fn cors(allowed: &[String], request: &HeaderMap, out: &mut HeaderMap) {
    if allowed.is_empty() {
        out.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        return;
    }
    out.insert(header::VARY, HeaderValue::from_static("Origin"));
    let origin = request.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    if let Some(origin) = origin.filter(|o| allowed.iter().any(|a| a == o))
        && let Ok(v) = HeaderValue::from_str(origin)
    {
        out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
    }
}

/// `204` with the CORS answer for `allowed` origins; without `Access-Control-Allow-Origin` when the
/// origin is not allowed, so the browser refuses the request.
pub(crate) fn preflight(allowed: &[String], request: &HeaderMap) -> Response {
    let mut out = HeaderMap::new();
    cors(allowed, request, &mut out);
    out.insert(
        header::VARY,
        HeaderValue::from_static("Origin, Access-Control-Request-Headers"),
    );
    if out.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN) {
        out.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, HEAD, OPTIONS"),
        );
        if let Some(asked) = request.get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
            out.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, asked.clone());
        }
        out.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("86400"),
        );
    }
    (StatusCode::NO_CONTENT, out).into_response()
}
