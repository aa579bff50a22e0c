//! What one tile shows, computed from a post: pure, so the view only places it.

use feedframe_feed::{Media, Post, PostKind, alt_text};

/// Everything the view needs to render one post.
#[derive(Debug, Clone, PartialEq)]
pub struct TileModel {
    /// The post on instagram.com (only `http(s)` links; anything else links to the profile).
    pub href: String,
    pub alt: String,
    /// The fallback image (the feed's `url`: the widest JPEG), resolved against the proxy.
    pub src: String,
    /// `srcset` of the variants that are not WebP (JPEG), for the `<img>`.
    pub srcset: Option<String>,
    /// `srcset` of the WebP variants, for a `<source type="image/webp">`.
    pub webp: Option<String>,
    /// Intrinsic size (or 1×1 when unknown), for the masonry's aspect ratios.
    pub width: u32,
    pub height: u32,
    /// A validated `#rrggbb` placeholder colour.
    pub color: Option<String>,
    pub kind: PostKind,
    /// Shown as text, never as HTML.
    pub caption: Option<String>,
}

/// The MIME type of WebP variants.
pub const WEBP: &str = "image/webp";

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
        let (width, height) = match (media.width, media.height) {
            (Some(w), Some(h)) if w > 0 && h > 0 => (w, h),
            _ => (1, 1),
        };
        Self {
            href: if is_http(&post.permalink) {
                post.permalink.clone()
            } else {
                profile_url.to_string()
            },
            alt: alt_text(post.caption.as_deref(), username),
            src: resolve_url(base, &media.url),
            srcset: srcset(media, base, false),
            webp: srcset(media, base, true),
            width,
            height,
            color: media.color.clone().filter(|c| is_hex_color(c)),
            kind: post.kind,
            caption: post
                .caption
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string),
        }
    }

    /// Width over height.
    pub fn ratio(&self) -> f64 {
        f64::from(self.width) / f64::from(self.height)
    }
}

/// `srcset` from the variants (narrowest first, as the feed lists them) that are WebP (`webp`)
/// or are not; `None` when there are none.
///
/// ```
/// use feedframe_feed::{Media, Variant};
/// let v = |w: u32, ext: &str, mime: &str| Variant {
///     url: format!("/media/m.{w}.{ext}"), width: w, height: w, mime: mime.into() };
/// let media = Media { url: "/media/m.640.jpg".into(), width: Some(1080), height: Some(1080),
///     color: None, placeholder: None, video: None,
///     variants: vec![v(320, "webp", "image/webp"), v(320, "jpg", "image/jpeg"),
///                    v(640, "webp", "image/webp"), v(640, "jpg", "image/jpeg")] };
/// use feedframe_widget::tile::srcset;
/// assert_eq!(srcset(&media, "https://f.example", true).unwrap(),
///   "https://f.example/media/m.320.webp 320w, https://f.example/media/m.640.webp 640w");
/// assert_eq!(srcset(&media, "https://f.example", false).unwrap(),
///   "https://f.example/media/m.320.jpg 320w, https://f.example/media/m.640.jpg 640w");
/// ```
pub fn srcset(media: &Media, base: &str, webp: bool) -> Option<String> {
    let mut list = String::new();
    for v in &media.variants {
        if v.width == 0 || (v.mime == WEBP) != webp {
            continue;
        }
        if !list.is_empty() {
            list.push_str(", ");
        }
        // A URL with a space or comma would break the list; percent-encode them.
        for c in resolve_url(base, &v.url).chars() {
            match c {
                ' ' => list.push_str("%20"),
                ',' => list.push_str("%2C"),
                c => list.push(c),
            }
        }
        list.push(' ');
        list.push_str(&v.width.to_string());
        list.push('w');
    }
    (!list.is_empty()).then_some(list)
}

/// Resolves a media URL from the feed against the proxy's base URL (the widget's `src`, e.g.
/// `https://feeds.example.com`, or `https://example.com/ff` behind a path prefix). The feed's
/// media URLs are path-absolute on the proxy (`/media/ab12.640.webp`), so they are relative to
/// the proxy's root, never to the host page. Absolute (`https://…`) and other URLs stay as they
/// are.
///
/// ```
/// use feedframe_widget::tile::resolve_url;
/// assert_eq!(resolve_url("https://f.example", "/media/a.jpg"), "https://f.example/media/a.jpg");
/// assert_eq!(resolve_url("https://f.example/ff/", "/media/a.jpg"), "https://f.example/ff/media/a.jpg");
/// assert_eq!(resolve_url("https://f.example", "https://cdn.example/a.jpg"), "https://cdn.example/a.jpg");
/// assert_eq!(resolve_url("", "/media/a.jpg"), "/media/a.jpg");
/// ```
pub fn resolve_url(base: &str, url: &str) -> String {
    if url.starts_with('/') && !url.starts_with("//") {
        [base.trim_end_matches('/'), url].concat()
    } else {
        url.to_string()
    }
}

fn is_http(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

/// Whether `s` is exactly `#rrggbb` (it goes into a style attribute).
pub fn is_hex_color(s: &str) -> bool {
    s.strip_prefix('#')
        .is_some_and(|hex| hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;
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
        assert_eq!(t.src, "https://f.example/media/a.jpg");
        assert_eq!((t.width, t.height), (1080, 1350));
        assert_eq!(t.color.as_deref(), Some("#aabbcc"));
        assert_eq!(t.caption.as_deref(), Some("Kiln day #pottery"));
        assert_eq!(t.srcset, None);
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
        assert_eq!(TileModel::new(&p, "u", "", "").color, None);
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
        assert_eq!(t.src, "https://f.example/media/d.640.jpg");
        assert_eq!(
            t.webp.as_deref(),
            Some(
                "https://f.example/media/d.320.webp 320w, https://f.example/media/d.640.webp 640w"
            )
        );
        assert_eq!(
            t.srcset.as_deref(),
            Some("https://f.example/media/d.320.jpg 320w, https://f.example/media/d.640.jpg 640w")
        );
    }

    #[test]
    fn absolute_variant_urls_stay_and_separators_are_escaped() {
        let mut p = post(PostKind::Image, None);
        p.media[0].variants = vec![variant("https://cdn/x 1,2.jpg", 320, "image/jpeg")];
        let t = TileModel::new(&p, "u", "", "https://f.example");
        assert_eq!(t.srcset.as_deref(), Some("https://cdn/x%201%2C2.jpg 320w"));
        assert_eq!(t.webp, None);
    }

    #[test]
    fn blank_captions_are_no_captions() {
        let t = TileModel::new(&post(PostKind::Image, Some("  ")), "u", "", "");
        assert_eq!(t.caption, None);
    }
}
