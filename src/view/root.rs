//! The widget's root element, with `data-state`, `data-layout` and `data-status`, and the view of
//! the current [`Phase`].

use std::sync::Arc;

use leptos::{either::EitherOf5, prelude::*};

use super::{
    Phase, fallback::FallbackView, grid::Grid, loading::Loading, masonry::Masonry, slider::Slider,
};
use crate::{Layout, Options, TileModel, class};
use feedframe_feed::profile_url;

/// Everything the views need besides the phase.
pub struct Ctx {
    pub opts: Options,
    /// The proxy's base URL: path-absolute media URLs are resolved against it (`""` keeps them
    /// relative, for pages served by the proxy itself).
    pub base: String,
    /// Whether the `<feedframe-feed>` element has fallback children of its own.
    pub has_children: bool,
    /// Called when an image fails to load (re-fetches the feed once; a no-op on the server).
    pub on_broken: Callback<()>,
}

/// The widget: its root element and the view of `phase`, which may change (a re-fetch).
#[component]
pub fn Widget(ctx: Arc<Ctx>, phase: RwSignal<Phase>) -> impl IntoView {
    let layout = ctx.opts.layout.as_str();
    let style = Some(ctx.opts.inline_style()).filter(|s| !s.is_empty());
    let state = move || phase.with(|p| p.state().as_str());
    let status = move || {
        phase.with(|p| match p {
            Phase::Ready(feed) => Some(feed.status.as_str()),
            _ => None,
        })
    };
    let busy = move || phase.with(|p| matches!(p, Phase::Loading).then_some("true"));
    let body = move || match phase.get() {
        Phase::Loading => EitherOf5::A(view! { <Loading opts=ctx.opts.clone() /> }),
        Phase::Ready(feed) => {
            let username = &feed.profile.username;
            let profile = profile_url(username);
            let tiles: Vec<TileModel> = feed
                .posts
                .iter()
                .take(usize::from(ctx.opts.limit))
                .map(|post| TileModel::new(post, username, &profile, &ctx.base))
                .collect();
            let ctx = ctx.clone();
            match ctx.opts.layout {
                Layout::Grid => EitherOf5::B(view! { <Grid ctx tiles /> }),
                Layout::Slider => EitherOf5::C(view! { <Slider ctx tiles /> }),
                Layout::Masonry => EitherOf5::D(view! { <Masonry ctx tiles /> }),
            }
        }
        Phase::Fallback(error) => EitherOf5::E(view! { <FallbackView ctx=ctx.clone() error /> }),
    };
    view! {
        <div
            class=class::ROOT
            data-state=state
            data-layout=layout
            data-status=status
            aria-busy=busy
            style=style
        >
            {body}
        </div>
    }
}
