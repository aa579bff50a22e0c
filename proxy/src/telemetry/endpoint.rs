//! The metrics listener's HTTP surface: `GET /metrics` and nothing else. Counters come from the
//! server's recorder; token expiry and mirrored bytes are read from the store and the media
//! store (directory or bucket) at each request, so they are never out of date (a removed feed disappears).

use std::fmt::Write as _;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::{MEDIA_BUDGET_BYTES, MEDIA_BYTES, Metrics, TOKEN_DAYS_LEFT};
use crate::clock;
use crate::error::ProxyError;
use crate::media::files::MediaFiles;
use crate::store::{Store, TokenState};

/// The text format's content type (Prometheus exposition format 0.0.4).
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// What `/metrics` reads.
#[derive(Clone)]
pub struct Scrape {
    pub metrics: Metrics,
    pub store: Arc<Store>,
    pub media: Arc<MediaFiles>,
    /// The media disk budget in bytes.
    pub media_budget: u64,
}

/// `GET /metrics`; any other path answers 404.
pub fn router(scrape: Scrape) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .fallback(|| async { (StatusCode::NOT_FOUND, "not found: see /metrics\n") })
        .with_state(scrape)
}

async fn metrics(State(scrape): State<Scrape>) -> Response {
    match render(&scrape).await {
        Ok(text) => (
            [
                (header::CONTENT_TYPE, CONTENT_TYPE),
                (header::CACHE_CONTROL, "no-store"),
            ],
            text,
        )
            .into_response(),
        Err(e) => {
            tracing::error!("cannot gather the metrics: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "cannot gather the metrics\n",
            )
                .into_response()
        }
    }
}

/// The whole exposition: the gauges read now, then the recorded counters.
async fn render(scrape: &Scrape) -> Result<String, ProxyError> {
    let tokens = scrape.store.run(|s| s.tokens()).await?;
    let files = scrape.media.list().await?;
    // Our images only: temporary files of a write under way are not mirrored yet.
    let media_bytes: u64 = files
        .iter()
        .filter(|f| f.parsed.is_some())
        .map(|f| f.bytes)
        .sum();
    let now = clock::now();
    let mut out = String::new();
    gauge_header(
        &mut out,
        TOKEN_DAYS_LEFT,
        "Days until the feed's access token expires; 0 once it is expired or revoked (no series \
         while the expiry is unknown, before the first refresh)",
    );
    for t in &tokens {
        scrape.metrics.track_feed(&t.feed);
        let days = match (t.state, t.expires_at) {
            (TokenState::Active, Some(exp)) => ((exp - now) as f64 / 86_400.0).max(0.0),
            (TokenState::Active, None) => continue,
            (TokenState::Expired | TokenState::Revoked, _) => 0.0,
        };
        // Feed names are `a-z 0-9 - _` (the contract's rule): nothing to escape.
        let _ = writeln!(out, "{TOKEN_DAYS_LEFT}{{feed=\"{}\"}} {days:.3}", t.feed);
    }
    gauge_header(
        &mut out,
        MEDIA_BYTES,
        "Bytes of mirrored images in the media store (FEEDFRAME_DATA_DIR/media or FEEDFRAME_MEDIA_STORE)",
    );
    let _ = writeln!(out, "{MEDIA_BYTES} {media_bytes}");
    gauge_header(
        &mut out,
        MEDIA_BUDGET_BYTES,
        "The mirrored images' disk budget (FEEDFRAME_MEDIA_BUDGET_MB) in bytes",
    );
    let _ = writeln!(out, "{MEDIA_BUDGET_BYTES} {}", scrape.media_budget);
    out.push_str(&scrape.metrics.render().unwrap_or_default());
    Ok(out)
}

fn gauge_header(out: &mut String, name: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
}
