//! Each layout renders, lazily, without layout shift.

use serde_json::json;

use crate::env::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_layout_renders_the_expected_number_of_images_without_layout_shift() {
    let env = Env::start().await;
    let (_slot, b) = browser().await;
    for (layout, limit) in [("grid", 9), ("slider", 8), ("masonry", 12)] {
        let attrs = format!(r#"data-feed="main" data-layout="{layout}" data-limit="{limit}""#);
        // Both embeds: the README's async tag, and the same tag without `async`.
        for (kind, snippet) in [
            ("async", env.script(&attrs)),
            ("blocking", env.blocking_script(&attrs)),
        ] {
            let body = format!(
                "<h1>Shop</h1><p>Above the widget.</p>{snippet}<p id=below>Below the widget.</p>"
            );
            let url = env.host.page(&format!("{layout}-{kind}"), PROBES, &body);
            b.goto(&url).await;
            assert_eq!(wait_state(&b, 0, "ready").await, layout);
            assert_eq!(image_count(&b, 0).await, limit, "{layout}");
            // Every tile links to its post and has alt text.
            let links = b
                .eval(
                    &format!("return [...({ROOTS})[0].querySelectorAll('a.ff-tile')].filter(a => a.href.startsWith('https://www.instagram.com/') && a.querySelector('img').alt.length > 0).length;"),
                    json!([]),
                )
                .await;
            assert_eq!(links, json!(limit), "{layout}: links with alt text");
            // Scroll through so that lazy images load, then measure.
            b.eval("window.scrollTo(0, document.body.scrollHeight);", json!([]))
                .await;
            images_settled(&b, 0).await;
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            let cls = b
                .eval("return [window.__cls, window.__clsAfterInsert];", json!([]))
                .await;
            let (all, after) = (cls[0].as_f64().unwrap(), cls[1].as_f64().unwrap());
            eprintln!(
                "CLS {layout} ({kind} embed): whole page {all:.4}, from the widget's insertion on {after:.4}"
            );
            // The widget itself never moves anything: from the moment its host exists, its
            // skeleton has the final size.
            assert_eq!(after, 0.0, "{layout} ({kind}): the widget shifted the page");
            if kind == "blocking" {
                assert_eq!(
                    all, 0.0,
                    "{layout}: a loader that runs before first paint shifts nothing"
                );
            }
        }
    }
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn images_far_below_the_fold_are_not_requested_until_scrolled_into_view() {
    let env = Env::start().await;
    let (_slot, b) = browser().await;
    let body = format!(
        r#"<div style="height:6000px">Long article</div>{}"#,
        env.script(r#"data-feed="main" data-layout="grid" data-limit="6""#)
    );
    b.goto(&env.host.page("lazy", PROBES, &body)).await;
    wait_state(&b, 0, "ready").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let images =
        "performance.getEntriesByType('resource').filter(e => e.initiatorType === 'img').length";
    assert_eq!(
        b.eval(&format!("return {images};"), json!([])).await,
        json!(0),
        "nothing loaded below the fold"
    );
    b.eval("window.scrollTo(0, document.body.scrollHeight);", json!([]))
        .await;
    let loaded = b.wait_for(&format!("{images} >= 6 && {images}"), 10).await;
    assert!(loaded.as_u64().unwrap() >= 6);
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_slider_is_a_carousel_of_labelled_slides() {
    let env = Env::start().await;
    let (_slot, b) = browser().await;
    let body = env.script(r#"data-feed="main" data-layout="slider" data-limit="10""#);
    b.goto(&env.host.page("slider", PROBES, &body)).await;
    wait_state(&b, 0, "ready").await;
    let carousel = b
        .eval(
            &format!(
                "return ({ROOTS})[0].querySelector('[aria-roledescription=carousel]') !== null;"
            ),
            json!([]),
        )
        .await;
    assert_eq!(carousel, json!(true));
    let label = b
        .eval(&format!("return ({ROOTS})[0].querySelector('[aria-roledescription=slide]').getAttribute('aria-label');"), json!([]))
        .await;
    assert_eq!(label, json!("1 of 10"));
    // Its buttons and keys, once hydrated: hydration.rs
    // (`after_hydration_the_sliders_buttons_and_arrow_keys_move_the_servers_track`).
    b.quit().await;
}
