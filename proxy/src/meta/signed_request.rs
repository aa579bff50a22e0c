//! Meta's `signed_request`: `<signature>.<payload>`, both base64url (Meta sends them without
//! padding, sometimes with a trailing `=`; either is accepted). The signature is HMAC-SHA256 of
//! the payload *as sent* (the base64url text) keyed with the app secret; the payload is JSON with
//! `algorithm` (`HMAC-SHA256`), `issued_at` (Unix seconds) and `user_id` (the app-scoped user).
//!
//! ```
//! # use feedframe::meta::signed_request::{verify, SignedRequestError};
//! # use feedframe::instagram::secret::Secret;
//! let refused = verify("not.signed", &Secret::new("s"), 0);
//! assert!(matches!(refused, Err(SignedRequestError::Malformed(_))));
//! ```

use base64::Engine;
use base64::alphabet::URL_SAFE;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use crate::instagram::secret::Secret;

/// A signed request older than this is refused (a replayed one, most likely).
pub const MAX_AGE_SECS: i64 = 3_600;
/// How far in the future `issued_at` may be (clocks differ a little).
pub const MAX_SKEW_SECS: i64 = 300;

const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// What a verified signed request says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    /// The app-scoped Instagram user id, as text (Meta sends a string or a number).
    pub user_id: String,
    pub issued_at: i64,
}

/// Why a signed request was refused. The messages quote nothing from the request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignedRequestError {
    #[error("the signed request is malformed ({0})")]
    Malformed(&'static str),
    #[error("the signed request's algorithm is not HMAC-SHA256")]
    Algorithm,
    #[error("the signed request's signature does not match")]
    Signature,
    #[error("the signed request is too old or from the future")]
    Stale,
}

#[derive(Deserialize)]
struct Payload {
    algorithm: String,
    issued_at: i64,
    user_id: serde_json::Value,
}

