//! The background task: every tick, each feed's condition is worked out; a change is remembered
//! and its alert queued in the store's outbox first (see `outbox`), then handed to each channel's
//! delivery task, which takes it off the outbox once its delivery has ended. At start, what the
//! outbox still holds is delivered first. The checks never wait for a delivery: a channel that is
//! down or hangs only fills its own queue.
//!
//! Instances sharing one database run the engine one at a time: only the holder of the [`LEASE`]
//! checks, queues and delivers, so an alert goes out once, not once per instance. The others wait
//! for it; when its holder dies, one of them takes over within a lease time and first delivers
//! what the outbox still holds.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::condition::{self, Condition, Inputs};
use super::event::AlertEvent;
use super::outbox::Queued;
use super::{Alerts, Channel, DeliveryRecord, Outcome};
use crate::clock;
use crate::error::ProxyError;
use crate::feeds::cache::Feeds;
use crate::store::Store;

/// Alerts waiting for one channel; beyond this many they are dropped (and logged as such).
const QUEUE: usize = 64;

/// The lease whose holder runs the engine (see `store::leases`).
pub const LEASE: &str = "alerts";

/// Watches every feed and sends one alert per change of its condition, forever, while this
/// process holds the [`LEASE`] (lasting `lease` unless renewed); without it, waits for it. Without
/// a configured channel it does nothing (and remembers nothing, so that troubles already under
/// way are reported once a channel is set up).
pub async fn run(alerts: Arc<Alerts>, feeds: Arc<Feeds>, lease: Duration) {
    if !alerts.enabled() {
        tracing::info!(
            "no alert channel is configured (FEEDFRAME_ALERT_WEBHOOK_URL, FEEDFRAME_SMTP_URL)"
        );
        return std::future::pending().await;
    }
    loop {
        match alerts.store.hold(LEASE, lease).await {
            Ok(Some(mut held)) => {
                tracing::info!("this instance sends the alerts");
                tokio::select! {
                    () = engine(&alerts, &feeds) => {}
                    () = held.lost() => tracing::warn!(
                        "another instance sends the alerts now (this one could not renew its lease)"
                    ),
                }
            }
            // Another instance sends them.
            Ok(None) => {}
            Err(e) => tracing::warn!("cannot take the alerts lease: {e}"),
        }
        // A dead holder's lease lapses after one lease time: looked for three times as often.
        tokio::time::sleep(lease / 3).await;
    }
}

/// The engine proper: delivery tasks for each channel, what the outbox holds, then a check every
/// tick, forever. Dropped (with its delivery tasks) when the lease is lost.
async fn engine(alerts: &Arc<Alerts>, feeds: &Feeds) {
    let mut queues = Vec::new();
    // Held (not awaited) for as long as the engine runs.
    let mut workers = Vec::new();
    for info in alerts.channels() {
        let (tx, rx) = mpsc::channel(QUEUE);
        queues.push((info.channel, tx));
        workers.push(AbortOnDrop(tokio::spawn(deliver_all(
            Arc::clone(alerts),
            info.channel,
            rx,
        ))));
    }
    let _workers = workers;
    // What a stop or crash left undelivered goes first, in order.
    match alerts.store.run(|s| s.queued_alerts()).await {
        Ok(left) => {
            for queued in left {
                enqueue(alerts, &queues, queued).await;
            }
        }
        Err(e) => tracing::error!("cannot read the alerts waiting for delivery: {e}"),
    }
    loop {
        if let Err(e) = check(alerts, feeds, &queues).await {
            tracing::error!("cannot check the feeds for alerts: {e}");
        }
        tokio::time::sleep(alerts.config.tick).await;
    }
}

/// Delivers one channel's alerts in order, each with its retries, and takes each off the
/// outbox once its delivery has ended.
async fn deliver_all(alerts: Arc<Alerts>, channel: Channel, mut rx: mpsc::Receiver<Queued>) {
    while let Some(queued) = rx.recv().await {
        alerts.deliver(channel, &queued.event).await;
        unqueue(&alerts, queued.row).await;
    }
}

/// Hands an alert to its channel's delivery task; with the channel gone from the configuration
/// or its queue full, it is dropped (and logged as such).
async fn enqueue(alerts: &Alerts, queues: &[(Channel, mpsc::Sender<Queued>)], queued: Queued) {
    let row = queued.row;
    let (channel, event) = (queued.channel, queued.event.clone());
    let status = match queues.iter().find(|(c, _)| *c == channel) {
        Some((_, tx)) => match tx.try_send(queued) {
            Ok(()) => return,
            Err(_) => "too many alerts waiting for this channel",
        },
        None => "the channel is no longer configured",
    };
    let record = DeliveryRecord {
        at: clock::now(),
        feed: event.feed.clone(),
        event: event.kind.as_str().to_string(),
        channel,
        outcome: Outcome::Dropped,
        status: status.into(),
        attempts: 0,
    };
    alerts.log(&record).await;
    unqueue(alerts, row).await;
}

async fn unqueue(alerts: &Alerts, row: i64) {
    if let Err(e) = alerts.store.run(move |s| s.unqueue_alert(row)).await {
        tracing::error!("cannot take a delivered alert off the queue: {e}");
    }
}

/// One look at every feed.
async fn check(
    alerts: &Arc<Alerts>,
    feeds: &Feeds,
    queues: &[(Channel, mpsc::Sender<Queued>)],
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
    // Remembered and queued before it is sent: a restart delivers it if it was not yet, and
    // never makes it again.
    let channels: Vec<Channel> = queues.iter().map(|(c, _)| *c).collect();
    for (_, event) in &changes {
        tracing::info!(feed = %event.feed, "alert: {}", event.kind.as_str());
    }
    let queued = alerts
        .store
        .run(move |s: &Store| s.remember_and_queue(&changes, &channels, now))
        .await?;
    for q in queued {
        enqueue(alerts, queues, q).await;
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
