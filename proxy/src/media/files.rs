//! The mirrored files, content-addressed, kept in a media store:
//! - images: `<digest>.<width>.<webp|jpg>` (the digest is the SHA-256 of the source image and of
//!   FeedFrame's rendition settings);
//! - videos: `<digest>.mp4` (the digest is the SHA-256 of the file, stored as downloaded);
//!
//! in the data directory by default, `<data dir>/media/<name>` ([`MediaDir`]), or an S3 bucket
//! with `FEEDFRAME_MEDIA_STORE=s3://bucket/prefix` ([`Bucket`]).
//!
//! Either way a write is atomic for readers, and names that do not match the pattern are never
//! opened. Files are read whole or by byte range, as a stream (a video is never held in memory).
//! The feed names each file under `/media/` (streamed by the proxy) or, with
//! `FEEDFRAME_MEDIA_PUBLIC_URL`, under that base (a bucket website or a CDN).

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use feedframe_feed::Media;
use futures_util::stream::BoxStream;
use tempfile::NamedTempFile;

use crate::config::{Config, MediaStoreUrl};
use crate::error::ProxyError;
use crate::media::bucket::Bucket;
use crate::media::local::MediaDir;

/// Where media URLs start; relative to the proxy's origin.
pub const URL_PREFIX: &str = "/media/";
/// Names are content addresses: a file never changes, so anyone may cache it for a year.
pub const CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// The encoding of a mirrored file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    WebP,
    Jpeg,
    /// A video, stored as Instagram's CDN sent it.
    Mp4,
}

impl Format {
    /// The file extension, also used in media URLs.
    pub fn ext(self) -> &'static str {
        match self {
            Self::WebP => "webp",
            Self::Jpeg => "jpg",
            Self::Mp4 => "mp4",
        }
    }

    /// The MIME type for `Content-Type` and the feed's `type` fields.
    pub fn mime(self) -> &'static str {
        match self {
            Self::WebP => "image/webp",
            Self::Jpeg => "image/jpeg",
            Self::Mp4 => "video/mp4",
        }
    }

    /// The format of an extension.
    pub fn from_ext(ext: &str) -> Option<Self> {
        match ext {
            "webp" => Some(Self::WebP),
            "jpg" => Some(Self::Jpeg),
            "mp4" => Some(Self::Mp4),
            _ => None,
        }
    }
}

/// A well-formed media file name, taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaName {
    pub digest: String,
    /// An image rendition's width; `None` for a video (one file, as downloaded).
    pub width: Option<u32>,
    pub format: Format,
}

impl MediaName {
    /// The name of a video file.
    pub fn video(digest: String) -> Self {
        Self {
            digest,
            width: None,
            format: Format::Mp4,
        }
    }

    /// Parses `<32 hex>.<width>.<webp|jpg>` or `<32 hex>.mp4`; anything else (paths, dots, case)
    /// is `None`.
    pub fn parse(name: &str) -> Option<Self> {
        let mut parts = name.split('.');
        let (digest, second, third) = (parts.next()?, parts.next()?, parts.next());
        let digest_ok = digest.len() == 32
            && digest
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if parts.next().is_some() || !digest_ok {
            return None;
        }
        let Some(ext) = third else {
            return (Format::from_ext(second)? == Format::Mp4).then(|| Self::video(digest.into()));
        };
        let width = second;
        let width_ok = (1..=5).contains(&width.len())
            && width.bytes().all(|b| b.is_ascii_digit())
            && !width.starts_with('0');
        let format = Format::from_ext(ext).filter(|f| *f != Format::Mp4)?;
        if !width_ok {
            return None;
        }
        Some(Self {
            digest: digest.to_string(),
            width: Some(width.parse().ok()?),
            format,
        })
    }

    /// Parses the name at the end of a media URL: `/media/<name>` or `<public base>/<name>` (a
    /// feed keeps naming the files after the base changes).
    pub fn from_url(url: &str) -> Option<Self> {
        let (_, name) = url.rsplit_once('/')?;
        Self::parse(name)
    }

    /// The file name.
    pub fn file_name(&self) -> String {
        match self.width {
            Some(width) => format!("{}.{width}.{}", self.digest, self.format.ext()),
            None => format!("{}.{}", self.digest, self.format.ext()),
        }
    }

    /// The path-absolute URL the proxy serves it at.
    pub fn url(&self) -> String {
        format!("{URL_PREFIX}{}", self.file_name())
    }
}

/// Every URL of a mirrored file that `media` names: the image, its variants and the video.
pub fn file_urls(media: &Media) -> impl Iterator<Item = &str> {
    std::iter::once(media.url.as_str())
        .chain(media.variants.iter().map(|v| v.url.as_str()))
        .chain(media.video.iter().map(|v| v.url.as_str()))
}

/// A file's bytes, streamed.
pub type ByteStream = BoxStream<'static, std::io::Result<Bytes>>;

