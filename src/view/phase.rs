//! What the widget shows right now.

use std::sync::Arc;

use feedframe_feed::Feed;

use crate::{WidgetError, class::WidgetState};

/// The widget's one explicit state.
#[derive(Debug, Clone)]
pub enum Phase {
    /// The feed is on its way: boxes of the final size.
    Loading,
    /// Posts to show (possibly stale ones).
    Ready(Arc<Feed>),
    /// No posts can be had: the fallback.
    Fallback(Arc<WidgetError>),
}

impl Phase {
    /// The root's `data-state`.
    pub fn state(&self) -> WidgetState {
        match self {
            Self::Loading => WidgetState::Loading,
            Self::Ready(_) => WidgetState::Ready,
            Self::Fallback(_) => WidgetState::Fallback,
        }
    }

    /// Posts to show, or the reason there are none (see [`crate::outcome`]).
    pub fn of(result: Result<Feed, WidgetError>) -> Self {
        match result {
            Ok(feed) => Self::Ready(Arc::new(feed)),
            Err(error) => Self::Fallback(Arc::new(error)),
        }
    }
}
