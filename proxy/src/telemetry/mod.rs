//! `/metrics`: this server's numbers in the Prometheus text format (docs/metrics.md), served on a
//! second listener of their own ([`endpoint`]), never on the public one.
//!
//! Counters go through the `metrics` facade into a recorder that belongs to one server (not the
//! process-wide recorder), so that several servers in one process (the tests) count apart. What
//! the store already knows (token expiry, mirrored bytes) is read when `/metrics` is requested.

pub mod endpoint;

use std::sync::Arc;

use metrics::{counter, describe_counter};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusRecorder};

/// `feedframe_feed_requests_total{endpoint, feed, code, status}`: GETs of a feed's JSON and first
/// views.
pub const FEED_REQUESTS: &str = "feedframe_feed_requests_total";
/// `feedframe_upstream_calls_total{call, outcome}`: HTTP calls to Instagram's Graph API.
pub const UPSTREAM_CALLS: &str = "feedframe_upstream_calls_total";
/// `feedframe_token_refresh_failures_total{feed}`: failed token refreshes.
pub const REFRESH_FAILURES: &str = "feedframe_token_refresh_failures_total";
/// `feedframe_alert_deliveries_total{channel, outcome}`: alert deliveries as logged.
pub const ALERT_DELIVERIES: &str = "feedframe_alert_deliveries_total";
/// `feedframe_token_days_left{feed}`: days until a feed's token expires (read at scrape time).
pub const TOKEN_DAYS_LEFT: &str = "feedframe_token_days_left";
/// `feedframe_media_bytes`: bytes of mirrored images on disk (read at scrape time).
pub const MEDIA_BYTES: &str = "feedframe_media_bytes";
/// `feedframe_media_budget_bytes`: `FEEDFRAME_MEDIA_BUDGET_MB` in bytes.
pub const MEDIA_BUDGET_BYTES: &str = "feedframe_media_budget_bytes";

/// The `feed` label of a request that named no existing feed: made-up names must not each grow
/// a series of their own.
pub const UNKNOWN_FEED: &str = "";

/// Where one server records its numbers. [`Metrics::off`] (no metrics listener) records nothing.
///
/// ```
/// let metrics = feedframe::telemetry::Metrics::on();
/// metrics.upstream_call("media", "ok");
/// assert!(metrics.render().unwrap().contains(r#"feedframe_upstream_calls_total{call="media",outcome="ok"} 1"#));
/// ```
#[derive(Clone, Default)]
pub struct Metrics {
    recorder: Option<Arc<PrometheusRecorder>>,
}

impl Metrics {
    /// Records nothing: the server has no metrics listener.
    pub fn off() -> Self {
        Self::default()
    }

    /// A recorder of this server's own, with every counter described.
    pub fn on() -> Self {
        let metrics = Self {
            recorder: Some(Arc::new(PrometheusBuilder::new().build_recorder())),
        };
        metrics.record(|| {
            describe_counter!(
                FEED_REQUESTS,
                "GET requests for a feed's JSON (endpoint=json) and first views (view, embed), by \
                 feed, HTTP code and the feed status served (none when no feed was served)"
            );
            describe_counter!(
                UPSTREAM_CALLS,
                "HTTP calls to Instagram's Graph API by call (me, media, refresh) and outcome (ok \
                 or the error kind)"
            );
            describe_counter!(
                REFRESH_FAILURES,
                "Failed refreshes of a feed's access token"
            );
            describe_counter!(
                ALERT_DELIVERIES,
                "Alert deliveries by channel (webhook, email) and outcome (delivered, failed, \
                 dropped)"
            );
        });
        metrics
    }

    /// Whether anything is recorded.
    pub fn is_on(&self) -> bool {
        self.recorder.is_some()
    }

    fn record(&self, f: impl FnOnce()) {
        if let Some(recorder) = &self.recorder {
            metrics::with_local_recorder(recorder.as_ref(), f);
        }
    }

    /// One GET of a feed: `endpoint` is `json`, `view` or `embed`; `feed` is [`UNKNOWN_FEED`]
    /// for a name that is no feed; `status` is the feed status served, or `none`.
    pub fn feed_request(&self, endpoint: &'static str, feed: &str, code: u16, status: &str) {
        self.record(|| {
            counter!(
                FEED_REQUESTS,
                "endpoint" => endpoint,
                "feed" => feed.to_string(),
                "code" => code.to_string(),
                "status" => status.to_string(),
            )
            .increment(1);
        });
    }

    /// One HTTP call to Instagram (`call`: `me`, `media`, `refresh`) and how it ended (`ok` or a
    /// `GraphError::kind`).
    pub fn upstream_call(&self, call: &'static str, outcome: &'static str) {
        self.record(|| {
            counter!(UPSTREAM_CALLS, "call" => call, "outcome" => outcome).increment(1);
        });
    }

    /// A failed refresh of `feed`'s token.
    pub fn refresh_failure(&self, feed: &str) {
        self.record(|| counter!(REFRESH_FAILURES, "feed" => feed.to_string()).increment(1));
    }

    /// Shows the refresh failures of `feed` at 0 until its first failure, so that `increase()`
    /// sees that first one too.
    pub(crate) fn track_feed(&self, feed: &str) {
        self.record(|| counter!(REFRESH_FAILURES, "feed" => feed.to_string()).increment(0));
    }

    /// One alert delivery as logged (`channel`: `webhook`, `email`; `outcome`: `delivered`,
    /// `failed`, `dropped`). Shown at 0 with `count = 0`.
    pub fn alert_delivery(&self, channel: &'static str, outcome: &'static str, count: u64) {
        self.record(|| {
            counter!(ALERT_DELIVERIES, "channel" => channel, "outcome" => outcome).increment(count);
        });
    }

    /// The recorded counters in the Prometheus text format; `None` when off.
    pub fn render(&self) -> Option<String> {
        self.recorder.as_ref().map(|r| r.handle().render())
    }
}
