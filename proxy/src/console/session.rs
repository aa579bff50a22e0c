//! Signed-in sessions: a random cookie value (only its SHA-256 is stored), `HttpOnly`,
//! `SameSite=Strict`, `Secure` whenever the public URL is https, valid for [`SESSION_SECS`]; and
//! a random CSRF token per session that every state-changing form carries.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};

use crate::clock;
use crate::codec::hex;
use crate::server::AppState;

use super::view::{self, Onward};

/// The session cookie's name.
pub const COOKIE: &str = "feedframe_admin";
/// A session lasts 12 hours from sign-in.
pub const SESSION_SECS: i64 = 12 * 3_600;

/// 32 random bytes as hex: session ids and CSRF tokens.
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    hex(&bytes)
}

/// What the store keeps of a session id.
pub fn id_hash(id: &str) -> String {
    hex(&Sha256::digest(id.as_bytes()))
}

/// Constant-time equality for secrets of equal length (CSRF tokens).
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.to_string())
}

/// `Set-Cookie` for a new session.
pub fn set_cookie(id: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}={id}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age={SESSION_SECS}{secure}"
    ))
    .expect("hex and ascii")
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_cookie(secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0{secure}"
    ))
    .expect("ascii")
}

/// A request from a signed-in owner. As an extractor it refuses everyone else: a page request
/// is sent to the login page (303), anything else gets 401.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub id_hash: String,
    csrf: String,
}

impl SignedIn {
    /// The CSRF token to put in this session's forms.
    pub fn csrf(&self) -> &str {
        &self.csrf
    }

    /// `None` if a form's token is this session's; otherwise the 403 page to answer with.
    pub fn csrf_refusal(&self, given: &str) -> Option<Response> {
        if same(given, &self.csrf) {
            None
        } else {
            Some(view::message_page(
                StatusCode::FORBIDDEN,
                "This form has expired",
                "The form was not sent from this console session. Go back, reload the page and try again.",
                Onward::Console,
            ))
        }
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let refuse = || {
            if parts.method == Method::GET || parts.method == Method::HEAD {
                Redirect::to("/admin/login").into_response()
            } else {
                view::message_page(
                    StatusCode::UNAUTHORIZED,
                    "Sign in first",
                    "Your console session has ended. Sign in again.",
                    Onward::Login,
                )
            }
        };
        let Some(id) = cookie(&parts.headers, COOKIE) else {
            return Err(refuse());
        };
        let hash = id_hash(&id);
        let key = hash.clone();
        let now = clock::now();
        let row = state
            .console
            .store
            .run(move |s| s.session(&key, now))
            .await
            .map_err(|e| {
                tracing::error!("cannot read the console sessions: {e}");
                view::message_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "The console is unavailable",
                    "The console cannot read its sessions right now. Try again in a moment.",
                    Onward::Nowhere,
                )
            })?;
        match row {
            Some(row) => Ok(Self {
                id_hash: hash,
                csrf: row.csrf,
            }),
            None => Err(refuse()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_cookie_is_found_among_others_and_is_strict() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; feedframe_admin=abc; b=2"),
        );
        assert_eq!(cookie(&headers, COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&headers, "c"), None);
        let set = set_cookie("abc", true);
        let set = set.to_str().unwrap();
        for part in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/admin"] {
            assert!(set.contains(part), "{set}");
        }
        assert!(
            !set_cookie("abc", false)
                .to_str()
                .unwrap()
                .contains("Secure")
        );
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(same("abcd", "abcd"));
        assert!(!same("abcd", "abce"));
        assert!(!same("abcd", "abc"));
        assert_ne!(random_token(), random_token());
        assert_eq!(random_token().len(), 64);
    }
}
