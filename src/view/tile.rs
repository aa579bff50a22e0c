//! One post tile: a link box of reserved size with a lazy, right-sized image (WebP where the
//! browser takes it, else JPEG), a badge and an optional caption.

use std::sync::Arc;

use leptos::{html, prelude::*};

use super::Ctx;
use crate::{TileModel, class, tile::WEBP};

/// `auto` lets the browser use the laid-out width of a lazy image; the rest is for others.
const SIZES: &str = "auto, 33vw";

/// The tile of one post. The box's size comes from the layout's CSS (squares, or the masonry's
/// `slot`), never from the image, so nothing moves when it loads. Every image is lazy (in view
/// it loads at once, at its laid-out width); the first row's are fetched first.
#[component]
pub fn Tile(
    ctx: Arc<Ctx>,
    tile: TileModel,
    /// In the first row: `fetchpriority="high"`.
    first_row: bool,
    /// The masonry's placement (custom properties), if any.
    place: Option<Signal<String>>,
) -> impl IntoView {
    let broken = RwSignal::new(false);
    let kind = tile.kind;
    let color = tile
        .color
        .as_deref()
        .map(|c| ["background-color:", c, ";"].concat())
        .unwrap_or_default();
    let style = move || {
        let mut style = color.clone();
        if let Some(place) = place {
            style.push_str(&place.get());
        }
        (!style.is_empty()).then_some(style)
    };
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
        .filter(|_| ctx.opts.captions != crate::Captions::None)
        .map(|text| view! { <p class=class::CAPTION dir="auto">{text}</p> });
    let sizes = tile.srcset.is_some().then_some(SIZES);
    view! {
        <a
            class=move || class::tile(kind, broken.get())
            href=tile.href
            target=ctx.opts.target.clone()
            rel="noopener noreferrer"
            style=style
        >
            <picture>
                {tile.webp.map(|srcset| view! { <source type=WEBP sizes=SIZES srcset=srcset /> })}
                <img
                    node_ref=img
                    class=class::IMG
                    loading="lazy"
                    fetchpriority=first_row.then_some("high")
                    decoding="async"
                    alt=tile.alt
                    sizes=sizes
                    srcset=tile.srcset
                    src=tile.src
                    on:error=move |_| fail()
                />
            </picture>
            {badge}
            {caption}
        </a>
    }
}
