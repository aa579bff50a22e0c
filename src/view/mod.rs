//! The widget's views: one set of Leptos components, rendered to HTML by the proxy (feature
//! `ssr`), hydrated in the page (feature `hydrate`), or rendered client-side when there is no
//! server HTML (the fragment failed, or a Leptos app mounts [`crate::web::FeedFrame`]).
//!
//! Behaviour that needs a browser (the slider's buttons and autoplay, the masonry's columns on
//! resize, re-fetching after a broken image) lives in event handlers and `Effect`s, which only
//! run in the browser, after hydration.

mod date;
mod fallback;
mod grid;
mod lightbox;
mod loading;
mod masonry;
mod more;
mod phase;
mod posts;
mod root;
mod slider;
mod tile;
mod tiles;

pub use phase::Phase;
pub use root::{Ctx, Widget};
