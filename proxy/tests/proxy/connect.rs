//! Connecting feeds from the console with Instagram Login, and invitation links, through the
//! real server and the fake's consent page: the owner's browser is a client that follows each
//! redirect by hand, keeping its cookies.

use fake_instagram::Revocation;
use feedframe::Config;

use crate::console_client::{Console, Page, set_password};
use crate::helpers::{TestApp, spawn_app_with};
use crate::instagram_login::with_login;

const PASSWORD: &str = "harbor-line-ceramics";
/// The public URL the app is configured with; the test's browser maps it to the app.
const PUBLIC: &str = "http://feeds.test";

async fn app() -> TestApp {
    let t = spawn_app_with(fake_instagram::sample_posts(12), |_| {}).await;
    let mut t = t;
    let fake_config = with_login(t.config(), &t.fake);
    t.restart(move |c: &mut Config| {
        *c = Config {
            public_url: Some(PUBLIC.into()),
            ..fake_config
        };
    })
    .await;
    set_password(&t.store(), PASSWORD);
    t
}

/// A browser's cookie jar for the login cookie, beside the console session.
fn login_cookie(page: &Page) -> String {
    let set = page.set_cookie.clone().expect("a login cookie");
    assert!(set.starts_with("feedframe_login="), "{set}");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    set.split(';').next().unwrap().to_string()
}

/// From `start` (a console URL that answers 303 to Instagram) through the fake's consent page
/// back to the callback; returns the callback's URL (on the app) and the login cookie.
async fn consent(t: &TestApp, browser: &Console, start: &str) -> (String, String) {
    let started = browser.get(start).await;
    assert_eq!(started.status, 303, "{start}: {}", started.body);
    let cookie = login_cookie(&started);
    let authorize = started.location.unwrap();
    assert!(
        authorize.starts_with(&t.fake.authorize_url()),
        "{authorize}"
    );
    assert!(authorize.contains("scope=instagram_business_basic"));
    let back = browser.http.get(&authorize).send().await.unwrap();
    assert!(
        back.status().is_redirection(),
        "the fake's consent page redirects"
    );
    let location = back.headers()["location"].to_str().unwrap().to_string();
    let callback = location
        .strip_prefix(PUBLIC)
        .unwrap_or_else(|| panic!("back to the public URL: {location}"));
    let callback = callback.split('#').next().unwrap();
    (callback.to_string(), cookie)
}

/// Opens the callback in `browser` with the login cookie (and its session, if any).
async fn come_back(browser: &Console, callback: &str, login: &str) -> Page {
    let mut with = Console::at(&browser.base);
    with.cookie = Some(match &browser.cookie {
        Some(session) => format!("{session}; {login}"),
        None => login.to_string(),
    });
    with.get(callback).await
}

#[tokio::test]
async fn an_owner_connects_a_new_feed_and_it_is_live() {
    let t = app().await;
    let owner = Console::signed_in(&t.url(), PASSWORD).await;
    let feeds = owner.get("/admin").await;
    assert!(
        feeds.body.contains("Connect with Instagram"),
        "{}",
        feeds.body
    );
    let (callback, cookie) = consent(&t, &owner, "/admin/connect?feed=shop").await;
    let done = come_back(&owner, &callback, &cookie).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(
        done.body.contains(&format!(
            "@{} now feeds &#x27;shop&#x27;",
            t.fake.username()
        )) || done
            .body
            .contains(&format!("@{} now feeds 'shop'", t.fake.username())),
        "{}",
        done.body
    );
    assert!(
        done.body.contains("href=\"/admin\""),
        "the owner goes back to the console"
    );
    let feed = t.feed("shop").await;
    assert_eq!(feed.status.as_str(), "live");
    assert_eq!(feed.posts.len(), 12);
    let stored = t.store().token("shop").unwrap().unwrap();
    assert!(stored.expires_at.unwrap() > crate::helpers::now() + 50 * crate::helpers::DAY);
    // The same answer again is a replay.
    let replay = come_back(&owner, &callback, &cookie).await;
    assert_eq!(replay.status, 400);
    assert!(
        replay.body.contains("was not started here"),
        "{}",
        replay.body
    );
}

#[tokio::test]
async fn a_foreign_or_missing_state_is_refused_and_connects_nothing() {
    let t = app().await;
    let owner = Console::signed_in(&t.url(), PASSWORD).await;
    let (callback, _cookie) = consent(&t, &owner, "/admin/connect?feed=shop").await;
    // An attacker's browser brings the owner's answer (no login cookie, or its own).
    let attacker = Console::at(&t.url());
    let (_, attackers_cookie) =
        consent(&t, &attacker_signed(&t).await, "/admin/connect?feed=other").await;
    for cookie in ["feedframe_login=0000", attackers_cookie.as_str()] {
        let page = come_back(&attacker, &callback, cookie).await;
        assert_eq!(page.status, 400, "{}", page.body);
    }
    let forged = come_back(
        &owner,
        "/admin/oauth/callback?code=AQB&state=made-up",
        "feedframe_login=1",
    )
    .await;
    assert_eq!(forged.status, 400);
    assert!(
        t.store().token("shop").unwrap().is_none(),
        "nothing was stored"
    );
}

async fn attacker_signed(t: &TestApp) -> Console {
    Console::signed_in(&t.url(), PASSWORD).await
}

