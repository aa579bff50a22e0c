//! The slider layout: a scroll-snap track (native swipe), previous/next buttons, arrow keys when
//! focused, and an optional autoplay that pauses on hover and focus and never runs under
//! `prefers-reduced-motion`.

use std::{cell::Cell, rc::Rc, time::Duration};

use leptos::prelude::{on_cleanup, set_interval_with_handle};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, KeyboardEvent, ScrollBehavior, ScrollToOptions};

use super::{
    dom::{Keep, attrs, child},
    prefers_reduced_motion,
    tile::tile,
    widget::Ctx,
};
use crate::{TileModel, class};

/// How often autoplay advances.
const AUTOPLAY_EVERY: Duration = Duration::from_secs(5);

/// Fills `parent` with the slider; returns the track (the tiles' container).
pub(crate) fn slider(parent: &Element, ctx: &Ctx, tiles: &[TileModel], keep: &mut Keep) -> Element {
    let section = child(parent, "section", class::SLIDER);
    attrs(
        &section,
        &[
            ("aria-roledescription", "carousel"),
            ("aria-label", "Instagram posts"),
        ],
    );
    let prev = nav(&section, class::PREV, "Previous posts");
    let track: HtmlElement = child(
        &section,
        "div",
        &class::list(&[class::LAYOUT, class::TRACK]),
    )
    .unchecked_into();
    _ = track.set_attribute("tabindex", "0");
    let next = nav(&section, class::NEXT, "Next posts");
    let total = tiles.len().to_string();
    for (i, t) in tiles.iter().enumerate() {
        let slide = child(&track, "div", class::SLIDE);
        let label = [(i + 1).to_string().as_str(), " of ", &total].concat();
        attrs(
            &slide,
            &[
                ("role", "group"),
                ("aria-roledescription", "slide"),
                ("aria-label", &label),
            ],
        );
        _ = slide.append_child(&tile(t, ctx));
    }

    for (button, dir) in [(prev, -1), (next, 1)] {
        let track = track.clone();
        keep.on(&button, "click", false, move |_| step(&track, dir, false));
    }
    let t = track.clone();
    keep.on(&section, "keydown", false, move |e| {
        let Some(e) = e.dyn_ref::<KeyboardEvent>() else {
            return;
        };
        let dir = match e.key().as_str() {
            "ArrowLeft" => -1,
            "ArrowRight" => 1,
            _ => return,
        };
        e.prevent_default();
        step(&t, dir, false);
    });

    if ctx.opts.autoplay && !prefers_reduced_motion() {
        // Paused while hovered ([0]) or focused ([1]).
        let paused: Rc<[Cell<bool>; 2]> = Rc::default();
        for (event, reason, on) in [
            ("mouseenter", 0, true),
            ("mouseleave", 0, false),
            ("focusin", 1, true),
            ("focusout", 1, false),
        ] {
            let paused = paused.clone();
            keep.on(&section, event, false, move |_| paused[reason].set(on));
        }
        let t = track.clone();
        let advance = move || {
            if !paused.iter().any(Cell::get) {
                step(&t, 1, true);
            }
        };
        if let Ok(handle) = set_interval_with_handle(advance, AUTOPLAY_EVERY) {
            on_cleanup(move || handle.clear());
        }
    }
    track.into()
}

fn nav(section: &Element, modifier: &str, label: &str) -> Element {
    let button = child(section, "button", &class::list(&[class::NAV, modifier]));
    attrs(&button, &[("type", "button"), ("aria-label", label)]);
    button
}

/// Scrolls the track by one slide in `dir`; with `wrap`, from the end back to the start.
fn step(track: &HtmlElement, dir: i32, wrap: bool) {
    let options = ScrollToOptions::new();
    options.set_behavior(if prefers_reduced_motion() {
        ScrollBehavior::Instant
    } else {
        ScrollBehavior::Smooth
    });
    let at_end = track.scroll_left() + track.client_width() >= track.scroll_width() - 1;
    if wrap && at_end {
        options.set_left(0.0);
        track.scroll_to_with_scroll_to_options(&options);
        return;
    }
    options.set_left(f64::from(dir * slide_step(track)));
    track.scroll_by_with_scroll_to_options(&options);
}

/// The distance between two slides (slide width plus gap), or the track's width.
fn slide_step(track: &HtmlElement) -> i32 {
    let slides = track.children();
    let left = |i| {
        slides
            .item(i)
            .and_then(|s| s.dyn_into::<HtmlElement>().ok())
            .map(|s| s.offset_left())
    };
    match (left(0), left(1)) {
        (Some(a), Some(b)) if b > a => b - a,
        _ => track.client_width(),
    }
}
