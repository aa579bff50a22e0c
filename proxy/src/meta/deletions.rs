//! Data-deletion requests, in the same database as the feeds: one row per request Meta sent, keyed by the
//! confirmation code the user was given. Nothing personal is kept: no user id, no name; only
//! when, how far it got, how many feeds went, and until it is done the content digests of the
//! images still to delete, so that a restart finishes what a crash interrupted.

use std::collections::HashSet;

use crate::error::ProxyError;
use crate::store::Store;
use crate::store::sql::args;

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
    /// Deletes the feeds of the account `user_id` names (see [`Store::feeds_of_user`]) with
    /// their tokens, posts and history, and records the request as pending with the digests of
    /// their images: all in one transaction, so a crash leaves either nothing done (Meta asks
    /// again) or a pending request that [`Store::pending_deletions`] finds. Returns the feeds
    /// and the digests.
    pub fn delete_user_feeds(
        &self,
        code: &str,
        user_id: &str,
        now: i64,
    ) -> Result<(Vec<String>, HashSet<String>), ProxyError> {
        let feeds = self.feeds_of_user(user_id)?;
        let mut digests = HashSet::new();
        for feed in &feeds {
            if let Some((body, _)) = self.snapshot(feed)? {
                // An unreadable snapshot names no image; the usual collection takes them.
                match crate::media::gc::snapshot_digests(&body) {
                    Ok(d) => digests.extend(d),
                    Err(e) => tracing::error!(feed = %feed, "{e}"),
                }
            }
        }
        let mut listed: Vec<&str> = digests.iter().map(String::as_str).collect();
        listed.sort_unstable();
        self.write(|tx| {
            for feed in &feeds {
                tx.execute("DELETE FROM events WHERE feed = ?1", args![feed])?;
                tx.execute("DELETE FROM feeds WHERE name = ?1", args![feed])?;
            }
            tx.execute(
                "INSERT INTO meta_deletions (code, requested_at, state, feeds_removed, digests)
                 VALUES (?1, ?2, 'pending', ?3, ?4)",
                args![code, now, feeds.len() as i64, listed.join(" ")],
            )?;
            Ok(())
        })?;
        Ok((feeds, digests))
    }

    /// The requests whose images are still to delete, with their digests.
    pub fn pending_deletions(&self) -> Result<Vec<(String, HashSet<String>)>, ProxyError> {
        self.read(|tx| {
            tx.query(
                "SELECT code, digests FROM meta_deletions WHERE state = 'pending' ORDER BY requested_at",
                &[],
            )?
            .iter()
            .map(|r| {
                let digests: String = r.get(1)?;
                Ok((
                    r.get(0)?,
                    digests.split_whitespace().map(str::to_owned).collect(),
                ))
            })
            .collect()
        })
    }

    /// Marks a request done at `now`.
    pub fn finish_deletion(&self, code: &str, now: i64) -> Result<(), ProxyError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE meta_deletions SET state = 'done', done_at = ?2, digests = '' WHERE code = ?1",
                args![code, now],
            )?;
            Ok(())
        })
    }

    /// The request with this confirmation code, if any.
    pub fn deletion(&self, code: &str) -> Result<Option<Deletion>, ProxyError> {
        self.read(|tx| {
            tx.query_opt(
                "SELECT code, requested_at, state, feeds_removed, done_at
                 FROM meta_deletions WHERE code = ?1",
                args![code],
            )?
            .map(|r| {
                Ok(Deletion {
                    code: r.get(0)?,
                    requested_at: r.get(1)?,
                    state: DeletionState::parse(&r.get::<String>(2)?),
                    feeds_removed: r.get(3)?,
                    done_at: r.get(4)?,
                })
            })
            .transpose()
        })
    }

    /// The feeds of the Instagram account a Meta callback names, by its app-scoped id or its
    /// Instagram id (compared as text): which of the two Meta sends is not documented for
    /// Instagram Login, and no feed answers to another account's id of either kind.
    pub fn feeds_of_user(&self, user_id: &str) -> Result<Vec<String>, ProxyError> {
        self.read(|tx| {
            tx.query(
                "SELECT name FROM feeds WHERE user_id = ?1 OR app_user_id = ?1 ORDER BY name",
                args![user_id],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect()
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
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE tokens SET state = 'revoked', last_error = ?2, last_failure_at = ?3
                 WHERE feed = ?1",
                args![feed, detail, now],
            )?;
            if changed == 1 {
                crate::store::feeds::insert_event(tx, feed, now, "app_removed", detail)?;
            }
            Ok(changed == 1)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::TokenState;
    use crate::store::testing::{add_feed, on_both, snapshot};

    #[test]
    fn a_deletion_removes_the_users_feeds_stays_pending_with_their_images_until_done() {
        on_both(|s| {
            for (feed, user) in [("a", "17"), ("b", "17"), ("c", "170")] {
                add_feed(s, feed, Some(user), 1);
            }
            let digest = "d".repeat(32);
            s.save_snapshot("a", &snapshot("a", &[&digest]), 2).unwrap();

            let (feeds, digests) = s.delete_user_feeds("c0de", "17", 100).unwrap();
            assert_eq!(feeds, ["a", "b"]);
            assert_eq!(digests, HashSet::from([digest.clone()]));
            assert!(s.token("a").unwrap().is_none() && s.token("b").unwrap().is_none());
            assert!(s.snapshot("a").unwrap().is_none() && s.events("a", 5).unwrap().is_empty());
            assert!(
                s.token("c").unwrap().is_some(),
                "another account's feed stays"
            );
            let d = s.deletion("c0de").unwrap().unwrap();
            assert_eq!((d.state, d.feeds_removed), (DeletionState::Pending, 2));
            // What a restart finds to finish.
            assert_eq!(
                s.pending_deletions().unwrap(),
                [("c0de".to_string(), HashSet::from([digest]))]
            );

            s.finish_deletion("c0de", 150).unwrap();
            let d = s.deletion("c0de").unwrap().unwrap();
            assert_eq!(
                (d.state, d.feeds_removed, d.done_at),
                (DeletionState::Done, 2, Some(150))
            );
            assert!(s.pending_deletions().unwrap().is_empty());
            assert!(s.deletion("other").unwrap().is_none());
        });
    }

    #[test]
    fn the_app_removed_revokes_the_feeds_of_that_user_only() {
        on_both(|s| {
            for (feed, user) in [("a", "17"), ("b", "17"), ("c", "170")] {
                add_feed(s, feed, Some(user), 1);
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
        });
    }
}
