//! What the feeds page shows of each feed's stored snapshot (its post count and the bytes of its
//! mirrored media), worked out once per snapshot: a page view neither parses every snapshot nor
//! reads the size of every media file again while the snapshot stays the same.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use feedframe_feed::Feed;

use crate::error::ProxyError;
use crate::media::files::{MediaDir, MediaName};
use crate::store::Store;

/// A snapshot, summed up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// When the snapshot was fetched from Instagram; a new fetch makes a new summary.
    pub fetched_at: i64,
    pub posts: usize,
    pub media_bytes: u64,
}

/// The summaries, by feed name.
#[derive(Debug, Default)]
pub struct Summaries {
    by_feed: Mutex<HashMap<String, Summary>>,
}

impl Summaries {
    /// The summary of `feed`'s current snapshot, if it has one.
    pub fn of(
        &self,
        store: &Store,
        media: &MediaDir,
        feed: &str,
    ) -> Result<Option<Summary>, ProxyError> {
        let Some(fetched_at) = store.snapshot_fetched_at(feed)? else {
            self.lock().remove(feed);
            return Ok(None);
        };
        if let Some(known) = self.lock().get(feed).filter(|s| s.fetched_at == fetched_at) {
            return Ok(Some(*known));
        }
        let Some((body, fetched_at)) = store.snapshot(feed)? else {
            return Ok(None);
        };
        let parsed = serde_json::from_str::<Feed>(&body).ok();
        let summary = Summary {
            fetched_at,
            posts: parsed.as_ref().map_or(0, |f| f.posts.len()),
            media_bytes: parsed.as_ref().map_or(0, |f| media_bytes(f, media)),
        };
        self.lock().insert(feed.to_string(), summary);
        Ok(Some(summary))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Summary>> {
        self.by_feed.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Bytes on disk of every mirrored file the feed's posts name (each file once).
fn media_bytes(feed: &Feed, media: &MediaDir) -> u64 {
    let files: HashSet<String> = feed
        .posts
        .iter()
        .flat_map(|p| &p.media)
        .flat_map(|m| {
            m.variants
                .iter()
                .map(|v| v.url.as_str())
                .chain([m.url.as_str()])
        })
        .filter_map(MediaName::from_url)
        .map(|n| n.file_name())
        .collect();
    files
        .iter()
        .filter_map(|f| media.locate(f))
        .filter_map(|(path, _)| std::fs::metadata(path).ok())
        .map(|m| m.len())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::{add_feed, snapshot, store};

    const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    #[test]
    fn a_summary_is_reused_until_a_new_snapshot_is_stored() {
        let (dir, store) = store();
        add_feed(&store, "main", None, 0);
        let media = MediaDir::new(dir.path().join("media"));
        for digest in [A, B] {
            for (name, size) in [(".320.webp", 100), (".640.jpg", 300)] {
                let name = MediaName::parse(&format!("{digest}{name}")).unwrap();
                media.write(&name, &vec![0u8; size]).unwrap();
            }
        }
        let summaries = Summaries::default();
        assert_eq!(summaries.of(&store, &media, "main").unwrap(), None);

        store
            .save_snapshot("main", &snapshot("main", &[A]), 10)
            .unwrap();
        let first = summaries.of(&store, &media, "main").unwrap().unwrap();
        assert_eq!((first.posts, first.media_bytes), (1, 400));

        // The same snapshot: no file is looked at again (one removed behind its back is not seen).
        let (path, _) = media.locate(&format!("{A}.640.jpg")).unwrap();
        std::fs::remove_file(path).unwrap();
        assert_eq!(summaries.of(&store, &media, "main").unwrap(), Some(first));

        // A new fetch is summed up afresh, each file once.
        store
            .save_snapshot("main", &snapshot("main", &[A, B, A]), 20)
            .unwrap();
        let second = summaries.of(&store, &media, "main").unwrap().unwrap();
        assert_eq!(
            (second.fetched_at, second.posts, second.media_bytes),
            (20, 3, 100 + 400)
        );
    }
}
