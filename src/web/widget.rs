//! The widget's root: one explicit state (loading, ready, fallback) and the view of each.

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use feedframe_feed::{Feed, profile_url};
use leptos::{prelude::*, task::spawn_local};
use wasm_bindgen::JsCast;
use web_sys::Element;

use super::{
    dom::{Keep, attrs, child},
    fetch,
    grid::grid,
    masonry::masonry,
    slider::slider,
    warn,
};
use crate::{
    Layout, Options, TileModel, WidgetError,
    class::{self, WidgetState},
    error::{feed_url, outcome, status_warning},
    fallback::{Fallback, choose_fallback},
};

/// What the widget shows right now.
#[derive(Clone)]
pub(crate) enum Phase {
    Loading,
    Ready(Arc<Feed>),
    Fallback(Arc<WidgetError>),
}

impl Phase {
    fn state(&self) -> WidgetState {
        match self {
            Self::Loading => WidgetState::Loading,
            Self::Ready(_) => WidgetState::Ready,
            Self::Fallback(_) => WidgetState::Fallback,
        }
    }

    /// Posts to show, or the reason there are none; logs the cause for the site owner.
    pub(crate) fn from_result(result: Result<Feed, WidgetError>) -> Self {
        match result {
            Ok(feed) => {
                if let Some(message) = status_warning(&feed) {
                    warn(&message);
                }
                Self::Ready(Arc::new(feed))
            }
            Err(error) => {
                warn(&error.warning());
                Self::Fallback(Arc::new(error))
            }
        }
    }
}

/// Everything a view needs besides the state.
pub(crate) struct Ctx {
    pub opts: Options,
    /// The proxy's base URL (media URLs are resolved against it); empty for in-memory feeds.
    pub base: String,
    /// Whether the custom element has fallback children of its own.
    pub has_children: bool,
}

/// Called when an image fails: re-fetches the feed once (image URLs may have rotated).
pub(crate) type OnBroken = Arc<dyn Fn() + Send + Sync>;

/// Loads the feed from the proxy into `phase`, using the loader's prefetch when there is one.
pub(crate) fn load(ctx: &Ctx, prefetch: Option<js_sys::Promise>, phase: RwSignal<Phase>) {
    spawn_local(update(ctx, prefetch, phase, false));
}

/// The image-error handler: at most one re-fetch per widget; a failed re-fetch keeps the posts.
pub(crate) fn refetch_once(ctx: &Ctx, phase: RwSignal<Phase>) -> OnBroken {
    let done = AtomicBool::new(ctx.base.is_empty());
    let ctx = Ctx {
        opts: ctx.opts.clone(),
        base: ctx.base.clone(),
        has_children: ctx.has_children,
    };
    Arc::new(move || {
        if !done.swap(true, Ordering::Relaxed) {
            spawn_local(update(&ctx, None, phase, true));
        }
    })
}

/// One future type for the first load and the re-fetch (each future type costs wasm size).
fn update(
    ctx: &Ctx,
    prefetch: Option<js_sys::Promise>,
    phase: RwSignal<Phase>,
    refetch: bool,
) -> impl Future<Output = ()> + use<> {
    let url = feed_url(&ctx.base, &ctx.opts.feed);
    let feed = ctx.opts.feed.clone();
    async move {
        let fetched = match prefetch {
            Some(promise) => fetch::settle(promise).await,
            None => fetch::get(&url).await,
        };
        let result = outcome(&feed, &url, fetched);
        if !refetch || result.is_ok() {
            phase.set(Phase::from_result(result));
        }
    }
}

