//! `GET /v1/feeds/{feed}` (the feed JSON) and its CORS preflight; the feed as served now and the
//! headers of everything made from it (the JSON, its first views).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::config::parse_feed_name;
use crate::error::ProxyError;
use crate::feeds::cache::Served;
use crate::server::api_error::error_response;
use crate::server::conditional::{if_none_match, not_modified};
use crate::server::cors::{self, cors};
use crate::server::router::AppState;

/// The status of the feed a response was made from (`live`, `stale`, …).
pub(crate) const STATUS_HEADER: &str = "x-feedframe-status";

/// How long a shared cache (a CDN, nginx) may keep serving a feed while every instance fails:
/// the last good posts beat an error page for a week.
const STALE_IF_ERROR_SECS: u64 = 7 * 86_400;

/// `GET /v1/feeds/{feed}`: the feed JSON, or `304` to a client that holds it.
pub(crate) async fn feed(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    let served = match served(&state, &name).await {
        Ok(served) => served,
        Err(response) => return response,
    };
    let out = feed_headers(&state, &served, &headers, "application/json", &served.etag);
    if if_none_match(&headers, &served.etag) {
        return not_modified(out);
    }
    (out, served.body.clone()).into_response()
}

/// CORS preflight (`OPTIONS`) for a feed: front-end code that sends custom headers (such as
/// `X-Requested-With`) asks first. Allowed origins as for `GET`; an unknown feed answers for any
/// origin, so its 404 can be read.
pub(crate) async fn preflight(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    let allowed = if parse_feed_name(&name).is_ok()
        && let Ok(served) = state.feeds.get(&name).await
    {
        served.allowed_origins.clone()
    } else {
        Vec::new()
    };
    cors::preflight(&allowed, &headers)
}

/// The feed `name` as served now, or the error response (unknown feed: 404).
pub(crate) async fn served(state: &AppState, name: &str) -> Result<Arc<Served>, Response> {
    let not_found = || {
        error_response(
            StatusCode::NOT_FOUND,
            "feed_not_found",
            &format!("feed '{name}' does not exist"),
        )
    };
    if parse_feed_name(name).is_err() {
        return Err(not_found());
    }
    match state.feeds.get(name).await {
        Ok(served) => Ok(served),
        Err(ProxyError::FeedNotFound(_)) => Err(not_found()),
        Err(e) => {
            tracing::error!(feed = %name, "cannot serve the feed: {e}");
            Err(error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the feed cannot be served right now",
            ))
        }
    }
}

/// The headers of anything made from a served feed (the JSON, its first view): the content
/// type, the ETag, caching for the rest of the TTL (in browsers and shared caches alike) then
/// stale-while-revalidate, stale-if-error for shared caches, the status and the feed's CORS.
pub(crate) fn feed_headers(
    state: &AppState,
    served: &Served,
    request: &HeaderMap,
    content_type: &'static str,
    etag: &str,
) -> HeaderMap {
    let mut out = HeaderMap::new();
    let now = crate::clock::now();
    let ttl = state.feeds.ttl_secs();
    let max_age = if served.fresh_until > now {
        (served.fresh_until - now).min(ttl)
    } else {
        0
    };
    out.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    out.insert(header::ETAG, HeaderValue::from_str(etag).expect("hex etag"));
    out.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_str(&format!(
            "public, max-age={max_age}, s-maxage={max_age}, stale-while-revalidate={ttl}, \
             stale-if-error={STALE_IF_ERROR_SECS}"
        ))
        .expect("ascii"),
    );
    out.insert(
        STATUS_HEADER,
        HeaderValue::from_static(served.status.as_str()),
    );
    cors(&served.allowed_origins, request, &mut out);
    out
}
