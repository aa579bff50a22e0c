//! Image mirroring: visitors get FeedFrame's own right-sized copies of every image, never a URL
//! on Instagram's CDN; expired CDN URLs are renewed; bad files are refused without breaking the
//! feed; unreferenced copies are collected.

use std::time::Duration;

use fake_instagram::{Fault, Route, sample_posts};
use feedframe_feed::{Feed, FeedStatus};

use crate::feed::eventually_feed;
use crate::helpers::*;

fn app(t: &TestApp) -> &feedframe::RunningApp {
    t.app.as_ref().expect("running")
}

fn media_files(t: &TestApp) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(t.dir.path().join("media"))
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter_map(|e| e.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test]
async fn every_image_is_served_by_the_proxy_at_its_variant_width() {
    let t = spawn_app_with(sample_posts(6), |_| {}).await;
    let feed = t.feed("main").await;
    assert_eq!(feed.posts.len(), 6, "videos and carousels included");
    for m in feed.posts.iter().flat_map(|p| &p.media) {
        assert!(
            m.url.starts_with("/media/") && m.url.ends_with(".jpg"),
            "{}",
            m.url
        );
        let (w, h) = (m.width.unwrap(), m.height.unwrap());
        assert_eq!(w, 1080, "the mirrored original's size");
        let color = m.color.as_deref().unwrap();
        assert!(color.len() == 7 && color.starts_with('#'), "{color}");
        assert!(m.placeholder.as_deref().is_some_and(|p| !p.is_empty()));
        let widths: Vec<u32> = m.variants.iter().map(|v| v.width).collect();
        assert_eq!(widths, [320, 320, 640, 640, 1080, 1080], "narrowest first");
        let types: Vec<&str> = m.variants.iter().map(|v| v.mime.as_str()).collect();
        assert_eq!(types[..2], ["image/webp", "image/jpeg"]);
        assert_eq!(m.url, m.variants[5].url, "the fallback is the widest JPEG");
        for v in &m.variants {
            let response = t.get(&v.url).await;
            assert_eq!(response.status(), 200, "{}", v.url);
            let headers = response.headers().clone();
            assert_eq!(headers["content-type"], v.mime.as_str());
            assert_eq!(
                headers["cache-control"],
                "public, max-age=31536000, immutable"
            );
            assert_eq!(headers["access-control-allow-origin"], "*");
            let bytes = response.bytes().await.unwrap();
            let decoded = image::load_from_memory(&bytes).unwrap();
            assert_eq!((decoded.width(), decoded.height()), (v.width, v.height));
            assert_eq!(v.height, (h * v.width).div_ceil(w), "aspect ratio kept");

            let etag = headers["etag"].to_str().unwrap();
            let again = t
                .http
                .get(format!("{}{}", t.url(), v.url))
                .header("if-none-match", etag)
                .send()
                .await
                .unwrap();
            assert_eq!(again.status(), 304);
        }
    }
}

#[tokio::test]
async fn the_served_feed_contains_no_instagram_cdn_url() {
    let t = spawn_app_with(sample_posts(6), |_| {}).await;
    let body = t.get("/v1/feeds/main").await.text().await.unwrap();
    let cdn_host = t.fake.cdn_base().replace("http://", "");
    for needle in [
        cdn_host.as_str(),
        "oe=",
        "oh=",
        "_nc_",
        "cdninstagram",
        "fbcdn",
    ] {
        assert!(!body.contains(needle), "the feed JSON has {needle:?}");
    }
    let feed: Feed = serde_json::from_str(&body).unwrap();
    assert!(all_urls(&feed).iter().all(|u| u.starts_with("/media/")));
    assert!(t.fake.calls(Route::Cdn) > 0);
}

#[tokio::test]
async fn an_image_already_mirrored_is_not_downloaded_again() {
    let mut t = spawn_app_with(images(3), |c| c.feed_ttl = Duration::from_secs(1)).await;
    let first = t.feed("main").await;
    assert_eq!(t.fake.calls(Route::Cdn), 3, "each image downloaded once");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    t.fake.reset_calls();
    // Instagram hands out freshly signed URLs for the same files.
    let renewed = eventually_feed(&t, |f| f.fetched_at != first.fetched_at).await;
    assert_eq!(renewed.posts, first.posts);
    assert!(t.fake.calls(Route::Media) >= 1);
    assert_eq!(t.fake.calls(Route::Cdn), 0, "no image downloaded twice");

    // Not after a restart either: what was mirrored is in the database.
    t.restart(|c| c.feed_ttl = Duration::from_secs(1)).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    eventually_feed(&t, |f| f.fetched_at != renewed.fetched_at).await;
    assert_eq!(t.fake.calls(Route::Cdn), 0);
}

