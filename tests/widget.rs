//! Component tests in headless Chromium: mount the widget with an in-memory feed (no network)
//! and assert what a visitor would see, hear (accessible names) and be able to do.
//!
//! CHROMEDRIVER=/usr/bin/chromedriver cargo test -p feedframe-widget --target wasm32-unknown-unknown
#![cfg(target_arch = "wasm32")]

use feedframe_widget::{
    Fetched, Layout, Options, class,
    feed::{ApiError, FEED_VERSION, Feed, FeedStatus, Media, Post, PostKind, Profile, alt_text},
    web::{FeedFrame, Source, decode, mount, mount_feed},
};
use js_sys::{Promise, Reflect};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{
    Element, HtmlElement, HtmlSlotElement, KeyboardEvent, KeyboardEventInit, ShadowRoot,
};

wasm_bindgen_test_configure!(run_in_browser);

// ---- fixtures -------------------------------------------------------------------------------

/// A tiny valid image of the given size (loads without network).
fn image(w: u32, h: u32) -> String {
    format!(
        "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='{w}' height='{h}'%3E%3Crect width='{w}' height='{h}' fill='%23c96'/%3E%3C/svg%3E"
    )
}

fn post(i: usize, kind: PostKind, (w, h): (u32, u32), caption: Option<&str>) -> Post {
    Post {
        id: i.to_string(),
        kind,
        permalink: format!("https://www.instagram.com/p/post{i}/"),
        caption: caption.map(str::to_string),
        timestamp: "2026-09-14T17:22:08Z".into(),
        media: vec![Media {
            url: image(w, h),
            width: Some(w),
            height: Some(h),
            color: Some("#aabbcc".into()),
            variants: vec![],
            placeholder: None,
            video: None,
        }],
    }
}

fn feed(status: FeedStatus, posts: Vec<Post>) -> Feed {
    Feed {
        version: FEED_VERSION,
        feed: "main".into(),
        status,
        fetched_at: None,
        profile: Profile {
            username: "harbor".into(),
            profile_url: "https://www.instagram.com/harbor/".into(),
        },
        posts,
    }
}

/// `n` square image posts with captions "Post i #tag".
fn squares(n: usize) -> Vec<Post> {
    (0..n)
        .map(|i| {
            post(
                i,
                PostKind::Image,
                (40, 40),
                Some(&format!("Post {i} #tag")),
            )
        })
        .collect()
}

fn opts(layout: Layout, columns: Option<u8>) -> Options {
    Options {
        layout,
        columns,
        ..Options::default()
    }
}

