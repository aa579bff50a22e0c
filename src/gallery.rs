//! What the lightbox shows of one post, computed from the feed: pure, so the view only places
//! it. A post is a list of slides (one, or a carousel's children in order); a video slide plays
//! the file the proxy mirrored, or, when there is none (copyrighted audio, over the proxy's size
//! limit), shows its thumbnail and links to the post.

use feedframe_feed::{Post, PostKind, alt_text};

use crate::{
    picture::{Picture, resolve_url},
    tile::{caption, post_link},
};

/// One post in the lightbox.
#[derive(Debug, Clone, PartialEq)]
pub struct GalleryPost {
    /// The post on instagram.com ("View on Instagram").
    pub href: String,
    /// Shown as text with its line breaks, never as HTML.
    pub caption: Option<String>,
    /// The dialog's name when there is no caption to label it.
    pub label: String,
    /// RFC 3339, shown as a date in the visitor's locale.
    pub timestamp: String,
    /// Never empty.
    pub slides: Vec<Slide>,
}

/// One image or video of a post.
#[derive(Debug, Clone, PartialEq)]
pub struct Slide {
    /// The image, or the video's thumbnail (its poster).
    pub picture: Picture,
    pub alt: String,
    /// The mirrored video file, resolved against the proxy.
    pub video: Option<String>,
    /// A video without a file: the thumbnail and a "Watch on Instagram" link.
    pub watch_on_instagram: bool,
}

impl GalleryPost {
    /// The lightbox's view of `post`; path-absolute URLs are resolved against `base`.
    pub fn new(post: &Post, username: &str, profile_url: &str, base: &str) -> Self {
        let alt = alt_text(post.caption.as_deref(), username);
        let slides = post
            .media
            .iter()
            .map(|media| {
                let video = media.video.as_ref().map(|v| resolve_url(base, &v.url));
                Slide {
                    picture: Picture::new(media, base),
                    alt: alt.clone(),
                    // A carousel's children do not say which is a video: only a video post
                    // without its file is known to need the link.
                    watch_on_instagram: video.is_none() && post.kind == PostKind::Video,
                    video,
                }
            })
            .collect();
        Self {
            href: post_link(post, profile_url),
            caption: caption(post),
            label: alt,
            timestamp: post.timestamp.clone(),
            slides,
        }
    }
}

/// "3 of 12": a slide's position, for labels and the carousel's dots.
///
/// ```
/// assert_eq!(feedframe_widget::gallery::position(2, 12), "3 of 12");
/// ```
pub fn position(index: usize, count: usize) -> String {
    [(index + 1).to_string(), count.to_string()].join(" of ")
}

/// The next index after `index` moved by `step` within `0..count`, or `None` at either end.
///
/// ```
/// use feedframe_widget::gallery::step;
/// assert_eq!(step(0, 1, 3), Some(1));
/// assert_eq!(step(2, 1, 3), None);
/// assert_eq!(step(0, -1, 3), None);
/// ```
pub fn step(index: usize, step: i32, count: usize) -> Option<usize> {
    let next = index.checked_add_signed(step as isize)?;
    (next < count).then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use feedframe_feed::{Media, Video};

    fn media(url: &str, video: Option<&str>) -> Media {
        Media {
            url: url.into(),
            width: Some(1080),
            height: Some(1350),
            color: None,
            variants: vec![],
            placeholder: None,
            video: video.map(|v| Video {
                url: v.into(),
                mime: "video/mp4".into(),
            }),
        }
    }

    fn post(kind: PostKind, media: Vec<Media>) -> Post {
        Post {
            id: "1".into(),
            kind,
            permalink: "https://www.instagram.com/p/abc/".into(),
            caption: Some("Open day\nthanks all #studio".into()),
            timestamp: "2026-09-06T15:03:37Z".into(),
            media,
        }
    }

    #[test]
    fn a_carousel_has_its_children_in_order_with_their_videos() {
        let p = post(
            PostKind::Carousel,
            vec![
                media("/media/a.jpg", None),
                media("/media/b.jpg", Some("/media/b.mp4")),
                media("/media/c.jpg", None),
            ],
        );
        let g = GalleryPost::new(&p, "harbor", "", "https://f.example");
        let srcs: Vec<_> = g.slides.iter().map(|s| s.picture.src.as_str()).collect();
        assert_eq!(
            srcs,
            [
                "https://f.example/media/a.jpg",
                "https://f.example/media/b.jpg",
                "https://f.example/media/c.jpg"
            ]
        );
        assert_eq!(
            g.slides[1].video.as_deref(),
            Some("https://f.example/media/b.mp4")
        );
        assert!(g.slides.iter().all(|s| !s.watch_on_instagram));
        // The caption keeps its line break; the label is the alt text.
        assert_eq!(g.caption.as_deref(), Some("Open day\nthanks all #studio"));
        assert_eq!(g.href, "https://www.instagram.com/p/abc/");
    }

    #[test]
    fn a_video_without_a_file_links_to_instagram() {
        let g = GalleryPost::new(
            &post(PostKind::Video, vec![media("/media/t.jpg", None)]),
            "harbor",
            "",
            "",
        );
        assert!(g.slides[0].watch_on_instagram);
        assert_eq!(g.slides[0].video, None);
        let g = GalleryPost::new(
            &post(
                PostKind::Video,
                vec![media("/media/t.jpg", Some("/media/v.mp4"))],
            ),
            "harbor",
            "",
            "",
        );
        assert!(!g.slides[0].watch_on_instagram);
        assert_eq!(g.slides[0].video.as_deref(), Some("/media/v.mp4"));
    }
}
