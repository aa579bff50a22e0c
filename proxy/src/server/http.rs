//! The HTTP API: `GET /v1/feeds/{feed}`, its first view (`/view`, `/embed`, see
//! [`crate::server::first_view`]), `GET /media/{file}` (mirrored images), `GET /healthz`, the widget's
//! files and the demo page.

use std::sync::Arc;

use axum::Router;
use axum::extract::{MatchedPath, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use feedframe_feed::ApiErrorBody;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use crate::config::parse_feed_name;
use crate::console::{self, Console};
use crate::error::ProxyError;
use crate::feeds::cache::{Feeds, Served};
use crate::media::files::{CACHE_CONTROL, MediaFiles, MediaName};
use crate::server::first_view::{self, FirstViews};
use crate::server::widget_assets::WidgetAssets;
use crate::telemetry::{self, Metrics};

/// The status of the feed a response was made from (`live`, `stale`, …).
const STATUS_HEADER: &str = "x-feedframe-status";

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub feeds: Arc<Feeds>,
    /// The mirrored images (the data directory or a bucket).
    pub media: Arc<MediaFiles>,
    pub widget: Arc<WidgetAssets>,
    /// Rendered first views, by feed version and options.
    pub views: Arc<FirstViews>,
    /// The page served at `/` (the demo page in `feedframe demo`).
    pub index_html: Arc<str>,
    /// The owner's console at `/admin`.
    pub console: Arc<Console>,
    /// Feed requests are counted here (`/metrics`, on its own listener).
    pub metrics: Metrics,
}

/// The whole HTTP surface; tests call it directly.
pub fn router(state: AppState) -> Router {
    let feeds = Router::new()
        .route("/v1/feeds/{feed}", get(feed).options(feed_preflight))
        .route("/v1/feeds/{feed}/view", get(first_view::fragment))
        .route("/v1/feeds/{feed}/embed", get(first_view::embed));
    let feeds = if state.metrics.is_on() {
        feeds.route_layer(middleware::from_fn_with_state(
            state.clone(),
            count_feed_request,
        ))
    } else {
        feeds
    };
    Router::new()
        .route("/", get(index))
        .route("/healthz", get(healthz).options(healthz_preflight))
        .merge(feeds)
        .route("/media/{file}", get(media_file))
        .route("/widget.js", get(widget_loader))
        .route("/widget/{file}", get(widget_file))
        .merge(console::router(&state))
        .merge(crate::meta::router())
        .fallback(not_found)
        .layer(CompressionLayer::new().gzip(true).br(true))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn index(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        state.index_html.to_string(),
    )
        .into_response()
}

/// `{"status": "ok"}`, or `"degraded"` with how many feeds need the owner (details, by design
/// not public: `feedframe token status`). Always 200 while the server works, for uptime monitors
/// that look for the word. Answered from memory: however often it is polled, it never touches
/// SQLite (see `catalog`).
async fn healthz(State(state): State<AppState>) -> Response {
    let body = match state.feeds.feeds_needing_attention() {
        0 => serde_json::json!({"status": "ok"}),
        n => serde_json::json!({"status": "degraded", "feeds_needing_attention": n}),
    };
    ([(header::CACHE_CONTROL, "no-store")], axum::Json(body)).into_response()
}

/// Counts a GET of a feed's JSON or first view by endpoint, feed, HTTP code and the status of the
/// feed served (the `x-feedframe-status` header; `none` when no feed was served).
async fn count_feed_request(
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

async fn not_found() -> Response {
    error_response(StatusCode::NOT_FOUND, "not_found", "no such path")
}

async fn feed(
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
        return (StatusCode::NOT_MODIFIED, out).into_response();
    }
    (out, served.body.clone()).into_response()
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

/// How long a shared cache (a CDN, nginx) may keep serving a feed while every instance fails:
/// the last good posts beat an error page for a week.
const STALE_IF_ERROR_SECS: u64 = 7 * 86_400;

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

/// A mirrored image. Names are content addresses, so a response never changes: cached for a
/// year, immutable, with the name as a strong ETag.
async fn media_file(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let missing = || {
        error_response(
            StatusCode::NOT_FOUND,
            "media_not_found",
            "no such media file",
        )
    };
    let Some(name) = MediaName::parse(&file) else {
        return missing();
    };
    let etag = format!("\"{}\"", name.file_name());
    let mut out = HeaderMap::new();
    out.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(name.format.mime()),
    );
    out.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
    out.insert(
        header::ETAG,
        HeaderValue::from_str(&etag).expect("the name is ascii"),
    );
    out.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    out.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // The name is the content: a client holding it needs no byte of the file.
    if if_none_match(&headers, &etag) {
        return (StatusCode::NOT_MODIFIED, out).into_response();
    }
    let bytes = match state.media.read(&name).await {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return missing(),
        Err(e) => {
            tracing::error!(file = %file, "cannot read a media file: {e}");
            return error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the image cannot be served right now",
            );
        }
    };
    (out, bytes).into_response()
}

/// Whether `If-None-Match` lists `etag` (or `*`).
pub(crate) fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
}

/// Per-feed CORS: any origin by default, else only the listed ones.
fn cors(allowed: &[String], request: &HeaderMap, out: &mut HeaderMap) {
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

async fn widget_loader(State(state): State<AppState>, headers: HeaderMap) -> Response {
    state.widget.conditional("widget.js", true, &headers)
}

async fn widget_file(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    state.widget.conditional(&file, false, &headers)
}

/// CORS preflight (`OPTIONS`) for a feed: front-end code that sends custom headers (such as
/// `X-Requested-With`) asks first. Allowed origins as for `GET`; an unknown feed answers for any
/// origin, so its 404 can be read.
async fn feed_preflight(
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
    preflight(&allowed, &headers)
}

/// CORS preflight for `/healthz`: any origin.
async fn healthz_preflight(headers: HeaderMap) -> Response {
    preflight(&[], &headers)
}

/// `204` with the CORS answer for `allowed` origins; without `Access-Control-Allow-Origin` when the
/// origin is not allowed, so the browser refuses the request.
fn preflight(allowed: &[String], request: &HeaderMap) -> Response {
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
