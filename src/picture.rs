//! One image as the widget shows it, from a feed's [`Media`]: the fallback URL, the `srcset`s
//! (WebP and JPEG), the intrinsic size and the placeholder colour. Tiles and the lightbox both
//! paint pictures; the rules that make their URLs and colours safe live here once.

use feedframe_feed::Media;

/// The MIME type of WebP variants.
pub const WEBP: &str = "image/webp";

/// One image, its URLs resolved against the proxy.
#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    /// The fallback image (the feed's `url`: the widest JPEG).
    pub src: String,
    /// `srcset` of the variants that are not WebP (JPEG), for the `<img>`.
    pub srcset: Option<String>,
    /// `srcset` of the WebP variants, for a `<source type="image/webp">`.
    pub webp: Option<String>,
    /// Intrinsic size (or 1×1 when unknown), for aspect ratios.
    pub width: u32,
    pub height: u32,
    /// A validated `#rrggbb` placeholder colour.
    pub color: Option<String>,
}

impl Picture {
    /// The picture of `media`; path-absolute URLs are resolved against `base`, the proxy.
    pub fn new(media: &Media, base: &str) -> Self {
        let (width, height) = match (media.width, media.height) {
            (Some(w), Some(h)) if w > 0 && h > 0 => (w, h),
            _ => (1, 1),
        };
        Self {
            src: resolve_url(base, &media.url),
            srcset: srcset(media, base, false),
            webp: srcset(media, base, true),
            width,
            height,
            color: media.color.clone().filter(|c| is_hex_color(c)),
        }
    }

    /// Width over height.
    pub fn ratio(&self) -> f64 {
        f64::from(self.width) / f64::from(self.height)
    }

    /// `background-color:#rrggbb;` for the placeholder, or empty.
    pub fn color_style(&self) -> String {
        self.color
            .as_deref()
            .map(|c| ["background-color:", c, ";"].concat())
            .unwrap_or_default()
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
/// use feedframe_widget::picture::srcset;
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
/// use feedframe_widget::picture::resolve_url;
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

pub(crate) fn is_http(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

/// Whether `s` is exactly `#rrggbb` (it goes into a style attribute).
pub fn is_hex_color(s: &str) -> bool {
    s.strip_prefix('#')
        .is_some_and(|hex| hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}