// ---- DOM helpers ----------------------------------------------------------------------------

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A `<feedframe-feed>` host in a wrapper of the given width, at the top of the page (so lazy
/// images are in view). The wrapper sizes it: `:host { all: initial !important }` means a page
/// cannot size the element itself, as on a real site.
fn host(width: u32) -> HtmlElement {
    let wrapper = document().create_element("div").unwrap();
    wrapper
        .set_attribute("style", &format!("width:{width}px"))
        .unwrap();
    let el: HtmlElement = document()
        .create_element("feedframe-feed")
        .unwrap()
        .unchecked_into();
    wrapper.append_child(&el).unwrap();
    document()
        .body()
        .unwrap()
        .prepend_with_node_1(&wrapper)
        .unwrap();
    el
}

/// Resizes the wrapper of `host`.
fn resize(host: &HtmlElement, width: u32) {
    host.parent_element()
        .unwrap()
        .set_attribute("style", &format!("width:{width}px"))
        .unwrap();
}

fn shadow(host: &HtmlElement) -> ShadowRoot {
    host.shadow_root()
        .expect("the widget renders into an open shadow root")
}

fn all(host: &HtmlElement, selector: &str) -> Vec<Element> {
    let list = shadow(host).query_selector_all(selector).unwrap();
    (0..list.length())
        .map(|i| list.item(i).unwrap().unchecked_into())
        .collect()
}

fn one(host: &HtmlElement, selector: &str) -> Element {
    shadow(host)
        .query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
}

fn root(host: &HtmlElement) -> Element {
    one(host, &class::sel(class::ROOT))
}

fn attr(el: &Element, name: &str) -> String {
    el.get_attribute(name).unwrap_or_default()
}

fn tiles(host: &HtmlElement) -> Vec<Element> {
    all(host, &format!("a{}", class::sel(class::TILE)))
}

/// Waits for timers, effects, layout and a frame.
async fn sleep(ms: i32) {
    let p = Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(p).await.unwrap();
}

async fn mounted(width: u32, options: Options, fetched: Fetched) -> HtmlElement {
    let host = host(width);
    let source = Source::Fetched {
        base: String::new(),
        fetched,
    };
    mount_feed(&host, options, source).unwrap().forget();
    sleep(50).await;
    host
}

fn rect(el: &Element) -> web_sys::DomRect {
    el.get_bounding_client_rect()
}

/// Distinct left edges of the tiles on the first row: the number of visible columns.
fn first_row_columns(tiles: &[Element]) -> usize {
    let top = rect(&tiles[0]).top();
    tiles
        .iter()
        .filter(|t| (rect(t).top() - top).abs() < 1.0)
        .count()
}

// ---- layouts --------------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn grid_shows_one_linked_tile_per_post_up_to_the_limit() {
    let options = Options {
        limit: 6,
        ..opts(Layout::Grid, Some(3))
    };
    let host = mounted(
        600,
        options,
        Fetched::Feed(feed(FeedStatus::Live, squares(8))),
    )
    .await;
    let root = root(&host);
    assert_eq!(attr(&root, "data-state"), "ready");
    assert_eq!(attr(&root, "data-layout"), "grid");
    let tiles = tiles(&host);
    assert_eq!(tiles.len(), 6, "limit 6 of 8 posts");
    assert_eq!(first_row_columns(&tiles), 3);
    for (i, tile) in tiles.iter().enumerate() {
        assert_eq!(
            attr(tile, "href"),
            format!("https://www.instagram.com/p/post{i}/")
        );
        assert_eq!(attr(tile, "target"), "_blank");
        assert!(attr(tile, "rel").contains("noopener"));
        let img = tile.query_selector("img").unwrap().unwrap();
        assert_eq!(
            attr(&img, "alt"),
            format!("Post {i}"),
            "alt text drops hashtags"
        );
        assert_eq!(attr(&img, "loading"), "lazy");
        assert_eq!(attr(&img, "decoding"), "async");
        // Square crops: the box is reserved before the image loads.
        let r = rect(tile);
        assert!(r.width() > 150.0 && (r.width() - r.height()).abs() < 1.0);
    }
}

#[wasm_bindgen_test]
async fn video_and_carousel_tiles_carry_their_badges() {
    let posts = vec![
        post(0, PostKind::Image, (40, 40), None),
        post(1, PostKind::Video, (40, 40), None),
        post(2, PostKind::Carousel, (40, 40), None),
    ];
    let host = mounted(
        600,
        opts(Layout::Grid, None),
        Fetched::Feed(feed(FeedStatus::Live, posts)),
    )
    .await;
    let tiles = tiles(&host);
    let badge = |t: &Element| t.query_selector(&class::sel(class::BADGE)).unwrap();
    assert!(badge(&tiles[0]).is_none(), "images have no badge");
    let video = badge(&tiles[1]).expect("video badge");
    assert!(video.class_list().contains("ff-badge--video"));
    assert_eq!(attr(&video, "aria-label"), "Video");
    assert!(rect(&video).width() > 0.0, "the play badge is visible");
    let album = badge(&tiles[2]).expect("album badge");
    assert!(album.class_list().contains("ff-badge--carousel"));
    assert_eq!(attr(&album, "aria-label"), "Album");
    // Without a caption the alt text names the account.
    let img = tiles[1].query_selector("img").unwrap().unwrap();
    assert_eq!(attr(&img, "alt"), alt_text(None, "harbor"));
    assert_eq!(attr(&img, "alt"), "Instagram post by @harbor");
}

#[wasm_bindgen_test]
async fn default_columns_follow_the_widget_width() {
    for (width, columns) in [(360, 2), (600, 3), (900, 4)] {
        let host = mounted(
            width,
            opts(Layout::Grid, None),
            Fetched::Feed(feed(FeedStatus::Live, squares(8))),
        )
        .await;
        assert_eq!(first_row_columns(&tiles(&host)), columns, "at {width}px");
    }
}