/// One file of the media store, for garbage collection.
#[derive(Debug, Clone)]
pub struct MediaFile {
    pub name: String,
    /// `None` for temporary files.
    pub parsed: Option<MediaName>,
    pub bytes: u64,
    /// Unix seconds.
    pub modified: i64,
}

/// The media store and the base the feed names its files under. Cheap to clone.
#[derive(Clone)]
pub struct MediaFiles {
    backend: Backend,
    /// `https://media.example.com/feeds`, without a trailing slash; `None`: `/media/` on the proxy.
    public_base: Option<Arc<str>>,
}

#[derive(Clone)]
enum Backend {
    Local(MediaDir),
    Bucket(Arc<Bucket>),
}

impl std::fmt::Debug for MediaFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl MediaFiles {
    /// Files in `dir`, served by the proxy under `/media/`.
    pub fn local(dir: PathBuf) -> Self {
        Self {
            backend: Backend::Local(MediaDir::new(dir)),
            public_base: None,
        }
    }

    /// The store `config` names (`FEEDFRAME_MEDIA_STORE`, `FEEDFRAME_MEDIA_PUBLIC_URL`). Makes no
    /// request; see [`MediaFiles::check`].
    pub fn open(config: &Config) -> Result<Self, ProxyError> {
        let backend = match &config.media_store {
            MediaStoreUrl::DataDir => Backend::Local(MediaDir::new(config.media_dir())),
            MediaStoreUrl::S3 { bucket, prefix } => Backend::Bucket(Arc::new(Bucket::open(
                bucket,
                prefix,
                &config.media_store_settings,
            )?)),
        };
        Ok(Self {
            backend,
            public_base: config.media_public_url.as_deref().map(Arc::from),
        })
    }

    /// The directory, or `s3://bucket/prefix`: for messages (never a credential).
    pub fn describe(&self) -> String {
        match &self.backend {
            Backend::Local(dir) => dir.path().display().to_string(),
            Backend::Bucket(bucket) => bucket.url().to_string(),
        }
    }

    /// The URL the feed names `name` by.
    pub fn url(&self, name: &MediaName) -> String {
        match &self.public_base {
            Some(base) => format!("{base}/{}", name.file_name()),
            None => name.url(),
        }
    }

    /// `media` with its URLs under today's base (it may have been mirrored under another);
    /// `None` if a URL is not one of ours.
    pub fn rebase(&self, media: &Media) -> Option<Media> {
        let url = |u: &str| MediaName::from_url(u).map(|n| self.url(&n));
        let mut out = media.clone();
        out.url = url(&media.url)?;
        for variant in &mut out.variants {
            variant.url = url(&variant.url)?;
        }
        if let Some(video) = &mut out.video {
            video.url = url(&video.url)?;
        }
        Some(out)
    }

    /// Checks at start that the store can be used: a bucket is listed once (the directory is
    /// made on the first write, as before).
    pub async fn check(&self) -> Result<(), ProxyError> {
        match &self.backend {
            Backend::Local(_) => Ok(()),
            Backend::Bucket(bucket) => bucket.check().await,
        }
    }

    /// Stores one file; readers see all of it or nothing.
    pub async fn write(&self, name: &MediaName, bytes: Vec<u8>) -> Result<(), ProxyError> {
        match &self.backend {
            Backend::Local(dir) => {
                let (dir, name) = (dir.clone(), name.clone());
                blocking(move || dir.write(&name, &bytes)).await
            }
            Backend::Bucket(bucket) => bucket.write(name, bytes).await,
        }
    }

    /// A place to download a file to before it is stored (see [`MediaFiles::store_staged`]):
    /// beside the files in the data directory, so storing is a rename; the system's temporary
    /// directory for a bucket. Deleted when dropped unless stored.
    pub async fn stage(&self) -> Result<NamedTempFile, ProxyError> {
        match &self.backend {
            Backend::Local(dir) => {
                let dir = dir.clone();
                blocking(move || dir.stage()).await
            }
            Backend::Bucket(bucket) => bucket.stage(),
        }
    }

    /// Stores a staged file under `name`; readers see all of it or nothing.
    pub async fn store_staged(
        &self,
        name: &MediaName,
        staged: NamedTempFile,
    ) -> Result<(), ProxyError> {
        match &self.backend {
            Backend::Local(dir) => {
                let (dir, name) = (dir.clone(), name.clone());
                blocking(move || dir.store_staged(&name, staged)).await
            }
            Backend::Bucket(bucket) => bucket.store_staged(name, staged).await,
        }
    }

    /// One file's size; `None` when it is not there.
    pub async fn size(&self, name: &MediaName) -> Result<Option<u64>, ProxyError> {
        match &self.backend {
            Backend::Local(dir) => {
                let (dir, name) = (dir.clone(), name.clone());
                blocking(move || dir.size(&name)).await
            }
            Backend::Bucket(bucket) => bucket.size(name).await,
        }
    }

