//! The browser side (wasm32): the exported entry points the JS loader calls, the [`FeedFrame`]
//! component for Leptos apps, and getting the feed (gloo-net, decoded by serde-wasm-bindgen into
//! `feed`'s own types).

mod component;
mod fetch;
mod mount;
mod reload;

pub use component::FeedFrame;
pub use fetch::decode_json as decode;
pub use mount::{Mounted, Source, mount, mount_feed};

/// Logs a warning for the site owner.
pub(crate) fn warn(message: &str) {
    web_sys::console::warn_1(&message.into());
}