#[tokio::test]
async fn urls_that_expire_before_the_download_are_renewed_with_one_more_list_fetch() {
    let t = spawn_app_with(images(3), |_| {}).await;
    // Every CDN request waits, and meanwhile the URLs' `oe` passes: the CDN answers 403
    // `URL signature expired`, as Instagram's does.
    t.fake
        .set_fault(Route::Cdn, Some(Fault::Slow(Duration::from_millis(600))));
    let request = tokio::spawn({
        let (http, url) = (t.http.clone(), format!("{}/v1/feeds/main", t.url()));
        async move {
            http.get(url)
                .send()
                .await
                .unwrap()
                .json::<Feed>()
                .await
                .unwrap()
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    t.fake.advance(5 * DAY);
    let feed = request.await.unwrap();
    assert_eq!(feed.status, FeedStatus::Live);
    assert_eq!(feed.posts.len(), 3, "every post has its image");
    assert_eq!(
        t.fake.calls(Route::Media),
        2,
        "one more media list for fresh URLs"
    );
    assert_eq!(app(&t).feeds.upstream_fetches(), 2);
    for url in all_urls(&feed) {
        assert_eq!(t.get(&url).await.status(), 200, "{url}");
    }
}

#[tokio::test]
async fn a_url_already_past_its_oe_is_never_requested_and_the_feed_recovers() {
    let t = spawn_app_with(images(2), |c| c.feed_ttl = Duration::from_secs(1)).await;
    // Instagram's clock is 5 days behind: every URL it hands out is already expired.
    t.fake.advance(-5 * DAY);
    let feed = t.feed("main").await;
    assert_eq!(
        t.fake.calls(Route::Cdn),
        0,
        "an expired URL is not downloaded"
    );
    assert_eq!(
        t.fake.calls(Route::Media),
        2,
        "the list was fetched once more"
    );
    assert_eq!(feed.status, FeedStatus::Unavailable);
    assert!(feed.posts.is_empty(), "no broken tiles");

    t.fake.advance(5 * DAY);
    let feed = eventually_feed(&t, |f| f.status == FeedStatus::Live).await;
    assert_eq!(feed.posts.len(), 2);
    for url in all_urls(&feed) {
        assert_eq!(t.get(&url).await.status(), 200);
    }
}

#[tokio::test]
async fn an_image_over_the_byte_limit_is_refused_and_the_rest_is_served() {
    let small = fake_instagram::jpeg_bytes(200, 250, 1).len() as u64;
    let large = fake_instagram::jpeg_bytes(1080, 1350, 1).len() as u64;
    assert!(large > 4 * small, "{small} vs {large}");
    let posts = vec![image(0, 1080, 1350), image(1, 200, 250), image(2, 200, 250)];
    let t = spawn_app_with(posts, |c| c.media_max_bytes = 2 * small).await;
    let feed = t.feed("main").await;
    assert_eq!(feed.status, FeedStatus::Live);
    let ids: Vec<&str> = feed.posts.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, [post_id(1), post_id(2)]);
    assert_eq!(
        feed.posts[0].media[0].variants.len(),
        2,
        "200 px: no upscaled variants"
    );
}

#[tokio::test]
async fn a_non_image_is_refused_and_the_rest_is_served() {
    let t = spawn_app_with(images(4), |_| {}).await;
    // An HTML page labelled image/jpeg, and a text/plain body.
    t.fake.push_fault(Route::Cdn, Fault::Garbage);
    t.fake
        .push_fault(Route::Cdn, Fault::Status(200, "hello".into()));
    let feed = t.feed("main").await;
    assert_eq!(feed.status, FeedStatus::Live);
    assert_eq!(
        feed.posts.len(),
        2,
        "the two posts without an image are left out"
    );
    for url in all_urls(&feed) {
        assert_eq!(t.get(&url).await.status(), 200);
    }
}

#[tokio::test]
async fn an_image_with_too_many_pixels_is_refused_and_the_rest_is_served() {
    let posts = vec![image(0, 640, 800), image(1, 1600, 2000), image(2, 640, 800)];
    let t = spawn_app_with(posts, |c| {
        c.media_max_pixels = 1_000_000;
        c.feed_ttl = Duration::from_secs(1);
    })
    .await;
    let feed = t.feed("main").await;
    assert_eq!(feed.status, FeedStatus::Live);
    let ids: Vec<&str> = feed.posts.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, [post_id(0), post_id(2)]);
    assert_eq!(t.fake.calls(Route::Cdn), 3);
    // The next fetches do not download the bomb again (nor the two mirrored images).
    tokio::time::sleep(Duration::from_millis(1100)).await;
    t.fake.reset_calls();
    let renewed = eventually_feed(&t, |f| f.fetched_at != feed.fetched_at).await;
    assert_eq!(renewed.posts.len(), 2);
    assert_eq!(
        t.fake.calls(Route::Cdn),
        0,
        "a refused image is not downloaded on every fetch"
    );
}

#[tokio::test]
async fn a_host_outside_the_allowed_list_is_never_contacted() {
    let t = spawn_app_with(images(2), |c| {
        c.media_hosts = vec!["*.cdninstagram.com".into()];
    })
    .await;
    let body = t.get("/v1/feeds/main").await.text().await.unwrap();
    assert_eq!(t.fake.calls(Route::Cdn), 0);
    let feed: Feed = serde_json::from_str(&body).unwrap();
    assert_eq!(feed.status, FeedStatus::Unavailable);
    assert!(feed.posts.is_empty());
    assert!(!body.contains("localhost"));
    let events = t.store().events("main", 1).unwrap();
    assert!(
        events[0].detail.contains("not in FEEDFRAME_MEDIA_HOSTS"),
        "the owner is told why: {}",
        events[0].detail
    );
}

#[tokio::test]
async fn when_no_new_image_can_be_had_the_last_good_posts_stay() {
    let t = spawn_app_with(images(2), |c| c.feed_ttl = Duration::from_secs(1)).await;
    let good = t.feed("main").await;
    t.fake
        .set_posts((10..12).map(|i| image(i, 1080, 1350)).collect());
    t.fake.set_fault(Route::Cdn, Some(Fault::ServerError));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let feed = eventually_feed(&t, |f| f.status == FeedStatus::Unavailable).await;
    assert_eq!(feed.posts, good.posts, "not an empty feed");
}

#[tokio::test]
async fn unreferenced_media_is_collected_and_referenced_media_kept() {
    let t = spawn_app_with(images(3), |c| {
        c.feed_ttl = Duration::from_secs(1);
        c.media_grace = Duration::ZERO;
    })
    .await;
    let first = t.feed("main").await;
    assert_eq!(media_files(&t).len(), 3 * 6);
    // The newest post is deleted on Instagram.
    t.fake.set_posts(images(3).split_off(1));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let second = eventually_feed(&t, |f| f.posts.len() == 2).await;
    let gone = urls(&first.posts[0].media[0]);
    assert!(eventually(5, || media_files(&t).len() == 2 * 6).await);
    for url in &gone {
        assert_eq!(t.get(url).await.status(), 404, "{url}");
    }
    for url in all_urls(&second) {
        assert_eq!(t.get(&url).await.status(), 200, "{url}");
    }
}

#[tokio::test]
async fn unreferenced_media_is_kept_during_its_grace_period() {
    let t = spawn_app_with(images(2), |c| c.feed_ttl = Duration::from_secs(1)).await;
    let first = t.feed("main").await;
    t.fake.set_posts(images(2).split_off(1));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    eventually_feed(&t, |f| f.posts.len() == 1).await;
    // A visitor whose browser still holds the old feed JSON still gets the image.
    for url in urls(&first.posts[0].media[0]) {
        assert_eq!(t.get(&url).await.status(), 200);
    }
}

#[tokio::test]
async fn unknown_or_malformed_media_names_are_json_404s() {
    let t = spawn_app_with(images(1), |_| {}).await;
    t.feed("main").await;
    for path in [
        "/media/0123456789abcdef0123456789abcdef.320.jpg",
        "/media/feedframe.db",
        "/media/..%2Ffeedframe.db",
        "/media/0123456789abcdef0123456789abcdef.320.png",
    ] {
        let response = t.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        let body: feedframe_feed::ApiErrorBody = response.json().await.unwrap();
        assert_eq!(body.error.code, "media_not_found", "{path}");
    }
}
