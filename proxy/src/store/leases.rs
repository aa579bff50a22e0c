//! Leases: work only one process may do at a time across every instance on the same database (a
//! feed's fetch from Instagram, a token's refresh), and pauses Instagram asked for, shared by all.
//!
//! A lease is a row, not a lock: taking, renewing and giving it back are each one short
//! transaction, so no database lock is held across an Instagram call. Its holder renews it while
//! it works ([`Held`]); a holder that dies stops renewing, and another instance takes the lease
//! once it has lapsed, within one lease time.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::ProxyError;
use crate::store::Store;
use crate::store::sql::args;

/// Names this process: host, pid and a random part (a pid may be reused after a restart).
pub fn holder_name() -> String {
    format!(
        "{}:{}:{:08x}",
        host_name(),
        std::process::id(),
        rand::random::<u32>()
    )
}

/// This machine's name (`HOSTNAME`, else the kernel's).
fn host_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .map(|h| h.trim().to_string())
        .unwrap_or_default()
}

/// Whether `holder` is a process of this machine that no longer runs (killed, crashed): its
/// leases need not lapse first. A holder elsewhere, or alive, or unknown, is left to its lease time.
fn died_here(holder: &str) -> bool {
    let mut parts = holder.rsplitn(3, ':');
    let (_, pid, host) = (parts.next(), parts.next(), parts.next());
    let Some(pid) = pid.and_then(|p| p.parse::<u32>().ok()) else {
        return false;
    };
    host == Some(host_name().as_str())
        && pid != std::process::id()
        && Path::new("/proc/self").exists()
        && !Path::new(&format!("/proc/{pid}")).exists()
}

/// Wall-clock time in Unix milliseconds.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl Store {
    /// Takes lease `name` for `ttl` if no one else holds it (or renews it if this process does).
    /// Returns whether this process now holds it.
    pub fn take_lease(&self, name: &str, ttl: Duration) -> Result<bool, ProxyError> {
        let now = now_ms();
        let until = now + ttl.as_millis() as i64;
        self.write(|tx| {
            let take = "INSERT INTO leases (name, holder, expires_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT(name) DO UPDATE SET holder = ?2, expires_ms = ?3
                 WHERE leases.expires_ms <= ?4 OR leases.holder = ?2";
            if tx.execute(take, args![name, &self.holder, until, now])? == 1 {
                return Ok(true);
            }
            // A process of this machine that died holding it (restarted after a crash).
            let holder: Option<String> = tx
                .query_opt("SELECT holder FROM leases WHERE name = ?1", args![name])?
                .map(|r| r.get(0))
                .transpose()?;
            match holder {
                Some(dead) if died_here(&dead) => {
                    tx.execute(
                        "DELETE FROM leases WHERE name = ?1 AND holder = ?2",
                        args![name, &dead],
                    )?;
                    Ok(tx.execute(take, args![name, &self.holder, until, now])? == 1)
                }
                _ => Ok(false),
            }
        })
    }

    /// Gives lease `name` back, if this process holds it.
    pub fn release_lease(&self, name: &str) -> Result<(), ProxyError> {
        self.write(|tx| {
            tx.execute(
                "DELETE FROM leases WHERE name = ?1 AND holder = ?2",
                args![name, &self.holder],
            )?;
            Ok(())
        })
    }

    /// No call to Instagram for `feed` before `resume_at` (Unix time), by any instance.
    pub fn pause_feed(&self, feed: &str, resume_at: i64, reason: &str) -> Result<(), ProxyError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO feed_pauses (feed, resume_at, reason)
                 SELECT CAST(?1 AS TEXT), CAST(?2 AS BIGINT), CAST(?3 AS TEXT)
                 WHERE EXISTS (SELECT 1 FROM feeds WHERE name = ?1)
                 ON CONFLICT(feed) DO UPDATE SET resume_at = ?2, reason = ?3",
                args![feed, resume_at, reason],
            )?;
            Ok(())
        })
    }

    /// Until when, and why, calls for `feed` are paused, if they are at `now`.
    pub fn feed_pause(&self, feed: &str, now: i64) -> Result<Option<(i64, String)>, ProxyError> {
        self.read(|tx| {
            tx.query_opt(
                "SELECT resume_at, reason FROM feed_pauses WHERE feed = ?1 AND resume_at > ?2",
                args![feed, now],
            )?
            .map(|r| Ok((r.get(0)?, r.get(1)?)))
            .transpose()
        })
    }

    /// Takes lease `name` for `ttl` and keeps renewing it until the returned guard is released or
    /// dropped. `None` when another process holds it.
    pub async fn hold(
        self: &Arc<Self>,
        name: &str,
        ttl: Duration,
    ) -> Result<Option<Held>, ProxyError> {
        let key = name.to_string();
        if !self.run(move |s| s.take_lease(&key, ttl)).await? {
            return Ok(None);
        }
        let (store, key) = (Arc::clone(self), name.to_string());
        let renewing = tokio::spawn(async move {
            loop {
                tokio::time::sleep(ttl / 3).await;
                let k = key.clone();
                match store.run(move |s| s.take_lease(&k, ttl)).await {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::warn!(lease = %key, "the lease was lost to another instance");
                        return;
                    }
                    // The database may be back before the lease lapses.
                    Err(e) => tracing::warn!(lease = %key, "cannot renew the lease: {e}"),
                }
            }
        });
        Ok(Some(Held {
            store: Arc::clone(self),
            name: name.to_string(),
            renewing,
        }))
    }
}

