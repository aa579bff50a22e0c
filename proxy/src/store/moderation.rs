//! Each feed's moderation ([`crate::moderation`]): the posts the owner hid, the words and hashtags
//! to hide, the hashtag to show only, and the approval switch with the posts it lets through.
//!
//! Every change also raises the feed's version in the same transaction, first, so that changes to
//! one feed are applied one after the other, and every instance can tell with one small query
//! ([`Store::moderation_versions`]) that it must read the feed's moderation again. A version is
//! the time of the change in microseconds, or one more than the previous version: it only grows,
//! even across a feed removed and added again.
//!
//! "New posts need approval" keeps, while it is on, the posts that may be shown: those in the
//! stored snapshot when it was turned on, and those approved since. A post first seen after it
//! was turned on is in no snapshot of that moment nor approved, so it waits, on every instance and
//! across restarts, without anything to record when new posts arrive.

use feedframe_feed::Feed;

use crate::error::ProxyError;
use crate::moderation::terms::MAX_TERMS;
use crate::moderation::{Approval, Moderation};
use crate::store::Store;
use crate::store::sql::{DbError, Tx, args};

/// What adding a word or hashtag to hide did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermAdded {
    Added,
    /// The feed already hides by it.
    Known,
    /// The feed already hides by [`MAX_TERMS`] words and hashtags.
    Full,
}

impl Store {
    /// `feed`'s moderation (nothing moderated, version 0, for a feed never moderated).
    pub fn moderation(&self, feed: &str) -> Result<Moderation, ProxyError> {
        self.read(|tx| {
            let Some(row) = tx.query_opt(
                "SELECT version, show_only, approval_since FROM feed_moderation WHERE feed = ?1",
                args![feed],
            )?
            else {
                return Ok(Moderation::default());
            };
            let approval_since: Option<i64> = row.get(2)?;
            let approval = match approval_since {
                Some(since) => Some(Approval {
                    since,
                    approved: first_column(
                        tx,
                        "SELECT post_id FROM approved_posts WHERE feed = ?1",
                        feed,
                    )?,
                }),
                None => None,
            };
            Ok(Moderation {
                version: row.get(0)?,
                show_only: row.get(1)?,
                approval,
                hidden: tx
                    .query(
                        "SELECT post_id, hidden_at FROM hidden_posts WHERE feed = ?1",
                        args![feed],
                    )?
                    .iter()
                    .map(|r| Ok((r.get(0)?, r.get(1)?)))
                    .collect::<Result<_, DbError>>()?,
                hide_terms: first_column(
                    tx,
                    "SELECT term FROM hide_terms WHERE feed = ?1 ORDER BY added_at, term",
                    feed,
                )?,
            })
        })
    }

    /// Each moderated feed's version: what another instance may have changed.
    pub fn moderation_versions(&self) -> Result<Vec<(String, i64)>, ProxyError> {
        self.read(|tx| {
            tx.query("SELECT feed, version FROM feed_moderation", &[])?
                .iter()
                .map(|r| Ok((r.get(0)?, r.get(1)?)))
                .collect()
        })
    }

    /// Hides post `post` of `feed` from visitors.
    pub fn hide_post(&self, feed: &str, post: &str, now: i64) -> Result<(), ProxyError> {
        self.change(feed, |tx| {
            tx.execute(
                "INSERT INTO hidden_posts (feed, post_id, hidden_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(feed, post_id) DO NOTHING",
                args![feed, post, now],
            )?;
            Ok(())
        })
    }

    /// Unhides post `post` of `feed`, and approves it while approval is on: the owner wants it
    /// seen.
    pub fn show_post(&self, feed: &str, post: &str, now: i64) -> Result<(), ProxyError> {
        self.change(feed, |tx| {
            tx.execute(
                "DELETE FROM hidden_posts WHERE feed = ?1 AND post_id = ?2",
                args![feed, post],
            )?;
            tx.execute(
                "INSERT INTO approved_posts (feed, post_id, approved_at)
                 SELECT CAST(?1 AS TEXT), CAST(?2 AS TEXT), CAST(?3 AS BIGINT)
                 WHERE EXISTS (SELECT 1 FROM feed_moderation
                               WHERE feed = ?1 AND approval_since IS NOT NULL)
                 ON CONFLICT(feed, post_id) DO NOTHING",
                args![feed, post, now],
            )?;
            Ok(())
        })
    }

