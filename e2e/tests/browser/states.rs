//! What visitors see when the feed cannot be had, or is not fresh.

use std::time::Duration;

use fake_instagram::{Fault, Route};
use serde_json::json;

use crate::env::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_token_with_a_cached_feed_still_shows_the_posts() {
    let env = Env::start_with(|c| c.feed_ttl = Duration::from_secs(1)).await;
    // A visitor earlier today: the feed is cached. Then the token expires.
    let http = reqwest::Client::new();
    http.get(format!("{}/v1/feeds/main", env.proxy()))
        .send()
        .await
        .unwrap();
    env.fake.set_fault(Route::Any, Some(Fault::Expired));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    // The proxy learns of the expiry when it next asks Instagram (in the background): poll
    // until it says so, and fail if it never does.
    let mut status = None;
    for _ in 0..50 {
        let feed: feedframe_feed::Feed = http
            .get(format!("{}/v1/feeds/main", env.proxy()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        status = Some(feed.status);
        if feed.status == feedframe_feed::FeedStatus::TokenExpired {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        status,
        Some(feedframe_feed::FeedStatus::TokenExpired),
        "the proxy never reported the expired token"
    );
    let (_slot, b) = browser().await;
    let body = env.script(r#"data-feed="main" data-layout="grid" data-limit="6""#);
    b.goto(&env.host.page("expired-cached", PROBES, &body))
        .await;
    // The cached posts are shown, and the root says why they are not fresh.
    wait_state(&b, 0, "ready").await;
    assert_eq!(image_count(&b, 0).await, 6);
    let status = b
        .eval(&format!("return ({ROOTS})[0].dataset.status;"), json!([]))
        .await;
    assert_eq!(status, json!("token_expired"));
    // The site owner is told on the console, once the wasm runs.
    wait_mounted(&b, 0, "hydrated").await;
    let warnings = b
        .eval("return window.__warnings.join('\\n');", json!([]))
        .await;
    assert!(
        warnings.as_str().unwrap().contains(
            "FeedFrame: feed \"main\" shows cached posts: the Instagram access token expired; reconnect the account in the FeedFrame proxy"
        ),
        "{warnings}"
    );
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_token_with_nothing_cached_shows_the_fallback_and_tells_the_owner() {
    let env = Env::start().await;
    let dead = env.fake.issue_token_aged(70 * DAY, 60 * DAY + 60);
    // Added while it was still valid, then it expired before any visitor came.
    let fresh = env.fake.issue_token(60 * DAY);
    env.add_feed("shop", &fresh).await;
    {
        let db = rusqlite_free_update(&env, "shop", &dead);
        drop(db);
    }
    let (_slot, b) = browser().await;
    let body = format!(
        "{}{}",
        env.script(r#"data-feed="shop" data-layout="grid""#),
        env.script(r#"data-feed="shop" data-layout="grid" data-fallback-text="See our latest work on Instagram""#),
    );
    b.goto(&env.host.page("expired-empty", PROBES, &body)).await;
    wait_state(&b, 0, "fallback").await;
    wait_state(&b, 1, "fallback").await;
    let card = b
        .eval(&format!("const a = ({ROOTS})[0].querySelector('a.ff-card'); return [a.textContent.trim(), a.href];"), json!([]))
        .await;
    assert_eq!(card[0], json!("Follow @harborline.ceramics on Instagram"));
    assert_eq!(
        card[1],
        json!("https://www.instagram.com/harborline.ceramics/")
    );
    let text = b
        .eval(
            &format!("return ({ROOTS})[1].querySelector('.ff-fallback').textContent.trim();"),
            json!([]),
        )
        .await;
    assert_eq!(text, json!("See our latest work on Instagram"));
    // The server rendered both cards; the warning is the wasm's, once it has hydrated them.
    wait_mounted(&b, 0, "hydrated").await;
    wait_mounted(&b, 1, "hydrated").await;
    let warnings = b
        .eval("return window.__warnings.join('\\n');", json!([]))
        .await;
    assert!(
        warnings.as_str().unwrap().contains("token_expired"),
        "{warnings}"
    );
    b.quit().await;
}

/// Replaces a feed's stored token (what a token that died after `token add` looks like).
fn rusqlite_free_update(env: &Env, feed: &str, token: &str) -> Store {
    let store = Store::open(&env.dir.path().join("feedframe.db")).unwrap();
    let old = store.token(feed).unwrap().unwrap().token;
    store
        .save_refreshed(feed, &old, &Secret::new(token), now() - 60, now() - 120)
        .unwrap();
    store
}

use feedframe::instagram::secret::Secret;
use feedframe::store::Store;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_proxy_or_unknown_feed_shows_the_fallback() {
    let env = Env::start().await;
    let (_slot, b) = browser().await;
    // A port nobody listens on (not a browser-blocked one such as 9).
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let body = format!(
        r#"<feedframe-feed src="http://127.0.0.1:{dead}" feed="main"><p id=mine>Our Instagram is @harborline.ceramics</p></feedframe-feed>
           <feedframe-feed src="{proxy}" feed="no-such-feed"><p>Custom fallback for a missing feed</p></feedframe-feed>
           <script src="{proxy}/widget.js" async></script>"#,
        proxy = env.proxy()
    );
    b.goto(&env.host.page("unreachable", PROBES, &body)).await;
    wait_state(&b, 0, "fallback").await;
    wait_state(&b, 1, "fallback").await;
    // The element's own children are the fallback, and they are visible.
    let visible = b.eval("const p = document.getElementById('mine'); return p.getBoundingClientRect().height > 0;", json!([])).await;
    assert_eq!(visible, json!(true));
    let warnings = b
        .eval("return window.__warnings.join('\\n');", json!([]))
        .await;
    assert!(
        warnings.as_str().unwrap().contains("no-such-feed"),
        "{warnings}"
    );
    b.quit().await;
}
