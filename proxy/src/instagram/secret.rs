//! A string that must never be logged, serialized into a response, or shown in a panic.

use std::fmt;

/// An Instagram access token (or any other secret). `Debug` and `Display` print a redaction;
/// the value is reachable only through [`Secret::expose`], used where the upstream request is built.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself. Call only to build an upstream request or to store it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print_their_value() {
        let s = Secret::new("IGAAsecretvalue");
        assert!(!format!("{s:?} {s}").contains("IGAAsecretvalue"));
        assert_eq!(s.expose(), "IGAAsecretvalue");
    }
}
