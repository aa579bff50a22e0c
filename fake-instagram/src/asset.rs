//! What the fake CDN serves, and the signed URLs the Graph API hands out for it.
//!
//! Paths follow Instagram's: images `/v/t51.82787-15/<id>_n.jpg`, video thumbnails
//! `/v/t51.71878-15/<id>_n.jpg`, videos `/o1/v/t16/f2/m86/<id>.mp4`, the profile picture
//! `/v/t51.2885-19/<ig_user_id>_n.jpg`.

use crate::cdn_url::{IMAGE_TTL_SECS, VIDEO_TTL_SECS, fnv1a, sign};
use crate::post::{FakeKind, FakePost};

const IMAGE_DIR: &str = "/v/t51.82787-15/";
const THUMB_DIR: &str = "/v/t51.71878-15/";
const VIDEO_DIR: &str = "/o1/v/t16/f2/m86/";
const PROFILE_DIR: &str = "/v/t51.2885-19/";
/// Side of the square profile picture.
const PROFILE_SIDE: u32 = 206;

/// A resolved CDN object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Asset {
    /// A JPEG of this size; the seed picks its colours.
    Jpeg { width: u32, height: u32, seed: u64 },
    /// A video: [`CLIP`] marked with this media id (see [`video_bytes`]).
    Mp4 { id: String },
}

/// A real, playable MP4 of 6 KB: two seconds of ffmpeg's `testsrc2` pattern, 128 × 160 at 12
/// frames a second, H.264 constrained baseline, no audio, `moov` first. Made with
/// `ffmpeg -f lavfi -i testsrc2=size=128x160:rate=12:duration=2 -c:v libx264 -profile:v baseline
/// -level 3.0 -pix_fmt yuv420p -preset veryslow -crf 42 -g 24 -bsf:v filter_units=remove_types=6
/// -movflags +faststart -an -map_metadata -1 -fflags +bitexact -flags:v +bitexact clip.mp4`.
const CLIP: &[u8] = include_bytes!("../assets/clip.mp4");

/// The file the CDN serves for the video `id`: [`CLIP`] followed by a `free` box naming the id,
/// which players skip; so each video has bytes of its own, as on Instagram.
pub fn video_bytes(id: &str) -> Vec<u8> {
    let note = format!("feedframe fake video {id}");
    let size = u32::try_from(8 + note.len()).expect("a short note");
    let mut out = Vec::with_capacity(CLIP.len() + note.len() + 8);
    out.extend_from_slice(CLIP);
    out.extend_from_slice(&size.to_be_bytes());
    out.extend_from_slice(b"free");
    out.extend_from_slice(note.as_bytes());
    out
}

/// Builds signed URLs at one instant (one API response).
pub(crate) struct Signer<'a> {
    /// `http://127.0.0.1:PORT` of the CDN listener.
    pub(crate) cdn_base: &'a str,
    /// Fake-now of the API response.
    pub(crate) now: i64,
}

impl Signer<'_> {
    fn host(&self) -> String {
        let base = self.cdn_base;
        base.split_once("://")
            .map_or(base, |(_, host)| host)
            .to_string()
    }

    fn jpeg(&self, dir: &str, id: &str, stp: &str, cat: &str) -> String {
        let params = [
            ("stp", stp.to_string()),
            ("_nc_cat", cat.to_string()),
            ("ccb", "1-7".to_string()),
            ("_nc_ht", self.host()),
        ];
        sign(
            self.cdn_base,
            &format!("{dir}{id}_n.jpg"),
            &params,
            self.now + IMAGE_TTL_SECS,
        )
    }

    /// The `media_url` of an image.
    pub(crate) fn image(&self, id: &str) -> String {
        self.jpeg(IMAGE_DIR, id, "dst-jpg_e35", "105")
    }

    /// The `thumbnail_url` of a video.
    pub(crate) fn thumbnail(&self, id: &str) -> String {
        self.jpeg(THUMB_DIR, id, "dst-jpg_e35", "109")
    }

    /// The `profile_picture_url`.
    pub(crate) fn profile_picture(&self, user_id: &str) -> String {
        self.jpeg(PROFILE_DIR, user_id, "dst-jpg_s206x206_tt6", "101")
    }

    /// The `media_url` of a video (expires a day sooner than images, as observed).
    pub(crate) fn video(&self, id: &str) -> String {
        let params = [
            (
                "efg",
                "eyJ2ZW5jb2RlX3RhZyI6InZ0c192b2RfdXJsZ2VuLmNsaXBzLmMyLjcyMC5iYXNlbGluZSJ9".into(),
            ),
            ("_nc_ht", self.host()),
            ("_nc_cat", "104".to_string()),
            ("ccb", "9-4".to_string()),
        ];
        sign(
            self.cdn_base,
            &format!("{VIDEO_DIR}{id}.mp4"),
            &params,
            self.now + VIDEO_TTL_SECS,
        )
    }
}

