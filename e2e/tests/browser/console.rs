//! The owner's console in a real Chromium, against the real proxy and the fake Instagram: sign
//! in, see a dead feed first and why, build a masonry snippet, copy it, paste it into a page on
//! another origin and see it render. The screenshots it takes illustrate docs/owner.md.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fake_instagram::Revocation;
use feedframe::store::Store;
use serde_json::{Value, json};

use crate::env::*;

const PASSWORD: &str = "harbor-line-ceramics";

/// Saves a screenshot as `{name}.png` in `FEEDFRAME_SCREENSHOTS` (docs/owner when the docs are
/// refreshed), else in target/screenshots.
pub async fn photograph(b: &Browser, name: &str) {
    let png = b.screenshot().await;
    assert!(png.starts_with(b"\x89PNG"), "{name}: not a PNG");
    let dir = std::env::var_os("FEEDFRAME_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../target/screenshots"
            ))
        });
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

/// JS: the state line of feed `feed`'s card.
fn state_of(feed: &str) -> String {
    format!("document.querySelector('li[data-feed={feed}] .state')?.textContent")
}

/// Sets a builder field as a person picking a value would: the value, then `input` and `change`.
async fn pick(b: &Browser, field: &str, value: &str) {
    b.eval(
        "const f = document.querySelector(arguments[0]); f.value = arguments[1]; f.dispatchEvent(new Event('input', { bubbles: true })); f.dispatchEvent(new Event('change', { bubbles: true }));",
        json!([field, value]),
    )
    .await;
}

/// A webhook receiver on loopback: the `type` of every alert it gets.
async fn alert_receiver() -> (String, Arc<Mutex<Vec<String>>>) {
    let got: Arc<Mutex<Vec<String>>> = Arc::default();
    let app = axum::Router::new()
        .route(
            "/alerts",
            axum::routing::post(
                |axum::extract::State(got): axum::extract::State<Arc<Mutex<Vec<String>>>>,
                 body: String| async move {
                    let alert: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
                    got.lock()
                        .unwrap()
                        .push(alert["type"].as_str().unwrap_or("?").to_string());
                },
            ),
        )
        .with_state(Arc::clone(&got));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/alerts", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, got)
}

/// Sets the console password as `feedframe admin set-password` stores it.
pub fn set_password(env: &Env) {
    let store =
        Store::open(&feedframe::Config::new(env.dir.path().to_path_buf()).db_path()).unwrap();
    let hash = feedframe::console::password::hash(PASSWORD).unwrap();
    store.set_admin_password(&hash, now()).unwrap();
}

/// The feed's stored token (to break it at the fake).
fn stored_token(env: &Env, feed: &str) -> String {
    let store =
        Store::open(&feedframe::Config::new(env.dir.path().to_path_buf()).db_path()).unwrap();
    store
        .token(feed)
        .unwrap()
        .unwrap()
        .token
        .expose()
        .to_string()
}

