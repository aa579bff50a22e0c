//! The feed as a gallery: the lightbox by keyboard, by swipe and through a carousel, "Load more",
//! and captions below the photos.

use std::time::Duration;

use feedframe_e2e::key;
use serde_json::{Value, json};

use crate::env::*;

/// JS: widget 0's shadow root.
const SHADOW: &str = "document.querySelector('feedframe-feed').shadowRoot";

/// JS expression: where focus is: `tile:N`, `dialog:<class of the element>`, or elsewhere.
const FOCUS: &str = "(() => { const r = SHADOW; if (document.activeElement !== r.host) return 'outside'; \
    const a = r.activeElement; const i = [...r.querySelectorAll('a.ff-tile')].indexOf(a); \
    if (i >= 0) return 'tile:' + i; \
    return a && a.closest('dialog[open]') ? 'dialog:' + (a.className || a.tagName.toLowerCase()) : 'other:' + (a ? a.tagName : 'none'); })()";

/// JS expression: the timestamp of the post the open lightbox shows (`null` when closed).
const SHOWN: &str = "(() => { const d = SHADOW.querySelector('dialog'); return d.open ? d.querySelector('time').getAttribute('datetime') : null; })()";

fn js(expression: &str) -> String {
    expression.replace("SHADOW", SHADOW)
}

async fn eval(b: &Browser, expression: &str) -> Value {
    b.eval(&format!("return {};", js(expression)), json!([]))
        .await
}

