//! The proxy's error type: what went wrong, in words an owner understands.

use crate::graph::GraphError;

#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    #[error("feed '{0}' does not exist")]
    FeedNotFound(String),
    #[error("feed '{0}' has no access token; add one with `feedframe token add {0} --token …`")]
    NoToken(String),
    #[error(transparent)]
    Instagram(#[from] GraphError),
    #[error("storage error: {0}")]
    Storage(#[from] rusqlite::Error),
    #[error("cannot use the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(String),
}
