//! One feed's trouble stays its own: a hung Instagram call or one account's rate limit never
//! delays another feed.

use std::time::Duration;

use fake_instagram::{Fault, Route};
use feedframe_feed::FeedStatus;

use crate::helpers::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_feed_never_delays_another_feeds_first_fetch_or_renewal() {
    // Regression: a fetch waited for garbage collection, which waited (write-preferring lock)
    // for the hung feed's fetch, and every later fetch queued behind it.
    let mut t = spawn_app_with(fake_instagram::sample_posts(3), |c| {
        c.feed_ttl = Duration::from_secs(1)
    })
    .await;
    let hung = t
        .add_feed("hung", |c| {
            c.feed_ttl = Duration::from_secs(1);
            c.upstream_timeout = Duration::from_secs(300);
        })
        .await;
    t.fake
        .set_token_fault(&hung, Some(Fault::Slow(Duration::from_secs(600))));
    let stuck_visitor = {
        let (http, url) = (t.http.clone(), format!("{}/v1/feeds/hung", t.url()));
        tokio::spawn(async move { http.get(url).send().await })
    };
    assert!(
        eventually(10, || t.fake.calls(Route::Media) == 1).await,
        "the hung feed's fetch started"
    );

    // A client that gives up, so a stalled proxy fails the test instead of hanging it.
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let get = |http: reqwest::Client, url: String| async move {
        let response = http
            .get(&url)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{url} was not answered while another feed hangs: {e}"));
        assert_eq!(response.status(), 200);
        response.json::<feedframe_feed::Feed>().await.unwrap()
    };
    let url = format!("{}/v1/feeds/main", t.url());
    let mut last = get(http.clone(), url.clone()).await;
    assert_eq!(last.status, FeedStatus::Live, "the first fetch is served");
    for renewal in 1..=2 {
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let mut renewed = None;
        for _ in 0..300 {
            let feed = get(http.clone(), url.clone()).await;
            if feed.status == FeedStatus::Live && feed.fetched_at != last.fetched_at {
                renewed = Some(feed);
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        last = renewed.unwrap_or_else(|| panic!("renewal {renewal} never came"));
    }
    assert!(
        !stuck_visitor.is_finished(),
        "the other feed was still hanging all along"
    );
}

#[tokio::test]
async fn one_accounts_rate_limit_pauses_only_its_own_feeds() {
    // Regression: one rate limit paused every feed and the refresher, process-wide.
    let mut t = spawn_app_with(fake_instagram::sample_posts(12), |c| {
        c.feed_ttl = Duration::from_secs(1)
    })
    .await;
    t.add_feed("other", |c| c.feed_ttl = Duration::from_secs(1))
        .await;
    t.feed("main").await;
    let before = t.feed("other").await;
    assert_eq!(before.status, FeedStatus::Live);
    t.fake.set_token_fault(&t.token, Some(Fault::RateLimit403));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    t.feed_until("main", 10, |f| f.status == FeedStatus::RateLimited)
        .await;
    let calls = t.fake.calls(Route::Media);
    // The fake has one account; each token stands for its own app-user pair, which Instagram
    // counts on its own: the other feed is renewed as usual.
    let renewed = t
        .feed_until("other", 10, |f| {
            f.status == FeedStatus::Live && f.fetched_at != before.fetched_at
        })
        .await;
    assert_eq!(renewed.posts.len(), 12);
    assert!(t.fake.calls(Route::Media) > calls, "it called Instagram");
    assert_eq!(
        t.feed("main").await.status,
        FeedStatus::RateLimited,
        "the limited one stays paused"
    );
}
