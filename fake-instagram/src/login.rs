//! The login listener: Instagram Login's consent page (`www.instagram.com/oauth/authorize`) and its
//! code exchange (`api.instagram.com/oauth/access_token`), API.md §2.5. The third step, short-lived
//! → long-lived, is on the graph listener (`/access_token`, see `endpoints`).
//!
//! The consent page consents at once (or denies, when a test says so). Codes are single-use, bound
//! to the app and the redirect URI they were issued for, and live an hour on the fake clock.
//!
//! The code exchange answers errors in the api host's own shape, not the Graph envelope of §4:
//! `{"error_type": "OAuthException", "code": 400, "error_message": "…"}` with HTTP 400, as captured
//! from it for years, Instagram Login included (e.g. "Invalid platform app", "This authorization code
//! has been used", "Error validating verification code. Please make sure your redirect_uri is
//! identical to the one you used in the OAuth dialog request").

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rand::Rng;
use rand::distr::Alphanumeric;

use crate::fault::Route;
use crate::graph_error::json_response;
use crate::inject::{graph_fault, next_fault};
use crate::json::{Json, Obj};
use crate::paging::encode;
use crate::state::Shared;

/// The one permission FeedFrame asks for (API.md §1).
pub(crate) const SCOPE: &str = "instagram_business_basic";
/// A short-lived token's lifetime (API.md §3: one hour).
pub(crate) const SHORT_LIVED_SECS: i64 = 3_600;
/// How long an authorization code can be exchanged (Meta's docs: one hour).
const CODE_LIFETIME_SECS: i64 = 3_600;

/// The fake's Instagram app: the id and secret a client must present.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct App {
    pub(crate) id: String,
    pub(crate) secret: String,
}

impl Default for App {
    fn default() -> Self {
        App {
            id: "990602627938098".into(),
            secret: "5f3c1e8a9b2d4f6071c3e5a7b9d1f2e4".into(),
        }
    }
}

/// One issued authorization code.
#[derive(Clone, Debug)]
struct Code {
    client_id: String,
    redirect_uri: String,
    expires_at: i64,
    used: bool,
}

/// The login side of the fake: its app, whether the owner consents, and the codes issued.
#[derive(Debug, Default)]
pub(crate) struct LoginBook {
    pub(crate) app: App,
    pub(crate) deny: bool,
    codes: HashMap<String, Code>,
}

/// A fresh code, shaped like Instagram's (`AQ…`, long, URL-safe).
fn new_code() -> String {
    let body: String = rand::rng()
        .sample_iter(Alphanumeric)
        .take(120)
        .map(char::from)
        .collect();
    format!("AQB{body}")
}

/// Why the code exchange refuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Refusal {
    UnknownApp,
    WrongSecret,
    WrongGrantType,
    UnknownCode,
    UsedCode,
    ExpiredCode,
    RedirectMismatch,
}

impl Refusal {
    fn message(self) -> &'static str {
        match self {
            Refusal::UnknownApp => "Invalid platform app",
            Refusal::WrongSecret => "Invalid Client Secret",
            Refusal::WrongGrantType => "Invalid grant_type",
            Refusal::UnknownCode => "Invalid authorization code",
            Refusal::UsedCode => "This authorization code has been used",
            Refusal::ExpiredCode => "This authorization code has expired",
            Refusal::RedirectMismatch => {
                "Error validating verification code. Please make sure your redirect_uri is \
                 identical to the one you used in the OAuth dialog request"
            }
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = Obj::new()
            .with("error_type", "OAuthException")
            .with("code", 400)
            .with("error_message", self.message());
        json_response(StatusCode::BAD_REQUEST, &body)
    }
}

impl LoginBook {
    /// Issues a code for `client_id` and `redirect_uri`, valid until `now + CODE_LIFETIME_SECS`.
    fn issue(&mut self, client_id: &str, redirect_uri: &str, now: i64) -> String {
        let code = new_code();
        let record = Code {
            client_id: client_id.to_string(),
            redirect_uri: redirect_uri.to_string(),
            expires_at: now + CODE_LIFETIME_SECS,
            used: false,
        };
        self.codes.insert(code.clone(), record);
        code
    }

    /// Checks a code exchange and marks the code used; a refused exchange leaves it unused.
    fn redeem(&mut self, form: &HashMap<String, String>, now: i64) -> Result<(), Refusal> {
        let field = |key: &str| form.get(key).map(String::as_str).unwrap_or_default();
        if field("client_id") != self.app.id {
            return Err(Refusal::UnknownApp);
        }
        if field("client_secret") != self.app.secret {
            return Err(Refusal::WrongSecret);
        }
        if field("grant_type") != "authorization_code" {
            return Err(Refusal::WrongGrantType);
        }
        // The code as pasted from the redirect may still carry Instagram's `#_`.
        let given = field("code");
        let given = given.strip_suffix("#_").unwrap_or(given);
        let code = self.codes.get_mut(given).ok_or(Refusal::UnknownCode)?;
        if code.client_id != self.app.id {
            return Err(Refusal::UnknownCode);
        }
        if code.used {
            return Err(Refusal::UsedCode);
        }
        if now >= code.expires_at {
            return Err(Refusal::ExpiredCode);
        }
        if field("redirect_uri") != code.redirect_uri {
            return Err(Refusal::RedirectMismatch);
        }
        code.used = true;
        Ok(())
    }
}

/// The login router: the consent page and the code exchange.
pub(crate) fn login_router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/oauth/authorize", get(authorize))
        .route("/oauth/access_token", post(access_token))
        .with_state(shared)
}

