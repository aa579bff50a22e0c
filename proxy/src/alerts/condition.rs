//! A feed's alert condition, from its token record and what the server has seen of it: pure, so
//! every transition is a unit test.

use std::time::Duration;

use crate::clock;
use crate::feeds::cache::FeedHealth;
use crate::store::{TokenRecord, TokenState};

/// What is wrong with a feed, as far as its owner should hear: one condition at a time, the most
/// urgent first (a dead token explains a stale feed; a rate limit explains one too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Condition {
    Healthy,
    /// The token is expired or revoked, or past its `expires_at`.
    TokenDead,
    /// The token expires soon and refreshing it has failed since its last success.
    TokenExpiring,
    /// Instagram has rate limited every fetch for a while.
    RateLimited,
    /// Visitors ask for the feed but no fetch has succeeded for a while.
    Stale,
}

impl Condition {
    /// The name stored in `alert_states`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Healthy => "healthy",
            Self::TokenDead => "token_dead",
            Self::TokenExpiring => "token_expiring",
            Self::RateLimited => "rate_limited",
            Self::Stale => "stale",
        }
    }

    /// The stored name back; an unknown one (a newer version's) reads as healthy.
    pub fn parse(s: &str) -> Self {
        match s {
            "token_dead" => Self::TokenDead,
            "token_expiring" => Self::TokenExpiring,
            "rate_limited" => Self::RateLimited,
            "stale" => Self::Stale,
            _ => Self::Healthy,
        }
    }

    /// The condition in a few plain words.
    pub fn words(self) -> &'static str {
        match self {
            Self::Healthy => "healthy",
            Self::TokenDead => "the access token is dead",
            Self::TokenExpiring => "the access token expires soon and cannot be refreshed",
            Self::RateLimited => "Instagram is rate limiting the feed",
            Self::Stale => "the feed has not been updated for hours",
        }
    }

    /// Conditions known only from memory, lost at a restart.
    fn observed_in_memory(self) -> bool {
        matches!(self, Self::RateLimited | Self::Stale)
    }
}

/// How long each trouble lasts before it is worth an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// A token expiring within this long, with failed refreshes, needs the owner.
    pub expiring_within: Duration,
    /// No successful fetch for this long, while visitors ask: stale.
    pub stale_after: Duration,
    /// Rate limited for this long.
    pub rate_limited_after: Duration,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            expiring_within: Duration::from_secs(7 * 86_400),
            stale_after: Duration::from_secs(6 * 3_600),
            rate_limited_after: Duration::from_secs(3_600),
        }
    }
}

/// Everything a feed's condition depends on.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    pub token: &'a TokenRecord,
    /// `None` until this process has served the feed (since a restart, say).
    pub health: Option<&'a FeedHealth>,
    /// The feed's TTL in seconds: a request within it of the last fetch did not need a new one.
    pub ttl: i64,
    /// The condition last alerted.
    pub previous: Condition,
    pub now: i64,
}

/// A feed's condition now.
///
/// ```
/// # use feedframe::alerts::condition::{evaluate, Condition, Inputs, Thresholds};
/// # use feedframe::{instagram::secret::Secret, store::{TokenRecord, TokenState}};
/// let token = TokenRecord {
///     feed: "main".into(), token: Secret::new("t"), username: "u".into(), issued_at: 0,
///     refreshed_at: None, expires_at: Some(50), state: TokenState::Active, last_error: None,
///     last_failure_at: None,
/// };
/// let inputs = Inputs { token: &token, health: None, ttl: 600, previous: Condition::Healthy, now: 100 };
/// assert_eq!(evaluate(&inputs, &Thresholds::default()), Condition::TokenDead);
/// ```
pub fn evaluate(inputs: &Inputs<'_>, thresholds: &Thresholds) -> Condition {
    let Inputs {
        token,
        health,
        ttl,
        previous,
        now,
    } = *inputs;
    let secs = |d: Duration| d.as_secs() as i64;
    if token.is_dead_at(now) {
        return Condition::TokenDead;
    }
    // `last_failure_at` is cleared by every successful refresh (and a new token): a failure is
    // on record since the last success. The refresher tries from 45 days ahead, every ten minutes
    // after a failure, so 7 days ahead it has been failing for weeks.
    let expiring = token
        .expires_at
        .is_some_and(|e| e - now <= secs(thresholds.expiring_within));
    if expiring && token.last_failure_at.is_some() {
        return Condition::TokenExpiring;
    }
    let Some(health) = health else {
        // Not served since a restart: what only memory knew still stands until a request shows
        // otherwise, so a restart neither repeats nor clears it.
        return if previous.observed_in_memory() {
            previous
        } else {
            Condition::Healthy
        };
    };
    if health
        .rate_limited_since
        .is_some_and(|since| now - since >= secs(thresholds.rate_limited_after))
    {
        return Condition::RateLimited;
    }
    // A brand-new feed counts from when this process first saw it, not from 1970.
    let last_good = health.fetched_at.unwrap_or(health.seen_at);
    // Someone asked once the feed was due, so it should have been fetched since.
    let wanted = health.requested_at >= last_good + ttl;
    if wanted && now - last_good >= secs(thresholds.stale_after) {
        return Condition::Stale;
    }
    Condition::Healthy
}

