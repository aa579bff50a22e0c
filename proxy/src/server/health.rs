//! `GET /healthz` for uptime monitors, and its CORS preflight.

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};

use crate::server::cors;
use crate::server::router::AppState;

/// `{"status": "ok"}`, or `"degraded"` with how many feeds need the owner (details, by design
/// not public: `feedframe token status`). Always 200 while the server works, for uptime monitors
/// that look for the word. Answered from memory: however often it is polled, it never touches
/// SQLite (see `catalog`).
pub(crate) async fn healthz(State(state): State<AppState>) -> Response {
    let body = match state.feeds.feeds_needing_attention() {
        0 => serde_json::json!({"status": "ok"}),
        n => serde_json::json!({"status": "degraded", "feeds_needing_attention": n}),
    };
    ([(header::CACHE_CONTROL, "no-store")], axum::Json(body)).into_response()
}

/// CORS preflight for `/healthz`: any origin.
pub(crate) async fn preflight(headers: HeaderMap) -> Response {
    cors::preflight(&[], &headers)
}
