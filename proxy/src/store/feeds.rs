//! Feeds and their tokens, last good snapshots and event logs.

use crate::error::ProxyError;
use crate::instagram::client::Me;
use crate::instagram::secret::Secret;
use crate::store::Store;
use crate::store::sql::{DbError, Row, Tx, args};

/// Events kept per feed (the newest); `token status` shows the latest, logs keep the rest.
pub const EVENTS_KEPT: i64 = 200;

/// What a token is good for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenState {
    Active,
    Expired,
    Revoked,
}

impl TokenState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "expired" => Self::Expired,
            "revoked" => Self::Revoked,
            _ => Self::Active,
        }
    }
}

/// A feed's token and what is known about it.
#[derive(Debug, Clone)]
pub struct TokenRecord {
    pub feed: String,
    pub token: Secret,
    pub username: String,
    /// When the current token string was issued (added or last refreshed).
    pub issued_at: i64,
    pub refreshed_at: Option<i64>,
    /// Unknown until the first refresh when the token was added without `--expires-in`.
    pub expires_at: Option<i64>,
    pub state: TokenState,
    pub last_error: Option<String>,
    pub last_failure_at: Option<i64>,
}

impl TokenRecord {
    /// Whether the token is of no more use at `now`: Instagram said it expired or was revoked,
    /// or it is past its `expires_at` (dead before Instagram says so).
    pub fn is_dead_at(&self, now: i64) -> bool {
        self.state != TokenState::Active || self.expires_at.is_some_and(|at| at <= now)
    }
}

/// One line of a feed's event log.
#[derive(Debug, Clone)]
pub struct Event {
    pub at: i64,
    pub kind: String,
    pub detail: String,
}

/// The per-feed settings the HTTP layer needs.
#[derive(Debug, Clone, Default)]
pub struct FeedSettings {
    pub username: String,
    /// Empty means any origin.
    pub allowed_origins: Vec<String>,
}

/// A token being added, with what `/me` said about its account.
#[derive(Debug, Clone)]
pub struct NewToken<'a> {
    pub feed: &'a str,
    pub token: &'a Secret,
    pub username: &'a str,
    /// The account's Instagram id (`/me`'s `user_id`).
    pub user_id: Option<&'a str>,
    /// Its app-scoped id (`/me`'s `id`), as Meta's callbacks may name it.
    pub app_user_id: Option<&'a str>,
    pub expires_at: Option<i64>,
    /// Empty means any origin.
    pub allowed_origins: &'a [String],
}

impl<'a> NewToken<'a> {
    /// A token `/me` accepted, stored under `feed` with the account's name and both its ids.
    pub fn checked(
        feed: &'a str,
        token: &'a Secret,
        me: &'a Me,
        expires_at: Option<i64>,
        allowed_origins: &'a [String],
    ) -> Self {
        Self {
            feed,
            token,
            username: &me.username,
            user_id: me.user_id.as_deref(),
            app_user_id: me.id.as_deref(),
            expires_at,
            allowed_origins,
        }
    }
}

