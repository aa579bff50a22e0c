//! One post tile: a link box of reserved size with a lazy, right-sized image (WebP where the
//! browser takes it, else JPEG), a badge and an optional caption. With `click="lightbox"` a
//! click (or Enter) opens the post in the lightbox; the link still works without the wasm, and
//! with a modifier key (a new tab).

use std::sync::Arc;

use leptos::{html, prelude::*};
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, MouseEvent};

use super::{Ctx, lightbox::Opener};
use crate::{Captions, Click, TileModel, class, picture::WEBP};

/// `auto` lets the browser use the laid-out width of a lazy image; the rest is for others.
const SIZES: &str = "auto, 33vw";

/// The tile of one post. The box's size comes from the layout's CSS (squares, or the masonry's
/// `slot`), never from the image, so nothing moves when it loads. Every image is lazy (in view
/// it loads at once, at its laid-out width); the first row's are fetched first.
#[component]
pub fn Tile(
    ctx: Arc<Ctx>,
    tile: TileModel,
    /// The post's place in the feed (the lightbox opens it).
    index: usize,
    /// In the first row: `fetchpriority="high"`.
    first_row: bool,
    /// The masonry's placement (custom properties), if any.
    place: Option<Signal<String>>,
) -> impl IntoView {
    let broken = RwSignal::new(false);
    let kind = tile.kind;
    let style = move || place.map(|p| p.get()).filter(|s| !s.is_empty());
    let on_broken = ctx.on_broken;
    let fail = move || {
        if !broken.get_untracked() {
            // Straight to the neutral placeholder; the re-fetch may bring fresh URLs.
            broken.set(true);
            on_broken.run(());
        }
    };
    // The first paint is the server's: an image may have failed before the wasm arrived.
    let img = NodeRef::<html::Img>::new();
    Effect::new(move || {
        if let Some(img) = img.get()
            && img.complete()
            && img.natural_width() == 0
            && !img.current_src().is_empty()
        {
            fail();
        }
    });
    let badge = class::badge_kind(kind).map(|modifier| {
        let label = if modifier.ends_with("video") {
            "Video"
        } else {
            "Album"
        };
        view! { <span class=class::list(&[class::BADGE, modifier]) role="img" aria-label=label></span> }
    });
    let caption = tile
        .caption
        .filter(|_| ctx.opts.captions != Captions::None)
        .map(|text| view! { <p class=class::CAPTION dir="auto">{text}</p> });
    let lightbox = ctx.opts.click == Click::Lightbox;
    let opener = use_context::<Opener>();
    let on_click = move |e: MouseEvent| {
        let plain = e.button() == 0 && !(e.ctrl_key() || e.meta_key() || e.shift_key());
        if let (true, true, Some(opener)) = (lightbox, plain, opener)
            && let Some(link) = e
                .current_target()
                .and_then(|t| t.dyn_into::<HtmlElement>().ok())
        {
            e.prevent_default();
            opener.open(index, link);
        }
    };
    let picture = tile.picture;
    let sizes = picture.srcset.is_some().then_some(SIZES);
    let color = Some(picture.color_style()).filter(|s| !s.is_empty());
    view! {
        <a
            class=move || class::tile(kind, broken.get())
            href=tile.href
            target=ctx.opts.target.clone()
            rel="noopener noreferrer"
            aria-haspopup=lightbox.then_some("dialog")
            style=style
            on:click=on_click
        >
            <picture style=color>
                {picture.webp.map(|srcset| view! { <source type=WEBP sizes=SIZES srcset=srcset /> })}
                <img
                    node_ref=img
                    class=class::IMG
                    loading="lazy"
                    fetchpriority=first_row.then_some("high")
                    decoding="async"
                    alt=tile.alt
                    sizes=sizes
                    srcset=picture.srcset
                    src=picture.src
                    on:error=move |_| fail()
                />
            </picture>
            {badge}
            {caption}
        </a>
    }
}
