//! Alerts not yet delivered, in the store: a change of a feed's condition is remembered and its
//! alert queued for every channel in one transaction, and a queued alert leaves only once its
//! delivery has ended (delivered, given up, or dropped). A restart therefore delivers what a stop
//! or crash interrupted, with the same `webhook-id`, and never sends a change twice on its own.

use rusqlite::params;

use super::Channel;
use super::condition::Condition;
use super::event::{AlertEvent, EventKind};
use super::log::remember_state;
use crate::error::ProxyError;
use crate::store::Store;

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS alert_outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    channel     TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    feed        TEXT NOT NULL,
    username    TEXT NOT NULL,
    condition   TEXT NOT NULL,
    previous    TEXT NOT NULL,
    state       TEXT NOT NULL,
    detail      TEXT NOT NULL,
    at          INTEGER NOT NULL
);
";

/// An alert waiting for one channel; `row` names it in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    pub row: i64,
    pub channel: Channel,
    pub event: AlertEvent,
}

impl Store {
    /// Remembers each feed's new condition and queues its alert for each of `channels`, in one
    /// transaction. Returns the queued alerts, in order.
    pub fn remember_and_queue(
        &self,
        changes: &[(Condition, AlertEvent)],
        channels: &[Channel],
        now: i64,
    ) -> Result<Vec<Queued>, ProxyError> {
        self.with(|c| {
            let tx = c.transaction()?;
            let mut queued = Vec::new();
            for (condition, event) in changes {
                remember_state(&tx, &event.feed, *condition, now)?;
                for &channel in channels {
                    tx.execute(
                        "INSERT INTO alert_outbox (channel, event_id, kind, feed, username,
                             condition, previous, state, detail, at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                        params![
                            channel.as_str(),
                            event.id,
                            event.kind.as_str(),
                            event.feed,
                            event.username,
                            event.condition.as_str(),
                            event.previous.as_str(),
                            event.state,
                            event.detail,
                            event.at
                        ],
                    )?;
                    queued.push(Queued {
                        row: tx.last_insert_rowid(),
                        channel,
                        event: event.clone(),
                    });
                }
            }
            tx.commit()?;
            Ok(queued)
        })
    }

    /// Every alert still waiting, oldest first.
    pub fn queued_alerts(&self) -> Result<Vec<Queued>, ProxyError> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT id, channel, event_id, kind, feed, username, condition, previous, state,
                     detail, at
                 FROM alert_outbox ORDER BY id",
            )?;
            stmt.query_map([], |r| {
                Ok(Queued {
                    row: r.get(0)?,
                    channel: Channel::parse(&r.get::<_, String>(1)?),
                    event: AlertEvent {
                        id: r.get(2)?,
                        kind: EventKind::parse(&r.get::<_, String>(3)?),
                        feed: r.get(4)?,
                        username: r.get(5)?,
                        condition: Condition::parse(&r.get::<_, String>(6)?),
                        previous: Condition::parse(&r.get::<_, String>(7)?),
                        state: r.get(8)?,
                        detail: r.get(9)?,
                        at: r.get(10)?,
                    },
                })
            })?
            .collect()
        })
    }

    /// Takes an alert off the queue: its delivery has ended.
    pub fn unqueue_alert(&self, row: i64) -> Result<(), ProxyError> {
        self.with(|c| {
            c.execute("DELETE FROM alert_outbox WHERE id = ?1", [row])
                .map(|_| ())
        })
    }
}
