//! What the server knows about its feeds without asking SQLite: which feed names exist, and which
//! feeds need their owner. Reloaded from the store every [`RELOAD_EVERY`] on a blocking thread,
//! and updated at once by this process's own findings, so `/healthz` and requests for unknown
//! feed names are answered from memory even while another process holds the database.
//!
//! A feed added or removed by another process (`feedframe token add`/`remove`) becomes known or
//! unknown here within [`RELOAD_EVERY`]: until then an unknown name is remembered as unknown.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::error::ProxyError;
use crate::store::{Store, TokenRecord, TokenState};

/// How often the catalog is read again from the store.
pub const RELOAD_EVERY: Duration = Duration::from_secs(2);
/// A token this close to its expiry needs the owner.
const EXPIRY_WARNING_SECS: i64 = 7 * 86_400;

/// The health of one feed's token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Health {
    state: TokenState,
    expires_at: Option<i64>,
}

#[derive(Debug, Default)]
struct Known {
    feeds: HashMap<String, Health>,
    /// Feeds whose last fetch Instagram refused for lack of permission (found by this process).
    refused: HashSet<String>,
}

/// The feeds of the store, as last read.
#[derive(Debug, Default)]
pub struct Catalog {
    known: RwLock<Known>,
}

impl Catalog {
    /// Reads every feed's token from the store (on a blocking thread) and replaces what is known.
    pub async fn reload(&self, store: &Arc<Store>) -> Result<(), ProxyError> {
        let tokens = store.run(Store::tokens).await?;
        self.replace(&tokens);
        Ok(())
    }

    fn replace(&self, tokens: &[TokenRecord]) {
        let feeds: HashMap<String, Health> = tokens
            .iter()
            .map(|t| {
                let health = Health {
                    state: t.state,
                    expires_at: t.expires_at,
                };
                (t.feed.clone(), health)
            })
            .collect();
        let mut known = self.known.write().unwrap_or_else(|p| p.into_inner());
        known.refused.retain(|name| feeds.contains_key(name));
        known.feeds = feeds;
    }

    /// Whether a feed of this name exists (as of the last reload).
    pub fn knows(&self, name: &str) -> bool {
        let known = self.known.read().unwrap_or_else(|p| p.into_inner());
        known.feeds.contains_key(name)
    }

    /// Records a token state this process found (a fetch said the token is dead, or a new token
    /// was read), ahead of the next reload.
    pub fn set_state(&self, name: &str, state: TokenState) {
        let mut known = self.known.write().unwrap_or_else(|p| p.into_inner());
        if let Some(health) = known.feeds.get_mut(name) {
            health.state = state;
        }
    }

    /// Records whether Instagram refuses this feed's fetches for lack of permission.
    pub fn set_refused(&self, name: &str, refused: bool) {
        let mut known = self.known.write().unwrap_or_else(|p| p.into_inner());
        if refused {
            known.refused.insert(name.to_string());
        } else {
            known.refused.remove(name);
        }
    }

    /// How many feeds need the owner at `now`: a dead token, one that expires within a week, or
    /// fetches Instagram refuses.
    pub fn needing_attention(&self, now: i64) -> usize {
        let known = self.known.read().unwrap_or_else(|p| p.into_inner());
        known
            .feeds
            .iter()
            .filter(|(name, h)| {
                h.state != TokenState::Active
                    || h.expires_at.is_some_and(|e| e - now < EXPIRY_WARNING_SECS)
                    || known.refused.contains(*name)
            })
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instagram::secret::Secret;

    fn token(feed: &str, state: TokenState, expires_at: Option<i64>) -> TokenRecord {
        TokenRecord {
            feed: feed.into(),
            token: Secret::new("t"),
            username: "u".into(),
            issued_at: 0,
            refreshed_at: None,
            expires_at,
            state,
            last_error: None,
            last_failure_at: None,
        }
    }

    #[test]
    fn dead_expiring_and_refused_feeds_need_the_owner_once_each() {
        let now = 1_000_000;
        let catalog = Catalog::default();
        catalog.replace(&[
            token("fine", TokenState::Active, Some(now + 30 * 86_400)),
            token("unknown_expiry", TokenState::Active, None),
            token("expiring", TokenState::Active, Some(now + 86_400)),
            token("dead", TokenState::Revoked, None),
            token("refused", TokenState::Active, None),
        ]);
        assert!(catalog.knows("fine") && !catalog.knows("nope"));
        assert_eq!(catalog.needing_attention(now), 2);
        catalog.set_refused("refused", true);
        catalog.set_refused("dead", true);
        assert_eq!(catalog.needing_attention(now), 3);
        catalog.set_state("fine", TokenState::Expired);
        assert_eq!(catalog.needing_attention(now), 4);
        // A reload keeps what only this process knows (refusals) for feeds that still exist.
        catalog.replace(&[token("refused", TokenState::Active, None)]);
        assert_eq!(catalog.needing_attention(now), 1);
        assert!(!catalog.knows("fine"), "a removed feed is forgotten");
        catalog.set_refused("refused", false);
        assert_eq!(catalog.needing_attention(now), 0);
    }
}
