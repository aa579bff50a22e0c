//! The owner's console at `/admin`, as an owner and as an attacker use it: the real server, the
//! real SQLite file, the fake Instagram.

use fake_instagram::{Revocation, Route};

use crate::console_client::{Console, set_password};
use crate::helpers::{DAY, add_token, now, spawn_app, spawn_app_with};

const PASSWORD: &str = "harbor-line-ceramics";

/// Every console route, as (method, path).
const ROUTES: [(&str, &str); 17] = [
    ("GET", "/admin"),
    ("GET", "/admin/"),
    ("GET", "/admin/snippet"),
    ("GET", "/admin/snippet?feed=main&layout=masonry"),
    ("GET", "/admin/connect?feed=main"),
    ("POST", "/admin/invites"),
    ("POST", "/admin/logout"),
    ("POST", "/admin/feeds/main/refresh"),
    ("POST", "/admin/feeds/main/fetch"),
    ("POST", "/admin/feeds/main/remove"),
    ("GET", "/admin/feeds/main/posts"),
    ("POST", "/admin/feeds/main/posts/hide"),
    ("POST", "/admin/feeds/main/posts/show"),
    ("POST", "/admin/feeds/main/rules/hide"),
    ("POST", "/admin/feeds/main/rules/unhide"),
    ("POST", "/admin/feeds/main/rules/only"),
    ("POST", "/admin/feeds/main/approval"),
];

#[tokio::test]
async fn without_a_password_the_console_says_how_to_set_one_and_serves_nothing_else() {
    let t = spawn_app().await;
    let visitor = Console::at(&t.url());
    let first = visitor.get("/admin").await;
    assert_eq!(first.status, 303);
    let login = visitor.get(first.location.as_deref().unwrap()).await;
    assert_eq!(login.status, 200);
    assert!(
        login.body.contains("feedframe admin set-password"),
        "{}",
        login.body
    );
    assert!(
        !login.body.contains("type=\"password\""),
        "no login form yet"
    );
    let attempt = visitor
        .post("/admin/login", &[("password", "anything at all")])
        .await;
    assert!(
        attempt.set_cookie.is_none(),
        "no session without a password"
    );
    assert!(attempt.body.contains("feedframe admin set-password"));
    assert_eq!(visitor.get("/admin/snippet").await.status, 303);
}

#[tokio::test]
async fn every_console_route_refuses_a_visitor_without_a_session() {
    let t = spawn_app().await;
    set_password(&t.store(), PASSWORD);
    let visitor = Console::at(&t.url());
    for (method, path) in ROUTES {
        let page = match method {
            "GET" => visitor.get(path).await,
            _ => visitor.post(path, &[("confirm", "main")]).await,
        };
        match method {
            "GET" => {
                assert_eq!(page.status, 303, "{method} {path}");
                assert_eq!(page.location.as_deref(), Some("/admin/login"), "{path}");
            }
            _ => assert_eq!(page.status, 401, "{method} {path}"),
        }
        assert!(
            !page.body.contains("@"),
            "{path} shows nothing of the feeds"
        );
    }
    // A forged or stale cookie is no session either.
    let mut forged = Console::at(&t.url());
    forged.cookie = Some(format!("feedframe_admin={}", "ab".repeat(32)));
    assert_eq!(forged.get("/admin").await.status, 303);
    assert_eq!(
        forged
            .post("/admin/feeds/main/remove", &[("confirm", "main")])
            .await
            .status,
        401
    );
    assert!(
        t.store().token("main").unwrap().is_some(),
        "nothing was removed"
    );
}

