//! Token refresh: the new token is stored and used; a failed refresh never loses the old one.

use std::sync::Arc;
use std::time::Duration;

use fake_instagram::{Fault, Revocation, Route};
use feedframe::instagram::client::Graph;
use feedframe::store::TokenState;
use feedframe::tokens::refresher::{self, Refreshed};
use feedframe_feed::FeedStatus;

use crate::helpers::*;

#[tokio::test]
async fn a_refreshed_token_is_stored_and_used_by_the_next_fetch() {
    let t = spawn_app_with(fake_instagram::sample_posts(6), |c| {
        c.feed_ttl = Duration::from_secs(1)
    })
    .await;
    t.feed("main").await;
    let graph = Graph::new(&t.config());
    let outcome = refresher::refresh(&Arc::new(t.store()), &graph, "main", t.config().lease)
        .await
        .unwrap();
    let Refreshed::Renewed { expires_at } = outcome else {
        panic!("{outcome:?}")
    };
    assert!(
        (expires_at - now() - 5_183_944).abs() < 60,
        "expiry is now + expires_in"
    );

    let stored = t.stored_token();
    assert_ne!(stored, t.token, "Instagram's new token string is kept");
    assert_eq!(
        t.fake.token_expires_at(&stored).map(|e| e > t.fake.now()),
        Some(true)
    );

    tokio::time::sleep(Duration::from_millis(1100)).await;
    t.fake.reset_calls();
    crate::feed::eventually_feed(&t, |f| {
        f.status == FeedStatus::Live && t.fake.calls(Route::Media) > 0
    })
    .await;
    assert_eq!(
        t.fake.seen_tokens().last(),
        Some(&stored),
        "the next fetch uses the new token"
    );
}

#[tokio::test]
async fn a_failed_refresh_leaves_the_old_token_in_place() {
    let t = spawn_app().await;
    let graph = Graph::new(&t.config());
    for fault in [
        Fault::ServerError,
        Fault::Garbage,
        Fault::RateLimit403,
        Fault::Slow(Duration::from_secs(5)),
    ] {
        t.fake.set_fault(Route::Refresh, Some(fault.clone()));
        assert!(
            refresher::refresh(&Arc::new(t.store()), &graph, "main", t.config().lease)
                .await
                .is_err(),
            "{fault:?}"
        );
        let token = t.store().token("main").unwrap().unwrap();
        assert_eq!(
            token.token.expose(),
            t.token,
            "{fault:?} must not touch the token"
        );
        assert_eq!(
            token.state,
            TokenState::Active,
            "{fault:?} is not permanent"
        );
        assert!(token.last_error.is_some());
        assert!(token.last_failure_at.is_some());
    }
    // The old token still serves the feed.
    t.fake.set_fault(Route::Refresh, None);
    assert_eq!(t.feed("main").await.posts.len(), 12);
}

#[tokio::test]
async fn an_expired_token_cannot_be_refreshed_and_is_marked() {
    let t = spawn_app().await;
    t.fake.advance(61 * DAY);
    let err = refresher::refresh(
        &Arc::new(t.store()),
        &Graph::new(&t.config()),
        "main",
        t.config().lease,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("expired"), "{err}");
    let token = t.store().token("main").unwrap().unwrap();
    assert_eq!(token.state, TokenState::Expired);
    assert_eq!(token.token.expose(), t.token);
}

#[tokio::test]
async fn the_background_refresher_renews_a_token_that_is_due() {
    let t = spawn_app().await;
    // Make the stored token a month old with 20 days left, as after a month of serving.
    {
        let db = rusqlite::Connection::open(t.config().db_path()).unwrap();
        db.execute(
            "UPDATE tokens SET issued_at = ?1, expires_at = ?2 WHERE feed = 'main'",
            (now() - 40 * DAY, now() + 20 * DAY),
        )
        .unwrap();
    }
    let mut t = t;
    t.restart(|c| c.refresh_tick = Duration::from_secs(1)).await;
    assert!(eventually(10, || t.fake.calls(Route::Refresh) == 1).await);
    let store = t.store();
    assert!(
        eventually(5, || store
            .token("main")
            .unwrap()
            .unwrap()
            .refreshed_at
            .is_some())
        .await
    );
    let token = store.token("main").unwrap().unwrap();
    assert_ne!(token.token.expose(), t.token);
    assert!(token.expires_at.unwrap() > now() + 59 * DAY);
    // Refreshed today: not again until tomorrow, however often the refresher wakes.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(t.fake.calls(Route::Refresh), 1);
}

#[tokio::test]
async fn a_young_token_is_not_refreshed() {
    let mut t = spawn_app().await;
    t.restart(|c| c.refresh_tick = Duration::from_secs(1)).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(t.fake.calls(Route::Refresh), 0);
}

/// The owner adds `fresh` (as `feedframe token add` does, from another process) while the call
/// with the old token on `route` is under way.
async fn add_token_during(t: &TestApp, route: Route, fresh: &str) {
    assert!(
        eventually(10, || t.fake.calls(route) >= 1).await,
        "the call with the old token never started"
    );
    add_token(&t.config(), "main", fresh, Some(now() + 60 * DAY)).await;
}

/// The stored token is `fresh`, active, with no error of the old one.
fn assert_fresh_token_is_live(t: &TestApp, fresh: &str) {
    let stored = t.store().token("main").unwrap().unwrap();
    assert_eq!(stored.token.expose(), fresh);
    assert_eq!(
        stored.state,
        TokenState::Active,
        "the old token's failure must not mark the new one"
    );
    assert_eq!(stored.last_error, None);
}

#[tokio::test]
async fn a_token_added_while_a_fetch_with_the_old_one_fails_stays_live() {
    // Regression: the old token's 190/460, arriving after `token add`, marked the new token revoked.
    let t = spawn_app().await;
    t.fake.revoke(&t.token, Revocation::PasswordChanged);
    t.fake
        .set_token_fault(&t.token, Some(Fault::Slow(Duration::from_secs(1))));
    let visitor = {
        let (http, url) = (t.http.clone(), format!("{}/v1/feeds/main", t.url()));
        tokio::spawn(async move { http.get(url).send().await.unwrap().status() })
    };
    let fresh = t.fake.issue_token(60 * DAY);
    add_token_during(&t, Route::Media, &fresh).await;
    assert_eq!(visitor.await.unwrap(), 200);
    assert_fresh_token_is_live(&t, &fresh);
    // In memory too: the feed is fetched with the new token at once, not marked dead.
    let feed = t
        .feed_until("main", 5, |f| f.status == FeedStatus::Live)
        .await;
    assert_eq!(feed.posts.len(), 12);
    assert_eq!(t.fake.seen_tokens().last(), Some(&fresh));
}

#[tokio::test]
async fn a_token_added_while_a_refresh_of_the_old_one_fails_stays_live() {
    let t = spawn_app().await;
    t.fake.revoke(&t.token, Revocation::AppRemoved);
    t.fake
        .set_token_fault(&t.token, Some(Fault::Slow(Duration::from_secs(1))));
    let store = Arc::new(t.store());
    let graph = Graph::new(&t.config());
    let fresh = t.fake.issue_token(60 * DAY);
    let (refreshed, ()) = tokio::join!(
        refresher::refresh(&store, &graph, "main", t.config().lease),
        add_token_during(&t, Route::Refresh, &fresh)
    );
    assert!(
        refreshed
            .unwrap_err()
            .to_string()
            .contains("removed this app"),
        "the old token's refresh did fail"
    );
    assert_fresh_token_is_live(&t, &fresh);
}
