//! The slider layout: a scroll-snap track (native swipe), previous/next buttons, arrow keys when
//! focused, and an optional autoplay that pauses on hover and focus and never runs under
//! `prefers-reduced-motion`.

use std::{sync::Arc, time::Duration};

use leptos::{html, prelude::*};
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, KeyboardEvent, ScrollBehavior, ScrollToOptions};

use super::{
    Ctx,
    tiles::{Placing, Tiles},
};
use crate::{TileModel, class};

/// How often autoplay advances.
const AUTOPLAY_EVERY: Duration = Duration::from_secs(5);

/// Tiles in one scroll-snapped row.
#[component]
pub fn Slider(ctx: Arc<Ctx>, tiles: Signal<Vec<TileModel>>) -> impl IntoView {
    let track = NodeRef::<html::Div>::new();
    let step = move |dir: i32, wrap: bool| {
        if let Some(track) = track.get_untracked() {
            scroll(&track, dir, wrap);
        }
    };
    let on_key = move |e: KeyboardEvent| {
        let dir = match e.key().as_str() {
            "ArrowLeft" => -1,
            "ArrowRight" => 1,
            _ => return,
        };
        e.prevent_default();
        step(dir, false);
    };
    // Paused while hovered ([0]) or focused ([1]).
    let paused = RwSignal::new([false; 2]);
    let pause = move |reason: usize, on: bool| paused.update(|p| p[reason] = on);
    if ctx.opts.autoplay {
        Effect::new(move || {
            if prefers_reduced_motion() {
                return;
            }
            let advance = move || {
                if !paused.get_untracked().contains(&true) {
                    step(1, true);
                }
            };
            if let Ok(handle) = set_interval_with_handle(advance, AUTOPLAY_EVERY) {
                on_cleanup(move || handle.clear());
            }
        });
    }
    view! {
        <section
            class=class::SLIDER
            aria-roledescription="carousel"
            aria-label="Instagram posts"
            on:keydown=on_key
            on:mouseenter=move |_| pause(0, true)
            on:mouseleave=move |_| pause(0, false)
            on:focusin=move |_| pause(1, true)
            on:focusout=move |_| pause(1, false)
        >
            <button
                type="button"
                class=class::list(&[class::NAV, class::PREV])
                aria-label="Previous posts"
                on:click=move |_| step(-1, false)
            ></button>
            <div node_ref=track class=class::list(&[class::LAYOUT, class::TRACK]) tabindex="0">
                <Tiles ctx tiles placing=Placing::Slide />
            </div>
            <button
                type="button"
                class=class::list(&[class::NAV, class::NEXT])
                aria-label="Next posts"
                on:click=move |_| step(1, false)
            ></button>
        </section>
    }
}

/// Whether the visitor asked for reduced motion.
fn prefers_reduced_motion() -> bool {
    window()
        .match_media("(prefers-reduced-motion: reduce)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches())
}

/// Scrolls the track by one slide in `dir`; with `wrap`, from the end back to the start.
fn scroll(track: &HtmlElement, dir: i32, wrap: bool) {
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
