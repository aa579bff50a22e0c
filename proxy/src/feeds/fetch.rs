//! One upstream refresh of a feed: the media list, then every post's images and videos
//! mirrored. CDN URLs expire (API.md §6): when one is past its `oe` before it was mirrored, or the
//! CDN answers `URL signature expired`, the media list is fetched once more for fresh signatures
//! and those files are tried again. A post whose image still cannot be had is left out; a video
//! that cannot be had (too large, refused) leaves its thumbnail without `video`; a post one of
//! whose files failed only for now (CDN 5xx, timeout) keeps its media from the previous snapshot.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use feedframe_feed::{Feed, Media, Post};

use crate::clock;
use crate::error::ProxyError;
use crate::feeds::assemble::{self, Source};
use crate::instagram::client::{Graph, GraphError, RawMedia};
use crate::instagram::secret::Secret;
use crate::media::mirror::{Mirror, Outcome, VideoOutcome, key_of};

/// A fetched and mirrored feed.
#[derive(Debug)]
pub struct Fetched {
    pub feed: Feed,
    /// Posts Instagram listed with at least one image to show.
    pub listed: usize,
    /// Why images or videos were not mirrored, one line per distinct reason.
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

    /// Fetches the media list and mirrors its images and videos; `previous` is the last good
    /// snapshot.
    pub async fn fetch(
        &self,
        name: &str,
        username: &str,
        previous: Option<&Feed>,
    ) -> Result<Fetched, GraphError> {
        let mut raw = self.list().await?;
        let mut outcomes = Outcomes::default();
        self.mirror(&raw, &mut outcomes, |_| true).await;
        if outcomes.any_expired() {
            tracing::info!(
                feed = name,
                "media URLs expired before they were mirrored; fetching the media list again"
            );
            match self.list().await {
                Ok(fresh) => {
                    raw = fresh;
                    let settled = outcomes.settled();
                    self.mirror(&raw, &mut outcomes, |key| !settled.contains(key))
                        .await;
                }
                Err(e) => tracing::warn!(feed = name, "fetching fresh media URLs failed: {e}"),
            }
        }
        let listed = raw
            .iter()
            .filter(|m| !assemble::sources(m).is_empty())
            .count();
        let previous: HashMap<&str, &Post> = previous
            .map(|f| f.posts.iter().map(|p| (p.id.as_str(), p)).collect())
            .unwrap_or_default();
        let feed = assemble::assemble(name, username, raw, clock::now(), |id, sources| {
            let media = outcomes.media_for(previous.get(id).copied(), sources);
            // Kept from the previous snapshot, perhaps under another public base than today's.
            let files = self.mirror.files();
            media
                .into_iter()
                .map(|m| files.rebase(&m).unwrap_or(m))
                .collect()
        });
        let mut problems: Vec<String> = outcomes
            .images
            .values()
            .filter_map(|o| o.as_ref().err().map(ToString::to_string))
            .chain(
                outcomes
                    .videos
                    .values()
                    .filter_map(|o| o.as_ref().err().map(|e| format!("video: {e}"))),
            )
            .collect();
        problems.sort();
        problems.dedup();
        Ok(Fetched {
            feed,
            listed,
            problems,
        })
    }

    /// Mirrors the images and videos of `raw` whose URL keys `wanted` takes, images and videos
    /// at once, into `outcomes`.
    async fn mirror(
        &self,
        raw: &[RawMedia],
        outcomes: &mut Outcomes,
        wanted: impl Fn(&str) -> bool,
    ) {
        let sources: Vec<Source> = raw.iter().flat_map(assemble::sources).collect();
        let pick = |urls: Vec<&String>| -> Vec<String> {
            urls.into_iter()
                .filter(|u| wanted(&key_of(u)))
                .cloned()
                .collect()
        };
        let images = pick(sources.iter().map(|s| &s.image).collect());
        let videos = pick(sources.iter().filter_map(|s| s.video.as_ref()).collect());
        let (images, videos) = tokio::join!(
            self.mirror.mirror_all(&images),
            self.mirror.mirror_videos(&videos)
        );
        outcomes.images.extend(images);
        outcomes.videos.extend(videos);
    }
}

/// What became of every image and video of a media list, by [`key_of`] their URLs.
#[derive(Default)]
struct Outcomes {
    images: HashMap<String, Outcome>,
    videos: HashMap<String, VideoOutcome>,
}

impl Outcomes {
    fn any_expired(&self) -> bool {
        self.images.values().any(is_expired) || self.videos.values().any(is_expired)
    }

