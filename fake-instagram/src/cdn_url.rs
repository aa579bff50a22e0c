//! Signed CDN URLs shaped like Instagram's: `…/<id>_n.jpg?stp=…&_nc_ht=…&oh=00_<sig>&oe=<HEX>`.
//!
//! `oe` is the expiry as uppercase hex unix seconds and `oh` a keyed hash of the path and the rest
//! of the query, so a tampered query gives `URL signature mismatch` (API.md §6).

/// How long an image URL stays valid after the API response that handed it out.
pub(crate) const IMAGE_TTL_SECS: i64 = 4 * 86_400;
/// Video URLs expire sooner than images (observed in real captures).
pub(crate) const VIDEO_TTL_SECS: i64 = 3 * 86_400;

const SIGNING_KEY: u64 = 0x00fa_4e16_c0ff_ee42;

/// 64-bit FNV-1a, seeded with `key` so different uses give unrelated hashes.
pub(crate) fn fnv1a(key: u64, bytes: &[u8]) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325_u64 ^ key;
    for &b in key.to_le_bytes().iter().chain(bytes) {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// URL-safe base64 without padding.
pub(crate) fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 3);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// Decodes [`base64url`] output; `None` on any other character.
pub(crate) fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for chunk in text.as_bytes().chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= u32::from(value(c)?) << (18 - 6 * i);
        }
        for i in 0..chunk.len().saturating_sub(1) {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

/// The `oh` value for a path and its query without `oh`: `00_` and 43 base64 characters.
fn signature(path: &str, query_without_oh: &str) -> String {
    let message = format!("{path}?{query_without_oh}");
    // Four chained rounds, each keyed by the previous one, for 32 bytes that do not repeat.
    let mut key = SIGNING_KEY;
    let mut bytes = Vec::with_capacity(32);
    for _ in 0..4 {
        key = fnv1a(key, message.as_bytes());
        bytes.extend_from_slice(&key.to_be_bytes());
    }
    format!("00_{}", base64url(&bytes))
}

/// Builds a signed URL on `cdn_base` for `path`, with `params` before the signature and `oe` after.
pub(crate) fn sign(
    cdn_base: &str,
    path: &str,
    params: &[(&str, String)],
    expires_at: i64,
) -> String {
    let mut query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    query.push(format!("oe={expires_at:X}"));
    let signed = query.join("&");
    let oh = signature(path, &signed);
    query.insert(query.len() - 1, format!("oh={oh}"));
    format!("{cdn_base}{path}?{}", query.join("&"))
}

/// Why the CDN refuses a URL; the bodies are Instagram's exact `text/plain` strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UrlProblem {
    /// `oe` missing or not hex.
    BadTimestamp,
    /// `oh` does not match the path and query.
    Mismatch,
    /// The fake clock is past `oe`.
    Expired,
}

impl UrlProblem {
    /// The 403 body the real CDN sends.
    pub(crate) fn body(self) -> &'static str {
        match self {
            UrlProblem::BadTimestamp => "Bad URL timestamp",
            UrlProblem::Mismatch => "URL signature mismatch",
            UrlProblem::Expired => "URL signature expired",
        }
    }
}

/// Checks a request's path and raw query against its signature and expiry at `now`.
pub(crate) fn verify(path: &str, raw_query: &str, now: i64) -> Result<(), UrlProblem> {
    let params: Vec<&str> = raw_query.split('&').filter(|p| !p.is_empty()).collect();
    let value = |key: &str| {
        params
            .iter()
            .find_map(|p| p.strip_prefix(key).and_then(|rest| rest.strip_prefix('=')))
    };
    let oe = value("oe").ok_or(UrlProblem::BadTimestamp)?;
    if oe.is_empty() || oe.len() > 16 || !oe.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(UrlProblem::BadTimestamp);
    }
    let expires_at = i64::from_str_radix(oe, 16).map_err(|_| UrlProblem::BadTimestamp)?;
    let oh = value("oh").ok_or(UrlProblem::Mismatch)?;
    let without_oh: Vec<&str> = params
        .iter()
        .copied()
        .filter(|p| !p.starts_with("oh="))
        .collect();
    if signature(path, &without_oh.join("&")) != oh {
        return Err(UrlProblem::Mismatch);
    }
    if now >= expires_at {
        return Err(UrlProblem::Expired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(url: &str) -> (&str, &str) {
        let rest = url.strip_prefix("http://cdn").unwrap();
        rest.split_once('?').unwrap()
    }

    #[test]
    fn a_signed_url_verifies_until_its_oe_passes() {
        let url = sign(
            "http://cdn",
            "/v/x_n.jpg",
            &[("stp", "dst-jpg_e35".into())],
            1000,
        );
        assert!(url.contains("&oe=3E8"));
        let (path, query) = split(&url);
        assert_eq!(verify(path, query, 999), Ok(()));
        assert_eq!(verify(path, query, 1000), Err(UrlProblem::Expired));
    }

    #[test]
    fn tampering_with_any_part_breaks_the_signature() {
        let url = sign(
            "http://cdn",
            "/v/x_n.jpg",
            &[("stp", "dst-jpg_e35".into())],
            1000,
        );
        let (path, query) = split(&url);
        assert_eq!(verify("/v/y_n.jpg", query, 0), Err(UrlProblem::Mismatch));
        let later = query.replace("oe=3E8", "oe=3E9");
        assert_eq!(verify(path, &later, 0), Err(UrlProblem::Mismatch));
        let bad = query.replace("oe=3E8", "oe=zz");
        assert_eq!(verify(path, &bad, 0), Err(UrlProblem::BadTimestamp));
    }

    #[test]
    fn base64url_round_trips() {
        for text in ["", "A", "AQ", "AQH", "AQHR:12:1789"] {
            let encoded = base64url(text.as_bytes());
            assert_eq!(base64url_decode(&encoded).unwrap(), text.as_bytes());
        }
        assert!(base64url("AQHR".as_bytes()).starts_with("QVFIU"));
    }
}
