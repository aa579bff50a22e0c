//! Mirrored images: downloaded once from Instagram's CDN (public addresses only), transcoded into
//! width variants with a placeholder, stored content-addressed in the data directory or a bucket,
//! indexed, and collected when no feed names them.

pub(crate) mod bucket;
pub(crate) mod download;
pub mod files;
pub(crate) mod gate;
pub(crate) mod gc;
pub(crate) mod index;
pub mod local;
pub mod mirror;
pub(crate) mod placeholder;
pub(crate) mod public_address;
pub(crate) mod transcode;