#[wasm_bindgen_test]
async fn slider_is_an_accessible_carousel_that_buttons_and_arrow_keys_move() {
    let host = mounted(
        600,
        opts(Layout::Slider, Some(2)),
        Fetched::Feed(feed(FeedStatus::Live, squares(5))),
    )
    .await;
    assert_eq!(attr(&root(&host), "data-layout"), "slider");
    let carousel = one(&host, "[aria-roledescription=carousel]");
    assert!(!attr(&carousel, "aria-label").is_empty());
    let slides = all(&host, &class::sel(class::SLIDE));
    assert_eq!(slides.len(), 5);
    assert_eq!(attr(&slides[0], "aria-label"), "1 of 5");
    assert_eq!(attr(&slides[4], "aria-label"), "5 of 5");
    assert_eq!(attr(&slides[0], "aria-roledescription"), "slide");
    assert_eq!(tiles(&host).len(), 5);
    // Two slides in view, the rest scroll.
    let track: HtmlElement = one(&host, &class::sel(class::TRACK)).unchecked_into();
    assert!(rect(&slides[2]).left() >= rect(&track).right() - 1.0);
    assert_eq!(track.scroll_left(), 0);

    let next: HtmlElement = one(&host, &class::sel(class::NEXT)).unchecked_into();
    assert_eq!(attr(&next, "aria-label"), "Next posts");
    next.click();
    sleep(900).await;
    let after_click = track.scroll_left();
    assert!(after_click > 0, "next scrolls the track");

    let init = KeyboardEventInit::new();
    init.set_key("ArrowRight");
    init.set_bubbles(true);
    init.set_cancelable(true);
    track.focus().unwrap();
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    track.dispatch_event(&event).unwrap();
    assert!(
        event.default_prevented(),
        "arrow keys are handled when focused"
    );
    sleep(900).await;
    let after_arrow = track.scroll_left();
    assert!(after_arrow > after_click, "ArrowRight scrolls further");

    let prev: HtmlElement = one(&host, &class::sel(class::PREV)).unchecked_into();
    assert_eq!(attr(&prev, "aria-label"), "Previous posts");
    prev.click();
    sleep(900).await;
    // One slide back: where the first click on next had put it.
    assert_eq!(
        track.scroll_left(),
        after_click,
        "prev scrolls one slide back"
    );
}

#[wasm_bindgen_test]
async fn masonry_places_tiles_left_to_right_into_the_shortest_column() {
    // Column 0 gets a tall post; the fourth post must go to the shortest column, not column 0.
    let sizes = [(40, 80), (40, 40), (40, 40), (40, 40), (80, 40), (40, 60)];
    let posts = sizes
        .iter()
        .enumerate()
        .map(|(i, s)| post(i, PostKind::Image, *s, None))
        .collect();
    let options = Options {
        gap: Some(10),
        limit: 6,
        ..opts(Layout::Masonry, Some(3))
    };
    let host = mounted(620, options, Fetched::Feed(feed(FeedStatus::Live, posts))).await;
    assert_eq!(attr(&root(&host), "data-layout"), "masonry");
    let tiles = tiles(&host);
    assert_eq!(tiles.len(), 6);
    let r: Vec<_> = tiles.iter().map(rect).collect();
    // First row: same top, left to right, each 200px wide with a 10px gap.
    assert!((r[0].top() - r[1].top()).abs() < 1.0 && (r[1].top() - r[2].top()).abs() < 1.0);
    assert!(r[0].left() < r[1].left() && r[1].left() < r[2].left());
    assert!((r[0].width() - 200.0).abs() < 1.0, "{}", r[0].width());
    // The fourth goes under the second (column 1 is the leftmost shortest), 10px below it.
    assert!((r[3].left() - r[1].left()).abs() < 1.0);
    assert!((r[3].top() - r[1].bottom() - 10.0).abs() < 1.5);
    // Column 2 holds posts 2, 4 and 5 (1:1, 2:1, 2:3), scaled alike: their heights keep the
    // proportions 2 : 1 : 3.
    for i in [4, 5] {
        assert!(
            (r[i].left() - r[2].left()).abs() < 1.0,
            "post {i} in column 2"
        );
    }
    assert!((r[2].height() / r[4].height() - 2.0).abs() < 0.05);
    assert!((r[5].height() / r[4].height() - 3.0).abs() < 0.05);
    // Nothing overlaps.
    for i in 0..r.len() {
        for j in i + 1..r.len() {
            let overlap = r[i].left() < r[j].right() - 1.0
                && r[j].left() < r[i].right() - 1.0
                && r[i].top() < r[j].bottom() - 1.0
                && r[j].top() < r[i].bottom() - 1.0;
            assert!(!overlap, "tiles {i} and {j} overlap");
        }
    }
    // Every column ends flush with the container, whose height is two rows of 9:10 boxes.
    let container = rect(&one(&host, &class::sel(class::MASONRY)));
    for i in [0, 3, 5] {
        assert!(
            (container.bottom() - r[i].bottom()).abs() < 0.5,
            "column of post {i}"
        );
    }
    let expected = 2.0 * 200.0 / 0.9 + 10.0;
    assert!(
        (container.height() - expected).abs() < 0.5,
        "{}",
        container.height()
    );
}

