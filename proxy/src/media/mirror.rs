//! Mirroring images: each CDN file is downloaded once (keyed by its URL path, see
//! `instagram::signed_url`), transcoded on a blocking thread and stored content-addressed; the feed JSON
//! then points at FeedFrame's copies only. Downloads and transcodes run with bounded
//! concurrency, which also bounds peak memory: at most `DOWNLOADS` source files are held at once,
//! and at most one decoded image per core.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use feedframe_feed::{Media, Variant};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::clock;
use crate::config::Config;
use crate::error::ProxyError;
use crate::instagram::signed_url::SignedUrl;
use crate::media::download::Downloader;
use crate::media::files::{MediaFiles, MediaName};
use crate::media::gate::{FetchPass, MediaGate};
use crate::media::gc;
use crate::media::transcode::{self, Transcoded};
use crate::store::Store;

/// Source files downloading or transcoding at once.
const DOWNLOADS: usize = 4;
/// A collection that took `t` is followed by none for `t` times this: it reads every feed's
/// snapshot and fetches wait meanwhile, so with thousands of feeds saving snapshots all the time,
/// collecting takes at most a tenth of the time instead of all of it.
const COLLECTION_SPACING: u32 = 9;
/// Bumped whenever renditions change (widths, codecs, quality): new names, no stale caches.
const RENDITION_VERSION: &[u8] = b"feedframe-renditions-1";

/// What became of one source image.
/// How long a refused image is not downloaded again.
const REFUSAL_MEMORY: std::time::Duration = std::time::Duration::from_secs(86_400);

pub type Outcome = Result<Media, ProxyError>;

/// The image mirror shared by every feed.
pub struct Mirror {
    store: Arc<Store>,
    config: Arc<Config>,
    files: MediaFiles,
    downloader: Downloader,
    downloads: Semaphore,
    transcodes: Semaphore,
    /// Images whose bytes were downloaded and then refused (too many pixels, undecodable), by
    /// source key, with when: not downloaded again for [`REFUSAL_MEMORY`], so a decompression bomb
    /// costs one download a day rather than one per fetch. Refusals decided from headers (size,
    /// type) cost nothing and are not remembered; neither are HTTP errors, which a freshly signed
    /// URL may cure. In memory: a restart (as after changing the limits) tries again.
    refused: std::sync::Mutex<HashMap<String, (std::time::Instant, String)>>,
    /// Fetches pass it from the first download until their snapshot is saved; garbage collection
    /// runs only while no fetch does, so it never deletes what a fetch is about to reference.
    gate: MediaGate,
    /// A background collection is queued and has not started yet.
    collection_queued: AtomicBool,
    /// Whether a collection runs, and when the next may start (see [`COLLECTION_SPACING`]).
    collections: std::sync::Mutex<(bool, Option<tokio::time::Instant>)>,
}

