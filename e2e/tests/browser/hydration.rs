//! The wasm hydrates the server's view: the same nodes, no image downloaded again, and the
//! slider and masonry then work on those nodes.

use std::time::Duration;

use serde_json::{Value, json};

use crate::env::*;

/// JS: tags every node of widget 0's view (the `.ff-mount` subtree, the root included) with an
/// expando property, keeps them in `window.__ffNodes`, and returns how many there are.
const TAG_NODES: &str = "const shadow = document.querySelector('feedframe-feed').shadowRoot; \
    const walker = document.createTreeWalker(shadow.querySelector('.ff-mount'), NodeFilter.SHOW_ALL); \
    const nodes = []; \
    for (let n = walker.currentNode; n; n = walker.nextNode()) { n.__ffTag = nodes.length; nodes.push(n); } \
    window.__ffNodes = nodes; return nodes.length;";

/// JS: `[tagged, nodes now, untagged nodes now (up to 5), tagged nodes no longer in the page]`.
const CHECK_NODES: &str = "const shadow = document.querySelector('feedframe-feed').shadowRoot; \
    const walker = document.createTreeWalker(shadow.querySelector('.ff-mount'), NodeFilter.SHOW_ALL); \
    let count = 0; const untagged = []; \
    for (let n = walker.currentNode; n; n = walker.nextNode()) { count++; if (n.__ffTag === undefined) untagged.push(n.nodeName + ' ' + (n.className || n.textContent || '')); } \
    return [window.__ffNodes.length, count, untagged.slice(0, 5), window.__ffNodes.filter(n => !n.isConnected).length];";

/// Loads `body` with the wasm held back, waits for the server's view to paint (the first row
/// decoded, and with `all_images`, every image settled), tags its nodes, lets the wasm through
/// and waits for the hydration. Returns the images requested before the wasm ran; check the
/// nodes with [`assert_same_nodes`].
async fn hydrate_tagged(env: &Env, b: &Browser, name: &str, body: &str, all_images: bool) -> Value {
    hold_wasm(b).await;
    b.goto(&env.host.page(name, PROBES, body)).await;
    b.wait_for(&first_row_decoded(0), 20).await;
    if all_images {
        images_settled(b, 0).await;
    }
    let images = b
        .eval(&format!("return {IMAGE_REQUESTS};"), json!([]))
        .await;
    let tagged = b.eval(TAG_NODES, json!([])).await.as_u64().unwrap();
    assert!(tagged > 10, "{name}: a view with tiles ({tagged} nodes)");
    release_wasm(b).await;
    wait_mounted(b, 0, "hydrated").await;
    images
}

