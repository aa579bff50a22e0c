//! SQLite never holds up a visitor: another process may hold the database (the CLI writing, a
//! backup reading it exclusively) while the server keeps answering from memory.

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
        Holder::hold(t, &[], "BEGIN IMMEDIATE")
    }

    /// Exclusive locking mode after a write: not even a reader gets in.
    fn exclusive_lock(t: &TestApp) -> Holder {
        Holder::hold(
            t,
            &["PRAGMA locking_mode = EXCLUSIVE"],
            "BEGIN EXCLUSIVE; UPDATE feeds SET created_at = created_at; COMMIT",
        )
    }

    fn hold(t: &TestApp, pragmas: &[&str], sql: &str) -> Holder {
        let (db, sql) = (t.config().db_path(), sql.to_string());
        let pragmas: Vec<String> = pragmas.iter().map(|p| p.to_string()).collect();
        let released = Arc::new(AtomicBool::new(false));
        let (locked_tx, locked_rx) = mpsc::channel();
        let (release, release_rx) = mpsc::channel::<()>();
        let flag = Arc::clone(&released);
        let thread = std::thread::spawn(move || {
            let c = rusqlite::Connection::open(db).unwrap();
            for p in &pragmas {
                c.execute_batch(p).unwrap();
            }
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
        assert_eq!(feed.posts.len(), 12);
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
    assert_eq!(renewed.posts.len(), 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_unknown_feeds_are_answered_from_memory_and_new_feeds_appear_within_seconds() {
    // Regression: /healthz read every token, and each unknown name queried SQLite, per request.
    let t = spawn_app().await;
    let lock = Holder::exclusive_lock(&t);
    for round in 0..20 {
        let health = t.get("/healthz").await;
        assert_eq!(health.status(), 200);
        let body: serde_json::Value = health.json().await.unwrap();
        assert_eq!(body["status"], "ok");
        lock.assert_still_held(&format!("round {round}: /healthz"));
        let missing = t.get(&format!("/v1/feeds/nobody{}", round % 3)).await;
        assert_eq!(missing.status(), 404);
        lock.assert_still_held(&format!("round {round}: an unknown feed"));
    }
    lock.release();
    // A feed added by `feedframe token add` (another process) is known without a restart.
    assert_eq!(t.get("/v1/feeds/later").await.status(), 404);
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
    assert_eq!(t.feed("later").await.posts.len(), 12);
}
