//! What one tile shows, computed from a post: pure, so the view only places it.

use feedframe_feed::{Media, Post, PostKind, alt_text};

use crate::picture::{Picture, is_http};

/// Everything the view needs to render one post.
#[derive(Debug, Clone, PartialEq)]
pub struct TileModel {
    /// The post on instagram.com (only `http(s)` links; anything else links to the profile).
    pub href: String,
    pub alt: String,
    /// The post's first image (a video's thumbnail, a carousel's first child).
    pub picture: Picture,
    pub kind: PostKind,
    /// Shown as text, never as HTML.
    pub caption: Option<String>,
}

impl TileModel {
    /// Builds the tile of `post`; path-absolute media URLs are resolved against `base`, the proxy.
    pub fn new(post: &Post, username: &str, profile_url: &str, base: &str) -> Self {
        // The contract says media is never empty; a broken feed still gets a tile.
        let fallback_media = Media {
            url: String::new(),
            width: None,
            height: None,
            color: None,
            variants: vec![],
            placeholder: None,
            video: None,
        };
        let media = post.media.first().unwrap_or(&fallback_media);
        Self {
            href: post_link(post, profile_url),
            alt: alt_text(post.caption.as_deref(), username),
            picture: Picture::new(media, base),
            kind: post.kind,
            caption: caption(post),
        }
    }

    /// Width over height.
    pub fn ratio(&self) -> f64 {
        self.picture.ratio()
    }
}

/// The post on instagram.com, or the profile when the permalink is not an `http(s)` link.
pub fn post_link(post: &Post, profile_url: &str) -> String {
    if is_http(&post.permalink) {
        post.permalink.clone()
    } else {
        profile_url.to_string()
    }
}

/// The caption, trimmed; `None` when blank.
pub fn caption(post: &Post) -> Option<String> {
    post.caption
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::picture::{WEBP, is_hex_color};
    use feedframe_feed::Variant;

    fn post(kind: PostKind, caption: Option<&str>) -> Post {
        Post {
            id: "1".into(),
            kind,
            permalink: "https://www.instagram.com/p/abc/".into(),
            caption: caption.map(str::to_string),
            timestamp: "2026-09-14T17:22:08Z".into(),
            media: vec![Media {
                url: "/media/a.jpg".into(),
                width: Some(1080),
                height: Some(1350),
                color: Some("#aabbcc".into()),
                variants: vec![],
                placeholder: None,
                video: None,
            }],
        }
    }

    #[test]
    fn a_tile_links_to_the_permalink_with_alt_text_without_hashtags() {
        let t = TileModel::new(
            &post(PostKind::Video, Some("Kiln day #pottery")),
            "harbor",
            "https://www.instagram.com/harbor/",
            "https://f.example",
        );
        assert_eq!(t.href, "https://www.instagram.com/p/abc/");
        assert_eq!(t.alt, "Kiln day");
        assert_eq!(t.picture.src, "https://f.example/media/a.jpg");
        assert_eq!((t.picture.width, t.picture.height), (1080, 1350));
        assert_eq!(t.picture.color.as_deref(), Some("#aabbcc"));
        assert_eq!(t.caption.as_deref(), Some("Kiln day #pottery"));
        assert_eq!(t.picture.srcset, None);
    }

    #[test]
    fn a_non_http_permalink_links_to_the_profile_instead() {
        let mut p = post(PostKind::Image, None);
        p.permalink = "javascript:alert(1)".into();
        let t = TileModel::new(&p, "harbor", "https://www.instagram.com/harbor/", "");
        assert_eq!(t.href, "https://www.instagram.com/harbor/");
        assert_eq!(t.alt, "Instagram post by @harbor");
    }

    #[test]
    fn colours_that_could_inject_css_are_dropped() {
        let mut p = post(PostKind::Image, None);
        p.media[0].color = Some("red;background:url(x)".into());
        assert_eq!(TileModel::new(&p, "u", "", "").picture.color, None);
        assert!(is_hex_color("#A0b1C2"));
        assert!(!is_hex_color("#abc"));
    }

    #[test]
    fn unknown_dimensions_are_square() {
        let mut p = post(PostKind::Carousel, None);
        p.media[0].height = None;
        let t = TileModel::new(&p, "u", "", "");
        assert_eq!(t.ratio(), 1.0);
    }

    fn variant(url: &str, width: u32, mime: &str) -> Variant {
        Variant {
            url: url.into(),
            width,
            height: width * 5 / 4,
            mime: mime.into(),
        }
    }

    #[test]
    fn webp_variants_go_to_the_source_and_the_others_to_the_img() {
        let mut p = post(PostKind::Image, None);
        p.media[0].url = "/media/d.640.jpg".into();
        p.media[0].variants = vec![
            variant("/media/d.320.webp", 320, WEBP),
            variant("/media/d.320.jpg", 320, "image/jpeg"),
            variant("/media/d.640.webp", 640, WEBP),
            variant("/media/d.640.jpg", 640, "image/jpeg"),
        ];
        let t = TileModel::new(&p, "u", "", "https://f.example/");
        assert_eq!(t.picture.src, "https://f.example/media/d.640.jpg");
        assert_eq!(
            t.picture.webp.as_deref(),
            Some(
                "https://f.example/media/d.320.webp 320w, https://f.example/media/d.640.webp 640w"
            )
        );
        assert_eq!(
            t.picture.srcset.as_deref(),
            Some("https://f.example/media/d.320.jpg 320w, https://f.example/media/d.640.jpg 640w")
        );
    }

    #[test]
    fn absolute_variant_urls_stay_and_separators_are_escaped() {
        let mut p = post(PostKind::Image, None);
        p.media[0].variants = vec![variant("https://cdn/x 1,2.jpg", 320, "image/jpeg")];
        let t = TileModel::new(&p, "u", "", "https://f.example");
        assert_eq!(
            t.picture.srcset.as_deref(),
            Some("https://cdn/x%201%2C2.jpg 320w")
        );
        assert_eq!(t.picture.webp, None);
    }

    #[test]
    fn blank_captions_are_no_captions() {
        let t = TileModel::new(&post(PostKind::Image, Some("  ")), "u", "", "");
        assert_eq!(t.caption, None);
    }
}
