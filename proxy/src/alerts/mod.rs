//! Alerts: the owner hears of a dead or expiring token, a stale feed or a long rate limit (and of
//! its recovery) before visitors notice. One alert per change of a feed's condition, by webhook
//! (Standard Webhooks) and e-mail, each delivery logged in the store.
//!
//! The engine ([`run`]) runs beside the server; deliveries run on their own tasks with a timeout
//! per attempt, so a channel that is down or hangs never holds up feeds or the refresher.

pub mod condition;
pub mod email;
mod engine;
pub mod event;
mod log;
mod outbox;
mod retry;
pub mod webhook;

use std::sync::Arc;
use std::time::Duration;

pub use condition::{Condition, Thresholds};
pub use email::EmailChannel;
pub use engine::{LEASE, run};
pub use event::{AlertEvent, EventKind};
pub use log::{DELIVERIES_KEPT, DeliveryRecord};
pub use webhook::WebhookChannel;

use crate::clock;
use crate::config::AlertConfig;
use crate::error::ProxyError;
use crate::store::Store;
use crate::telemetry::Metrics;

/// A way to reach the owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    Webhook,
    Email,
}

impl Channel {
    /// `webhook` or `email`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Webhook => "webhook",
            Self::Email => "email",
        }
    }

    fn parse(s: &str) -> Self {
        if s == "email" {
            Self::Email
        } else {
            Self::Webhook
        }
    }
}

/// How a delivery ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Delivered,
    /// Every attempt failed, or the receiver refused it.
    Failed,
    /// Not attempted: too many alerts were waiting for this channel.
    Dropped,
}

impl Outcome {
    /// `delivered`, `failed` or `dropped`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delivered => "delivered",
            Self::Failed => "failed",
            Self::Dropped => "dropped",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "delivered" => Self::Delivered,
            "dropped" => Self::Dropped,
            _ => Self::Failed,
        }
    }
}

/// A configured channel, as the console may show it: no URL path, no secret, no password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelInfo {
    pub channel: Channel,
    /// The webhook's host, or the e-mail recipients, comma-separated.
    pub target: String,
}

/// How hard a delivery tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// The longest one attempt may take.
    pub attempt_timeout: Duration,
    /// The wait before the first retry; it doubles (with jitter) up to 16 times as long.
    pub first_retry: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 5,
            attempt_timeout: Duration::from_secs(10),
            first_retry: Duration::from_secs(2),
        }
    }
}

/// What the attempts at one delivery came to.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Attempted {
    outcome: Outcome,
    status: String,
    attempts: u32,
}

impl Attempted {
    fn delivered(attempts: u32, status: impl Into<String>) -> Self {
        Self {
            outcome: Outcome::Delivered,
            status: status.into(),
            attempts,
        }
    }

    fn failed(attempts: u32, status: impl Into<String>) -> Self {
        Self {
            outcome: Outcome::Failed,
            status: status.into(),
            attempts,
        }
    }
}

/// The alert channels of a server, with what they need to deliver.
pub struct Alerts {
    config: AlertConfig,
    store: Arc<Store>,
    http: reqwest::Client,
    /// Counts the deliveries (`/metrics`).
    metrics: Metrics,
}

impl Alerts {
    pub fn new(config: AlertConfig, store: Arc<Store>) -> Result<Self, ProxyError> {
        let http = reqwest::Client::builder()
            .connect_timeout(config.retry.attempt_timeout)
            // The receiver is the owner's: a redirect could carry the alert anywhere.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("FeedFrame/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ProxyError::Invalid(format!("cannot set up the alert webhook: {e}")))?;
        Ok(Self {
            config,
            store,
            http,
            metrics: Metrics::off(),
        })
    }

    /// Counts the deliveries in `metrics`; each configured channel's outcomes show at 0 until
    /// they happen.
    pub fn with_metrics(mut self, metrics: Metrics) -> Self {
        for info in self.channels() {
            for outcome in [Outcome::Delivered, Outcome::Failed, Outcome::Dropped] {
                metrics.alert_delivery(info.channel.as_str(), outcome.as_str(), 0);
            }
        }
        self.metrics = metrics;
        self
    }

