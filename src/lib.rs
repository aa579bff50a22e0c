//! FeedFrame's embeddable widget. (Placeholder until the widget issue lands.)
pub use feedframe_feed as feed;
