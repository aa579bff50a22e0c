//! The review fixes of issue 8: where code comes from, unmounting on removal, and the feed-name
//! rule.

use std::time::Duration;

use serde_json::json;

use crate::env::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_element_whose_src_is_another_origin_takes_its_feed_there_and_its_code_from_the_loader()
{
    let env = Env::start().await;
    let (_slot, b) = browser().await;
    // The same proxy under another origin: `src` may choose where the feed comes from.
    let loader_origin = env.proxy();
    let other = loader_origin.replace("127.0.0.1", "localhost");
    assert_ne!(other, loader_origin);
    let body = format!(
        r#"<feedframe-feed src="{other}" feed="main" layout="grid" limit="4"></feedframe-feed>
           <script src="{loader_origin}/widget.js" async></script>"#
    );
    b.goto(&env.host.page("other-origin", PROBES, &body)).await;
    wait_mounted(&b, 0, "hydrated").await;
    assert_eq!(image_count(&b, 0).await, 4);
    let requests = b
        .eval(
            "const [other, own] = arguments; const names = performance.getEntriesByType('resource').map(e => e.name); \
             const code = n => /\\.(js|wasm)(\\?|$)/.test(new URL(n).pathname); \
             return [names.filter(n => n.startsWith(other + '/') && code(n)).length, \
                     names.filter(n => n.startsWith(other + '/v1/feeds/main/view?')).length, \
                     names.filter(n => n.startsWith(own + '/widget/') && n.endsWith('.wasm')).length];",
            json!([other, loader_origin]),
        )
        .await;
    assert_eq!(
        requests,
        json!([0, 1, 1]),
        "[code from src's origin, views from src's origin, wasm from the loader's origin]"
    );
    b.quit().await;
}

/// Installed in a page's head: keeps the page's live intervals (`__intervals`: id to period)
/// and counts scrolls of a slider track (`__scrolls`).
const INTERVALS: &str = r#"<script>
  window.__intervals = new Map(); window.__scrolls = 0;
  const si = window.setInterval, ci = window.clearInterval;
  window.setInterval = function (f, ms, ...a) { const id = si.call(window, f, ms, ...a); window.__intervals.set(id, ms); return id; };
  window.clearInterval = function (id) { window.__intervals.delete(id); return ci.call(window, id); };
  for (const m of ["scrollBy", "scrollTo"]) {
    const original = Element.prototype[m];
    Element.prototype[m] = function (...a) { if (this.classList.contains("ff-track")) window.__scrolls++; return original.apply(this, a); };
  }
</script>"#;

/// JS: the live intervals with the slider's autoplay period (5 s).
const AUTOPLAY_TIMERS: &str = "[...window.__intervals.values()].filter(ms => ms === 5000).length";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_the_element_unmounts_it_and_its_autoplay_stops() {
    let env = Env::start().await;
    let (_slot, b) = browser().await;
    let body = format!(
        "<div id=spa>{}</div>",
        env.script(r#"data-feed="main" data-layout="slider" data-columns="2" data-limit="8" data-autoplay="on""#)
    );
    b.goto(
        &env.host
            .page("unmount", &format!("{PROBES}{INTERVALS}"), &body),
    )
    .await;
    wait_mounted(&b, 0, "hydrated").await;
    // While mounted, the autoplay runs and moves the track.
    assert_eq!(
        b.eval(&format!("return {AUTOPLAY_TIMERS};"), json!([]))
            .await,
        json!(1)
    );
    b.wait_for(
        &format!("window.__scrolls >= 1 && ({ROOTS})[0].querySelector('.ff-track').scrollLeft > 0"),
        12,
    )
    .await;
    let _ = b.console().await;

    // A single-page app navigates away.
    b.eval(
        "window.__feedframe_el = document.querySelector('feedframe-feed'); window.__feedframe_el.remove();",
        json!([]),
    )
    .await;
    let after = b
        .eval(
            &format!("return [{AUTOPLAY_TIMERS}, window.__feedframe_el.shadowRoot.childNodes.length, window.__scrolls];"),
            json!([]),
        )
        .await;
    assert_eq!(
        [&after[0], &after[1]],
        [&json!(0), &json!(0)],
        "[autoplay timers, nodes left in the shadow root] after removal"
    );
    // Longer than one autoplay period: nothing moves any more.
    tokio::time::sleep(Duration::from_millis(5600)).await;
    assert_eq!(
        b.eval("return window.__scrolls;", json!([])).await,
        after[2],
        "the autoplay went on scrolling after the element was removed"
    );
    let errors = console_errors(&b).await;
    assert!(errors.is_empty(), "errors after removal: {errors:?}");

    // Navigating back inserts it again: it starts afresh, with one autoplay.
    b.eval(
        "document.getElementById('spa').append(window.__feedframe_el);",
        json!([]),
    )
    .await;
    wait_mounted(&b, 0, "hydrated").await;
    assert_eq!(image_count(&b, 0).await, 8);
    assert_eq!(
        b.eval(&format!("return {AUTOPLAY_TIMERS};"), json!([]))
            .await,
        json!(1)
    );
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_feed_name_shows_the_fallback_and_says_why_never_the_main_feed() {
    let env = Env::start().await;
    let (_slot, b) = browser().await;
    let names = ["Main", "bad name", ""];
    let body: String = names
        .iter()
        .map(|name| env.script(&format!(r#"data-feed="{name}" data-layout="grid""#)))
        .collect();
    b.goto(&env.host.page("bad-names", PROBES, &body)).await;
    for (i, name) in names.iter().enumerate() {
        wait_state(&b, i, "fallback").await;
        assert_eq!(image_count(&b, i).await, 0, "feed={name:?}");
        let card = b
            .eval(
                &format!("return ({ROOTS})[{i}].querySelector('a.ff-card').textContent.trim();"),
                json!([]),
            )
            .await;
        assert_eq!(card, json!("View on Instagram"), "feed={name:?}");
    }
    let warnings = b
        .eval("return window.__warnings.join('\\n');", json!([]))
        .await;
    let warnings = warnings.as_str().unwrap();
    for name in names {
        assert!(
            warnings.contains(&format!(
                "invalid feed=\"{name}\" (data-feed on the script tag); expected a feed name (1-64 of a-z, 0-9, - and _). Showing the fallback."
            )),
            "{warnings}"
        );
        assert!(
            warnings.contains(&format!("\"{name}\" is not a feed name")),
            "{warnings}"
        );
    }
    // Nothing was asked of the feed "main".
    let main = b
        .eval(
            "return performance.getEntriesByType('resource').filter(e => /\\/v1\\/feeds\\/main(\\/|\\?|$)/.test(e.name)).length;",
            json!([]),
        )
        .await;
    assert_eq!(main, json!(0), "an invalid name turned into main");
    b.quit().await;
}
