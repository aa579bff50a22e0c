//! The feed cache: per-feed TTL, stale-while-revalidate, single-flight upstream fetches, and the
//! last good snapshot served with a status that says why when Instagram fails. Fresh requests
//! are answered from memory; snapshots live in SQLite so they survive restarts.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use feedframe_feed::{Feed, FeedStatus};

use crate::assemble;
use crate::clock;
use crate::config::Config;
use crate::error::ProxyError;
use crate::fetch::Upstream;
use crate::graph::{Graph, GraphError, TokenVerdict};
use crate::mirror::Mirror;
use crate::store::{FeedSettings, Store, TokenState};

/// How long to leave Instagram alone after a transient failure (capped by the TTL).
const FAILURE_PAUSE: Duration = Duration::from_secs(60);
/// How often a feed whose token is dead looks for a new token in the store.
const DEAD_TOKEN_RECHECK: i64 = 10;

/// A feed body ready to send.
#[derive(Debug)]
pub struct Served {
    pub body: Vec<u8>,
    /// A strong ETag, quoted.
    pub etag: String,
    pub status: FeedStatus,
    /// Until when (Unix time) the body is live; browsers may reuse it until then.
    pub fresh_until: i64,
    /// Empty means any origin.
    pub allowed_origins: Vec<String>,
}

/// All feeds of this process.
pub struct Feeds {
    store: Arc<Store>,
    graph: Arc<Graph>,
    mirror: Arc<Mirror>,
    config: Arc<Config>,
    entries: Mutex<HashMap<String, Arc<Entry>>>,
    /// Upstream media-list fetches started by this process (for tests and benchmarks).
    fetches: AtomicU64,
}

struct Entry {
    name: String,
    state: RwLock<EntryState>,
    /// Held while revalidating: at most one upstream fetch per feed at a time.
    flight: tokio::sync::Mutex<()>,
    /// Set while a background revalidation is queued or running.
    refreshing: AtomicBool,
    /// Bumped after every revalidation, so waiters know one happened while they waited.
    generation: AtomicU64,
}

#[derive(Default)]
struct EntryState {
    settings: FeedSettings,
    snapshot: Option<Feed>,
    fetched_at: i64,
    token_state: Option<TokenState>,
    last_error: Option<GraphError>,
    /// No upstream call before this Unix time.
    quiet_until: i64,
    /// No store re-check before this Unix time (dead tokens).
    recheck_at: i64,
    removed: bool,
    served: Option<Arc<Served>>,
}

impl Feeds {
    pub fn new(
        store: Arc<Store>,
        graph: Arc<Graph>,
        mirror: Arc<Mirror>,
        config: Arc<Config>,
    ) -> Self {
        Self {
            store,
            graph,
            mirror,
            config,
            entries: Mutex::new(HashMap::new()),
            fetches: AtomicU64::new(0),
        }
    }

    /// How many feeds need the owner: a dead token, or one that expires within a week. Read from
    /// the store, so tokens added or fixed by another `feedframe` process count at once.
    pub fn feeds_needing_attention(&self) -> Result<usize, ProxyError> {
        let now = clock::now();
        Ok(self
            .store
            .tokens()?
            .iter()
            .filter(|t| {
                t.state != TokenState::Active || t.expires_at.is_some_and(|e| e - now < 7 * 86_400)
            })
            .count())
    }

    /// How many media-list fetches this process has sent upstream.
    pub fn upstream_fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    /// The feed as it should be served now. Fresh feeds come from memory; a stale one is served
    /// as is while one background fetch renews it; a feed with no snapshot waits for its fetch.
    pub async fn get(self: &Arc<Self>, name: &str) -> Result<Arc<Served>, ProxyError> {
        let entry = self.entry(name)?;
        let now = clock::now();
        let (has_snapshot, due) = {
            let s = entry.state.read().expect("entry lock");
            if s.removed {
                return Err(ProxyError::FeedNotFound(name.to_string()));
            }
            (s.snapshot.is_some(), self.due(&s, now))
        };
        if due {
            if has_snapshot {
                if !entry.refreshing.swap(true, Ordering::AcqRel) {
                    let (feeds, entry) = (Arc::clone(self), Arc::clone(&entry));
                    tokio::spawn(async move {
                        let _flight = entry.flight.lock().await;
                        feeds.revalidate(&entry).await;
                        entry.refreshing.store(false, Ordering::Release);
                    });
                }
            } else {
                let seen = entry.generation.load(Ordering::Acquire);
                let _flight = entry.flight.lock().await;
                if entry.generation.load(Ordering::Acquire) == seen {
                    self.revalidate(&entry).await;
                }
            }
        }
        let mut s = entry.state.write().expect("entry lock");
        if s.removed {
            return Err(ProxyError::FeedNotFound(name.to_string()));
        }
        Ok(self.served(&entry.name, &mut s, clock::now()))
    }

