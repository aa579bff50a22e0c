//! kill -9 at any moment never loses the newest valid token or the last good snapshot.

use std::time::Duration;

use fake_instagram::{FakeInstagram, Fault, Route};
use feedframe::store::{Store, TokenState};
use rand::Rng;

use crate::cli::{feedframe, run, serve};
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
        let delay = rand::rng().random_range(0..800);
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
    eprintln!("{renewed} of 10 killed refreshes had already stored the new token");
    assert!(
        renewed >= 1,
        "no kill landed after the refresh answer: the test proved nothing"
    );
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
    let snapshot = || {
        let store = Store::open(&dir.path().join("feedframe.db")).unwrap();
        store.snapshot("main").unwrap().map(|(body, at)| {
            let feed: feedframe_feed::Feed =
                serde_json::from_str(&body).expect("the snapshot is whole");
            (feed.posts.len(), at)
        })
    };

    // A first good fetch, then kill -9 right after the answer.
    let (mut child, url) = serve(dir.path(), &fake, &["--feed-ttl", "1"]).await;
    let first = get_feed(&http, &url).await;
    assert_eq!(first.posts.len(), 12);
    kill_after(&mut child, Duration::ZERO).await;
    let (posts, mut fetched_at) = snapshot().expect("the first snapshot was stored");
    assert_eq!(posts, 12);

    // Now kill it at random moments while it renews the (stale) feed.
    let mut renewed = 0;
    for i in 0..8 {
        tokio::time::sleep(Duration::from_millis(1100)).await;
        fake.set_fault(Route::Media, Some(Fault::Slow(Duration::from_millis(100))));
        let (mut child, url) = serve(dir.path(), &fake, &["--feed-ttl", "1"]).await;
        let request = tokio::spawn({
            let http = http.clone();
            async move { http.get(format!("{url}/v1/feeds/main")).send().await }
        });
        let delay = rand::rng().random_range(0..500);
        kill_after(&mut child, Duration::from_millis(delay)).await;
        let _ = request.await;
        let (posts, at) = snapshot().unwrap_or_else(|| panic!("round {i}: the snapshot was lost"));
        assert_eq!(posts, 12, "round {i}");
        if at != fetched_at {
            renewed += 1;
            fetched_at = at;
        }
    }
    eprintln!("{renewed} of 8 killed renewals had already stored the new snapshot");
    assert!(
        renewed >= 1,
        "no kill landed after the new snapshot was written: the test proved nothing"
    );

    // Instagram is now down: a restarted proxy still serves the last good posts.
    fake.set_fault(Route::Any, Some(Fault::ServerError));
    let (mut child, url) = serve(dir.path(), &fake, &[]).await;
    let feed = get_feed(&http, &url).await;
    assert_eq!(feed.posts.len(), 12);
    kill_after(&mut child, Duration::ZERO).await;
}

async fn get_feed(http: &reqwest::Client, url: &str) -> feedframe_feed::Feed {
    let response = http
        .get(format!("{url}/v1/feeds/main"))
        .send()
        .await
        .unwrap();
    response.json().await.unwrap()
}
