//! Why a widget shows its fallback instead of posts, and how a fetch result becomes posts or one
//! of those causes. Each cause's message is what the `console.warn` tells the site owner.

use feedframe_feed::{ApiError, Feed, FeedStatus};

/// Why no posts can be shown.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WidgetError {
    /// The embed's feed name breaks the rule (`feed::is_feed_name`): nothing is fetched.
    #[error(
        "\"{feed}\" is not {}; check the embed's feed attribute",
        crate::options::FEED_NAME_EXPECTED
    )]
    InvalidFeedName { feed: String },
    /// The proxy has no feed by that name (404 `feed_not_found`).
    #[error("feed \"{feed}\" does not exist on the FeedFrame server at {url}: {message}")]
    FeedNotFound {
        feed: String,
        url: String,
        message: String,
    },
    /// The feed exists but has nothing to show (e.g. the token expired before anything was cached).
    #[error("feed \"{feed}\" has no posts to show ({}): {}", status.as_str(), status_hint(*status))]
    NoPosts {
        feed: String,
        status: FeedStatus,
        username: String,
    },
    /// The request failed: network, DNS, CORS or Content-Security-Policy.
    #[error(
        "could not reach the FeedFrame server at {url} ({reason}); check the script's URL, CORS and the page's Content-Security-Policy (connect-src)"
    )]
    Unreachable { url: String, reason: String },
    /// The proxy answered with an error other than `feed_not_found`.
    #[error("the FeedFrame server at {url} answered HTTP {status} ({code}: {message})")]
    Server {
        url: String,
        status: u16,
        code: String,
        message: String,
    },
    /// The response was not a feed this widget understands.
    #[error("the response from {url} is not a FeedFrame feed ({reason})")]
    Decode { url: String, reason: String },
}

impl WidgetError {
    /// The Instagram account, when the cause still told us who it is.
    pub fn username(&self) -> Option<&str> {
        match self {
            Self::NoPosts { username, .. } if !username.is_empty() => Some(username),
            _ => None,
        }
    }

    /// The `console.warn` line for the site owner.
    pub fn warning(&self) -> String {
        format!("FeedFrame: showing the fallback: {self}")
    }
}

/// What the site owner can do about a feed status.
pub fn status_hint(status: FeedStatus) -> &'static str {
    match status {
        FeedStatus::Live | FeedStatus::Stale => "the Instagram account has no posts yet",
        FeedStatus::TokenExpired => {
            "the Instagram access token expired; reconnect the account in the FeedFrame proxy"
        }
        FeedStatus::TokenRevoked => {
            "the Instagram access token was revoked; reconnect the account in the FeedFrame proxy"
        }
        FeedStatus::RateLimited => "Instagram is rate-limiting the proxy; posts will return",
        FeedStatus::Unavailable => "Instagram could not be reached and nothing is cached yet",
    }
}

/// A `console.warn` for posts that are shown but need the owner's attention, if any.
pub fn status_warning(feed: &Feed) -> Option<String> {
    match feed.status {
        FeedStatus::TokenExpired | FeedStatus::TokenRevoked => Some(format!(
            "FeedFrame: feed \"{}\" shows cached posts: {}",
            feed.feed,
            status_hint(feed.status)
        )),
        _ => None,
    }
}

/// The result of `GET {src}/v1/feeds/{feed}`, decoded.
#[derive(Debug, Clone, PartialEq)]
pub enum Fetched {
    /// HTTP 200 with a feed.
    Feed(Feed),
    /// An HTTP error, with the error body when it had one.
    Error { status: u16, body: Option<ApiError> },
    /// No HTTP response at all.
    Unreachable(String),
    /// A response that is not a feed (wrong version, missing fields, not JSON).
    Undecodable(String),
}

