//! The whole HTTP surface in one `Router`, and the state every handler can reach.

use std::sync::Arc;

use axum::Router;
use axum::middleware;
use axum::routing::get;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::trace::TraceLayer;

use crate::console::{self, Console};
use crate::feeds::cache::Feeds;
use crate::media::files::MediaFiles;
use crate::server::first_view::{self, FirstViews};
use crate::server::widget_assets::{self, WidgetAssets};
use crate::server::{api_error, feed, feed_counter, health, index, media_file};
use crate::telemetry::Metrics;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub feeds: Arc<Feeds>,
    /// The mirrored images and videos.
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
        .route("/v1/feeds/{feed}", get(feed::feed).options(feed::preflight))
        .route("/v1/feeds/{feed}/view", get(first_view::fragment))
        .route("/v1/feeds/{feed}/embed", get(first_view::embed));
    let feeds = if state.metrics.is_on() {
        feeds.route_layer(middleware::from_fn_with_state(
            state.clone(),
            feed_counter::count_feed_request,
        ))
    } else {
        feeds
    };
    Router::new()
        .route("/", get(index::index))
        .route("/healthz", get(health::healthz).options(health::preflight))
        .merge(feeds)
        .route("/media/{file}", get(media_file::media_file))
        .route("/widget.js", get(widget_assets::loader))
        .route("/widget/{file}", get(widget_assets::file))
        .merge(console::router(&state))
        .merge(crate::meta::router())
        .fallback(api_error::not_found)
        // Never videos (already compressed, and served by byte range), nor images.
        .layer(
            CompressionLayer::new()
                .gzip(true)
                .br(true)
                .compress_when(DefaultPredicate::new().and(NotForContentType::const_new("video/"))),
        )
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
