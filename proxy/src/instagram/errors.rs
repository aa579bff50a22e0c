//! The one place that reads Instagram's error bodies and usage headers
//! (shared/instagram/API.md §4): every failure becomes a [`GraphError`] from its code and
//! subcode, never from the HTTP status alone.

use std::time::Duration;

use feedframe_feed::FeedStatus;
use serde::Deserialize;

/// Why a call to Instagram failed, classified once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    #[error(
        "the access token has expired; generate a new long-lived token and run `feedframe token add` (Instagram said: {0})"
    )]
    TokenExpired(String),
    #[error(
        "the access token was invalidated because the account's password changed or Instagram reset the session; generate a new token (Instagram said: {0})"
    )]
    PasswordChanged(String),
    #[error(
        "the Instagram account removed this app's access; log in again and generate a new token (Instagram said: {0})"
    )]
    AppRemoved(String),
    #[error(
        "Instagram wants the account owner to log in on instagram.com to fix an issue with the account (Instagram said: {0})"
    )]
    UserCheckpointed(String),
    #[error(
        "Instagram does not accept the access token; check that it is an Instagram Login token (IGAA…) and copy it again (Instagram said: {0})"
    )]
    InvalidToken(String),
    #[error("Instagram is rate limiting requests (code {code}); FeedFrame waits {} before calling again (Instagram said: {message})", crate::clock::span(retry_after.as_secs() as i64))]
    RateLimited {
        code: i64,
        message: String,
        retry_after: Duration,
    },
    #[error("Instagram refused the request (code {code}): {message}")]
    Rejected { code: i64, message: String },
    #[error("Instagram is unavailable: {0}")]
    Transient(String),
    #[error("Instagram sent a response FeedFrame cannot read: {0}")]
    Upstream(String),
}

/// How long to stay away after a rate limit that gives no estimate.
pub const DEFAULT_RATE_LIMIT_PAUSE: Duration = Duration::from_secs(10 * 60);

/// What a token's state becomes after an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenVerdict {
    Expired,
    Revoked,
}

impl GraphError {
    /// Worth retrying at once with backoff: 5xx, timeouts, connection errors, codes 1 and 2.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transient(_))
    }

    /// The token is dead: stop calling with it until the owner adds a new one.
    pub fn token_verdict(&self) -> Option<TokenVerdict> {
        match self {
            Self::TokenExpired(_) => Some(TokenVerdict::Expired),
            Self::PasswordChanged(_)
            | Self::AppRemoved(_)
            | Self::UserCheckpointed(_)
            | Self::InvalidToken(_) => Some(TokenVerdict::Revoked),
            _ => None,
        }
    }

    /// The status a feed shows while this is its latest error.
    pub fn feed_status(&self) -> FeedStatus {
        match self.token_verdict() {
            Some(TokenVerdict::Expired) => FeedStatus::TokenExpired,
            Some(TokenVerdict::Revoked) => FeedStatus::TokenRevoked,
            None if matches!(self, Self::RateLimited { .. }) => FeedStatus::RateLimited,
            None => FeedStatus::Unavailable,
        }
    }

    /// A short machine name for the event log.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::TokenExpired(_) => "token_expired",
            Self::PasswordChanged(_) => "password_changed",
            Self::AppRemoved(_) => "app_removed",
            Self::UserCheckpointed(_) => "user_checkpointed",
            Self::InvalidToken(_) => "invalid_token",
            Self::RateLimited { .. } => "rate_limited",
            Self::Rejected { .. } => "rejected",
            Self::Transient(_) => "unavailable",
            Self::Upstream(_) => "upstream",
        }
    }
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    #[serde(default)]
    message: String,
    code: Option<i64>,
    error_subcode: Option<i64>,
}

/// HTTP 429 Too Many Requests. The Graph API itself does not send it (API.md §4.3), but a load
/// balancer or proxy in front of it may, with or without a body: it is a rate limit.
const TOO_MANY_REQUESTS: u16 = 429;
/// The longest pause a `Retry-After` header can impose; beyond it the header is taken as a day.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(86_400);

