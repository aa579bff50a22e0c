//! What an alert says: the event every channel delivers, in its own format.

use super::condition::{self, Condition, Inputs};
use crate::clock;

/// The `type` of an alert, as receivers see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    TokenDead,
    TokenExpiring,
    Stale,
    RateLimited,
    Recovered,
    /// Sent on request (the console's "Send test alert").
    Test,
}

impl EventKind {
    /// `feed.token_dead`, …, `test`: the webhook's `type` and the delivery log's event.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TokenDead => "feed.token_dead",
            Self::TokenExpiring => "feed.token_expiring",
            Self::Stale => "feed.stale",
            Self::RateLimited => "feed.rate_limited",
            Self::Recovered => "feed.recovered",
            Self::Test => "test",
        }
    }

    /// The kind [`EventKind::as_str`] names; `Test` for a name this version does not know.
    pub fn parse(s: &str) -> Self {
        [
            Self::TokenDead,
            Self::TokenExpiring,
            Self::Stale,
            Self::RateLimited,
            Self::Recovered,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
        .unwrap_or(Self::Test)
    }

    /// The alert announcing that a feed is now in `condition`.
    pub fn entering(condition: Condition) -> Self {
        match condition {
            Condition::Healthy => Self::Recovered,
            Condition::TokenDead => Self::TokenDead,
            Condition::TokenExpiring => Self::TokenExpiring,
            Condition::RateLimited => Self::RateLimited,
            Condition::Stale => Self::Stale,
        }
    }
}

/// One alert, ready for any channel. Holds no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertEvent {
    /// `msg_…`, unique per alert and the same on every retry (the `webhook-id`).
    pub id: String,
    pub kind: EventKind,
    /// Empty for a test alert.
    pub feed: String,
    pub username: String,
    pub condition: Condition,
    pub previous: Condition,
    /// The feed's state in plain words.
    pub state: String,
    /// Instagram's reason, if any.
    pub detail: String,
    /// When the change was noticed (Unix time).
    pub at: i64,
}

impl AlertEvent {
    /// The alert for a feed whose condition became `now` (from `inputs.previous`).
    pub fn change(now: Condition, inputs: &Inputs<'_>) -> Self {
        Self {
            id: new_id(),
            kind: EventKind::entering(now),
            feed: inputs.token.feed.clone(),
            username: inputs.token.username.clone(),
            condition: now,
            previous: inputs.previous,
            state: condition::describe(now, inputs),
            detail: condition::detail(now, inputs),
            at: inputs.now,
        }
    }

    /// A test alert.
    pub fn test() -> Self {
        Self {
            id: new_id(),
            kind: EventKind::Test,
            feed: String::new(),
            username: String::new(),
            condition: Condition::Healthy,
            previous: Condition::Healthy,
            state: "This is a test alert from FeedFrame: alerts reach you.".into(),
            detail: String::new(),
            at: clock::now(),
        }
    }

    /// A one-line summary: the e-mail subject.
    pub fn subject(&self) -> String {
        match self.kind {
            EventKind::Test => "[FeedFrame] test alert".into(),
            EventKind::Recovered => format!("[FeedFrame] {}: recovered", self.feed),
            _ => format!("[FeedFrame] {}: {}", self.feed, self.condition.words()),
        }
    }
}

/// `msg_` and 24 random base-62 characters.
fn new_id() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut rng = rand::rng();
    let tail: String = (0..24)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect();
    format!("msg_{tail}")
}