impl Store {
    /// Creates the feed if needed and stores its (new) token as active, in one transaction.
    pub fn put_token(&self, new: &NewToken<'_>, now: i64) -> Result<(), ProxyError> {
        let NewToken {
            feed,
            token,
            username,
            user_id,
            app_user_id,
            expires_at,
            allowed_origins,
        } = *new;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO feeds (name, created_at, allowed_origins, username, user_id, app_user_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(name) DO UPDATE SET allowed_origins = ?3, username = ?4, user_id = ?5,
                     app_user_id = ?6",
                args![feed, now, allowed_origins.join(" "), username, user_id, app_user_id],
            )?;
            tx.execute(
                "INSERT INTO tokens (feed, token, issued_at, refreshed_at, expires_at, state, last_error, last_failure_at)
                 VALUES (?1, ?2, ?3, NULL, ?4, 'active', NULL, NULL)
                 ON CONFLICT(feed) DO UPDATE SET token = ?2, issued_at = ?3, refreshed_at = NULL,
                     expires_at = ?4, state = 'active', last_error = NULL, last_failure_at = NULL",
                args![feed, token.expose(), now, expires_at],
            )?;
            insert_event(tx, feed, now, "token_added", &format!("token for @{username} stored"))
        })
    }

    pub fn token(&self, feed: &str) -> Result<Option<TokenRecord>, ProxyError> {
        self.read(|tx| {
            tx.query_opt(&format!("{TOKEN_SELECT} WHERE t.feed = ?1"), args![feed])?
                .map(|r| token_row(&r))
                .transpose()
        })
    }

    pub fn tokens(&self) -> Result<Vec<TokenRecord>, ProxyError> {
        self.read(|tx| {
            tx.query(&format!("{TOKEN_SELECT} ORDER BY t.feed"), &[])?
                .iter()
                .map(token_row)
                .collect()
        })
    }

    /// Replaces `old` with `new` atomically, only if `old` is still the stored token. Returns
    /// whether it did.
    pub fn save_refreshed(
        &self,
        feed: &str,
        old: &Secret,
        new: &Secret,
        expires_at: i64,
        now: i64,
    ) -> Result<bool, ProxyError> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE tokens SET token = ?3, issued_at = ?4, refreshed_at = ?4, expires_at = ?5,
                     state = 'active', last_error = NULL, last_failure_at = NULL
                 WHERE feed = ?1 AND token = ?2",
                args![feed, old.expose(), new.expose(), now, expires_at],
            )?;
            if changed == 1 {
                let detail = format!(
                    "token refreshed; expires {}",
                    crate::clock::human(expires_at)
                );
                insert_event(tx, feed, now, "token_refreshed", &detail)?;
            }
            Ok(changed == 1)
        })
    }

    /// Records a failed refresh or fetch made with `token`; `state` marks it dead. Like
    /// [`Store::save_refreshed`], only if `token` is still the stored token: a failure of the old
    /// token must not touch one added meanwhile. Returns whether it was. The token string itself is
    /// never touched here.
    pub fn record_token_failure(
        &self,
        feed: &str,
        token: &Secret,
        state: Option<TokenState>,
        kind: &str,
        message: &str,
        now: i64,
    ) -> Result<bool, ProxyError> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE tokens SET last_error = ?2, last_failure_at = ?3, state = COALESCE(?4, state)
                 WHERE feed = ?1 AND token = ?5",
                args![
                    feed,
                    message,
                    now,
                    state.map(TokenState::as_str),
                    token.expose()
                ],
            )?;
            if changed == 1 {
                insert_event(tx, feed, now, kind, message)?;
            }
            Ok(changed == 1)
        })
    }

    pub fn event(&self, feed: &str, kind: &str, detail: &str, now: i64) -> Result<(), ProxyError> {
        self.write(|tx| insert_event(tx, feed, now, kind, detail))
    }

    /// The newest `limit` events of a feed, newest first.
    pub fn events(&self, feed: &str, limit: usize) -> Result<Vec<Event>, ProxyError> {
        self.read(|tx| {
            tx.query(
                "SELECT at, kind, detail FROM events WHERE feed = ?1 ORDER BY id DESC LIMIT ?2",
                args![feed, limit as i64],
            )?
            .iter()
            .map(|r| {
                Ok(Event {
                    at: r.get(0)?,
                    kind: r.get(1)?,
                    detail: r.get(2)?,
                })
            })
            .collect()
        })
    }

    /// Deletes a feed with its token, snapshot and events. Returns whether it existed.
    pub fn remove_feed(&self, feed: &str) -> Result<bool, ProxyError> {
        self.write(|tx| {
            tx.execute("DELETE FROM events WHERE feed = ?1", args![feed])?;
            Ok(tx.execute("DELETE FROM feeds WHERE name = ?1", args![feed])? > 0)
        })
    }

    pub fn feed_settings(&self, feed: &str) -> Result<Option<FeedSettings>, ProxyError> {
        self.read(|tx| {
            tx.query_opt(
                "SELECT username, allowed_origins FROM feeds WHERE name = ?1",
                args![feed],
            )?
            .map(|r| {
                let origins: String = r.get(1)?;
                Ok(FeedSettings {
                    username: r.get(0)?,
                    allowed_origins: origins.split_whitespace().map(str::to_owned).collect(),
                })
            })
            .transpose()
        })
    }

    /// Stores a feed's newest good snapshot (the feed JSON as fetched, status `live`).
    pub fn save_snapshot(&self, feed: &str, body: &str, fetched_at: i64) -> Result<(), ProxyError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO snapshots (feed, body, fetched_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(feed) DO UPDATE SET body = ?2, fetched_at = ?3",
                args![feed, body, fetched_at],
            )?;
            insert_event(
                tx,
                feed,
                fetched_at,
                "fetched",
                "feed fetched from Instagram",
            )
        })
    }

    /// When `feed`'s stored snapshot was fetched, without reading its body.
    pub fn snapshot_fetched_at(&self, feed: &str) -> Result<Option<i64>, ProxyError> {
        self.read(|tx| {
            tx.query_opt(
                "SELECT fetched_at FROM snapshots WHERE feed = ?1",
                args![feed],
            )?
            .map(|r| r.get(0))
            .transpose()
        })
    }

    /// When each stored snapshot was fetched, by feed: what another instance may have renewed.
    pub fn snapshot_times(&self) -> Result<Vec<(String, i64)>, ProxyError> {
        self.read(|tx| {
            tx.query("SELECT feed, fetched_at FROM snapshots", &[])?
                .iter()
                .map(|r| Ok((r.get(0)?, r.get(1)?)))
                .collect()
        })
    }

    /// The stored snapshot and when it was fetched, only if fetched after `known` (what this
    /// process has): its body is read only then.
    pub fn snapshot_after(
        &self,
        feed: &str,
        known: i64,
    ) -> Result<Option<(String, i64)>, ProxyError> {
        self.read(|tx| {
            tx.query_opt(
                "SELECT body, fetched_at FROM snapshots WHERE feed = ?1 AND fetched_at > ?2",
                args![feed, known],
            )?
            .map(|r| Ok((r.get(0)?, r.get(1)?)))
            .transpose()
        })
    }

    /// The last good snapshot and when it was fetched.
    pub fn snapshot(&self, feed: &str) -> Result<Option<(String, i64)>, ProxyError> {
        self.read(|tx| {
            tx.query_opt(
                "SELECT body, fetched_at FROM snapshots WHERE feed = ?1",
                args![feed],
            )?
            .map(|r| Ok((r.get(0)?, r.get(1)?)))
            .transpose()
        })
    }
}

