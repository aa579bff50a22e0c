//! Instagram Login (API.md §2.5): the consent URL, the owner's answer at the callback, the two
//! exchanges code → short-lived token (api.instagram.com) → long-lived token (graph), and storing
//! the result as `feedframe token add` does. The admin console's `/admin/connect` and
//! `/admin/oauth/callback` routes are built on these.
//!
//! ```no_run
//! # async fn demo(
//! #     config: &feedframe::Config,
//! #     graph: &feedframe::instagram::client::Graph,
//! #     store: &std::sync::Arc<feedframe::store::Store>,
//! #     query: &str,
//! # ) -> Result<(), Box<dyn std::error::Error>> {
//! use feedframe::instagram::login::{InstagramLogin, connect, parse_callback};
//! let login = InstagramLogin::from_config(config).expect("FEEDFRAME_IG_APP_ID and _SECRET set");
//! let redirect_uri = "https://feeds.example.com/admin/oauth/callback";
//! let consent_page = login.authorize_url(redirect_uri, "single-use-state");
//! // … the owner's browser goes there and comes back to the callback with `query` …
//! let callback = parse_callback(query)?; // then check `callback.state`
//! let long_lived = login.exchange(&callback.code, redirect_uri).await?;
//! let me = connect(graph, store, "main", &long_lived).await?;
//! println!("feed 'main' shows @{}", me.username);
//! # let _ = consent_page;
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::sync::Arc;

use serde::Deserialize;
use serde::de::{self, Deserializer, Unexpected, Visitor};

use crate::clock;
use crate::config::Config;
use crate::error::ProxyError;
use crate::instagram::client::{Graph, GraphError, Me};
use crate::instagram::errors::{LoginRefusal, classify_login};
use crate::instagram::secret::Secret;
use crate::store::Store;
use feedframe_feed::percent_encode as encode;

/// The one permission FeedFrame asks for: read the profile and media (API.md §1).
pub const SCOPE: &str = "instagram_business_basic";

/// Why connecting a feed through Instagram Login failed, in words for the owner. No variant holds
/// a token, a code or the app secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginError {
    #[error(
        "the Instagram account's owner did not allow FeedFrame to read the account, so nothing was connected; connect again and choose Allow"
    )]
    Denied,
    #[error("Instagram refused the login ({0}), so nothing was connected; connect again")]
    Refused(String),
    #[error("Instagram's answer carries no login code; connect the feed again")]
    NoCode,
    #[error(
        "the Instagram login code has expired or was already used, so nothing was connected; connect the feed again"
    )]
    CodeRejected,
    #[error(
        "Instagram refused the app secret; check FEEDFRAME_IG_APP_SECRET (the Instagram app secret under the app's \"API setup with Instagram business login\")"
    )]
    WrongAppSecret,
    #[error(
        "Instagram does not know the app id; check FEEDFRAME_IG_APP_ID (the Instagram app id under the app's \"API setup with Instagram business login\", not the Facebook app id)"
    )]
    WrongAppId,
    #[error(
        "Instagram refused the callback address: it must be the one the login started with, and be listed as a valid OAuth redirect URI of the app; check FEEDFRAME_PUBLIC_URL"
    )]
    RedirectMismatch,
    #[error(
        "Instagram is unavailable right now ({0}), so nothing was connected; try again in a few minutes"
    )]
    Unavailable(String),
    #[error(
        "Instagram sent an answer FeedFrame cannot read ({0}); check FEEDFRAME_IG_TOKEN_URL and FEEDFRAME_GRAPH_BASE"
    )]
    Unreadable(String),
}

/// What the owner's browser brought back to the callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Callback {
    /// The authorization code: single-use, bound to the app and the redirect URI.
    pub code: Secret,
    /// The `state` the login started with, for the caller to check (and consume).
    pub state: Option<String>,
}

/// A long-lived token fresh from a login (about 60 days).
#[derive(Debug, Clone)]
pub struct LongLived {
    pub token: Secret,
    /// Seconds from now until the token expires.
    pub expires_in: i64,
    /// The account's app-scoped id (`/me`'s `id`) as the code exchange returned it, exact: it is a
    /// bare JSON number above 2^53, which a double would round.
    pub user_id: String,
}

/// Instagram Login for one Instagram app.
#[derive(Debug)]
pub struct InstagramLogin {
    http: reqwest::Client,
    app_id: String,
    app_secret: Secret,
    authorize_url: String,
    token_url: String,
    graph_base: String,
}

/// The code exchange's answer: flat as captured live (API.md §2.5); the docs' `{"data":[…]}` is
/// read too. `permissions` is not needed.
#[derive(Deserialize)]
#[serde(untagged)]
enum ShortLivedBody {
    Flat(ShortLived),
    Listed { data: Vec<ShortLived> },
}

