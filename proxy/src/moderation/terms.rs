//! The words and hashtags of a feed's rules: what an owner may type, and whether a caption
//! mentions one. Matching ignores case and takes whole words and whole tags only: `pot` hides
//! "a pot" and "#pot", never "potter"; `#pot` hides "#pot" but never "#pottery".

/// The longest word, phrase or hashtag a rule may hold, in characters.
pub const MAX_TERM_CHARS: usize = 100;
/// The most words and hashtags one feed may hide by.
pub const MAX_TERMS: usize = 100;

/// Why a typed rule cannot be used, in words for the owner.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TermError {
    #[error("Type a word or a #hashtag: the rule was empty.")]
    Empty,
    #[error("A rule is at most {MAX_TERM_CHARS} characters long; this one has {0}.")]
    TooLong(usize),
    #[error("A rule is one line of text, without tabs or line breaks.")]
    NotOneLine,
    #[error(
        "\"{0}\" is not a hashtag: a # followed by letters, digits or _ only (no spaces or punctuation)."
    )]
    NotAHashtag(String),
    #[error("A feed has at most {MAX_TERMS} words and hashtags to hide; remove one first.")]
    TooMany,
}

/// A letter, digit or `_`: what words and hashtags are made of.
fn word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// A rule as typed, checked and stored as matched: trimmed, inner spaces collapsed, lower case.
/// A leading `#` makes it a hashtag.
///
/// ```
/// use feedframe::moderation::terms::term;
/// assert_eq!(term("  Sale  NOW ").unwrap(), "sale now");
/// assert_eq!(term("#Pottery").unwrap(), "#pottery");
/// assert!(term("#not a tag").is_err());
/// ```
pub fn term(typed: &str) -> Result<String, TermError> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err(TermError::Empty);
    }
    if typed.chars().any(char::is_control) {
        return Err(TermError::NotOneLine);
    }
    let chars = typed.chars().count();
    if chars > MAX_TERM_CHARS {
        return Err(TermError::TooLong(chars));
    }
    let term = typed
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    match term.strip_prefix('#') {
        Some(tag) if tag.is_empty() || !tag.chars().all(word_char) => {
            Err(TermError::NotAHashtag(typed.to_string()))
        }
        _ => Ok(term),
    }
}

/// A hashtag as typed (with or without its `#`), checked and lower case: `#tag`.
///
/// ```
/// use feedframe::moderation::terms::hashtag;
/// assert_eq!(hashtag("Pottery").unwrap(), "#pottery");
/// assert!(hashtag("two words").is_err());
/// ```
pub fn hashtag(typed: &str) -> Result<String, TermError> {
    let trimmed = typed.trim();
    let tagged = if trimmed.starts_with('#') || trimmed.is_empty() {
        trimmed.to_string()
    } else {
        format!("#{trimmed}")
    };
    let tag = term(&tagged)?;
    if tag.starts_with('#') {
        Ok(tag)
    } else {
        Err(TermError::NotAHashtag(trimmed.to_string()))
    }
}

/// Whether `caption` (already lower case) mentions `term` (as [`term`] returns it) as a whole
/// word or tag.
pub fn mentions(caption: &str, term: &str) -> bool {
    let Some(first) = term.chars().next() else {
        return false;
    };
    let (check_before, check_after) = (word_char(first), term.ends_with(word_char));
    let mut from = 0;
    while let Some(at) = caption[from..].find(term) {
        let (start, end) = (from + at, from + at + term.len());
        let clear_before =
            !check_before || !caption[..start].chars().next_back().is_some_and(word_char);
        let clear_after = !check_after || !caption[end..].chars().next().is_some_and(word_char);
        if clear_before && clear_after {
            return true;
        }
        from = start + first.len_utf8();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hides(caption: &str, typed: &str) -> bool {
        mentions(&caption.to_lowercase(), &term(typed).unwrap())
    }

    #[test]
    fn a_hashtag_matches_the_whole_tag_only() {
        assert!(hides("New mugs #pot #glaze", "#pot"));
        assert!(hides("#POT at the start", "#pot"));
        assert!(!hides("Fresh from the wheel #pottery", "#pot"));
        assert!(!hides("#pot_luck", "#pot"));
        assert!(hides("ends with #pot.", "#pot"));
    }

    #[test]
    fn a_word_matches_whole_words_in_any_case_and_its_hashtag() {
        assert!(hides("Big SALE today", "sale"));
        assert!(hides("sale!", "sale"));
        assert!(hides("#sale", "sale"));
        assert!(!hides("wholesale prices", "sale"));
        assert!(!hides("salesman", "sale"));
        assert!(hides("Ünïcode Café opens", "café"));
        assert!(!hides("cafés", "café"));
    }

    #[test]
    fn a_phrase_matches_with_its_spaces() {
        assert!(hides("Buy one get one free", "get one  FREE"));
        assert!(!hides("get one freebie", "get one free"));
    }

    #[test]
    fn a_later_occurrence_is_found_after_a_partial_one() {
        assert!(hides("#pottery and #pot", "#pot"));
        assert!(hides("potter's pot", "pot"));
    }

    #[test]
    fn bad_rules_are_refused_with_the_reason() {
        assert_eq!(term("   "), Err(TermError::Empty));
        assert_eq!(term(&"x".repeat(500)), Err(TermError::TooLong(500)));
        assert!(
            term(&"é".repeat(MAX_TERM_CHARS)).is_ok(),
            "characters, not bytes"
        );
        assert_eq!(term("two\nlines"), Err(TermError::NotOneLine));
        assert!(matches!(term("#"), Err(TermError::NotAHashtag(_))));
        assert!(matches!(term("#a-b"), Err(TermError::NotAHashtag(_))));
        assert_eq!(hashtag(""), Err(TermError::Empty));
        assert!(matches!(hashtag("a b"), Err(TermError::NotAHashtag(_))));
        assert_eq!(hashtag("#Glaze_Fail").unwrap(), "#glaze_fail");
    }
}