    /// Forgets what is cached in memory about a feed (after `token add`/`remove` in-process).
    pub fn forget(&self, name: &str) {
        self.entries.lock().expect("entries lock").remove(name);
    }

    fn entry(&self, name: &str) -> Result<Arc<Entry>, ProxyError> {
        if let Some(e) = self.entries.lock().expect("entries lock").get(name) {
            return Ok(Arc::clone(e));
        }
        // Not cached yet: load the feed's settings and last good snapshot from the store.
        let settings = self
            .store
            .feed_settings(name)?
            .ok_or_else(|| ProxyError::FeedNotFound(name.to_string()))?;
        let token_state = self.store.token(name)?.map(|t| t.state);
        let (snapshot, fetched_at) = match self.store.snapshot(name)? {
            Some((body, at)) => match serde_json::from_str::<Feed>(&body) {
                Ok(feed) => (Some(feed), at),
                Err(e) => {
                    tracing::error!(feed = name, "the stored snapshot is unreadable: {e}");
                    (None, 0)
                }
            },
            None => (None, 0),
        };
        let entry = Arc::new(Entry {
            name: name.to_string(),
            state: RwLock::new(EntryState {
                settings,
                snapshot,
                fetched_at,
                token_state,
                ..EntryState::default()
            }),
            flight: tokio::sync::Mutex::new(()),
            refreshing: AtomicBool::new(false),
            generation: AtomicU64::new(0),
        });
        let mut entries = self.entries.lock().expect("entries lock");
        Ok(Arc::clone(entries.entry(name.to_string()).or_insert(entry)))
    }

    /// Whether the feed should be revalidated now.
    fn due(&self, s: &EntryState, now: i64) -> bool {
        match s.token_state {
            Some(TokenState::Expired | TokenState::Revoked) | None => now >= s.recheck_at,
            Some(TokenState::Active) => {
                let stale = s.snapshot.is_none() || now - s.fetched_at >= self.ttl_secs();
                stale && now >= s.quiet_until
            }
        }
    }

    /// The configured TTL in seconds.
    pub fn ttl_secs(&self) -> i64 {
        self.config.feed_ttl.as_secs() as i64
    }

