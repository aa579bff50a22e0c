//! Turns Instagram's media list into the public feed contract. Only the fields the contract
//! names are copied: no paging, no token, nothing else from upstream.

use feedframe_feed::{FEED_VERSION, Feed, FeedStatus, Media, Post, PostKind, Profile};

use crate::instagram::client::{RawChild, RawMedia};

/// One item a post displays: the image to mirror and, for a video, its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// An image's `media_url`, or a video's `thumbnail_url` (never the video).
    pub image: String,
    /// A video's `media_url`; `None` for an image, and for a video Instagram gives no file for
    /// (copyrighted or licensed audio, API.md §2.3).
    pub video: Option<String>,
}

impl Source {
    fn image(url: &str) -> Self {
        Self {
            image: url.to_string(),
            video: None,
        }
    }
}

/// A live feed from freshly fetched media. `media_for(post id, sources)` gives the mirrored
/// images of a post, with their videos (see [`sources`]); posts left without one (a video whose
/// thumbnail is withheld, an image that could not be mirrored) are left out rather than shipped as
/// broken tiles.
pub fn assemble(
    feed: &str,
    username: &str,
    raw: Vec<RawMedia>,
    fetched_at: i64,
    mut media_for: impl FnMut(&str, &[Source]) -> Vec<Media>,
) -> Feed {
    let posts = raw
        .into_iter()
        .filter_map(|m| post(m, &mut media_for))
        .collect();
    Feed {
        version: FEED_VERSION,
        feed: feed.to_string(),
        status: FeedStatus::Live,
        fetched_at: Some(crate::clock::rfc3339(fetched_at)),
        profile: profile(username),
        posts,
    }
}

/// What a media item displays, in order: an image's `media_url`, a video's thumbnail (with its
/// `media_url` as the video), a carousel's children (videos likewise), or a carousel's own
/// `media_url` when its children are missing.
pub fn sources(m: &RawMedia) -> Vec<Source> {
    match m.media_type.to_ascii_uppercase().as_str() {
        "IMAGE" => m.media_url.iter().map(|u| Source::image(u)).collect(),
        "VIDEO" => video(m.thumbnail_url.as_deref(), m.media_url.as_deref())
            .into_iter()
            .collect(),
        "CAROUSEL_ALBUM" => {
            let children: Vec<Source> = m
                .children
                .as_ref()
                .map(|c| c.data.iter().filter_map(child).collect())
                .unwrap_or_default();
            if children.is_empty() {
                m.media_url.iter().map(|u| Source::image(u)).collect()
            } else {
                children
            }
        }
        _ => Vec::new(),
    }
}

/// A video shows its thumbnail; without one it shows nothing.
fn video(thumbnail_url: Option<&str>, media_url: Option<&str>) -> Option<Source> {
    Some(Source {
        image: thumbnail_url?.to_string(),
        video: media_url.map(str::to_string),
    })
}

/// The profile block for a username.
pub fn profile(username: &str) -> Profile {
    Profile {
        username: username.to_string(),
        profile_url: feedframe_feed::profile_url(username),
    }
}

/// An empty feed: the account is known but no posts could be had.
pub fn empty(feed: &str, username: &str, status: FeedStatus) -> Feed {
    Feed {
        version: FEED_VERSION,
        feed: feed.to_string(),
        status,
        fetched_at: None,
        profile: profile(username),
        posts: Vec::new(),
    }
}

fn post(m: RawMedia, media_for: &mut impl FnMut(&str, &[Source]) -> Vec<Media>) -> Option<Post> {
    let kind = match m.media_type.to_ascii_uppercase().as_str() {
        "IMAGE" => PostKind::Image,
        "VIDEO" => PostKind::Video,
        "CAROUSEL_ALBUM" => PostKind::Carousel,
        _ => return None,
    };
    let sources = sources(&m);
    if sources.is_empty() {
        return None;
    }
    let media = media_for(&m.id, &sources);
    if media.is_empty() {
        return None;
    }
    Some(Post {
        id: m.id,
        kind,
        permalink: m.permalink?,
        caption: m.caption.filter(|c| !c.trim().is_empty()),
        timestamp: feedframe_feed::normalize_timestamp(m.timestamp.as_deref().unwrap_or_default()),
        media,
    })
}

