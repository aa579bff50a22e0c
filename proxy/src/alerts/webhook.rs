//! The webhook channel: a JSON POST signed as Standard Webhooks specifies
//! (<https://www.standardwebhooks.com>), retried with exponential backoff.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::event::AlertEvent;
use super::retry::{AttemptError, retried};
use super::{Attempted, RetryPolicy};
use crate::clock;
use crate::instagram::secret::Secret;

const SECRET_PREFIX: &str = "whsec_";

/// Where alerts are POSTed, and the key they are signed with. Built only from a valid URL and
/// secret; neither is ever printed (the URL may carry a secret of its own in its path or query).
#[derive(Debug, Clone)]
pub struct WebhookChannel {
    url: Secret,
    host: String,
    secret: Secret,
}

impl WebhookChannel {
    /// Checks `url` (http or https, with a host) and `secret` (`whsec_` and base64). The errors
    /// name the setting, never its value.
    ///
    /// ```
    /// # use feedframe::alerts::WebhookChannel;
    /// let hook = WebhookChannel::new("https://hooks.example/T0/abc?k=1", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    /// assert_eq!(hook.host(), "hooks.example");
    /// assert!(WebhookChannel::new("hooks.example", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_err());
    /// ```
    pub fn new(url: &str, secret: &str) -> Result<Self, String> {
        let parsed = reqwest::Url::parse(url.trim()).map_err(|_| {
            "FEEDFRAME_ALERT_WEBHOOK_URL is not a URL such as https://hooks.example.com/feedframe"
                .to_string()
        })?;
        let host = match (parsed.scheme(), parsed.host_str()) {
            ("http" | "https", Some(host)) if !host.is_empty() => host.to_string(),
            _ => {
                return Err(
                    "FEEDFRAME_ALERT_WEBHOOK_URL must be an http or https URL with a host".into(),
                );
            }
        };
        if decode_secret(secret.trim()).is_none() {
            return Err(
                "FEEDFRAME_ALERT_WEBHOOK_SECRET must be a Standard Webhooks secret: whsec_ \
                 followed by base64 (e.g. whsec_ and 32 random bytes in base64)"
                    .into(),
            );
        }
        Ok(Self {
            url: Secret::new(parsed.as_str()),
            host,
            secret: Secret::new(secret.trim()),
        })
    }

    /// The receiver's host name: all that is ever logged or shown of the URL.
    pub fn host(&self) -> &str {
        &self.host
    }
}

/// The signing key of a `whsec_<base64>` secret.
fn decode_secret(secret: &str) -> Option<Vec<u8>> {
    let key = BASE64.decode(secret.strip_prefix(SECRET_PREFIX)?).ok()?;
    (!key.is_empty()).then_some(key)
}

/// `v1,<base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}"))>`, the `webhook-signature` value.
pub fn sign(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", BASE64.encode(mac.finalize().into_bytes()))
}

/// The JSON body of an event.
pub fn body(event: &AlertEvent) -> Vec<u8> {
    let json = serde_json::json!({
        "type": event.kind.as_str(),
        "timestamp": clock::rfc3339(event.at),
        "data": {
            "feed": event.feed,
            "username": event.username,
            "condition": event.condition.as_str(),
            "previous": event.previous.as_str(),
            "state": event.state,
            "detail": event.detail,
        },
    });
    serde_json::to_vec(&json).expect("a JSON value serializes")
}

/// Delivers `event`, retrying network errors, timeouts, 5xx and 429 up to `policy.attempts`
/// times in all. Every attempt is signed anew (its own `webhook-timestamp`) under one
/// `webhook-id`, so receivers can drop duplicates.
pub(super) async fn deliver(
    http: &reqwest::Client,
    hook: &WebhookChannel,
    policy: &RetryPolicy,
    event: &AlertEvent,
) -> Attempted {
    let Some(key) = decode_secret(hook.secret.expose()) else {
        // `new` checked it; kept as an outcome rather than a panic.
        return Attempted::failed(0, "the webhook secret is invalid");
    };
    let body = body(event);
    let attempt = || async {
        let timestamp = clock::now();
        let response = http
            .post(hook.url.expose())
            .timeout(policy.attempt_timeout)
            .header("content-type", "application/json")
            .header("webhook-id", &event.id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", sign(&key, &event.id, timestamp, &body))
            .body(body.clone())
            .send()
            .await
            .map_err(|e| AttemptError {
                status: network_error(&e),
                retryable: true,
            })?;
        let status = response.status();
        if status.is_success() {
            Ok(format!("HTTP {}", status.as_u16()))
        } else {
            Err(AttemptError {
                status: format!("HTTP {}", status.as_u16()),
                retryable: status.is_server_error() || status.as_u16() == 429,
            })
        }
    };
    retried(policy, attempt).await
}

/// A reqwest error in words, without the URL it would quote.
fn network_error(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "cannot connect".into()
    } else {
        "the request failed".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_the_standard_webhooks_reference_vector() {
        // From the reference libraries of github.com/standard-webhooks/standard-webhooks.
        let key = decode_secret("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD").unwrap();
        assert_eq!(
            sign(
                &key,
                "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
                1_649_367_553,
                br#"{"email":"test@example.com","username":"test_user"}"#
            ),
            "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw="
        );
    }

    #[test]
    fn malformed_urls_and_secrets_are_refused_without_quoting_them() {
        let good = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
        for url in [
            "hooks.example/x",
            "ftp://hooks.example/x",
            "https://?k=sk_live_9",
            "not a url sk_live_123",
        ] {
            let err = WebhookChannel::new(url, good).unwrap_err();
            assert!(err.contains("FEEDFRAME_ALERT_WEBHOOK_URL"), "{err}");
            assert!(!err.contains(url), "{err}");
        }
        for secret in [
            "sk_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
            "whsec_",
            "whsec_not base64!",
        ] {
            let err = WebhookChannel::new("https://hooks.example/x", secret).unwrap_err();
            assert!(err.contains("FEEDFRAME_ALERT_WEBHOOK_SECRET"), "{err}");
            let tail = &secret[6..];
            assert!(tail.is_empty() || !err.contains(tail), "{err}");
        }
        let hook = WebhookChannel::new("https://hooks.example/T0/sk_live_123?k=9", good).unwrap();
        assert_eq!(hook.host(), "hooks.example");
        let shown = format!("{hook:?}");
        assert!(
            !shown.contains("sk_live_123") && !shown.contains(&good[6..]),
            "{shown}"
        );
    }
}
