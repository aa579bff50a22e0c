//! FeedFrame's embeddable widget: an Instagram feed as one set of Leptos components ([`view`]),
//! rendered to HTML by the proxy ([`render`], feature `ssr`) for the first paint and hydrated in
//! the page's shadow root by the wasm ([`web`], feature `hydrate`), or rendered client-side.
//!
//! The pure parts (options, CSS class names, tile data, error causes, fallback choice) are
//! target-independent and unit-tested natively.

pub mod class;
pub mod error;
pub mod fallback;
pub mod gallery;
pub mod measure;
pub mod picture;
#[cfg(feature = "ssr")]
pub mod render;
pub mod tile;
pub mod view;
#[cfg(target_arch = "wasm32")]
pub mod web;

pub use error::{Fetched, WidgetError, outcome};
pub use fallback::{Fallback, choose_fallback};
pub use feedframe_feed as feed;
/// The embed options and their one parser (defined in `feed`, shared with the proxy's console).
pub use feedframe_feed::options;
pub use options::{Captions, Click, Layout, OptionWarning, Options};
pub use tile::TileModel;

/// The widget's stylesheet, for hosts that have no loader to inject it (the Leptos component and
/// the component tests). The JS loader inlines the same file at build time.
pub const STYLESHEET: &str = include_str!("../style/widget.css");