// No Debug: it holds a token.
#[derive(Deserialize)]
struct ShortLived {
    access_token: String,
    #[serde(deserialize_with = "exact_id")]
    user_id: String,
}

#[derive(Deserialize)]
struct LongLivedBody {
    access_token: String,
    expires_in: i64,
}

/// Reads an id given as a JSON integer or a string of digits, exactly; floats and integers beyond
/// `u64` are refused, never rounded.
fn exact_id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    struct Id;
    impl Visitor<'_> for Id {
        type Value = String;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a user id: a whole number or a string of digits")
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
                Ok(v.to_string())
            } else {
                Err(E::invalid_value(
                    Unexpected::Other("a non-numeric string"),
                    &self,
                ))
            }
        }
    }
    deserializer.deserialize_any(Id)
}

/// `message` with every secret in it replaced.
fn scrub(message: &str, secrets: &[&str]) -> String {
    secrets
        .iter()
        .filter(|s| !s.is_empty())
        .fold(message.to_string(), |m, s| m.replace(s, "[redacted]"))
}

/// A transport failure, without the URL (it carries the secret and the token).
fn unreachable(e: reqwest::Error) -> LoginError {
    let e = e.without_url();
    LoginError::Unavailable(if e.is_timeout() {
        "the request timed out".into()
    } else {
        format!("cannot reach Instagram: {e}")
    })
}

impl LoginError {
    /// The owner's words for a classified refusal; Instagram's own message is scrubbed of
    /// `secrets` first.
    fn from_refusal(refusal: LoginRefusal, secrets: &[&str]) -> Self {
        match refusal {
            LoginRefusal::Code => LoginError::CodeRejected,
            LoginRefusal::AppSecret => LoginError::WrongAppSecret,
            LoginRefusal::AppId => LoginError::WrongAppId,
            LoginRefusal::RedirectUri => LoginError::RedirectMismatch,
            LoginRefusal::Graph(e) => match e {
                GraphError::Transient(m) | GraphError::RateLimited { message: m, .. } => {
                    LoginError::Unavailable(scrub(&m, secrets))
                }
                GraphError::Upstream(m) => LoginError::Unreadable(scrub(&m, secrets)),
                GraphError::Rejected { message, .. } => {
                    LoginError::Refused(scrub(&message, secrets))
                }
                other => LoginError::Refused(scrub(&other.to_string(), secrets)),
            },
        }
    }
}

impl InstagramLogin {
    /// Instagram Login for the configured app; `None` unless both `ig_app_id` and
    /// `ig_app_secret` are set.
    pub fn from_config(config: &Config) -> Option<Self> {
        let app_id = config.ig_app_id.clone().filter(|id| !id.is_empty())?;
        let app_secret = config
            .ig_app_secret
            .clone()
            .filter(|s| !s.expose().is_empty())?;
        let http = crate::instagram::client::instagram_client(config);
        Some(Self {
            http,
            app_id,
            app_secret,
            authorize_url: config.ig_authorize_url.clone(),
            token_url: config.ig_token_url.clone(),
            graph_base: config.graph_base.clone(),
        })
    }

    /// The consent page to send the owner to; Instagram comes back to `redirect_uri` with a code
    /// (or a refusal) and `state`.
    ///
    /// ```no_run
    /// # fn demo(login: &feedframe::instagram::login::InstagramLogin) {
    /// let url = login.authorize_url("https://feeds.example.com/admin/oauth/callback", "st4te");
    /// assert!(url.contains("&scope=instagram_business_basic&"));
    /// # }
    /// ```
    pub fn authorize_url(&self, redirect_uri: &str, state: &str) -> String {
        format!(
            "{}?client_id={}&redirect_uri={}&response_type=code&scope={SCOPE}&state={}",
            self.authorize_url,
            encode(&self.app_id),
            encode(redirect_uri),
            encode(state)
        )
    }

    /// Exchanges the callback's code for a short-lived token, then that for a long-lived one.
    /// `redirect_uri` must be the one given to [`InstagramLogin::authorize_url`]. A code works
    /// once: this is never retried.
    pub async fn exchange(
        &self,
        code: &Secret,
        redirect_uri: &str,
    ) -> Result<LongLived, LoginError> {
        let short = self.short_lived(code, redirect_uri).await?;
        let token = Secret::new(short.access_token);
        let secrets = [code.expose(), self.app_secret.expose(), token.expose()];
        let url = format!(
            "{}/access_token?grant_type=ig_exchange_token&client_secret={}&access_token={}",
            self.graph_base,
            encode(self.app_secret.expose()),
            encode(token.expose())
        );
        let response = self.http.get(url).send().await.map_err(unreachable)?;
        let long: LongLivedBody = read(response, &secrets).await?;
        if long.access_token.is_empty() || long.expires_in <= 0 {
            return Err(LoginError::Unreadable(
                "the long-lived token or its lifetime is missing".into(),
            ));
        }
        Ok(LongLived {
            token: Secret::new(long.access_token),
            expires_in: long.expires_in,
            user_id: short.user_id,
        })
    }