    /// Hides `feed`'s posts whose caption mentions `term` (checked by
    /// [`crate::moderation::terms::term`]).
    pub fn add_hide_term(&self, feed: &str, term: &str, now: i64) -> Result<TermAdded, ProxyError> {
        self.change(feed, |tx| {
            let known = tx
                .query_opt(
                    "SELECT 1 FROM hide_terms WHERE feed = ?1 AND term = ?2",
                    args![feed, term],
                )?
                .is_some();
            if known {
                return Ok(TermAdded::Known);
            }
            let count: i64 = tx
                .query_opt(
                    "SELECT COUNT(*) FROM hide_terms WHERE feed = ?1",
                    args![feed],
                )?
                .map_or(Ok(0), |r| r.get(0))?;
            if count >= MAX_TERMS as i64 {
                return Ok(TermAdded::Full);
            }
            tx.execute(
                "INSERT INTO hide_terms (feed, term, added_at) VALUES (?1, ?2, ?3)",
                args![feed, term, now],
            )?;
            Ok(TermAdded::Added)
        })
    }

    /// Stops hiding `feed`'s posts by `term`. Returns whether it did.
    pub fn remove_hide_term(&self, feed: &str, term: &str) -> Result<bool, ProxyError> {
        self.change(feed, |tx| {
            Ok(tx.execute(
                "DELETE FROM hide_terms WHERE feed = ?1 AND term = ?2",
                args![feed, term],
            )? > 0)
        })
    }

    /// Shows only `feed`'s posts that carry `hashtag` (checked by
    /// [`crate::moderation::terms::hashtag`]); `None` shows posts with or without it.
    pub fn set_show_only(&self, feed: &str, hashtag: Option<&str>) -> Result<(), ProxyError> {
        self.change(feed, |tx| {
            tx.execute(
                "UPDATE feed_moderation SET show_only = ?2 WHERE feed = ?1",
                args![feed, hashtag],
            )?;
            Ok(())
        })
    }

    /// Turns "new posts need approval" on or off for `feed`. Turning it on lets the posts of the
    /// stored snapshot through, and no other; turning it off shows every post that waited. Turning
    /// it on again while on changes nothing.
    pub fn set_approval(&self, feed: &str, on: bool, now: i64) -> Result<(), ProxyError> {
        self.change(feed, |tx| {
            let since: Option<i64> = tx
                .query_opt(
                    "SELECT approval_since FROM feed_moderation WHERE feed = ?1",
                    args![feed],
                )?
                .map_or(Ok(None), |r| r.get(0))?;
            match (on, since) {
                (true, Some(_)) => {}
                (true, None) => {
                    tx.execute(
                        "UPDATE feed_moderation SET approval_since = ?2 WHERE feed = ?1",
                        args![feed, now],
                    )?;
                    for post in stored_post_ids(tx, feed)? {
                        tx.execute(
                            "INSERT INTO approved_posts (feed, post_id, approved_at)
                             VALUES (?1, ?2, ?3) ON CONFLICT(feed, post_id) DO NOTHING",
                            args![feed, post, now],
                        )?;
                    }
                }
                (false, _) => {
                    tx.execute(
                        "UPDATE feed_moderation SET approval_since = NULL WHERE feed = ?1",
                        args![feed],
                    )?;
                    tx.execute("DELETE FROM approved_posts WHERE feed = ?1", args![feed])?;
                }
            }
            Ok(())
        })
    }

