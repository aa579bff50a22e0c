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
    stale_after(fault, Duration::from_secs(1)).await
}

/// A feed fetched once, then left to go stale after `ttl` while Instagram has `fault`.
async fn stale_after(fault: Fault, ttl: Duration) -> (TestApp, feedframe_feed::Feed) {
    let t = spawn_app_with(fake_instagram::sample_posts(12), |c| c.feed_ttl = ttl).await;
    let good = t.feed("main").await;
    assert_eq!(good.status, FeedStatus::Live);
    t.fake.set_fault(Route::Any, Some(fault));
    tokio::time::sleep(ttl + Duration::from_millis(100)).await;
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
async fn a_429_without_a_body_is_a_rate_limit_that_ends_when_retry_after_says() {
    // Regression: a load balancer's bare 429 was reported as a generic upstream failure.
    let (t, good) = stale_with(Fault::TooManyRequests(5)).await;
    let feed = eventually_feed(&t, |f| f.status == FeedStatus::RateLimited).await;
    assert_eq!(feed.posts, good.posts);
    assert_eq!(
        t.fake.calls(Route::Any),
        1,
        "a rate limit is not retried at once"
    );
    t.fake.set_fault(Route::Any, None);
    // Past the TTL but within Retry-After: still paused.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(t.feed("main").await.status, FeedStatus::RateLimited);
    assert_eq!(
        t.fake.calls(Route::Any),
        1,
        "calls pause while rate limited"
    );
    // Once Retry-After has passed (not the ten minutes of a limit without one), the feed renews.
    let live = eventually_feed_for(&t, 30, |f| f.status == FeedStatus::Live).await;
    assert_eq!(live.posts.len(), 12);
}

#[tokio::test]
async fn a_permission_refusal_backs_off_and_is_reported_to_the_owner() {
    // Regression: a refused fetch was retried every minute (here: every TTL) and /healthz said ok.
    let refusal = r#"{"error":{"message":"(#10) Application does not have permission for this action","type":"OAuthException","code":10,"fbtrace_id":"AbCdEf"}}"#;
    let t = keeps_posts_and_reports(
        Fault::Status(400, refusal.to_string()),
        FeedStatus::Unavailable,
    )
    .await;
    assert_eq!(t.fake.calls(Route::Any), 1);
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(1100)).await;
        assert_eq!(t.feed("main").await.status, FeedStatus::Unavailable);
    }
    assert_eq!(
        t.fake.calls(Route::Any),
        1,
        "visitors keep coming, Instagram is left alone"
    );
    let health: serde_json::Value = t.get("/healthz").await.json().await.unwrap();
    assert_eq!(
        health,
        serde_json::json!({"status": "degraded", "feeds_needing_attention": 1})
    );
    // `feedframe token status` shows the reason; the token itself is not dead.
    let token = t.store().token("main").unwrap().unwrap();
    assert_eq!(token.state, TokenState::Active);
    assert!(
        token
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("does not have permission"),
        "{:?}",
        token.last_error
    );
}

#[tokio::test]
async fn server_errors_are_retried_with_backoff_then_reported_unavailable() {
    let t = keeps_posts_and_reports(Fault::ServerError, FeedStatus::Unavailable).await;
    assert_eq!(t.fake.calls(Route::Media), 3, "one call and two retries");
}

#[tokio::test]
async fn a_transient_error_heals_on_the_retry() {
    // A TTL long enough that the healed feed is not renewed again before the calls are counted,
    // however slow the machine.
    let (t, _) = stale_after(Fault::Slow(Duration::ZERO), Duration::from_secs(5)).await;
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