/// Clicks the Copy button `button[data-copy=ID]` (clipboard allowed for `origin`), waits for it
/// to say so, and returns what is on the clipboard.
async fn copy_with_button(b: &Browser, origin: &str, id: &str) -> Value {
    b.cdp(
        "Browser.grantPermissions",
        json!({ "origin": origin, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"] }),
    )
    .await;
    let button = format!("button[data-copy={id}]");
    b.click(&button).await;
    b.wait_for(
        &format!("document.querySelector('{button}').textContent === 'Copied'"),
        5,
    )
    .await;
    b.eval_async(
        "navigator.clipboard.readText().then(arguments[0]);",
        json!([]),
    )
    .await
}

/// Signs in through the login page.
pub async fn sign_in(b: &Browser, env: &Env) {
    open_login(b, env).await;
    submit_password(b).await;
}

/// Opens the console, which sends a visitor without a session to the login page.
async fn open_login(b: &Browser, env: &Env) {
    b.goto(&format!("{}/admin", env.proxy())).await;
    b.wait_for("location.pathname === '/admin/login'", 5).await;
}

/// Signs in on the login page with the password `set_password` stored.
async fn submit_password(b: &Browser) {
    b.type_into("#password", PASSWORD).await;
    b.click("form[action='/admin/login'] button").await;
    b.wait_for(
        "location.pathname === '/admin' && !!document.querySelector('h1')",
        10,
    )
    .await;
}

/// Waits for the page after Instagram's consent: "Connected".
async fn connected(b: &Browser) {
    b.wait_for(
        "location.pathname === '/admin/oauth/callback' && document.querySelector('h1')?.textContent === 'Connected'",
        20,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_connects_with_instagram_reconnects_a_dead_feed_and_a_client_uses_an_invitation() {
    let (hook, alerts) = alert_receiver().await;
    let env = Env::start_on_free_port(|c, port| {
        c.public_url = Some(format!("http://127.0.0.1:{port}"));
        c.alerts.webhook = Some(
            feedframe::alerts::WebhookChannel::new(&hook, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
                .unwrap(),
        );
        c.alerts.tick = Duration::from_millis(200);
    })
    .await;
    set_password(&env);
    let (_slot, b) = browser().await;
    sign_in(&b, &env).await;

    // Connect a new feed: the fake's consent page says yes at once.
    b.type_into("#connect-feed", "shop").await;
    b.click("form[action='/admin/connect'] button").await;
    connected(&b).await;
    photograph(&b, "connected").await;
    b.click("a[href='/admin']").await;
    b.wait_for(&format!("{} === 'live'", state_of("shop")), 20)
        .await;

    // The account's owner changes their password on Instagram: the token dies.
    env.fake
        .revoke(&stored_token(&env, "shop"), Revocation::PasswordChanged);
    b.click("li[data-feed=shop] form[action$='/fetch'] button")
        .await;
    b.wait_for(
        &format!("{} === 'password changed: reconnect'", state_of("shop")),
        30,
    )
    .await;
    // The owner hears of it: an alert at the webhook.
    let mut heard = false;
    for _ in 0..100 {
        heard = alerts
            .lock()
            .unwrap()
            .iter()
            .any(|t| t == "feed.token_dead");
        if heard {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        heard,
        "no feed.token_dead alert; got {:?}",
        alerts.lock().unwrap()
    );
    // The alerts page logs it.
    b.click("a[href='/admin/alerts']").await;
    b.wait_for("[...document.querySelectorAll('.deliveries td')].some(td => td.textContent === 'feed.token_dead (shop)')", 10)
        .await;
    photograph(&b, "alerts").await;
    b.click("a[href='/admin']").await;
    b.wait_for(
        "!!document.querySelector('li[data-feed=shop] a.reconnect')",
        10,
    )
    .await;
    // Reconnect from the dead feed's card.
    b.click("li[data-feed=shop] a.reconnect").await;
    connected(&b).await;
    b.click("a[href='/admin']").await;
    b.wait_for(&format!("{} === 'live'", state_of("shop")), 20)
        .await;

    // An invitation for a client, used in another browser.
    b.type_into("#invite-feed", "client").await;
    b.click("form[action='/admin/invites'] button").await;
    let link = b
        .wait_for("document.querySelector('#invite-link')?.textContent", 10)
        .await;
    let link = link.as_str().unwrap().to_string();
    assert!(
        link.starts_with(&format!("{}/admin/invite/", env.proxy())),
        "{link}"
    );
    // Its Copy button (hydrated by the console's wasm) puts exactly the link on the clipboard.
    b.wait_for(
        "!!document.querySelector('[data-island=copy][data-hydrated]')",
        20,
    )
    .await;
    let copied = copy_with_button(&b, &env.proxy(), "invite-link").await;
    assert_eq!(copied, link.as_str());
    let client = Browser::start(BrowserOptions::default()).await;
    client.goto(&link).await;
    client.click("a.button.primary").await;
    connected(&client).await;
    let console_links = client
        .eval(
            "return document.querySelectorAll('a[href^=\"/admin\"]').length;",
            json!([]),
        )
        .await;
    assert_eq!(
        console_links,
        json!(0),
        "the client sees nothing of the console"
    );
    let feed: serde_json::Value = reqwest::get(format!("{}/v1/feeds/client", env.proxy()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(feed["status"], "live");
    // The link works once.
    client.goto(&link).await;
    client
        .wait_for(
            "document.querySelector('h1')?.textContent === 'This invitation link does not work'",
            5,
        )
        .await;
    client.quit().await;
    // And the client's browser never got a console session.
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_signs_in_sees_why_a_feed_died_and_pastes_a_built_snippet_into_a_page() {
    let env = Env::start().await;
    let shop = env.fake.issue_token(60 * DAY);
    env.add_feed("shop", &shop).await;
    set_password(&env);
    // The shop's feed was served, then its owner changed their Instagram password.
    let shop_feed = format!("{}/v1/feeds/shop", env.proxy());
    let mut served = false;
    for _ in 0..100 {
        if reqwest::get(&shop_feed).await.unwrap().status() == 200 {
            served = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(served, "the server never picked up the new feed");
    env.fake.revoke(&shop, Revocation::PasswordChanged);

    let (_slot, b) = browser().await;
    open_login(&b, &env).await;
    photograph(&b, "login").await;
    submit_password(&b).await;
    b.wait_for("document.querySelectorAll('li.feed').length === 2", 10)
        .await;
    assert_eq!(
        b.eval(&format!("return {};", state_of("main")), json!([]))
            .await,
        "live"
    );

    // "Fetch now" finds out at once what visitors' requests would find at the next refresh.
    b.click("li[data-feed=shop] form[action$='/fetch'] button")
        .await;
    b.wait_for(
        &format!("{} === 'password changed: reconnect'", state_of("shop")),
        30,
    )
    .await;
    let order = b
        .eval(
            "return [...document.querySelectorAll('li.feed')].map(li => li.dataset.feed);",
            json!([]),
        )
        .await;
    assert_eq!(order, json!(["shop", "main"]), "the dead feed comes first");
    photograph(&b, "feeds").await;

    // The builder, from main's card.
    b.click("li[data-feed=main] a.button").await;
    b.wait_for(
        "location.pathname === '/admin/snippet' && !!document.querySelector('#builder')",
        10,
    )
    .await;
    b.wait_for(BUILDER_HYDRATED, 20).await;
    pick(&b, "#f-layout", "masonry").await;
    b.wait_for("location.search.includes('layout=masonry')", 10)
        .await;
    pick(&b, "#f-limit", "6").await;
    b.wait_for("location.search.includes('limit=6')", 10).await;
    // The preview is the real widget from this server.
    b.enter_frame(0).await;
    assert_eq!(wait_state(&b, 0, "ready").await, "masonry");
    wait_mounted(&b, 0, "hydrated").await;
    assert_eq!(image_count(&b, 0).await, 6);
    images_settled(&b, 0).await;
    b.leave_frame().await;
    // The frame has taken its content's height: no scrollbar in the picture.
    b.wait_for(FRAME_SIZED, 10).await;
    photograph(&b, "builder").await;

    let pasted = copy_with_button(&b, &env.proxy(), "snippet-element").await;
    let pasted = pasted.as_str().expect("text on the clipboard").to_string();
    assert!(
        pasted.contains("layout=\"masonry\"") && pasted.contains("limit=\"6\""),
        "{pasted}"
    );
    assert!(
        pasted.contains(&format!("src=\"{}\"", env.proxy())),
        "{pasted}"
    );

    // Pasted into a site on another origin, it renders the same feed.
    b.goto(&env.host.page("pasted", "", &pasted)).await;
    assert_eq!(wait_state(&b, 0, "ready").await, "masonry");
    assert_eq!(image_count(&b, 0).await, 6);
    images_settled(&b, 0).await;
    photograph(&b, "pasted").await;
    b.quit().await;
}

/// JS: the builder's root has been hydrated by the console's wasm.
const BUILDER_HYDRATED: &str = "!!document.querySelector('[data-island=builder][data-hydrated]')";

/// JS: the preview frame is as high as its content says (the iframe page's own measure).
const FRAME_SIZED: &str = "(() => { const f = document.querySelector('iframe.preview-frame'); const body = f && f.contentDocument && f.contentDocument.readyState === 'complete' && f.contentDocument.body; if (!body) return false; const h = Math.ceil(body.getBoundingClientRect().height); return h > 50 && f.style.height === h + 'px' && f.clientHeight >= h; })()";

/// JS: the text of the snippet whose code element has id `id`.
fn snippet_text(id: &str) -> String {
    format!("document.getElementById('{id}').textContent")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_builder_follows_each_change_in_place_sizes_its_preview_and_copies_the_exact_snippet() {
    let env = Env::start().await;
    set_password(&env);
    assert!(
        dist().join("console").is_dir(),
        "the console's wasm is not built: run `./x widget`"
    );
    let (_slot, b) = browser().await;
    sign_in(&b, &env).await;
    b.goto(&format!("{}/admin/snippet?feed=main", env.proxy()))
        .await;
    b.wait_for(BUILDER_HYDRATED, 20).await;
    // The preview frame takes its content's height (it may have told it before the wasm ran).
    b.wait_for(FRAME_SIZED, 20).await;

    // A marker on this document: it survives only if no change navigates.
    b.eval("window.sameDocument = 'yes';", json!([])).await;
    pick(&b, "#f-layout", "slider").await;
    b.type_into("#f-columns", "2").await;
    let proxy = env.proxy();
    let script = format!(
        "<script src=\"{proxy}/widget.js\" data-feed=\"main\" data-layout=\"slider\" data-columns=\"2\" async></script>"
    );
    b.wait_for(
        &format!(
            "{} === {} && document.querySelector('iframe.preview-frame').getAttribute('src') === '/v1/feeds/main/embed?layout=slider&columns=2'",
            snippet_text("snippet-script"),
            json!(script)
        ),
        10,
    )
    .await;
    assert_eq!(
        b.eval("return window.sameDocument;", json!([])).await,
        "yes",
        "the page was reloaded"
    );
    // The address bar follows, as a submit would have written it: a reload shows the same.
    assert_eq!(
        b.eval("return location.search;", json!([])).await,
        "?feed=main&layout=slider&columns=2&limit=&gap=&captions=&click=&load-more=&autoplay=off&fallback-text="
    );
    let leptos = b
        .eval(
            &format!("return {};", snippet_text("snippet-leptos")),
            json!([]),
        )
        .await;
    assert!(
        leptos
            .as_str()
            .unwrap()
            .ends_with("layout=Layout::Slider columns=2 /> }"),
        "{leptos}"
    );
    // The preview shows the new layout, and its frame takes the new height it announces.
    b.enter_frame(0).await;
    assert_eq!(wait_state(&b, 0, "ready").await, "slider");
    b.leave_frame().await;
    b.wait_for(FRAME_SIZED, 20).await;

    // Copy puts exactly the shown snippet on the clipboard.
    let pasted = copy_with_button(&b, &proxy, "snippet-element").await;
    assert_eq!(
        pasted,
        format!(
            "<feedframe-feed feed=\"main\" layout=\"slider\" columns=\"2\" src=\"{proxy}\">Follow us on Instagram</feedframe-feed>\n<script src=\"{proxy}/widget.js\" async></script>"
        )
    );
    assert_eq!(
        b.eval("return window.sameDocument;", json!([])).await,
        "yes"
    );
    let errors = console_errors(&b).await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_javascript_the_builder_is_a_form_that_submits() {
    let env = Env::start().await;
    set_password(&env);
    let (_slot, b) = browser().await;
    sign_in(&b, &env).await;
    b.cdp(
        "Emulation.setScriptExecutionDisabled",
        json!({ "value": true }),
    )
    .await;
    b.goto(&format!("{}/admin/snippet?feed=main", env.proxy()))
        .await;
    b.click("#f-layout option[value=masonry]").await;
    b.click("#builder button[type=submit]").await;
    b.wait_for("location.search.includes('layout=masonry')", 10)
        .await;
    let page = b
        .eval(
            "return [document.querySelector('iframe.preview-frame').getAttribute('src'), document.getElementById('snippet-script').textContent, !!document.querySelector('[data-hydrated]')];",
            json!([]),
        )
        .await;
    assert_eq!(
        page,
        json!([
            "/v1/feeds/main/embed?layout=masonry",
            format!(
                "<script src=\"{}/widget.js\" data-feed=\"main\" data-layout=\"masonry\" async></script>",
                env.proxy()
            ),
            false
        ])
    );
    b.quit().await;
}