/// Classifies a response that is not a success: an error body from its code and subcode, anything
/// else from the HTTP status. `usage_pause` is how long the usage and `Retry-After` headers ask
/// us to stay away (see [`usage_pause`], [`retry_after`]).
pub fn classify(status: u16, body: &[u8], usage_pause: Option<Duration>) -> GraphError {
    let rate_limited = |code: i64, message: String| GraphError::RateLimited {
        code,
        message,
        retry_after: usage_pause.unwrap_or(DEFAULT_RATE_LIMIT_PAUSE),
    };
    let Ok(ErrorEnvelope { error }) = serde_json::from_slice::<ErrorEnvelope>(body) else {
        return if status == TOO_MANY_REQUESTS {
            rate_limited(
                i64::from(status),
                "HTTP 429 Too Many Requests without an error body".into(),
            )
        } else if status >= 500 {
            GraphError::Transient(format!("HTTP {status}"))
        } else {
            GraphError::Upstream(format!("HTTP {status} without an error body"))
        };
    };
    let message = error.message;
    match (error.code, error.error_subcode) {
        (Some(190), Some(463)) => GraphError::TokenExpired(message),
        (Some(190), Some(460)) => GraphError::PasswordChanged(message),
        (Some(190), Some(458)) => GraphError::AppRemoved(message),
        (Some(190), Some(459 | 464)) => GraphError::UserCheckpointed(message),
        (Some(190), _) => GraphError::InvalidToken(message),
        (Some(code @ (4 | 17 | 32 | 341 | 368 | 613 | 80002)), _) => rate_limited(code, message),
        (code, _) if status == TOO_MANY_REQUESTS => {
            rate_limited(code.unwrap_or(i64::from(status)), message)
        }
        (Some(1 | 2), _) => GraphError::Transient(message),
        (Some(code), _) if status >= 500 => {
            GraphError::Transient(format!("code {code}: {message}"))
        }
        (Some(code), _) => GraphError::Rejected { code, message },
        (None, _) if status >= 500 => GraphError::Transient(message),
        (None, _) => GraphError::Upstream(message),
    }
}

/// Reads a `Retry-After` header: delay-seconds or an HTTP date (RFC 9110 §10.2.3), as the pause
/// from `now` (Unix seconds), between one second and [`MAX_RETRY_AFTER`]. Absent or unreadable
/// means no pause.
pub fn retry_after(value: Option<&str>, now: i64) -> Option<Duration> {
    let value = value?.trim();
    let secs = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Too many digits to parse is far in the future: the cap.
        value.parse::<u64>().unwrap_or(u64::MAX)
    } else {
        let format = time::macros::format_description!(
            "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
        );
        let at = time::PrimitiveDateTime::parse(value, format)
            .ok()?
            .assume_utc()
            .unix_timestamp();
        u64::try_from(at.saturating_sub(now)).unwrap_or(0)
    };
    Some(Duration::from_secs(secs).clamp(Duration::from_secs(1), MAX_RETRY_AFTER))
}

