//! The proxy's error type: what went wrong, in words an owner understands.

use crate::instagram::client::GraphError;

#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    #[error("feed '{0}' does not exist")]
    FeedNotFound(String),
    #[error("feed '{0}' has no access token; add one with `feedframe token add {0} --token …`")]
    NoToken(String),
    #[error(transparent)]
    Instagram(#[from] GraphError),
    #[error("storage error: {0}")]
    Storage(#[from] crate::store::sql::DbError),
    #[error("cannot use the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(String),
    /// The CDN said `URL signature expired` (or the URL's `oe` has passed): a fresh media list
    /// brings a newly signed URL.
    #[error("the image URL's signature expired")]
    MediaExpired,
    /// The image is not one FeedFrame will mirror (host, size, type, pixel count); retrying the
    /// same file will not help.
    #[error("the image was refused: {0}")]
    MediaRefused(String),
    /// The CDN or the network failed for now (5xx, timeout, connection).
    #[error("the image could not be downloaded: {0}")]
    MediaUnavailable(String),
    /// Writing or reading the mirrored files failed.
    #[error("cannot use the media directory {path}: {source}")]
    MediaDir {
        path: String,
        source: std::io::Error,
    },
    /// The media bucket (`FEEDFRAME_MEDIA_STORE`) failed; the message quotes no credential.
    #[error("cannot use the media store {store} (FEEDFRAME_MEDIA_STORE): {message}")]
    MediaStore { store: String, message: String },
}
