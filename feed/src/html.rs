//! HTML text, written once for the proxy's server-rendered views and the console's snippets.

/// Escapes text for an HTML attribute value in double quotes (or for text content).
///
/// ```
/// assert_eq!(feedframe_feed::html::escape(r#""<b>" & co"#), "&quot;&lt;b&gt;&quot; &amp; co");
/// ```
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}
