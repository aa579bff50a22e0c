//! Graph API error bodies and statuses, as in `shared/instagram/fixtures/error_*.json` (API.md §4).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rand::Rng;
use rand::distr::Alphanumeric;

use crate::clock::pacific_long;
use crate::json::Obj;

/// Every error the fake Graph API can answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum GraphError {
    /// 400, 190 without subcode: missing, garbage or unknown token.
    CannotParseToken,
    /// 400, 190/463: the token expired at `expired_at` (the message prints both times).
    Expired { expired_at: i64, now: i64 },
    /// 400, 190/460.
    PasswordChanged,
    /// 400, 190/458.
    AppRemoved,
    /// 403, code 4, `is_transient`, with `X-App-Usage` at 100.
    AppRateLimit,
    /// 400, code 80002, with a `X-Business-Use-Case-Usage` header for `user_id`.
    BucRateLimit { user_id: String },
    /// 500, code 2, `is_transient`.
    Unexpected,
    /// 400, code 100 subcode 33: no such object (or deleted).
    UnknownObject(String),
    /// 400, code 100: a field the node type does not have.
    NonexistingField { field: String, node: &'static str },
    /// 400, code 100 `IGApiException` with this message.
    InvalidParameter(String),
    /// 500, code 2500: the path matches no edge.
    UnknownPath,
    /// 400, code 1, "Error validating client secret." (the long-lived exchange with a wrong or
    /// missing `client_secret`; Graph's answer to a bad secret, seen on graph.facebook.com).
    ClientSecret,
}

/// A random `fbtrace_id`, shaped like Meta's (`A` + 22 characters).
fn fbtrace_id() -> String {
    let tail: String = rand::rng()
        .sample_iter(Alphanumeric)
        .take(22)
        .map(char::from)
        .collect();
    format!("A{tail}")
}

/// The `error` object's fields; `None` leaves a key out.
struct Body {
    message: String,
    kind: &'static str,
    transient: bool,
    code: i64,
    subcode: Option<i64>,
}

impl GraphError {
    /// The HTTP status Graph uses for this error.
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            GraphError::AppRateLimit => StatusCode::FORBIDDEN,
            GraphError::Unexpected | GraphError::UnknownPath => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    fn body(&self) -> Body {
        let oauth = |message: String, code, subcode| Body {
            message,
            kind: "OAuthException",
            transient: false,
            code,
            subcode,
        };
        let ig_api = |message: String, subcode| Body {
            message,
            kind: "IGApiException",
            transient: false,
            code: 100,
            subcode,
        };
        match self {
            GraphError::CannotParseToken => {
                oauth("Invalid OAuth access token - Cannot parse access token".into(), 190, None)
            }
            GraphError::Expired { expired_at, now } => oauth(
                format!(
                    "Error validating access token: Session has expired on {}. The current time is {}.",
                    pacific_long(*expired_at),
                    pacific_long(*now)
                ),
                190,
                Some(463),
            ),
            GraphError::PasswordChanged => oauth(
                "Error validating access token: The session has been invalidated because the user \
                 changed their password or Facebook has changed the session for security reasons."
                    .into(),
                190,
                Some(460),
            ),
            GraphError::AppRemoved => oauth(
                "Error validating access token: The user has not authorized application.".into(),
                190,
                Some(458),
            ),
            GraphError::AppRateLimit => Body {
                transient: true,
                ..oauth("(#4) Application request limit reached".into(), 4, None)
            },
            GraphError::BucRateLimit { .. } => oauth(
                "(#80002) There have been too many calls to this Instagram account. Wait a bit and \
                 try again. For more info, please refer to \
                 https://developers.facebook.com/docs/graph-api/overview/rate-limiting."
                    .into(),
                80002,
                None,
            ),
            GraphError::Unexpected => Body {
                transient: true,
                ..oauth(
                    "An unexpected error has occurred. Please retry your request later.".into(),
                    2,
                    None,
                )
            },
            GraphError::UnknownObject(id) => ig_api(
                format!(
                    "Unsupported get request. Object with ID '{id}' does not exist, cannot be \
                     loaded due to missing permissions, or does not support this operation"
                ),
                Some(33),
            ),
            GraphError::NonexistingField { field, node } => ig_api(
                format!("(#100) Tried accessing nonexisting field ({field}) on node type ({node})"),
                None,
            ),
            GraphError::InvalidParameter(message) => ig_api(message.clone(), None),
            GraphError::UnknownPath => oauth("Unknown path components".into(), 2500, None),
            GraphError::ClientSecret => oauth("Error validating client secret.".into(), 1, None),
        }
    }

    /// The JSON body, key order as in the fixtures.
    pub(crate) fn to_json(&self) -> Obj {
        let body = self.body();
        let mut error = Obj::new()
            .with("message", body.message)
            .with("type", body.kind);
        if body.transient {
            error.push("is_transient", true);
        }
        error.push("code", body.code);
        if let Some(subcode) = body.subcode {
            error.push("error_subcode", subcode);
        }
        error.push("fbtrace_id", fbtrace_id());
        Obj::new().with("error", error)
    }
}

/// Wraps a JSON body as Graph sends it: `application/json; charset=UTF-8`.
pub(crate) fn json_response(status: StatusCode, body: &Obj) -> Response {
    let mut response = (status, body.to_json_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    response
}

impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        let body = self.to_json();
        let mut response = json_response(self.status(), &body);
        let headers = response.headers_mut();
        let set = |headers: &mut axum::http::HeaderMap, name: &'static str, value: String| {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(name, value);
            }
        };
        match &self {
            GraphError::AppRateLimit => set(
                headers,
                "x-app-usage",
                r#"{"call_count":100,"total_time":41,"total_cputime":17}"#.into(),
            ),
            GraphError::BucRateLimit { user_id } => set(
                headers,
                "x-business-use-case-usage",
                format!(
                    r#"{{"{user_id}":[{{"type":"instagram","call_count":100,"total_cputime":12,"total_time":31,"estimated_time_to_regain_access":37}}]}}"#
                ),
            ),
            _ if self.body().code == 190 => {
                let message = self.body().message;
                set(
                    headers,
                    "www-authenticate",
                    format!(r#"OAuth "Facebook Platform" "invalid_token" "{message}""#),
                );
            }
            _ => {}
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture_shape(error: &GraphError) -> serde_json::Value {
        let mut value: serde_json::Value =
            serde_json::from_str(&error.to_json().to_json_string()).unwrap();
        value["error"]["fbtrace_id"] = "X".into();
        value
    }

    #[test]
    fn expired_message_prints_both_times_in_pacific_time() {
        let body = fixture_shape(&GraphError::Expired {
            expired_at: 1_789_380_729,
            now: 1_789_470_000,
        });
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.starts_with("Error validating access token: Session has expired on Monday, 14-Sep-26 03:12:09 PDT. The current time is Tuesday, 15-Sep-26"));
        assert_eq!(body["error"]["error_subcode"], 463);
    }

    #[test]
    fn rate_limit_is_transient_and_has_no_subcode() {
        let body = fixture_shape(&GraphError::AppRateLimit);
        assert_eq!(body["error"]["is_transient"], true);
        assert_eq!(body["error"]["code"], 4);
        assert!(body["error"].get("error_subcode").is_none());
        assert_eq!(GraphError::AppRateLimit.status(), StatusCode::FORBIDDEN);
    }
}
