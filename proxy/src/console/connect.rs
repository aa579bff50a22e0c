//! Connecting a feed with Instagram Login, from the console or from an invitation:
//! - `GET /admin/connect?feed=NAME` (signed in) answers 303 to Instagram's consent page with a
//!   single-use `state`;
//! - Instagram sends the browser back to `GET /admin/oauth/callback`, which exchanges the code
//!   for a long-lived token and stores it as `feedframe token add` does (a reconnect replaces a
//!   dead token in place and keeps the posts).
//!
//! The `state` is bound to the browser that started the login by a cookie of its own
//! (`SameSite=Lax`: the console's `Strict` session cookie is not sent on the way back from
//! instagram.com), and works once, within [`LOGIN_SECS`].

use std::collections::HashMap;
use std::sync::Mutex;

use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::clock;
use crate::config::parse_feed_name;
use crate::instagram::login::{connect as store_login, parse_callback};
use crate::server::AppState;

use super::session::{self, SignedIn, cookie, id_hash};
use super::view::{self, Onward};

/// How long a login may take from "Connect" to the callback.
pub const LOGIN_SECS: i64 = 10 * 60;
/// The cookie that binds a login's `state` to its browser.
pub const LOGIN_COOKIE: &str = "feedframe_login";

/// A login under way, by its `state`.
#[derive(Debug, Clone)]
struct Pending {
    feed: String,
    /// The hash of the browser's login cookie.
    browser: String,
    started: i64,
    /// The invitation it came from (its id hash), if any.
    invite: Option<String>,
}

/// Logins under way.
#[derive(Debug, Default)]
pub struct Logins {
    pending: Mutex<HashMap<String, Pending>>,
}

impl Logins {
    /// Starts a login for `feed` and returns the `state` and the browser's cookie value.
    fn start(&self, feed: &str, invite: Option<String>) -> (String, String) {
        let (state, browser) = (session::random_token(), session::random_token());
        let now = clock::now();
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        pending.retain(|_, p| now - p.started < LOGIN_SECS);
        pending.insert(
            state.clone(),
            Pending {
                feed: feed.to_string(),
                browser: id_hash(&browser),
                started: now,
                invite,
            },
        );
        (state, browser)
    }

    /// Takes the login of `state` (once), if this browser started it and it has not expired.
    fn finish(&self, state: &str, browser: Option<&str>) -> Option<Pending> {
        let taken = self
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(state)?;
        let same_browser = browser.is_some_and(|b| session::same(&id_hash(b), &taken.browser));
        (same_browser && clock::now() - taken.started < LOGIN_SECS).then_some(taken)
    }
}

/// The address Instagram sends the owner back to (register it in the Meta app).
pub fn redirect_uri(state: &AppState) -> Option<String> {
    let base = state.console.config.public_url.as_deref()?;
    Some(format!("{base}/admin/oauth/callback"))
}

/// The page shown when Instagram Login is not configured.
fn not_configured() -> Response {
    view::message_page(
        StatusCode::CONFLICT,
        "Instagram Login is not set up",
        "Set FEEDFRAME_PUBLIC_URL, FEEDFRAME_IG_APP_ID and FEEDFRAME_IG_APP_SECRET (docs/owner.md says where to find them) and restart feedframe. Meanwhile, add a token with `feedframe token add`.",
        Onward::Console,
    )
}

