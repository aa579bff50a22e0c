//! The versioned feed JSON served to browsers. It never carries an Instagram token, a `paging`
//! object, or any upstream URL from which a token could be read.

use serde::{Deserialize, Serialize};

/// The contract version; bumped only for breaking changes.
pub const FEED_VERSION: u32 = 1;

/// One feed as the widget receives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feed {
    /// Always [`FEED_VERSION`].
    pub version: u32,
    /// The feed's name, as in the URL.
    pub feed: String,
    /// Whether the posts are fresh, and if not, why.
    pub status: FeedStatus,
    /// When the posts were last fetched from Instagram (RFC 3339, UTC), if ever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetched_at: Option<String>,
    /// The account the posts belong to.
    pub profile: Profile,
    /// Newest first. A post this version cannot read (a kind added later, a missing field) is
    /// left out when decoding, never the whole feed.
    #[serde(deserialize_with = "readable_posts")]
    pub posts: Vec<Post>,
}

/// Decodes the posts, leaving out those that do not decode.
fn readable_posts<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Post>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Readable {
        Post(Post),
        Other(serde::de::IgnoredAny),
    }
    let all = Vec::<Readable>::deserialize(d)?;
    Ok(all
        .into_iter()
        .filter_map(|p| match p {
            Readable::Post(post) => Some(post),
            Readable::Other(_) => None,
        })
        .collect())
}

/// Why a feed is, or is not, fresh. Serialized in `snake_case`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedStatus {
    /// Fetched from Instagram within the feed's TTL.
    Live,
    /// Older than the TTL; a refresh is under way or the last one failed transiently.
    Stale,
    /// The access token expired: the owner must reconnect. Posts are the last good ones.
    TokenExpired,
    /// The token was revoked (password change, app removed, invalid). Posts are the last good ones.
    TokenRevoked,
    /// Instagram is throttling us. Posts are the last good ones.
    RateLimited,
    /// Instagram or the network failed. Posts are the last good ones, if any.
    Unavailable,
}

impl FeedStatus {
    /// The wire name, also used for `data-status` attributes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Live => "live",
            Self::Stale => "stale",
            Self::TokenExpired => "token_expired",
            Self::TokenRevoked => "token_revoked",
            Self::RateLimited => "rate_limited",
            Self::Unavailable => "unavailable",
        }
    }
}

/// The Instagram account behind a feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub username: String,
    /// `https://www.instagram.com/{username}/`
    pub profile_url: String,
}

/// What a post is on Instagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostKind {
    Image,
    Video,
    Carousel,
}

impl PostKind {
    /// The wire name, also the CSS modifier (`ff-tile--video`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Video => "video",
            Self::Carousel => "carousel",
        }
    }
}

/// One post.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Post {
    pub id: String,
    pub kind: PostKind,
    /// The post on instagram.com.
    pub permalink: String,
    /// Plain text; render it as text, never as HTML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// RFC 3339, UTC.
    pub timestamp: String,
    /// Images to display: one for an image, the thumbnail of a video, each child of a carousel
    /// (video children by their thumbnail). Never empty.
    pub media: Vec<Media>,
}

/// One displayable image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Media {
    /// The largest available rendition.
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Dominant colour as `#rrggbb`, shown until the image loads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// Narrower renditions for `srcset`, narrowest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<Variant>,
    /// A [ThumbHash](https://evanw.github.io/thumbhash/) of the image, standard base64: a blurred
    /// preview (about 25 bytes) to paint until the image loads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
    /// For a video (a video post, or a video child of a carousel; the image above is its
    /// thumbnail): the file, mirrored by the proxy. Absent when Instagram gives no file for it
    /// (copyrighted or licensed audio) or it is larger than the proxy mirrors: the widget then
    /// shows the thumbnail with a "Watch on Instagram" link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<Video>,
}

impl Media {
    /// Width over height when both are known and non-zero.
    pub fn aspect_ratio(&self) -> Option<f64> {
        match (self.width, self.height) {
            (Some(w), Some(h)) if w > 0 && h > 0 => Some(f64::from(w) / f64::from(h)),
            _ => None,
        }
    }
}

