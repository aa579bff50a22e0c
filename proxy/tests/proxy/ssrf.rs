//! Media downloads reach only public addresses over https, on every redirect hop; the Graph
//! client follows no redirect; `--media-hosts` takes names, never addresses or bare suffixes.

use fake_instagram::{FakeInstagram, Fault, Route, sample_posts};
use feedframe::instagram::client::Graph;
use feedframe::instagram::secret::Secret;
use feedframe_feed::FeedStatus;

use crate::cli::{feedframe, run};
use crate::helpers::*;

/// Serves `main` with the private-address exception off, as in production; the fake's CDN is at
/// `localhost`, which resolves to 127.0.0.1.
async fn production_like() -> TestApp {
    spawn_app_with(sample_posts(2), |c| {
        c.media_hosts = vec!["localhost".into()];
        c.media_allow_private = false;
    })
    .await
}

/// What the owner is told about the failed fetch, after the visitor got no posts.
async fn refusal(t: &TestApp) -> String {
    let feed = t.feed("main").await;
    assert_eq!(feed.status, FeedStatus::Unavailable);
    assert!(feed.posts.is_empty());
    t.store().events("main", 1).unwrap()[0].detail.clone()
}

#[tokio::test]
async fn a_media_host_that_resolves_to_loopback_is_never_contacted() {
    let t = production_like().await;
    // https, an allowed name: only the resolved address is wrong.
    let https = t.fake.cdn_base().replace("http://", "https://");
    t.fake.advertise_cdn_base(&https);
    let why = refusal(&t).await;
    assert!(
        why.contains("localhost resolves to a loopback, private or link-local address"),
        "{why}"
    );
    assert_eq!(t.fake.calls(Route::Cdn), 0);
}

#[tokio::test]
async fn plain_http_media_is_refused() {
    let t = production_like().await;
    let why = refusal(&t).await;
    assert!(why.contains("https only"), "{why}");
    assert_eq!(t.fake.calls(Route::Cdn), 0);
}

#[tokio::test]
async fn a_redirect_hop_is_checked_like_the_first_request() {
    // The exception for loopback is on, so only the host rule is left to refuse the hop.
    let t = spawn_app_with(sample_posts(1), |_| {}).await;
    let elsewhere = t.fake.cdn_base().replace("localhost", "127.0.0.1");
    t.fake.set_fault(
        Route::Cdn,
        Some(Fault::Redirect(format!(
            "{elsewhere}/v/t51.2885-15/1_n.jpg"
        ))),
    );
    let why = refusal(&t).await;
    assert!(
        why.contains("the host 127.0.0.1 is not in FEEDFRAME_MEDIA_HOSTS"),
        "{why}"
    );
    assert_eq!(t.fake.calls(Route::Cdn), 1, "the redirect was not followed");
}

#[tokio::test]
async fn the_graph_client_follows_no_redirect() {
    let fake = FakeInstagram::start().await;
    let elsewhere = FakeInstagram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &fake);
    let token = fake.issue_token(60 * DAY);
    fake.push_fault(
        Route::Me,
        Fault::Redirect(format!(
            "{}/v25.0/me?fields=username&access_token={}",
            elsewhere.graph_base(),
            elsewhere.issue_token(60 * DAY)
        )),
    );
    let store = feedframe::store::Store::open(&config.db_path()).unwrap();
    let added = feedframe::tokens::add::add_checked(
        &Graph::new(&config),
        &store,
        "main",
        &Secret::new(token),
        None,
        &[],
    )
    .await;
    assert!(added.is_err(), "a redirect is not an answer");
    assert_eq!(
        elsewhere.calls(Route::Any),
        0,
        "the redirect was not followed"
    );
    assert!(store.token("main").unwrap().is_none(), "nothing was stored");
}

#[tokio::test]
async fn media_hosts_must_be_names() {
    let fake = FakeInstagram::start().await;
    let dir = tempfile::tempdir().unwrap();
    for (hosts, why) in [
        ("127.0.0.1", "is an IP address"),
        ("*.cdninstagram.com,169.254.169.254", "is an IP address"),
        ("*.com", "needs a domain"),
        ("cdn*.example.com", "is not a host name"),
    ] {
        let (code, _, err) = run(feedframe(dir.path(), &fake)
            .env("FEEDFRAME_MEDIA_HOSTS", hosts)
            .args(["token", "status"]))
        .await;
        assert_eq!(code, 2, "{hosts}: {err}");
        assert!(err.contains(why), "{hosts}: {err}");
    }
}
