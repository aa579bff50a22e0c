//! The token refresher: a background task beside the server that renews long-lived tokens long
//! before their 60-day expiry (API.md §3). A failed refresh never replaces, corrupts or deletes
//! the current token; a permanent error marks the token and stops the retries.

use std::sync::Arc;
use std::time::Duration;

use crate::clock;
use crate::config::Config;
use crate::error::ProxyError;
use crate::instagram::client::{Graph, TokenVerdict};
use crate::store::{Store, TokenRecord, TokenState};

/// Instagram refreshes only tokens at least a day old; we also refresh at most daily.
pub const MIN_AGE: i64 = 86_400;
/// At least this long between failed attempts.
pub const FAILURE_BACKOFF: i64 = 600;

/// Whether `token` should be refreshed at `now`.
pub fn due(token: &TokenRecord, now: i64, refresh_within: Duration) -> bool {
    if token.state != TokenState::Active || now - token.issued_at < MIN_AGE {
        return false;
    }
    if token
        .last_failure_at
        .is_some_and(|at| now - at < FAILURE_BACKOFF)
    {
        return false;
    }
    match token.expires_at {
        // Already expired: Instagram cannot refresh it; the next fetch or refresh says so.
        Some(exp) => exp - now <= refresh_within.as_secs() as i64,
        // Added without a known expiry: the first refresh tells us.
        None => true,
    }
}

/// What a refresh did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refreshed {
    /// The new token is stored; it expires then (Unix time).
    Renewed { expires_at: i64 },
    /// Another writer replaced the token while we refreshed; theirs is kept.
    Superseded,
    /// Another instance is refreshing this token right now.
    InProgress,
}

/// Refreshes one feed's token now and stores the result atomically. Only one instance at a time
/// refreshes a feed's token: `lease` is how soon another takes over if this one dies meanwhile.
pub async fn refresh(
    store: &Arc<Store>,
    graph: &Graph,
    feed: &str,
    lease: Duration,
) -> Result<Refreshed, ProxyError> {
    refresh_if(store, graph, feed, lease, |_| true).await
}

/// [`refresh`], if the token read under the lease is still `wanted` (another instance may have
/// refreshed it meanwhile).
async fn refresh_if(
    store: &Arc<Store>,
    graph: &Graph,
    feed: &str,
    lease: Duration,
    wanted: impl Fn(&TokenRecord) -> bool,
) -> Result<Refreshed, ProxyError> {
    let Some(held) = store.hold(&format!("refresh:{feed}"), lease).await? else {
        return Ok(Refreshed::InProgress);
    };
    let result = refresh_held(store, graph, feed, wanted).await;
    held.release().await;
    result
}

async fn refresh_held(
    store: &Arc<Store>,
    graph: &Graph,
    feed: &str,
    wanted: impl Fn(&TokenRecord) -> bool,
) -> Result<Refreshed, ProxyError> {
    let name = feed.to_string();
    let token = store
        .run(move |s| s.token(&name))
        .await?
        .ok_or_else(|| ProxyError::NoToken(feed.to_string()))?;
    if !wanted(&token) {
        return Ok(Refreshed::Superseded);
    }
    let now = clock::now();
    match graph.refresh(&token.token).await {
        Ok(new) => {
            let expires_at = clock::now() + new.expires_in;
            let (name, old) = (feed.to_string(), token.token.clone());
            let saved = store
                .run(move |s| s.save_refreshed(&name, &old, &new.token, expires_at, clock::now()))
                .await?;
            if saved {
                tracing::info!(feed, expires = %clock::human(expires_at), "access token refreshed");
                Ok(Refreshed::Renewed { expires_at })
            } else {
                Ok(Refreshed::Superseded)
            }
        }
        Err(e) => {
            graph.metrics().refresh_failure(feed);
            let state = e.token_verdict().map(|v| match v {
                TokenVerdict::Expired => TokenState::Expired,
                TokenVerdict::Revoked => TokenState::Revoked,
            });
            let message = format!("refresh failed: {e}");
            let (name, used, kind) = (feed.to_string(), token.token.clone(), e.kind());
            let current = store
                .run(move |s| s.record_token_failure(&name, &used, state, kind, &message, now))
                .await?;
            if !current {
                tracing::info!(
                    feed,
                    kind = e.kind(),
                    "a refresh of a token replaced meanwhile failed; the new token is kept as is"
                );
            } else if state.is_some() {
                tracing::error!(feed, kind = e.kind(), "the access token is dead: {e}");
            } else {
                tracing::warn!(
                    feed,
                    kind = e.kind(),
                    "token refresh failed, will retry: {e}"
                );
            }
            Err(e.into())
        }
    }
}