impl Mirror {
    /// A mirror into `files` (see [`MediaFiles::open`]).
    pub fn new(store: Arc<Store>, config: Arc<Config>, files: MediaFiles) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self {
            files,
            downloader: Downloader::new(Arc::clone(&config)),
            downloads: Semaphore::new(DOWNLOADS),
            transcodes: Semaphore::new(cores.clamp(1, DOWNLOADS)),
            gate: MediaGate::default(),
            collection_queued: AtomicBool::new(false),
            collections: std::sync::Mutex::new((false, None)),
            refused: std::sync::Mutex::new(HashMap::new()),
            store,
            config,
        }
    }

    /// The media store.
    pub fn files(&self) -> &MediaFiles {
        &self.files
    }

    /// Held while a fetch mirrors and saves; see [`MediaGate`].
    pub async fn shared(&self) -> FetchPass<'_> {
        self.gate.fetching().await
    }

    /// Collects garbage in the background, once no fetch is under way and no sooner than
    /// [`COLLECTION_SPACING`] allows; requests made before it starts are served by the same
    /// collection. Nobody waits for it.
    pub fn collect_garbage_soon(self: &Arc<Self>) {
        if self.collection_queued.swap(true, Ordering::AcqRel) {
            return;
        }
        let mirror = Arc::clone(self);
        tokio::spawn(async move {
            loop {
                let now = tokio::time::Instant::now();
                let wait = match *mirror.collections.lock().expect("collections lock") {
                    (true, _) => Some(now + std::time::Duration::from_millis(50)),
                    (false, next) => next.filter(|at| *at > now),
                };
                match wait {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => break,
                }
            }
            mirror.collect_garbage().await
        });
    }

    /// Deletes unreferenced media past its grace period and keeps the disk budget (see `gc`).
    /// Never call it while holding [`Mirror::shared`].
    pub async fn collect_garbage(&self) {
        let _gate = self.gate.collecting().await;
        self.collection_queued.store(false, Ordering::Release);
        let started = tokio::time::Instant::now();
        self.collections.lock().expect("collections lock").0 = true;
        let (store, files) = (Arc::clone(&self.store), self.files.clone());
        let (grace, budget) = (self.config.media_grace, self.config.media_budget);
        let collected = gc::collect(&store, &files, grace, budget, clock::now()).await;
        let next = tokio::time::Instant::now() + started.elapsed() * COLLECTION_SPACING;
        *self.collections.lock().expect("collections lock") = (false, Some(next));
        match collected {
            Ok(report) if report.deleted_files > 0 => tracing::info!(
                files = report.deleted_files,
                freed = report.freed_bytes,
                kept = report.kept_bytes,
                "deleted unreferenced media"
            ),
            Ok(_) => {}
            Err(e) => tracing::error!("media garbage collection failed: {e}"),
        }
    }

    /// Deletes now the files of `digests` that no feed references any more (see `gc::purge`),
    /// once no fetch is under way. Never call it while holding [`Mirror::shared`].
    pub async fn purge(
        &self,
        digests: std::collections::HashSet<String>,
    ) -> Result<gc::Collected, ProxyError> {
        let _gate = self.gate.collecting().await;
        gc::purge(&self.store, &self.files, &digests).await
    }

    /// Mirrors every URL (duplicates once), returning each outcome by [`key_of`] the URL.
    pub async fn mirror_all(self: &Arc<Self>, urls: &[String]) -> HashMap<String, Outcome> {
        let mut out = HashMap::new();
        let mut tasks = JoinSet::new();
        for raw in urls {
            let key = key_of(raw);
            if out.contains_key(&key) {
                continue;
            }
            match SignedUrl::parse(raw) {
                Ok(url) => {
                    out.insert(
                        key.clone(),
                        Err(ProxyError::MediaUnavailable("pending".into())),
                    );
                    let mirror = Arc::clone(self);
                    tasks.spawn(async move { (key, mirror.one(url).await) });
                }
                Err(e) => {
                    out.insert(key, Err(e));
                }
            }
        }
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok((key, outcome)) => {
                    out.insert(key, outcome);
                }
                Err(e) => tracing::error!("an image task failed: {e}"),
            }
        }
        out
    }

    /// One image: from the index when already mirrored (named under today's base), else
    /// downloaded and transcoded.
    async fn one(&self, url: SignedUrl) -> Outcome {
        let key = url.key().to_string();
        if let Some(media) = self.store.run(move |s| s.mirrored(&key)).await?
            && let Some(media) = self.files.rebase(&media)
            && let Some(name) = MediaName::from_url(&media.url)
            && self.files.has(&name).await
        {
            return Ok(media);
        }
        if let Some(reason) = self.remembered_refusal(url.key()) {
            return Err(ProxyError::MediaRefused(reason));
        }
        let outcome = self.fetch(&url).await;
        if let Err(e) = &outcome {
            tracing::warn!(
                host = url.host(),
                source = url.key(),
                "image not mirrored: {e}"
            );
        }
        outcome
    }

    /// Remembers that the transcoder refused this image's bytes.
    fn remember_refusal(&self, url: &SignedUrl, e: &ProxyError) {
        if let ProxyError::MediaRefused(reason) = e {
            let mut refused = self.refused.lock().expect("refusals lock");
            refused.insert(
                url.key().to_string(),
                (std::time::Instant::now(), reason.clone()),
            );
        }
    }

    fn remembered_refusal(&self, key: &str) -> Option<String> {
        let mut refused = self.refused.lock().expect("refusals lock");
        refused.retain(|_, (at, _)| at.elapsed() < REFUSAL_MEMORY);
        refused
            .get(key)
            .map(|(_, reason)| format!("{reason} (refused earlier; retried after a day)"))
    }

    async fn fetch(&self, url: &SignedUrl) -> Outcome {
        if !self.config.media_host_allowed(url.host()) {
            return Err(ProxyError::MediaRefused(format!(
                "the host {} is not in FEEDFRAME_MEDIA_HOSTS",
                url.host()
            )));
        }
        if url.expired(clock::now()) {
            return Err(ProxyError::MediaExpired);
        }
        let _download = self.downloads.acquire().await.expect("never closed");
        let bytes = self.downloader.get(url).await?;
        let cpu = self.transcodes.acquire().await.expect("never closed");
        let max_pixels = self.config.media_max_pixels;
        let transcoded =
            tokio::task::spawn_blocking(move || transcode::transcode(&bytes, max_pixels))
                .await
                .map_err(|e| ProxyError::MediaUnavailable(format!("the transcoder stopped ({e})")))?
                .inspect_err(|e| self.remember_refusal(url, e))?;
        drop(cpu);
        let media = store_renditions(transcoded, &self.files).await?;
        let digest = MediaName::from_url(&media.url).map(|n| n.digest);
        let (key, saved) = (url.key().to_string(), media.clone());
        self.store
            .run(move |s| {
                let digest = digest.as_deref().unwrap_or_default();
                s.save_mirrored(&key, digest, &saved, clock::now())
            })
            .await?;
        Ok(media)
    }
}