#[tokio::test]
async fn every_console_page_carries_the_security_headers() {
    let t = spawn_app().await;
    set_password(&t.store(), PASSWORD);
    let owner = Console::signed_in(&t.url(), PASSWORD).await;
    for path in [
        "/admin",
        "/admin/login",
        "/admin/snippet",
        "/admin/console.css",
    ] {
        let page = owner.get(path).await;
        let h = |name: &str| {
            page.headers
                .get(name)
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default()
        };
        let csp = h("content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert_eq!(h("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(h("referrer-policy"), "no-referrer", "{path}");
        assert_eq!(h("cache-control"), "no-store", "{path}");
    }
}

#[tokio::test]
async fn an_owner_signs_in_sees_the_feeds_and_signs_out() {
    let t = spawn_app().await;
    set_password(&t.store(), PASSWORD);
    t.feed("main").await;
    let mut owner = Console::at(&t.url());
    let wrong = owner
        .post("/admin/login", &[("password", "not the password")])
        .await;
    assert_eq!(wrong.status, 401);
    assert!(
        wrong.body.contains("That is not the console password."),
        "{}",
        wrong.body
    );
    assert!(wrong.set_cookie.is_none());
    let signed = owner.sign_in(PASSWORD).await;
    let cookie = signed.set_cookie.unwrap();
    for part in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/admin",
        "Max-Age=43200",
    ] {
        assert!(cookie.contains(part), "{cookie}");
    }
    assert!(
        !cookie.contains("Secure"),
        "plain http without a public https URL"
    );
    let page = owner.get("/admin").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("data-feed=\"main\""), "{}", page.body);
    assert!(page.body.contains(&format!("@{}", t.fake.username())));
    assert!(page.body.contains(">live<"), "{}", page.body);
    assert!(page.body.contains("class=\"posts\">12<"), "{}", page.body);
    let csrf = page.csrf();
    let out = owner.post("/admin/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, 303);
    assert!(out.set_cookie.unwrap().contains("Max-Age=0"));
    // The old cookie is dead on the server too, not only in the browser.
    assert_eq!(owner.get("/admin").await.status, 303);
}

#[tokio::test]
async fn cookies_are_secure_behind_an_https_public_url() {
    let t = spawn_app_with(fake_instagram::sample_posts(3), |c| {
        c.public_url = Some("https://feeds.example.com".into());
    })
    .await;
    set_password(&t.store(), PASSWORD);
    let mut owner = Console::at(&t.url());
    let page = owner.sign_in(PASSWORD).await;
    assert!(page.set_cookie.unwrap().contains("; Secure"));
    let builder = owner.get("/admin/snippet?feed=main").await;
    assert!(
        builder
            .body
            .contains("src=\"https://feeds.example.com/widget.js\""),
        "snippets name the public URL: {}",
        builder.body
    );
}

#[tokio::test]
async fn a_form_without_the_sessions_csrf_token_is_refused_and_changes_nothing() {
    let t = spawn_app().await;
    set_password(&t.store(), PASSWORD);
    let owner = Console::signed_in(&t.url(), PASSWORD).await;
    let other = Console::signed_in(&t.url(), PASSWORD).await;
    let foreign = other.get("/admin").await.csrf();
    for form in [
        vec![("confirm", "main")],
        vec![("confirm", "main"), ("csrf", "")],
        vec![("confirm", "main"), ("csrf", foreign.as_str())],
    ] {
        let page = owner.post("/admin/feeds/main/remove", &form).await;
        assert_eq!(page.status, 403, "{form:?}");
        assert!(page.body.contains("This form has expired"));
    }
    assert!(
        t.store().token("main").unwrap().is_some(),
        "nothing was removed"
    );
    assert_eq!(owner.post("/admin/logout", &[]).await.status, 403);
    assert_eq!(owner.get("/admin").await.status, 200, "still signed in");
}

#[tokio::test]
async fn guessing_the_password_is_stopped_with_a_clear_message() {
    let t = spawn_app().await;
    set_password(&t.store(), PASSWORD);
    let guesser = Console::at(&t.url());
    for n in 0..5 {
        let page = guesser
            .post("/admin/login", &[("password", &format!("guess {n} guess"))])
            .await;
        assert_eq!(page.status, 401, "guess {n}");
    }
    // Now even the right password is refused from this address, without being checked.
    let blocked = guesser
        .post("/admin/login", &[("password", PASSWORD)])
        .await;
    assert_eq!(blocked.status, 429);
    assert!(blocked.set_cookie.is_none());
    assert!(
        blocked
            .body
            .contains("Too many failed sign-ins from your address. Try again in 15 minutes."),
        "{}",
        blocked.body
    );
}

