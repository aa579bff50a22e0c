//! Meta's callbacks: a signed deauthorize revokes the account's feeds (and alerts the owner), a
//! signed data-deletion request deletes them with their images, and anything unsigned, forged or
//! stale changes nothing.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use feedframe::Config;
use feedframe::instagram::secret::Secret;
use feedframe::store::TokenState;
use feedframe_feed::FeedStatus;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::alerts::{Receiver, Reply, alerting};
use crate::helpers::*;

const APP_SECRET: &str = "meta-app-secret-for-tests";
const PUBLIC_URL: &str = "https://feeds.example.com";

/// A signed request as Meta makes one, built here without FeedFrame's code.
fn signed(user_id: &str, issued_at: i64, secret: &str) -> String {
    let json =
        format!(r#"{{"algorithm":"HMAC-SHA256","issued_at":{issued_at},"user_id":"{user_id}"}}"#);
    let payload = URL_SAFE_NO_PAD.encode(json);
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(payload.as_bytes());
    format!(
        "{}.{payload}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

fn with_meta(c: &mut Config) {
    c.ig_app_secret = Some(Secret::new(APP_SECRET));
    c.public_url = Some(PUBLIC_URL.into());
}

async fn post(t: &TestApp, path: &str, signed_request: Option<&str>) -> reqwest::Response {
    let form: Vec<(&str, &str)> = signed_request
        .map(|s| vec![("signed_request", s)])
        .unwrap_or_default();
    t.http
        .post(format!("{}{path}", t.url()))
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// The names of the mirrored files on disk.
fn media_files(t: &TestApp) -> Vec<String> {
    match std::fs::read_dir(t.config().media_dir()) {
        Ok(dir) => dir
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.'))
            .collect(),
        Err(_) => Vec::new(),
    }
}

#[tokio::test]
async fn a_signed_deauthorize_revokes_the_accounts_feed_keeps_its_posts_and_alerts_the_owner() {
    let hook = Receiver::start(&[], Reply::Status(200)).await;
    let t = spawn_app_with(fake_instagram::sample_posts(4), |c| {
        with_meta(c);
        alerting(c, &hook);
    })
    .await;
    let before = t.feed("main").await;
    assert_eq!(before.status, FeedStatus::Live);
    let user = t.fake.user_id();

    // Another account's removal touches no feed.
    let other = signed("17841400000000999", now(), APP_SECRET);
    let response = post(&t, "/instagram/deauthorize", Some(&other)).await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["feeds_revoked"], 0, "{body}");
    assert_eq!(t.feed("main").await.status, FeedStatus::Live);

    let response = post(
        &t,
        "/instagram/deauthorize",
        Some(&signed(&user, now(), APP_SECRET)),
    )
    .await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["feeds_revoked"], 1, "{body}");

    // At once: the cache reads the revoked token; the posts stay.
    let feed = t.feed("main").await;
    assert_eq!(feed.status, FeedStatus::TokenRevoked);
    assert_eq!(feed.posts.len(), before.posts.len());
    let store = t.store();
    let token = store.token("main").unwrap().unwrap();
    assert_eq!(token.state, TokenState::Revoked);
    assert_eq!(store.events("main", 1).unwrap()[0].kind, "app_removed");

    let got = hook.wait_for(1).await;
    assert_eq!(got[0].1["type"], "feed.token_dead");
    assert!(
        got[0].1["data"]["detail"]
            .as_str()
            .unwrap()
            .contains("deauthorize"),
        "{}",
        got[0].1
    );
}

#[tokio::test]
async fn forged_stale_and_unsigned_callbacks_are_refused_and_change_nothing() {
    let t = spawn_app_with(fake_instagram::sample_posts(2), with_meta).await;
    assert_eq!(t.feed("main").await.status, FeedStatus::Live);
    let user = t.fake.user_id();
    let forged = signed(&user, now(), "not-the-app-secret");
    let stale = signed(&user, now() - 2 * 3_600, APP_SECRET);
    for path in ["/instagram/deauthorize", "/instagram/data-deletion"] {
        for request in [
            Some(forged.as_str()),
            Some(stale.as_str()),
            Some("garbage"),
            None,
        ] {
            let response = post(&t, path, request).await;
            assert_eq!(response.status(), 400, "{path} {request:?}");
            let body: serde_json::Value = response.json().await.unwrap();
            assert_eq!(body["error"]["code"], "invalid_signed_request", "{body}");
        }
    }
    let token = t.store().token("main").unwrap().unwrap();
    assert_eq!(token.state, TokenState::Active);
    assert!(t.store().snapshot("main").unwrap().is_some());
    assert_eq!(t.feed("main").await.status, FeedStatus::Live);
}

#[tokio::test]
async fn a_signed_data_deletion_deletes_the_feed_its_posts_and_its_images_and_says_so() {
    let t = spawn_app_with(fake_instagram::sample_posts(3), with_meta).await;
    assert_eq!(t.feed("main").await.status, FeedStatus::Live);
    assert!(!media_files(&t).is_empty(), "the images were mirrored");
    // Meta may name the account by its app-scoped id (`/me`'s `id`) rather than its Instagram
    // id (the deauthorize test above uses that one): either finds the feed.
    let user = t.fake.app_scoped_id();
    assert_ne!(user, t.fake.user_id());

    let response = post(
        &t,
        "/instagram/data-deletion",
        Some(&signed(&user, now(), APP_SECRET)),
    )
    .await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    let code = body["confirmation_code"].as_str().unwrap().to_string();
    assert!(code.len() >= 16 && code.chars().all(|c| c.is_ascii_alphanumeric()));
    assert_eq!(
        body["url"],
        format!("{PUBLIC_URL}/instagram/data-deletion/{code}")
    );

    let store = t.store();
    assert!(store.token("main").unwrap().is_none(), "the token is gone");
    assert!(
        store.snapshot("main").unwrap().is_none(),
        "the posts are gone"
    );
    assert!(store.events("main", 10).unwrap().is_empty());
    assert_eq!(t.get("/v1/feeds/main").await.status(), 404);

    // The images go without the grace period; the status page (no login) then says done.
    let mut page = String::new();
    for _ in 0..100 {
        page = t
            .get(&format!("/instagram/data-deletion/{code}"))
            .await
            .text()
            .await
            .unwrap();
        if page.contains("done") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        page.contains("done: 1 feed and their posts and images were deleted"),
        "{page}"
    );
    assert!(
        !page.contains(&user)
            && !page.contains(&t.fake.user_id())
            && !page.contains(&t.fake.username()),
        "{page}"
    );
    assert_eq!(
        media_files(&t),
        Vec::<String>::new(),
        "every image file is gone"
    );

    let unknown = t
        .get("/instagram/data-deletion/0123456789abcdef0123456789abcdef")
        .await;
    assert_eq!(unknown.status(), 404);
    assert!(unknown.text().await.unwrap().contains("unknown code"));
}

#[tokio::test]
async fn a_data_deletion_interrupted_by_a_crash_is_finished_at_the_next_start() {
    let mut t = spawn_app_with(fake_instagram::sample_posts(3), with_meta).await;
    assert_eq!(t.feed("main").await.status, FeedStatus::Live);
    assert!(!media_files(&t).is_empty(), "the images were mirrored");
    // The server went down right after the request's feeds were deleted, before their images.
    let code = "0123456789abcdef0123456789abcdef";
    let (feeds, _) = t
        .store()
        .delete_user_feeds(code, &t.fake.user_id(), now())
        .unwrap();
    assert_eq!(feeds, ["main"]);
    let status = format!("/instagram/data-deletion/{code}");
    let page = t.get(&status).await.text().await.unwrap();
    assert!(page.contains("pending"), "{page}");

    t.restart(with_meta).await;
    // Finished before the server serves: images gone, and the status page says done.
    assert_eq!(media_files(&t), Vec::<String>::new(), "every image is gone");
    let page = t.get(&status).await.text().await.unwrap();
    assert!(
        page.contains("done: 1 feed and their posts and images were deleted"),
        "{page}"
    );
}