/// Refreshes every token that is due, then sleeps a tick; forever.
pub async fn run(store: Arc<Store>, graph: Arc<Graph>, config: Arc<Config>) {
    loop {
        match store.run(Store::tokens).await {
            Ok(tokens) => {
                let now = clock::now();
                for token in tokens.iter().filter(|t| due(t, now, config.refresh_within)) {
                    // Errors are recorded in the store and logged by `refresh`.
                    let still_due = |t: &TokenRecord| due(t, clock::now(), config.refresh_within);
                    let _ = refresh_if(&store, &graph, &token.feed, config.lease, still_due).await;
                }
                warn_about_expiry(&tokens, now);
            }
            Err(e) => tracing::error!("cannot read tokens: {e}"),
        }
        tokio::time::sleep(config.refresh_tick).await;
    }
}

/// Tells the owner in the log, days ahead, about tokens that will die.
fn warn_about_expiry(tokens: &[TokenRecord], now: i64) {
    for t in tokens {
        match (t.state, t.expires_at) {
            (TokenState::Active, Some(exp)) if exp <= now => tracing::warn!(
                feed = %t.feed,
                "the access token expired {} ago and could not be refreshed: {}",
                clock::span(now - exp),
                t.last_error.as_deref().unwrap_or("no refresh was attempted")
            ),
            (TokenState::Active, Some(exp)) if exp - now < 7 * 86_400 => tracing::warn!(
                feed = %t.feed,
                "the access token expires in {} and has not been refreshed: {}",
                clock::span(exp - now),
                t.last_error.as_deref().unwrap_or("no refresh attempted yet")
            ),
            (TokenState::Expired | TokenState::Revoked, _) => tracing::warn!(
                feed = %t.feed,
                "the access token is {}; visitors see the last good feed. Add a new token with `feedframe token add {} --token …`",
                t.state.as_str(),
                t.feed
            ),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instagram::secret::Secret;

    const DAY: i64 = 86_400;
    const WITHIN: Duration = Duration::from_secs(45 * 86_400);

    fn token(issued_at: i64, expires_at: Option<i64>) -> TokenRecord {
        TokenRecord {
            feed: "main".into(),
            token: Secret::new("t"),
            username: "u".into(),
            issued_at,
            refreshed_at: None,
            expires_at,
            state: TokenState::Active,
            last_error: None,
            last_failure_at: None,
        }
    }

    #[test]
    fn a_token_younger_than_a_day_is_never_refreshed() {
        let now = 100 * DAY;
        assert!(!due(&token(now - DAY + 60, Some(now + DAY)), now, WITHIN));
        assert!(due(&token(now - DAY, Some(now + DAY)), now, WITHIN));
    }

    #[test]
    fn a_token_is_refreshed_once_it_expires_within_the_window() {
        let now = 100 * DAY;
        assert!(!due(
            &token(now - 2 * DAY, Some(now + 50 * DAY)),
            now,
            WITHIN
        ));
        assert!(due(
            &token(now - 16 * DAY, Some(now + 44 * DAY)),
            now,
            WITHIN
        ));
        assert!(
            due(&token(now - 2 * DAY, None), now, WITHIN),
            "unknown expiry: refresh to learn it"
        );
    }

    #[test]
    fn failed_attempts_are_ten_minutes_apart_and_dead_tokens_are_left_alone() {
        let now = 100 * DAY;
        let mut t = token(now - 30 * DAY, Some(now + 30 * DAY));
        t.last_failure_at = Some(now - 599);
        assert!(!due(&t, now, WITHIN));
        t.last_failure_at = Some(now - 600);
        assert!(due(&t, now, WITHIN));
        t.state = TokenState::Revoked;
        assert!(!due(&t, now, WITHIN));
    }
}
