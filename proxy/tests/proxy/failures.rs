//! Every Instagram failure mode in shared/instagram: visitors keep the last good feed, the status
//! says why, and permanent errors stop the calls.

use std::time::Duration;

use fake_instagram::{Fault, Revocation, Route};
use feedframe::store::TokenState;
use feedframe_feed::FeedStatus;

use crate::feed::eventually_feed;
use crate::helpers::*;

/// Fetches once (live), makes the feed stale, injects `fault` for good, and returns the app.
async fn stale_with(fault: Fault) -> (TestApp, feedframe_feed::Feed) {
    let t = spawn_app_with(fake_instagram::sample_posts(12), |c| {
        c.feed_ttl = Duration::from_secs(1)
    })
    .await;
    let good = t.feed("main").await;
    assert_eq!(good.status, FeedStatus::Live);
    t.fake.set_fault(Route::Any, Some(fault));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    t.fake.reset_calls();
    (t, good)
}

async fn keeps_posts_and_reports(fault: Fault, expected: FeedStatus) -> TestApp {
    let (t, good) = stale_with(fault).await;
    let feed = eventually_feed(&t, |f| f.status == expected).await;
    assert_eq!(feed.posts, good.posts, "visitors keep the last good posts");
    t
}

#[tokio::test]
async fn an_expired_token_keeps_the_posts_and_stops_calling() {
    let t = keeps_posts_and_reports(Fault::Expired, FeedStatus::TokenExpired).await;
    let calls = t.fake.calls(Route::Any);
    assert_eq!(calls, 1, "a permanent error is not retried");
    for _ in 0..10 {
        t.feed("main").await;
    }
    tokio::time::sleep(Duration::from_millis(1100)).await;
    t.feed("main").await;
    assert_eq!(
        t.fake.calls(Route::Any),
        calls,
        "no retry storm against a dead token"
    );
    let token = t.store().token("main").unwrap().unwrap();
    assert_eq!(token.state, TokenState::Expired);
    assert_eq!(token.token.expose(), t.token, "the token itself is kept");
    // Uptime monitors see it too.
    let health: serde_json::Value = t.get("/healthz").await.json().await.unwrap();
    assert_eq!(
        health,
        serde_json::json!({"status": "degraded", "feeds_needing_attention": 1})
    );
    assert!(token.last_error.unwrap().contains("expired"));
}

#[tokio::test]
async fn a_password_change_marks_the_token_revoked() {
    keeps_posts_and_reports(Fault::PasswordChanged, FeedStatus::TokenRevoked).await;
}

#[tokio::test]
async fn an_app_removal_marks_the_token_revoked() {
    let t = keeps_posts_and_reports(Fault::AppRemoved, FeedStatus::TokenRevoked).await;
    let token = t.store().token("main").unwrap().unwrap();
    assert_eq!(token.state, TokenState::Revoked);
    assert!(token.last_error.unwrap().contains("removed this app"));
}

#[tokio::test]
async fn an_unparseable_token_is_reported_as_revoked() {
    keeps_posts_and_reports(Fault::InvalidToken, FeedStatus::TokenRevoked).await;
}

#[tokio::test]
async fn a_real_revocation_at_instagram_is_noticed() {
    let (t, good) = stale_with(Fault::Slow(Duration::ZERO)).await;
    t.fake.revoke(&t.token, Revocation::PasswordChanged);
    let feed = eventually_feed(&t, |f| f.status == FeedStatus::TokenRevoked).await;
    assert_eq!(feed.posts, good.posts);
}

#[tokio::test]
async fn rate_limits_as_403_and_as_400_keep_the_posts_and_pause_calls() {
    for fault in [Fault::RateLimit403, Fault::RateLimit400] {
        let t = keeps_posts_and_reports(fault.clone(), FeedStatus::RateLimited).await;
        let calls = t.fake.calls(Route::Any);
        assert_eq!(calls, 1, "{fault:?}: a rate limit is not retried at once");
        tokio::time::sleep(Duration::from_millis(1100)).await;
        t.fake.set_fault(Route::Any, None);
        for _ in 0..5 {
            assert_eq!(t.feed("main").await.status, FeedStatus::RateLimited);
        }
        assert_eq!(
            t.fake.calls(Route::Any),
            calls,
            "{fault:?}: calls pause while rate limited"
        );
    }
}

#[tokio::test]
async fn server_errors_are_retried_with_backoff_then_reported_unavailable() {
    let t = keeps_posts_and_reports(Fault::ServerError, FeedStatus::Unavailable).await;
    assert_eq!(t.fake.calls(Route::Media), 3, "one call and two retries");
}

#[tokio::test]
async fn a_transient_error_heals_on_the_retry() {
    let (t, _) = stale_with(Fault::Slow(Duration::ZERO)).await;
    t.fake.set_fault(Route::Any, None);
    t.fake.push_fault(Route::Media, Fault::ServerError);
    let feed = eventually_feed(&t, |f| f.status == FeedStatus::Live).await;
    assert_eq!(feed.posts.len(), 12);
    assert_eq!(t.fake.calls(Route::Media), 2);
}

#[tokio::test]
async fn a_garbage_body_is_an_upstream_error() {
    keeps_posts_and_reports(Fault::Garbage, FeedStatus::Unavailable).await;
}

#[tokio::test]
async fn a_slow_instagram_times_out() {
    let (t, good) = stale_with(Fault::Slow(Duration::from_secs(5))).await;
    let feed = eventually_feed_for(&t, 15, |f| f.status == FeedStatus::Unavailable).await;
    assert_eq!(feed.posts, good.posts);
}

#[tokio::test]
async fn an_expired_token_with_nothing_cached_serves_an_empty_feed_that_says_why() {
    let t = spawn_app().await;
    t.fake.set_fault(Route::Any, Some(Fault::Expired));
    let feed = t.feed("main").await;
    assert_eq!(feed.status, FeedStatus::TokenExpired);
    assert!(feed.posts.is_empty());
    assert_eq!(
        feed.profile.username, "harborline.ceramics",
        "the fallback can still link the profile"
    );
}

#[tokio::test]
async fn an_unreachable_instagram_with_nothing_cached_serves_unavailable() {
    let t = spawn_app().await;
    t.fake.shutdown();
    let feed = t.feed("main").await;
    assert_eq!(feed.status, FeedStatus::Unavailable);
    assert!(feed.posts.is_empty());
}

async fn eventually_feed_for(
    t: &TestApp,
    secs: u64,
    check: impl Fn(&feedframe_feed::Feed) -> bool,
) -> feedframe_feed::Feed {
    for _ in 0..secs * 10 {
        let feed = t.feed("main").await;
        if check(&feed) {
            return feed;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the feed never reached the expected state");
}
