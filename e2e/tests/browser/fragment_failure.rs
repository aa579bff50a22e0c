//! Without the server's first view, the wasm renders the widget itself, from the JSON.

use serde_json::json;

use crate::env::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_first_view_cannot_be_had_the_wasm_renders_the_posts_from_the_json() {
    let env = Env::start().await;
    let (_slot, b) = browser().await;
    // Every request for a first view fails (as when a CDN or firewall drops the path).
    b.cdp("Network.enable", json!({})).await;
    b.cdp("Network.setBlockedURLs", json!({ "urls": ["*/view?*"] }))
        .await;
    for layout in ["grid", "slider", "masonry"] {
        let body = env.script(&format!(
            r#"data-feed="main" data-layout="{layout}" data-columns="3" data-limit="7""#
        ));
        b.goto(&env.host.page(&format!("no-view-{layout}"), PROBES, &body))
            .await;
        wait_mounted(&b, 0, "rendered").await;
        assert_eq!(wait_state(&b, 0, "ready").await, layout);
        assert_eq!(image_count(&b, 0).await, 7, "{layout}");
        images_settled(&b, 0).await;
        let shown = b
            .eval(
                &format!("return [...({ROOTS})[0].querySelectorAll('img')].filter(i => i.naturalWidth > 0).length;"),
                json!([]),
            )
            .await;
        assert!(
            shown.as_u64().unwrap() >= 3,
            "{layout}: images shown: {shown}"
        );
        let requests = b
            .eval(
                "return performance.getEntriesByType('resource').filter(e => /\\/v1\\/feeds\\/main$/.test(e.name)).length;",
                json!([]),
            )
            .await;
        // The wasm got the feed JSON itself, once.
        assert_eq!(requests, json!(1), "{layout}: JSON requests");
        assert_eq!(
            b.eval("return window.__clsAfterInsert;", json!([])).await,
            json!(0),
            "{layout}: the client-side render shifted the page"
        );
    }
    b.quit().await;
}
