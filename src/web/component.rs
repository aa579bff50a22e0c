//! The widget as a Leptos component, for Leptos apps (no loader, no shadow root): it renders
//! client-side and fetches the feed itself.

use std::sync::Arc;

use leptos::prelude::*;

use super::reload::{load, refetch_once};
use crate::{
    Layout, Options, STYLESHEET,
    options::{Captions, Click, DEFAULT_LIMIT},
    view::{Ctx, Phase, Widget},
};

/// An Instagram feed from a FeedFrame proxy, rendered in place with its own stylesheet (class
/// names are `ff-` prefixed). Theme it with the same `--feedframe-*` custom properties.
///
/// ```no_run
/// use leptos::prelude::*;
/// use feedframe_widget::{Layout, web::FeedFrame};
/// # fn app() -> impl IntoView {
/// view! { <FeedFrame src="https://feeds.example.com" feed="main" layout=Layout::Masonry columns=3 /> }
/// # }
/// ```
#[component]
pub fn FeedFrame(
    /// Base URL of the FeedFrame proxy, e.g. `"https://feeds.example.com"`.
    #[prop(into)]
    src: String,
    /// The feed's name on the proxy. Default `"main"`.
    #[prop(into, default = "main".to_string())]
    feed: String,
    /// [`Layout::Grid`] (default), [`Layout::Slider`] or [`Layout::Masonry`].
    #[prop(optional)]
    layout: Layout,
    /// Columns (slides in view for the slider), clamped to 1–8. Default: responsive (2, 3 from
    /// 480 px, 4 from 800 px of widget width).
    #[prop(optional, into)]
    columns: Option<u8>,
    /// Posts shown, clamped to 1–50. Default 12.
    #[prop(default = DEFAULT_LIMIT)]
    limit: u8,
    /// Gap between tiles in pixels, at most 64. Default: `--feedframe-gap`, else 8.
    #[prop(optional, into)]
    gap: Option<u8>,
    /// Where captions are shown on the tiles: [`Captions::None`] (default), [`Captions::Below`]
    /// or [`Captions::Overlay`].
    #[prop(optional)]
    captions: Captions,
    /// What a click on a tile does: [`Click::Link`] (default) or [`Click::Lightbox`].
    #[prop(optional)]
    click: Click,
    /// Show a "Load more" button revealing this many more posts per click (1–50).
    #[prop(optional, into)]
    load_more: Option<u8>,
    /// The links' target. Default `"_blank"`.
    #[prop(into, default = "_blank".to_string())]
    target: String,
    /// Slider: advance every 5 s (paused on hover and focus, never with reduced motion).
    #[prop(optional)]
    autoplay: bool,
    /// Text of the fallback card shown when no posts can be had.
    #[prop(optional, into)]
    fallback_text: Option<String>,
) -> impl IntoView {
    let opts = Options {
        feed,
        layout,
        columns: columns.map(|c| c.clamp(1, 8)),
        limit: limit.clamp(1, 50),
        gap: gap.map(|g| g.min(64)),
        captions,
        click,
        load_more: load_more.map(|n| n.clamp(1, 50)),
        target,
        autoplay,
        fallback_text,
    };
    let base = src.trim_end_matches('/').to_string();
    let phase = RwSignal::new(Phase::Loading);
    load(&opts, &base, phase);
    let on_broken = refetch_once(&opts, &base, phase);
    let ctx = Arc::new(Ctx {
        opts,
        base,
        has_children: false,
        on_broken,
    });
    view! {
        <div class="feedframe">
            <style>{STYLESHEET}</style>
            <Widget ctx phase />
        </div>
    }
}