/// Reads `X-App-Usage` (either key set) and `X-Business-Use-Case-Usage`; returns how long to
/// pause when Instagram says we are at or near the limit, at most [`MAX_RETRY_AFTER`]. Absent or
/// unreadable headers mean no pause.
pub fn usage_pause(app_usage: Option<&str>, buc_usage: Option<&str>) -> Option<Duration> {
    const NEAR_LIMIT_PERCENT: i64 = 95;
    const NEAR_LIMIT_PAUSE: Duration = Duration::from_secs(5 * 60);
    let mut pause: Option<Duration> = None;
    let mut longest = |d: Duration| pause = Some(pause.map_or(d, |p| p.max(d)));

    if let Some(value) = app_usage.and_then(|h| serde_json::from_str::<serde_json::Value>(h).ok()) {
        let busiest = [
            "call_count",
            "total_time",
            "total_cputime",
            "call_volume",
            "cpu_time",
        ]
        .iter()
        .filter_map(|k| value.get(k).and_then(serde_json::Value::as_i64))
        .max();
        if busiest.is_some_and(|p| p >= NEAR_LIMIT_PERCENT) {
            longest(NEAR_LIMIT_PAUSE);
        }
    }
    if let Some(value) = buc_usage.and_then(|h| serde_json::from_str::<serde_json::Value>(h).ok()) {
        for entry in value
            .as_object()
            .into_iter()
            .flat_map(|o| o.values())
            .flat_map(|v| v.as_array().cloned().unwrap_or_default())
        {
            let minutes = entry
                .get("estimated_time_to_regain_access")
                .and_then(|v| v.as_i64());
            if let Some(m) = minutes.filter(|m| *m > 0) {
                // Capped: an absurd estimate must neither overflow nor pause us for years.
                let secs = u64::try_from(m).unwrap_or(0).saturating_mul(60);
                longest(Duration::from_secs(secs).min(MAX_RETRY_AFTER));
            }
            let busiest = ["call_count", "total_time", "total_cputime"]
                .iter()
                .filter_map(|k| entry.get(k).and_then(serde_json::Value::as_i64))
                .max();
            if busiest.is_some_and(|p| p >= NEAR_LIMIT_PERCENT) {
                longest(NEAR_LIMIT_PAUSE);
            }
        }
    }
    pause
}

/// Why Instagram Login's token endpoints refused: the code exchange (api.instagram.com) or the
/// long-lived exchange (graph.instagram.com), API.md §2.5.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginRefusal {
    /// The authorization code is unknown, already used or expired.
    Code,
    /// The app secret is wrong.
    AppSecret,
    /// The app id is unknown (often the Facebook app id given instead of the Instagram one).
    AppId,
    /// The redirect URI differs from the one the login started with.
    RedirectUri,
    /// Anything else, classified as any Graph error is.
    Graph(GraphError),
}

/// The api host's own error shape, not the Graph envelope:
/// `{"error_type": "OAuthException", "code": 400, "error_message": "…"}`.
#[derive(Deserialize)]
struct ApiHostError {
    error_message: String,
    code: Option<i64>,
}

