//! The first view is the server's: images paint before the wasm has arrived.

use serde_json::json;

use crate::env::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_layout_paints_its_first_row_from_the_fragment_while_the_wasm_is_held_back() {
    let env = Env::start().await;
    let (_slot, b) = browser().await;
    hold_wasm(&b).await;
    for layout in ["grid", "slider", "masonry"] {
        let body = env.script(&format!(
            r#"data-feed="main" data-layout="{layout}" data-columns="3" data-limit="6""#
        ));
        b.goto(&env.host.page(&format!("first-{layout}"), PROBES, &body))
            .await;
        // The whole first row is in the shadow root and decoded, with no wasm in the page.
        let first_row = b.wait_for(&first_row_decoded(0), 20).await;
        assert_eq!(first_row, json!(3), "{layout}: one row of three columns");
        let state = b
            .eval(
                &format!(
                    "const r = ({ROOTS})[0]; return [r.dataset.state, r.dataset.layout, r.querySelectorAll('img').length, r.dataset.mounted || null];"
                ),
                json!([]),
            )
            .await;
        assert_eq!(state, json!(["ready", layout, 6, null]), "{layout}");
        let wasm = b
            .eval(
                "return performance.getEntriesByType('resource').filter(e => e.name.endsWith('.wasm')).length;",
                json!([]),
            )
            .await;
        assert_eq!(wasm, json!(0), "{layout}: the wasm was held back");
    }
    // Held, not lost: once let through, the wasm hydrates the last page.
    release_wasm(&b).await;
    wait_mounted(&b, 0, "hydrated").await;
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_servers_masonry_takes_the_columns_of_each_breakpoint_before_the_wasm_arrives() {
    let env = Env::start().await;
    let (_slot, b) = browser().await;
    hold_wasm(&b).await;
    let body = format!(
        r#"<div id=box style="width:600px">{}</div>"#,
        env.script(r#"data-feed="main" data-layout="masonry" data-limit="9""#)
    );
    b.goto(&env.host.page("first-masonry-breakpoints", PROBES, &body))
        .await;
    b.wait_for(&first_row_decoded(0), 20).await;
    let columns = MASONRY_COLUMNS.replace("{ROOTS}", ROOTS);
    // The stylesheet's breakpoints: 2 columns under 480 px, 3 under 800 px, 4 from there. The
    // server placed the tiles for each, so the stylesheet alone moves them.
    for (width, expected) in [(600, [3, 3, 9]), (400, [2, 2, 9]), (900, [4, 4, 9])] {
        b.eval(
            &format!("document.getElementById('box').style.width = '{width}px';"),
            json!([]),
        )
        .await;
        let now = b.eval(&columns, json!([])).await;
        assert_eq!(now, json!(expected), "{width} px wide");
    }
    let state = b
        .eval(
            &format!("return [({ROOTS})[0].dataset.mounted || null, performance.getEntriesByType('resource').filter(e => e.name.endsWith('.wasm')).length];"),
            json!([]),
        )
        .await;
    assert_eq!(state, json!([null, 0]), "all of it without the wasm");
    b.quit().await;
}
