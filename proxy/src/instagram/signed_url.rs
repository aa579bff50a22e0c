//! Instagram's signed CDN URLs (API.md §6): which host they point at, when they expire (`oe`,
//! hex Unix seconds) and the host-independent key of the file they name. The same image comes
//! back with a fresh signature in every media list, but its path stays the same, so the path is
//! what identifies it.

use crate::codec::hex;
use sha2::{Digest, Sha256};

use crate::error::ProxyError;

/// A URL is treated as expired this long before its `oe`, so a download never races the expiry.
const EXPIRY_MARGIN_SECS: i64 = 60;

/// A parsed image URL from the media list. Never logged whole: the query is a signature.
#[derive(Clone)]
pub struct SignedUrl {
    url: reqwest::Url,
    key: String,
    expires_at: Option<i64>,
}

impl SignedUrl {
    /// Parses an `http(s)` URL; anything else is refused.
    pub fn parse(raw: &str) -> Result<Self, ProxyError> {
        let url = reqwest::Url::parse(raw)
            .map_err(|_| ProxyError::MediaRefused("the image URL is not a URL".into()))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(ProxyError::MediaRefused(
                "the image URL is not an http(s) URL".into(),
            ));
        }
        let expires_at = url
            .query_pairs()
            .find(|(k, _)| k == "oe")
            .and_then(|(_, v)| parse_oe(&v));
        let key = source_key(url.path());
        Ok(Self {
            url,
            key,
            expires_at,
        })
    }

    /// The host name, lowercase.
    pub fn host(&self) -> &str {
        self.url.host_str().unwrap_or_default()
    }

    /// A stable key of the file this URL names, whatever its host and signature.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Whether the URL is past (or about to pass) its `oe` at `now`.
    pub fn expired(&self, now: i64) -> bool {
        self.expires_at
            .is_some_and(|oe| now.saturating_add(EXPIRY_MARGIN_SECS) >= oe)
    }

    /// The URL to request.
    pub fn url(&self) -> &reqwest::Url {
        &self.url
    }
}

impl std::fmt::Debug for SignedUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedUrl")
            .field("host", &self.host())
            .field("key", &self.key)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// `oe` is uppercase or lowercase hex Unix seconds (`6576D61D`).
pub fn parse_oe(value: &str) -> Option<i64> {
    if value.is_empty() || value.len() > 15 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    i64::from_str_radix(value, 16).ok()
}

/// 32 hex characters of the SHA-256 of a URL path.
pub fn source_key(path: &str) -> String {
    hex(&Sha256::digest(path.as_bytes())[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oe_is_read_as_hex_unix_seconds() {
        // A URL reported "URL signature expired" on 2023-12-19 (API.md §6).
        let url = SignedUrl::parse(
            "https://scontent.cdninstagram.com/v/t51.29350-15/1_n.jpg?stp=dst-jpg&_nc_ht=x&oh=00_AY&oe=6576D61D",
        )
        .unwrap();
        assert_eq!(url.expires_at, Some(0x6576_D61D));
        assert_eq!(url.host(), "scontent.cdninstagram.com");
        let dec_19_2023 = 1_702_944_000;
        assert!(url.expired(dec_19_2023));
        assert!(!url.expired(0x6576_D61D - 3_600));
        assert_eq!(parse_oe("zz"), None);
        assert_eq!(parse_oe(""), None);
    }

    #[test]
    fn the_key_ignores_host_and_signature_but_not_the_path() {
        let a = SignedUrl::parse("https://scontent-ams2-1.cdninstagram.com/v/a_n.jpg?oh=1&oe=AA")
            .unwrap();
        let b = SignedUrl::parse("https://scontent.fccu25-1.fna.fbcdn.net/v/a_n.jpg?oh=2&oe=BB")
            .unwrap();
        let c = SignedUrl::parse("https://scontent.cdninstagram.com/v/b_n.jpg?oh=1&oe=AA").unwrap();
        assert_eq!(a.key(), b.key());
        assert_ne!(a.key(), c.key());
        assert_eq!(a.key().len(), 32);
    }

    #[test]
    fn only_http_urls_are_accepted_and_debug_hides_the_signature() {
        assert!(SignedUrl::parse("file:///etc/passwd").is_err());
        assert!(SignedUrl::parse("not a url").is_err());
        let url =
            SignedUrl::parse("https://x.cdninstagram.com/p_n.jpg?oh=SECRETSIG&oe=AA").unwrap();
        assert!(!format!("{url:?}").contains("SECRETSIG"));
    }
}
