//! Every CSS class and state name the widget uses, in one place: the views and the tests use
//! these, `style/widget.css` styles them, and the loader finds its three (`ff-mount`, `ff-data`,
//! `ff-reserve`) in the stylesheet it is built with.

use feedframe_feed::PostKind;

/// The element the server's view sits in and the browser hydrates (its first child is the root).
pub const MOUNT: &str = "ff-mount";
/// The `<script type="application/json">` holding the feed the server's view was rendered from.
pub const DATA: &str = "ff-data";
/// The box the loader reserves before the first view arrives (sized by the stylesheet from the
/// embed's own attributes).
pub const RESERVE: &str = "ff-reserve";
/// The widget's root element; carries `data-state` and `data-layout`.
pub const ROOT: &str = "ff-root";
/// Any layout container (grid, slider, masonry or skeleton); it resolves `--ff-cols`.
pub const LAYOUT: &str = "ff-layout";
pub const GRID: &str = "ff-grid";
pub const SLIDER: &str = "ff-slider";
pub const TRACK: &str = "ff-track";
pub const SLIDE: &str = "ff-slide";
pub const MASONRY: &str = "ff-masonry";
/// One post (a link), or one skeleton box.
pub const TILE: &str = "ff-tile";
pub const TILE_SKELETON: &str = "ff-tile--skeleton";
/// Added when the image failed to load: the tile shows a neutral placeholder.
pub const TILE_BROKEN: &str = "ff-tile--broken";
pub const IMG: &str = "ff-img";
pub const BADGE: &str = "ff-badge";
pub const CAPTION: &str = "ff-caption";
pub const NAV: &str = "ff-nav";
pub const PREV: &str = "ff-prev";
pub const NEXT: &str = "ff-next";
pub const FALLBACK: &str = "ff-fallback";
/// The "Follow @x on Instagram" / fallback-text card.
pub const CARD: &str = "ff-card";
/// The space below the posts that holds the "Load more" button (`load-more`).
pub const MORE: &str = "ff-more";
pub const MORE_BUTTON: &str = "ff-more-button";
/// The lightbox (`click="lightbox"`): a modal `<dialog>` and its parts.
pub const LIGHTBOX: &str = "ff-lightbox";
pub const LB_CLOSE: &str = "ff-lb-close";
pub const LB_PREV: &str = "ff-lb-prev";
pub const LB_NEXT: &str = "ff-lb-next";
pub const LB_POST: &str = "ff-lb-post";
/// The area that shows the current slide (an image or a video); swiped for the next.
pub const LB_MEDIA: &str = "ff-lb-media";
pub const LB_SLIDE: &str = "ff-lb-slide";
pub const LB_IMG: &str = "ff-lb-img";
pub const LB_VIDEO: &str = "ff-lb-video";
/// "Watch on Instagram", over a video's thumbnail when the proxy has no file for it.
pub const LB_WATCH: &str = "ff-lb-watch";
/// A carousel's position dots.
pub const LB_DOTS: &str = "ff-lb-dots";
pub const LB_DOT: &str = "ff-lb-dot";
pub const LB_TEXT: &str = "ff-lb-text";
pub const LB_CAPTION: &str = "ff-lb-caption";
pub const LB_DATE: &str = "ff-lb-date";
pub const LB_LINK: &str = "ff-lb-link";

/// The modifier class of a tile, e.g. `ff-tile--video`.
pub fn tile_kind(kind: PostKind) -> &'static str {
    match kind {
        PostKind::Image => "ff-tile--image",
        PostKind::Video => "ff-tile--video",
        PostKind::Carousel => "ff-tile--carousel",
    }
}

/// The full class list of a post tile.
///
/// ```
/// use feedframe_widget::{class, feed::PostKind};
/// assert_eq!(class::tile(PostKind::Video, true), "ff-tile ff-tile--video ff-tile--broken");
/// ```
pub fn tile(kind: PostKind, broken: bool) -> String {
    let mut classes = [TILE, tile_kind(kind)].join(" ");
    if broken {
        classes.push(' ');
        classes.push_str(TILE_BROKEN);
    }
    classes
}

/// Joins class names into one `class` attribute value.
pub fn list(names: &[&str]) -> String {
    names.join(" ")
}

/// A CSS selector for one class name, for queries and tests: `sel(GRID)` is `.ff-grid`.
pub fn sel(name: &str) -> String {
    format!(".{name}")
}

/// The badge modifier for a post kind, if it has one (images have none).
pub fn badge_kind(kind: PostKind) -> Option<&'static str> {
    match kind {
        PostKind::Image => None,
        PostKind::Video => Some("ff-badge--video"),
        PostKind::Carousel => Some("ff-badge--carousel"),
    }
}

/// The widget root's `data-state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WidgetState {
    /// The skeleton (final height) is showing.
    Loading,
    /// Posts are showing (possibly stale ones).
    Ready,
    /// No posts could be had; the fallback is showing.
    Fallback,
}

impl WidgetState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Loading => "loading",
            Self::Ready => "ready",
            Self::Fallback => "fallback",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_classes_are_modifiers_of_the_tile_and_badge() {
        for kind in [PostKind::Image, PostKind::Video, PostKind::Carousel] {
            assert_eq!(tile_kind(kind), format!("{TILE}--{}", kind.as_str()));
        }
        assert_eq!(badge_kind(PostKind::Image), None);
        assert_eq!(badge_kind(PostKind::Video), Some("ff-badge--video"));
    }

    #[test]
    fn every_class_is_styled_by_the_stylesheet() {
        let css = crate::STYLESHEET;
        for name in [
            ROOT,
            RESERVE,
            GRID,
            SLIDER,
            TRACK,
            SLIDE,
            MASONRY,
            TILE,
            TILE_SKELETON,
            TILE_BROKEN,
            IMG,
            BADGE,
            CAPTION,
            NAV,
            PREV,
            NEXT,
            CARD,
            MORE,
            MORE_BUTTON,
            LIGHTBOX,
            LB_CLOSE,
            LB_PREV,
            LB_NEXT,
            LB_POST,
            LB_MEDIA,
            LB_SLIDE,
            LB_IMG,
            LB_VIDEO,
            LB_WATCH,
            LB_DOTS,
            LB_DOT,
            LB_TEXT,
            LB_CAPTION,
            LB_DATE,
            LB_LINK,
            "ff-badge--video",
            "ff-badge--carousel",
        ] {
            assert!(
                css.contains(&format!(".{name}")),
                "{name} is not in widget.css"
            );
        }
    }

    #[test]
    fn masonry_skeleton_boxes_have_the_reference_ratio_of_the_placement() {
        // The skeleton's height is the placed masonry's only if both use the same ratio.
        let rule = "[data-layout=masonry] .ff-tile{aspect-ratio:9/10}";
        assert!(
            crate::STYLESHEET.contains(rule),
            "{rule} is not in widget.css"
        );
        assert_eq!(9.0 / 10.0, feedframe_feed::MASONRY_REFERENCE_RATIO);
    }
}