/// The state a feed is in, in plain words, for the alert's `state` and `detail`.
pub fn describe(condition: Condition, inputs: &Inputs<'_>) -> String {
    let Inputs {
        token, health, now, ..
    } = *inputs;
    let user = &token.username;
    match condition {
        Condition::Healthy => format!(
            "The feed of @{user} is healthy again (it was: {}).",
            inputs.previous.words()
        ),
        Condition::TokenDead => {
            let how = match (token.state, token.expires_at) {
                (TokenState::Revoked, _) => "was revoked".to_string(),
                (_, Some(e)) if e <= now => format!("expired on {}", clock::human(e)),
                _ => "has expired".to_string(),
            };
            format!(
                "The access token of @{user} {how}. Visitors see the last good posts until a new \
                 token is added with `feedframe token add {} --token …`.",
                token.feed
            )
        }
        Condition::TokenExpiring => {
            let left = token.expires_at.map_or(0, |e| e - now);
            format!(
                "The access token of @{user} expires in {} and refreshing it keeps failing; add a \
                 new token before then.",
                clock::span(left)
            )
        }
        Condition::RateLimited => {
            let since = health.and_then(|h| h.rate_limited_since).unwrap_or(now);
            format!(
                "Instagram has been rate limiting the feed of @{user} for {}; visitors see the \
                 last good posts.",
                clock::span(now - since)
            )
        }
        Condition::Stale => {
            let fetched = health.and_then(|h| h.fetched_at);
            match fetched {
                Some(at) => format!(
                    "The feed of @{user} has not been fetched from Instagram for {}; visitors \
                     see posts from {}.",
                    clock::span(now - at),
                    clock::human(at)
                ),
                None => format!(
                    "The feed of @{user} has never been fetched from Instagram; visitors see no \
                     posts."
                ),
            }
        }
    }
}