const TOKEN_SELECT: &str =
    "SELECT t.feed, t.token, f.username, t.issued_at, t.refreshed_at, t.expires_at,
        t.state, t.last_error, t.last_failure_at
 FROM tokens t JOIN feeds f ON f.name = t.feed";

fn token_row(r: &Row) -> Result<TokenRecord, DbError> {
    Ok(TokenRecord {
        feed: r.get(0)?,
        token: Secret::new(r.get::<String>(1)?),
        username: r.get(2)?,
        issued_at: r.get(3)?,
        refreshed_at: r.get(4)?,
        expires_at: r.get(5)?,
        state: TokenState::parse(&r.get::<String>(6)?),
        last_error: r.get(7)?,
        last_failure_at: r.get(8)?,
    })
}

pub(crate) fn insert_event(
    tx: &mut Tx<'_>,
    feed: &str,
    at: i64,
    kind: &str,
    detail: &str,
) -> Result<(), DbError> {
    tx.execute(
        "INSERT INTO events (feed, at, kind, detail) VALUES (?1, ?2, ?3, ?4)",
        args![feed, at, kind, detail],
    )?;
    // A bounded history: the oldest events beyond the newest EVENTS_KEPT go.
    tx.execute(
        "DELETE FROM events WHERE feed = ?1 AND id <= \
         (SELECT id FROM events WHERE feed = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)",
        args![feed, EVENTS_KEPT],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::on_both;

    fn new<'a>(
        feed: &'a str,
        token: &'a Secret,
        expires_at: Option<i64>,
        allowed_origins: &'a [String],
    ) -> NewToken<'a> {
        NewToken {
            feed,
            token,
            username: "u",
            user_id: None,
            app_user_id: None,
            expires_at,
            allowed_origins,
        }
    }

    #[test]
    fn a_refresh_replaces_the_token_only_if_it_is_still_current() {
        on_both(|s| {
            let (a, b, c) = (Secret::new("A"), Secret::new("B"), Secret::new("C"));
            s.put_token(&new("main", &a, None, &[]), 100).unwrap();
            assert!(s.save_refreshed("main", &a, &b, 9_000, 200).unwrap());
            assert!(
                !s.save_refreshed("main", &a, &c, 9_000, 300).unwrap(),
                "stale refresh must lose"
            );
            let t = s.token("main").unwrap().unwrap();
            assert_eq!(t.token.expose(), "B");
            assert_eq!(
                (t.issued_at, t.refreshed_at, t.expires_at),
                (200, Some(200), Some(9_000))
            );
        });
    }

    #[test]
    fn a_failure_marks_the_state_but_keeps_the_token() {
        on_both(|s| {
            let a = Secret::new("A");
            s.put_token(&new("main", &a, Some(5_000), &[]), 100)
                .unwrap();
            assert!(
                s.record_token_failure(
                    "main",
                    &a,
                    Some(TokenState::Revoked),
                    "password_changed",
                    "pw",
                    150,
                )
                .unwrap()
            );
            let t = s.token("main").unwrap().unwrap();
            assert_eq!(t.token.expose(), "A");
            assert_eq!(t.state, TokenState::Revoked);
            assert_eq!(t.last_error.as_deref(), Some("pw"));
            assert_eq!(s.events("main", 1).unwrap()[0].kind, "password_changed");
        });
    }

    #[test]
    fn a_failure_of_the_old_token_leaves_a_token_added_meanwhile_alone() {
        // Regression: the old token's 190/460 marked the owner's fresh token revoked.
        on_both(|s| {
            let (old, fresh) = (Secret::new("OLD"), Secret::new("FRESH"));
            s.put_token(&new("main", &old, None, &[]), 100).unwrap();
            s.put_token(&new("main", &fresh, None, &[]), 200).unwrap();
            let applied = s
                .record_token_failure(
                    "main",
                    &old,
                    Some(TokenState::Revoked),
                    "password_changed",
                    "pw",
                    300,
                )
                .unwrap();
            assert!(!applied);
            let t = s.token("main").unwrap().unwrap();
            assert_eq!(t.token.expose(), "FRESH");
            assert_eq!(t.state, TokenState::Active);
            assert_eq!((t.last_error, t.last_failure_at), (None, None));
            assert_eq!(s.events("main", 1).unwrap()[0].kind, "token_added");
        });
    }

    #[test]
    fn the_event_history_is_bounded_per_feed() {
        on_both(|s| {
            let kept = EVENTS_KEPT as usize;
            for i in 0..kept + 50 {
                s.event("main", "fetch_failed", &format!("failure {i}"), i as i64)
                    .unwrap();
            }
            s.event("other", "fetched", "", 1).unwrap();
            let events = s.events("main", kept * 10).unwrap();
            assert_eq!(events.len(), kept, "only the newest events are kept");
            assert_eq!(events[0].detail, format!("failure {}", kept + 49));
            assert_eq!(events[kept - 1].detail, "failure 50");
            assert_eq!(s.events("other", 10).unwrap().len(), 1, "per feed");
        });
    }

    #[test]
    fn removing_a_feed_deletes_its_token_snapshot_and_events() {
        on_both(|s| {
            s.put_token(
                &new(
                    "main",
                    &Secret::new("A"),
                    None,
                    &["https://a.example".into()],
                ),
                1,
            )
            .unwrap();
            s.save_snapshot("main", "{}", 2).unwrap();
            assert_eq!(
                s.feed_settings("main").unwrap().unwrap().allowed_origins,
                ["https://a.example"]
            );
            assert!(s.remove_feed("main").unwrap());
            assert!(s.token("main").unwrap().is_none());
            assert!(s.snapshot("main").unwrap().is_none());
            assert!(s.events("main", 10).unwrap().is_empty());
            assert!(!s.remove_feed("main").unwrap());
        });
    }

    #[test]
    fn a_snapshot_is_read_only_when_newer_than_what_is_known() {
        on_both(|s| {
            s.put_token(&new("main", &Secret::new("A"), None, &[]), 1)
                .unwrap();
            s.save_snapshot("main", "{}", 20).unwrap();
            assert_eq!(
                s.snapshot_after("main", 10).unwrap(),
                Some(("{}".into(), 20))
            );
            assert_eq!(s.snapshot_after("main", 20).unwrap(), None, "already known");
            assert_eq!(s.snapshot_after("other", 0).unwrap(), None);
        });
    }
}
