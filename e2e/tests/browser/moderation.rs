//! Moderation in a real Chromium: the owner hides a post with the console's button, and the
//! widget on a site no longer shows it; unhiding brings it back.

use serde_json::json;

use crate::console::{photograph, set_password, sign_in};
use crate::env::*;

/// JS: how many of widget 0's tiles link to `permalink`.
fn tiles_linking(permalink: &str) -> String {
    format!("return ({ROOTS})[0].querySelectorAll('a[href=\"{permalink}\"]').length;")
}

/// Opens the site as a visitor who has not loaded the feed yet (browsers keep a feed for the
/// rest of its TTL, see docs/owner.md), and waits for the hydrated widget.
async fn visit(b: &Browser, site: &str) {
    b.cdp("Network.clearBrowserCache", json!({})).await;
    b.goto(site).await;
    assert_eq!(wait_state(b, 0, "ready").await, "grid");
    // Once the wasm has mounted it (hydrated or rendered from the JSON), it shows what it read.
    b.wait_for(&format!("(({ROOTS})[0] || {{}}).dataset?.mounted"), 20)
        .await;
    assert_eq!(image_count(b, 0).await, 6, "limit=6 after moderation too");
}

/// Clicks `verb` (`hide` or `show`) on post `id` of the console's page, and waits for its state.
async fn moderate(b: &Browser, id: &str, verb: &str, state: &str) {
    b.click(&format!(
        "li[data-post='{id}'] form[action$='/posts/{verb}'] button"
    ))
    .await;
    b.wait_for(
        &format!(
            "document.querySelector(\"li[data-post='{id}']\")?.dataset.state === '{state}' && !!document.querySelector('p.message[role=status]')"
        ),
        10,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_the_owner_hides_leaves_the_widget_and_comes_back_when_unhidden() {
    let env = Env::start().await;
    set_password(&env);
    let post = env.fake.posts()[0].clone();
    let (id, permalink) = (post.id.clone(), post.permalink());
    let site = env.host.page(
        "moderated",
        "",
        &env.script("data-feed=\"main\" data-layout=\"grid\" data-limit=\"6\""),
    );
    let (_slot, b) = browser().await;
    visit(&b, &site).await;
    assert_eq!(b.eval(&tiles_linking(&permalink), json!([])).await, 1);

    sign_in(&b, &env).await;
    b.click("li[data-feed=main] a.moderate").await;
    b.wait_for("location.pathname === '/admin/feeds/main/posts'", 10)
        .await;
    moderate(&b, &id, "hide", "hidden").await;
    photograph(&b, "moderation").await;

    visit(&b, &site).await;
    assert_eq!(
        b.eval(&tiles_linking(&permalink), json!([])).await,
        0,
        "the hidden post is still in the widget"
    );

    b.goto(&format!("{}/admin/feeds/main/posts", env.proxy()))
        .await;
    moderate(&b, &id, "show", "shown").await;
    visit(&b, &site).await;
    assert_eq!(b.eval(&tiles_linking(&permalink), json!([])).await, 1);
    let errors = console_errors(&b).await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    b.quit().await;
}