    /// Re-reads the token from the store and, if it is usable, fetches the feed once.
    async fn revalidate(&self, entry: &Entry) {
        let name = entry.name.as_str();
        let now = clock::now();
        let loaded = self
            .store
            .token(name)
            .and_then(|t| Ok((t, self.store.feed_settings(name)?)));
        let token = match loaded {
            Ok((Some(token), Some(settings))) => {
                let mut s = entry.state.write().expect("entry lock");
                s.settings = settings;
                if s.token_state != Some(token.state) {
                    s.served = None;
                    if token.state == TokenState::Active {
                        // A new token: forget the old one's troubles.
                        s.last_error = None;
                        s.quiet_until = 0;
                    }
                }
                s.token_state = Some(token.state);
                if token.state != TokenState::Active {
                    s.recheck_at = now + DEAD_TOKEN_RECHECK;
                    drop(s);
                    entry.generation.fetch_add(1, Ordering::AcqRel);
                    return;
                }
                token
            }
            Ok(_) => {
                let mut s = entry.state.write().expect("entry lock");
                s.removed = true;
                drop(s);
                self.forget(name);
                entry.generation.fetch_add(1, Ordering::AcqRel);
                return;
            }
            Err(e) => {
                tracing::error!(feed = name, "cannot read the feed's token: {e}");
                entry.generation.fetch_add(1, Ordering::AcqRel);
                return;
            }
        };

        let previous = entry.state.read().expect("entry lock").snapshot.clone();
        let upstream = Upstream {
            graph: &self.graph,
            mirror: &self.mirror,
            token: &token.token,
            count: self.config.post_count,
            fetches: &self.fetches,
        };
        // Garbage collection waits while images are mirrored and the snapshot is saved.
        let gate = self.mirror.shared().await;
        let result = match upstream
            .fetch(name, &token.username, previous.as_ref())
            .await
        {
            // Instagram has posts but not one image could be had: keep the last good posts.
            Ok(f) if f.feed.posts.is_empty() && f.listed > 0 => {
                Err(GraphError::Transient(format!(
                    "no post image could be mirrored ({})",
                    f.problems.join("; ")
                )))
            }
            Ok(f) => {
                if !f.problems.is_empty() {
                    tracing::warn!(
                        feed = name,
                        left_out = f.listed.saturating_sub(f.feed.posts.len()),
                        "some images were not mirrored: {}",
                        f.problems.join("; ")
                    );
                }
                Ok(f.feed)
            }
            Err(e) => Err(e),
        };
        let now = clock::now();
        match result {
            Ok(feed) => {
                let json = serde_json::to_string(&feed).expect("a feed serializes");
                let saved = self.store.save_snapshot(name, &json, now);
                if let Err(e) = &saved {
                    // Still serve it from memory; the previous snapshot stays on disk.
                    tracing::error!(feed = name, "cannot store the new snapshot: {e}");
                }
                tracing::info!(
                    feed = name,
                    posts = feed.posts.len(),
                    "feed fetched from Instagram"
                );
                {
                    let mut s = entry.state.write().expect("entry lock");
                    s.snapshot = Some(feed);
                    s.fetched_at = now;
                    s.last_error = None;
                    s.quiet_until = 0;
                    s.served = None;
                }
                drop(gate);
                if saved.is_ok() {
                    self.mirror.collect_garbage().await;
                }
            }
            Err(e) => {
                let verdict = e.token_verdict().map(|v| match v {
                    TokenVerdict::Expired => TokenState::Expired,
                    TokenVerdict::Revoked => TokenState::Revoked,
                });
                let message = e.to_string();
                tracing::warn!(
                    feed = name,
                    kind = e.kind(),
                    "fetching the feed failed: {message}"
                );
                let stored = match verdict {
                    Some(state) => {
                        self.store
                            .record_token_failure(name, Some(state), e.kind(), &message, now)
                    }
                    None => self.store.event(name, e.kind(), &message, now),
                };
                if let Err(se) = stored {
                    tracing::error!(feed = name, "cannot record the failure: {se}");
                }
                let pause = match &e {
                    GraphError::RateLimited { retry_after, .. } => retry_after.as_secs() as i64,
                    _ => FAILURE_PAUSE.as_secs().min(self.config.feed_ttl.as_secs()) as i64,
                };
                let mut s = entry.state.write().expect("entry lock");
                if let Some(state) = verdict {
                    s.token_state = Some(state);
                    s.recheck_at = now + DEAD_TOKEN_RECHECK;
                }
                s.quiet_until = now + pause;
                s.last_error = Some(e);
                s.served = None;
            }
        }
        entry.generation.fetch_add(1, Ordering::AcqRel);
    }

    fn status(&self, s: &EntryState, now: i64) -> FeedStatus {
        match s.token_state {
            Some(TokenState::Expired) => return FeedStatus::TokenExpired,
            Some(TokenState::Revoked) => return FeedStatus::TokenRevoked,
            _ => {}
        }
        if let Some(e) = &s.last_error {
            return e.feed_status();
        }
        match s.snapshot {
            Some(_) if now - s.fetched_at < self.ttl_secs() => FeedStatus::Live,
            Some(_) => FeedStatus::Stale,
            None => FeedStatus::Unavailable,
        }
    }

    /// The body for the current status, serialized once per change.
    fn served(&self, name: &str, s: &mut EntryState, now: i64) -> Arc<Served> {
        let status = self.status(s, now);
        if let Some(served) = s.served.as_ref().filter(|v| v.status == status) {
            return Arc::clone(served);
        }
        let mut feed = match &s.snapshot {
            Some(feed) => feed.clone(),
            None => assemble::empty(name, &s.settings.username, status),
        };
        feed.status = status;
        let body = serde_json::to_vec(&feed).expect("a feed serializes");
        let served = Arc::new(Served {
            etag: format!("\"{:016x}\"", fnv1a(&body)),
            body,
            status,
            fresh_until: if status == FeedStatus::Live {
                s.fetched_at + self.ttl_secs()
            } else {
                0
            },
            allowed_origins: s.settings.allowed_origins.clone(),
        });
        s.served = Some(Arc::clone(&served));
        served
    }
}

/// FNV-1a, 64 bit: a cheap, stable content hash for ETags.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
