//! The interactive parts of FeedFrame's owner console, as Leptos components used twice: rendered
//! to HTML by the proxy (feature `ssr`) inside the console's pages, and hydrated in the browser
//! (feature `hydrate`, built to wasm by Trunk from `console-ui/index.html`). Without JavaScript
//! the server's HTML is the whole page and every form still submits.
//!
//! The snippets are written by [`snippet`], the one definition both sides run; options are read
//! by the widget's own parser (`feedframe_feed::options`).

pub mod browser;
pub mod builder;
pub mod copy;
#[cfg(all(target_arch = "wasm32", feature = "hydrate"))]
pub mod hydrate;
pub mod island;
pub mod snippet;

pub use builder::{Builder, BuilderData};
pub use copy::{CopyBlock, CopyButton, CopyData};
pub use island::Island;
