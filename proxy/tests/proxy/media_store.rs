//! Mirrored media in an S3 bucket (`FEEDFRAME_MEDIA_STORE=s3://…`), served by the proxy or straight
//! from a public base (`FEEDFRAME_MEDIA_PUBLIC_URL`), and collected there. The bucket is moto's S3
//! server on loopback (see `s3_server`), started by each test and stopped when it ends.

use std::collections::BTreeMap;
use std::time::Duration;

use fake_instagram::Route;
use feedframe::Config;
use feedframe_feed::Feed;

use crate::cli::{feedframe, run, serve_logged};
use crate::feed::eventually_feed;
use crate::helpers::*;
use crate::s3_server::{KEY_ID, S3Server, SECRET_KEY};

const BUCKET: &str = "feedframe-media";
const PREFIX: &str = "site/images";

/// Points `c` at `s3://BUCKET/PREFIX` on `s3`.
fn configure(s3: &S3Server, c: &mut Config) {
    s3.configure(c, BUCKET, PREFIX);
}

/// A bucket ready for FeedFrame.
async fn s3() -> S3Server {
    let s3 = S3Server::start().await;
    s3.create_bucket(BUCKET).await;
    s3
}

/// The file name at the end of a media URL.
fn file_name(url: &str) -> String {
    url.rsplit('/').next().unwrap().to_string()
}

