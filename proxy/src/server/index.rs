//! `GET /`: the landing page (the demo page in `feedframe demo`).

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::server::router::AppState;

pub(crate) async fn index(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        state.index_html.to_string(),
    )
        .into_response()
}
