//! Which fallback to show when no posts can be had, in order of the site owner's intent: their
//! own markup, their text, then a link card to the account.

use crate::error::WidgetError;
use feedframe_feed::profile_url;

/// Instagram's home page, for when the account is unknown.
pub const INSTAGRAM_URL: &str = "https://www.instagram.com/";

/// The fallback to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fallback {
    /// The `<feedframe-feed>` element's own children.
    Children,
    /// A card with the `fallback-text`, linking to the account (or Instagram).
    Text { text: String, href: String },
    /// "Follow @username on Instagram", or "View on Instagram" when the account is unknown.
    Card { label: String, href: String },
}

/// Chooses the fallback for `error`.
///
/// ```
/// use feedframe_widget::{choose_fallback, Fallback, WidgetError};
/// let err = WidgetError::Unreachable { url: "u".into(), reason: "r".into() };
/// assert_eq!(choose_fallback(false, None, &err),
///     Fallback::Card { label: "View on Instagram".into(), href: "https://www.instagram.com/".into() });
/// ```
pub fn choose_fallback(has_children: bool, text: Option<&str>, error: &WidgetError) -> Fallback {
    let href = error
        .username()
        .map_or_else(|| INSTAGRAM_URL.to_string(), profile_url);
    if has_children {
        Fallback::Children
    } else if let Some(text) = text {
        Fallback::Text {
            text: text.to_string(),
            href,
        }
    } else {
        let label = error.username().map_or_else(
            || "View on Instagram".to_string(),
            |u| format!("Follow @{u} on Instagram"),
        );
        Fallback::Card { label, href }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use feedframe_feed::FeedStatus;

    fn expired() -> WidgetError {
        WidgetError::NoPosts {
            feed: "main".into(),
            status: FeedStatus::TokenExpired,
            username: "harbor".into(),
        }
    }

    #[test]
    fn the_elements_own_children_win() {
        assert_eq!(
            choose_fallback(true, Some("x"), &expired()),
            Fallback::Children
        );
    }

    #[test]
    fn fallback_text_comes_next_and_still_links_to_the_account() {
        assert_eq!(
            choose_fallback(false, Some("Our Instagram"), &expired()),
            Fallback::Text {
                text: "Our Instagram".into(),
                href: "https://www.instagram.com/harbor/".into()
            }
        );
    }

    #[test]
    fn a_known_account_gets_a_follow_card() {
        assert_eq!(
            choose_fallback(false, None, &expired()),
            Fallback::Card {
                label: "Follow @harbor on Instagram".into(),
                href: "https://www.instagram.com/harbor/".into()
            }
        );
    }
}