/// The root element inside the shadow root, with `data-state`, `data-layout` and `data-status`.
/// Leptos owns it and the state machine: each state change rebuilds its attributes and its body.
/// The body itself is plain DOM built by [`body`] (see `dom.rs` for why).
pub(crate) fn widget(ctx: Arc<Ctx>, phase: RwSignal<Phase>, on_broken: OnBroken) -> impl IntoView {
    move || {
        let current = phase.get();
        let state = current.state().as_str();
        let status = match &current {
            Phase::Ready(feed) => Some(feed.status.as_str()),
            _ => None,
        };
        let busy = matches!(current, Phase::Loading).then_some("true");
        let body_of = Body {
            ctx: ctx.clone(),
            phase: current,
            on_broken: on_broken.clone(),
        };
        view! {
            <div
                class=class::ROOT
                data-state=state
                data-layout=ctx.opts.layout.as_str()
                data-status=status
                aria-busy=busy
                style=ctx.opts.inline_style()
                use:body=body_of
            ></div>
        }
    }
}

/// What [`body`] builds from.
#[derive(Clone)]
pub(crate) struct Body {
    ctx: Arc<Ctx>,
    phase: Phase,
    on_broken: OnBroken,
}

/// Replaces the root's content with the view of the current state. Runs inside the render
/// effect, so what it keeps alive (handlers, observer, autoplay) goes with the next state.
fn body(
    root: Element,
    Body {
        ctx,
        phase,
        on_broken,
    }: Body,
) {
    root.set_text_content(None);
    let mut keep = Keep::default();
    match phase {
        Phase::Loading => skeleton(&root, &ctx.opts),
        Phase::Ready(feed) => ready(&root, &ctx, &feed, on_broken, &mut keep),
        Phase::Fallback(error) => fallback(&root, &ctx, &error),
    }
    StoredValue::new_local(keep);
}

/// Boxes of the final size: `limit` boxes in the layout's own container (squares; masonry boxes
/// have the reference ratio, from the stylesheet). The loader draws the same skeleton before the
/// wasm arrives (see `loader/widget.js`).
fn skeleton(root: &Element, opts: &Options) {
    let parent = if opts.layout == Layout::Slider {
        child(root, "div", class::SLIDER)
    } else {
        root.clone()
    };
    let container = if opts.layout == Layout::Slider {
        class::list(&[class::LAYOUT, class::TRACK])
    } else {
        class::list(&[class::LAYOUT, class::GRID])
    };
    let boxes = child(&parent, "div", &container);
    let tile = class::list(&[class::TILE, class::TILE_SKELETON]);
    for _ in 0..opts.limit {
        child(&boxes, "div", &tile);
    }
}

fn ready(root: &Element, ctx: &Ctx, feed: &Feed, on_broken: OnBroken, keep: &mut Keep) {
    let username = &feed.profile.username;
    let profile = profile_url(username);
    let tiles: Vec<TileModel> = feed
        .posts
        .iter()
        .take(usize::from(ctx.opts.limit))
        .map(|post| TileModel::new(post, username, &profile, &ctx.base))
        .collect();
    let container = match ctx.opts.layout {
        Layout::Grid => grid(root, ctx, &tiles),
        Layout::Slider => slider(root, ctx, &tiles, keep),
        Layout::Masonry => masonry(root, ctx, &tiles, keep),
    };
    // Image errors do not bubble: one capturing listener serves every tile.
    keep.on(&container, "error", true, move |e| {
        let tile = e
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|img| img.closest(&class::sel(class::TILE)).ok().flatten());
        if let Some(tile) = tile {
            // Straight to the neutral placeholder; the re-fetch may bring fresh URLs.
            _ = tile.class_list().add_1(class::TILE_BROKEN);
            on_broken();
        }
    });
}

fn fallback(root: &Element, ctx: &Ctx, error: &WidgetError) {
    let chosen = choose_fallback(ctx.has_children, ctx.opts.fallback_text.as_deref(), error);
    let box_ = child(root, "div", class::FALLBACK);
    let (text, href) = match chosen {
        // The element's own children, projected; they keep the page's styles.
        Fallback::Children => {
            child(&box_, "slot", "");
            return;
        }
        Fallback::Text { text, href } => (text, href),
        Fallback::Card { label, href } => (label, href),
    };
    let card = child(&box_, "a", class::CARD);
    attrs(
        &card,
        &[
            ("href", &href),
            ("target", &ctx.opts.target),
            ("rel", "noopener noreferrer"),
        ],
    );
    card.set_text_content(Some(&text));
}