#[wasm_bindgen_test]
async fn masonry_relayouts_when_the_widget_resizes() {
    let host = mounted(
        900,
        opts(Layout::Masonry, None),
        Fetched::Feed(feed(FeedStatus::Live, squares(8))),
    )
    .await;
    assert_eq!(first_row_columns(&tiles(&host)), 4);
    resize(&host, 360);
    sleep(400).await;
    let tiles = tiles(&host);
    assert_eq!(first_row_columns(&tiles), 2, "2 columns after shrinking");
    assert!(rect(&tiles[0]).width() > 150.0);
}

// ---- states ---------------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn loading_shows_a_skeleton_of_the_final_height() {
    // Regression: the masonry skeleton was square tiles, so content below moved when posts came.
    let mut posts = squares(6);
    for (i, size) in [(40, 50), (60, 40), (40, 40), (30, 60), (40, 40), (50, 40)]
        .into_iter()
        .enumerate()
    {
        posts[i] = post(i, PostKind::Image, size, None);
    }
    for layout in [Layout::Grid, Layout::Slider, Layout::Masonry] {
        let options = Options {
            limit: 6,
            ..opts(layout, Some(3))
        };
        let loading = host(600);
        mount_feed(&loading, options.clone(), Source::Pending)
            .unwrap()
            .forget();
        let ready = mounted(
            600,
            options,
            Fetched::Feed(feed(FeedStatus::Live, posts.clone())),
        )
        .await;
        let root_el = root(&loading);
        assert_eq!(attr(&root_el, "data-state"), "loading");
        assert_eq!(attr(&root_el, "aria-busy"), "true");
        assert_eq!(all(&loading, &class::sel(class::TILE_SKELETON)).len(), 6);
        assert!(tiles(&loading).is_empty());
        assert_eq!(tiles(&ready).len(), 6);
        let (skeleton, final_) = (rect(&root_el).height(), rect(&root(&ready)).height());
        assert!(skeleton > 150.0, "{layout:?}: {skeleton}");
        assert!(
            (skeleton - final_).abs() < 0.5,
            "{layout:?}: skeleton {skeleton} vs ready {final_}"
        );
    }
}

#[wasm_bindgen_test]
async fn stale_or_expired_feeds_with_posts_still_show_the_posts() {
    let host = mounted(
        600,
        opts(Layout::Grid, None),
        Fetched::Feed(feed(FeedStatus::TokenExpired, squares(3))),
    )
    .await;
    let root = root(&host);
    assert_eq!(attr(&root, "data-state"), "ready");
    assert_eq!(attr(&root, "data-status"), "token_expired");
    assert_eq!(tiles(&host).len(), 3);
}

#[wasm_bindgen_test]
async fn expired_token_with_nothing_cached_shows_a_follow_card() {
    let host = mounted(
        600,
        opts(Layout::Grid, None),
        Fetched::Feed(feed(FeedStatus::TokenExpired, vec![])),
    )
    .await;
    assert_eq!(attr(&root(&host), "data-state"), "fallback");
    let card = one(&host, &class::sel(class::CARD));
    assert_eq!(card.text_content().unwrap(), "Follow @harbor on Instagram");
    assert_eq!(attr(&card, "href"), "https://www.instagram.com/harbor/");
    assert!(rect(&card).height() > 0.0);
}

#[wasm_bindgen_test]
async fn an_unknown_feed_shows_a_generic_instagram_card() {
    let missing = Fetched::Error {
        status: 404,
        body: Some(ApiError {
            code: "feed_not_found".into(),
            message: "no feed named main".into(),
        }),
    };
    let host = mounted(600, opts(Layout::Grid, None), missing).await;
    assert_eq!(attr(&root(&host), "data-state"), "fallback");
    let card = one(&host, &class::sel(class::CARD));
    assert_eq!(card.text_content().unwrap(), "View on Instagram");
    assert_eq!(attr(&card, "href"), "https://www.instagram.com/");
}

