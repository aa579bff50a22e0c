//! The running server: start and stop with its background tasks ([`app`]), the HTTP routes
//! ([`router`]) with one file per handler or rule, the widget's server-rendered first view and
//! its built files.
//!
//! - [`router`]: the `Router` and the state every handler reaches;
//! - `feed`: the feed JSON and the headers of everything made from a feed (caching, status);
//! - [`first_view`]: the server-rendered view (`/view`) and embed page (`/embed`);
//! - `media_file`, `health`, `index`, [`widget_assets`]: the other routes;
//! - `cors`, `conditional` (ETag, `304`), [`api_error`]: rules every route follows;
//! - `byte_range`: range requests (`206`, `416`), for the media files;
//! - `feed_counter`: the feed requests counted for `/metrics`.

pub mod api_error;
pub mod app;
mod byte_range;
mod conditional;
mod cors;
mod feed;
mod feed_counter;
pub mod first_view;
mod health;
mod index;
mod media_file;
pub mod router;
pub mod widget_assets;

pub use api_error::error_response;
pub use router::{AppState, router};
