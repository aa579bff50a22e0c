//! Keeps garbage collection away from media that a fetch is about to reference, without ever
//! letting collection hold up a fetch that waits on Instagram.
//!
//! A fetch holds a [`FetchPass`] from its first download until its snapshot is saved; collection
//! runs only while no fetch holds one. Unlike a write-preferring `RwLock`, a collection waiting
//! for its turn does not stop new fetches: one feed stuck in timeouts postpones collection (which
//! nobody waits for) and delays no other feed. A fetch waits only while a collection actually
//! runs, which is short and never waits on the network.

use std::sync::Mutex;

use tokio::sync::Notify;

#[derive(Debug, Default)]
struct Passes {
    fetching: usize,
    collecting: bool,
}

/// See the module documentation.
#[derive(Debug, Default)]
pub struct MediaGate {
    passes: Mutex<Passes>,
    changed: Notify,
}

/// Held by a fetch: no collection runs meanwhile.
#[derive(Debug)]
pub struct FetchPass<'a>(&'a MediaGate);

/// Held by a collection: fetches wait before they mirror.
#[derive(Debug)]
pub struct CollectPass<'a>(&'a MediaGate);

impl MediaGate {
    /// Waits until no collection runs, then lets the fetch in.
    pub async fn fetching(&self) -> FetchPass<'_> {
        self.wait_for(|p| {
            let free = !p.collecting;
            if free {
                p.fetching += 1;
            }
            free
        })
        .await;
        FetchPass(self)
    }

    /// Waits until no fetch is under way, then lets the collection in.
    pub async fn collecting(&self) -> CollectPass<'_> {
        self.wait_for(|p| {
            let free = !p.collecting && p.fetching == 0;
            if free {
                p.collecting = true;
            }
            free
        })
        .await;
        CollectPass(self)
    }

    async fn wait_for(&self, mut enter: impl FnMut(&mut Passes) -> bool) {
        loop {
            // Registered before the check, so a change between the check and the wait is seen.
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if enter(&mut self.lock()) {
                return;
            }
            changed.await;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Passes> {
        self.passes.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for FetchPass<'_> {
    fn drop(&mut self) {
        self.0.lock().fetching -= 1;
        self.0.changed.notify_waiters();
    }
}

impl Drop for CollectPass<'_> {
    fn drop(&mut self) {
        self.0.lock().collecting = false;
        self.0.changed.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Duration;

    #[tokio::test]
    async fn a_waiting_collection_never_holds_up_new_fetches() {
        // Regression: with a write-preferring RwLock, a collection queued behind one hung fetch
        // blocked every other feed's fetch until the hung one timed out.
        let gate = Arc::new(MediaGate::default());
        let hung = gate.fetching().await;
        let collector = {
            let gate = Arc::clone(&gate);
            tokio::spawn(async move {
                let _pass = gate.collecting().await;
            })
        };
        tokio::task::yield_now().await;
        // Another feed's fetch gets in although a collection is waiting.
        let other = tokio::time::timeout(Duration::from_secs(5), gate.fetching())
            .await
            .expect("a fetch must not wait for a queued collection");
        drop(other);
        assert!(
            !collector.is_finished(),
            "collection waits for the hung fetch"
        );
        drop(hung);
        tokio::time::timeout(Duration::from_secs(5), collector)
            .await
            .expect("collection runs once no fetch is under way")
            .unwrap();
    }

    #[tokio::test]
    async fn a_fetch_waits_while_a_collection_runs() {
        let gate = Arc::new(MediaGate::default());
        let collecting = gate.collecting().await;
        let fetch = {
            let gate = Arc::clone(&gate);
            tokio::spawn(async move {
                let _pass = gate.fetching().await;
            })
        };
        tokio::task::yield_now().await;
        assert!(!fetch.is_finished());
        drop(collecting);
        tokio::time::timeout(Duration::from_secs(5), fetch)
            .await
            .expect("the fetch goes on after the collection")
            .unwrap();
    }
}