    /// The bytes `range` of one file (within its [`MediaFiles::size`]), streamed; `None` when
    /// it is not there. Only those bytes are read.
    pub async fn read_range(
        &self,
        name: &MediaName,
        range: Range<u64>,
    ) -> Result<Option<ByteStream>, ProxyError> {
        match &self.backend {
            Backend::Local(dir) => dir.read_range(name, range).await,
            Backend::Bucket(bucket) => bucket.read_range(name, range).await,
        }
    }

    /// Whether the file is there (a store that cannot be reached counts as no).
    pub async fn has(&self, name: &MediaName) -> bool {
        match &self.backend {
            Backend::Local(dir) => dir.locate(name).is_file(),
            Backend::Bucket(bucket) => bucket.has(name).await,
        }
    }

    /// Every file of ours in the store, with its size (temporary files of the data directory
    /// included, for garbage collection).
    pub async fn list(&self) -> Result<Vec<MediaFile>, ProxyError> {
        match &self.backend {
            Backend::Local(dir) => {
                let dir = dir.clone();
                blocking(move || dir.list()).await
            }
            Backend::Bucket(bucket) => bucket.list().await,
        }
    }

    /// The bytes of those of `names` that are there (each counted once per name given).
    pub async fn bytes_of(&self, names: Vec<MediaName>) -> Result<u64, ProxyError> {
        match &self.backend {
            Backend::Local(dir) => {
                let dir = dir.clone();
                blocking(move || {
                    let mut sum = 0;
                    for name in &names {
                        sum += dir.size(name)?.unwrap_or(0);
                    }
                    Ok(sum)
                })
                .await
            }
            Backend::Bucket(bucket) => {
                let sizes = bucket.sizes().await?;
                Ok(names.iter().filter_map(|n| sizes.get(&n.file_name())).sum())
            }
        }
    }

    /// Deletes one file by name (already gone is fine).
    pub async fn remove(&self, file_name: &str) -> Result<(), ProxyError> {
        match &self.backend {
            Backend::Local(dir) => {
                let (dir, name) = (dir.clone(), file_name.to_string());
                blocking(move || dir.remove(&name)).await
            }
            Backend::Bucket(bucket) => bucket.remove(file_name).await,
        }
    }
}

/// Runs file system work on a blocking thread.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ProxyError> + Send + 'static,
) -> Result<T, ProxyError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ProxyError::Invalid(format!("a media file task failed: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn only_well_formed_names_are_accepted() {
        let name = MediaName::parse(&format!("{DIGEST}.640.webp")).unwrap();
        assert_eq!((name.width, name.format), (Some(640), Format::WebP));
        assert_eq!(name.url(), format!("/media/{DIGEST}.640.webp"));
        let video = MediaName::parse(&format!("{DIGEST}.mp4")).unwrap();
        assert_eq!(video, MediaName::video(DIGEST.into()));
        assert_eq!(video.file_name(), format!("{DIGEST}.mp4"));
        for bad in [
            "../feedframe.db".to_string(),
            format!("{DIGEST}.640.png"),
            format!("{DIGEST}.0640.jpg"),
            format!("{DIGEST}.640.jpg.exe"),
            format!("{}.640.jpg", DIGEST.to_uppercase()),
            format!("..%2F{DIGEST}.640.jpg"),
            format!("{DIGEST}..jpg"),
            format!(".tmp-{DIGEST}.640.jpg-1-2"),
            format!("{DIGEST}.640.mp4"),
            format!("{DIGEST}.jpg"),
            format!("{DIGEST}.mp4.mp4"),
            format!("{DIGEST}.MP4"),
        ] {
            assert!(MediaName::parse(&bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn media_urls_follow_the_public_base_and_are_read_back_under_any_base() {
        let name = MediaName::parse(&format!("{DIGEST}.320.jpg")).unwrap();
        let mut files = MediaFiles::local(PathBuf::from("media"));
        assert_eq!(files.url(&name), format!("/media/{DIGEST}.320.jpg"));
        files.public_base = Some(Arc::from("https://cdn.example.com/feeds"));
        let public = files.url(&name);
        assert_eq!(
            public,
            format!("https://cdn.example.com/feeds/{DIGEST}.320.jpg")
        );
        assert_eq!(MediaName::from_url(&public), Some(name.clone()));
        let media = Media {
            url: name.url(),
            width: None,
            height: None,
            color: None,
            variants: Vec::new(),
            placeholder: None,
            video: None,
        };
        assert_eq!(files.rebase(&media).unwrap().url, public);
        let foreign = Media {
            url: "https://scontent.cdninstagram.com/v/a.jpg".into(),
            ..media
        };
        assert!(files.rebase(&foreign).is_none());
    }
}