/// Turns a fetch result into posts to show or the reason there are none. A feed whose status is
/// not `live` but that has posts is shown: stale posts beat a fallback.
pub fn outcome(feed: &str, url: &str, fetched: Fetched) -> Result<Feed, WidgetError> {
    match fetched {
        Fetched::Feed(f) if f.posts.is_empty() => Err(WidgetError::NoPosts {
            feed: f.feed,
            status: f.status,
            username: f.profile.username,
        }),
        Fetched::Feed(f) => Ok(f),
        Fetched::Error {
            status: 404,
            body: Some(e),
        } if e.code == "feed_not_found" => Err(WidgetError::FeedNotFound {
            feed: feed.to_string(),
            url: url.to_string(),
            message: e.message,
        }),
        Fetched::Error { status, body } => {
            let (code, message) = body.map_or_else(
                || ("none".to_string(), "no error body".to_string()),
                |e| (e.code, e.message),
            );
            Err(WidgetError::Server {
                url: url.to_string(),
                status,
                code,
                message,
            })
        }
        Fetched::Unreachable(reason) => Err(WidgetError::Unreachable {
            url: url.to_string(),
            reason,
        }),
        Fetched::Undecodable(reason) => Err(WidgetError::Decode {
            url: url.to_string(),
            reason,
        }),
    }
}

/// The feed URL for a proxy base URL (no trailing slash needed).
///
/// ```
/// assert_eq!(feedframe_widget::error::feed_url("https://f.example/", "main"),
///            "https://f.example/v1/feeds/main");
/// ```
pub fn feed_url(base: &str, feed: &str) -> String {
    format!("{}/v1/feeds/{feed}", base.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use feedframe_feed::{FEED_VERSION, Media, Post, PostKind, Profile};

    fn feed(status: FeedStatus, posts: usize) -> Feed {
        Feed {
            version: FEED_VERSION,
            feed: "main".into(),
            status,
            fetched_at: None,
            profile: Profile {
                username: "harbor".into(),
                profile_url: "https://www.instagram.com/harbor/".into(),
            },
            posts: (0..posts)
                .map(|i| Post {
                    id: i.to_string(),
                    kind: PostKind::Image,
                    permalink: "https://www.instagram.com/p/x/".into(),
                    caption: None,
                    timestamp: "2026-09-14T17:22:08Z".into(),
                    media: vec![Media {
                        url: "/m.jpg".into(),
                        width: None,
                        height: None,
                        color: None,
                        variants: vec![],
                        placeholder: None,
                        video: None,
                    }],
                })
                .collect(),
        }
    }

    #[test]
    fn stale_or_expired_feeds_with_posts_are_shown() {
        for status in [
            FeedStatus::Stale,
            FeedStatus::TokenExpired,
            FeedStatus::Unavailable,
        ] {
            let shown = outcome("main", "u", Fetched::Feed(feed(status, 2))).unwrap();
            assert_eq!(shown.posts.len(), 2);
        }
    }

    #[test]
    fn an_expired_token_with_nothing_cached_tells_the_owner_to_reconnect() {
        let err = outcome(
            "main",
            "u",
            Fetched::Feed(feed(FeedStatus::TokenExpired, 0)),
        )
        .unwrap_err();
        assert_eq!(err.username(), Some("harbor"));
        assert!(err.warning().contains("reconnect"), "{}", err.warning());
    }

    #[test]
    fn unknown_feeds_are_reported_by_name() {
        let err = outcome(
            "nope",
            "https://f/v1/feeds/nope",
            Fetched::Error {
                status: 404,
                body: Some(ApiError {
                    code: "feed_not_found".into(),
                    message: "no feed named nope".into(),
                }),
            },
        )
        .unwrap_err();
        assert!(matches!(err, WidgetError::FeedNotFound { .. }));
        assert!(err.to_string().contains("\"nope\""));
        assert_eq!(err.username(), None);
    }

    #[test]
    fn other_http_errors_and_network_failures_keep_their_cause() {
        let err = outcome(
            "main",
            "u",
            Fetched::Error {
                status: 502,
                body: None,
            },
        )
        .unwrap_err();
        assert!(err.to_string().contains("HTTP 502"), "{err}");
        let err = outcome("main", "u", Fetched::Unreachable("TypeError".into())).unwrap_err();
        assert!(err.to_string().contains("connect-src"), "{err}");
    }

    #[test]
    fn only_token_problems_warn_while_posts_show() {
        assert!(status_warning(&feed(FeedStatus::Stale, 1)).is_none());
        assert!(
            status_warning(&feed(FeedStatus::TokenRevoked, 1))
                .unwrap()
                .contains("revoked")
        );
    }
}