/// Instagram's error page for a bad authorize request: HTML, 400.
fn error_page(reason: &str) -> Response {
    let reason = reason
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let html = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Instagram</title></head>\
         <body><h1>Invalid Request</h1><p>Invalid Request: Request parameters are invalid: \
         {reason}</p></body></html>"
    );
    let mut response = (StatusCode::BAD_REQUEST, html).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

/// `redirect_uri` with `params` appended to its query (and `fragment`, if any).
fn redirect_to(redirect_uri: &str, params: &[(&str, &str)], fragment: &str) -> Response {
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    let joiner = if redirect_uri.contains('?') { '&' } else { '?' };
    let location = format!("{redirect_uri}{joiner}{}{fragment}", query.join("&"));
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// `GET /oauth/authorize`: checks the request, then "the owner clicks Allow" (or Cancel).
async fn authorize(
    State(shared): State<Arc<Shared>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    shared.count(Some(Route::Authorize));
    if let Some(fault) = next_fault(&shared, Some(Route::Authorize), None).await {
        return graph_fault(fault, &shared);
    }
    let param = |key: &str| params.get(key).map(String::as_str).unwrap_or_default();
    let mut book = shared.book();
    if param("client_id") != book.login.app.id {
        return error_page("Invalid platform app");
    }
    let redirect_uri = param("redirect_uri");
    let is_url = redirect_uri.starts_with("https://") || redirect_uri.starts_with("http://");
    if !is_url || redirect_uri.contains('#') {
        return error_page("Invalid redirect_uri");
    }
    if param("response_type") != "code" {
        return error_page("Only response type \"code\" is allowed");
    }
    let scopes: Vec<&str> = param("scope")
        .split([',', ' '])
        .filter(|s| !s.is_empty())
        .collect();
    if !scopes.contains(&SCOPE) {
        return error_page(&format!("Invalid Scopes: {}", param("scope")));
    }
    let state = params.get("state").map(String::as_str);
    if book.login.deny {
        let mut query = vec![
            ("error", "access_denied"),
            ("error_reason", "user_denied"),
            ("error_description", "The user denied your request."),
        ];
        query.extend(state.map(|s| ("state", s)));
        return redirect_to(redirect_uri, &query, "");
    }
    let client_id = book.login.app.id.clone();
    let code = book
        .login
        .issue(&client_id, redirect_uri, shared.clock.now());
    let mut query = vec![("code", code.as_str())];
    query.extend(state.map(|s| ("state", s)));
    // Instagram appends `#_` to the redirect; it is not part of the code (Meta's Business Login
    // docs). Browsers never send a fragment to the server.
    redirect_to(redirect_uri, &query, "#_")
}

/// `POST /oauth/access_token`: code → short-lived token (1 h) of the fake's account.
///
/// `user_id` is the app-scoped id (`/me`'s `id`) as a bare JSON number too big for a double, as
/// captured live (API.md §2.5); `permissions` lists the granted scope, as the docs say.
async fn access_token(
    State(shared): State<Arc<Shared>>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    shared.count(Some(Route::OAuthToken));
    if let Some(fault) = next_fault(&shared, Some(Route::OAuthToken), None).await {
        return graph_fault(fault, &shared);
    }
    let now = shared.clock.now();
    let mut book = shared.book();
    if let Err(refusal) = book.login.redeem(&form, now) {
        return refusal.into_response();
    }
    let token = book.tokens.issue(now, now + SHORT_LIVED_SECS);
    let user_id: u64 = shared
        .account
        .app_scoped_id
        .parse()
        .expect("the app-scoped id is a number");
    let body = Obj::new()
        .with("access_token", token)
        .with("user_id", Json::Scalar(user_id.into()))
        .with("permissions", vec![Json::from(SCOPE)]);
    json_response(StatusCode::OK, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_code_is_redeemed_once_for_its_redirect_uri_within_the_hour() {
        let mut book = LoginBook::default();
        let app = book.app.clone();
        let code = book.issue(&app.id, "https://feeds.example/cb", 1_000);
        let exchange = |code: &str, redirect: &str, secret: &str| {
            form(&[
                ("client_id", &app.id),
                ("client_secret", secret),
                ("grant_type", "authorization_code"),
                ("redirect_uri", redirect),
                ("code", code),
            ])
        };
        let good = exchange(&code, "https://feeds.example/cb", &app.secret);
        assert_eq!(
            book.redeem(
                &exchange(&code, "https://other.example/cb", &app.secret),
                1_001
            ),
            Err(Refusal::RedirectMismatch)
        );
        assert_eq!(
            book.redeem(&exchange(&code, "https://feeds.example/cb", "nope"), 1_001),
            Err(Refusal::WrongSecret)
        );
        assert_eq!(
            book.redeem(&good, 1_001),
            Ok(()),
            "refusals leave the code unused"
        );
        assert_eq!(book.redeem(&good, 1_002), Err(Refusal::UsedCode));

        let late = book.issue(&app.id, "https://feeds.example/cb", 1_000);
        let late = exchange(&late, "https://feeds.example/cb", &app.secret);
        assert_eq!(book.redeem(&late, 1_000 + 3_600), Err(Refusal::ExpiredCode));
        assert_eq!(
            book.redeem(
                &exchange("AQBnope", "https://feeds.example/cb", &app.secret),
                1_000
            ),
            Err(Refusal::UnknownCode)
        );
    }
}
