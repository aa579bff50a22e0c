use std::time::Duration;

use fake_instagram::{Route, sample_posts};
use feedframe_feed::{FeedStatus, PostKind};

use crate::helpers::*;

#[tokio::test]
async fn a_feed_is_served_from_instagram_in_the_contract() {
    let t = spawn_app().await;
    let feed = t.feed("main").await;
    assert_eq!(feed.version, 1);
    assert_eq!(feed.status, FeedStatus::Live);
    assert_eq!(feed.profile.username, "harborline.ceramics");
    assert_eq!(
        feed.profile.profile_url,
        "https://www.instagram.com/harborline.ceramics/"
    );
    assert!(feed.fetched_at.is_some());
    // Every sample post has a displayable image (videos by their thumbnail).
    assert_eq!(feed.posts.len(), 12);
    let kinds: Vec<PostKind> = feed.posts.iter().map(|p| p.kind).collect();
    assert!(kinds.contains(&PostKind::Video) && kinds.contains(&PostKind::Carousel));
    for post in &feed.posts {
        assert!(post.permalink.starts_with("https://www.instagram.com/"));
        assert!(post.timestamp.ends_with('Z'), "{}", post.timestamp);
        assert!(!post.media.is_empty());
        assert!(
            post.media.iter().all(|m| !m.url.contains(".mp4")),
            "videos show thumbnails"
        );
    }
    let carousel = feed
        .posts
        .iter()
        .find(|p| p.kind == PostKind::Carousel)
        .unwrap();
    assert!(carousel.media.len() >= 2, "a carousel lists its children");
}

#[tokio::test]
async fn paging_is_followed_and_never_forwarded() {
    let t = spawn_app_with(sample_posts(50), |c| c.post_count = 40).await;
    let response = t.get("/v1/feeds/main").await;
    let body = response.text().await.unwrap();
    let feed: feedframe_feed::Feed = serde_json::from_str(&body).unwrap();
    assert_eq!(feed.posts.len(), 40);
    assert_eq!(t.fake.calls(Route::Media), 2, "two pages of 25");
    for needle in [
        "paging",
        "cursors",
        "after=",
        "access_token",
        "\"next\"",
        &t.token,
    ] {
        assert!(!body.contains(needle), "the feed JSON leaks {needle:?}");
    }
}

#[tokio::test]
async fn two_hundred_concurrent_requests_to_a_stale_feed_cause_one_upstream_fetch() {
    // A TTL of 3 s: long enough that the renewed feed stays live while the 200 requests finish on
    // a busy machine, so any second fetch would be a real single-flight failure.
    let t = spawn_app_with(sample_posts(12), |c| c.feed_ttl = Duration::from_secs(3)).await;
    let first = t.feed("main").await;
    assert_eq!(first.status, FeedStatus::Live);
    tokio::time::sleep(Duration::from_millis(3100)).await;
    t.fake.reset_calls();
    t.fake.set_fault(
        Route::Media,
        Some(fake_instagram::Fault::Slow(Duration::from_millis(300))),
    );

    let feeds = concurrent_feeds(&t, 200).await;
    assert!(
        feeds.iter().all(|f| f.posts.len() == 12),
        "every visitor gets the posts at once"
    );
    assert!(feeds.iter().any(|f| f.status == FeedStatus::Stale));
    assert!(eventually(5, || t.fake.calls(Route::Media) == 1).await);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(t.fake.calls(Route::Media), 1);
    assert_ne!(
        t.feed("main").await.fetched_at,
        first.fetched_at,
        "the feed was renewed"
    );
}

#[tokio::test]
async fn concurrent_first_requests_share_one_upstream_fetch() {
    let t = spawn_app().await;
    t.fake.set_fault(
        Route::Media,
        Some(fake_instagram::Fault::Slow(Duration::from_millis(300))),
    );
    let feeds = concurrent_feeds(&t, 50).await;
    assert!(
        feeds
            .iter()
            .all(|f| f.status == FeedStatus::Live && f.posts.len() == 12)
    );
    assert_eq!(t.fake.calls(Route::Media), 1);
}

#[tokio::test]
async fn a_fresh_feed_is_answered_without_calling_instagram() {
    let t = spawn_app().await;
    t.feed("main").await;
    for _ in 0..20 {
        t.feed("main").await;
    }
    assert_eq!(t.fake.calls(Route::Media), 1);
}

