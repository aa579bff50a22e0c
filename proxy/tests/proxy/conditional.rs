//! Conditional requests: a client that has a file answers its own `If-None-Match` without the
//! proxy reading or sending the file again.

use fake_instagram::sample_posts;

use crate::helpers::*;

#[tokio::test]
async fn a_media_revalidation_is_answered_without_reading_the_file() {
    let t = spawn_app_with(sample_posts(2), |_| {}).await;
    let feed = t.feed("main").await;
    let url = feed.posts[0].media[0].url.clone();
    let first = t.get(&url).await;
    assert_eq!(first.status(), 200);
    let etag = first.headers()["etag"].to_str().unwrap().to_string();

    // The file goes (as garbage collection may do); a client holding the name still revalidates.
    let file = url.strip_prefix("/media/").unwrap();
    std::fs::remove_file(t.dir.path().join("media").join(file)).unwrap();
    let again = t.get_if_none_match(&url, &etag).await;
    assert_eq!(again.status(), 304, "answered from the name, not the file");
    assert_eq!(again.headers()["etag"], etag.as_str());
    assert_eq!(
        t.get(&url).await.status(),
        404,
        "without it, the file is gone"
    );
}

#[tokio::test]
async fn widget_files_answer_304_to_their_etag() {
    let widget = tempfile::tempdir().unwrap();
    std::fs::write(widget.path().join("widget.js"), "/* loader */").unwrap();
    std::fs::write(
        widget
            .path()
            .join("feedframe-widget-3f2a9c0d1e2b4a5f_bg.wasm"),
        b"\0asm",
    )
    .unwrap();
    let dir = widget.path().to_path_buf();
    let t = spawn_app_with(sample_posts(1), move |c| c.widget_dir = Some(dir)).await;
    for path in [
        "/widget.js",
        "/widget/feedframe-widget-3f2a9c0d1e2b4a5f_bg.wasm",
    ] {
        let first = t.get(path).await;
        assert_eq!(first.status(), 200, "{path}");
        let etag = first.headers()["etag"].to_str().unwrap().to_string();
        let cache = first.headers()["cache-control"].clone();
        let again = t.get_if_none_match(path, &etag).await;
        assert_eq!(again.status(), 304, "{path}");
        assert_eq!(again.headers()["etag"], etag.as_str());
        assert_eq!(again.headers()["cache-control"], cache);
        assert!(again.bytes().await.unwrap().is_empty());
        let other = t.get_if_none_match(path, "\"0000000000000000\"").await;
        assert_eq!(other.status(), 200, "another ETag gets the file");
    }
}
