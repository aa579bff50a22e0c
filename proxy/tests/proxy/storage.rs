//! SQLite never holds up a visitor: another process may hold the database's write lock (the CLI
//! writing) while the server keeps answering from memory.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use feedframe_feed::FeedStatus;

use crate::helpers::*;

/// Another process's connection holding a lock on the database until dropped (or 8 s, well
/// under the proxy's 10 s busy timeout, so that a proxy that waits for the lock answers late
/// rather than with an error).
struct Holder {
    released: Arc<AtomicBool>,
    release: mpsc::Sender<()>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Holder {
    /// `BEGIN IMMEDIATE`: the write lock, as `feedframe token add` takes it. Readers go on.
    fn write_lock(t: &TestApp) -> Holder {
        Holder::hold(t, "BEGIN IMMEDIATE")
    }

    fn hold(t: &TestApp, sql: &str) -> Holder {
        let (db, sql) = (t.config().db_path(), sql.to_string());
        let released = Arc::new(AtomicBool::new(false));
        let (locked_tx, locked_rx) = mpsc::channel();
        let (release, release_rx) = mpsc::channel::<()>();
        let flag = Arc::clone(&released);
        let thread = std::thread::spawn(move || {
            let c = rusqlite::Connection::open(db).unwrap();
            c.execute_batch(&sql).unwrap();
            locked_tx.send(()).unwrap();
            let _ = release_rx.recv_timeout(Duration::from_secs(8));
            flag.store(true, Ordering::SeqCst);
            if !c.is_autocommit() {
                c.execute_batch("COMMIT").unwrap();
            }
            drop(c);
        });
        locked_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("the other process got its lock");
        Holder {
            released,
            release,
            thread: Some(thread),
        }
    }

    /// Panics if the lock was released already: the answer came only because it was.
    fn assert_still_held(&self, what: &str) {
        assert!(
            !self.released.load(Ordering::SeqCst),
            "{what} was answered only after the other process let go of the database"
        );
    }

    fn release(mut self) {
        let _ = self.release.send(());
        self.thread.take().unwrap().join().unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visitors_and_health_checks_are_answered_while_the_cli_holds_the_write_lock() {
    // Regression: a renewal's write waited for the lock on an async worker, holding the only
    // connection, and every request behind it waited too.
    let t = spawn_app_with(fake_instagram::sample_posts(12), |c| {
        c.feed_ttl = Duration::from_secs(1)
    })
    .await;
    let first = t.feed("main").await;
    let lock = Holder::write_lock(&t);
    // Stale: the first request below starts a renewal, which must write its snapshot.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    for round in 0..20 {
        let feed = t.feed("main").await;
        assert_eq!(feed.posts, first.posts);
        lock.assert_still_held(&format!("round {round}: the feed"));
        assert_eq!(t.get("/healthz").await.status(), 200);
        lock.assert_still_held(&format!("round {round}: /healthz"));
        assert_eq!(t.get("/v1/feeds/nobody").await.status(), 404);
        lock.assert_still_held(&format!("round {round}: an unknown feed"));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        t.fake.calls(fake_instagram::Route::Media) >= 1,
        "a renewal was under way"
    );
    // Once the lock is released, the renewal is stored and served.
    lock.release();
    let renewed = t
        .feed_until("main", 15, |f| {
            f.status == FeedStatus::Live && f.fetched_at != first.fetched_at
        })
        .await;
    assert_eq!(renewed.posts.len(), first.posts.len());
}

#[tokio::test]
async fn an_unknown_feed_is_a_404_until_token_add_then_known_within_seconds() {
    // Unknown names are answered from memory; a feed added by `feedframe token add` (another
    // process) still becomes known without a restart.
    let t = spawn_app().await;
    for round in 0..5 {
        assert_eq!(
            t.get("/v1/feeds/later").await.status(),
            404,
            "round {round}"
        );
    }
    let token = t.fake.issue_token(60 * DAY);
    add_token(&t.config(), "later", &token, Some(now() + 60 * DAY)).await;
    let mut status = 404;
    for _ in 0..150 {
        status = t.get("/v1/feeds/later").await.status().as_u16();
        if status != 404 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, 200, "the new feed never became known");
    assert!(!t.feed("later").await.posts.is_empty());
}
