//! The alerts' tables in the store: each feed's last alerted condition (so a restart does not
//! alert again) and the delivery log (the newest [`DELIVERIES_KEPT`]).

use std::collections::HashMap;

use super::condition::Condition;
use super::{Channel, Outcome};
use crate::error::ProxyError;
use crate::store::Store;
use crate::store::sql::{DbError, Tx, args};

/// Deliveries kept in the log (the newest).
pub const DELIVERIES_KEPT: i64 = 500;

/// One line of the delivery log. Holds no secret: the status is an HTTP status or a network
/// failure in words, never a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    /// When the delivery ended (Unix time).
    pub at: i64,
    /// Empty for a test alert.
    pub feed: String,
    /// `feed.token_dead`, …, `test`.
    pub event: String,
    pub channel: Channel,
    pub outcome: Outcome,
    /// `HTTP 200`, `timed out`, `250 OK`, …
    pub status: String,
    pub attempts: u32,
}

/// Remembers `feed`'s alerted condition on `c` (a connection or a transaction).
pub(super) fn remember_state(
    tx: &mut Tx<'_>,
    feed: &str,
    condition: Condition,
    now: i64,
) -> Result<(), DbError> {
    tx.execute(
        "INSERT INTO alert_states (feed, condition, since)
         SELECT CAST(?1 AS TEXT), CAST(?2 AS TEXT), CAST(?3 AS BIGINT)
         WHERE EXISTS (SELECT 1 FROM feeds WHERE name = ?1)
         ON CONFLICT(feed) DO UPDATE SET condition = ?2, since = ?3",
        args![feed, condition.as_str(), now],
    )?;
    Ok(())
}

impl Store {
    pub fn alert_states(&self) -> Result<HashMap<String, Condition>, ProxyError> {
        self.read(|tx| {
            tx.query("SELECT feed, condition FROM alert_states", &[])?
                .iter()
                .map(|r| Ok((r.get(0)?, Condition::parse(&r.get::<String>(1)?))))
                .collect()
        })
    }

    pub fn record_delivery(&self, d: &DeliveryRecord) -> Result<(), ProxyError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO alert_deliveries (at, feed, event, channel, outcome, status, attempts)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                args![
                    d.at,
                    &d.feed,
                    &d.event,
                    d.channel.as_str(),
                    d.outcome.as_str(),
                    &d.status,
                    d.attempts
                ],
            )?;
            tx.execute(
                "DELETE FROM alert_deliveries WHERE id <= \
                 (SELECT id FROM alert_deliveries ORDER BY id DESC LIMIT 1 OFFSET ?1)",
                args![DELIVERIES_KEPT],
            )?;
            Ok(())
        })
    }

    pub fn deliveries(&self, limit: usize) -> Result<Vec<DeliveryRecord>, ProxyError> {
        self.read(|tx| {
            tx.query(
                "SELECT at, feed, event, channel, outcome, status, attempts
                 FROM alert_deliveries ORDER BY id DESC LIMIT ?1",
                args![limit as i64],
            )?
            .iter()
            .map(|r| {
                Ok(DeliveryRecord {
                    at: r.get(0)?,
                    feed: r.get(1)?,
                    event: r.get(2)?,
                    channel: Channel::parse(&r.get::<String>(3)?),
                    outcome: Outcome::parse(&r.get::<String>(4)?),
                    status: r.get(5)?,
                    attempts: r.get(6)?,
                })
            })
            .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::{add_feed, on_both};

    fn delivery(i: i64) -> DeliveryRecord {
        DeliveryRecord {
            at: i,
            feed: "main".into(),
            event: "feed.stale".into(),
            channel: Channel::Webhook,
            outcome: Outcome::Delivered,
            status: format!("HTTP 200 #{i}"),
            attempts: 1,
        }
    }

    #[test]
    fn the_delivery_log_keeps_the_newest_entries_newest_first() {
        on_both(|s| {
            for i in 0..DELIVERIES_KEPT + 20 {
                s.record_delivery(&delivery(i)).unwrap();
            }
            let log = s.deliveries(10_000).unwrap();
            assert_eq!(log.len(), DELIVERIES_KEPT as usize);
            assert_eq!(log[0], delivery(DELIVERIES_KEPT + 19));
            assert_eq!(log.last().unwrap().at, 20);
            assert_eq!(s.deliveries(3).unwrap().len(), 3);
        });
    }

    #[test]
    fn alert_states_persist_and_go_with_their_feed() {
        on_both(|s| {
            add_feed(s, "main", None, 1);
            s.write(|tx| remember_state(tx, "main", Condition::TokenDead, 2))
                .unwrap();
            s.write(|tx| remember_state(tx, "gone", Condition::Stale, 2))
                .unwrap();
            assert_eq!(
                s.alert_states().unwrap(),
                HashMap::from([("main".to_string(), Condition::TokenDead)])
            );
            s.write(|tx| remember_state(tx, "main", Condition::Healthy, 3))
                .unwrap();
            assert_eq!(s.alert_states().unwrap()["main"], Condition::Healthy);
            s.remove_feed("main").unwrap();
            assert!(s.alert_states().unwrap().is_empty());
        });
    }
}
