//! A feed's state in the owner's words, from what the store and the server know about it:
//! live, expiring in N days, expired: reconnect, password changed or app removed: reconnect,
//! rate limited until …, Instagram unavailable since ….

use crate::clock;
use crate::feeds::cache::Trouble;
use crate::store::{TokenRecord, TokenState};

/// A token this close to its expiry is shown as expiring.
pub const EXPIRING_SECS: i64 = 7 * 86_400;

/// How urgent a feed's state is; the console lists the most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Urgency {
    /// The token is dead: visitors see the last good posts until the owner reconnects.
    Dead,
    /// Something needs watching (expiring soon, Instagram failing or throttling).
    Warning,
    Fine,
}

impl Urgency {
    /// The CSS modifier and `data-urgency` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dead => "dead",
            Self::Warning => "warning",
            Self::Fine => "fine",
        }
    }
}

/// What is known about a feed.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub token: &'a TokenRecord,
    /// The kind of the latest token failure in the feed's log (`password_changed`, `app_removed`, …).
    pub token_failure: Option<&'a str>,
    /// What this server saw go wrong with the latest fetches.
    pub trouble: Option<&'a Trouble>,
}

/// A feed's state in plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    pub urgency: Urgency,
    pub words: String,
    /// Only a new token helps.
    pub reconnect: bool,
}

impl Health {
    fn dead(words: &str) -> Self {
        Self {
            urgency: Urgency::Dead,
            words: words.to_string(),
            reconnect: true,
        }
    }

    fn warning(words: String) -> Self {
        Self {
            urgency: Urgency::Warning,
            words,
            reconnect: false,
        }
    }
}

/// The state of a feed at `now`.
pub fn health(facts: &Facts<'_>, now: i64) -> Health {
    match facts.token.state {
        TokenState::Revoked => {
            return Health::dead(match facts.token_failure {
                Some("password_changed") => "password changed: reconnect",
                Some("app_removed") => "app removed: reconnect",
                _ => "password changed or app removed: reconnect",
            });
        }
        TokenState::Expired => return Health::dead("expired: reconnect"),
        TokenState::Active if facts.token.is_dead_at(now) => {
            return Health::dead("expired: reconnect");
        }
        TokenState::Active => {}
    }
    if let Some(t) = facts.trouble {
        if t.kind == "rate_limited" && t.quiet_until > now {
            return Health::warning(format!(
                "rate limited until {}",
                clock::human(t.quiet_until)
            ));
        }
        if t.kind != "rate_limited" {
            return Health::warning(format!(
                "Instagram unavailable since {}",
                clock::human(t.since)
            ));
        }
    }
    if let Some(at) = facts.token.expires_at.filter(|at| at - now < EXPIRING_SECS) {
        let days = (at - now + 86_399) / 86_400;
        return Health::warning(format!(
            "expiring in {days} day{}",
            if days == 1 { "" } else { "s" }
        ));
    }
    Health {
        urgency: Urgency::Fine,
        words: "live".to_string(),
        reconnect: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn token(state: TokenState, expires_at: Option<i64>) -> TokenRecord {
        TokenRecord {
            feed: "main".into(),
            token: crate::instagram::secret::Secret::new("t"),
            username: "u".into(),
            issued_at: NOW - 86_400,
            refreshed_at: None,
            expires_at,
            state,
            last_error: None,
            last_failure_at: None,
        }
    }

    fn facts(token: &TokenRecord) -> Facts<'_> {
        Facts {
            token,
            token_failure: None,
            trouble: None,
        }
    }

    #[test]
    fn dead_tokens_say_why_and_ask_for_a_reconnect() {
        let revoked = token(TokenState::Revoked, None);
        let mut f = facts(&revoked);
        f.token_failure = Some("password_changed");
        assert_eq!(health(&f, NOW).words, "password changed: reconnect");
        f.token_failure = Some("app_removed");
        assert_eq!(health(&f, NOW).words, "app removed: reconnect");
        f.token_failure = None;
        assert_eq!(
            health(&f, NOW).words,
            "password changed or app removed: reconnect"
        );
        let expired = health(&facts(&token(TokenState::Expired, None)), NOW);
        assert_eq!(
            (expired.urgency, expired.words.as_str(), expired.reconnect),
            (Urgency::Dead, "expired: reconnect", true)
        );
        // Past its expiry a token is dead before Instagram says so.
        let past = health(&facts(&token(TokenState::Active, Some(NOW - 1))), NOW);
        assert_eq!(past.words, "expired: reconnect");
    }

    #[test]
    fn live_feeds_count_down_the_last_week() {
        let fine = health(
            &facts(&token(TokenState::Active, Some(NOW + 30 * 86_400))),
            NOW,
        );
        assert_eq!((fine.urgency, fine.words.as_str()), (Urgency::Fine, "live"));
        let soon = health(
            &facts(&token(TokenState::Active, Some(NOW + 3 * 86_400 - 60))),
            NOW,
        );
        assert_eq!(
            (soon.urgency, soon.words.as_str()),
            (Urgency::Warning, "expiring in 3 days")
        );
        let unknown = health(&facts(&token(TokenState::Active, None)), NOW);
        assert_eq!(unknown.words, "live");
    }

    #[test]
    fn fetch_trouble_says_until_or_since_when() {
        let limited = Trouble {
            kind: "rate_limited",
            message: "x".into(),
            since: NOW - 600,
            quiet_until: NOW + 1_800,
        };
        let active = token(TokenState::Active, None);
        let mut f = facts(&active);
        f.trouble = Some(&limited);
        assert_eq!(
            health(&f, NOW).words,
            format!("rate limited until {}", clock::human(NOW + 1_800))
        );
        // Once the pause is over, it is not rate limited any more.
        assert_eq!(health(&f, NOW + 1_801).words, "live");
        let down = Trouble {
            kind: "unavailable",
            ..limited.clone()
        };
        f.trouble = Some(&down);
        assert_eq!(
            health(&f, NOW).words,
            format!("Instagram unavailable since {}", clock::human(NOW - 600))
        );
        assert!(Urgency::Dead < Urgency::Warning && Urgency::Warning < Urgency::Fine);
    }
}