    /// Raises `feed`'s version, then runs `f`, in one transaction; `FeedNotFound` if there is no
    /// such feed.
    fn change<T>(
        &self,
        feed: &str,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T, DbError>,
    ) -> Result<T, ProxyError> {
        let done = self.write(|tx| {
            let raised = tx.execute(
                "INSERT INTO feed_moderation (feed, version)
                 SELECT CAST(?1 AS TEXT), CAST(?2 AS BIGINT)
                 WHERE EXISTS (SELECT 1 FROM feeds WHERE name = ?1)
                 ON CONFLICT(feed) DO UPDATE SET version = CASE
                     WHEN feed_moderation.version < ?2 THEN ?2
                     ELSE feed_moderation.version + 1 END",
                args![feed, now_us()],
            )?;
            if raised == 0 {
                return Ok(None);
            }
            f(tx).map(Some)
        })?;
        done.ok_or_else(|| ProxyError::FeedNotFound(feed.to_string()))
    }
}

/// The first column (text) of every row `sql` selects for `feed` (its one parameter).
fn first_column<T: FromIterator<String>>(
    tx: &mut Tx<'_>,
    sql: &str,
    feed: &str,
) -> Result<T, DbError> {
    tx.query(sql, args![feed])?
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// Now in microseconds: a feed removed and added again starts above every version it had, since
/// its old ones ran ahead of the clock by one per change, far less than a change takes.
fn now_us() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

/// The ids of the posts in `feed`'s stored snapshot (none if it has none, or it cannot be read:
/// then every post waits, which errs on the side of the owner).
fn stored_post_ids(tx: &mut Tx<'_>, feed: &str) -> Result<Vec<String>, DbError> {
    let body: Option<String> = tx
        .query_opt("SELECT body FROM snapshots WHERE feed = ?1", args![feed])?
        .map_or(Ok(None), |r| r.get(0).map(Some))?;
    Ok(body
        .and_then(|b| serde_json::from_str::<Feed>(&b).ok())
        .map(|f| f.posts.into_iter().map(|p| p.id).collect())
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::{add_feed, on_both, on_both_shared, snapshot};

    #[test]
    fn hidden_posts_and_rules_are_kept_and_every_change_raises_the_version() {
        on_both(|s| {
            add_feed(s, "main", None, 1);
            add_feed(s, "shop", None, 1);
            assert_eq!(s.moderation("main").unwrap(), Moderation::default());
            s.hide_post("main", "17", 100).unwrap();
            let v1 = s.moderation("main").unwrap().version;
            assert!(v1 > 0);
            assert_eq!(
                s.add_hide_term("main", "#pot", 101).unwrap(),
                TermAdded::Added
            );
            assert_eq!(
                s.add_hide_term("main", "sale", 102).unwrap(),
                TermAdded::Added
            );
            assert_eq!(
                s.add_hide_term("main", "#pot", 103).unwrap(),
                TermAdded::Known
            );
            s.set_show_only("main", Some("#glaze")).unwrap();
            let m = s.moderation("main").unwrap();
            assert!(m.version > v1);
            assert_eq!(m.hidden.get("17"), Some(&100));
            assert_eq!(m.hide_terms, ["#pot", "sale"], "in the order added");
            assert_eq!(m.show_only.as_deref(), Some("#glaze"));
            assert_eq!(m.approval, None);
            assert_eq!(
                s.moderation("shop").unwrap(),
                Moderation::default(),
                "per feed"
            );

            s.show_post("main", "17", 104).unwrap();
            assert!(s.remove_hide_term("main", "#pot").unwrap());
            assert!(!s.remove_hide_term("main", "#pot").unwrap());
            s.set_show_only("main", None).unwrap();
            let after = s.moderation("main").unwrap();
            assert!(after.hidden.is_empty());
            assert_eq!(after.hide_terms, ["sale"]);
            assert_eq!(after.show_only, None);
            assert!(after.version > m.version);
            assert_eq!(
                s.moderation_versions().unwrap(),
                [("main".to_string(), after.version)]
            );
        });
    }

    #[test]
    fn a_feed_hides_by_at_most_max_terms() {
        on_both(|s| {
            add_feed(s, "main", None, 1);
            for i in 0..MAX_TERMS {
                assert_eq!(
                    s.add_hide_term("main", &format!("w{i}"), 1).unwrap(),
                    TermAdded::Added
                );
            }
            assert_eq!(
                s.add_hide_term("main", "one-more", 1).unwrap(),
                TermAdded::Full
            );
            assert_eq!(s.moderation("main").unwrap().hide_terms.len(), MAX_TERMS);
        });
    }

    #[test]
    fn approval_lets_through_the_posts_stored_when_it_was_turned_on_and_those_approved() {
        on_both(|s| {
            add_feed(s, "main", None, 1);
            let before = snapshot("main", &["a", "b"]);
            s.save_snapshot("main", &before, 10).unwrap();
            s.set_approval("main", true, 20).unwrap();
            let on = s.moderation("main").unwrap().approval.unwrap();
            assert_eq!(on.since, 20);
            // `snapshot` numbers its posts from 0.
            assert_eq!(on.approved, ["0".to_string(), "1".into()].into());

            // A newer snapshot brings post 2: it waits until approved, even after turning the
            // switch on again.
            s.save_snapshot("main", &snapshot("main", &["a", "b", "c"]), 30)
                .unwrap();
            s.set_approval("main", true, 40).unwrap();
            let m = s.moderation("main").unwrap().approval.unwrap();
            assert_eq!((m.since, m.approved.contains("2")), (20, false));
            s.show_post("main", "2", 50).unwrap();
            assert!(
                s.moderation("main")
                    .unwrap()
                    .approval
                    .unwrap()
                    .approved
                    .contains("2")
            );

            // Off: nothing waits, and on again counts from the snapshot of that moment.
            s.set_approval("main", false, 60).unwrap();
            assert_eq!(s.moderation("main").unwrap().approval, None);
            s.show_post("main", "9", 61).unwrap();
            s.set_approval("main", true, 70).unwrap();
            let again = s.moderation("main").unwrap().approval.unwrap();
            assert_eq!(again.approved.len(), 3, "{:?}", again.approved);
            assert!(!again.approved.contains("9"), "approved only while on");
        });
    }

    #[test]
    fn approval_on_a_feed_without_a_snapshot_lets_nothing_through_yet() {
        on_both(|s| {
            add_feed(s, "main", None, 1);
            s.set_approval("main", true, 5).unwrap();
            assert!(
                s.moderation("main")
                    .unwrap()
                    .approval
                    .unwrap()
                    .approved
                    .is_empty()
            );
        });
    }

    #[test]
    fn an_unknown_feed_is_refused_and_a_removed_feed_takes_its_moderation_with_it() {
        on_both(|s| {
            assert!(matches!(
                s.hide_post("nope", "1", 1),
                Err(ProxyError::FeedNotFound(_))
            ));
            assert!(s.moderation_versions().unwrap().is_empty());
            add_feed(s, "main", None, 1);
            s.hide_post("main", "1", 1).unwrap();
            s.add_hide_term("main", "x", 1).unwrap();
            s.set_approval("main", true, 1).unwrap();
            s.show_post("main", "2", 1).unwrap();
            let old = s.moderation("main").unwrap().version;
            s.remove_feed("main").unwrap();
            assert!(s.moderation_versions().unwrap().is_empty());
            add_feed(s, "main", None, 2);
            assert_eq!(s.moderation("main").unwrap(), Moderation::default());
            s.set_show_only("main", Some("#a")).unwrap();
            assert!(
                s.moderation("main").unwrap().version > old,
                "an instance that held the old feed reads the new one"
            );
        });
    }

    #[test]
    fn another_instance_sees_each_change_by_its_version() {
        on_both_shared(|s, other| {
            add_feed(s, "main", None, 1);
            let mut seen = 0;
            for change in 0..4 {
                match change {
                    0 => s.hide_post("main", "1", 1).unwrap(),
                    1 => s.show_post("main", "1", 1).unwrap(),
                    2 => s.set_approval("main", true, 1).unwrap(),
                    _ => s.set_approval("main", false, 1).unwrap(),
                }
                let (_, version) = other.moderation_versions().unwrap()[0].clone();
                assert!(version > seen, "change {change}");
                seen = version;
                assert_eq!(
                    other.moderation("main").unwrap(),
                    s.moderation("main").unwrap()
                );
            }
        });
    }
}
