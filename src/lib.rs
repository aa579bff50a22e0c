//! FeedFrame's embeddable widget: an Instagram feed rendered by Leptos (client-side, WebAssembly)
//! inside an open shadow root.
//!
//! The pure parts (options, CSS class names, tile data, error causes, fallback choice) are
//! target-independent and unit-tested natively; the view code lives in [`web`] and only exists
//! on `wasm32`.

pub mod class;
pub mod error;
pub mod fallback;
pub mod measure;
pub mod options;
pub mod tile;
#[cfg(target_arch = "wasm32")]
pub mod web;

pub use error::{Fetched, WidgetError, outcome};
pub use fallback::{Fallback, choose_fallback};
pub use feedframe_feed as feed;
pub use options::{Layout, OptionWarning, Options};
pub use tile::TileModel;

/// The widget's stylesheet, for hosts that have no loader to inject it (the Leptos component and
/// the component tests). The JS loader inlines the same file at build time.
pub const STYLESHEET: &str = include_str!("../style/widget.css");