    /// `POST token_url`: code → short-lived token (one hour) and the app-scoped user id.
    async fn short_lived(
        &self,
        code: &Secret,
        redirect_uri: &str,
    ) -> Result<ShortLived, LoginError> {
        let form = [
            ("client_id", self.app_id.as_str()),
            ("client_secret", self.app_secret.expose()),
            ("grant_type", "authorization_code"),
            ("redirect_uri", redirect_uri),
            ("code", code.expose()),
        ];
        let response = self
            .http
            .post(&self.token_url)
            .form(&form)
            .send()
            .await
            .map_err(unreachable)?;
        let secrets = [code.expose(), self.app_secret.expose()];
        match read::<ShortLivedBody>(response, &secrets).await? {
            ShortLivedBody::Flat(short) => Ok(short),
            ShortLivedBody::Listed { data } => data
                .into_iter()
                .next()
                .ok_or_else(|| LoginError::Unreadable("the answer lists no token".into())),
        }
    }
}

/// A token endpoint's answer: the body on success, else the refusal in the owner's words.
async fn read<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
    secrets: &[&str],
) -> Result<T, LoginError> {
    let status = response.status().as_u16();
    let body = response.bytes().await.map_err(unreachable)?;
    if !(200..300).contains(&status) {
        return Err(LoginError::from_refusal(
            classify_login(status, &body),
            secrets,
        ));
    }
    // serde's messages may quote the body, token included: only the status is reported.
    serde_json::from_slice(&body)
        .map_err(|_| LoginError::Unreadable(format!("an unexpected body with HTTP {status}")))
}

/// Reads the callback's query string (`code=…&state=…`, or Instagram's
/// `error=access_denied&error_reason=user_denied&…`).
///
/// ```
/// use feedframe::instagram::login::{LoginError, parse_callback};
/// let denied = "error=access_denied&error_reason=user_denied&error_description=The+user+denied+your+request.&state=s";
/// assert_eq!(parse_callback(denied), Err(LoginError::Denied));
/// assert_eq!(parse_callback("code=AQBx&state=s").unwrap().code.expose(), "AQBx");
/// ```
pub fn parse_callback(query: &str) -> Result<Callback, LoginError> {
    let query = query.strip_prefix('?').unwrap_or(query);
    let url = reqwest::Url::parse(&format!("http://callback.invalid/?{query}"))
        .map_err(|_| LoginError::NoCode)?;
    let get = |key: &str| {
        url.query_pairs()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    };
    if let Some(error) = get("error") {
        if error == "access_denied" || get("error_reason").as_deref() == Some("user_denied") {
            return Err(LoginError::Denied);
        }
        let said = get("error_description").unwrap_or(error);
        return Err(LoginError::Refused(said.chars().take(200).collect()));
    }
    let code = get("code").unwrap_or_default();
    // Instagram appends `#_` to the redirect; it is not part of the code.
    let code = code.strip_suffix("#_").unwrap_or(&code).to_string();
    if code.is_empty() {
        return Err(LoginError::NoCode);
    }
    Ok(Callback {
        code: Secret::new(code),
        state: get("state"),
    })
}

