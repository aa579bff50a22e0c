//! Mirroring images and videos: each CDN file is downloaded once (keyed by its URL path, see
//! `instagram::signed_url`) and stored content-addressed; the feed JSON then points at
//! FeedFrame's copies only. Images are transcoded on a blocking thread; videos are stored as
//! downloaded, streamed to a staged file (never held in memory) and refused past
//! `FEEDFRAME_MEDIA_VIDEO_MAX_BYTES`. Downloads and transcodes run with bounded concurrency, which
//! also bounds peak memory: at most `DOWNLOADS` source images are held at once, and at most one
//! decoded image per core.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use feedframe_feed::{Media, Variant, Video};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::clock;
use crate::config::Config;
use crate::error::ProxyError;
use crate::instagram::signed_url::SignedUrl;
use crate::media::download::Downloader;
use crate::media::files::{Format, MediaFiles, MediaName};
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

/// How long a refused image or video is not downloaded again.
const REFUSAL_MEMORY: std::time::Duration = std::time::Duration::from_secs(86_400);

/// What became of one source image.
pub type Outcome = Result<Media, ProxyError>;
/// What became of one source video.
pub type VideoOutcome = Result<Video, ProxyError>;

/// The image mirror shared by every feed.
pub struct Mirror {
    store: Arc<Store>,
    config: Arc<Config>,
    files: MediaFiles,
    downloader: Downloader,
    downloads: Semaphore,
    transcodes: Semaphore,
    /// Images and videos whose bytes were downloaded and then refused (too many pixels,
    /// undecodable, a video past its limit), by source key, with when: not downloaded again for [`REFUSAL_MEMORY`], so a decompression bomb
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

    /// Mirrors every image URL (duplicates once), returning each outcome by [`key_of`] the URL.
    pub async fn mirror_all(self: &Arc<Self>, urls: &[String]) -> HashMap<String, Outcome> {
        self.each(urls, |mirror, url| async move { mirror.one(url).await })
            .await
    }

    /// Mirrors every video URL (duplicates once), returning each outcome by [`key_of`] the URL.
    pub async fn mirror_videos(self: &Arc<Self>, urls: &[String]) -> HashMap<String, VideoOutcome> {
        self.each(
            urls,
            |mirror, url| async move { mirror.one_video(url).await },
        )
        .await
    }

    /// Runs `one` for every URL at once (duplicates once), each outcome by [`key_of`] the URL.
    async fn each<T, F, Fut>(
        self: &Arc<Self>,
        urls: &[String],
        one: F,
    ) -> HashMap<String, Result<T, ProxyError>>
    where
        T: Send + 'static,
        F: Fn(Arc<Self>, SignedUrl) -> Fut,
        Fut: Future<Output = Result<T, ProxyError>> + Send + 'static,
    {
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
                    let task = one(Arc::clone(self), url);
                    tasks.spawn(async move { (key, task.await) });
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
                Err(e) => tracing::error!("a media task failed: {e}"),
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
        self.download(&url, "image", self.fetch(&url)).await
    }

    /// One video: from the index when already mirrored (named under today's base), else
    /// downloaded.
    async fn one_video(&self, url: SignedUrl) -> VideoOutcome {
        let key = url.key().to_string();
        if let Some(video) = self.store.run(move |s| s.mirrored_video(&key)).await?
            && let Some(name) = MediaName::from_url(&video.url)
            && self.files.has(&name).await
        {
            return Ok(self.video(&name));
        }
        self.download(&url, "video", self.fetch_video(&url)).await
    }

    /// Runs `fetch` (the download of `url`) unless the source was refused lately; logs why it
    /// could not be had.
    async fn download<T>(
        &self,
        url: &SignedUrl,
        what: &str,
        fetch: impl Future<Output = Result<T, ProxyError>>,
    ) -> Result<T, ProxyError> {
        if let Some(reason) = self.remembered_refusal(url.key()) {
            return Err(ProxyError::MediaRefused(reason));
        }
        let outcome = fetch.await;
        if let Err(e) = &outcome {
            tracing::warn!(
                host = url.host(),
                source = url.key(),
                "{what} not mirrored: {e}"
            );
        }
        outcome
    }

    /// The feed's `video` for a stored video file.
    fn video(&self, name: &MediaName) -> Video {
        Video {
            url: self.files.url(name),
            mime: name.format.mime().to_string(),
        }
    }

    /// Remembers that this source's downloaded bytes were refused.
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

    /// Refuses, before any request, a host outside `FEEDFRAME_MEDIA_HOSTS` and a URL past its
    /// expiry.
    fn check_source(&self, url: &SignedUrl) -> Result<(), ProxyError> {
        if !self.config.media_host_allowed(url.host()) {
            return Err(ProxyError::MediaRefused(format!(
                "the host {} is not in FEEDFRAME_MEDIA_HOSTS",
                url.host()
            )));
        }
        if url.expired(clock::now()) {
            return Err(ProxyError::MediaExpired);
        }
        Ok(())
    }

    async fn fetch(&self, url: &SignedUrl) -> Outcome {
        self.check_source(url)?;
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

    /// Downloads a video into a staged file and stores it under its content address. A video
    /// refused after some of it was downloaded (past its limit) is remembered as refused.
    async fn fetch_video(&self, url: &SignedUrl) -> VideoOutcome {
        self.check_source(url)?;
        let _download = self.downloads.acquire().await.expect("never closed");
        let staged = self.files.stage().await?;
        let unwritable =
            |e: std::io::Error| ProxyError::MediaUnavailable(format!("cannot stage a video ({e})"));
        let mut file = tokio::fs::File::from_std(staged.reopen().map_err(unwritable)?);
        let sha256 = match self.downloader.get_video(url, &mut file).await {
            Ok(sha256) => sha256,
            Err(e) => {
                let written = staged.as_file().metadata().map_or(0, |m| m.len());
                if written > 0 {
                    self.remember_refusal(url, &e);
                }
                return Err(e);
            }
        };
        drop(file);
        let name = MediaName::video(sha256[..32].to_string());
        self.files.store_staged(&name, staged).await?;
        let video = self.video(&name);
        let (key, saved, digest) = (url.key().to_string(), video.clone(), name.digest);
        self.store
            .run(move |s| s.save_mirrored(&key, &digest, &saved, clock::now()))
            .await?;
        Ok(video)
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
            width: Some(r.width),
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
        .find(|v| v.mime == Format::Jpeg.mime())
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