/// The key outcomes are filed under: the URL's path key, or the URL itself if it does not parse.
pub fn key_of(raw: &str) -> String {
    SignedUrl::parse(raw).map_or_else(|_| raw.to_string(), |u| u.key().to_string())
}

/// Transcodes and stores every rendition; returns the feed's `Media` for them. Blocks while it
/// transcodes (the mirror runs that part on a blocking thread): for benchmarks.
pub async fn render(bytes: &[u8], max_pixels: u64, files: &MediaFiles) -> Outcome {
    let t = transcode::transcode(bytes, max_pixels)?;
    store_renditions(t, files).await
}

/// Stores every rendition of `t`; returns the feed's `Media` for them, named under the store's
/// base. The feed names them only after all are stored.
async fn store_renditions(t: Transcoded, files: &MediaFiles) -> Outcome {
    let digest = content_digest(&t);
    let mut variants = Vec::with_capacity(t.renditions.len());
    for r in t.renditions {
        let name = MediaName {
            digest: digest.clone(),
            width: r.width,
            format: r.format,
        };
        files.write(&name, r.bytes).await?;
        variants.push(Variant {
            url: files.url(&name),
            width: r.width,
            height: r.height,
            mime: r.format.mime().to_string(),
        });
    }
    // The widest JPEG: the fallback every browser shows.
    let url = variants
        .iter()
        .rev()
        .find(|v| v.mime == transcode::Format::Jpeg.mime())
        .map(|v| v.url.clone())
        .ok_or_else(|| ProxyError::MediaRefused("no rendition was made".into()))?;
    Ok(Media {
        url,
        width: Some(t.width),
        height: Some(t.height),
        color: Some(t.color),
        variants,
        placeholder: Some(t.placeholder),
        video: None,
    })
}

/// The source's digest combined with the rendition settings.
fn content_digest(t: &Transcoded) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(RENDITION_VERSION);
    h.update(t.digest.as_bytes());
    crate::codec::hex(&h.finalize()[..16])
}