/// Classifies a refusal of a token endpoint. The api host answers every refusal with code 400,
/// so its message is all there is to go on (messages seen: "Invalid platform app", "Invalid Client
/// Secret", "This authorization code has been used", "Matching code was not found or was already
/// used.", "Error validating verification code. Please make sure your redirect_uri is identical to
/// the one you used in the OAuth dialog request"); the graph host says "Error validating client
/// secret." with code 1, which is no transient failure here. A dead token (190) is a Graph error.
pub fn classify_login(status: u16, body: &[u8]) -> LoginRefusal {
    let api_host = serde_json::from_slice::<ApiHostError>(body).ok();
    let message = match &api_host {
        Some(e) => e.error_message.clone(),
        None => match serde_json::from_slice::<ErrorEnvelope>(body) {
            Ok(ErrorEnvelope { error }) if error.code != Some(190) => error.message,
            _ => String::new(),
        },
    };
    let lower = message.to_ascii_lowercase();
    let says = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    if says(&["client secret", "client_secret", "app secret"]) {
        LoginRefusal::AppSecret
    } else if says(&["platform app", "client id", "client_id", "application id"]) {
        LoginRefusal::AppId
    } else if says(&["redirect_uri", "redirect uri"]) {
        LoginRefusal::RedirectUri
    } else if says(&["authorization code", "matching code", "verification code"]) {
        LoginRefusal::Code
    } else if let Some(e) = api_host {
        LoginRefusal::Graph(if status >= 500 {
            GraphError::Transient(message)
        } else {
            GraphError::Rejected {
                code: e.code.unwrap_or(i64::from(status)),
                message,
            }
        })
    } else {
        LoginRefusal::Graph(classify(status, body, None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/../fake-instagram/fixtures/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn every_fixture_error_is_classified() {
        let cases = [
            (
                "error_190_463_expired.json",
                400,
                "token_expired",
                FeedStatus::TokenExpired,
            ),
            (
                "error_190_460_password_changed.json",
                400,
                "password_changed",
                FeedStatus::TokenRevoked,
            ),
            (
                "error_190_458_not_authorized.json",
                400,
                "app_removed",
                FeedStatus::TokenRevoked,
            ),
            (
                "error_190_cannot_parse.json",
                400,
                "invalid_token",
                FeedStatus::TokenRevoked,
            ),
            (
                "error_rate_limit.json",
                403,
                "rate_limited",
                FeedStatus::RateLimited,
            ),
            (
                "error_rate_limit_80002_buc.json",
                400,
                "rate_limited",
                FeedStatus::RateLimited,
            ),
            (
                "error_rate_limit_80002_buc.json",
                403,
                "rate_limited",
                FeedStatus::RateLimited,
            ),
            (
                "error_unknown_500.json",
                500,
                "unavailable",
                FeedStatus::Unavailable,
            ),
        ];
        for (file, status, kind, feed_status) in cases {
            let e = classify(status, &fixture(file), None);
            assert_eq!(e.kind(), kind, "{file}");
            assert_eq!(e.feed_status(), feed_status, "{file}");
        }
    }

    #[test]
    fn token_errors_are_permanent_and_transient_ones_are_retried() {
        let expired = classify(400, &fixture("error_190_463_expired.json"), None);
        assert_eq!(expired.token_verdict(), Some(TokenVerdict::Expired));
        assert!(!expired.is_transient());
        let limited = classify(403, &fixture("error_rate_limit.json"), None);
        assert!(
            !limited.is_transient(),
            "a rate limit must not cause a retry storm"
        );
        assert!(classify(500, &fixture("error_unknown_500.json"), None).is_transient());
        assert!(classify(502, b"<html>bad gateway</html>", None).is_transient());
    }

    #[test]
    fn malformed_bodies_are_upstream_errors() {
        assert_eq!(classify(400, b"not json", None).kind(), "upstream");
        assert_eq!(
            classify(400, br#"{"error":{"message":"x"}}"#, None).kind(),
            "upstream"
        );
    }

    #[test]
    fn other_api_errors_are_rejections_with_the_message() {
        let body = br#"{"error":{"message":"Unsupported request - method type: get","type":"IGApiException","code":100}}"#;
        let e = classify(400, body, None);
        assert_eq!(e.kind(), "rejected");
        assert!(e.to_string().contains("Unsupported request"));
    }

    #[test]
    fn rate_limits_wait_as_long_as_instagram_says() {
        let buc = r#"{"17841463372910248":[{"type":"instagram","call_count":100,"total_cputime":3,"total_time":4,"estimated_time_to_regain_access":7}]}"#;
        let pause = usage_pause(None, Some(buc));
        assert_eq!(pause, Some(Duration::from_secs(7 * 60)));
        let e = classify(400, &fixture("error_rate_limit_80002_buc.json"), pause);
        assert!(
            matches!(e, GraphError::RateLimited { retry_after, .. } if retry_after == Duration::from_secs(420))
        );
        let e = classify(403, &fixture("error_rate_limit.json"), None);
        assert!(
            matches!(e, GraphError::RateLimited { retry_after, .. } if retry_after == DEFAULT_RATE_LIMIT_PAUSE)
        );
    }

    #[test]
    fn a_429_without_an_error_body_is_a_rate_limit_for_as_long_as_retry_after_says() {
        // Regression: a load balancer's bare 429 was a generic upstream error, retried at once.
        let pause = retry_after(Some("120"), 0);
        assert_eq!(pause, Some(Duration::from_secs(120)));
        let e = classify(429, b"Too Many Requests", pause);
        assert_eq!(e.kind(), "rate_limited");
        assert_eq!(e.feed_status(), FeedStatus::RateLimited);
        assert!(
            matches!(e, GraphError::RateLimited { retry_after, .. } if retry_after == Duration::from_secs(120))
        );
        assert!(!e.is_transient(), "a rate limit is not retried at once");
        // With a Graph error body too, unless the token itself is dead.
        let body = br#"{"error":{"message":"slow down","code":100}}"#;
        assert_eq!(classify(429, body, None).kind(), "rate_limited");
        assert_eq!(
            classify(429, &fixture("error_190_463_expired.json"), None).kind(),
            "token_expired"
        );
        assert!(
            matches!(classify(429, b"", None), GraphError::RateLimited { retry_after, .. } if retry_after == DEFAULT_RATE_LIMIT_PAUSE)
        );
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates_within_bounds() {
        // 1994-11-06T08:49:37Z
        let at = 784_111_777;
        assert_eq!(
            retry_after(Some("Sun, 06 Nov 1994 08:49:37 GMT"), at - 90),
            Some(Duration::from_secs(90))
        );
        assert_eq!(
            retry_after(Some("Sun, 06 Nov 1994 08:49:37 GMT"), at + 90),
            Some(Duration::from_secs(1)),
            "a date in the past: retry soon, not at once"
        );
        assert_eq!(retry_after(Some("0"), 0), Some(Duration::from_secs(1)));
        assert_eq!(
            retry_after(Some("99999999999999999999999"), 0),
            Some(MAX_RETRY_AFTER)
        );
        assert_eq!(retry_after(Some("soon"), 0), None);
        assert_eq!(retry_after(Some("-5"), 0), None);
        assert_eq!(retry_after(None, 0), None);
    }

    #[test]
    fn usage_headers_in_either_key_set_or_absent_are_understood() {
        assert_eq!(usage_pause(None, None), None);
        assert_eq!(
            usage_pause(
                Some(r#"{"call_count":28,"total_time":25,"total_cputime":25}"#),
                None
            ),
            None
        );
        assert!(usage_pause(Some(r#"{"call_volume":99,"cpu_time":0}"#), None).is_some());
        assert!(
            usage_pause(
                Some(r#"{"call_count":100,"total_time":1,"total_cputime":1}"#),
                None
            )
            .is_some()
        );
        assert_eq!(usage_pause(Some("garbage"), Some("{]")), None);
    }

    #[test]
    fn login_refusals_are_classified_from_either_host_shape() {
        let api = |message: &str| {
            format!(
                r#"{{"error_type": "OAuthException", "code": 400, "error_message": "{message}"}}"#
            )
        };
        for (message, expected) in [
            ("This authorization code has been used", LoginRefusal::Code),
            (
                "Matching code was not found or was already used.",
                LoginRefusal::Code,
            ),
            ("Invalid authorization code", LoginRefusal::Code),
            ("Invalid Client Secret", LoginRefusal::AppSecret),
            ("Invalid platform app", LoginRefusal::AppId),
            (
                "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request",
                LoginRefusal::RedirectUri,
            ),
        ] {
            assert_eq!(
                classify_login(400, api(message).as_bytes()),
                expected,
                "{message}"
            );
        }
        let graph_secret = br#"{"error":{"message":"Error validating client secret.","type":"OAuthException","code":1,"fbtrace_id":"x"}}"#;
        assert_eq!(classify_login(400, graph_secret), LoginRefusal::AppSecret);
        assert!(matches!(
            classify_login(400, &fixture("error_190_463_expired.json")),
            LoginRefusal::Graph(GraphError::TokenExpired(_))
        ));
        assert!(matches!(
            classify_login(500, &fixture("error_unknown_500.json")),
            LoginRefusal::Graph(GraphError::Transient(_))
        ));
        assert!(matches!(
            classify_login(400, api("Something new").as_bytes()),
            LoginRefusal::Graph(GraphError::Rejected { code: 400, .. })
        ));
        assert!(matches!(
            classify_login(502, b"<html>bad gateway"),
            LoginRefusal::Graph(GraphError::Transient(_))
        ));
    }
}
