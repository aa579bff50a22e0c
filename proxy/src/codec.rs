//! The small encodings every concern shares, each defined once: lowercase hex, percent-encoding
//! of a query value, and the FNV-1a content hash behind ETags.

/// Lowercase hex.
///
/// ```
/// assert_eq!(feedframe::codec::hex(&[0x0f, 0xa0]), "0fa0");
/// ```
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Percent-encodes a query value: everything but RFC 3986's unreserved characters.
///
/// ```
/// assert_eq!(feedframe::codec::percent_encode("a b&c,{d}~"), "a%20b%26c%2C%7Bd%7D~");
/// ```
pub fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// FNV-1a, 64 bit: a cheap, stable content hash for ETags.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
