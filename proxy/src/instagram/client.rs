//! The Instagram API client (Instagram Login, graph.instagram.com): `/me`, `/me/media` with
//! paging, and token refresh. Every call has a timeout; transient failures are retried with
//! jittered exponential backoff; everything else is classified once in `errors`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use backon::{ExponentialBuilder, Retryable};
use feedframe_feed::percent_encode as encode;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::config::Config;
use crate::instagram::errors::{self, GraphError as Classified};
use crate::instagram::secret::Secret;
use crate::telemetry::Metrics;

pub use crate::instagram::errors::{GraphError, TokenVerdict};

/// The fields asked of every media item (API.md §2.3), children expanded in the same call.
pub const MEDIA_FIELDS: &str = "id,caption,media_type,media_url,permalink,thumbnail_url,timestamp,username,children{id,media_type,media_url,thumbnail_url}";
/// Page size: Instagram's documented default. The maximum is unconfirmed (API.md §2.2), so larger
/// feeds follow `paging.next` rather than rely on a bigger `limit`.
const MAX_PAGE: usize = 25;

/// The account behind a token.
#[derive(Debug, Clone, Deserialize)]
pub struct Me {
    pub username: String,
    /// The Instagram professional account's id.
    #[serde(default)]
    pub user_id: Option<String>,
    /// The app-scoped id, which Graph adds to every `/me` answer (API.md §2.1).
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub account_type: Option<String>,
}

