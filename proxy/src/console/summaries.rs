//! What the feeds page shows of each feed's stored snapshot (its post count and the bytes of its
//! mirrored media), worked out once per snapshot: a page view neither parses every snapshot nor
//! asks the media store for sizes again while the snapshot stays the same.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use feedframe_feed::Feed;

use crate::error::ProxyError;
use crate::media::files::{MediaFiles, MediaName, file_urls};
use crate::store::Store;

/// A snapshot, summed up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// When the snapshot was fetched from Instagram; a new fetch makes a new summary.
    pub fetched_at: i64,
    pub posts: usize,
    pub media_bytes: u64,
}

/// A snapshot not summed up yet: what it takes to finish (see [`Summaries::finish`]).
#[derive(Debug)]
pub struct Unsized {
    fetched_at: i64,
    posts: usize,
    files: Vec<MediaName>,
}

/// What [`Summaries::of`] knows of a feed's snapshot.
#[derive(Debug)]
pub enum Summarized {
    /// The feed has no snapshot.
    None,
    Known(Summary),
    /// A new snapshot: its media still has to be sized.
    Unsized(Unsized),
}

/// The summaries, by feed name.
#[derive(Debug, Default)]
pub struct Summaries {
    by_feed: Mutex<HashMap<String, Summary>>,
}

impl Summaries {
    /// The summary of `feed`'s current snapshot if it is known. Blocking (reads the store).
    pub fn of(&self, store: &Store, feed: &str) -> Result<Summarized, ProxyError> {
        let Some(fetched_at) = store.snapshot_fetched_at(feed)? else {
            self.lock().remove(feed);
            return Ok(Summarized::None);
        };
        if let Some(known) = self.lock().get(feed).filter(|s| s.fetched_at == fetched_at) {
            return Ok(Summarized::Known(*known));
        }
        let Some((body, fetched_at)) = store.snapshot(feed)? else {
            return Ok(Summarized::None);
        };
        let parsed = serde_json::from_str::<Feed>(&body).ok();
        Ok(Summarized::Unsized(Unsized {
            fetched_at,
            posts: parsed.as_ref().map_or(0, |f| f.posts.len()),
            files: parsed.as_ref().map(media_names).unwrap_or_default(),
        }))
    }

    /// Sizes a new snapshot's media in the store and remembers the summary. A store that cannot
    /// answer counts no bytes, and the next page view asks again.
    pub async fn finish(&self, feed: &str, new: Unsized, media: &MediaFiles) -> Summary {
        let mut summary = Summary {
            fetched_at: new.fetched_at,
            posts: new.posts,
            media_bytes: 0,
        };
        match media.bytes_of(new.files).await {
            Ok(bytes) => {
                summary.media_bytes = bytes;
                self.lock().insert(feed.to_string(), summary);
            }
            Err(e) => tracing::warn!(feed, "cannot size the feed's mirrored media: {e}"),
        }
        summary
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Summary>> {
        self.by_feed.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Every mirrored file the feed's posts name, each once.
fn media_names(feed: &Feed) -> Vec<MediaName> {
    let mut seen = HashSet::new();
    feed.posts
        .iter()
        .flat_map(|p| &p.media)
        .flat_map(file_urls)
        .filter_map(MediaName::from_url)
        .filter(|n| seen.insert(n.file_name()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::{add_feed, snapshot, store};

    const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    async fn summary(summaries: &Summaries, store: &Store, media: &MediaFiles) -> Option<Summary> {
        match summaries.of(store, "main").unwrap() {
            Summarized::None => None,
            Summarized::Known(s) => Some(s),
            Summarized::Unsized(new) => Some(summaries.finish("main", new, media).await),
        }
    }

    #[tokio::test]
    async fn a_summary_is_reused_until_a_new_snapshot_is_stored() {
        let (dir, store) = store();
        add_feed(&store, "main", None, 0);
        let media = MediaFiles::local(dir.path().join("media"));
        for digest in [A, B] {
            for (name, size) in [(".320.webp", 100), (".640.jpg", 300)] {
                let name = MediaName::parse(&format!("{digest}{name}")).unwrap();
                media.write(&name, vec![0u8; size]).await.unwrap();
            }
        }
        let summaries = Summaries::default();
        assert_eq!(summary(&summaries, &store, &media).await, None);

        store
            .save_snapshot("main", &snapshot("main", &[A]), 10)
            .unwrap();
        let first = summary(&summaries, &store, &media).await.unwrap();
        assert_eq!((first.posts, first.media_bytes), (1, 400));

        // The same snapshot: no file is looked at again (one removed behind its back is not seen).
        media.remove(&format!("{A}.640.jpg")).await.unwrap();
        assert!(matches!(
            summaries.of(&store, "main").unwrap(),
            Summarized::Known(known) if known == first
        ));

        // A new fetch is summed up afresh, each file once.
        store
            .save_snapshot("main", &snapshot("main", &[A, B, A]), 20)
            .unwrap();
        let second = summary(&summaries, &store, &media).await.unwrap();
        assert_eq!(
            (second.fetched_at, second.posts, second.media_bytes),
            (20, 3, 100 + 400)
        );
    }
}
