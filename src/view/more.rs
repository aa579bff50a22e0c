//! "Load more" (`load-more="N"`): a button below the posts that shows the next N of those the
//! widget already has (the proxy keeps up to `FEEDFRAME_POST_COUNT`), so no request is made.
//! Its space is reserved from the first paint and stays when the button goes, so nothing below
//! the widget moves, and new tiles appear below the old ones.

use leptos::prelude::*;

use crate::class;

/// The button, while some of the `total` posts are not shown.
#[component]
pub fn LoadMore(shown: RwSignal<usize>, total: usize, step: u8) -> impl IntoView {
    let step = usize::from(step);
    let button = move || {
        (shown.get() < total).then(|| {
            view! {
                <button
                    type="button"
                    class=class::MORE_BUTTON
                    on:click=move |_| shown.update(|s| *s = (*s + step).min(total))
                >
                    "Load more"
                </button>
            }
        })
    };
    view! { <div class=class::MORE>{button}</div> }
}
