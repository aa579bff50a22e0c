//! The small encodings every concern of the proxy shares, each defined once: lowercase hex and
//! the FNV-1a content hash behind ETags (percent-encoding is `feedframe_feed::percent_encode`,
//! shared with the console's snippets).

/// Lowercase hex.
///
/// ```
/// assert_eq!(feedframe::codec::hex(&[0x0f, 0xa0]), "0fa0");
/// ```
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// FNV-1a, 64 bit: a cheap, stable content hash for ETags.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
