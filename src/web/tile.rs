//! One post tile: a link box of reserved size with a lazy, right-sized image (WebP where the
//! browser takes it, else JPEG), a badge and an optional caption.

use web_sys::Element;

use super::{
    dom::{attrs, child, el},
    widget::Ctx,
};
use crate::{TileModel, class, tile::WEBP};

/// `auto` lets the browser use the laid-out width of a lazy image; the rest is for others.
const SIZES: &str = "auto, 33vw";

/// Builds the tile of `tile`. The box's size comes from the layout's CSS (squares, or the
/// masonry's placement), never from the image, so nothing moves when it loads.
pub(crate) fn tile(tile: &TileModel, ctx: &Ctx) -> Element {
    let a = el("a", &class::tile(tile.kind, false));
    attrs(
        &a,
        &[
            ("href", &tile.href),
            ("target", &ctx.opts.target),
            ("rel", "noopener noreferrer"),
        ],
    );
    if let Some(color) = &tile.color {
        _ = a.set_attribute("style", &["background-color:", color].concat());
    }
    let picture = child(&a, "picture", "");
    if let Some(webp) = &tile.webp {
        let source = child(&picture, "source", "");
        attrs(
            &source,
            &[("type", WEBP), ("sizes", SIZES), ("srcset", webp)],
        );
    }
    // Not in the document yet: `loading` must come before `src`, or the image loads eagerly.
    let img = el("img", class::IMG);
    attrs(
        &img,
        &[
            ("loading", "lazy"),
            ("decoding", "async"),
            ("alt", &tile.alt),
        ],
    );
    if let Some(srcset) = &tile.srcset {
        attrs(&img, &[("sizes", SIZES), ("srcset", srcset)]);
    }
    _ = img.set_attribute("src", &tile.src);
    _ = picture.append_child(&img);
    if let Some(modifier) = class::badge_kind(tile.kind) {
        let badge = child(&a, "span", &class::list(&[class::BADGE, modifier]));
        let label = if modifier.ends_with("video") {
            "Video"
        } else {
            "Album"
        };
        attrs(&badge, &[("role", "img"), ("aria-label", label)]);
    }
    if let Some(text) = tile.caption.as_deref().filter(|_| ctx.opts.captions) {
        let caption = child(&a, "p", class::CAPTION);
        _ = caption.set_attribute("dir", "auto");
        caption.set_text_content(Some(text));
    }
    a
}
