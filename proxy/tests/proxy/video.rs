//! Video: a video post's file is mirrored (up to FEEDFRAME_MEDIA_VIDEO_MAX_BYTES) and served by
//! the proxy with range requests, conditional requests and immutable caching, from the data
//! directory or a bucket; a video Instagram gives no file for (copyrighted audio) or one over the
//! limit keeps its post and thumbnail without `video`; unreferenced videos are collected and count
//! toward the disk budget.

use std::time::Duration;

use fake_instagram::{FakeKind, FakePost, video_bytes};
use feedframe_feed::{Feed, Media};

use crate::feed::eventually_feed;
use crate::helpers::*;
use crate::s3_server::S3Server;

/// Video post `i`; with `copyrighted` audio Instagram gives no `media_url` for it.
fn video(i: u32, copyrighted: bool) -> FakePost {
    let mut post = image(i, 1080, 1920);
    post.kind = FakeKind::Video;
    post.copyrighted_audio = copyrighted;
    post
}

/// The post's only media item.
fn media<'a>(feed: &'a Feed, id: &str) -> &'a Media {
    let post = feed.posts.iter().find(|p| p.id == id).expect("the post");
    assert_eq!(post.media.len(), 1);
    &post.media[0]
}

/// The mirrored `.mp4` files of the data directory.
fn mp4_files(t: &TestApp) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(t.dir.path().join("media"))
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| n.ends_with(".mp4"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// `GET url` with these request headers.
async fn get_with(t: &TestApp, url: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = t.http.get(format!("{}{url}", t.url()));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
}

/// Asks for `range` and checks the 206: its Content-Range, its length and its bytes.
async fn check_range(t: &TestApp, url: &str, range: &str, expected: std::ops::Range<usize>) {
    let file = video_bytes(&post_id(0));
    let response = get_with(t, url, &[("range", range)]).await;
    assert_eq!(response.status(), 206, "{range}");
    let content_range = format!(
        "bytes {}-{}/{}",
        expected.start,
        expected.end - 1,
        file.len()
    );
    assert_eq!(header(&response, "content-range"), Some(content_range));
    assert_eq!(
        header(&response, "content-length"),
        Some(expected.len().to_string())
    );
    assert_eq!(header(&response, "accept-ranges").as_deref(), Some("bytes"));
    assert_eq!(
        header(&response, "content-type").as_deref(),
        Some("video/mp4")
    );
    let body = response.bytes().await.unwrap();
    assert_eq!(&body[..], &file[expected], "{range}");
}

#[tokio::test]
async fn a_video_post_is_mirrored_and_served_by_byte_range() {
    let t = spawn_app_with(vec![video(0, false), image(1, 1080, 1350)], |_| {}).await;
    let feed = t.feed("main").await;
    let item = media(&feed, &post_id(0));
    let video = item.video.as_ref().expect("the video is mirrored");
    assert_eq!(video.mime, "video/mp4");
    assert!(
        video.url.starts_with("/media/") && video.url.ends_with(".mp4"),
        "{}",
        video.url
    );
    assert!(
        item.url.ends_with(".jpg"),
        "the media is still the thumbnail"
    );
    assert!(
        media(&feed, &post_id(1)).video.is_none(),
        "an image has none"
    );

    // The whole file, as Instagram's CDN sent it; never compressed.
    let file = video_bytes(&post_id(0));
    let whole = get_with(&t, &video.url, &[("accept-encoding", "gzip, br")]).await;
    assert_eq!(whole.status(), 200);
    assert_eq!(header(&whole, "content-encoding"), None);
    assert_eq!(header(&whole, "accept-ranges").as_deref(), Some("bytes"));
    assert_eq!(
        header(&whole, "cache-control").as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(
        header(&whole, "content-length"),
        Some(file.len().to_string())
    );
    let etag = header(&whole, "etag").expect("an ETag");
    assert_eq!(whole.bytes().await.unwrap(), file);

    // The three forms of a range, the last one clamped to the end.
    check_range(&t, &video.url, "bytes=0-1", 0..2).await;
    check_range(&t, &video.url, "bytes=100-", 100..file.len()).await;
    check_range(&t, &video.url, "bytes=-16", file.len() - 16..file.len()).await;
    check_range(&t, &video.url, "bytes=1000-999999", 1000..file.len()).await;

    // Past the end: 416 with the file's length.
    let past = format!("bytes={}-", file.len());
    let response = get_with(&t, &video.url, &[("range", &past)]).await;
    assert_eq!(response.status(), 416);
    assert_eq!(
        header(&response, "content-range"),
        Some(format!("bytes */{}", file.len()))
    );

    // If-Range: the same file gets the range, any other validator the whole file.
    let same = get_with(
        &t,
        &video.url,
        &[("range", "bytes=0-1"), ("if-range", &etag)],
    )
    .await;
    assert_eq!(same.status(), 206);
    let other = get_with(
        &t,
        &video.url,
        &[("range", "bytes=0-1"), ("if-range", "\"another\"")],
    )
    .await;
    assert_eq!(other.status(), 200);
    assert_eq!(other.bytes().await.unwrap().len(), file.len());

    // A browser holding the file revalidates for nothing.
    let again = get_with(&t, &video.url, &[("if-none-match", &etag)]).await;
    assert_eq!(again.status(), 304);
    assert_eq!(header(&again, "etag"), Some(etag));
    assert!(again.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn images_are_served_by_byte_range_too() {
    let t = spawn_app_with(vec![image(0, 1080, 1350)], |_| {}).await;
    let feed = t.feed("main").await;
    let url = &feed.posts[0].media[0].url;
    let whole = t.get(url).await.bytes().await.unwrap();
    let response = get_with(&t, url, &[("range", "bytes=2-5")]).await;
    assert_eq!(response.status(), 206);
    assert_eq!(
        header(&response, "content-range"),
        Some(format!("bytes 2-5/{}", whole.len()))
    );
    assert_eq!(response.bytes().await.unwrap(), whole[2..6]);
}

#[tokio::test]
async fn a_copyrighted_video_has_no_video_in_the_feed_json_and_its_thumbnail_is_mirrored() {
    let t = spawn_app_with(vec![video(0, true), video(1, false)], |_| {}).await;
    let json: serde_json::Value = t.get("/v1/feeds/main").await.json().await.unwrap();
    let posts = json["posts"].as_array().unwrap();
    let copyrighted = posts
        .iter()
        .find(|p| p["id"] == post_id(0))
        .expect("the post is in the feed");
    assert_eq!(copyrighted["kind"], "video");
    let item = &copyrighted["media"][0];
    assert!(item.get("video").is_none(), "no `video` key: {item}");
    let thumbnail = item["url"].as_str().unwrap();
    let response = t.get(thumbnail).await;
    assert_eq!(response.status(), 200, "{thumbnail}");
    assert_eq!(
        header(&response, "content-type").as_deref(),
        Some("image/jpeg")
    );
    // The other video is mirrored: only its file is on disk.
    assert!(posts[1]["media"][0]["video"]["url"].is_string());
    assert_eq!(mp4_files(&t).len(), 1);
}

#[tokio::test]
async fn a_video_over_the_limit_is_not_mirrored_and_its_post_stays() {
    let limit = video_bytes(&post_id(0)).len() as u64 - 1;
    let t = spawn_app_with(vec![video(0, false), image(1, 1080, 1350)], |c| {
        c.media_video_max_bytes = limit;
    })
    .await;
    let feed = t.feed("main").await;
    assert_eq!(feed.posts.len(), 2, "the post stays");
    let item = media(&feed, &post_id(0));
    assert!(item.video.is_none(), "one byte over the limit");
    assert_eq!(
        t.get(&item.url).await.status(),
        200,
        "the thumbnail is mirrored"
    );
    assert!(mp4_files(&t).is_empty(), "{:?}", mp4_files(&t));

    // At the limit exactly, it is mirrored.
    let t = spawn_app_with(vec![video(0, false)], |c| {
        c.media_video_max_bytes = limit + 1;
    })
    .await;
    let feed = t.feed("main").await;
    assert!(media(&feed, &post_id(0)).video.is_some());
}

#[tokio::test]
async fn an_unreferenced_video_is_collected_and_a_referenced_one_kept() {
    let t = spawn_app_with(vec![video(0, false), video(1, false)], |c| {
        c.feed_ttl = Duration::from_secs(1);
        c.media_grace = Duration::ZERO;
    })
    .await;
    let first = t.feed("main").await;
    let gone = media(&first, &post_id(0)).video.clone().unwrap().url;
    let kept = media(&first, &post_id(1)).video.clone().unwrap().url;
    assert_eq!(mp4_files(&t).len(), 2);
    let kept_file = t
        .dir
        .path()
        .join("media")
        .join(kept.rsplit('/').next().unwrap());
    let inode = || std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&kept_file).unwrap());
    let before = inode();
    // The newest post is deleted on Instagram.
    t.fake.set_posts(vec![video(1, false)]);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    eventually_feed(&t, |f| f.posts.len() == 1).await;
    assert!(eventually(5, || mp4_files(&t).len() == 1).await);
    assert_eq!(t.get(&gone).await.status(), 404, "{gone}");
    assert_eq!(t.get(&kept).await.status(), 200, "{kept}");
    assert_eq!(
        inode(),
        before,
        "the kept video was never deleted (and downloaded again)"
    );
}

#[tokio::test]
async fn videos_count_toward_the_disk_budget() {
    let mut t = spawn_app_with(vec![video(0, false)], |c| {
        c.feed_ttl = Duration::from_secs(1);
    })
    .await;
    let first = t.feed("main").await;
    let video_url = media(&first, &post_id(0)).video.clone().unwrap().url;
    // Instagram stops giving the file (audio flagged later): the thumbnail stays referenced,
    // the video does not.
    t.fake.set_posts(vec![video(0, true)]);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let second = eventually_feed(&t, |f| media(f, &post_id(0)).video.is_none()).await;
    assert_eq!(
        mp4_files(&t).len(),
        1,
        "within the grace period and the budget"
    );
    let images: u64 = std::fs::read_dir(t.dir.path().join("media"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| !e.file_name().to_string_lossy().ends_with(".mp4"))
        .map(|e| e.metadata().unwrap().len())
        .sum();
    let video = video_bytes(&post_id(0)).len() as u64;

    // The images alone fit the budget; with the video's bytes it is one byte over: the
    // unreferenced video goes at the next collection (at start), the thumbnail stays.
    t.restart(|c| c.media_budget = images + video - 1).await;
    assert!(eventually(5, || mp4_files(&t).is_empty()).await);
    assert_eq!(t.get(&video_url).await.status(), 404, "{video_url}");
    for url in urls(media(&second, &post_id(0))) {
        assert_eq!(t.get(&url).await.status(), 200, "{url}");
    }
}

#[tokio::test]
async fn on_an_s3_store_a_video_is_uploaded_and_served_by_byte_range() {
    const BUCKET: &str = "feedframe-video";
    const PREFIX: &str = "site/media";
    let s3 = S3Server::start().await;
    s3.create_bucket(BUCKET).await;
    let t = spawn_app_with(vec![video(0, false)], |c| s3.configure(c, BUCKET, PREFIX)).await;
    let feed = t.feed("main").await;
    let url = media(&feed, &post_id(0))
        .video
        .clone()
        .expect("mirrored")
        .url;
    let file = video_bytes(&post_id(0));
    let objects = s3.objects(BUCKET, PREFIX).await;
    let name = url.rsplit('/').next().unwrap();
    assert_eq!(objects.get(name), Some(&(file.len() as u64)), "{objects:?}");
    assert!(
        !t.dir.path().join("media").join(name).exists(),
        "not on disk"
    );

    check_range(&t, &url, "bytes=0-1", 0..2).await;
    check_range(&t, &url, "bytes=-16", file.len() - 16..file.len()).await;
    let whole = t.get(&url).await;
    assert_eq!(whole.status(), 200);
    assert_eq!(whole.bytes().await.unwrap(), file);
    let past = format!("bytes={}-", file.len() + 5);
    let response = get_with(&t, &url, &[("range", &past)]).await;
    assert_eq!(response.status(), 416);
    assert_eq!(
        header(&response, "content-range"),
        Some(format!("bytes */{}", file.len()))
    );
}