/// A lease this process holds, renewed in the background until released or dropped.
pub struct Held {
    store: Arc<Store>,
    name: String,
    renewing: tokio::task::JoinHandle<()>,
}

impl Held {
    /// Resolves once the lease is lost: another instance took it after a renewal came too late
    /// (say, while the database was unreachable). Until then this process holds it.
    pub async fn lost(&mut self) {
        let _ = (&mut self.renewing).await;
    }

    /// Stops renewing and gives the lease back now.
    pub async fn release(self) {
        self.renewing.abort();
        let name = self.name.clone();
        if let Err(e) = self.store.run(move |s| s.release_lease(&name)).await {
            tracing::warn!(lease = %self.name, "cannot give the lease back (it lapses on its own): {e}");
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        // Released or not, it is no longer renewed: at worst it lapses after one lease time.
        self.renewing.abort();
    }
}

#[cfg(test)]
mod tests {
    use crate::store::testing::{add_feed, on_both, on_both_shared};
    use std::time::Duration;

    #[test]
    fn a_lease_has_one_holder_until_it_lapses_or_is_given_back() {
        on_both_shared(|s, other| {
            let ttl = Duration::from_millis(400);
            assert!(s.take_lease("fetch:main", ttl).unwrap());
            assert!(!other.take_lease("fetch:main", ttl).unwrap(), "held");
            assert!(other.take_lease("fetch:shop", ttl).unwrap(), "per name");
            assert!(
                s.take_lease("fetch:main", ttl).unwrap(),
                "renewed by its holder"
            );
            std::thread::sleep(ttl + Duration::from_millis(100));
            assert!(other.take_lease("fetch:main", ttl).unwrap(), "lapsed");
            assert!(!s.take_lease("fetch:main", ttl).unwrap());
            s.release_lease("fetch:main").unwrap();
            assert!(
                !s.take_lease("fetch:main", ttl).unwrap(),
                "only its holder gives it back"
            );
            other.release_lease("fetch:main").unwrap();
            assert!(s.take_lease("fetch:main", ttl).unwrap(), "given back");
        });
    }

    #[test]
    fn a_holder_of_this_machine_that_died_is_known_dead_others_are_not() {
        let host = super::host_name();
        // A pid above the kernel's maximum never runs.
        assert!(super::died_here(&format!("{host}:4194399:00000001")));
        assert!(!super::died_here(&super::holder_name()), "this process");
        assert!(
            !super::died_here(&format!("{host}:1:00000001")),
            "init runs"
        );
        assert!(
            !super::died_here("another-machine:4194399:00000001"),
            "elsewhere"
        );
        assert!(!super::died_here("garbage"));
    }

    #[test]
    fn a_lease_of_a_dead_process_of_this_machine_is_taken_at_once() {
        on_both_shared(|s, other| {
            let dead = format!("{}:4194399:00000001", super::host_name());
            s.write(|tx| {
                tx.execute(
                    "INSERT INTO leases (name, holder, expires_ms) VALUES ('fetch:main', ?1, ?2)",
                    crate::store::sql::args![&dead, i64::MAX / 2],
                )
            })
            .unwrap();
            assert!(
                other
                    .take_lease("fetch:main", Duration::from_secs(30))
                    .unwrap()
            );
            assert!(
                !s.take_lease("fetch:main", Duration::from_secs(30)).unwrap(),
                "held again"
            );
        });
    }

    #[test]
    fn a_pause_is_shared_until_it_ends_and_goes_with_its_feed() {
        on_both(|s| {
            add_feed(s, "main", None, 1);
            s.pause_feed("main", 500, "rate limited").unwrap();
            s.pause_feed("gone", 500, "rate limited").unwrap();
            assert_eq!(
                s.feed_pause("main", 400).unwrap(),
                Some((500, "rate limited".to_string()))
            );
            assert_eq!(s.feed_pause("main", 500).unwrap(), None, "over");
            assert_eq!(s.feed_pause("gone", 400).unwrap(), None);
            s.remove_feed("main").unwrap();
            add_feed(s, "main", None, 2);
            assert_eq!(s.feed_pause("main", 400).unwrap(), None);
        });
    }
}