#[tokio::test]
async fn a_denied_consent_is_said_in_plain_words() {
    let t = app().await;
    t.fake.deny_consent(true);
    let owner = Console::signed_in(&t.url(), PASSWORD).await;
    let (callback, cookie) = consent(&t, &owner, "/admin/connect?feed=shop").await;
    let page = come_back(&owner, &callback, &cookie).await;
    assert!(
        page.body.contains("did not allow FeedFrame"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("access_denied"));
    assert!(t.store().token("shop").unwrap().is_none());
}

#[tokio::test]
async fn reconnecting_a_dead_feed_keeps_its_posts_and_makes_it_live() {
    let t = app().await;
    t.feed("main").await;
    t.fake.revoke(&t.token, Revocation::PasswordChanged);
    let owner = Console::signed_in(&t.url(), PASSWORD).await;
    let dead = owner.act("/admin/feeds/main/fetch", &[]).await;
    assert!(
        dead.body.contains("password changed: reconnect"),
        "{}",
        dead.body
    );
    assert!(
        dead.body.contains("href=\"/admin/connect?feed=main\""),
        "a Reconnect button"
    );
    let (callback, cookie) = consent(&t, &owner, "/admin/connect?feed=main").await;
    let done = come_back(&owner, &callback, &cookie).await;
    assert_eq!(done.status, 200, "{}", done.body);
    // Live again within one request, with its posts.
    let feed = t.feed("main").await;
    assert_eq!(feed.status.as_str(), "live");
    assert_eq!(feed.posts.len(), 12);
    assert_ne!(t.stored_token(), t.token, "the dead token was replaced");
}

#[tokio::test]
async fn an_invitation_connects_one_feed_once_and_shows_nothing_of_the_console() {
    let t = app().await;
    let owner = Console::signed_in(&t.url(), PASSWORD).await;
    let csrf = owner.get("/admin").await.csrf();
    let made = owner
        .post("/admin/invites", &[("csrf", &csrf), ("feed", "client")])
        .await;
    assert_eq!(made.status, 200, "{}", made.body);
    // The link as shown (it is also in the copy button's props, as JSON).
    let shown = "<code id=\"invite-link\">";
    let at = made.body.find(shown).expect("the link") + shown.len();
    let link = &made.body[at..];
    assert!(
        link.starts_with(&format!("{PUBLIC}/admin/invite/")),
        "{link}"
    );
    let link = &link[PUBLIC.len()..link.find('<').unwrap()];
    let stranger = Console::at(&t.url());
    let landing = stranger.get(link).await;
    assert_eq!(landing.status, 200);
    assert!(
        landing.body.contains("Continue to Instagram"),
        "{}",
        landing.body
    );
    assert!(!landing.body.contains("href=\"/admin\"") && !landing.body.contains("Sign out"));
    let (callback, cookie) = consent(&t, &stranger, &format!("{link}/connect")).await;
    let done = come_back(&stranger, &callback, &cookie).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(
        !done.body.contains("href=\"/admin\""),
        "no way into the console: {}",
        done.body
    );
    assert_eq!(t.feed("client").await.status.as_str(), "live");
    // Once only.
    assert_eq!(stranger.get(link).await.status, 404);
    assert_eq!(stranger.get(&format!("{link}/connect")).await.status, 404);
    // A changed link is refused.
    let tampered = format!("{}0", &link[..link.len() - 1]);
    let tampered = if tampered == link {
        format!("{}1", &link[..link.len() - 1])
    } else {
        tampered
    };
    assert_eq!(stranger.get(&tampered).await.status, 404);
    // And the console still needs its password.
    assert_eq!(stranger.get("/admin").await.status, 303);
}

#[tokio::test]
async fn the_cli_prints_an_invitation_link_that_works() {
    let t = app().await;
    let mut cmd = crate::cli::feedframe(t.dir.path(), &t.fake);
    cmd.args(["admin", "invite", "client"]);
    let (code, _, err) = crate::cli::run(&mut cmd).await;
    assert_eq!(code, 2, "without a public URL: {err}");
    assert!(err.contains("FEEDFRAME_PUBLIC_URL"), "{err}");
    let mut cmd = crate::cli::feedframe(t.dir.path(), &t.fake);
    cmd.args(["admin", "invite", "client"])
        .env("FEEDFRAME_PUBLIC_URL", PUBLIC);
    let (code, out, err) = crate::cli::run(&mut cmd).await;
    assert_eq!(code, 0, "{err}");
    let link = out
        .trim()
        .strip_prefix(PUBLIC)
        .expect("a link on the public URL");
    let landing = Console::at(&t.url()).get(link).await;
    assert_eq!(landing.status, 200);
    assert!(landing.body.contains("&#x27;client&#x27;") || landing.body.contains("'client'"));
}

#[tokio::test]
async fn without_an_instagram_app_the_console_says_how_to_set_one_up() {
    let t = spawn_app_with(fake_instagram::sample_posts(3), |_| {}).await;
    set_password(&t.store(), PASSWORD);
    let owner = Console::signed_in(&t.url(), PASSWORD).await;
    assert!(
        !owner
            .get("/admin")
            .await
            .body
            .contains("Connect with Instagram")
    );
    let page = owner.get("/admin/connect?feed=shop").await;
    assert_eq!(page.status, 409);
    assert!(page.body.contains("FEEDFRAME_IG_APP_ID"), "{}", page.body);
}
