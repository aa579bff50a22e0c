//! The widget's root element, with `data-state`, `data-layout` and `data-status`, and the view of
//! the current [`Phase`].

use std::sync::Arc;

use leptos::{either::EitherOf3, prelude::*};

use super::{Phase, fallback::FallbackView, lightbox::Opener, loading::Loading, posts::Posts};
use crate::{Options, class};

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
    // The tiles open the lightbox through it (with `click="lightbox"`).
    provide_context(Opener::new());
    let layout = ctx.opts.layout.as_str();
    let captions = ctx.opts.captions.as_str();
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
        Phase::Loading => EitherOf3::A(view! { <Loading opts=ctx.opts.clone() /> }),
        Phase::Ready(feed) => EitherOf3::B(view! { <Posts ctx=ctx.clone() feed /> }),
        Phase::Fallback(error) => EitherOf3::C(view! { <FallbackView ctx=ctx.clone() error /> }),
    };
    view! {
        <div
            class=class::ROOT
            data-state=state
            data-layout=layout
            data-captions=captions
            data-status=status
            aria-busy=busy
            style=style
        >
            {body}
        </div>
    }
}
