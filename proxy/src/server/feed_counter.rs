//! Counts the GETs of feeds' JSON and first views for `/metrics` (only when metrics are on).

use axum::extract::{MatchedPath, Path, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

use crate::server::feed::STATUS_HEADER;
use crate::server::router::AppState;
use crate::telemetry;

/// Counts a GET of a feed's JSON or first view by endpoint, feed, HTTP code and the status of the
/// feed served (the `x-feedframe-status` header; `none` when no feed was served).
pub(crate) async fn count_feed_request(
    State(state): State<AppState>,
    matched: MatchedPath,
    Path(name): Path<String>,
    request: Request,
    next: Next,
) -> Response {
    let counted = request.method() != Method::OPTIONS;
    let response = next.run(request).await;
    if counted {
        let endpoint = match matched.as_str().rsplit('/').next() {
            Some("view") => "view",
            Some("embed") => "embed",
            _ => "json",
        };
        // Set by `feed_headers` from the served feed's status, never from the request.
        let status = response
            .headers()
            .get(STATUS_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("none");
        let feed = if state.feeds.knows(&name) {
            name.as_str()
        } else {
            telemetry::UNKNOWN_FEED
        };
        state
            .metrics
            .feed_request(endpoint, feed, response.status().as_u16(), status);
    }
    response
}
