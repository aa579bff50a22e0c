//! What has been mirrored, in the same database as the feeds: for each CDN file (keyed by the
//! hash of its URL path, which survives re-signing) the content address of its files and the
//! feed JSON `Media` (for an image) or `Video` (for a video) that points at them. This is what makes "download once" hold across fetches
//! and restarts, and what garbage collection reads and prunes.

use std::collections::HashMap;

use feedframe_feed::{Media, Video};
use serde::Serialize;

use crate::error::ProxyError;
use crate::store::Store;
use crate::store::sql::args;

impl Store {
    /// The mirrored image of a CDN image.
    pub fn mirrored(&self, source: &str) -> Result<Option<Media>, ProxyError> {
        Ok(self
            .mirrored_json(source)?
            .and_then(|t| serde_json::from_str(&t).ok()))
    }

    /// The mirrored file of a CDN video.
    pub fn mirrored_video(&self, source: &str) -> Result<Option<Video>, ProxyError> {
        Ok(self
            .mirrored_json(source)?
            .and_then(|t| serde_json::from_str(&t).ok()))
    }

    fn mirrored_json(&self, source: &str) -> Result<Option<String>, ProxyError> {
        self.read(|tx| {
            tx.query_opt(
                "SELECT media FROM mirrored_media WHERE source = ?1",
                args![source],
            )?
            .map(|r| r.get(0))
            .transpose()
        })
    }

    /// Files a mirrored image ([`Media`]) or video ([`Video`]) under its source and digest.
    pub fn save_mirrored(
        &self,
        source: &str,
        digest: &str,
        media: &impl Serialize,
        now: i64,
    ) -> Result<(), ProxyError> {
        let json = serde_json::to_string(media).expect("media serializes");
        self.write(|tx| {
            tx.execute(
                "INSERT INTO mirrored_media (source, digest, media, mirrored_at, seen_at)
                 VALUES (?1, ?2, ?3, ?4, ?4)
                 ON CONFLICT(source) DO UPDATE SET digest = ?2, media = ?3, mirrored_at = ?4, seen_at = ?4",
                args![source, digest, json, now],
            )?;
            Ok(())
        })
    }

    pub fn mark_seen(&self, digests: &[String], now: i64) -> Result<(), ProxyError> {
        self.write(|tx| {
            for d in digests {
                tx.execute(
                    "UPDATE mirrored_media SET seen_at = ?2 WHERE digest = ?1",
                    args![d, now],
                )?;
            }
            Ok(())
        })
    }

    pub fn digests_seen(&self) -> Result<HashMap<String, i64>, ProxyError> {
        self.read(|tx| {
            tx.query(
                "SELECT digest, MAX(seen_at) FROM mirrored_media GROUP BY digest",
                &[],
            )?
            .iter()
            .map(|r| Ok((r.get(0)?, r.get(1)?)))
            .collect()
        })
    }

    pub fn forget_digests(&self, digests: &[String]) -> Result<(), ProxyError> {
        self.write(|tx| {
            for d in digests {
                tx.execute("DELETE FROM mirrored_media WHERE digest = ?1", args![d])?;
            }
            Ok(())
        })
    }

    pub fn snapshot_bodies(&self) -> Result<Vec<String>, ProxyError> {
        self.read(|tx| {
            tx.query("SELECT body FROM snapshots", &[])?
                .iter()
                .map(|r| r.get(0))
                .collect()
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
            video: None,
        }
    }

    #[test]
    fn a_mirrored_source_is_found_again_and_forgotten_with_its_digest() {
        crate::store::testing::on_both(|store| {
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
            let video = Video {
                url: "/media/v.mp4".into(),
                mime: "video/mp4".into(),
            };
            store.save_mirrored("src-v", "d2", &video, 600).unwrap();
            assert_eq!(store.mirrored_video("src-v").unwrap(), Some(video));
            assert_eq!(store.digests_seen().unwrap()["d2"], 600);
        });
    }
}
