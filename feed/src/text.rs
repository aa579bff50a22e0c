//! Text rules shared by the proxy and the widget.

/// Alt text for a post: the caption without hashtags, trimmed, at most 200 characters, or
/// "Instagram post by @username" when nothing is left.
///
/// ```
/// use feedframe_feed::alt_text;
/// assert_eq!(alt_text(Some("Seafoam glaze 🌊\n#ceramics #pottery"), "a"), "Seafoam glaze 🌊");
/// assert_eq!(alt_text(Some("#tbt"), "harbor"), "Instagram post by @harbor");
/// ```
pub fn alt_text(caption: Option<&str>, username: &str) -> String {
    const MAX_CHARS: usize = 200;
    let words: Vec<&str> = caption
        .unwrap_or("")
        .split_whitespace()
        .filter(|w| !w.starts_with('#'))
        .collect();
    let text = words.join(" ");
    if text.is_empty() {
        return format!("Instagram post by @{username}");
    }
    if text.chars().count() <= MAX_CHARS {
        return text;
    }
    let mut cut: String = text.chars().take(MAX_CHARS - 1).collect();
    // Cut at a word boundary when one is reasonably close. (`truncate`, not `&cut[..i]`: a
    // slice's panic message formats chars with Debug, which costs the widget's wasm 2 KB.)
    if let Some(i) = cut.rfind(' ').filter(|&i| i > MAX_CHARS / 2) {
        cut.truncate(i);
    }
    format!("{}…", cut.trim_end())
}

/// Instagram's `2024-05-11T21:46:36+0000` as RFC 3339 UTC (`2024-05-11T21:46:36Z`). Other
/// offsets gain their colon (`+0200` → `+02:00`); anything else passes through unchanged.
///
/// ```
/// use feedframe_feed::normalize_timestamp;
/// assert_eq!(normalize_timestamp("2024-05-11T21:46:36+0000"), "2024-05-11T21:46:36Z");
/// ```
pub fn normalize_timestamp(ts: &str) -> String {
    // The offset is checked byte by byte before anything is sliced: the five bytes are ASCII, so
    // the cut falls on a character boundary whatever comes before (a slice at `len - 5` of
    // non-ASCII text panicked).
    let split = ts.len().checked_sub(5);
    let offset = split
        .and_then(|i| ts.as_bytes().get(i..))
        .filter(|t| (t[0] == b'+' || t[0] == b'-') && t[1..].iter().all(u8::is_ascii_digit));
    match (split, offset) {
        (Some(i), Some(_)) => {
            let (head, tail) = (&ts[..i], &ts[i..]);
            if &tail[1..] == "0000" {
                format!("{head}Z")
            } else {
                format!("{head}{}:{}", &tail[..3], &tail[3..])
            }
        }
        _ => ts.to_string(),
    }
}

/// The public profile page of an Instagram account.
pub fn profile_url(username: &str) -> String {
    format!("https://www.instagram.com/{username}/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alt_text_removes_hashtags_and_trims() {
        assert_eq!(
            alt_text(Some("  New glaze test: seafoam #ceramics\n#pottery  "), "x"),
            "New glaze test: seafoam"
        );
    }

    #[test]
    fn alt_text_falls_back_to_the_username_without_a_caption() {
        assert_eq!(
            alt_text(None, "harborline"),
            "Instagram post by @harborline"
        );
        assert_eq!(
            alt_text(Some("   "), "harborline"),
            "Instagram post by @harborline"
        );
    }

    #[test]
    fn alt_text_shortens_long_captions_at_a_word_boundary() {
        let caption = "word ".repeat(100);
        let alt = alt_text(Some(&caption), "x");
        assert!(alt.chars().count() <= 200, "{}", alt.len());
        assert!(alt.ends_with("word…"), "{alt}");
    }

    #[test]
    fn alt_text_keeps_markup_as_plain_text() {
        assert_eq!(
            alt_text(Some("<script>x</script>"), "x"),
            "<script>x</script>"
        );
    }

    #[test]
    fn timestamps_gain_a_proper_offset() {
        assert_eq!(
            normalize_timestamp("2026-09-14T17:22:08+0000"),
            "2026-09-14T17:22:08Z"
        );
        assert_eq!(
            normalize_timestamp("2026-09-14T17:22:08+0200"),
            "2026-09-14T17:22:08+02:00"
        );
        assert_eq!(
            normalize_timestamp("2026-09-14T17:22:08Z"),
            "2026-09-14T17:22:08Z"
        );
        assert_eq!(normalize_timestamp(""), "");
    }

    #[test]
    fn a_timestamp_ending_in_non_ascii_text_passes_through() {
        // Regression: `split_at(len - 5)` panicked inside a multi-byte character.
        assert_eq!(normalize_timestamp("2026-09-14 née"), "2026-09-14 née");
        assert_eq!(normalize_timestamp("🌊🌊"), "🌊🌊");
        assert_eq!(normalize_timestamp("é+0200"), "é+02:00");
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn any_timestamp_is_normalized_or_passed_through(ts in any::<String>(), tail in "[+-][0-9]{4}") {
                let _ = normalize_timestamp(&ts);
                let with_offset = format!("{ts}{tail}");
                prop_assert!(normalize_timestamp(&with_offset).starts_with(&ts));
            }

            #[test]
            fn any_caption_gives_a_short_alt_text(caption in proptest::option::of(any::<String>()), user in any::<String>()) {
                let alt = alt_text(caption.as_deref(), &user);
                prop_assert!(!alt.is_empty());
                if caption.is_some_and(|c| c.split_whitespace().any(|w| !w.starts_with('#'))) {
                    prop_assert!(alt.chars().count() <= 200);
                }
            }
        }
    }
}