/// One media item as Instagram sends it; absent fields stay `None`.
#[derive(Debug, Clone, Deserialize)]
pub struct RawMedia {
    pub id: String,
    #[serde(default)]
    pub caption: Option<String>,
    #[serde(default)]
    pub media_type: String,
    #[serde(default)]
    pub media_url: Option<String>,
    #[serde(default)]
    pub thumbnail_url: Option<String>,
    #[serde(default)]
    pub permalink: Option<String>,
    #[serde(default)]
    pub timestamp: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub children: Option<RawChildren>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RawChildren {
    #[serde(default)]
    pub data: Vec<RawChild>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RawChild {
    pub id: String,
    #[serde(default)]
    pub media_type: String,
    #[serde(default)]
    pub media_url: Option<String>,
    #[serde(default)]
    pub thumbnail_url: Option<String>,
}

// No Debug: `next` carries the access token in clear text.
#[derive(Deserialize)]
struct MediaPage {
    #[serde(default)]
    data: Vec<RawMedia>,
    #[serde(default)]
    paging: Option<Paging>,
}

#[derive(Deserialize)]
struct Paging {
    #[serde(default)]
    next: Option<String>,
}

#[derive(Deserialize)]
struct RefreshBody {
    access_token: String,
    expires_in: i64,
}

/// A refreshed token and its lifetime in seconds.
#[derive(Debug, Clone)]
pub struct Refreshed {
    pub token: Secret,
    pub expires_in: i64,
}

/// A client for one Graph API base and version.
pub struct Graph {
    http: reqwest::Client,
    base: String,
    version: String,
    /// Set by rate limits and usage headers, per token: no call with that token goes out before
    /// its instant. Instagram counts calls per app and user pair (API.md §5), and a token belongs
    /// to exactly one pair, so one account's limit never pauses another's feeds or refreshes.
    calm_until: Mutex<HashMap<Secret, Instant>>,
    /// Counts every call by outcome (`/metrics`).
    metrics: Metrics,
}

/// The HTTP client for Instagram's hosts: the configured timeouts, and no redirects: every
/// request carries a token, a code or the app secret, which a redirect must not take anywhere
/// (nor around the paging host check).
pub(crate) fn instagram_client(config: &Config) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(config.upstream_timeout)
        .connect_timeout(config.upstream_timeout.min(Duration::from_secs(5)))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("FeedFrame/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("the TLS backend is compiled in")
}

impl Graph {
    pub fn new(config: &Config) -> Self {
        let http = instagram_client(config);
        Self {
            http,
            base: config.graph_base.clone(),
            version: config.graph_version.clone(),
            calm_until: Mutex::new(HashMap::new()),
            metrics: Metrics::off(),
        }
    }

    /// Counts this client's calls (and the refresher's failures) in `metrics`.
    pub fn with_metrics(mut self, metrics: Metrics) -> Self {
        self.metrics = metrics;
        self
    }

    /// Where this client's calls are counted.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The account a token belongs to; also how a token is validated.
    pub async fn me(&self, token: &Secret) -> Result<Me, GraphError> {
        let url = format!(
            "{}/{}/me?fields=user_id,username,account_type&access_token={}",
            self.base,
            self.version,
            encode(token.expose())
        );
        self.get("me", &url, token).await
    }

    /// Up to `count` newest media items, following `paging.next` as needed. Paging never leaves
    /// this function.
    pub async fn media(&self, token: &Secret, count: usize) -> Result<Vec<RawMedia>, GraphError> {
        let mut url = format!(
            "{}/{}/me/media?fields={}&limit={}&access_token={}",
            self.base,
            self.version,
            encode(MEDIA_FIELDS),
            count.clamp(1, MAX_PAGE),
            encode(token.expose())
        );
        let mut items = Vec::new();
        loop {
            let page: MediaPage = self.get("media", &url, token).await?;
            let got = page.data.len();
            items.extend(page.data);
            let next = page.paging.and_then(|p| p.next);
            match next {
                Some(next) if items.len() < count && got > 0 => {
                    // Follow only links back to the API we were configured with: the link holds
                    // the token, and must not send it anywhere else.
                    if !next.starts_with(&format!("{}/", self.base)) {
                        return Err(GraphError::Upstream(
                            "a paging link points to another host".into(),
                        ));
                    }
                    url = next;
                }
                _ => break,
            }
        }
        items.truncate(count);
        Ok(items)
    }

    /// Exchanges a long-lived token for a fresh one (API.md §2.5).
    pub async fn refresh(&self, token: &Secret) -> Result<Refreshed, GraphError> {
        let url = format!(
            "{}/refresh_access_token?grant_type=ig_refresh_token&access_token={}",
            self.base,
            encode(token.expose())
        );
        let body: RefreshBody = self.get("refresh", &url, token).await?;
        if body.access_token.is_empty() || body.expires_in <= 0 {
            return Err(GraphError::Upstream(
                "the refresh answer has no token or lifetime".into(),
            ));
        }
        Ok(Refreshed {
            token: Secret::new(body.access_token),
            expires_in: body.expires_in,
        })
    }

    /// One GET made with `token`, with retries for transient failures only. `call` names it in
    /// the metrics.
    async fn get<T: DeserializeOwned>(
        &self,
        call: &'static str,
        url: &str,
        token: &Secret,
    ) -> Result<T, GraphError> {
        let attempt = || self.get_once::<T>(call, url, token);
        attempt
            .retry(
                ExponentialBuilder::default()
                    .with_min_delay(Duration::from_millis(200))
                    .with_max_delay(Duration::from_secs(2))
                    .with_max_times(2)
                    .with_jitter(),
            )
            .sleep(tokio::time::sleep)
            .when(Classified::is_transient)
            .await
    }

    async fn get_once<T: DeserializeOwned>(
        &self,
        call: &'static str,
        url: &str,
        token: &Secret,
    ) -> Result<T, GraphError> {
        if let Some(left) = self.calm_left(token) {
            // Held back by our own pause: no call went out, none is counted.
            return Err(GraphError::RateLimited {
                code: 0,
                message: "waiting for Instagram's rate limit to reset".into(),
                retry_after: left,
            });
        }
        let result = self.call(url, token).await;
        let outcome = result.as_ref().map_or_else(GraphError::kind, |_| "ok");
        self.metrics.upstream_call(call, outcome);
        result
    }

    /// The HTTP call itself, its answer classified, and any pause it asks for remembered.
    async fn call<T: DeserializeOwned>(&self, url: &str, token: &Secret) -> Result<T, GraphError> {
        // `without_url`: reqwest's messages would otherwise quote the URL, token included.
        let response = self.http.get(url).send().await.map_err(|e| {
            let e = e.without_url();
            GraphError::Transient(if e.is_timeout() {
                "the request timed out".into()
            } else {
                format!("cannot reach Instagram ({e})")
            })
        })?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let pause = errors::usage_pause(
            header("x-app-usage").as_deref(),
            header("x-business-use-case-usage").as_deref(),
        );
        let retry_after =
            errors::retry_after(header("retry-after").as_deref(), crate::clock::now());
        let body = response.bytes().await.map_err(|e| {
            GraphError::Transient(format!("the response broke off ({})", e.without_url()))
        })?;
        let result = if (200..300).contains(&status) {
            serde_json::from_slice::<T>(&body)
                .map_err(|e| GraphError::Upstream(format!("unexpected body ({e}), HTTP {status}")))
        } else {
            Err(errors::classify(status, &body, pause.max(retry_after)))
        };
        let calm_for = match &result {
            Err(GraphError::RateLimited { retry_after, .. }) => Some(*retry_after),
            _ => pause,
        };
        if let Some(d) = calm_for {
            self.calm_for(token, d);
        }
        result
    }

    /// How long calls with `token` must still wait.
    fn calm_left(&self, token: &Secret) -> Option<Duration> {
        let until = *self.calm_until.lock().expect("calm lock").get(token)?;
        until
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
    }

    fn calm_for(&self, token: &Secret, d: Duration) {
        let mut calm = self.calm_until.lock().expect("calm lock");
        let now = Instant::now();
        // Forget pauses that are over, so the map holds only tokens paused right now.
        calm.retain(|_, until| *until > now);
        let candidate = now.checked_add(d).unwrap_or(now + errors::MAX_RETRY_AFTER);
        let until = calm.entry(token.clone()).or_insert(candidate);
        if *until < candidate {
            *until = candidate;
        }
    }
}
