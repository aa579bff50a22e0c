//! kill -9 at any moment never loses the newest valid token or the last good snapshot.

use std::time::Duration;

use fake_instagram::{FakeInstagram, Fault, Route};
use feedframe::store::{Store, TokenState};
use rand::Rng;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::cli::{feedframe, run};
use crate::helpers::*;

async fn kill_after(child: &mut tokio::process::Child, delay: Duration) {
    tokio::time::sleep(delay).await;
    // SIGKILL: no destructor, no flush, no graceful anything.
    let _ = child.start_kill();
    let _ = child.wait().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_refresh_keeps_a_valid_token() {
    let fake = FakeInstagram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let first = fake.issue_token(60 * DAY);
    let (code, ..) =
        run(feedframe(dir.path(), &fake).args(["token", "add", "main", "--token", &first])).await;
    assert_eq!(code, 0);
    let mut renewed = 0;
    for i in 0..10 {
        let before = Store::open(&dir.path().join("feedframe.db"))
            .unwrap()
            .token("main")
            .unwrap()
            .unwrap();
        fake.push_fault(Route::Refresh, Fault::Slow(Duration::from_millis(150)));
        let mut child = feedframe(dir.path(), &fake)
            .args(["token", "refresh", "main"])
            .spawn()
            .unwrap();
        let delay = rand::rng().random_range(0..400);
        kill_after(&mut child, Duration::from_millis(delay)).await;

        let store = Store::open(&dir.path().join("feedframe.db")).unwrap();
        let after = store.token("main").unwrap().expect("the token survives");
        assert_eq!(after.state, TokenState::Active, "round {i}");
        let valid_until = fake.token_expires_at(after.token.expose());
        assert!(
            valid_until.is_some_and(|e| e > fake.now()),
            "round {i}: the stored token is one Instagram accepts"
        );
        if after.token != before.token {
            renewed += 1;
            assert!(
                after.expires_at.is_some(),
                "token and expiry are stored together"
            );
        }
    }
    // Let one refresh complete, to prove the loop above could see both outcomes.
    let (code, ..) = run(feedframe(dir.path(), &fake).args(["token", "refresh", "main"])).await;
    assert_eq!(code, 0);
    eprintln!("{renewed} of 10 killed refreshes had already stored the new token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_fetch_keeps_the_last_good_snapshot() {
    let fake = FakeInstagram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let token = fake.issue_token(60 * DAY);
    let (code, ..) =
        run(feedframe(dir.path(), &fake).args(["token", "add", "main", "--token", &token])).await;
    assert_eq!(code, 0);
    let http = reqwest::Client::new();
    let mut had_snapshot = false;
    for i in 0..8 {
        fake.set_fault(Route::Media, Some(Fault::Slow(Duration::from_millis(100))));
        let mut child = feedframe(dir.path(), &fake)
            .args(["serve", "--listen", "127.0.0.1:0", "--feed-ttl", "1"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let url = serving_url(&mut child).await;
        let request = tokio::spawn({
            let http = http.clone();
            async move { http.get(format!("{url}/v1/feeds/main")).send().await }
        });
        let delay = rand::rng().random_range(50..400);
        kill_after(&mut child, Duration::from_millis(delay)).await;
        let _ = request.await;

        let store = Store::open(&dir.path().join("feedframe.db")).unwrap();
        match store.snapshot("main").unwrap() {
            Some((body, _)) => {
                let feed: feedframe_feed::Feed =
                    serde_json::from_str(&body).expect("the snapshot is whole");
                assert_eq!(feed.posts.len(), 12, "round {i}");
                had_snapshot = true;
            }
            None => assert!(!had_snapshot, "round {i}: the snapshot was lost"),
        }
        tokio::time::sleep(Duration::from_millis(1100)).await;
    }

    // Instagram is now down: a restarted proxy still serves the last good posts.
    fake.set_fault(Route::Any, Some(Fault::ServerError));
    let mut child = feedframe(dir.path(), &fake)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let url = serving_url(&mut child).await;
    let feed: feedframe_feed::Feed = http
        .get(format!("{url}/v1/feeds/main"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    if had_snapshot {
        assert_eq!(feed.posts.len(), 12);
    }
    child.start_kill().unwrap();
}

/// Reads `FeedFrame is serving on http://…` from the child's stdout.
async fn serving_url(child: &mut tokio::process::Child) -> String {
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
        .await
        .expect("the server starts")
        .unwrap()
        .expect("a line");
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    line.rsplit(' ').next().unwrap().to_string()
}
