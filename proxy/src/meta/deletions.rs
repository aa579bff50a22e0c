//! Data-deletion requests, in the same SQLite file: one row per request Meta sent, keyed by the
//! confirmation code the user was given. Nothing personal is kept: no user id, no name; only
//! when, how far it got, and how many feeds went.

use rusqlite::{OptionalExtension, params};

use crate::error::ProxyError;
use crate::store::Store;

/// Idempotent, run by [`Store::open`].
pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta_deletions (
    code          TEXT PRIMARY KEY,
    requested_at  INTEGER NOT NULL,
    state         TEXT NOT NULL DEFAULT 'pending',
    feeds_removed INTEGER NOT NULL DEFAULT 0,
    done_at       INTEGER
);
";

/// How far a deletion request got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeletionState {
    /// Received; the feeds are being deleted or their images wait to be.
    Pending,
    /// Everything is deleted.
    Done,
}

impl DeletionState {
    /// `pending` or `done`, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Done => "done",
        }
    }

    fn parse(s: &str) -> Self {
        if s == "done" {
            Self::Done
        } else {
            Self::Pending
        }
    }
}

/// One deletion request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deletion {
    pub code: String,
    pub requested_at: i64,
    pub state: DeletionState,
    pub feeds_removed: i64,
    pub done_at: Option<i64>,
}

impl Store {
    /// Records a new deletion request as pending.
    pub fn add_deletion(&self, code: &str, now: i64) -> Result<(), ProxyError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO meta_deletions (code, requested_at, state) VALUES (?1, ?2, 'pending')",
                params![code, now],
            )
            .map(|_| ())
        })
    }

    /// Records how many feeds a request removed (still pending: their images may remain).
    pub fn set_deletion_feeds(&self, code: &str, feeds: usize) -> Result<(), ProxyError> {
        self.with(|c| {
            c.execute(
                "UPDATE meta_deletions SET feeds_removed = ?2 WHERE code = ?1",
                params![code, feeds as i64],
            )
            .map(|_| ())
        })
    }

    /// Marks a request done at `now`.
    pub fn finish_deletion(&self, code: &str, now: i64) -> Result<(), ProxyError> {
        self.with(|c| {
            c.execute(
                "UPDATE meta_deletions SET state = 'done', done_at = ?2 WHERE code = ?1",
                params![code, now],
            )
            .map(|_| ())
        })
    }

    /// The request with this confirmation code, if any.
    pub fn deletion(&self, code: &str) -> Result<Option<Deletion>, ProxyError> {
        self.read(|c| {
            c.query_row(
                "SELECT code, requested_at, state, feeds_removed, done_at
                 FROM meta_deletions WHERE code = ?1",
                [code],
                |r| {
                    Ok(Deletion {
                        code: r.get(0)?,
                        requested_at: r.get(1)?,
                        state: DeletionState::parse(&r.get::<_, String>(2)?),
                        feeds_removed: r.get(3)?,
                        done_at: r.get(4)?,
                    })
                },
            )
            .optional()
        })
    }

    /// The feeds of the Instagram account a Meta callback names, by its app-scoped id or its
    /// Instagram id (compared as text): which of the two Meta sends is not documented for
    /// Instagram Login, and no feed answers to another account's id of either kind.
    pub fn feeds_of_user(&self, user_id: &str) -> Result<Vec<String>, ProxyError> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT name FROM feeds WHERE user_id = ?1 OR app_user_id = ?1 ORDER BY name",
            )?;
            stmt.query_map([user_id], |r| r.get(0))?.collect()
        })
    }

    /// Marks a feed's token revoked because the account removed the app, with `detail` as its
    /// last error and an `app_removed` event. The token string is kept (a reconnect replaces it).
    /// Returns whether the feed had a token.
    pub fn revoke_app_removed(
        &self,
        feed: &str,
        detail: &str,
        now: i64,
    ) -> Result<bool, ProxyError> {
        self.with(|c| {
            let tx = c.transaction()?;
            let changed = tx.execute(
                "UPDATE tokens SET state = 'revoked', last_error = ?2, last_failure_at = ?3
                 WHERE feed = ?1",
                params![feed, detail, now],
            )?;
            if changed == 1 {
                tx.execute(
                    "INSERT INTO events (feed, at, kind, detail) VALUES (?1, ?2, 'app_removed', ?3)",
                    params![feed, now, detail],
                )?;
            }
            tx.commit()?;
            Ok(changed == 1)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instagram::secret::Secret;
    use crate::store::{NewToken, TokenState};

    #[test]
    fn a_deletion_goes_from_pending_to_done_and_an_unknown_code_is_none() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("feedframe.db")).unwrap();
        s.add_deletion("c0de", 100).unwrap();
        assert_eq!(
            s.deletion("c0de").unwrap().unwrap().state,
            DeletionState::Pending
        );
        s.set_deletion_feeds("c0de", 2).unwrap();
        s.finish_deletion("c0de", 150).unwrap();
        let d = s.deletion("c0de").unwrap().unwrap();
        assert_eq!(
            (d.state, d.feeds_removed, d.done_at),
            (DeletionState::Done, 2, Some(150))
        );
        assert!(s.deletion("other").unwrap().is_none());
    }

    #[test]
    fn the_app_removed_revokes_the_feeds_of_that_user_only() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("feedframe.db")).unwrap();
        let token = Secret::new("t");
        for (feed, user) in [("a", "17"), ("b", "17"), ("c", "170")] {
            let new = NewToken {
                feed,
                token: &token,
                username: "u",
                user_id: Some(user),
                app_user_id: None,
                expires_at: None,
                allowed_origins: &[],
            };
            s.put_token(&new, 1).unwrap();
        }
        assert_eq!(s.feeds_of_user("17").unwrap(), ["a", "b"]);
        assert!(s.revoke_app_removed("a", "gone", 5).unwrap());
        let t = s.token("a").unwrap().unwrap();
        assert_eq!(
            (t.state, t.last_error.as_deref()),
            (TokenState::Revoked, Some("gone"))
        );
        assert_eq!(s.events("a", 1).unwrap()[0].kind, "app_removed");
        assert_eq!(s.token("c").unwrap().unwrap().state, TokenState::Active);
        assert!(!s.revoke_app_removed("nope", "gone", 5).unwrap());
    }
}