#[tokio::test]
async fn a_dead_feed_comes_first_and_says_why() {
    let mut t = spawn_app().await;
    set_password(&t.store(), PASSWORD);
    let token = t.add_feed("zz-shop", |_| {}).await;
    t.feed("main").await;
    t.feed("zz-shop").await;
    t.fake.revoke(&token, Revocation::PasswordChanged);
    let owner = Console::signed_in(&t.url(), PASSWORD).await;
    // The console's "fetch now" is how the owner sees it at once.
    let page = owner.act("/admin/feeds/zz-shop/fetch", &[]).await;
    let shop = page
        .body
        .find("data-feed=\"zz-shop\"")
        .expect("the shop's card");
    let main = page.body.find("data-feed=\"main\"").expect("main's card");
    assert!(shop < main, "the dead feed is first: {}", page.body);
    let card = &page.body[shop..main];
    assert!(card.contains("password changed: reconnect"), "{card}");
    assert!(card.contains("data-urgency=\"dead\""), "{card}");
    assert!(card.contains("feedframe token add zz-shop"), "{card}");
    assert!(
        card.contains("class=\"posts\">12<"),
        "the last good posts are kept: {card}"
    );
}

#[tokio::test]
async fn fetch_now_refresh_now_and_remove_act_on_the_feed() {
    let t = spawn_app().await;
    set_password(&t.store(), PASSWORD);
    // A token old enough for Instagram to refresh it.
    let old = t.fake.issue_token_aged(3 * DAY, 20 * DAY);
    add_token(&t.config(), "main", &old, Some(now() + 20 * DAY)).await;
    let owner = Console::signed_in(&t.url(), PASSWORD).await;

    let before = t.fake.calls(Route::Media);
    let page = owner.act("/admin/feeds/main/fetch", &[]).await;
    assert!(
        t.fake.calls(Route::Media) > before,
        "fetch now asks Instagram"
    );
    assert!(
        page.body
            .contains("Fetched &#x27;main&#x27;: visitors now see it as live.")
            || page
                .body
                .contains("Fetched 'main': visitors now see it as live."),
        "{}",
        page.body
    );

    let page = owner.act("/admin/feeds/main/refresh", &[]).await;
    assert_eq!(t.fake.calls(Route::Refresh), 1);
    assert!(
        page.body.contains("Refreshed the token of"),
        "{}",
        page.body
    );
    let expires = t
        .store()
        .token("main")
        .unwrap()
        .unwrap()
        .expires_at
        .unwrap();
    assert!(expires > now() + 50 * DAY, "the new token lives 60 days");

    let page = owner
        .act("/admin/feeds/main/remove", &[("confirm", "mian")])
        .await;
    assert!(page.body.contains("nothing was removed"), "{}", page.body);
    assert!(t.store().token("main").unwrap().is_some());
    let page = owner
        .act("/admin/feeds/main/remove", &[("confirm", "main")])
        .await;
    assert!(page.body.contains("Removed feed"), "{}", page.body);
    assert!(t.store().token("main").unwrap().is_none());
    assert_eq!(t.get("/v1/feeds/main").await.status(), 404);
}

#[tokio::test]
async fn the_builder_writes_the_documented_snippets_and_previews_the_real_widget() {
    let t = spawn_app().await;
    set_password(&t.store(), PASSWORD);
    let owner = Console::signed_in(&t.url(), PASSWORD).await;
    let page = owner
        .get("/admin/snippet?feed=main&layout=masonry&columns=3&limit=9&gap=&captions=off&autoplay=off&fallback-text=")
        .await;
    assert_eq!(page.status, 200);
    let base = t.url();
    let script = format!(
        "&lt;script src=\"{base}/widget.js\" data-feed=\"main\" data-layout=\"masonry\" data-columns=\"3\" data-limit=\"9\" async&gt;&lt;/script&gt;"
    );
    assert!(page.body.contains(&script), "{}", page.body);
    let preview = "src=\"/v1/feeds/main/embed?layout=masonry&amp;columns=3&amp;limit=9\"";
    assert!(page.body.contains(preview), "{}", page.body);
    // The preview is the real widget, rendered by this server.
    let frame = t
        .get("/v1/feeds/main/embed?layout=masonry&columns=3&limit=9")
        .await;
    assert_eq!(frame.status(), 200);
    assert!(
        frame
            .text()
            .await
            .unwrap()
            .contains("data-layout=\"masonry\"")
    );
    // Invalid values are named and replaced by the defaults, as the widget does.
    let bad = owner.get("/admin/snippet?feed=main&columns=twelve").await;
    assert!(
        bad.body.contains("invalid columns=\"twelve\""),
        "{}",
        bad.body
    );
    assert!(!bad.body.contains("data-columns=\""), "{}", bad.body);
}