fn child(c: &RawChild) -> Option<Source> {
    if c.media_type.eq_ignore_ascii_case("VIDEO") {
        video(c.thumbnail_url.as_deref(), c.media_url.as_deref())
    } else {
        c.media_url.as_deref().map(Source::image)
    }
}

/// Stands in for the mirror in tests: each URL as is.
#[cfg(test)]
pub(crate) fn as_is(_: &str, sources: &[Source]) -> Vec<Media> {
    sources
        .iter()
        .map(|s| Media {
            url: s.image.clone(),
            width: None,
            height: None,
            color: None,
            variants: Vec::new(),
            placeholder: None,
            video: s.video.as_ref().map(|url| feedframe_feed::Video {
                url: url.clone(),
                mime: "video/mp4".into(),
            }),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<RawMedia> {
        #[derive(serde::Deserialize)]
        struct Page {
            data: Vec<RawMedia>,
        }
        let path = format!(
            "{}/../fake-instagram/fixtures/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path).unwrap();
        serde_json::from_str::<Page>(&text).unwrap().data
    }

    #[test]
    fn videos_show_their_thumbnail_and_carousels_their_children() {
        let feed = assemble(
            "main",
            "harborline.ceramics",
            fixture("media_with_carousel_and_video.json"),
            0,
            as_is,
        );
        let kinds: Vec<PostKind> = feed.posts.iter().map(|p| p.kind).collect();
        assert_eq!(
            kinds,
            [PostKind::Video, PostKind::Carousel, PostKind::Video]
        );
        assert!(
            feed.posts[0].media[0].url.contains("544410877_"),
            "video thumbnail, not the mp4"
        );
        let video = |m: &Media| m.video.as_ref().map(|v| v.url.clone());
        assert!(video(&feed.posts[0].media[0]).is_some_and(|v| v.contains("AQNcR7w2xV9")));
        assert_eq!(feed.posts[1].media.len(), 3);
        assert!(feed.posts[1].media.iter().all(|m| !m.url.contains(".mp4")));
        let carousel: Vec<bool> = feed.posts[1]
            .media
            .iter()
            .map(|m| m.video.is_some())
            .collect();
        assert_eq!(
            carousel,
            [false, true, false],
            "the video child has its file"
        );
        // A video withheld for copyrighted audio still has its thumbnail, and no file.
        assert!(feed.posts[2].media[0].url.contains("539655021_"));
        assert_eq!(video(&feed.posts[2].media[0]), None);
    }

    #[test]
    fn timestamps_are_rfc3339_and_missing_captions_stay_missing() {
        let feed = assemble("main", "u", fixture("media_page2.json"), 0, as_is);
        assert_eq!(feed.posts[0].timestamp, "2026-08-30T11:48:20Z");
        assert_eq!(feed.posts[0].caption, None);
        assert_eq!(feed.profile.profile_url, "https://www.instagram.com/u/");
    }

    #[test]
    fn a_video_without_thumbnail_is_left_out() {
        let mut raw = fixture("media_page2.json");
        raw[1].thumbnail_url = None;
        let feed = assemble("main", "u", raw, 0, as_is);
        assert_eq!(feed.posts.len(), 1);
    }

    #[test]
    fn a_post_whose_images_could_not_be_mirrored_is_left_out() {
        let raw = fixture("media_page2.json");
        let first = raw[0].id.clone();
        let feed = assemble("main", "u", raw, 0, |id, urls| {
            if id == first {
                Vec::new()
            } else {
                as_is(id, urls)
            }
        });
        assert_eq!(feed.posts.len(), 1);
        assert_ne!(feed.posts[0].id, first);
    }
}