#[wasm_bindgen_test]
async fn fallback_text_replaces_the_card_label() {
    let options = Options {
        fallback_text: Some("Our latest work is on Instagram".into()),
        ..Options::default()
    };
    let host = mounted(
        600,
        options,
        Fetched::Unreachable("TypeError: Failed to fetch".into()),
    )
    .await;
    let card = one(&host, &class::sel(class::CARD));
    assert_eq!(
        card.text_content().unwrap(),
        "Our latest work is on Instagram"
    );
}

#[wasm_bindgen_test]
async fn the_elements_own_children_are_the_fallback() {
    let host = host(600);
    host.set_inner_html("<p id=own-fallback>Visit our Instagram</p>");
    let unreachable = Fetched::Unreachable("offline".into());
    let source = Source::Fetched {
        base: String::new(),
        fetched: unreachable,
    };
    mount_feed(&host, Options::default(), source)
        .unwrap()
        .forget();
    sleep(50).await;
    assert_eq!(attr(&root(&host), "data-state"), "fallback");
    assert!(all(&host, &class::sel(class::CARD)).is_empty());
    let slot: HtmlSlotElement = one(&host, "slot").unchecked_into();
    assert_eq!(slot.assigned_nodes().length(), 1, "the <p> is projected");
    let own = document().get_element_by_id("own-fallback").unwrap();
    assert!(rect(&own).height() > 0.0, "and visible");
}

#[wasm_bindgen_test]
async fn while_posts_show_the_elements_children_stay_hidden() {
    let host = host(600);
    host.set_inner_html("<p id=hidden-fallback>Visit our Instagram</p>");
    let source = Source::Fetched {
        base: String::new(),
        fetched: Fetched::Feed(feed(FeedStatus::Live, squares(2))),
    };
    mount_feed(&host, Options::default(), source)
        .unwrap()
        .forget();
    sleep(50).await;
    let own = document().get_element_by_id("hidden-fallback").unwrap();
    assert_eq!(rect(&own).height(), 0.0);
    assert_eq!(tiles(&host).len(), 2);
}

#[wasm_bindgen_test]
async fn captions_are_text_never_html() {
    let evil =
        "<script>window.__pwned = 1</script><b>bold</b> <img src=x onerror=\"window.__pwned = 2\">";
    let posts = vec![post(0, PostKind::Image, (40, 40), Some(evil))];
    let options = Options {
        captions: feedframe_widget::Captions::Overlay,
        ..Options::default()
    };
    let host = mounted(600, options, Fetched::Feed(feed(FeedStatus::Live, posts))).await;
    let caption = one(&host, &class::sel(class::CAPTION));
    assert_eq!(caption.text_content().unwrap(), evil);
    assert_eq!(caption.child_element_count(), 0);
    assert!(all(&host, "script, b").is_empty());
    assert_eq!(all(&host, "img").len(), 1);
    sleep(100).await;
    let pwned = Reflect::get(&web_sys::window().unwrap(), &"__pwned".into()).unwrap();
    assert!(pwned.is_undefined());
}

#[wasm_bindgen_test]
async fn captions_are_off_by_default() {
    let host = mounted(
        600,
        Options::default(),
        Fetched::Feed(feed(FeedStatus::Live, squares(2))),
    )
    .await;
    assert!(all(&host, &class::sel(class::CAPTION)).is_empty());
}

#[wasm_bindgen_test]
async fn a_broken_image_leaves_a_neutral_placeholder_of_the_same_size() {
    let mut posts = squares(2);
    posts[1].media[0].url = "data:image/png;base64,AAAA".into();
    let host = mounted(
        600,
        opts(Layout::Grid, Some(2)),
        Fetched::Feed(feed(FeedStatus::Live, posts)),
    )
    .await;
    sleep(200).await;
    let tiles = tiles(&host);
    assert!(!tiles[0].class_list().contains(class::TILE_BROKEN));
    assert!(tiles[1].class_list().contains(class::TILE_BROKEN));
    assert!((rect(&tiles[0]).height() - rect(&tiles[1]).height()).abs() < 0.5);
    let img = tiles[1].query_selector("img").unwrap().unwrap();
    let style = web_sys::window()
        .unwrap()
        .get_computed_style(&img)
        .unwrap()
        .unwrap();
    assert_eq!(style.get_property_value("visibility").unwrap(), "hidden");
}

