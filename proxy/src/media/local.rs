//! The default media store: `<data dir>/media/<name>`, written atomically (a temporary file,
//! synced, then renamed) so a crash never leaves half a file under a real name. Blocking, but for
//! ranged reads; the async front ([`crate::media::files::MediaFiles`]) calls it on blocking
//! threads.

use std::io::SeekFrom;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use futures_util::StreamExt;
use tempfile::NamedTempFile;
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio_util::io::ReaderStream;

use crate::error::ProxyError;
use crate::media::files::{ByteStream, MediaFile, MediaName};

/// Bytes read from disk at a time when streaming a file.
const READ_CHUNK: usize = 64 * 1024;

/// Temporary files start with this and are never served.
pub const TEMP_PREFIX: &str = ".tmp-";

/// The media directory.
#[derive(Debug, Clone)]
pub struct MediaDir {
    dir: PathBuf,
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

    /// The path of a well-formed name (so no request can leave the directory).
    pub fn locate(&self, name: &MediaName) -> PathBuf {
        self.dir.join(name.file_name())
    }

    /// Writes a file atomically unless a file of that name (same content) is already there.
    pub fn write(&self, name: &MediaName, bytes: &[u8]) -> Result<(), ProxyError> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let target = self.locate(name);
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

    /// An empty temporary file in the directory (made if need be), for a download; it is
    /// deleted when dropped, and by garbage collection if a crash left it behind.
    pub fn stage(&self) -> Result<NamedTempFile, ProxyError> {
        std::fs::create_dir_all(&self.dir).map_err(|e| self.error(e))?;
        tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempfile_in(&self.dir)
            .map_err(|e| self.error(e))
    }

    /// Moves a staged file (see [`MediaDir::stage`]), synced, into place under `name`, unless a
    /// file of that name (same content) is already there.
    pub fn store_staged(&self, name: &MediaName, staged: NamedTempFile) -> Result<(), ProxyError> {
        let target = self.locate(name);
        if target.is_file() {
            return Ok(());
        }
        staged.as_file().sync_all().map_err(|e| self.error(e))?;
        staged
            .persist(&target)
            .map(|_| ())
            .map_err(|e| self.error(e.error))
    }

    /// The bytes `range` of a file, streamed; `None` when it is not there.
    pub async fn read_range(
        &self,
        name: &MediaName,
        range: Range<u64>,
    ) -> Result<Option<ByteStream>, ProxyError> {
        let mut file = match tokio::fs::File::open(self.locate(name)).await {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.error(e)),
        };
        file.seek(SeekFrom::Start(range.start))
            .await
            .map_err(|e| self.error(e))?;
        let taken = file.take(range.end.saturating_sub(range.start));
        Ok(Some(ReaderStream::with_capacity(taken, READ_CHUNK).boxed()))
    }

    /// A file's size; `None` when it is not there.
    pub fn size(&self, name: &MediaName) -> Result<Option<u64>, ProxyError> {
        match std::fs::metadata(self.locate(name)) {
            Ok(meta) => Ok(meta.is_file().then_some(meta.len())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(self.error(e)),
        }
    }

    /// Our files in the directory, temporary ones included (an absent directory has none).
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
        assert_eq!(media.size(&name).unwrap(), Some(3));
    }

    #[tokio::test]
    async fn a_staged_file_is_stored_whole_and_read_by_range() {
        use futures_util::TryStreamExt;
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let media = MediaDir::new(dir.path().join("media"));
        let name = MediaName::video(DIGEST.into());
        let mut staged = media.stage().unwrap();
        staged.write_all(b"0123456789").unwrap();
        let temp = staged.path().to_path_buf();
        assert!(
            temp.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with(TEMP_PREFIX)
        );
        media.store_staged(&name, staged).unwrap();
        assert!(!temp.exists(), "renamed into place");
        let read = |range| async {
            let stream = media.read_range(&name, range).await.unwrap().unwrap();
            let chunks: Vec<bytes::Bytes> = stream.try_collect().await.unwrap();
            chunks.concat()
        };
        assert_eq!(read(2..5).await, b"234");
        assert_eq!(read(0..10).await, b"0123456789");
        let gone = MediaName::video("f".repeat(32));
        assert!(media.read_range(&gone, 0..1).await.unwrap().is_none());
    }
}