#[tokio::test]
async fn etag_and_if_none_match_give_304_with_cache_headers() {
    let t = spawn_app().await;
    let first = t.get("/v1/feeds/main").await;
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    let cache = first.headers()["cache-control"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cache.contains("max-age=")
            && cache.contains("s-maxage=")
            && cache.contains("stale-while-revalidate=600")
            && cache.contains("stale-if-error=604800"),
        "{cache}"
    );
    let second = t.get_if_none_match("/v1/feeds/main", &etag).await;
    assert_eq!(second.status(), 304);
    assert_eq!(second.headers()["etag"], etag.as_str());
    assert!(second.bytes().await.unwrap().is_empty());
    let other = t
        .get_if_none_match("/v1/feeds/main", "\"0000000000000000\"")
        .await;
    assert_eq!(other.status(), 200);
}

#[tokio::test]
async fn an_unknown_feed_is_a_404_json_error() {
    let t = spawn_app().await;
    for path in ["/v1/feeds/nope", "/v1/feeds/NOT%20A%20NAME"] {
        let response = t.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        let body: feedframe_feed::ApiErrorBody = response.json().await.unwrap();
        assert_eq!(body.error.code, "feed_not_found");
    }
    assert_eq!(t.fake.calls(Route::Any), 0);
}

#[tokio::test]
async fn cors_allows_any_origin_by_default_and_only_listed_origins_when_set() {
    let mut t = spawn_app().await;
    let allow_origin = |t: &TestApp, origin: &'static str| {
        let request = t
            .http
            .get(format!("{}/v1/feeds/main", t.url()))
            .header("origin", origin);
        async move {
            let response = request.send().await.unwrap();
            let h = response.headers();
            let get = |name| h.get(name).map(|v| v.to_str().unwrap().to_string());
            (get("access-control-allow-origin"), get("vary"))
        }
    };
    assert_eq!(
        allow_origin(&t, "https://shop.example").await.0.as_deref(),
        Some("*")
    );

    // Restrict the feed to one origin, as `token add --allow-origin` does.
    t.allow_only(&["https://shop.example"]).await;
    let (allowed, vary) = allow_origin(&t, "https://shop.example").await;
    assert_eq!(allowed.as_deref(), Some("https://shop.example"));
    assert_eq!(vary.as_deref(), Some("Origin"));
    assert_eq!(allow_origin(&t, "https://evil.example").await.0, None);
}

#[tokio::test]
async fn feeds_are_compressed_with_gzip_and_brotli() {
    let t = spawn_app().await;
    for encoding in ["gzip", "br"] {
        let response = t
            .http
            .get(format!("{}/v1/feeds/main", t.url()))
            .header("accept-encoding", encoding)
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["content-encoding"], encoding);
        let bytes = response.bytes().await.unwrap();
        assert!(!bytes.starts_with(b"{"), "{encoding} body is compressed");
    }
}

#[tokio::test]
async fn healthz_answers_ok() {
    let t = spawn_app().await;
    let response = t.get("/healthz").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<serde_json::Value>().await.unwrap()["status"],
        "ok"
    );
}

#[tokio::test]
async fn a_restart_keeps_serving_the_last_good_feed() {
    let mut t = spawn_app().await;
    let before = t.feed("main").await;
    // Instagram goes down for good, and the proxy restarts.
    t.fake
        .set_fault(Route::Any, Some(fake_instagram::Fault::ServerError));
    t.restart(|c| c.feed_ttl = Duration::from_secs(1)).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let first = t.feed("main").await;
    assert_eq!(first.posts, before.posts, "served from the stored snapshot");
    let after = eventually_feed(&t, |f| f.status == FeedStatus::Unavailable).await;
    assert_eq!(after.posts, before.posts);
}

/// Polls the feed until `check` holds (up to 5 s).
pub async fn eventually_feed(
    t: &TestApp,
    check: impl Fn(&feedframe_feed::Feed) -> bool,
) -> feedframe_feed::Feed {
    for _ in 0..100 {
        let feed = t.feed("main").await;
        if check(&feed) {
            return feed;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "the feed never reached the expected state: {:?}",
        t.feed("main").await.status
    );
}

/// `n` simultaneous `GET /v1/feeds/main`, all sent before any is answered.
async fn concurrent_feeds(t: &TestApp, n: usize) -> Vec<feedframe_feed::Feed> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (http, url) = (t.http.clone(), format!("{}/v1/feeds/main", t.url()));
            tokio::spawn(async move { http.get(url).send().await.unwrap().json().await.unwrap() })
        })
        .collect();
    let mut feeds = Vec::with_capacity(n);
    for task in tasks {
        feeds.push(task.await.unwrap());
    }
    feeds
}