/// Verifies `raw` with the app `secret` at `now` (Unix seconds): the signature (in constant
/// time), the algorithm, the age; then returns the user it is about.
pub fn verify(raw: &str, secret: &Secret, now: i64) -> Result<SignedRequest, SignedRequestError> {
    let (signature, payload) = raw
        .trim()
        .split_once('.')
        .ok_or(SignedRequestError::Malformed("no '.'"))?;
    if signature.is_empty() || payload.is_empty() {
        return Err(SignedRequestError::Malformed("an empty part"));
    }
    let signature = BASE64URL
        .decode(signature)
        .map_err(|_| SignedRequestError::Malformed("the signature is not base64url"))?;
    // The signature is checked before the payload is even decoded: nothing unsigned is parsed.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(payload.as_bytes());
    // `verify_slice` compares in constant time (and refuses a MAC of another length).
    mac.verify_slice(&signature)
        .map_err(|_| SignedRequestError::Signature)?;
    let json = BASE64URL
        .decode(payload)
        .map_err(|_| SignedRequestError::Malformed("the payload is not base64url"))?;
    let payload: Payload = serde_json::from_slice(&json)
        .map_err(|_| SignedRequestError::Malformed("the payload is not the expected JSON"))?;
    // Meta's own samples compare it case-insensitively.
    if !payload.algorithm.eq_ignore_ascii_case("HMAC-SHA256") {
        return Err(SignedRequestError::Algorithm);
    }
    if payload.issued_at < now - MAX_AGE_SECS || payload.issued_at > now + MAX_SKEW_SECS {
        return Err(SignedRequestError::Stale);
    }
    let user_id = match &payload.user_id {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) if n.is_u64() || n.is_i64() => n.to_string(),
        _ => return Err(SignedRequestError::Malformed("no user_id")),
    };
    if user_id.is_empty() {
        return Err(SignedRequestError::Malformed("no user_id"));
    }
    Ok(SignedRequest {
        user_id,
        issued_at: payload.issued_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    const SECRET: &str = "app-secret-0123456789abcdef";
    const NOW: i64 = 1_700_000_000;

    /// Signs `json` the way Meta does, independently of `verify`: HMAC-SHA256 of the base64url
    /// payload text, both parts base64url without padding.
    fn sign(json: &str, secret: &str) -> String {
        let payload = URL_SAFE_NO_PAD.encode(json);
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(payload.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{signature}.{payload}")
    }

    fn payload(algorithm: &str, issued_at: i64, user_id: &str) -> String {
        format!(r#"{{"algorithm":"{algorithm}","issued_at":{issued_at},"user_id":{user_id}}}"#)
    }

    fn check(raw: &str) -> Result<SignedRequest, SignedRequestError> {
        verify(raw, &Secret::new(SECRET), NOW)
    }

    #[test]
    fn a_correctly_signed_request_gives_its_user_as_text() {
        let raw = sign(
            &payload("HMAC-SHA256", NOW - 5, r#""17841400000000001""#),
            SECRET,
        );
        assert_eq!(
            check(&raw),
            Ok(SignedRequest {
                user_id: "17841400000000001".into(),
                issued_at: NOW - 5
            })
        );
        // A number is read as the same text; a padded signature is accepted too.
        let raw = sign(&payload("HMAC-SHA256", NOW, "17841400000000001"), SECRET);
        assert_eq!(check(&raw).unwrap().user_id, "17841400000000001");
        let (sig, rest) = raw.split_once('.').unwrap();
        assert!(check(&format!("{sig}=.{rest}")).is_ok());
    }

    #[test]
    fn a_wrong_signature_or_another_secret_is_refused() {
        let json = payload("HMAC-SHA256", NOW, r#""42""#);
        let other = sign(&json, "another-secret");
        assert_eq!(check(&other), Err(SignedRequestError::Signature));
        // The right signature over a tampered payload.
        let good = sign(&json, SECRET);
        let (sig, _) = good.split_once('.').unwrap();
        let tampered = URL_SAFE_NO_PAD.encode(payload("HMAC-SHA256", NOW, r#""43""#));
        assert_eq!(
            check(&format!("{sig}.{tampered}")),
            Err(SignedRequestError::Signature)
        );
        // A truncated signature (a MAC of another length).
        assert_eq!(
            check(&format!(
                "{}.{}",
                &sig[..20],
                good.split_once('.').unwrap().1
            )),
            Err(SignedRequestError::Signature)
        );
    }

    #[test]
    fn a_wrong_algorithm_is_refused_even_when_signed() {
        let raw = sign(&payload("HMAC-SHA1", NOW, r#""42""#), SECRET);
        assert_eq!(check(&raw), Err(SignedRequestError::Algorithm));
        let lower = sign(&payload("hmac-sha256", NOW, r#""42""#), SECRET);
        assert!(check(&lower).is_ok(), "Meta's samples ignore the case");
    }

    #[test]
    fn a_stale_or_future_request_is_refused() {
        let old = sign(
            &payload("HMAC-SHA256", NOW - MAX_AGE_SECS - 1, r#""42""#),
            SECRET,
        );
        assert_eq!(check(&old), Err(SignedRequestError::Stale));
        let ahead = sign(
            &payload("HMAC-SHA256", NOW + MAX_SKEW_SECS + 1, r#""42""#),
            SECRET,
        );
        assert_eq!(check(&ahead), Err(SignedRequestError::Stale));
        let edge = sign(
            &payload("HMAC-SHA256", NOW - MAX_AGE_SECS, r#""42""#),
            SECRET,
        );
        assert!(check(&edge).is_ok());
    }

    #[test]
    fn malformed_requests_are_refused() {
        for raw in ["", "nodot", ".", "abc.", ".abc", "!!!.abc"] {
            assert!(
                matches!(check(raw), Err(SignedRequestError::Malformed(_))),
                "{raw:?}"
            );
        }
        // Signed, but not the JSON expected.
        for json in [
            "not json",
            r#"{"algorithm":"HMAC-SHA256","issued_at":1700000000}"#,
            &payload("HMAC-SHA256", NOW, "null"),
            &payload("HMAC-SHA256", NOW, "1.5"),
            &payload("HMAC-SHA256", NOW, r#""""#),
        ] {
            assert!(
                matches!(
                    check(&sign(json, SECRET)),
                    Err(SignedRequestError::Malformed(_))
                ),
                "{json}"
            );
        }
    }
}