#[wasm_bindgen_test]
async fn host_page_css_cannot_break_the_tiles() {
    let hostile = document().create_element("style").unwrap();
    hostile.set_text_content(Some(
        "img{width:10px!important;height:10px!important} a{display:inline!important} \
         feedframe-feed{display:inline!important;font-size:40px!important;color:red!important}",
    ));
    document().head().unwrap().append_child(&hostile).unwrap();
    let host = mounted(
        600,
        opts(Layout::Grid, Some(3)),
        Fetched::Feed(feed(FeedStatus::Live, squares(3))),
    )
    .await;
    let tile = &tiles(&host)[0];
    let img = tile.query_selector("img").unwrap().unwrap();
    assert!((rect(&img).width() - rect(tile).width()).abs() < 0.5);
    assert!(rect(tile).width() > 150.0);
    hostile.remove();
}

// ---- the loader's entry point and the Leptos component ---------------------------------------

#[wasm_bindgen_test]
async fn exported_mount_replaces_invalid_options_with_defaults_and_falls_back_when_offline() {
    let host = host(600);
    // The loader hands over the element: its attributes are the options.
    host.set_attribute("layout", "carousel").unwrap();
    host.set_attribute("limit", "lots").unwrap();
    mount(host.clone(), "http://127.0.0.1:9".into())
        .unwrap()
        .forget();
    let root_el = root(&host);
    assert_eq!(
        attr(&root_el, "data-layout"),
        "grid",
        "invalid layout -> grid"
    );
    assert_eq!(attr(&root_el, "data-state"), "loading");
    assert_eq!(
        all(&host, &class::sel(class::TILE_SKELETON)).len(),
        12,
        "invalid limit -> 12"
    );
    wait_for_state(&host, "fallback").await;
    assert_eq!(
        one(&host, &class::sel(class::CARD)).text_content().unwrap(),
        "View on Instagram"
    );
}

/// Waits up to 4 s for the root's `data-state`, failing loudly when it never comes.
async fn wait_for_state(host: &HtmlElement, state: &str) {
    for _ in 0..40 {
        if host
            .shadow_root()
            .and_then(|s| s.query_selector("[data-state]").ok().flatten())
            .is_some_and(|r| attr(&r, "data-state") == state)
        {
            return;
        }
        sleep(100).await;
    }
    panic!("the widget never reached data-state={state}");
}

#[wasm_bindgen_test]
async fn a_feed_parsed_by_the_browser_decodes_with_serde_and_skips_unknown_posts() {
    let host = host(600);
    let source = Source::Fetched {
        base: "https://feeds.example".into(),
        fetched: decode(serde_like_feed_json()),
    };
    let options = Options {
        layout: Layout::Masonry,
        ..Options::default()
    };
    mount_feed(&host, options, source).unwrap().forget();
    // Checked in the task that mounted it: no image has loaded or failed yet (the media host does
    // not exist, so the image fails soon after and its tile turns neutral).
    assert_eq!(attr(&root(&host), "data-state"), "ready");
    let tiles = tiles(&host);
    assert_eq!(tiles.len(), 2, "the post of an unknown kind is left out");
    let img = tiles[0].query_selector("img").unwrap().unwrap();
    // Path-absolute media URLs resolve against the proxy, not the host page.
    assert_eq!(attr(&img, "src"), "https://feeds.example/media/a.jpg");
    // The placeholder colour is painted by the tile's picture (under the image).
    let picture = tiles[0].query_selector("picture").unwrap().unwrap();
    let computed = web_sys::window()
        .unwrap()
        .get_computed_style(&picture)
        .unwrap()
        .unwrap();
    assert_eq!(
        computed.get_property_value("background-color").unwrap(),
        "rgb(17, 34, 51)",
        "the placeholder colour shows until the image loads"
    );
    assert!(tiles[1].class_list().contains("ff-tile--video"));
}

