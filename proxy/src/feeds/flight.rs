//! One background revalidation per feed at a time, that always ends: the flag that says one is
//! running is reset, and waiters are woken, by a guard on drop, so a revalidation that panics (or
//! is cancelled) never stops the feed's renewal until a restart.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::watch;

/// The part of a feed's cache entry that tracks its revalidation.
#[derive(Debug)]
pub struct Flight {
    /// Set while a revalidation is queued or running.
    running: AtomicBool,
    /// Bumped whenever a revalidation has updated what the feed serves, and when it ends.
    updates: watch::Sender<u64>,
}

impl Default for Flight {
    fn default() -> Self {
        Self {
            running: AtomicBool::new(false),
            updates: watch::Sender::new(0),
        }
    }
}

/// Resets [`Flight::running`] and wakes waiters, however the revalidation ends.
struct Landing<T: AsRef<Flight>>(Arc<T>);

impl<T: AsRef<Flight>> Drop for Landing<T> {
    fn drop(&mut self) {
        let flight: &Flight = (*self.0).as_ref();
        flight.running.store(false, Ordering::Release);
        flight.updated();
    }
}

impl Flight {
    /// Starts `work(owner)` as a background task unless one is already running for this feed.
    /// Returns whether it started one.
    pub fn start<T, F, Fut>(owner: &Arc<T>, work: F) -> bool
    where
        T: AsRef<Flight> + Send + Sync + 'static,
        F: FnOnce(Arc<T>) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let flight: &Flight = (**owner).as_ref();
        if flight.running.swap(true, Ordering::AcqRel) {
            return false;
        }
        let landing = Landing(Arc::clone(owner));
        let owner = Arc::clone(owner);
        tokio::spawn(async move {
            let _landing = landing;
            work(owner).await;
        });
        true
    }

    /// Wakes everyone waiting in [`Flight::watch`]: what the feed serves has changed.
    pub fn updated(&self) {
        self.updates.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// A receiver whose `changed()` resolves at the next update. Take it before starting the
    /// revalidation to wait for.
    pub fn watch(&self) -> watch::Receiver<u64> {
        self.updates.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    #[derive(Default)]
    struct Feed {
        flight: Flight,
        renewals: AtomicUsize,
    }

    impl AsRef<Flight> for Feed {
        fn as_ref(&self) -> &Flight {
            &self.flight
        }
    }

    #[tokio::test]
    async fn a_panicking_revalidation_does_not_stop_the_feeds_renewal() {
        // Regression: `refreshing` was reset only when revalidate returned, so one panic stopped
        // the feed's renewal until a restart.
        let feed = Arc::new(Feed::default());
        let mut updates = feed.flight.watch();
        assert!(Flight::start(&feed, |_| async {
            panic!("an upstream answer nobody expected");
        }));
        tokio::time::timeout(Duration::from_secs(5), updates.changed())
            .await
            .expect("waiters are woken when the revalidation panics")
            .unwrap();
        assert!(!feed.flight.running.load(Ordering::SeqCst));

        let mut updates = feed.flight.watch();
        assert!(
            Flight::start(&feed, |f| async move {
                f.renewals.fetch_add(1, Ordering::SeqCst);
            }),
            "the next revalidation starts"
        );
        tokio::time::timeout(Duration::from_secs(5), updates.changed())
            .await
            .expect("the next revalidation ends")
            .unwrap();
        assert_eq!(feed.renewals.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn only_one_revalidation_runs_at_a_time() {
        let feed = Arc::new(Feed::default());
        let (release, wait) = tokio::sync::oneshot::channel::<()>();
        assert!(Flight::start(&feed, |_| async move {
            let _ = wait.await;
        }));
        assert!(!Flight::start(&feed, |f| async move {
            f.renewals.fetch_add(1, Ordering::SeqCst);
        }));
        let mut updates = feed.flight.watch();
        release.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(5), updates.changed())
            .await
            .expect("the revalidation ends")
            .unwrap();
        assert_eq!(feed.renewals.load(Ordering::SeqCst), 0);
        assert!(!feed.flight.running.load(Ordering::SeqCst));
    }
}
