//! A loopback fake of Instagram's Graph API (Instagram Login, `graph.instagram.com`), of its CDN,
//! and of Instagram Login's consent page and code exchange (`authorize_url`, `token_url`),
//! following `shared/instagram/API.md` and its fixtures. Used by the proxy's integration tests and
//! by `feedframe demo`.
//!
//! ```no_run
//! # async fn demo() {
//! use fake_instagram::{Fault, FakeInstagram, Route};
//! let ig = FakeInstagram::start().await;
//! let token = ig.issue_token(60 * 86_400);
//! ig.push_fault(Route::Media, Fault::RateLimit403);
//! // point the client at ig.graph_base() …
//! assert_eq!(ig.calls(Route::Media), 0);
//! # let _ = token;
//! # }
//! ```

mod asset;
mod cdn;
mod cdn_url;
mod clock;
mod endpoints;
mod fault;
mod fields;
mod graph;
mod graph_error;
mod inject;
mod jpeg;
mod json;
mod login;
mod media;
mod paging;
mod post;
mod sample;
mod server;
mod state;
mod token;
mod usage;

pub use asset::video_bytes;
pub use fault::{Fault, Route};
pub use jpeg::jpeg_bytes;
pub use post::{FakeChild, FakeKind, FakePost};
pub use sample::sample_posts;
pub use server::FakeInstagram;
pub use token::Revocation;
