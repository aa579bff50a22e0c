//! Embedding in foreign pages: isolation, several widgets, bad attributes, hostile captions.

use serde_json::json;

use crate::env::*;

/// JS: the size of the first `n` tiles of widget 0.
fn tile_boxes(n: usize) -> String {
    format!(
        "return [...({ROOTS})[0].querySelectorAll('a.ff-tile')].slice(0, {n}).map(t => {{ const r = t.getBoundingClientRect(); const i = t.querySelector('img').getBoundingClientRect(); return [Math.round(r.width*10)/10, Math.round(r.height*10)/10, Math.round(i.width*10)/10, Math.round(i.height*10)/10]; }});"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_host_css_leaves_the_tiles_unchanged() {
    let env = Env::start().await;
    let (_slot, b) = browser().await;
    let widget = format!(
        r#"<div style="width:900px">{}</div>"#,
        env.script(r#"data-feed="main" data-layout="grid" data-limit="6" data-columns="3""#)
    );
    b.goto(&env.host.page("clean", PROBES, &widget)).await;
    wait_state(&b, 0, "ready").await;
    let clean = b.eval(&tile_boxes(6), json!([])).await;

    let hostile = r#"<style>
      img { width: 10px !important; height: 10px !important; border: 5px solid red !important; }
      * { box-sizing: content-box !important; margin: 20px; padding: 7px; line-height: 3 !important; }
      a { display: inline !important; font-size: 40px !important; }
      div { display: inline-block; }
      feedframe-feed { zoom: 1; }
    </style>"#;
    b.goto(
        &env.host
            .page("hostile", &format!("{PROBES}{hostile}"), &widget),
    )
    .await;
    wait_state(&b, 0, "ready").await;
    let attacked = b.eval(&tile_boxes(6), json!([])).await;
    assert_eq!(clean.as_array().unwrap().len(), 6);
    assert_eq!(attacked, clean, "host CSS changed the tiles");
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_widgets_on_one_page_share_one_webassembly_instance() {
    let env = Env::start().await;
    let (_slot, b) = browser().await;
    let body = format!(
        "{}<p>between</p>{}",
        env.script(r#"data-feed="main" data-layout="grid" data-limit="4""#),
        env.script(r#"data-feed="main" data-layout="masonry" data-limit="5""#)
    );
    b.goto(&env.host.page("two", PROBES, &body)).await;
    assert_eq!(wait_state(&b, 0, "ready").await, "grid");
    assert_eq!(wait_state(&b, 1, "ready").await, "masonry");
    assert_eq!(image_count(&b, 0).await, 4);
    assert_eq!(image_count(&b, 1).await, 5);
    // The first views are the server's; the one wasm then hydrates both.
    wait_mounted(&b, 0, "hydrated").await;
    wait_mounted(&b, 1, "hydrated").await;
    let wasm = b
        .eval("return performance.getEntriesByType('resource').filter(e => e.name.endsWith('.wasm')).length;", json!([]))
        .await;
    assert_eq!(wasm, json!(1), "one wasm download for two widgets");
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_attribute_falls_back_to_the_default_with_a_console_warning() {
    let env = Env::start().await;
    let (_slot, b) = browser().await;
    let body = env.script(r#"data-feed="main" data-layout="hexagon" data-limit="6""#);
    b.goto(&env.host.page("invalid", PROBES, &body)).await;
    assert_eq!(wait_state(&b, 0, "ready").await, "grid");
    assert_eq!(image_count(&b, 0).await, 6);
    // The warning is the wasm's (the server renders the default silently).
    wait_mounted(&b, 0, "hydrated").await;
    let warnings = b
        .eval("return window.__warnings.join('\\n');", json!([]))
        .await;
    let warnings = warnings.as_str().unwrap();
    assert!(
        warnings.contains("layout") && warnings.contains("hexagon"),
        "{warnings}"
    );
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caption_holding_a_script_tag_renders_as_text() {
    let env = Env::start().await;
    let (_slot, b) = browser().await;
    let body =
        env.script(r#"data-feed="main" data-layout="grid" data-limit="12" data-captions="on""#);
    b.goto(&env.host.page("xss", PROBES, &body)).await;
    wait_state(&b, 0, "ready").await;
    let result = b
        .eval(
            &format!("const r = ({ROOTS})[0]; return [r.querySelectorAll('script').length, r.textContent.includes('<script>alert(1)</script>'), !!window.__alerted];"),
            json!([]),
        )
        .await;
    assert_eq!(result, json!([0, true, false]));
    b.quit().await;
}
