//! Alerts not yet delivered, in the store: a change of a feed's condition is remembered and its
//! alert queued for every channel in one transaction, and a queued alert leaves only once its
//! delivery has ended (delivered, given up, or dropped). A restart therefore delivers what a stop
//! or crash interrupted, with the same `webhook-id`, and never sends a change twice on its own.

use super::Channel;
use super::condition::Condition;
use super::event::{AlertEvent, EventKind};
use super::log::remember_state;
use crate::error::ProxyError;
use crate::store::Store;
use crate::store::sql::args;

/// An alert waiting for one channel; `row` names it in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    pub row: i64,
    pub channel: Channel,
    pub event: AlertEvent,
}

impl Store {
    pub fn remember_and_queue(
        &self,
        changes: &[(Condition, AlertEvent)],
        channels: &[Channel],
        now: i64,
    ) -> Result<Vec<Queued>, ProxyError> {
        self.write(|tx| {
            let mut queued = Vec::new();
            for (condition, event) in changes {
                remember_state(tx, &event.feed, *condition, now)?;
                for &channel in channels {
                    let row = tx
                        .query_opt(
                            "INSERT INTO alert_outbox (channel, event_id, kind, feed, username,
                                 condition, previous, state, detail, at)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                             RETURNING id",
                            args![
                                channel.as_str(),
                                &event.id,
                                event.kind.as_str(),
                                &event.feed,
                                &event.username,
                                event.condition.as_str(),
                                event.previous.as_str(),
                                &event.state,
                                &event.detail,
                                event.at
                            ],
                        )?
                        .expect("INSERT … RETURNING gives its row");
                    queued.push(Queued {
                        row: row.get(0)?,
                        channel,
                        event: event.clone(),
                    });
                }
            }
            Ok(queued)
        })
    }

    pub fn queued_alerts(&self) -> Result<Vec<Queued>, ProxyError> {
        self.read(|tx| {
            tx.query(
                "SELECT id, channel, event_id, kind, feed, username, condition, previous, state,
                     detail, at
                 FROM alert_outbox ORDER BY id",
                &[],
            )?
            .iter()
            .map(|r| {
                Ok(Queued {
                    row: r.get(0)?,
                    channel: Channel::parse(&r.get::<String>(1)?),
                    event: AlertEvent {
                        id: r.get(2)?,
                        kind: EventKind::parse(&r.get::<String>(3)?),
                        feed: r.get(4)?,
                        username: r.get(5)?,
                        condition: Condition::parse(&r.get::<String>(6)?),
                        previous: Condition::parse(&r.get::<String>(7)?),
                        state: r.get(8)?,
                        detail: r.get(9)?,
                        at: r.get(10)?,
                    },
                })
            })
            .collect()
        })
    }

    pub fn unqueue_alert(&self, row: i64) -> Result<(), ProxyError> {
        self.write(|tx| {
            tx.execute("DELETE FROM alert_outbox WHERE id = ?1", args![row])?;
            Ok(())
        })
    }
}
