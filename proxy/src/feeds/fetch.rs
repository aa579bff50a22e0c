//! One upstream refresh of a feed: the media list, then every post's images mirrored. CDN URLs
//! expire (API.md §6): when one is past its `oe` before it was mirrored, or the CDN answers
//! `URL signature expired`, the media list is fetched once more for fresh signatures and those
//! images are tried again. A post whose image still cannot be had is left out; one that failed
//! only for now (CDN 5xx, timeout) keeps its images from the previous snapshot.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use feedframe_feed::{Feed, Media, Post};

use crate::clock;
use crate::error::ProxyError;
use crate::feeds::assemble;
use crate::instagram::client::{Graph, GraphError, RawMedia};
use crate::instagram::secret::Secret;
use crate::media::mirror::{Mirror, Outcome, key_of};

/// A fetched and mirrored feed.
#[derive(Debug)]
pub struct Fetched {
    pub feed: Feed,
    /// Posts Instagram listed with at least one image to show.
    pub listed: usize,
    /// Why images were not mirrored, one line per distinct reason.
    pub problems: Vec<String>,
}

/// What a refresh needs.
pub struct Upstream<'a> {
    pub graph: &'a Graph,
    pub mirror: &'a Arc<Mirror>,
    pub token: &'a Secret,
    pub count: usize,
    /// Media-list fetches, counted for tests and benchmarks.
    pub fetches: &'a AtomicU64,
}

impl Upstream<'_> {
    async fn list(&self) -> Result<Vec<RawMedia>, GraphError> {
        self.fetches.fetch_add(1, Ordering::Relaxed);
        self.graph.media(self.token, self.count).await
    }

    /// Fetches the media list and mirrors its images; `previous` is the last good snapshot.
    pub async fn fetch(
        &self,
        name: &str,
        username: &str,
        previous: Option<&Feed>,
    ) -> Result<Fetched, GraphError> {
        let mut raw = self.list().await?;
        let mut outcomes = self.mirror.mirror_all(&urls(&raw)).await;
        if outcomes.values().any(is_expired) {
            tracing::info!(
                feed = name,
                "image URLs expired before they were mirrored; fetching the media list again"
            );
            match self.list().await {
                Ok(fresh) => {
                    raw = fresh;
                    let retry: Vec<String> = urls(&raw)
                        .into_iter()
                        .filter(|u| outcomes.get(&key_of(u)).is_none_or(is_expired))
                        .collect();
                    outcomes.extend(self.mirror.mirror_all(&retry).await);
                }
                Err(e) => tracing::warn!(feed = name, "fetching fresh image URLs failed: {e}"),
            }
        }
        let listed = raw
            .iter()
            .filter(|m| !assemble::image_sources(m).is_empty())
            .count();
        let previous: HashMap<&str, &Post> = previous
            .map(|f| f.posts.iter().map(|p| (p.id.as_str(), p)).collect())
            .unwrap_or_default();
        let feed = assemble::assemble(name, username, raw, clock::now(), |id, sources| {
            let media = media_for(&outcomes, previous.get(id).copied(), sources);
            // Kept from the previous snapshot, perhaps under another public base than today's.
            let files = self.mirror.files();
            media
                .into_iter()
                .map(|m| files.rebase(&m).unwrap_or(m))
                .collect()
        });
        let mut problems: Vec<String> = outcomes
            .values()
            .filter_map(|o| o.as_ref().err().map(ToString::to_string))
            .collect();
        problems.sort();
        problems.dedup();
        Ok(Fetched {
            feed,
            listed,
            problems,
        })
    }
}

fn is_expired(outcome: &Outcome) -> bool {
    matches!(outcome, Err(ProxyError::MediaExpired))
}

/// Every image URL of a media list.
fn urls(raw: &[RawMedia]) -> Vec<String> {
    raw.iter().flat_map(assemble::image_sources).collect()
}

/// A post's mirrored images. When some failed only for now and the post was in the previous
/// snapshot, its previous images are kept instead of showing fewer.
fn media_for(
    outcomes: &HashMap<String, Outcome>,
    previous: Option<&Post>,
    sources: &[String],
) -> Vec<Media> {
    let mut media = Vec::with_capacity(sources.len());
    let mut transient = false;
    for source in sources {
        match outcomes.get(&key_of(source)) {
            Some(Ok(m)) => media.push(m.clone()),
            Some(Err(ProxyError::MediaExpired | ProxyError::MediaRefused(_))) | None => {}
            Some(Err(_)) => transient = true,
        }
    }
    match previous {
        Some(post) if transient => post.media.clone(),
        _ => media,
    }
}