async fn assert_same_nodes(b: &Browser, name: &str) {
    let check = b.eval(CHECK_NODES, json!([])).await;
    assert_eq!(
        check,
        json!([check[0], check[0], [], 0]),
        "{name}: [tagged, now, untagged, detached]: a node of the server's view was replaced"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hydration_keeps_every_node_and_downloads_no_image_twice() {
    let env = Env::start().await;
    let (_slot, b) = browser().await;
    for layout in ["grid", "slider", "masonry"] {
        let body = env.script(&format!(
            r#"data-feed="main" data-layout="{layout}" data-columns="3" data-limit="6""#
        ));
        let before = hydrate_tagged(&env, &b, &format!("hydrate-{layout}"), &body, true).await;
        let shown = before.as_array().unwrap().len();
        assert!(
            shown >= 3,
            "{layout}: the first row was downloaded: {before}"
        );
        // Time for any second download to happen and finish: there must be none.
        tokio::time::sleep(Duration::from_millis(800)).await;
        images_settled(&b, 0).await;
        let after = b
            .eval(&format!("return {IMAGE_REQUESTS};"), json!([]))
            .await;
        assert_eq!(
            after, before,
            "{layout}: images downloaded again or anew after hydration"
        );
        let mut unique = after.as_array().unwrap().clone();
        unique.dedup();
        unique.sort_by_key(|v| v.to_string());
        unique.dedup();
        assert_eq!(unique.len(), shown, "{layout}: an image URL twice: {after}");
        assert_same_nodes(&b, layout).await;
        // And nothing a visitor would see changed.
        let state = b
            .eval(
                &format!("const r = ({ROOTS})[0]; return [r.dataset.state, r.querySelectorAll('img').length, window.__clsAfterInsert];"),
                json!([]),
            )
            .await;
        assert_eq!(state, json!(["ready", 6, 0]), "{layout}");
    }
    b.quit().await;
}

/// JS: widget 0's slider track.
const TRACK: &str = "({ROOTS})[0].querySelector('.ff-track')";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_hydration_the_sliders_buttons_and_arrow_keys_move_the_servers_track() {
    let env = Env::start().await;
    let (_slot, b) = browser().await;
    let body = format!(
        r#"<div style="width:900px">{}</div>"#,
        env.script(r#"data-feed="main" data-layout="slider" data-columns="3" data-limit="10""#)
    );
    hydrate_tagged(&env, &b, "hydrate-slider-moves", &body, false).await;
    assert_same_nodes(&b, "slider").await;
    let track = TRACK.replace("{ROOTS}", ROOTS);
    // One step is the distance between two slides.
    let step = b
        .eval(
            &format!("const s = {track}.children; return s[1].offsetLeft - s[0].offsetLeft;"),
            json!([]),
        )
        .await
        .as_i64()
        .unwrap();
    assert!(step > 100, "slides are laid out side by side ({step} px)");
    let at = |n: i64| format!("Math.abs({track}.scrollLeft - {}) <= 1", n * step);
    assert_eq!(
        b.eval(&format!("return {track}.scrollLeft;"), json!([]))
            .await,
        json!(0)
    );

    let click = |which: &str| format!("({ROOTS})[0].querySelector('.ff-{which}').click();");
    b.eval(&click("next"), json!([])).await;
    b.wait_for(&at(1), 5).await;
    b.eval(&click("next"), json!([])).await;
    b.wait_for(&at(2), 5).await;
    b.eval(&click("prev"), json!([])).await;
    b.wait_for(&at(1), 5).await;

    b.eval(&format!("{track}.focus();"), json!([])).await;
    b.press(feedframe_e2e::key("ArrowRight")).await;
    b.wait_for(&at(2), 5).await;
    b.press(feedframe_e2e::key("ArrowLeft")).await;
    b.wait_for(&at(1), 5).await;
    b.press(feedframe_e2e::key("ArrowLeft")).await;
    b.wait_for(&at(0), 5).await;
    assert_same_nodes(&b, "slider after moving").await;
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_hydration_the_masonry_rebalances_its_tiles_when_its_width_changes() {
    let env = Env::start().await;
    let (_slot, b) = browser().await;
    // 600 px: the stylesheet's three columns (the server placed the tiles for 2, 3 and 4).
    let body = format!(
        r#"<div id=box style="width:600px">{}</div>"#,
        env.script(r#"data-feed="main" data-layout="masonry" data-limit="9""#)
    );
    hydrate_tagged(&env, &b, "hydrate-masonry", &body, false).await;
    assert_same_nodes(&b, "masonry").await;
    let columns = MASONRY_COLUMNS.replace("{ROOTS}", ROOTS);
    assert_eq!(b.eval(&columns, json!([])).await, json!([3, 3, 9]));
    // Under 480 px the stylesheet has two columns: the tiles move into two.
    b.eval(
        "document.getElementById('box').style.width = '400px';",
        json!([]),
    )
    .await;
    b.wait_for(&format!("(() => {{ {columns} }})().join() === '2,2,9'"), 10)
        .await;
    // And back to three.
    b.eval(
        "document.getElementById('box').style.width = '600px';",
        json!([]),
    )
    .await;
    b.wait_for(&format!("(() => {{ {columns} }})().join() === '3,3,9'"), 10)
        .await;
    assert_same_nodes(&b, "masonry after resizing").await;
    b.quit().await;
}