/// The reason behind a condition, if one is known (Instagram's classified error).
pub fn detail(condition: Condition, inputs: &Inputs<'_>) -> String {
    let memory = inputs.health.and_then(|h| h.last_error.clone());
    let stored = inputs.token.last_error.clone();
    let reason = match condition {
        Condition::TokenDead | Condition::TokenExpiring => stored.or(memory),
        Condition::RateLimited | Condition::Stale => memory.or(stored),
        Condition::Healthy => None,
    };
    // The token string never leaves the store, even if an error message ever quoted it.
    reason
        .map(|r| r.replace(inputs.token.token.expose(), "[redacted]"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instagram::secret::Secret;

    const NOW: i64 = 1_000 * 86_400;
    const HOUR: i64 = 3_600;
    const DAY: i64 = 86_400;
    const TTL: i64 = 600;

    fn token() -> TokenRecord {
        TokenRecord {
            feed: "main".into(),
            token: Secret::new("IGAAsecret"),
            username: "u".into(),
            issued_at: NOW - 10 * DAY,
            refreshed_at: None,
            expires_at: Some(NOW + 50 * DAY),
            state: TokenState::Active,
            last_error: None,
            last_failure_at: None,
        }
    }

    fn fetched(at: i64) -> FeedHealth {
        FeedHealth {
            fetched_at: Some(at),
            seen_at: NOW - DAY,
            requested_at: NOW,
            rate_limited_since: None,
            last_error: None,
        }
    }

    fn eval(token: &TokenRecord, health: Option<&FeedHealth>, previous: Condition) -> Condition {
        let inputs = Inputs {
            token,
            health,
            ttl: TTL,
            previous,
            now: NOW,
        };
        evaluate(&inputs, &Thresholds::default())
    }

    #[test]
    fn a_healthy_feed_is_healthy() {
        let h = fetched(NOW - 60);
        assert_eq!(
            eval(&token(), Some(&h), Condition::Healthy),
            Condition::Healthy
        );
        assert_eq!(eval(&token(), None, Condition::Healthy), Condition::Healthy);
    }

    #[test]
    fn a_revoked_or_expired_token_is_dead_and_so_is_one_past_its_expiry() {
        for state in [TokenState::Revoked, TokenState::Expired] {
            let t = TokenRecord { state, ..token() };
            assert_eq!(eval(&t, None, Condition::Healthy), Condition::TokenDead);
        }
        // Instagram has not been asked yet: the clock alone says so.
        let t = TokenRecord {
            expires_at: Some(NOW),
            ..token()
        };
        assert_eq!(eval(&t, None, Condition::Healthy), Condition::TokenDead);
        let t = TokenRecord {
            expires_at: Some(NOW + 1),
            ..token()
        };
        assert_eq!(eval(&t, None, Condition::Healthy), Condition::Healthy);
    }

    #[test]
    fn a_token_expiring_within_a_week_alerts_only_once_a_refresh_has_failed() {
        let mut t = TokenRecord {
            expires_at: Some(NOW + 7 * DAY),
            ..token()
        };
        assert_eq!(
            eval(&t, None, Condition::Healthy),
            Condition::Healthy,
            "not tried yet"
        );
        t.last_failure_at = Some(NOW - 60);
        assert_eq!(eval(&t, None, Condition::Healthy), Condition::TokenExpiring);
        t.expires_at = Some(NOW + 7 * DAY + 1);
        assert_eq!(
            eval(&t, None, Condition::Healthy),
            Condition::Healthy,
            "more than a week left"
        );
    }

    #[test]
    fn a_dead_token_outranks_every_other_trouble() {
        let t = TokenRecord {
            state: TokenState::Revoked,
            last_failure_at: Some(NOW),
            expires_at: Some(NOW + DAY),
            ..token()
        };
        let h = FeedHealth {
            rate_limited_since: Some(NOW - 5 * HOUR),
            ..fetched(NOW - 10 * HOUR)
        };
        assert_eq!(eval(&t, Some(&h), Condition::Healthy), Condition::TokenDead);
    }

    #[test]
    fn a_rate_limit_alerts_after_an_hour_and_outranks_staleness() {
        let mut h = FeedHealth {
            rate_limited_since: Some(NOW - HOUR + 1),
            ..fetched(NOW - 2 * HOUR)
        };
        assert_eq!(
            eval(&token(), Some(&h), Condition::Healthy),
            Condition::Healthy
        );
        h.rate_limited_since = Some(NOW - HOUR);
        assert_eq!(
            eval(&token(), Some(&h), Condition::Healthy),
            Condition::RateLimited
        );
        h.fetched_at = Some(NOW - 7 * HOUR);
        assert_eq!(
            eval(&token(), Some(&h), Condition::Healthy),
            Condition::RateLimited
        );
    }

    #[test]
    fn a_feed_is_stale_after_six_hours_without_a_fetch_only_while_it_is_requested() {
        let mut h = fetched(NOW - 6 * HOUR + 1);
        assert_eq!(
            eval(&token(), Some(&h), Condition::Healthy),
            Condition::Healthy
        );
        h.fetched_at = Some(NOW - 6 * HOUR);
        assert_eq!(
            eval(&token(), Some(&h), Condition::Healthy),
            Condition::Stale
        );
        // Nobody asked since it was due: no fetch was needed, nothing is wrong.
        h.requested_at = NOW - 6 * HOUR + TTL - 1;
        assert_eq!(
            eval(&token(), Some(&h), Condition::Healthy),
            Condition::Healthy
        );
        // Asked once after it was due: stale until a fetch succeeds, even if visitors stop.
        h.requested_at = NOW - 6 * HOUR + TTL;
        assert_eq!(eval(&token(), Some(&h), Condition::Stale), Condition::Stale);
    }

    #[test]
    fn a_feed_never_fetched_counts_from_when_it_was_first_seen() {
        let mut h = FeedHealth {
            fetched_at: None,
            seen_at: NOW - HOUR,
            ..fetched(0)
        };
        assert_eq!(
            eval(&token(), Some(&h), Condition::Healthy),
            Condition::Healthy
        );
        h.seen_at = NOW - 6 * HOUR;
        assert_eq!(
            eval(&token(), Some(&h), Condition::Healthy),
            Condition::Stale
        );
    }

    #[test]
    fn a_restart_neither_repeats_nor_clears_what_only_memory_knew() {
        // Regression guard: after a restart, an unserved feed would "recover" from a rate limit.
        for previous in [Condition::RateLimited, Condition::Stale] {
            assert_eq!(eval(&token(), None, previous), previous);
        }
        // Token conditions are in the store: a new token clears a dead one at once.
        assert_eq!(
            eval(&token(), None, Condition::TokenDead),
            Condition::Healthy
        );
        assert_eq!(
            eval(&token(), None, Condition::TokenExpiring),
            Condition::Healthy
        );
        // Once served again, memory decides.
        let h = fetched(NOW - 60);
        assert_eq!(
            eval(&token(), Some(&h), Condition::Stale),
            Condition::Healthy
        );
    }

    #[test]
    fn condition_names_round_trip() {
        for c in [
            Condition::Healthy,
            Condition::TokenDead,
            Condition::TokenExpiring,
            Condition::RateLimited,
            Condition::Stale,
        ] {
            assert_eq!(Condition::parse(c.as_str()), c);
        }
    }

    #[test]
    fn the_detail_never_quotes_the_token() {
        let t = TokenRecord {
            state: TokenState::Revoked,
            last_error: Some("Instagram said IGAAsecret is bad".into()),
            ..token()
        };
        let inputs = Inputs {
            token: &t,
            health: None,
            ttl: TTL,
            previous: Condition::Healthy,
            now: NOW,
        };
        let detail = detail(Condition::TokenDead, &inputs);
        assert_eq!(detail, "Instagram said [redacted] is bad");
        assert!(describe(Condition::TokenDead, &inputs).contains("was revoked"));
    }
}
