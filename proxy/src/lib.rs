//! FeedFrame's token proxy: keeps Instagram access tokens server-side, refreshes them, fetches and
//! caches feeds, and serves the public feed JSON and the widget.
//!
//! One folder per concern:
//! - [`instagram`]: the API client, its errors, Instagram Login, token secrets, signed CDN URLs;
//! - [`feeds`]: the cache with its single flight, one upstream fetch, assembly into the contract;
//! - [`tokens`]: adding a token, the background refresher;
//! - [`media`]: mirroring (download, transcode, placeholder), the files, their index and GC;
//! - [`moderation`]: which posts visitors may see (hidden posts, rules, approval);
//! - [`store`]: SQLite or PostgreSQL, behind one interface;
//! - [`server`]: starting the app, the HTTP routes, the first view, the widget's files;
//! - [`console`], [`alerts`], [`meta`], [`telemetry`]: the owner's console, alerts, Meta's
//!   callbacks and `/metrics`;
//! - [`cli`]: the `feedframe` command line (and `feedframe demo`).

pub mod alerts;
pub mod cli;
pub mod codec;
pub mod config;
pub mod console;
pub mod error;
pub mod feeds;
pub mod instagram;
pub mod media;
pub mod meta;
pub mod moderation;
pub mod server;
pub mod store;
pub mod telemetry;
pub mod tokens;

mod clock;
#[cfg(test)]
mod outside_input;

pub use config::Config;
pub use error::ProxyError;
pub use server::app::{RunningApp, start};