#[wasm_bindgen_test]
async fn media_urls_resolve_against_the_proxy_and_webp_variants_come_first() {
    let host = host(600);
    let body = js_sys::JSON::parse(
        r##"{"version":1,"feed":"main","status":"live",
        "profile":{"username":"harbor","profile_url":"https://www.instagram.com/harbor/"},
        "posts":[
          {"id":"1","kind":"image","permalink":"https://www.instagram.com/p/a/",
           "timestamp":"2026-09-14T17:22:08Z","media":[{"url":"/media/d.640.jpg","width":1080,
           "height":1350,"color":"#112233","variants":[
             {"url":"/media/d.320.webp","width":320,"height":400,"type":"image/webp"},
             {"url":"/media/d.320.jpg","width":320,"height":400,"type":"image/jpeg"},
             {"url":"/media/d.640.webp","width":640,"height":800,"type":"image/webp"},
             {"url":"/media/d.640.jpg","width":640,"height":800,"type":"image/jpeg"}]}]},
          {"id":"2","kind":"image","permalink":"https://www.instagram.com/p/b/",
           "timestamp":"2026-09-14T17:22:08Z","media":[{"url":"https://cdn.example/b.jpg"}]}
        ]}"##,
    )
    .unwrap();
    // A proxy behind a path prefix: its /media/… is below the prefix.
    let source = Source::Fetched {
        base: "https://feeds.example/ff".into(),
        fetched: decode(body),
    };
    mount_feed(&host, Options::default(), source)
        .unwrap()
        .forget();
    sleep(100).await;
    let tiles = tiles(&host);
    assert_eq!(tiles.len(), 2);
    let proxy = "https://feeds.example/ff/media/d";
    let source = tiles[0]
        .query_selector("picture > source[type='image/webp']")
        .unwrap()
        .expect("a WebP source");
    assert_eq!(
        attr(&source, "srcset"),
        format!("{proxy}.320.webp 320w, {proxy}.640.webp 640w")
    );
    assert!(!attr(&source, "sizes").is_empty());
    let img = tiles[0].query_selector("picture > img").unwrap().unwrap();
    assert_eq!(attr(&img, "src"), format!("{proxy}.640.jpg"));
    assert_eq!(
        attr(&img, "srcset"),
        format!("{proxy}.320.jpg 320w, {proxy}.640.jpg 640w")
    );
    assert_eq!(attr(&img, "loading"), "lazy");
    // Absolute URLs stay as they are; without variants there is nothing to choose from.
    let img = tiles[1].query_selector("img").unwrap().unwrap();
    assert_eq!(attr(&img, "src"), "https://cdn.example/b.jpg");
    assert!(img.get_attribute("srcset").is_none());
    assert!(tiles[1].query_selector("source").unwrap().is_none());
}

/// The proxy's JSON as the browser parsed it (what the loader hands over).
fn serde_like_feed_json() -> JsValue {
    js_sys::JSON::parse(
        r##"{"version":1,"feed":"main","status":"live","fetched_at":"2026-09-14T17:22:08Z",
        "profile":{"username":"harbor","profile_url":"https://www.instagram.com/harbor/"},
        "posts":[
          {"id":"1","kind":"image","permalink":"https://www.instagram.com/p/a/","caption":"A #b",
           "timestamp":"2026-09-14T17:22:08Z","media":[{"url":"/media/a.jpg","width":1080,"height":1350,
           "color":"#112233","variants":[{"url":"/media/a-320.webp","width":320,"height":400,"type":"image/webp"}]}]},
          {"id":"2","kind":"video","permalink":"https://www.instagram.com/p/b/",
           "timestamp":"2026-09-14T17:22:08Z","media":[{"url":"/media/b.jpg"}]},
          {"id":"3","kind":"reel","permalink":"https://www.instagram.com/p/c/",
           "timestamp":"2026-09-14T17:22:08Z","media":[{"url":"/media/c.jpg"}]}
        ]}"##,
    )
    .unwrap()
}

#[wasm_bindgen_test]
async fn the_leptos_component_falls_back_when_the_proxy_is_unreachable() {
    let host = host(600);
    leptos::mount::mount_to(host.clone(), || {
        view! { <FeedFrame src="http://127.0.0.1:9" layout=Layout::Slider fallback_text="See us on Instagram" /> }
    })
    .forget();
    let query = |sel: &str| host.query_selector(sel).unwrap();
    assert!(query("style").is_some(), "brings its stylesheet");
    for _ in 0..40 {
        if query("[data-state=fallback]").is_some() {
            break;
        }
        sleep(100).await;
    }
    let card = query(&class::sel(class::CARD)).expect("fallback card");
    assert_eq!(card.text_content().unwrap(), "See us on Instagram");
}
