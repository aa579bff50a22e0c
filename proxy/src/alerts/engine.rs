//! The background task: every tick, each feed's condition is worked out; a change is remembered
//! in the store first, then handed to each channel's delivery task. The checks never wait for a
//! delivery: a channel that is down or hangs only fills its own queue.

use std::sync::Arc;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::condition::{self, Condition, Inputs};
use super::event::AlertEvent;
use super::{Alerts, Channel, DeliveryRecord, Outcome};
use crate::clock;
use crate::error::ProxyError;
use crate::feeds::cache::Feeds;
use crate::store::Store;

/// Alerts waiting for one channel; beyond this many they are dropped (and logged as such).
const QUEUE: usize = 64;

/// Watches every feed and sends one alert per change of its condition, forever. Without a
/// configured channel it does nothing (and remembers nothing, so that troubles already under
/// way are reported once a channel is set up).
pub async fn run(alerts: Arc<Alerts>, feeds: Arc<Feeds>) {
    if !alerts.enabled() {
        tracing::info!(
            "no alert channel is configured (FEEDFRAME_ALERT_WEBHOOK_URL, FEEDFRAME_SMTP_URL)"
        );
        return std::future::pending().await;
    }
    let mut queues = Vec::new();
    // Held (not awaited) for as long as the engine runs.
    let mut workers = Vec::new();
    for info in alerts.channels() {
        let (tx, rx) = mpsc::channel(QUEUE);
        queues.push((info.channel, tx));
        workers.push(AbortOnDrop(tokio::spawn(deliver_all(
            Arc::clone(&alerts),
            info.channel,
            rx,
        ))));
    }
    let _workers = workers;
    loop {
        if let Err(e) = check(&alerts, &feeds, &queues).await {
            tracing::error!("cannot check the feeds for alerts: {e}");
        }
        tokio::time::sleep(alerts.config.tick).await;
    }
}

/// Delivers one channel's alerts in order, each with its retries.
async fn deliver_all(alerts: Arc<Alerts>, channel: Channel, mut rx: mpsc::Receiver<AlertEvent>) {
    while let Some(event) = rx.recv().await {
        alerts.deliver(channel, &event).await;
    }
}

/// One look at every feed.
async fn check(
    alerts: &Arc<Alerts>,
    feeds: &Feeds,
    queues: &[(Channel, mpsc::Sender<AlertEvent>)],
) -> Result<(), ProxyError> {
    let (tokens, previous) = alerts
        .store
        .run(|s| Ok((s.tokens()?, s.alert_states()?)))
        .await?;
    let health = feeds.health();
    let now = clock::now();
    let changes: Vec<(Condition, AlertEvent)> = tokens
        .iter()
        .filter_map(|token| {
            let inputs = Inputs {
                token,
                health: health.get(&token.feed),
                ttl: feeds.ttl_secs(),
                previous: previous
                    .get(&token.feed)
                    .copied()
                    .unwrap_or(Condition::Healthy),
                now,
            };
            let current = condition::evaluate(&inputs, &alerts.config.thresholds);
            (current != inputs.previous).then(|| (current, AlertEvent::change(current, &inputs)))
        })
        .collect();
    if changes.is_empty() {
        return Ok(());
    }
    // Remembered before it is sent: a restart (or a channel that is down) never repeats it.
    let remembered: Vec<(String, Condition)> =
        changes.iter().map(|(c, e)| (e.feed.clone(), *c)).collect();
    alerts
        .store
        .run(move |s: &Store| {
            for (feed, condition) in &remembered {
                s.set_alert_state(feed, *condition, now)?;
            }
            Ok(())
        })
        .await?;
    for (_, event) in changes {
        tracing::info!(feed = %event.feed, "alert: {}", event.kind.as_str());
        for (channel, tx) in queues {
            if tx.try_send(event.clone()).is_err() {
                let record = DeliveryRecord {
                    at: now,
                    feed: event.feed.clone(),
                    event: event.kind.as_str().to_string(),
                    channel: *channel,
                    outcome: Outcome::Dropped,
                    status: "too many alerts waiting for this channel".into(),
                    attempts: 0,
                };
                alerts.log(&record).await;
            }
        }
    }
    Ok(())
}

/// Stops a delivery task when the engine stops (the server shuts down).
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