/// A video file the proxy serves (with range requests), for the lightbox's `<video>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Video {
    pub url: String,
    /// MIME type, e.g. `video/mp4`.
    #[serde(rename = "type")]
    pub mime: String,
}

/// One rendition of a [`Media`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variant {
    pub url: String,
    pub width: u32,
    pub height: u32,
    /// MIME type, e.g. `image/webp` or `image/jpeg`.
    #[serde(rename = "type")]
    pub mime: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_post_of_an_unknown_kind_is_left_out_not_the_feed() {
        let feed: Feed = serde_json::from_str(
            r#"{"version":1,"feed":"main","status":"live",
            "profile":{"username":"a","profile_url":"https://www.instagram.com/a/"},
            "posts":[
              {"id":"1","kind":"image","permalink":"https://www.instagram.com/p/a/",
               "timestamp":"2026-09-14T17:22:08Z","media":[{"url":"/m/a.jpg"}]},
              {"id":"2","kind":"reel","permalink":"https://www.instagram.com/p/b/",
               "timestamp":"2026-09-14T17:22:08Z","media":[{"url":"/m/b.jpg"}]},
              {"id":"3"}]}"#,
        )
        .unwrap();
        assert_eq!(feed.posts.len(), 1);
        assert_eq!(feed.posts[0].id, "1");
    }

    fn sample() -> Feed {
        Feed {
            version: FEED_VERSION,
            feed: "main".into(),
            status: FeedStatus::TokenExpired,
            fetched_at: Some("2026-09-14T17:22:08Z".into()),
            profile: Profile {
                username: "harborline.ceramics".into(),
                profile_url: "https://www.instagram.com/harborline.ceramics/".into(),
            },
            posts: vec![Post {
                id: "1".into(),
                kind: PostKind::Carousel,
                permalink: "https://www.instagram.com/p/x/".into(),
                caption: None,
                timestamp: "2026-09-14T17:22:08Z".into(),
                media: vec![Media {
                    url: "/media/abc.jpg".into(),
                    width: Some(1080),
                    height: Some(1350),
                    color: None,
                    variants: vec![],
                    placeholder: None,
                    video: None,
                }],
            }],
        }
    }

    #[test]
    fn statuses_and_kinds_use_snake_case_wire_names() {
        let json = serde_json::to_value(sample()).unwrap();
        assert_eq!(json["status"], "token_expired");
        assert_eq!(json["posts"][0]["kind"], "carousel");
        for s in [
            FeedStatus::Live,
            FeedStatus::Stale,
            FeedStatus::TokenExpired,
            FeedStatus::TokenRevoked,
            FeedStatus::RateLimited,
            FeedStatus::Unavailable,
        ] {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }

    #[test]
    fn as_str_is_the_wire_name() {
        // data-status and the CSS modifiers use as_str; the JSON uses serde's names.
        for s in [
            FeedStatus::Live,
            FeedStatus::Stale,
            FeedStatus::TokenExpired,
            FeedStatus::TokenRevoked,
            FeedStatus::RateLimited,
            FeedStatus::Unavailable,
        ] {
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        for k in [PostKind::Image, PostKind::Video, PostKind::Carousel] {
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.as_str())
            );
        }
    }

    #[test]
    fn unknown_fields_are_omitted_not_null() {
        let json = serde_json::to_string(&sample()).unwrap();
        assert!(!json.contains("null"), "{json}");
        assert!(!json.contains("caption"), "{json}");
    }

    #[test]
    fn feed_round_trips() {
        let feed = sample();
        let back: Feed = serde_json::from_str(&serde_json::to_string(&feed).unwrap()).unwrap();
        assert_eq!(back, feed);
    }

    #[test]
    fn aspect_ratio_needs_both_dimensions() {
        let mut m = sample().posts[0].media[0].clone();
        assert_eq!(m.aspect_ratio(), Some(0.8));
        m.height = None;
        assert_eq!(m.aspect_ratio(), None);
    }
}
