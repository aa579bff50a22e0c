//! Meta's callbacks for the Instagram app: `POST /instagram/deauthorize` (an account removed
//! FeedFrame: its feeds' tokens are marked revoked) and `POST /instagram/data-deletion` (an
//! account asked for its data to go: its feeds, posts, history and images are deleted), with the
//! deletion's public status page at `GET /instagram/data-deletion/{code}`.
//!
//! Meta's servers call them: no console session, no CSRF; each request proves itself with a
//! `signed_request` ([`signed_request`]) made with the Instagram app secret.

pub mod callbacks;
pub mod deletions;
pub mod signed_request;

use axum::Router;
use axum::routing::{get, post};

use crate::server::AppState;

/// The callbacks' public routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/instagram/deauthorize", post(callbacks::deauthorize))
        .route("/instagram/data-deletion", post(callbacks::data_deletion))
        .route(
            "/instagram/data-deletion/{code}",
            get(callbacks::deletion_status),
        )
}