#[tokio::test]
async fn no_console_page_shows_a_token_or_the_password_hash() {
    let mut t = spawn_app().await;
    set_password(&t.store(), PASSWORD);
    let shop = t.add_feed("shop", |_| {}).await;
    t.fake.revoke(&shop, Revocation::AppRemoved);
    t.feed("main").await;
    t.feed("shop").await;
    let hash = t.store().admin_password().unwrap().unwrap();
    let owner = Console::signed_in(&t.url(), PASSWORD).await;
    let mut pages = Vec::new();
    for path in [
        "/admin",
        "/admin/snippet",
        "/admin/snippet?feed=shop&layout=slider",
    ] {
        pages.push(owner.get(path).await.body);
    }
    for action in ["refresh", "fetch"] {
        for feed in ["main", "shop"] {
            pages.push(
                owner
                    .act(&format!("/admin/feeds/{feed}/{action}"), &[])
                    .await
                    .body,
            );
        }
    }
    let secrets = [t.token.as_str(), shop.as_str(), hash.as_str(), PASSWORD];
    for (n, body) in pages.iter().enumerate() {
        for secret in secrets {
            assert!(!body.contains(secret), "page {n} shows a secret");
        }
    }
    assert!(pages[0].contains("app removed: reconnect"), "{}", pages[0]);
}

#[tokio::test]
async fn set_password_reads_stdin_refuses_short_ones_and_signs_everyone_out() {
    let t = spawn_app().await;
    set_password(&t.store(), PASSWORD);
    let owner = Console::signed_in(&t.url(), PASSWORD).await;
    let set = |input: &'static str| crate::cli::admin_set_password(t.dir.path(), &t.fake, input);
    let (code, _, err) = set("short\n").await;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("too short"), "{err}");
    assert_eq!(owner.get("/admin").await.status, 200, "nothing changed");

    let (code, out, err) = set("a much longer passphrase\n").await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("password is set"), "{out}");
    assert!(!out.contains("a much longer") && !err.contains("a much longer"));
    assert_eq!(owner.get("/admin").await.status, 303, "signed out");
    let mut again = Console::at(&t.url());
    again.sign_in("a much longer passphrase").await;
    assert_eq!(again.get("/admin").await.status, 200);
}

#[tokio::test]
async fn the_console_loads_its_wasm_from_this_server_with_an_immutable_cache() {
    let t = spawn_app().await;
    set_password(&t.store(), PASSWORD);
    let owner = Console::signed_in(&t.url(), PASSWORD).await;
    let page = owner.get("/admin/snippet").await;
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval';"),
        "{csp}"
    );
    let glue = page
        .body
        .split("<script type=\"module\" src=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the console's module script (built by ./x widget into dist/console)");
    assert!(
        glue.starts_with("/admin/ui/feedframe-console-ui-"),
        "{glue}"
    );
    let js = t.get(glue).await;
    assert_eq!(js.status(), 200);
    let immutable = "public, max-age=31536000, immutable";
    assert_eq!(js.headers()["cache-control"], immutable);
    assert_eq!(
        js.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    let code = js.text().await.unwrap();
    let wasm = code
        .split('"')
        .find(|s| s.starts_with("feedframe-console-ui-") && s.ends_with("_bg.wasm"))
        .unwrap_or_else(|| panic!("the glue starts no wasm: {code}"));
    let wasm = t.get(&format!("/admin/ui/{wasm}")).await;
    assert_eq!(wasm.status(), 200);
    assert_eq!(wasm.headers()["cache-control"], immutable);
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    assert!(wasm.bytes().await.unwrap().starts_with(b"\0asm"));
}