/// Stores a login's long-lived token for `feed` after `/me` accepts it, as `feedframe token add`
/// does, expiring at now + `expires_in`. An existing feed keeps its allowed origins and its cached
/// posts; its token (dead or alive) is replaced in place. A running server's cache picks it up
/// at once after `Feeds::forget(feed)`.
pub async fn connect(
    graph: &Graph,
    store: &Arc<Store>,
    feed: &str,
    long_lived: &LongLived,
) -> Result<Me, ProxyError> {
    let me = graph.me(&long_lived.token).await?;
    let expires_at = clock::now() + long_lived.expires_in;
    let (feed, token, account) = (feed.to_string(), long_lived.token.clone(), me.clone());
    store
        .run(move |s| {
            let origins = s
                .feed_settings(&feed)?
                .map(|settings| settings.allowed_origins)
                .unwrap_or_default();
            crate::tokens::add::store_checked(
                s,
                &feed,
                &token,
                &account,
                Some(expires_at),
                &origins,
            )
        })
        .await?;
    Ok(me)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login() -> InstagramLogin {
        let mut config = Config::new(".".into());
        config.ig_app_id = Some("990602627938098".into());
        config.ig_app_secret = Some(Secret::new("app-secret"));
        InstagramLogin::from_config(&config).unwrap()
    }

    #[test]
    fn login_needs_both_the_app_id_and_the_secret() {
        let mut config = Config::new(".".into());
        assert!(InstagramLogin::from_config(&config).is_none());
        config.ig_app_id = Some("1".into());
        assert!(InstagramLogin::from_config(&config).is_none());
        config.ig_app_secret = Some(Secret::new(""));
        assert!(InstagramLogin::from_config(&config).is_none());
        config.ig_app_secret = Some(Secret::new("s"));
        assert!(InstagramLogin::from_config(&config).is_some());
    }

    #[test]
    fn the_authorize_url_asks_for_a_code_with_the_basic_scope_and_encodes_every_value() {
        let url = login().authorize_url(
            "https://feeds.example.com:8443/admin/oauth/callback?x=1&y=2",
            "a+b/c=d&e f",
        );
        assert_eq!(
            url,
            "https://www.instagram.com/oauth/authorize?client_id=990602627938098\
             &redirect_uri=https%3A%2F%2Ffeeds.example.com%3A8443%2Fadmin%2Foauth%2Fcallback%3Fx%3D1%26y%3D2\
             &response_type=code&scope=instagram_business_basic&state=a%2Bb%2Fc%3Dd%26e%20f"
        );
        // Read back as Instagram reads it, every value is intact.
        let parsed = reqwest::Url::parse(&url).unwrap();
        let pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
        assert_eq!(pairs.len(), 5);
        assert_eq!(
            pairs[1].1,
            "https://feeds.example.com:8443/admin/oauth/callback?x=1&y=2"
        );
        assert_eq!(pairs[4].1, "a+b/c=d&e f");
    }

    #[test]
    fn a_callback_gives_the_code_and_state_decoded_without_instagrams_suffix() {
        let callback = parse_callback("?code=AQB%2Dx_1%23_&state=st%20ate%2B").unwrap();
        assert_eq!(callback.code.expose(), "AQB-x_1");
        assert_eq!(callback.state.as_deref(), Some("st ate+"));
        assert_eq!(parse_callback("code=AQBy").unwrap().state, None);
    }

    #[test]
    fn a_denied_or_broken_callback_is_said_in_plain_words() {
        let denied = parse_callback(
            "error=access_denied&error_reason=user_denied&error_description=The+user+denied+your+request.&state=s",
        )
        .unwrap_err();
        assert_eq!(denied, LoginError::Denied);
        assert!(denied.to_string().contains("did not allow FeedFrame"));
        assert_eq!(
            parse_callback("error=server_error&error_description=Try+later"),
            Err(LoginError::Refused("Try later".into()))
        );
        assert_eq!(parse_callback(""), Err(LoginError::NoCode));
        assert_eq!(parse_callback("code=&state=s"), Err(LoginError::NoCode));
        assert_eq!(parse_callback("state=s"), Err(LoginError::NoCode));
    }

    #[test]
    fn user_ids_are_read_exactly_from_numbers_and_strings_but_never_from_floats() {
        // 2^53 + 1 is not a double: read through f64 it would come back as 9007199254740992.
        let number = r#"{"access_token":"IGAA","user_id":9007199254740993,"permissions":["instagram_business_basic"]}"#;
        let ShortLivedBody::Flat(short) = serde_json::from_str(number).unwrap() else {
            panic!("the flat shape");
        };
        assert_eq!(short.user_id, "9007199254740993");
        let listed = r#"{"data":[{"access_token":"IGAA","user_id":"27281358591558845","permissions":"instagram_business_basic"}]}"#;
        let ShortLivedBody::Listed { data } = serde_json::from_str(listed).unwrap() else {
            panic!("the docs' shape");
        };
        assert_eq!(data[0].user_id, "27281358591558845");
        for bad in [
            r#"1.5e16"#,
            r#""12a""#,
            r#"-3"#,
            r#"99999999999999999999999"#,
        ] {
            let body = format!(r#"{{"access_token":"IGAA","user_id":{bad}}}"#);
            assert!(
                serde_json::from_str::<ShortLivedBody>(&body).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn instagrams_messages_are_scrubbed_of_secrets() {
        let error = LoginError::from_refusal(
            LoginRefusal::Graph(GraphError::Rejected {
                code: 100,
                message: "bad value app-secret for IGAAshort".into(),
            }),
            &["app-secret", "IGAAshort", ""],
        );
        assert_eq!(
            error,
            LoginError::Refused("bad value [redacted] for [redacted]".into())
        );
    }
}