    /// The URL keys not to mirror again with fresh signatures: all but those that expired (and
    /// those new in the fresh list).
    fn settled(&self) -> HashSet<String> {
        self.images
            .iter()
            .filter(|(_, o)| !is_expired(o))
            .map(|(k, _)| k.clone())
            .chain(
                self.videos
                    .iter()
                    .filter(|(_, o)| !is_expired(o))
                    .map(|(k, _)| k.clone()),
            )
            .collect()
    }

    /// A post's mirrored images, each with its video when it has one that was mirrored. When
    /// some file failed only for now and the post was in the previous snapshot, its previous
    /// media is kept instead of showing less.
    fn media_for(&self, previous: Option<&Post>, sources: &[Source]) -> Vec<Media> {
        let mut media = Vec::with_capacity(sources.len());
        let mut transient = false;
        for source in sources {
            let image = match self.images.get(&key_of(&source.image)) {
                Some(Ok(m)) => m,
                Some(Err(e)) => {
                    transient |= is_transient(e);
                    continue;
                }
                None => continue,
            };
            let mut item = image.clone();
            item.video = match source.video.as_ref().map(|v| self.videos.get(&key_of(v))) {
                Some(Some(Ok(video))) => Some(video.clone()),
                Some(Some(Err(e))) => {
                    transient |= is_transient(e);
                    None
                }
                Some(None) | None => None,
            };
            media.push(item);
        }
        match previous {
            Some(post) if transient => post.media.clone(),
            _ => media,
        }
    }
}

/// A failure that a later fetch may not meet (CDN 5xx, timeout, a broken store), as opposed to an
/// expired URL or a refused file.
fn is_transient(e: &ProxyError) -> bool {
    !matches!(e, ProxyError::MediaExpired | ProxyError::MediaRefused(_))
}

fn is_expired<T>(outcome: &Result<T, ProxyError>) -> bool {
    matches!(outcome, Err(ProxyError::MediaExpired))
}

#[cfg(test)]
mod tests {
    use super::*;
    use feedframe_feed::Video;

    const IMAGE: &str = "https://scontent.cdninstagram.com/v/t51.71878-15/1_n.jpg?oe=7FFFFFFF";
    const VIDEO: &str = "https://scontent.cdninstagram.com/o1/v/t16/f2/m86/1.mp4?oe=7FFFFFFF";

    fn thumbnail(url: &str) -> Media {
        assemble::as_is(
            "1",
            &[Source {
                image: url.into(),
                video: None,
            }],
        )
        .remove(0)
    }

    fn outcomes(video: VideoOutcome) -> Outcomes {
        let mut o = Outcomes::default();
        o.images
            .insert(key_of(IMAGE), Ok(thumbnail("/media/new.jpg")));
        o.videos.insert(key_of(VIDEO), video);
        o
    }

    #[test]
    fn a_video_that_cannot_be_had_never_costs_its_post() {
        let source = [Source {
            image: IMAGE.into(),
            video: Some(VIDEO.into()),
        }];
        let mirrored = Video {
            url: "/media/v.mp4".into(),
            mime: "video/mp4".into(),
        };
        let got = outcomes(Ok(mirrored.clone())).media_for(None, &source);
        assert_eq!(got[0].video, Some(mirrored.clone()));

        // Over the limit: the thumbnail without `video`.
        let refused = outcomes(Err(ProxyError::MediaRefused("too large".into())));
        let got = refused.media_for(None, &source);
        assert_eq!(
            (got[0].url.as_str(), &got[0].video),
            ("/media/new.jpg", &None)
        );

        // For now only (CDN 5xx): the previous snapshot's media, video included; without one,
        // the thumbnail.
        let flaky = outcomes(Err(ProxyError::MediaUnavailable("HTTP 502".into())));
        let mut before = thumbnail("/media/old.jpg");
        before.video = Some(mirrored);
        let previous = Post {
            id: "1".into(),
            kind: feedframe_feed::PostKind::Video,
            permalink: "https://www.instagram.com/reel/x/".into(),
            caption: None,
            timestamp: "2026-09-14T17:22:08Z".into(),
            media: vec![before.clone()],
        };
        assert_eq!(flaky.media_for(Some(&previous), &source), [before]);
        let got = flaky.media_for(None, &source);
        assert_eq!(
            (got[0].url.as_str(), &got[0].video),
            ("/media/new.jpg", &None)
        );
    }
}
