//! The token string appears in no response body or header and no log line.

use std::time::Duration;

use fake_instagram::{FakeInstagram, Fault, Route};

use crate::cli::{admin_set_password, feedframe, run, serve_logged};
use crate::helpers::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_never_appear_in_responses_or_logs() {
    let fake = FakeInstagram::start_with(fake_instagram::sample_posts(40)).await;
    let dir = tempfile::tempdir().unwrap();
    let token = fake.issue_token(60 * DAY);
    let (code, out, err) =
        run(feedframe(dir.path(), &fake).args(["token", "add", "main", "--token", &token])).await;
    assert_eq!(code, 0);
    let mut seen = out + &err;

    let mut cmd = feedframe(dir.path(), &fake);
    cmd.env("FEEDFRAME_LOG", "trace")
        .env("FEEDFRAME_POST_COUNT", "30")
        .args(["--feed-ttl", "1"]);
    let server = serve_logged(cmd).await;
    let url = server.url.clone();

    let http = reqwest::Client::new();
    let mut responses = String::new();
    // Healthy paging, then every kind of failure, each logged by the proxy.
    let faults = [
        None,
        Some(Fault::ServerError),
        Some(Fault::Garbage),
        Some(Fault::RateLimit400),
        Some(Fault::Expired),
    ];
    for fault in faults {
        fake.set_fault(Route::Any, fault);
        tokio::time::sleep(Duration::from_millis(1100)).await;
        for path in [
            "/v1/feeds/main",
            "/v1/feeds/main",
            "/v1/feeds/nope",
            "/healthz",
        ] {
            let r = http
                .get(format!("{url}{path}"))
                .header("accept-encoding", "identity")
                .send()
                .await
                .unwrap();
            responses.push_str(&format!("{:?}", r.headers()));
            responses.push_str(&r.text().await.unwrap());
        }
    }
    // A refresh through the CLI, its new token included in the scan.
    fake.set_fault(Route::Any, None);
    let (_, out, err) = run(feedframe(dir.path(), &fake)
        .env("FEEDFRAME_LOG", "trace")
        .args(["token", "refresh", "main"]))
    .await;
    seen.push_str(&out);
    seen.push_str(&err);
    // A refresh that times out (the upstream timeout is 2 s)...
    fake.set_fault(
        Route::Refresh,
        Some(Fault::Slow(Duration::from_millis(2500))),
    );
    let (code, out, err) = run(feedframe(dir.path(), &fake)
        .env("FEEDFRAME_LOG", "trace")
        .args(["token", "refresh", "main"]))
    .await;
    fake.set_fault(Route::Refresh, None);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("timed out"), "{err}");
    seen.push_str(&out);
    seen.push_str(&err);
    // ...and one while Instagram cannot be reached at all: a connection error, whose message
    // would quote the whole URL, token included.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let (code, out, err) = run(feedframe(dir.path(), &fake)
        .env("FEEDFRAME_LOG", "trace")
        .env("FEEDFRAME_GRAPH_BASE", &closed)
        .args(["token", "refresh", "main"]))
    .await;
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("cannot reach Instagram"), "{err}");
    seen.push_str(&out);
    seen.push_str(&err);
    let logs = server.stop().await;
    seen.push_str(&logs);

    assert!(
        logs.contains("fetching the feed failed"),
        "the failures were logged:\n{logs}"
    );
    assert!(fake.calls(Route::Media) >= 2, "paging was exercised");
    let refreshed = feedframe::store::Store::open(&dir.path().join("feedframe.db"))
        .unwrap()
        .token("main")
        .unwrap()
        .unwrap()
        .token
        .expose()
        .to_string();
    let mut tokens = fake.seen_tokens();
    tokens.push(token);
    tokens.push(refreshed);
    tokens.sort();
    tokens.dedup();
    assert!(tokens.len() >= 2, "the refreshed token is part of the scan");
    for t in &tokens {
        assert!(!responses.contains(t.as_str()), "a response leaks a token");
        assert!(!seen.contains(t.as_str()), "a log line leaks a token");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_console_session_shows_and_logs_no_token_password_or_app_secret() {
    use crate::console_client::Console;
    let fake = FakeInstagram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let token = fake.issue_token(60 * DAY);
    let (code, out, err) =
        run(feedframe(dir.path(), &fake).args(["token", "add", "main", "--token", &token])).await;
    assert_eq!(code, 0, "{out}{err}");
    let password = "a console passphrase";
    let (code, out, err) = admin_set_password(dir.path(), &fake, &format!("{password}\n")).await;
    assert_eq!(code, 0, "{err}");
    let mut seen = out + &err;
    let hash = feedframe::store::Store::open(&dir.path().join("feedframe.db"))
        .unwrap()
        .admin_password()
        .unwrap()
        .unwrap();

    let mut cmd = feedframe(dir.path(), &fake);
    cmd.env("FEEDFRAME_LOG", "debug")
        .env("FEEDFRAME_PUBLIC_URL", "http://feeds.test")
        .env("FEEDFRAME_IG_APP_ID", fake.app_id())
        .env("FEEDFRAME_IG_APP_SECRET", fake.app_secret());
    let server = serve_logged(cmd).await;
    let url = server.url.clone();

    let mut pages = Vec::new();
    let mut owner = Console::at(&url);
    pages.push(
        owner
            .post("/admin/login", &[("password", "wrong password!")])
            .await,
    );
    pages.push(owner.sign_in(password).await);
    for path in ["/admin", "/admin/snippet?feed=main", "/admin/alerts"] {
        pages.push(owner.get(path).await);
    }
    for action in ["fetch", "refresh"] {
        pages.push(owner.act(&format!("/admin/feeds/main/{action}"), &[]).await);
    }
    let csrf = owner.get("/admin").await.csrf();
    pages.push(
        owner
            .post("/admin/invites", &[("csrf", &csrf), ("feed", "client")])
            .await,
    );
    pages.push(owner.get("/admin/connect?feed=main").await);
    pages.push(owner.post("/admin/logout", &[("csrf", &csrf)]).await);
    assert_eq!(pages[1].status, 303, "signed in");
    assert!(
        pages[2].body.contains("data-feed=\"main\""),
        "the feeds page was seen"
    );
    let logs = server.stop().await;
    assert!(
        logs.contains("console sign-in"),
        "the session was logged:\n{logs}"
    );
    seen.push_str(&logs);
    for page in &pages {
        seen.push_str(&format!("{:?}{}", page.headers, page.body));
    }
    for (what, secret) in [
        ("the token", token.as_str()),
        ("the password", password),
        ("the password's hash", hash.as_str()),
        ("the app secret", fake.app_secret().as_str()),
    ] {
        assert!(
            !seen.contains(secret),
            "{what} appears in a response or the log"
        );
    }
}
