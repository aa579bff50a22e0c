//! The mirrored files on disk: `<data dir>/media/<digest>.<width>.<ext>`, content-addressed (the
//! digest is the SHA-256 of the source image and of FeedFrame's rendition settings), written
//! atomically (a temporary file, then a rename) so a crash never leaves half a file under a real
//! name. Served as `/media/<name>`; names that do not match the pattern are never opened.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use crate::error::ProxyError;
use crate::media::transcode::Format;

/// Where media URLs start; relative to the proxy's origin.
pub const URL_PREFIX: &str = "/media/";
/// Temporary files start with this and are never served.
const TEMP_PREFIX: &str = ".tmp-";

/// The media directory.
#[derive(Debug, Clone)]
pub struct MediaDir {
    dir: PathBuf,
}

/// A well-formed media file name, taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaName {
    pub digest: String,
    pub width: u32,
    pub format: Format,
}

impl MediaName {
    /// Parses `<32 hex>.<width>.<webp|jpg>`; anything else (paths, dots, case) is `None`.
    pub fn parse(name: &str) -> Option<Self> {
        let mut parts = name.split('.');
        let (digest, width, ext) = (parts.next()?, parts.next()?, parts.next()?);
        let digest_ok = digest.len() == 32
            && digest
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        let width_ok = (1..=5).contains(&width.len())
            && width.bytes().all(|b| b.is_ascii_digit())
            && !width.starts_with('0');
        if parts.next().is_some() || !digest_ok || !width_ok {
            return None;
        }
        Some(Self {
            digest: digest.to_string(),
            width: width.parse().ok()?,
            format: Format::from_ext(ext)?,
        })
    }

    /// Parses the name at the end of a `/media/…` URL.
    pub fn from_url(url: &str) -> Option<Self> {
        Self::parse(url.strip_prefix(URL_PREFIX)?)
    }

    /// The file name.
    pub fn file_name(&self) -> String {
        format!("{}.{}.{}", self.digest, self.width, self.format.ext())
    }

    /// The path-absolute URL the feed JSON carries.
    pub fn url(&self) -> String {
        format!("{URL_PREFIX}{}", self.file_name())
    }
}

/// One file of the media directory, for garbage collection.
#[derive(Debug, Clone)]
pub struct MediaFile {
    pub name: String,
    /// `None` for temporary files.
    pub parsed: Option<MediaName>,
    pub bytes: u64,
    /// Unix seconds.
    pub modified: i64,
}

impl MediaDir {
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    fn error(&self, source: std::io::Error) -> ProxyError {
        ProxyError::MediaDir {
            path: self.dir.display().to_string(),
            source,
        }
    }

    /// The path of a well-formed name, else `None` (so no request can leave the directory).
    pub fn locate(&self, file_name: &str) -> Option<(PathBuf, MediaName)> {
        let name = MediaName::parse(file_name)?;
        Some((self.dir.join(name.file_name()), name))
    }

    /// Whether the file behind a `/media/…` URL is on disk.
    pub fn has_url(&self, url: &str) -> bool {
        MediaName::from_url(url).is_some_and(|n| self.dir.join(n.file_name()).is_file())
    }

    /// Writes a file atomically unless a file of that name (same content) is already there.
    pub fn write(&self, name: &MediaName, bytes: &[u8]) -> Result<(), ProxyError> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let target = self.dir.join(name.file_name());
        if target.is_file() {
            return Ok(());
        }
        std::fs::create_dir_all(&self.dir).map_err(|e| self.error(e))?;
        let temp = self.dir.join(format!(
            "{TEMP_PREFIX}{}-{}-{}",
            name.file_name(),
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let written = std::fs::write(&temp, bytes)
            .and_then(|()| std::fs::File::open(&temp)?.sync_all())
            .and_then(|()| std::fs::rename(&temp, &target));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&temp);
            return Err(self.error(e));
        }
        Ok(())
    }

    /// Every file in the directory (an absent directory has none).
    pub fn list(&self) -> Result<Vec<MediaFile>, ProxyError> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(self.error(e)),
        };
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| self.error(e))?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            let parsed = MediaName::parse(&name);
            if parsed.is_none() && !name.starts_with(TEMP_PREFIX) {
                continue; // Not ours: never touched.
            }
            let Ok(meta) = entry.metadata() else { continue };
            if !meta.is_file() {
                continue;
            }
            out.push(MediaFile {
                name,
                parsed,
                bytes: meta.len(),
                modified: unix(meta.modified().unwrap_or(SystemTime::UNIX_EPOCH)),
            });
        }
        Ok(out)
    }

    /// Deletes one file by name (already gone is fine).
    pub fn remove(&self, file_name: &str) -> Result<(), ProxyError> {
        match std::fs::remove_file(self.dir.join(file_name)) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(self.error(e)),
        }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }
}

fn unix(t: SystemTime) -> i64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn only_well_formed_names_are_accepted() {
        let name = MediaName::parse(&format!("{DIGEST}.640.webp")).unwrap();
        assert_eq!((name.width, name.format), (640, Format::WebP));
        assert_eq!(name.url(), format!("/media/{DIGEST}.640.webp"));
        for bad in [
            "../feedframe.db".to_string(),
            format!("{DIGEST}.640.png"),
            format!("{DIGEST}.0640.jpg"),
            format!("{DIGEST}.640.jpg.exe"),
            format!("{}.640.jpg", DIGEST.to_uppercase()),
            format!("..%2F{DIGEST}.640.jpg"),
            format!("{DIGEST}..jpg"),
            format!(".tmp-{DIGEST}.640.jpg-1-2"),
        ] {
            assert!(MediaName::parse(&bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn writes_are_atomic_and_listed() {
        let dir = tempfile::tempdir().unwrap();
        let media = MediaDir::new(dir.path().join("media"));
        let name = MediaName::parse(&format!("{DIGEST}.320.jpg")).unwrap();
        media.write(&name, b"abc").unwrap();
        media.write(&name, b"abc").unwrap();
        std::fs::write(dir.path().join("media/notes.txt"), "mine").unwrap();
        let files = media.list().unwrap();
        assert_eq!(
            files.len(),
            1,
            "temporary files are renamed, foreign files ignored"
        );
        assert_eq!(files[0].bytes, 3);
        assert!(media.has_url(&name.url()));
    }
}
