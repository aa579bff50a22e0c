//! The widget's first view, served by the proxy: `/v1/feeds/{feed}/view` and `/embed`.

use crate::helpers::*;

const VIEW: &str =
    "/v1/feeds/main/view?layout=grid&columns=3&limit=6&gap=4&base=https%3A%2F%2Ffeeds.example";

#[tokio::test]
async fn the_view_is_the_widgets_html_with_its_stylesheet_and_data() {
    let t = spawn_app().await;
    let response = t.get(VIEW).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    let html = response.text().await.unwrap();
    assert!(html.starts_with("<style>"), "{html}");
    let root = html
        .split(r#"<div class="ff-mount"><div "#)
        .nth(1)
        .and_then(|rest| rest.split('>').next())
        .expect("the mount point holds the widget's root");
    assert!(root.contains(r#"class="ff-root""#), "{root}");
    assert!(html.contains(r#"data-state="ready""#), "{html}");
    assert!(
        html.contains("--feedframe-columns:3;--feedframe-gap:4px;"),
        "{html}"
    );
    assert_eq!(html.matches("<img").count(), 6, "limit=6");
    // Images come from the proxy's mirror, addressed through the page's base URL.
    assert!(
        html.contains(r#"src="https://feeds.example/media/"#),
        "{html}"
    );
    assert!(!html.contains("cdninstagram") && !html.contains(&t.token));
    // The data the wasm hydrates from: the shown posts, as the feed contract.
    let data = html
        .split(r#"<script type="application/json" class="ff-data">"#)
        .nth(1)
        .and_then(|rest| rest.strip_suffix("</script>"))
        .expect("the data script ends the fragment");
    let feed: feedframe_feed::Feed = serde_json::from_str(data).unwrap();
    assert_eq!(feed.posts.len(), 6);
    assert_eq!(feed.posts, t.feed("main").await.posts[..6]);
}

#[tokio::test]
async fn invalid_options_get_the_widgets_defaults_and_a_bad_base_is_refused() {
    let t = spawn_app_with(fake_instagram::sample_posts(20), |_| {}).await;
    assert_eq!(t.feed("main").await.posts.len(), 20);
    // The widget's own parser: an invalid value becomes the default, as in the browser.
    let html = t
        .get("/v1/feeds/main/view?layout=hexagon&limit=lots")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"data-layout="grid""#), "{html}");
    assert_eq!(html.matches("<img").count(), 12, "the default limit");
    let three = t
        .get("/v1/feeds/main/view?limit=3")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(three.matches("<img").count(), 3, "a valid limit");
    let response = t.get("/v1/feeds/main/view?base=javascript:alert(1)").await;
    assert_eq!(response.status(), 400);
    let body: feedframe_feed::ApiErrorBody = response.json().await.unwrap();
    assert_eq!(body.error.code, "invalid_option");
    assert!(
        body.error.message.contains("base"),
        "{}",
        body.error.message
    );
    // An unknown or malformed feed is a 404, as for the JSON.
    for path in [
        "/v1/feeds/nope/view",
        "/v1/feeds/Main/view",
        "/v1/feeds/nope/embed",
    ] {
        assert_eq!(t.get(path).await.status(), 404, "{path}");
    }
}

#[tokio::test]
async fn the_view_is_cached_like_the_json() {
    let mut t = spawn_app().await;
    let first = t.get(VIEW).await;
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    let cache = first.headers()["cache-control"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cache.contains("max-age=")
            && cache.contains("s-maxage=")
            && cache.contains("stale-while-revalidate=")
            && cache.contains("stale-if-error="),
        "{cache}"
    );
    let again = t.get_if_none_match(VIEW, &etag).await;
    assert_eq!(again.status(), 304);
    // Other options are another view, with another ETag.
    let other = t.get("/v1/feeds/main/view?layout=slider").await;
    assert_ne!(other.headers()["etag"].to_str().unwrap(), etag);
    // Compressed when the client accepts it.
    let br = t
        .http
        .get(format!("{}{VIEW}", t.url()))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(br.headers()["content-encoding"], "br");
    // CORS follows the feed's --allow-origin, as for the JSON.
    t.allow_only(&["https://shop.example"]).await;
    for (origin, allowed) in [
        ("https://shop.example", Some("https://shop.example")),
        ("https://evil.example", None),
    ] {
        let response = t
            .http
            .get(format!("{}{VIEW}", t.url()))
            .header("origin", origin)
            .send()
            .await
            .unwrap();
        let got = response
            .headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap().to_string());
        assert_eq!(got.as_deref(), allowed, "{origin}");
    }
}

#[tokio::test]
async fn the_embed_page_holds_the_view_in_a_declarative_shadow_root() {
    let t = spawn_app().await;
    let html = t
        .get("/v1/feeds/main/embed?layout=slider&limit=4&fallback-text=%22%3E%3Cb%3E")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.starts_with("<!doctype html>"), "{html}");
    assert!(
        html.contains(r#"<feedframe-feed feed="main" layout="slider" limit="4" fallback-text="&quot;&gt;&lt;b&gt;"><template shadowrootmode="open"><style>"#),
        "{html}"
    );
    assert_eq!(html.matches("<img").count(), 4);
    // Relative to /v1/feeds/main/embed, so a path prefix in front of the proxy still works.
    assert!(
        html.contains(r#"<script src="../../../widget.js" async>"#),
        "{html}"
    );
    assert!(html.contains("postMessage"), "{html}");
}
