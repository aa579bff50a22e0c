//! What has been mirrored, in the same SQLite file as the feeds: for each CDN file (keyed by the
//! hash of its URL path, which survives re-signing) the content address of its files and the
//! feed JSON `Media` that points at them. This is what makes "download once" hold across fetches
//! and restarts, and what garbage collection reads and prunes.

use std::collections::HashMap;

use feedframe_feed::Media;
use rusqlite::{OptionalExtension, params};

use crate::error::ProxyError;
use crate::store::Store;

/// Idempotent, run by [`Store::open`].
pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS mirrored_media (
    source      TEXT PRIMARY KEY,
    digest      TEXT NOT NULL,
    media       TEXT NOT NULL,
    mirrored_at INTEGER NOT NULL,
    seen_at     INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS mirrored_media_by_digest ON mirrored_media(digest);
";

impl Store {
    /// The mirrored `Media` of a source key, if any.
    pub fn mirrored(&self, source: &str) -> Result<Option<Media>, ProxyError> {
        let text: Option<String> = self.read(|c| {
            c.query_row(
                "SELECT media FROM mirrored_media WHERE source = ?1",
                [source],
                |r| r.get(0),
            )
            .optional()
        })?;
        Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
    }

    /// Records a freshly mirrored image.
    pub fn save_mirrored(
        &self,
        source: &str,
        digest: &str,
        media: &Media,
        now: i64,
    ) -> Result<(), ProxyError> {
        let json = serde_json::to_string(media).expect("media serializes");
        self.with(|c| {
            c.execute(
                "INSERT INTO mirrored_media (source, digest, media, mirrored_at, seen_at)
                 VALUES (?1, ?2, ?3, ?4, ?4)
                 ON CONFLICT(source) DO UPDATE SET digest = ?2, media = ?3, mirrored_at = ?4, seen_at = ?4",
                params![source, digest, json, now],
            )
            .map(|_| ())
        })
    }

    /// Stamps `now` as the last time these digests were referenced by a feed.
    pub fn mark_seen(&self, digests: &[String], now: i64) -> Result<(), ProxyError> {
        self.with(|c| {
            let tx = c.transaction()?;
            {
                let mut stmt =
                    tx.prepare("UPDATE mirrored_media SET seen_at = ?2 WHERE digest = ?1")?;
                for d in digests {
                    stmt.execute(params![d, now])?;
                }
            }
            tx.commit()
        })
    }

    /// When each mirrored digest was last referenced.
    pub fn digests_seen(&self) -> Result<HashMap<String, i64>, ProxyError> {
        self.read(|c| {
            let mut stmt =
                c.prepare("SELECT digest, MAX(seen_at) FROM mirrored_media GROUP BY digest")?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect()
        })
    }

    /// Forgets digests whose files are gone, so their sources are downloaded again if needed.
    pub fn forget_digests(&self, digests: &[String]) -> Result<(), ProxyError> {
        self.with(|c| {
            let tx = c.transaction()?;
            {
                let mut stmt = tx.prepare("DELETE FROM mirrored_media WHERE digest = ?1")?;
                for d in digests {
                    stmt.execute([d])?;
                }
            }
            tx.commit()
        })
    }

    /// Every feed's last good snapshot (the JSON bodies).
    pub fn snapshot_bodies(&self) -> Result<Vec<String>, ProxyError> {
        self.read(|c| {
            let mut stmt = c.prepare("SELECT body FROM snapshots")?;
            stmt.query_map([], |r| r.get(0))?.collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn media(url: &str) -> Media {
        Media {
            url: url.into(),
            width: Some(10),
            height: Some(10),
            color: Some("#102030".into()),
            variants: Vec::new(),
            placeholder: None,
        }
    }

    #[test]
    fn a_mirrored_source_is_found_again_and_forgotten_with_its_digest() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("feedframe.db")).unwrap();
        store
            .save_mirrored("src-a", "d1", &media("/media/a"), 100)
            .unwrap();
        store
            .save_mirrored("src-b", "d1", &media("/media/a"), 150)
            .unwrap();
        assert_eq!(store.mirrored("src-a").unwrap().unwrap().url, "/media/a");
        store.mark_seen(&["d1".into()], 500).unwrap();
        assert_eq!(store.digests_seen().unwrap()["d1"], 500);
        store.forget_digests(&["d1".into()]).unwrap();
        assert!(store.mirrored("src-b").unwrap().is_none());
        // Opening again keeps the data (the schema is idempotent).
        drop(store);
        Store::open(&dir.path().join("feedframe.db")).unwrap();
    }
}
