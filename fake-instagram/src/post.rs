//! The fake account's posts: what the Graph API lists and the CDN serves.

/// A post (IG Media object) as the fake serves it.
///
/// ```
/// use fake_instagram::{FakeKind, FakePost};
/// let post = FakePost::image("18063311562093417", Some("Hello #ceramics"), "2026-09-14T17:22:08+0000", 1080, 1350);
/// assert_eq!(post.kind, FakeKind::Image);
/// ```
#[derive(Clone, Debug)]
pub struct FakePost {
    /// Numeric media id (17–18 digit string).
    pub id: String,
    /// IMAGE, VIDEO or CAROUSEL_ALBUM.
    pub kind: FakeKind,
    /// The caption; `None` makes the `caption` key disappear from responses.
    pub caption: Option<String>,
    /// ISO 8601 with a `+0000` offset, e.g. `2026-09-14T17:22:08+0000`.
    pub timestamp: String,
    /// Pixel width of the image (or of the video's thumbnail).
    pub width: u32,
    /// Pixel height of the image (or of the video's thumbnail).
    pub height: u32,
    /// Carousel children (empty for IMAGE and VIDEO).
    pub children: Vec<FakeChild>,
    /// A video with copyrighted or licensed audio: its `media_url` is omitted.
    pub copyrighted_audio: bool,
}

/// The `media_type` of a post or child.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FakeKind {
    /// `IMAGE`
    Image,
    /// `VIDEO` (reels are videos too)
    Video,
    /// `CAROUSEL_ALBUM` (parents only)
    Carousel,
}

/// One item of a carousel album.
#[derive(Clone, Debug)]
pub struct FakeChild {
    /// Numeric media id of the child.
    pub id: String,
    /// `Image` or `Video`.
    pub kind: FakeKind,
    /// Pixel width.
    pub width: u32,
    /// Pixel height.
    pub height: u32,
}

impl FakeKind {
    /// The Graph API spelling: `IMAGE`, `VIDEO`, `CAROUSEL_ALBUM`.
    pub fn as_str(self) -> &'static str {
        match self {
            FakeKind::Image => "IMAGE",
            FakeKind::Video => "VIDEO",
            FakeKind::Carousel => "CAROUSEL_ALBUM",
        }
    }
}

impl FakePost {
    /// A single-image post.
    pub fn image(
        id: &str,
        caption: Option<&str>,
        timestamp: &str,
        width: u32,
        height: u32,
    ) -> Self {
        FakePost {
            id: id.to_string(),
            kind: FakeKind::Image,
            caption: caption.map(str::to_string),
            timestamp: timestamp.to_string(),
            width,
            height,
            children: Vec::new(),
            copyrighted_audio: false,
        }
    }

    /// The shortcode used in the permalink, derived from the id so it is stable.
    pub fn shortcode(&self) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut h = crate::cdn_url::fnv1a(0x5eed, self.id.as_bytes());
        let mut code = String::from("D");
        for _ in 0..10 {
            code.push(ALPHABET[(h % 64) as usize] as char);
            h /= 64;
            if h == 0 {
                h = crate::cdn_url::fnv1a(h ^ 0x9e37, code.as_bytes());
            }
        }
        code
    }

    /// `https://www.instagram.com/p/<shortcode>/`, or `/reel/` for videos.
    pub fn permalink(&self) -> String {
        let kind = if self.kind == FakeKind::Video {
            "reel"
        } else {
            "p"
        };
        format!("https://www.instagram.com/{kind}/{}/", self.shortcode())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn videos_link_to_reels_and_images_to_posts() {
        let mut post = FakePost::image("1", None, "2026-09-14T17:22:08+0000", 10, 10);
        assert!(
            post.permalink()
                .starts_with("https://www.instagram.com/p/D")
        );
        post.kind = FakeKind::Video;
        assert!(
            post.permalink()
                .starts_with("https://www.instagram.com/reel/D")
        );
        assert_eq!(post.shortcode().len(), 11);
    }
}