/// Finds what a CDN path refers to among `posts` (or the profile picture of `user_id`).
pub(crate) fn resolve(path: &str, posts: &[FakePost], user_id: &str) -> Option<Asset> {
    let seed = |id: &str| fnv1a(0x1ca6e, id.as_bytes());
    let jpeg = |(width, height): (u32, u32), id: &str| Asset::Jpeg {
        width,
        height,
        seed: seed(id),
    };
    if let Some(id) = path
        .strip_prefix(PROFILE_DIR)
        .and_then(|p| p.strip_suffix("_n.jpg"))
    {
        return (id == user_id).then(|| jpeg((PROFILE_SIDE, PROFILE_SIDE), id));
    }
    let (id, wanted): (&str, fn(FakeKind) -> bool) = if let Some(id) = path
        .strip_prefix(IMAGE_DIR)
        .and_then(|p| p.strip_suffix("_n.jpg"))
    {
        (id, |k| k == FakeKind::Image)
    } else if let Some(id) = path
        .strip_prefix(THUMB_DIR)
        .and_then(|p| p.strip_suffix("_n.jpg"))
    {
        (id, |k| k == FakeKind::Video)
    } else if let Some(id) = path
        .strip_prefix(VIDEO_DIR)
        .and_then(|p| p.strip_suffix(".mp4"))
    {
        let found = find_media(posts, id).is_some_and(|(kind, _)| kind == FakeKind::Video);
        return found.then(|| Asset::Mp4 { id: id.to_string() });
    } else {
        return None;
    };
    find_media(posts, id)
        .filter(|(kind, _)| wanted(*kind))
        .map(|(_, size)| jpeg(size, id))
}

/// The kind and size of a post or carousel child by id.
fn find_media(posts: &[FakePost], id: &str) -> Option<(FakeKind, (u32, u32))> {
    posts.iter().find_map(|post| {
        if post.id == id {
            return Some((post.kind, (post.width, post.height)));
        }
        post.children
            .iter()
            .find(|c| c.id == id)
            .map(|c| (c.kind, (c.width, c.height)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::sample_posts;

    #[test]
    fn each_video_is_the_playable_clip_with_bytes_of_its_own() {
        let (a, b) = (
            video_bytes("17921847035181160"),
            video_bytes("18112630577429716"),
        );
        assert_ne!(a, b);
        assert_eq!(&a[4..8], b"ftyp");
        // Top-level boxes: ftyp, moov (before the media data), …, and the note last.
        let mut boxes = Vec::new();
        let mut at = 0;
        while at < a.len() {
            let size = u32::from_be_bytes(a[at..at + 4].try_into().unwrap()) as usize;
            boxes.push(String::from_utf8_lossy(&a[at + 4..at + 8]).to_string());
            assert!(size >= 8, "{boxes:?}");
            at += size;
        }
        assert_eq!(at, a.len(), "the boxes tile the file");
        assert_eq!(boxes[..2], ["ftyp", "moov"]);
        assert!(boxes.contains(&"mdat".to_string()));
        assert_eq!(boxes.last().unwrap(), "free");
    }

    #[test]
    fn signed_urls_resolve_back_to_their_media() {
        let posts = sample_posts(6);
        let signer = Signer {
            cdn_base: "http://127.0.0.1:9",
            now: 0,
        };
        let url = signer.image(&posts[0].id);
        let path = url
            .strip_prefix("http://127.0.0.1:9")
            .unwrap()
            .split('?')
            .next()
            .unwrap();
        assert!(matches!(
            resolve(path, &posts, "1"),
            Some(Asset::Jpeg {
                width: 1080,
                height: 1350,
                ..
            })
        ));
        let video = signer.video(&posts[1].id);
        let path = video
            .strip_prefix("http://127.0.0.1:9")
            .unwrap()
            .split('?')
            .next()
            .unwrap();
        assert_eq!(
            resolve(path, &posts, "1"),
            Some(Asset::Mp4 {
                id: posts[1].id.clone()
            })
        );
        assert_eq!(resolve("/v/t51.82787-15/999_n.jpg", &posts, "1"), None);
    }
}