/// The feed as the widget gets it.
async fn feed_posts(env: &Env) -> Vec<Value> {
    let feed: Value = reqwest::get(format!("{}/v1/feeds/main", env.proxy()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    feed["posts"].as_array().unwrap().clone()
}

/// Opens a page with widget 0 embedded by `attrs` and waits until the wasm has hydrated it.
async fn open(env: &Env, b: &Browser, name: &str, attrs: &str) {
    let body = format!(
        "<h1>Shop</h1>{}<div id=below style=\"height:3000px\">Below the widget.</div>",
        env.blocking_script(attrs)
    );
    b.goto(&env.host.page(name, PROBES, &body)).await;
    wait_state(b, 0, "ready").await;
    wait_mounted(b, 0, "hydrated").await;
}

/// A trusted click (as from a mouse) in the middle of the element `expression` evaluates to.
async fn mouse_click(b: &Browser, expression: &str) {
    let at = eval(
        b,
        &format!(
            "(() => {{ const e = {expression}; e.scrollIntoView({{block: 'center'}}); const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }})()"
        ),
    )
    .await;
    let (x, y) = (at[0].as_f64().unwrap(), at[1].as_f64().unwrap());
    for kind in ["mousePressed", "mouseReleased"] {
        b.cdp(
            "Input.dispatchMouseEvent",
            json!({ "type": kind, "x": x, "y": y, "button": "left", "clickCount": 1 }),
        )
        .await;
    }
}

/// A finger moved by (`dx`, `dy`) across the lightbox's picture.
async fn swipe(b: &Browser, dx: f64, dy: f64) {
    let at = eval(
        b,
        "(() => { const r = SHADOW.querySelector('.ff-lb-media').getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()",
    )
    .await;
    let (x, y) = (at[0].as_f64().unwrap(), at[1].as_f64().unwrap());
    let touch = |kind: &str, points: Value| {
        b.cdp(
            "Input.dispatchTouchEvent",
            json!({ "type": kind, "touchPoints": points }),
        )
    };
    touch("touchStart", json!([{ "x": x, "y": y }])).await;
    for step in 1..=4 {
        let f = f64::from(step) / 4.0;
        touch("touchMove", json!([{ "x": x + dx * f, "y": y + dy * f }])).await;
    }
    touch("touchEnd", json!([])).await;
}

/// The URLs the page requested from anywhere but the proxy and the page's own origin.
async fn requests_past_the_proxy(b: &Browser, proxy: &str) -> Value {
    eval(
        b,
        &format!(
            "performance.getEntriesByType('resource').map(e => e.name).filter(u => !u.startsWith({}) && !u.startsWith(location.origin))",
            json!(proxy)
        ),
    )
    .await
}

/// Waits until the lightbox shows the post with `timestamp`.
async fn wait_shown(b: &Browser, timestamp: &Value) {
    b.wait_for(&format!("{} === {timestamp}", js(SHOWN)), 5)
        .await;
}

/// A wheel turn over the middle of the viewport; returns how far the page scrolled.
async fn wheel(b: &Browser) -> f64 {
    let before = eval(b, "scrollY").await.as_f64().unwrap();
    b.cdp(
        "Input.dispatchMouseEvent",
        json!({ "type": "mouseWheel", "x": 400, "y": 400, "deltaX": 0, "deltaY": 600 }),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    eval(b, "scrollY").await.as_f64().unwrap() - before
}

const LIGHTBOX_GRID: &str =
    r#"data-feed="main" data-layout="grid" data-columns="4" data-limit="8" data-click="lightbox""#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn by_keyboard_alone_a_post_opens_focus_stays_inside_arrows_move_and_esc_returns_to_the_tile()
{
    let env = Env::start().await;
    let posts = feed_posts(&env).await;
    let (_slot, b) = browser().await;
    open(&env, &b, "lightbox-keys", LIGHTBOX_GRID).await;
    let page = eval(&b, "location.href").await;
    b.press(key("Tab")).await;
    b.press(key("Tab")).await;
    assert_eq!(eval(&b, FOCUS).await, "tile:1");

    b.press(key("Enter")).await;
    wait_shown(&b, &posts[1]["timestamp"]).await;
    assert_eq!(
        eval(&b, "location.href").await,
        page,
        "Enter followed the link"
    );
    let focus = eval(&b, FOCUS).await;
    assert!(focus.as_str().unwrap().starts_with("dialog:"), "{focus}");
    // An accessible modal dialog, named by the post's caption.
    let named = eval(
        &b,
        "(() => { const d = SHADOW.querySelector('dialog'); const l = SHADOW.getElementById(d.getAttribute('aria-labelledby')); return [d.getAttribute('aria-modal'), l.textContent]; })()",
    )
    .await;
    assert_eq!(named[0], "true");
    let caption = posts[1]["caption"]
        .as_str()
        .map_or("", str::trim)
        .to_string();
    if !caption.is_empty() {
        assert_eq!(named[1], caption.as_str());
    }

    // Tab and Shift+Tab go round the dialog's controls, never out of it.
    let mut seen = std::collections::BTreeSet::new();
    for i in 0..10 {
        if i < 5 {
            b.press(key("Tab")).await;
        } else {
            b.press_shifted(key("Tab")).await;
        }
        let focus = eval(&b, FOCUS).await.as_str().unwrap().to_string();
        assert!(
            focus.starts_with("dialog:"),
            "Tab {i} left the lightbox: {focus}"
        );
        seen.insert(focus);
    }
    assert!(seen.len() >= 3, "Tab moved between the controls: {seen:?}");

    b.press(key("ArrowRight")).await;
    wait_shown(&b, &posts[2]["timestamp"]).await;
    b.press(key("ArrowLeft")).await;
    b.press(key("ArrowLeft")).await;
    wait_shown(&b, &posts[0]["timestamp"]).await;
    // The first post has no previous one.
    b.press(key("ArrowLeft")).await;
    wait_shown(&b, &posts[0]["timestamp"]).await;
    b.press(key("ArrowRight")).await;
    wait_shown(&b, &posts[1]["timestamp"]).await;

    // The page behind does not scroll while the lightbox is open.
    assert_eq!(
        wheel(&b).await,
        0.0,
        "the page scrolled behind the lightbox"
    );

    b.press(key("Escape")).await;
    b.wait_for(&js("!SHADOW.querySelector('dialog').open"), 5)
        .await;
    assert_eq!(eval(&b, FOCUS).await, "tile:1", "focus is back on the tile");
    assert!(wheel(&b).await > 0.0, "the page scrolls again once closed");
    assert_eq!(eval(&b, "location.href").await, page);
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_swipe_goes_through_a_carousels_children_in_order_then_to_the_next_post() {
    let env = Env::start().await;
    let posts = feed_posts(&env).await;
    let c = posts[..7]
        .iter()
        .position(|p| p["kind"] == "carousel" && p["media"].as_array().unwrap().len() >= 2)
        .expect("a carousel among the first posts of the sample feed");
    let children = posts[c]["media"].as_array().unwrap().clone();
    let n = children.len();
    let (_slot, b) = browser().await;
    open(&env, &b, "lightbox-swipe", LIGHTBOX_GRID).await;
    mouse_click(&b, &format!("SHADOW.querySelectorAll('a.ff-tile')[{c}]")).await;
    wait_shown(&b, &posts[c]["timestamp"]).await;
    b.cdp(
        "Emulation.setTouchEmulationEnabled",
        json!({ "enabled": true, "maxTouchPoints": 5 }),
    )
    .await;
    assert_eq!(
        eval(&b, "SHADOW.querySelectorAll('.ff-lb-dot').length").await,
        json!(n),
        "one dot per child"
    );
    let proxy = env.proxy();
    for (k, child) in children.iter().enumerate() {
        let slide = eval(
            &b,
            "(() => { const s = SHADOW.querySelector('.ff-lb-slide'); const v = s.querySelector('video'); const i = s.querySelector('img'); \
             return [s.getAttribute('aria-label'), v ? v.getAttribute('src') : i.getAttribute('src'), SHADOW.querySelector('.ff-lb-dot[aria-current=true]').getAttribute('aria-label')]; })()",
        )
        .await;
        let label = format!("{} of {n}", k + 1);
        let src = match child["video"]["url"].as_str() {
            Some(video) => format!("{proxy}{video}"),
            None => format!("{proxy}{}", child["url"].as_str().unwrap()),
        };
        assert_eq!(slide, json!([label, src, label]), "child {k}");
        if k + 1 < n {
            swipe(&b, -250.0, 10.0).await;
            b.wait_for(
                &js(&format!(
                    "SHADOW.querySelector('.ff-lb-slide').getAttribute('aria-label') === '{} of {n}'",
                    k + 2
                )),
                5,
            )
            .await;
        }
    }
    // Past the last child comes the next post, and back.
    swipe(&b, -250.0, 0.0).await;
    wait_shown(&b, &posts[c + 1]["timestamp"]).await;
    swipe(&b, 250.0, 0.0).await;
    wait_shown(&b, &posts[c]["timestamp"]).await;
    // A vertical drag is no swipe.
    swipe(&b, 20.0, -250.0).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(eval(&b, SHOWN).await, posts[c]["timestamp"]);

    // Opening and moving through posts fetched images from the proxy, and nothing else.
    assert_eq!(
        requests_past_the_proxy(&b, &proxy).await,
        json!([]),
        "requests past the proxy"
    );
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_more_adds_exactly_n_tiles_below_and_moves_nothing_above() {
    let env = Env::start().await;
    let total = feed_posts(&env).await.len();
    assert_eq!(total, 24);
    let (_slot, b) = browser().await;
    for layout in ["grid", "masonry"] {
        let attrs = format!(
            r#"data-feed="main" data-layout="{layout}" data-columns="4" data-limit="4" data-load-more="10""#
        );
        open(&env, &b, &format!("load-more-{layout}"), &attrs).await;
        images_settled(&b, 0).await;
        let tiles = "[...SHADOW.querySelectorAll('a.ff-tile')].map(t => { const r = t.getBoundingClientRect(); return [r.left, r.top + scrollY, r.width, r.height]; })";
        let before = eval(&b, tiles).await;
        assert_eq!(before.as_array().unwrap().len(), 4, "{layout}");
        let space = eval(&b, "SHADOW.querySelector('.ff-more').offsetHeight").await;
        let bottom = |rects: &[Value]| {
            rects
                .iter()
                .map(|r| r[1].as_f64().unwrap() + r[3].as_f64().unwrap())
                .fold(0.0, f64::max)
        };

        mouse_click(&b, "SHADOW.querySelector('.ff-more-button')").await;
        b.wait_for(&js("SHADOW.querySelectorAll('a.ff-tile').length === 14"), 5)
            .await;
        let after = eval(&b, tiles).await;
        let after = after.as_array().unwrap();
        assert_eq!(
            &after[..4],
            before.as_array().unwrap().as_slice(),
            "{layout}: a tile above moved"
        );
        let above = bottom(before.as_array().unwrap());
        for (i, r) in after[4..].iter().enumerate() {
            assert!(
                r[1].as_f64().unwrap() >= above,
                "{layout}: new tile {i} is not below the old ones: {r} (old bottom {above})"
            );
        }

        mouse_click(&b, "SHADOW.querySelector('.ff-more-button')").await;
        b.wait_for(&js("SHADOW.querySelectorAll('a.ff-tile').length === 24"), 5)
            .await;
        assert_eq!(
            eval(&b, "SHADOW.querySelector('.ff-more-button')").await,
            Value::Null,
            "{layout}: the button stays after the last post"
        );
        assert_eq!(
            eval(&b, "SHADOW.querySelector('.ff-more').offsetHeight").await,
            space,
            "{layout}: the button's space changed"
        );
        // No shift a visitor did not cause, from the first paint on (the loader ran before it).
        let cls = eval(&b, "window.__cls").await.as_f64().unwrap();
        eprintln!("CLS {layout} with load-more: {cls:.4}");
        assert_eq!(cls, 0.0, "{layout}: layout shift");
    }
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn captions_below_keep_their_lines_reserved_and_overlay_goes_below_on_touch_screens() {
    let env = Env::start().await;
    let _slot = BROWSER_SLOT.lock().await;
    // JS: tile 0's caption relative to its picture: [caption top - picture bottom, caption height].
    let placed = "(() => { const t = SHADOW.querySelector('a.ff-tile'); const p = t.querySelector('picture').getBoundingClientRect(); const c = t.querySelector('.ff-caption').getBoundingClientRect(); return [Math.round(c.top - p.bottom), Math.round(c.height)]; })()";
    for (captions, touch_screen) in [("below", false), ("overlay", true), ("overlay", false)] {
        let b = Browser::start(BrowserOptions {
            touch_screen,
            ..BrowserOptions::default()
        })
        .await;
        let attrs = format!(
            r#"data-feed="main" data-layout="grid" data-columns="4" data-limit="8" data-captions="{captions}""#
        );
        open(
            &env,
            &b,
            &format!("captions-{captions}-{touch_screen}"),
            &attrs,
        )
        .await;
        images_settled(&b, 0).await;
        let at = eval(&b, placed).await;
        let what = format!("captions={captions}, touch screen: {touch_screen}");
        if captions == "overlay" && !touch_screen {
            assert!(
                at[0].as_i64().unwrap() < 0,
                "{what}: the caption is over the photo: {at}"
            );
        } else {
            // Two lines of 17 px and 6 px above them, under the photo.
            assert_eq!(at, json!([0, 40]), "{what}");
        }
        // The reserved box had the rows' caption lines: nothing below moved.
        assert_eq!(eval(&b, "window.__cls").await, json!(0), "{what}");
        b.quit().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_video_plays_from_the_proxy_by_range_and_one_without_a_file_links_to_instagram() {
    let env = Env::start().await;
    let posts = feed_posts(&env).await;
    let first = |with_file: bool| {
        posts
            .iter()
            .position(|p| p["kind"] == "video" && p["media"][0]["video"].is_object() == with_file)
            .expect("the sample feed has both kinds of video")
    };
    let (playable, copyrighted) = (first(true), first(false));
    let limit = playable.max(copyrighted) + 1;
    let _slot = BROWSER_SLOT.lock().await;
    let b = Browser::start(BrowserOptions {
        network_log: true,
        ..BrowserOptions::default()
    })
    .await;
    let attrs = format!(
        r#"data-feed="main" data-layout="grid" data-columns="4" data-limit="{limit}" data-click="lightbox""#
    );
    open(&env, &b, "lightbox-video", &attrs).await;
    let proxy = env.proxy();

    mouse_click(
        &b,
        &format!("SHADOW.querySelectorAll('a.ff-tile')[{playable}]"),
    )
    .await;
    wait_shown(&b, &posts[playable]["timestamp"]).await;
    let video = eval(
        &b,
        "(() => { const v = SHADOW.querySelector('.ff-lb-video'); return [v.getAttribute('src'), v.getAttribute('poster'), v.getAttribute('preload'), v.controls, v.hasAttribute('playsinline')]; })()",
    )
    .await;
    let file = posts[playable]["media"][0]["video"]["url"]
        .as_str()
        .unwrap();
    let poster = posts[playable]["media"][0]["url"].as_str().unwrap();
    assert_eq!(
        video,
        json!([
            format!("{proxy}{file}"),
            format!("{proxy}{poster}"),
            "none",
            true,
            true
        ])
    );
    // Played (muted: no user gesture in a test), it streams from the proxy by byte range.
    b.eval_async(
        &js("const done = arguments[arguments.length - 1]; const v = SHADOW.querySelector('.ff-lb-video'); v.muted = true; v.play().then(() => done(true), e => done(String(e)));"),
        json!([]),
    )
    .await;
    b.wait_for(
        &js("(() => { const v = SHADOW.querySelector('.ff-lb-video'); return v.currentTime > 0 && v.readyState >= 2; })()"),
        10,
    )
    .await;
    let url = format!("{proxy}{file}");
    let statuses: Vec<u64> = b
        .responses()
        .await
        .into_iter()
        .filter(|(u, _)| *u == url)
        .map(|(_, status)| status)
        .collect();
    assert!(
        statuses.contains(&206),
        "no range request for the video answered 206: {statuses:?}"
    );
    b.press(key("Escape")).await;
    b.wait_for(&js("!SHADOW.querySelector('dialog').open"), 5)
        .await;

    mouse_click(
        &b,
        &format!("SHADOW.querySelectorAll('a.ff-tile')[{copyrighted}]"),
    )
    .await;
    wait_shown(&b, &posts[copyrighted]["timestamp"]).await;
    let watch = eval(
        &b,
        "(() => { const s = SHADOW.querySelector('.ff-lb-slide'); const a = s.querySelector('.ff-lb-watch'); return [!!s.querySelector('video'), a && a.textContent.trim(), a && a.href, !!s.querySelector('img')]; })()",
    )
    .await;
    assert_eq!(
        watch,
        json!([
            false,
            "Watch on Instagram",
            posts[copyrighted]["permalink"],
            true
        ])
    );
    // Nothing of the lightbox or the video came from anywhere but the proxy.
    assert_eq!(
        requests_past_the_proxy(&b, &proxy).await,
        json!([]),
        "requests past the proxy"
    );
    b.quit().await;
}
