//! FeedFrame's public feed contract (`GET /v1/feeds/{feed}`) and the pure logic that the widget
//! (wasm32) and the proxy (native) share.
//!
//! ```
//! use feedframe_feed::{Feed, FeedStatus};
//! let feed: Feed = serde_json::from_str(r#"{"version":1,"feed":"main","status":"live",
//!   "profile":{"username":"a","profile_url":"https://www.instagram.com/a/"},"posts":[]}"#).unwrap();
//! assert_eq!(feed.status, FeedStatus::Live);
//! ```

mod contract;
mod error;
pub mod html;
mod masonry;
mod name;
pub mod options;
mod query;
mod text;

pub use contract::{
    FEED_VERSION, Feed, FeedStatus, Media, Post, PostKind, Profile, Variant, Video,
};
pub use error::{ApiError, ApiErrorBody};
pub use masonry::{
    MASONRY_REFERENCE_RATIO, MASONRY_SHARE_SCALE, MasonryPlacement, MasonrySlot, masonry_height,
    masonry_slots, place_masonry,
};
pub use name::{FEED_NAME_CHARS, is_feed_name, parse_feed_name};
pub use query::percent_encode;
pub use text::{alt_text, normalize_timestamp, profile_url};
