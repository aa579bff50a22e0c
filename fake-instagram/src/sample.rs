//! Deterministic sample posts for the fake account: the aspect ratios, media types and captions a
//! widget has to cope with.

use crate::cdn_url::fnv1a;
use crate::clock::graph_timestamp;
use crate::post::{FakeChild, FakeKind, FakePost};

/// 2026-09-14T17:22:08Z, the newest fixture post.
const NEWEST: i64 = 1_789_406_528;

/// One entry of the repeating pattern: kind, size, caption, copyrighted audio, children.
struct Template {
    kind: FakeKind,
    size: (u32, u32),
    caption: Option<&'static str>,
    copyrighted_audio: bool,
    children: &'static [(FakeKind, u32, u32)],
}

const fn t(kind: FakeKind, size: (u32, u32), caption: Option<&'static str>) -> Template {
    Template {
        kind,
        size,
        caption,
        copyrighted_audio: false,
        children: &[],
    }
}

const PORTRAIT: (u32, u32) = (1080, 1350);
const SQUARE: (u32, u32) = (1080, 1080);
const LANDSCAPE: (u32, u32) = (1080, 566);
const VERTICAL: (u32, u32) = (1080, 1920);

const TEMPLATES: [Template; 12] = [
    t(
        FakeKind::Image,
        PORTRAIT,
        Some("New glaze test: seafoam over speckled stoneware 🌊\n#ceramics #pottery"),
    ),
    t(
        FakeKind::Video,
        VERTICAL,
        Some("Trimming a mug foot in real time, no cuts."),
    ),
    Template {
        children: &[
            (FakeKind::Image, 1080, 1080),
            (FakeKind::Video, 1080, 1080),
            (FakeKind::Image, 1080, 1080),
        ],
        ..t(
            FakeKind::Carousel,
            SQUARE,
            Some(
                "Studio open day recap — thanks to everyone who came by! (swipe for the wheel demo)",
            ),
        )
    },
    t(FakeKind::Image, SQUARE, None),
    Template {
        copyrighted_audio: true,
        ..t(
            FakeKind::Video,
            VERTICAL,
            Some("Kiln unload day 🔥 (with a song we definitely didn't write)"),
        )
    },
    t(
        FakeKind::Image,
        LANDSCAPE,
        Some("<script>alert(1)</script> Totally normal caption 😈🏺 #glazefail"),
    ),
    t(
        FakeKind::Image,
        PORTRAIT,
        Some("Speckled mugs are back in stock. #handmade #mugs #shopsmall"),
    ),
    Template {
        children: &[(FakeKind::Image, 1080, 1350), (FakeKind::Image, 1080, 1350)],
        ..t(
            FakeKind::Carousel,
            PORTRAIT,
            Some("Before and after the glaze firing ➡️"),
        )
    },
    t(
        FakeKind::Image,
        LANDSCAPE,
        Some("Sunset over the kiln shed 🌅 #kiln #studiolife"),
    ),
    t(
        FakeKind::Video,
        VERTICAL,
        Some("Glaze mixing 101 — full recipe in the comments #glaze #tutorial"),
    ),
    t(
        FakeKind::Image,
        SQUARE,
        Some(
            "A longer one today.\n\nEvery bowl on this shelf was thrown in one afternoon, trimmed the next morning and fired twice. Some cracked, most didn't. Those that made it are in the shop this Friday.\n\n#pottery #ceramics #wheelthrown #handmadeceramics",
        ),
    ),
    t(
        FakeKind::Image,
        PORTRAIT,
        Some("Our very first market stall, 2019 ✨ #throwback"),
    ),
];

/// A 17-digit numeric id, stable for `(key, index)`.
fn numeric_id(key: u64, index: usize) -> String {
    let prefix = if index % 3 == 1 { "17" } else { "18" };
    let n = fnv1a(key, &(index as u64).to_le_bytes()) % 1_000_000_000_000_000;
    format!("{prefix}{n:015}")
}

/// `n` deterministic posts, newest first.
///
/// The first six cover: a 4:5 portrait image with hashtags, a 9:16 reel, a carousel with an image
/// and a video child, a square image without caption, a reel with copyrighted audio (no
/// `media_url`), and a 1.91:1 landscape image whose caption holds `<script>` and emoji.
///
/// ```
/// let posts = fake_instagram::sample_posts(12);
/// assert_eq!(posts.len(), 12);
/// ```
pub fn sample_posts(n: usize) -> Vec<FakePost> {
    let mut at = NEWEST;
    (0..n)
        .map(|i| {
            let template = &TEMPLATES[i % TEMPLATES.len()];
            let timestamp = graph_timestamp(at);
            at -= 86_400 + (fnv1a(7, &(i as u64).to_le_bytes()) % (3 * 86_400)) as i64;
            let children = template
                .children
                .iter()
                .enumerate()
                .map(|(c, &(kind, width, height))| FakeChild {
                    id: numeric_id(0xC41D, i * 16 + c),
                    kind,
                    width,
                    height,
                })
                .collect();
            FakePost {
                id: numeric_id(0x9057, i),
                kind: template.kind,
                caption: template.caption.map(str::to_string),
                timestamp,
                width: template.size.0,
                height: template.size.1,
                children,
                copyrighted_audio: template.copyrighted_audio,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_deterministic_unique_and_newest_first() {
        let posts = sample_posts(30);
        assert_eq!(posts[0].id, sample_posts(1)[0].id);
        assert_eq!(posts[0].timestamp, "2026-09-14T17:22:08+0000");
        let mut ids: Vec<_> = posts.iter().map(|p| p.id.clone()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 30);
        assert!(posts.windows(2).all(|w| w[0].timestamp > w[1].timestamp));
    }

    #[test]
    fn the_first_six_cover_every_edge_case() {
        let posts = sample_posts(6);
        assert!(
            posts
                .iter()
                .any(|p| p.kind == FakeKind::Video && p.copyrighted_audio)
        );
        assert!(posts.iter().any(|p| p.kind == FakeKind::Carousel
            && p.children.iter().any(|c| c.kind == FakeKind::Video)
            && p.children.iter().any(|c| c.kind == FakeKind::Image)));
        assert!(posts.iter().any(|p| p.caption.is_none()));
        assert!(posts.iter().any(|p| {
            p.caption
                .as_deref()
                .unwrap_or("")
                .contains("<script>alert(1)</script>")
        }));
        assert!(posts.iter().any(|p| (p.width, p.height) == (1080, 566)));
    }
}
