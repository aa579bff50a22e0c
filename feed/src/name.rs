//! The one rule for feed names, used by the proxy (CLI, HTTP paths) and the widget (the `feed`
//! option): 1 to 64 of `a-z`, `0-9`, `-` and `_`.

/// Checks a feed name; the error is the sentence to show.
///
/// ```
/// use feedframe_feed::parse_feed_name;
/// assert_eq!(parse_feed_name("shop-2"), Ok("shop-2"));
/// assert!(parse_feed_name("Main").is_err());
/// assert!(parse_feed_name("../admin").is_err());
/// ```
pub fn parse_feed_name(value: &str) -> Result<&str, String> {
    if is_feed_name(value) {
        Ok(value)
    } else {
        Err(format!(
            "'{value}' is not a feed name: use 1-64 of {FEED_NAME_CHARS}"
        ))
    }
}

/// What a feed name may hold, in words.
pub const FEED_NAME_CHARS: &str = "a-z, 0-9, '-' and '_'";

/// Whether `value` is a valid feed name.
pub fn is_feed_name(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_lowercase_letters_digits_dash_and_underscore() {
        for ok in ["main", "shop-2", "a_b", &"x".repeat(64)] {
            assert!(is_feed_name(ok), "{ok}");
        }
        for bad in ["", "Main", "a b", "a/b", "é", &"x".repeat(65), "a.b"] {
            assert!(!is_feed_name(bad), "{bad}");
        }
    }
}