/// 303 to Instagram's consent page for `feed`, with the browser's login cookie.
pub fn begin(state: &AppState, feed: &str, invite: Option<String>) -> Response {
    let (Some(login), Some(redirect)) = (state.console.login.as_ref(), redirect_uri(state)) else {
        return not_configured();
    };
    let (login_state, browser) = state.console.logins.start(feed, invite);
    let secure = if state.console.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    let cookie = HeaderValue::from_str(&format!(
        "{LOGIN_COOKIE}={browser}; Path=/admin; HttpOnly; SameSite=Lax; Max-Age={LOGIN_SECS}{secure}"
    ))
    .expect("hex and ascii");
    (
        [(header::SET_COOKIE, cookie)],
        Redirect::to(&login.authorize_url(&redirect, &login_state)),
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct ConnectQuery {
    #[serde(default)]
    feed: String,
}

/// `GET /admin/connect?feed=NAME`: connect (or reconnect) a feed.
pub async fn connect(
    State(state): State<AppState>,
    _signed: SignedIn,
    Query(query): Query<ConnectQuery>,
) -> Response {
    match parse_feed_name(query.feed.trim()) {
        Ok(feed) => begin(&state, &feed, None),
        Err(why) => view::message_page(
            StatusCode::BAD_REQUEST,
            "Choose another feed name",
            &why,
            Onward::Console,
        ),
    }
}

/// `GET /admin/oauth/callback`: where Instagram sends the owner back.
pub async fn callback(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let query = query.unwrap_or_default();
    let answer = parse_callback(&query);
    let given_state = match &answer {
        Ok(callback) => callback.state.clone(),
        Err(_) => state_of(&query),
    };
    let browser = cookie(&headers, LOGIN_COOKIE);
    let pending = given_state
        .as_deref()
        .and_then(|s| state.console.logins.finish(s, browser.as_deref()));
    let Some(pending) = pending else {
        tracing::warn!("an Instagram Login callback with an unknown, used or foreign state");
        return view::message_page(
            StatusCode::BAD_REQUEST,
            "This connection was not started here",
            "This answer from Instagram does not belong to a connection started in this browser, or it was already used or is too old. Start again.",
            Onward::Nowhere,
        );
    };
    let onward = if pending.invite.is_some() {
        Onward::Nowhere
    } else {
        Onward::Console
    };
    let failed = |why: String| {
        view::message_page(
            StatusCode::BAD_GATEWAY,
            "Nothing was connected",
            &why,
            onward,
        )
    };
    let callback = match answer {
        Ok(callback) => callback,
        Err(e) => return failed(e.to_string()),
    };
    let console = &state.console;
    if let Some(invite) = &pending.invite {
        let (key, now) = (invite.clone(), clock::now());
        match console.store.run(move |s| s.claim_invite(&key, now)).await {
            Ok(true) => {}
            Ok(false) => {
                return failed(
                    "This invitation was already used or has expired. Ask for a new link.".into(),
                );
            }
            Err(e) => {
                tracing::error!("cannot claim an invitation: {e}");
                return failed(
                    "FeedFrame cannot read its invitations right now; try again.".into(),
                );
            }
        }
    }
    let (Some(login), Some(redirect)) = (console.login.as_ref(), redirect_uri(&state)) else {
        return not_configured();
    };
    let stored = match login.exchange(&callback.code, &redirect).await {
        Ok(long_lived) => store_login(&console.graph, &console.store, &pending.feed, &long_lived)
            .await
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    match stored {
        Ok(me) => {
            state.feeds.forget(&pending.feed);
            if let Err(e) = state.feeds.reload_catalog().await {
                tracing::error!("cannot reload the feeds: {e}");
            }
            tracing::info!(feed = %pending.feed, "feed connected with Instagram Login");
            view::message_page(
                StatusCode::OK,
                "Connected",
                &format!(
                    "Instagram account @{} now feeds '{}'. Visitors see its posts from the next request on.",
                    me.username, pending.feed
                ),
                onward,
            )
        }
        Err(why) => {
            if let Some(invite) = pending.invite {
                // Nothing was stored: the invitee may try again with the same link.
                let _ = console.store.run(move |s| s.release_invite(&invite)).await;
            }
            tracing::warn!(feed = %pending.feed, "connecting a feed failed: {why}");
            failed(why)
        }
    }
}

/// `state` from a raw query (for callbacks that carry an error instead of a code).
fn state_of(query: &str) -> Option<String> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == "state")
        .map(|(_, v)| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_works_once_and_only_in_its_browser() {
        let logins = Logins::default();
        let (state, browser) = logins.start("main", None);
        assert!(logins.finish(&state, Some("another browser")).is_none());
        // A foreign attempt burns the state: the real browser must start again.
        assert!(logins.finish(&state, Some(&browser)).is_none());
        let (state, browser) = logins.start("main", None);
        assert!(logins.finish(&state, None).is_none());
        let (state2, browser2) = logins.start("shop", Some("inv".into()));
        let done = logins.finish(&state2, Some(&browser2)).unwrap();
        assert_eq!(
            (done.feed.as_str(), done.invite.as_deref()),
            ("shop", Some("inv"))
        );
        assert!(
            logins.finish(&state2, Some(&browser2)).is_none(),
            "replayed"
        );
        let _ = (state, browser);
    }
}
