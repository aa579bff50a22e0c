//! FeedFrame's token proxy: keeps Instagram access tokens server-side, refreshes them, fetches and
//! caches feeds, and serves the public feed JSON and the widget.

pub mod alerts;
pub mod app;
pub mod cache;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod console;
pub mod error;
pub mod first_view;
pub mod graph;
pub mod http;
pub mod instagram_login;
pub mod media_files;
pub mod meta;
pub mod mirror;
pub mod refresher;
pub mod secret;
pub mod store;
pub mod telemetry;
pub mod tokens;
pub mod widget_assets;

mod assemble;
mod classify;
mod clock;
#[cfg(feature = "demo")]
mod demo;
mod download;
mod fetch;
mod flight;
mod gc;
mod media_gate;
mod media_index;
#[cfg(test)]
mod outside_input;
mod placeholder;
mod private_files;
mod public_address;
mod signed_url;
mod transcode;

pub use app::{RunningApp, start};
pub use config::Config;
pub use error::ProxyError;
