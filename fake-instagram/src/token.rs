//! Long-lived Instagram Login tokens (`IGAA…`): issue, age, revoke, check.

use std::collections::HashMap;

use rand::Rng;
use rand::distr::Alphanumeric;

use crate::graph_error::GraphError;

/// How a token was killed early (API.md §3, §4.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Revocation {
    /// The user changed their password: 190/460 from then on.
    PasswordChanged,
    /// The user removed the app: 190/458 from then on.
    AppRemoved,
}

/// One issued token.
#[derive(Clone, Debug)]
pub(crate) struct TokenInfo {
    /// Fake-clock unix seconds at issue.
    pub(crate) issued_at: i64,
    /// Fake-clock unix seconds at expiry.
    pub(crate) expires_at: i64,
    /// Set once revoked.
    pub(crate) revoked: Option<Revocation>,
}

/// Every token the fake has issued.
#[derive(Debug, Default)]
pub(crate) struct TokenStore {
    tokens: HashMap<String, TokenInfo>,
}

/// A fresh random token string, shaped like Instagram Login's (`IGAA…ZDZD`, 52 characters).
fn new_token_string() -> String {
    let body: String = rand::rng()
        .sample_iter(Alphanumeric)
        .take(44)
        .map(char::from)
        .collect();
    format!("IGAA{body}ZDZD")
}

impl TokenStore {
    /// Issues a token issued at `issued_at` that expires at `expires_at`.
    pub(crate) fn issue(&mut self, issued_at: i64, expires_at: i64) -> String {
        let token = new_token_string();
        let info = TokenInfo {
            issued_at,
            expires_at,
            revoked: None,
        };
        self.tokens.insert(token.clone(), info);
        token
    }

    /// Marks a token revoked; unknown tokens are ignored.
    pub(crate) fn revoke(&mut self, token: &str, how: Revocation) {
        if let Some(info) = self.tokens.get_mut(token) {
            info.revoked = Some(how);
        }
    }

    /// The record of a token, if the fake issued it.
    pub(crate) fn get(&self, token: &str) -> Option<&TokenInfo> {
        self.tokens.get(token)
    }

    /// Checks a presented token at `now`: the error Graph would answer, if any.
    pub(crate) fn check(&self, token: Option<&str>, now: i64) -> Result<(), GraphError> {
        let info = token
            .and_then(|t| self.tokens.get(t))
            .ok_or(GraphError::CannotParseToken)?;
        match info.revoked {
            Some(Revocation::PasswordChanged) => Err(GraphError::PasswordChanged),
            Some(Revocation::AppRemoved) => Err(GraphError::AppRemoved),
            None if now >= info.expires_at => Err(GraphError::Expired {
                expired_at: info.expires_at,
                now,
            }),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_look_like_instagram_login_tokens_and_differ() {
        let mut store = TokenStore::default();
        let a = store.issue(0, 10);
        let b = store.issue(0, 10);
        assert!(a.starts_with("IGAA") && a.len() >= 40);
        assert_ne!(a, b);
    }

    #[test]
    fn a_token_is_valid_until_its_expiry_then_expired() {
        let mut store = TokenStore::default();
        let t = store.issue(0, 10);
        assert!(store.check(Some(&t), 9).is_ok());
        assert!(matches!(
            store.check(Some(&t), 10),
            Err(GraphError::Expired { .. })
        ));
        assert!(matches!(
            store.check(Some("IGAAnope"), 0),
            Err(GraphError::CannotParseToken)
        ));
        assert!(matches!(
            store.check(None, 0),
            Err(GraphError::CannotParseToken)
        ));
    }

    #[test]
    fn revocation_beats_expiry() {
        let mut store = TokenStore::default();
        let t = store.issue(0, 10);
        store.revoke(&t, Revocation::AppRemoved);
        assert!(matches!(
            store.check(Some(&t), 100),
            Err(GraphError::AppRemoved)
        ));
    }
}