    /// The configured channels, without secrets.
    pub fn channels(&self) -> Vec<ChannelInfo> {
        channels(&self.config)
    }

    /// Whether any channel is configured.
    pub fn enabled(&self) -> bool {
        !self.channels().is_empty()
    }

    /// Delivers `event` on `channel` (with retries), logs the outcome in the store and returns it.
    async fn deliver(&self, channel: Channel, event: &AlertEvent) -> DeliveryRecord {
        let attempted = match channel {
            Channel::Webhook => match &self.config.webhook {
                Some(hook) => webhook::deliver(&self.http, hook, &self.config.retry, event).await,
                None => Attempted::failed(0, "no webhook is configured"),
            },
            Channel::Email => match &self.config.email {
                Some(mail) => email::deliver(mail, &self.config.retry, event).await,
                None => Attempted::failed(0, "no e-mail is configured"),
            },
        };
        let record = DeliveryRecord {
            at: clock::now(),
            feed: event.feed.clone(),
            event: event.kind.as_str().to_string(),
            channel,
            outcome: attempted.outcome,
            status: attempted.status,
            attempts: attempted.attempts,
        };
        self.log(&record).await;
        record
    }

    /// Adds a delivery to the log (and to the server log, with the webhook's host only).
    async fn log(&self, record: &DeliveryRecord) {
        self.metrics
            .alert_delivery(record.channel.as_str(), record.outcome.as_str(), 1);
        let target = self.target(record.channel);
        match record.outcome {
            Outcome::Delivered => tracing::info!(
                channel = record.channel.as_str(),
                to = %target,
                feed = %record.feed,
                attempts = record.attempts,
                "alert {} delivered",
                record.event
            ),
            _ => tracing::warn!(
                channel = record.channel.as_str(),
                to = %target,
                feed = %record.feed,
                attempts = record.attempts,
                "alert {} {}: {}",
                record.event,
                record.outcome.as_str(),
                record.status
            ),
        }
        let line = record.clone();
        if let Err(e) = self.store.run(move |s| s.record_delivery(&line)).await {
            tracing::error!("cannot log an alert delivery: {e}");
        }
    }

    fn target(&self, channel: Channel) -> String {
        self.channels()
            .into_iter()
            .find(|c| c.channel == channel)
            .map(|c| c.target)
            .unwrap_or_default()
    }
}

/// The channels `config` sets up, without secrets: the webhook's host, the e-mail recipients.
pub fn channels(config: &AlertConfig) -> Vec<ChannelInfo> {
    let mut out = Vec::new();
    if let Some(hook) = &config.webhook {
        out.push(ChannelInfo {
            channel: Channel::Webhook,
            target: hook.host().to_string(),
        });
    }
    if let Some(mail) = &config.email {
        out.push(ChannelInfo {
            channel: Channel::Email,
            target: mail.recipients().join(", "),
        });
    }
    out
}

/// Sends a `test` alert on every configured channel now and returns each channel's outcome (also
/// in the delivery log). No channel configured: an empty list.
///
/// ```no_run
/// # async fn demo(alerts: &feedframe::alerts::Alerts) {
/// for d in feedframe::alerts::send_test(alerts).await {
///     println!("{}: {} ({})", d.channel.as_str(), d.outcome.as_str(), d.status);
/// }
/// # }
/// ```
pub async fn send_test(alerts: &Alerts) -> Vec<DeliveryRecord> {
    let event = AlertEvent::test();
    let on = |channel: Channel| {
        let configured = alerts.channels().iter().any(|c| c.channel == channel);
        let event = &event;
        async move {
            if configured {
                Some(alerts.deliver(channel, event).await)
            } else {
                None
            }
        }
    };
    let (webhook, email) = tokio::join!(on(Channel::Webhook), on(Channel::Email));
    webhook.into_iter().chain(email).collect()
}
