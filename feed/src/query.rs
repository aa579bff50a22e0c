//! Query strings, for the proxy's calls to Instagram and the snippets the console writes.

/// Percent-encodes a query value: everything but RFC 3986's unreserved characters.
///
/// ```
/// assert_eq!(feedframe_feed::percent_encode("a b&c,{d}~"), "a%20b%26c%2C%7Bd%7D~");
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
