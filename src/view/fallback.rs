//! The fallback: the element's own children, the site owner's text, or a card linking to the
//! account; never a blank box.

use std::sync::Arc;

use leptos::{either::Either, prelude::*};

use super::Ctx;
use crate::{
    WidgetError, class,
    fallback::{Fallback, choose_fallback},
};

/// The fallback chosen for `error`.
#[component]
pub fn FallbackView(ctx: Arc<Ctx>, error: Arc<WidgetError>) -> impl IntoView {
    let chosen = choose_fallback(ctx.has_children, ctx.opts.fallback_text.as_deref(), &error);
    let (text, href) = match chosen {
        // Projected from the light DOM, so it keeps the page's styles.
        Fallback::Children => {
            return Either::Left(view! { <div class=class::FALLBACK><slot></slot></div> });
        }
        Fallback::Text { text, href } => (text, href),
        Fallback::Card { label, href } => (label, href),
    };
    Either::Right(view! {
        <div class=class::FALLBACK>
            <a class=class::CARD href=href target=ctx.opts.target.clone() rel="noopener noreferrer">
                {text}
            </a>
        </div>
    })
}