/// What a browser sees of a `/media/…` response: the status, the headers a cache or the page
/// depends on, and the bytes.
async fn seen(t: &TestApp, url: &str, if_none_match: Option<&str>) -> (u16, Vec<String>, Vec<u8>) {
    let mut request = t.http.get(format!("{}{url}", t.url()));
    if let Some(etag) = if_none_match {
        request = request.header("if-none-match", etag);
    }
    let response = request.send().await.unwrap();
    let headers = [
        "content-type",
        "content-length",
        "cache-control",
        "etag",
        "access-control-allow-origin",
        "x-content-type-options",
    ]
    .iter()
    .map(|h| {
        let value = response
            .headers()
            .get(*h)
            .map(|v| v.to_str().unwrap().to_string());
        format!("{h}: {value:?}")
    })
    .collect();
    let status = response.status().as_u16();
    (status, headers, response.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn with_an_s3_store_a_fetch_mirrors_every_image_into_the_bucket_and_media_serves_it_as_from_disk()
 {
    let s3 = s3().await;
    let in_bucket = spawn_app_with(images(2), |c| configure(&s3, c)).await;
    let on_disk = spawn_app_with(images(2), |_| {}).await;
    let feed = in_bucket.feed("main").await;
    assert_eq!(
        feed.posts,
        on_disk.feed("main").await.posts,
        "the same posts"
    );
    let urls = all_urls(&feed);
    assert!(urls.iter().all(|u| u.starts_with("/media/")), "{urls:?}");

    // Every file the feed names is an object under the prefix, and nothing went to the disk.
    let objects = s3.objects(BUCKET, PREFIX).await;
    assert_eq!(objects.len(), 2 * 6, "{objects:?}");
    for url in &urls {
        assert!(
            objects.contains_key(&file_name(url)),
            "{url} not in {objects:?}"
        );
    }
    assert!(!in_bucket.dir.path().join("media").exists());

    for url in &urls {
        let from_bucket = seen(&in_bucket, url, None).await;
        assert_eq!(from_bucket.0, 200, "{url}");
        assert_eq!(from_bucket, seen(&on_disk, url, None).await, "{url}");
        assert_eq!(from_bucket.2.len() as u64, objects[&file_name(url)]);
        let etag = format!("\"{}\"", file_name(url));
        let revalidated = seen(&in_bucket, url, Some(&etag)).await;
        assert_eq!(revalidated.0, 304, "{url}");
        assert_eq!(revalidated, seen(&on_disk, url, Some(&etag)).await, "{url}");
    }
    let missing = "/media/0123456789abcdef0123456789abcdef.320.jpg";
    assert_eq!(seen(&in_bucket, missing, None).await.0, 404);
}

#[tokio::test]
async fn with_a_public_media_url_the_feed_names_the_bucket_and_browsers_get_the_images_there() {
    let s3 = s3().await;
    s3.make_public(BUCKET).await;
    let base = format!("{}/{BUCKET}/{PREFIX}", s3.endpoint);
    let mut t = spawn_app_with(images(2), |c| {
        configure(&s3, c);
        c.media_public_url = Some(base.clone());
        c.feed_ttl = Duration::from_secs(1);
    })
    .await;
    let feed = t.feed("main").await;
    let http = reqwest::Client::new();
    for m in feed.posts.iter().flat_map(|p| &p.media) {
        assert!(m.url.starts_with(&format!("{base}/")), "{}", m.url);
        for v in &m.variants {
            assert!(v.url.starts_with(&format!("{base}/")), "{}", v.url);
            // Straight from the bucket, as a browser would: no proxy involved.
            let response = http.get(&v.url).send().await.unwrap();
            assert_eq!(response.status(), 200, "{}", v.url);
            assert_eq!(response.headers()["content-type"], v.mime.as_str());
            assert_eq!(
                response.headers()["cache-control"],
                "public, max-age=31536000, immutable"
            );
            let image = image::load_from_memory(&response.bytes().await.unwrap()).unwrap();
            assert_eq!((image.width(), image.height()), (v.width, v.height));
        }
    }
    let view = t.get("/v1/feeds/main/view").await.text().await.unwrap();
    assert!(view.contains(&base), "the first view names the bucket too");

    // Served by the proxy again: the next fetch names /media/, without downloading anything.
    t.restart(|c| {
        configure(&s3, c);
        c.feed_ttl = Duration::from_secs(1);
    })
    .await;
    t.fake.reset_calls();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let renamed =
        eventually_feed(&t, |f| all_urls(f).iter().all(|u| u.starts_with("/media/"))).await;
    assert_eq!(renamed.posts.len(), 2);
    assert_eq!(t.fake.calls(Route::Cdn), 0, "no image downloaded again");
    for url in all_urls(&renamed) {
        assert_eq!(t.get(&url).await.status(), 200, "{url}");
    }
}

#[tokio::test]
async fn unreferenced_objects_are_deleted_from_the_bucket_and_referenced_ones_kept() {
    let s3 = s3().await;
    let t = spawn_app_with(images(3), |c| {
        configure(&s3, c);
        c.feed_ttl = Duration::from_secs(1);
        c.media_grace = Duration::ZERO;
    })
    .await;
    let first = t.feed("main").await;
    assert_eq!(s3.objects(BUCKET, PREFIX).await.len(), 3 * 6);
    // The newest post is deleted on Instagram.
    t.fake.set_posts(images(3).split_off(1));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let second = eventually_feed(&t, |f| f.posts.len() == 2).await;
    let mut left = BTreeMap::new();
    for _ in 0..100 {
        left = s3.objects(BUCKET, PREFIX).await;
        if left.len() == 2 * 6 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(left.len(), 2 * 6, "{left:?}");
    for url in urls(&first.posts[0].media[0]) {
        assert!(!left.contains_key(&file_name(&url)), "{url}");
        assert_eq!(t.get(&url).await.status(), 404, "{url}");
    }
    for url in all_urls(&second) {
        assert!(left.contains_key(&file_name(&url)), "{url}");
        assert_eq!(t.get(&url).await.status(), 200, "{url}");
    }
}

#[tokio::test]
async fn over_budget_the_bucket_loses_unreferenced_objects_within_their_grace_never_referenced_ones()
 {
    let s3 = s3().await;
    let mut t = spawn_app_with(images(3), |c| {
        configure(&s3, c);
        c.feed_ttl = Duration::from_secs(1);
    })
    .await;
    let first = t.feed("main").await;
    let all = s3.objects(BUCKET, PREFIX).await;
    let total: u64 = all.values().sum();
    t.fake.set_posts(images(3).split_off(1));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let second = eventually_feed(&t, |f| f.posts.len() == 2).await;
    assert_eq!(
        s3.objects(BUCKET, PREFIX).await,
        all,
        "within the grace period and the budget, nothing goes"
    );

    // One byte over the budget: the unreferenced post goes at the next collection (at start).
    t.restart(|c| {
        configure(&s3, c);
        c.media_budget = total - 1;
    })
    .await;
    let left = s3.objects(BUCKET, PREFIX).await;
    let gone: Vec<String> = urls(&first.posts[0].media[0])
        .iter()
        .map(|u| file_name(u))
        .collect();
    assert!(gone.iter().all(|f| !left.contains_key(f)), "{left:?}");
    assert_eq!(left.len(), 2 * 6, "{left:?}");

    // A budget of nothing still keeps what the feed shows.
    t.restart(|c| {
        configure(&s3, c);
        c.media_budget = 0;
    })
    .await;
    assert_eq!(s3.objects(BUCKET, PREFIX).await, left);
    for url in all_urls(&second) {
        assert_eq!(t.get(&url).await.status(), 200, "{url}");
    }
}

#[tokio::test]
async fn feedframe_serve_keeps_media_in_the_bucket_the_standard_aws_variables_describe() {
    let s3 = s3().await;
    let fake = fake_instagram::FakeInstagram::start_with(images(1)).await;
    let dir = tempfile::tempdir().unwrap();
    let token = fake.issue_token(60 * DAY);
    let (code, out, err) =
        run(feedframe(dir.path(), &fake).args(["token", "add", "main", "--token", &token])).await;
    assert_eq!(code, 0, "{out}{err}");
    let mut cmd = feedframe(dir.path(), &fake);
    cmd.env("FEEDFRAME_MEDIA_STORE", format!("s3://{BUCKET}/{PREFIX}"))
        .envs(s3.env());
    let server = serve_logged(cmd).await;
    let feed: Feed = reqwest::get(format!("{}/v1/feeds/main", server.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let objects = s3.objects(BUCKET, PREFIX).await;
    assert_eq!(objects.len(), 6, "{objects:?}");
    for u in all_urls(&feed) {
        assert!(objects.contains_key(&file_name(&u)), "{u}");
    }
    let log = server.stop().await;
    assert!(log.contains(&format!("s3://{BUCKET}/{PREFIX}")), "{log}");
    for secret in [KEY_ID, SECRET_KEY] {
        assert!(!log.contains(secret), "{log}");
    }
}

#[tokio::test]
async fn a_bad_media_store_stops_feedframe_at_start_naming_the_variable_and_quoting_no_secret() {
    let s3 = s3().await;
    let fake = fake_instagram::FakeInstagram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, i32, &[&str]); 4] = [
        (
            "gs://bucket/images",
            2,
            &["'gs://' is not a supported media store"],
        ),
        (
            "/srv/media",
            2,
            &["is not a media store URL", "s3://bucket/prefix"],
        ),
        (
            "s3://AKIAFEEDFRAMETESTKEY:feedframe-test-secret-c0ffee@bucket/images",
            2,
            &["must name only the bucket"],
        ),
        // Well formed, but no such bucket on the server: said at start, not at the first image.
        (
            "s3://no-such-bucket/images",
            1,
            &["s3://no-such-bucket/images", "cannot list"],
        ),
    ];
    for (store, code, words) in cases {
        let mut cmd = feedframe(dir.path(), &fake);
        cmd.args(["serve", "--listen", "127.0.0.1:0"])
            .env("FEEDFRAME_MEDIA_STORE", store)
            .envs(s3.env());
        let (exit, out, err) = tokio::time::timeout(Duration::from_secs(60), run(&mut cmd))
            .await
            .expect("feedframe stops at start");
        assert_eq!(exit, code, "{store}: {out}{err}");
        assert!(err.contains("FEEDFRAME_MEDIA_STORE"), "{store}: {err}");
        for w in words {
            assert!(err.contains(w), "{store}: {w:?} missing from {err}");
        }
        assert!(!err.contains("panicked"), "{store}: {err}");
        for secret in [KEY_ID, SECRET_KEY] {
            assert!(!format!("{out}{err}").contains(secret), "{store}: {err}");
        }
    }
}
