//! The loading state: `limit` boxes of the final size in the layout's own container (squares;
//! masonry boxes have the reference ratio, from the stylesheet), so nothing below the widget
//! moves when the posts arrive.

use leptos::{either::Either, prelude::*};

use crate::{Layout, Options, class};

/// Boxes of the final geometry.
#[component]
pub fn Loading(opts: Options) -> impl IntoView {
    let tile = class::list(&[class::TILE, class::TILE_SKELETON]);
    let boxes = (0..opts.limit)
        .map(|_| view! { <div class=tile.clone()></div> })
        .collect_view();
    if opts.layout == Layout::Slider {
        Either::Left(view! {
            <div class=class::SLIDER>
                <div class=class::list(&[class::LAYOUT, class::TRACK])>{boxes}</div>
            </div>
        })
    } else {
        Either::Right(view! { <div class=class::list(&[class::LAYOUT, class::GRID])>{boxes}</div> })
    }
}
