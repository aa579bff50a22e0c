//! Fault injection: one-shot queues and persistent faults per route.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

/// The routes the fake counts and injects faults on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Route {
    /// `GET /me` (and `GET /{ig_user_id}`).
    Me,
    /// `GET /me/media`, `GET /{ig_user_id}/media` and `GET /{media_id}`.
    Media,
    /// `GET /{media_id}/children`.
    Children,
    /// `GET /refresh_access_token`.
    Refresh,
    /// `GET /access_token?grant_type=ig_exchange_token` (short-lived → long-lived).
    Exchange,
    /// Any request on the CDN listener.
    Cdn,
    /// `GET /oauth/authorize` on the login listener (the consent page).
    Authorize,
    /// `POST /oauth/access_token` on the login listener (code → short-lived token).
    OAuthToken,
    /// Every graph route (never the CDN, never the login listener).
    Any,
}

impl Route {
    /// Whether this is a route of the graph listener (the routes `Any` stands for).
    pub(crate) fn is_graph(self) -> bool {
        !matches!(self, Route::Cdn | Route::Authorize | Route::OAuthToken)
    }
}

/// What to do to a request instead of (or before) answering it normally.
#[derive(Clone, Debug)]
pub enum Fault {
    /// 400, 190/463 (fixture `error_190_463_expired.json`). CDN: 403 `URL signature expired`.
    Expired,
    /// 400, 190/460. CDN: 403 `URL signature mismatch`.
    PasswordChanged,
    /// 400, 190/458. CDN: 403 `URL signature mismatch`.
    AppRemoved,
    /// 400, 190 without subcode, "Cannot parse access token". CDN: 403 `URL signature mismatch`.
    InvalidToken,
    /// 403, code 4, `is_transient: true`, `X-App-Usage` at 100. CDN: 403 `text/plain` "Forbidden".
    RateLimit403,
    /// 400, code 80002, `X-Business-Use-Case-Usage` with `estimated_time_to_regain_access` > 0.
    /// CDN: 403 `text/plain` "Forbidden".
    RateLimit400,
    /// 500, code 2 (fixture `error_unknown_500.json`). CDN: 500 `text/plain`.
    ServerError,
    /// Sleep, then answer normally (or apply the next queued fault).
    Slow(Duration),
    /// 200 with a non-JSON body (`<html>oops`). CDN: 200 `image/jpeg` that is not a JPEG.
    Garbage,
    /// Any status and body (JSON content type when the body parses as JSON, else `text/plain`).
    Status(u16, String),
    /// 429 `text/plain` "Too Many Requests" with `Retry-After: {0}` (seconds), as a load balancer
    /// in front of the API sends it (API.md §4.3: the Graph API itself does not use 429).
    TooManyRequests(u64),
    /// 302 Found to this URL (not something Instagram does: for testing that clients refuse
    /// or check redirects).
    Redirect(String),
}

/// The faults waiting for each route.
#[derive(Debug, Default)]
pub(crate) struct FaultBook {
    queued: HashMap<Route, VecDeque<Fault>>,
    persistent: HashMap<Route, Fault>,
    /// Persistent faults for every graph request made with one access token.
    by_token: HashMap<String, Fault>,
}

impl FaultBook {
    /// Queues a one-shot fault.
    pub(crate) fn push(&mut self, route: Route, fault: Fault) {
        self.queued.entry(route).or_default().push_back(fault);
    }

    /// Sets or clears a persistent fault.
    pub(crate) fn set(&mut self, route: Route, fault: Option<Fault>) {
        match fault {
            Some(fault) => self.persistent.insert(route, fault),
            None => self.persistent.remove(&route),
        };
    }

    /// Sets or clears a persistent fault for every graph request made with `token`.
    pub(crate) fn set_for_token(&mut self, token: &str, fault: Option<Fault>) {
        match fault {
            Some(fault) => self.by_token.insert(token.to_string(), fault),
            None => self.by_token.remove(token),
        };
    }

    /// The persistent fault of a token, if any.
    pub(crate) fn for_token(&self, token: Option<&str>) -> Option<Fault> {
        token.and_then(|t| self.by_token.get(t).cloned())
    }

    /// The next one-shot fault for a request on `route` (its own queue first, then `Any`'s).
    pub(crate) fn take_queued(&mut self, route: Option<Route>) -> Option<Fault> {
        let own = route.and_then(|r| self.queued.get_mut(&r).and_then(VecDeque::pop_front));
        own.or_else(|| {
            if route.is_some_and(|r| !r.is_graph()) {
                return None;
            }
            self.queued
                .get_mut(&Route::Any)
                .and_then(VecDeque::pop_front)
        })
    }

    /// The persistent fault for a request on `route` (its own first, then `Any`'s).
    pub(crate) fn persistent(&self, route: Option<Route>) -> Option<Fault> {
        let own = route.and_then(|r| self.persistent.get(&r).cloned());
        own.or_else(|| {
            if route.is_some_and(|r| !r.is_graph()) {
                return None;
            }
            self.persistent.get(&Route::Any).cloned()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queued_faults_come_out_in_order_then_fall_back_to_persistent() {
        let mut book = FaultBook::default();
        book.push(Route::Me, Fault::Garbage);
        book.push(Route::Any, Fault::ServerError);
        book.set(Route::Any, Some(Fault::RateLimit403));
        assert!(matches!(
            book.take_queued(Some(Route::Me)),
            Some(Fault::Garbage)
        ));
        assert!(matches!(
            book.take_queued(Some(Route::Me)),
            Some(Fault::ServerError)
        ));
        assert!(book.take_queued(Some(Route::Me)).is_none());
        assert!(matches!(
            book.persistent(Some(Route::Media)),
            Some(Fault::RateLimit403)
        ));
    }

    #[test]
    fn any_never_reaches_the_cdn_or_the_login_listener() {
        let mut book = FaultBook::default();
        book.push(Route::Any, Fault::ServerError);
        book.set(Route::Any, Some(Fault::ServerError));
        for route in [Route::Cdn, Route::Authorize, Route::OAuthToken] {
            assert!(book.take_queued(Some(route)).is_none(), "{route:?}");
            assert!(book.persistent(Some(route)).is_none(), "{route:?}");
        }
        assert!(book.take_queued(Some(Route::Exchange)).is_some());
    }
}
