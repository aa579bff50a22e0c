//! The browser side (wasm32 only): the Leptos views, the exported `mount` entry point for the JS
//! loader, the [`FeedFrame`] component for Leptos apps, fetching and decoding.

mod component;
mod decode;
mod dom;
mod fetch;
mod grid;
mod masonry;
mod mount;
mod slider;
mod tile;
mod widget;

pub use component::FeedFrame;
pub use mount::{Source, mount, mount_feed};

/// Logs a warning for the site owner.
pub(crate) fn warn(message: &str) {
    web_sys::console::warn_1(&message.into());
}

/// Whether the visitor asked for reduced motion.
pub(crate) fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}
