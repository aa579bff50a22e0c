//! The feed cache: per-feed TTL, stale-while-revalidate, single-flight upstream fetches, and the
//! last good snapshot served with a status that says why when Instagram fails. Fresh requests
//! are answered from memory; snapshots live in the store so they survive restarts.
//!
//! Every revalidation runs as a background task ([`Flight`]); a visitor of a feed with nothing to
//! show yet waits until the new posts are stored, not for garbage collection, nor for any other
//! feed. The store is only ever called on blocking threads ([`Store::run`]).
//!
//! Instances sharing one database fetch each feed once per TTL between them: a fetch is done under
//! the feed's lease (`store::leases`), after looking for a snapshot another instance stored
//! meanwhile, and a rate-limit pause is stored for all. Each instance adopts the snapshots the
//! others store within [`FOLLOW_EVERY`] ([`Feeds::follow_store`]).
//!
//! Moderation is applied here, where the served body is made ([`Feeds::served`]), so the feed
//! JSON and every first view made from it leave out the same posts. A change the owner makes on
//! this instance is read before the console answers ([`Feeds::reload_moderation`]); one made on
//! another instance is noticed by its version within [`FOLLOW_EVERY`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use feedframe_feed::{Feed, FeedStatus};

use crate::clock;
use crate::codec::fnv1a;
use crate::config::Config;
use crate::error::ProxyError;
use crate::feeds::assemble;
use crate::feeds::catalog::{self, Catalog};
use crate::feeds::fetch::Upstream;
use crate::feeds::flight::Flight;
use crate::feeds::spread;
use crate::instagram::client::{Graph, GraphError, TokenVerdict};
use crate::media::mirror::Mirror;
use crate::moderation::Moderation;
use crate::store::{FeedSettings, Store, TokenRecord, TokenState};

/// How long to leave Instagram alone after a transient failure (capped by the TTL).
const FAILURE_PAUSE: Duration = Duration::from_secs(60);
/// The first pause after Instagram refuses a fetch for lack of permission; it doubles with each
/// refusal in a row, up to [`REFUSED_MAX_PAUSE`]. Retrying will not help until the owner acts.
const REFUSED_FIRST_PAUSE: Duration = Duration::from_secs(10 * 60);
const REFUSED_MAX_PAUSE: Duration = Duration::from_secs(6 * 3_600);
/// How often a feed whose token is dead looks for a new token in the store.
const DEAD_TOKEN_RECHECK: i64 = 10;
/// How often the snapshots other instances stored are looked for.
pub const FOLLOW_EVERY: Duration = Duration::from_secs(1);
/// How often an instance waiting for another's fetch looks for its snapshot.
const WAIT_POLL: Duration = Duration::from_millis(200);

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

/// A feed's current fetching trouble (see [`Feeds::trouble`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trouble {
    /// [`GraphError::kind`] of the latest failure.
    pub kind: &'static str,
    /// The latest failure in plain words.
    pub message: String,
    /// When the failures began.
    pub since: i64,
    /// No call to Instagram before this Unix time.
    pub quiet_until: i64,
}

/// All feeds of this process.
pub struct Feeds {
    store: Arc<Store>,
    graph: Arc<Graph>,
    mirror: Arc<Mirror>,
    config: Arc<Config>,
    catalog: Catalog,
    entries: Mutex<HashMap<String, Arc<Entry>>>,
    /// Upstream media-list fetches started by this process (for tests and benchmarks).
    fetches: AtomicU64,
}

struct Entry {
    name: String,
    state: RwLock<EntryState>,
    /// At most one revalidation (upstream fetch) per feed at a time.
    flight: Flight,
}

impl AsRef<Flight> for Entry {
    fn as_ref(&self) -> &Flight {
        &self.flight
    }
}

impl Entry {
    // A panic elsewhere never leaves the entry unusable: the state is plain data, valid after any
    // completed assignment.
    fn read(&self) -> RwLockReadGuard<'_, EntryState> {
        self.state.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, EntryState> {
        self.state.write().unwrap_or_else(|p| p.into_inner())
    }
}

#[derive(Default)]
struct EntryState {
    settings: FeedSettings,
    snapshot: Option<Feed>,
    fetched_at: i64,
    token_state: Option<TokenState>,
    last_error: Option<GraphError>,
    /// Permission refusals in a row (see [`REFUSED_FIRST_PAUSE`]).
    refusals: u32,
    /// When the fetches began failing (the first failure since the last success).
    failing_since: Option<i64>,
    /// No upstream call before this Unix time.
    quiet_until: i64,
    /// No store re-check before this Unix time (dead tokens).
    recheck_at: i64,
    removed: bool,
    served: Option<Arc<Served>>,
    /// When this process first looked at the feed, and last served it (Unix time).
    seen_at: i64,
    requested_at: i64,
    /// Since when every fetch has been rate limited (cleared by any other outcome).
    rate_limited_since: Option<i64>,
    /// Which posts visitors may see.
    moderation: Moderation,
}

impl EntryState {
    /// A good snapshot fetched at `fetched_at` (by this process or another): the troubles of the
    /// fetches before it are over.
    fn renewed(&mut self, feed: Feed, fetched_at: i64) {
        self.snapshot = Some(feed);
        self.fetched_at = fetched_at;
        self.last_error = None;
        self.refusals = 0;
        self.failing_since = None;
        self.quiet_until = 0;
        self.rate_limited_since = None;
        self.served = None;
    }
}

/// What this process has seen of a feed since it was first requested: the inputs of the alerts
/// that depend on memory (see `alerts::condition`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedHealth {
    /// The last successful fetch (Unix time), if any.
    pub fetched_at: Option<i64>,
    /// When this process first looked at the feed.
    pub seen_at: i64,
    /// The last request for the feed.
    pub requested_at: i64,
    /// Since when Instagram has rate limited every fetch, if it does.
    pub rate_limited_since: Option<i64>,
    /// The last failed fetch's reason, in words (no secrets: classified errors only).
    pub last_error: Option<String>,
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
            catalog: Catalog::default(),
            entries: Mutex::new(HashMap::new()),
            fetches: AtomicU64::new(0),
        }
    }

    /// How many feeds need the owner: a dead token, one that expires within a week, or fetches
    /// Instagram refuses. From memory; tokens added or fixed by another `feedframe` process count
    /// within [`catalog::RELOAD_EVERY`].
    pub fn feeds_needing_attention(&self) -> usize {
        self.catalog.needing_attention(clock::now())
    }

    /// Whether `name` is a feed (from memory, see [`Catalog`]).
    pub fn knows(&self, name: &str) -> bool {
        self.catalog.knows(name)
    }

    /// Reads the feed names and token states from the store again (see [`Catalog`]).
    pub async fn reload_catalog(&self) -> Result<(), ProxyError> {
        self.catalog.reload(&self.store).await
    }

    /// Reloads the catalog every [`catalog::RELOAD_EVERY`], forever.
    pub async fn keep_catalog(&self) {
        loop {
            tokio::time::sleep(catalog::RELOAD_EVERY).await;
            if let Err(e) = self.reload_catalog().await {
                tracing::error!("cannot read the feeds from the store: {e}");
            }
        }
    }

    /// Adopts, every [`FOLLOW_EVERY`], the snapshots and the moderation other instances stored
    /// for the feeds in memory; forever.
    pub async fn follow_store(&self) {
        loop {
            tokio::time::sleep(FOLLOW_EVERY).await;
            let looked = self
                .store
                .run(|s| Ok((s.snapshot_times()?, s.moderation_versions()?)))
                .await;
            let (times, versions) = match looked {
                Ok(found) => found,
                // Served from memory meanwhile; the database may be back at the next look.
                Err(e) => {
                    tracing::warn!("cannot look for new snapshots: {e}");
                    continue;
                }
            };
            for (name, fetched_at) in times {
                if let Some(entry) = self
                    .cached(&name)
                    .filter(|e| e.read().fetched_at < fetched_at)
                {
                    self.adopt_stored(&entry).await;
                }
            }
            for (name, version) in versions {
                if let Some(entry) = self
                    .cached(&name)
                    .filter(|e| e.read().moderation.version < version)
                {
                    // Logged; the next look tries again.
                    let _ = self.adopt_moderation(&entry).await;
                }
            }
        }
    }

    /// Reads `name`'s moderation from the store again, if the feed is in memory, so that the
    /// next request is served by it (a feed not in memory reads it when first requested).
    pub async fn reload_moderation(&self, name: &str) -> Result<(), ProxyError> {
        match self.cached(name) {
            Some(entry) => self.adopt_moderation(&entry).await,
            None => Ok(()),
        }
    }

    /// Takes the feed's stored moderation if it is newer than the one in memory.
    async fn adopt_moderation(&self, entry: &Entry) -> Result<(), ProxyError> {
        let key = entry.name.clone();
        let moderation = self
            .store
            .run(move |s| s.moderation(&key))
            .await
            .inspect_err(
                |e| tracing::warn!(feed = %entry.name, "cannot read the moderation: {e}"),
            )?;
        let mut s = entry.write();
        // A slower read of an older version never undoes a newer one.
        if moderation.version > s.moderation.version {
            s.moderation = moderation;
            s.served = None;
        }
        Ok(())
    }

    /// The feed's entry, if it is in memory.
    fn cached(&self, name: &str) -> Option<Arc<Entry>> {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(name)
            .cloned()
    }

    /// What this process has seen of each feed requested since it started, by feed name.
    pub fn health(&self) -> HashMap<String, FeedHealth> {
        let entries: Vec<Arc<Entry>> = self
            .entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect();
        entries
            .iter()
            .map(|e| {
                let s = e.read();
                let health = FeedHealth {
                    fetched_at: (s.fetched_at > 0).then_some(s.fetched_at),
                    seen_at: s.seen_at,
                    requested_at: s.requested_at,
                    rate_limited_since: s.rate_limited_since,
                    last_error: s.last_error.as_ref().map(ToString::to_string),
                };
                (e.name.clone(), health)
            })
            .collect()
    }

    /// How many media-list fetches this process has sent upstream.
    pub fn upstream_fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    /// The feed as it should be served now. Fresh feeds come from memory; a stale one is served
    /// as is while one background fetch renews it; a feed with no snapshot waits for its fetch.
    pub async fn get(self: &Arc<Self>, name: &str) -> Result<Arc<Served>, ProxyError> {
        if !self.catalog.knows(name) {
            // Unknown, or removed by another process: answered from memory.
            self.forget(name);
            return Err(ProxyError::FeedNotFound(name.to_string()));
        }
        let entry = self.entry(name).await?;
        // Taken before looking, so a revalidation that ends meanwhile still wakes us.
        let mut updates = entry.flight.watch();
        let now = clock::now();
        let (has_snapshot, due) = {
            let s = entry.read();
            if s.removed {
                return Err(ProxyError::FeedNotFound(name.to_string()));
            }
            (s.snapshot.is_some(), self.due(name, &s, now))
        };
        if due {
            Flight::start(&entry, {
                let feeds = Arc::clone(self);
                move |entry| async move { feeds.revalidate(&entry).await }
            });
            if !has_snapshot {
                // Nothing to show yet: wait for this revalidation (or the one already running).
                let _ = updates.changed().await;
            }
        }
        let mut s = entry.write();
        if s.removed {
            return Err(ProxyError::FeedNotFound(name.to_string()));
        }
        let now = clock::now();
        s.requested_at = now;
        Ok(self.served(&entry.name, &mut s, now))
    }

    /// What this process knows is wrong with fetching the feed now, if anything: from memory,
    /// without loading the feed or calling Instagram.
    pub fn trouble(&self, name: &str) -> Option<Trouble> {
        let entry = self.cached(name)?;
        let s = entry.read();
        let e = s.last_error.as_ref()?;
        Some(Trouble {
            kind: e.kind(),
            message: e.to_string(),
            since: s.failing_since.unwrap_or(s.fetched_at),
            quiet_until: s.quiet_until,
        })
    }

    /// Fetches the feed from Instagram now (the owner's "fetch now"), unless Instagram asked us
    /// to wait, and waits for the fetch (at most `wait`). Returns the feed as then served.
    pub async fn fetch_now(
        self: &Arc<Self>,
        name: &str,
        wait: Duration,
    ) -> Result<Arc<Served>, ProxyError> {
        if !self.catalog.knows(name) {
            return Err(ProxyError::FeedNotFound(name.to_string()));
        }
        let entry = self.entry(name).await?;
        let mut updates = entry.flight.watch();
        let paused = {
            let s = entry.read();
            s.quiet_until > clock::now()
                && matches!(s.last_error, Some(GraphError::RateLimited { .. }))
        };
        if !paused {
            // A dead token is looked up again at once: the owner may just have replaced it.
            entry.write().recheck_at = 0;
            Flight::start(&entry, {
                let feeds = Arc::clone(self);
                move |entry| async move { feeds.revalidate(&entry).await }
            });
            let _ = tokio::time::timeout(wait, updates.changed()).await;
        }
        let mut s = entry.write();
        if s.removed {
            return Err(ProxyError::FeedNotFound(name.to_string()));
        }
        Ok(self.served(&entry.name, &mut s, clock::now()))
    }

    /// The image mirror these feeds share.
    pub fn mirror(&self) -> &Arc<Mirror> {
        &self.mirror
    }

    /// Forgets what is cached in memory about a feed (after `token add`/`remove` in-process).
    pub fn forget(&self, name: &str) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(name);
    }

    async fn entry(&self, name: &str) -> Result<Arc<Entry>, ProxyError> {
        if let Some(e) = self
            .entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(name)
        {
            return Ok(Arc::clone(e));
        }
        // Not cached yet: load the feed's settings, last good snapshot and moderation.
        let key = name.to_string();
        let (settings, token, stored, moderation) = self
            .store
            .run(move |s| {
                Ok((
                    s.feed_settings(&key)?,
                    s.token(&key)?,
                    s.snapshot(&key)?,
                    s.moderation(&key)?,
                ))
            })
            .await?;
        let settings = settings.ok_or_else(|| ProxyError::FeedNotFound(name.to_string()))?;
        let (snapshot, fetched_at) = stored
            .and_then(|(body, at)| Some((readable(name, &body)?, at)))
            .map_or((None, 0), |(feed, at)| (Some(feed), at));
        let entry = Arc::new(Entry {
            name: name.to_string(),
            state: RwLock::new(EntryState {
                settings,
                snapshot,
                fetched_at,
                token_state: token.map(|t| t.state),
                seen_at: clock::now(),
                moderation,
                ..EntryState::default()
            }),
            flight: Flight::default(),
        });
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        Ok(Arc::clone(entries.entry(name.to_string()).or_insert(entry)))
    }

    /// Whether the feed should be revalidated now.
    fn due(&self, name: &str, s: &EntryState, now: i64) -> bool {
        match s.token_state {
            Some(TokenState::Expired | TokenState::Revoked) | None => now >= s.recheck_at,
            Some(TokenState::Active) => {
                let stale = s.snapshot.is_none() || now >= self.live_until(name, s);
                stale && now >= s.quiet_until
            }
        }
    }

    /// Until when the feed's snapshot is live: within its TTL, on the feed's slot (see `spread`).
    fn live_until(&self, name: &str, s: &EntryState) -> i64 {
        spread::live_until(name, s.fetched_at, self.ttl_secs())
    }

    /// The configured TTL in seconds.
    pub fn ttl_secs(&self) -> i64 {
        self.config.feed_ttl.as_secs() as i64
    }

    /// Re-reads the token from the store and, if it is usable, fetches the feed once. Runs in
    /// the feed's [`Flight`].
    async fn revalidate(&self, entry: &Entry) {
        let Some(token) = self.current_token(entry).await else {
            return;
        };
        let name = entry.name.as_str();
        // One fetch per feed across every instance on the database.
        let lease = match self
            .store
            .hold(&format!("fetch:{name}"), self.config.lease)
            .await
        {
            Ok(Some(lease)) => lease,
            Ok(None) => {
                self.wait_for_other_fetch(entry).await;
                return;
            }
            Err(e) => {
                tracing::error!(
                    feed = name,
                    "cannot take the fetch lease; serving what is in memory: {e}"
                );
                return;
            }
        };
        if self.adopt_stored(entry).await && !self.due(name, &entry.read(), clock::now()) {
            // Another instance fetched it while this one waited for the lease.
            lease.release().await;
            return;
        }
        if self.paused_by_another(entry).await {
            lease.release().await;
            return;
        }
        self.fetch(entry, token).await;
        lease.release().await;
    }

    /// Fetches the feed from Instagram with `token`, under the feed's lease.
    async fn fetch(&self, entry: &Entry, token: TokenRecord) {
        let name = entry.name.as_str();
        let previous = entry.read().snapshot.clone();
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
                        "some images or videos were not mirrored: {}",
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
                tracing::info!(
                    feed = name,
                    posts = feed.posts.len(),
                    "feed fetched from Instagram"
                );
                let json = serde_json::to_string(&feed).expect("a feed serializes");
                entry.write().renewed(feed, now);
                self.catalog.set_refused(name, false);
                let key = name.to_string();
                let saved = self
                    .store
                    .run(move |s| s.save_snapshot(&key, &json, now))
                    .await;
                drop(gate);
                // The visitor waiting for a cold feed is answered now: once a feed has been
                // served, its snapshot survives a kill -9, and garbage collection waits for no one.
                entry.flight.updated();
                match saved {
                    Ok(()) => self.mirror.collect_garbage_soon(),
                    // Still served from memory; the previous snapshot stays on disk.
                    Err(e) => tracing::error!(feed = name, "cannot store the new snapshot: {e}"),
                }
            }
            Err(e) => {
                drop(gate);
                self.failed(entry, &token, e, now).await;
            }
        }
    }

    /// Adopts the feed's stored snapshot if another instance stored a newer one than this
    /// process has. Returns whether it did.
    async fn adopt_stored(&self, entry: &Entry) -> bool {
        let (key, known) = (entry.name.clone(), entry.read().fetched_at);
        let stored = match self.store.run(move |s| s.snapshot_after(&key, known)).await {
            Ok(stored) => stored,
            Err(e) => {
                tracing::warn!(feed = %entry.name, "cannot read the stored snapshot: {e}");
                return false;
            }
        };
        let Some((feed, fetched_at)) =
            stored.and_then(|(body, at)| Some((readable(&entry.name, &body)?, at)))
        else {
            return false;
        };
        {
            let mut s = entry.write();
            if fetched_at <= s.fetched_at {
                return false;
            }
            s.renewed(feed, fetched_at);
        }
        self.catalog.set_refused(&entry.name, false);
        entry.flight.updated();
        true
    }

    /// Another instance holds the feed's lease: waits (at most one lease time) for the snapshot
    /// it stores, and adopts it.
    async fn wait_for_other_fetch(&self, entry: &Entry) {
        let deadline = tokio::time::Instant::now() + self.config.lease;
        while tokio::time::Instant::now() < deadline {
            if self.adopt_stored(entry).await {
                return;
            }
            tokio::time::sleep(WAIT_POLL).await;
        }
    }

    /// Whether Instagram told another instance to leave this feed alone for now; if so, this
    /// process waits as long.
    async fn paused_by_another(&self, entry: &Entry) -> bool {
        let key = entry.name.clone();
        let now = clock::now();
        let Ok(Some((resume_at, reason))) = self.store.run(move |s| s.feed_pause(&key, now)).await
        else {
            return false;
        };
        let mut s = entry.write();
        s.quiet_until = s.quiet_until.max(resume_at);
        s.rate_limited_since.get_or_insert(now);
        s.failing_since.get_or_insert(now);
        s.last_error = Some(GraphError::RateLimited {
            code: 0,
            message: reason,
            retry_after: Duration::from_secs((resume_at - now).max(0) as u64),
        });
        s.served = None;
        true
    }

    /// The feed's stored token if it is usable, after bringing the entry up to date with it.
    async fn current_token(&self, entry: &Entry) -> Option<TokenRecord> {
        let name = entry.name.as_str();
        let key = name.to_string();
        let loaded = self
            .store
            .run(move |s| Ok((s.token(&key)?, s.feed_settings(&key)?)))
            .await;
        match loaded {
            Ok((Some(token), Some(settings))) => {
                let mut s = entry.write();
                s.settings = settings;
                if s.token_state != Some(token.state) {
                    s.served = None;
                    if token.state == TokenState::Active {
                        // A new token: forget the old one's troubles.
                        s.last_error = None;
                        s.refusals = 0;
                        s.failing_since = None;
                        s.quiet_until = 0;
                        s.rate_limited_since = None;
                    }
                }
                s.token_state = Some(token.state);
                self.catalog.set_state(name, token.state);
                if token.state != TokenState::Active {
                    s.recheck_at = clock::now() + DEAD_TOKEN_RECHECK;
                    return None;
                }
                Some(token)
            }
            Ok(_) => {
                entry.write().removed = true;
                self.forget(name);
                None
            }
            Err(e) => {
                tracing::error!(feed = name, "cannot read the feed's token: {e}");
                None
            }
        }
    }

    /// Records a failed fetch made with `token`, in the store and in memory.
    async fn failed(&self, entry: &Entry, token: &TokenRecord, e: GraphError, now: i64) {
        let name = entry.name.as_str();
        let verdict = e.token_verdict().map(|v| match v {
            TokenVerdict::Expired => TokenState::Expired,
            TokenVerdict::Revoked => TokenState::Revoked,
        });
        let refused = matches!(e, GraphError::Rejected { .. });
        let message = e.to_string();
        tracing::warn!(
            feed = name,
            kind = e.kind(),
            "fetching the feed failed: {message}"
        );
        let (key, used, kind) = (name.to_string(), token.token.clone(), e.kind());
        // Every instance leaves Instagram alone as long as it asked.
        let shared_pause = match &e {
            GraphError::RateLimited { message, .. } => Some((
                now + failure_pause(&e, 0, self.config.feed_ttl).as_secs() as i64,
                message.clone(),
            )),
            _ => None,
        };
        let stored = self
            .store
            .run(move |s| {
                if let Some((resume_at, said)) = shared_pause {
                    s.pause_feed(&key, resume_at, &said)?;
                }
                if verdict.is_some() || refused {
                    // Scoped to the token used: a token added meanwhile stays as it is.
                    s.record_token_failure(&key, &used, verdict, kind, &message, now)
                } else {
                    s.event(&key, kind, &message, now).map(|()| true)
                }
            })
            .await;
        let current = stored.unwrap_or_else(|se| {
            tracing::error!(feed = name, "cannot record the failure: {se}");
            true
        });
        let mut s = entry.write();
        if !current {
            // The owner replaced the token while this fetch ran: its failure says nothing about
            // the new one, which the next request tries at once.
            tracing::info!(
                feed = name,
                "the token was replaced during the fetch; trying the new one"
            );
            s.quiet_until = 0;
            return;
        }
        if let Some(state) = verdict {
            s.token_state = Some(state);
            s.recheck_at = now + DEAD_TOKEN_RECHECK;
            self.catalog.set_state(name, state);
        }
        if refused {
            s.refusals = s.refusals.saturating_add(1);
            self.catalog.set_refused(name, true);
        }
        s.rate_limited_since = match e {
            GraphError::RateLimited { .. } => Some(s.rate_limited_since.unwrap_or(now)),
            _ => None,
        };
        let pause = failure_pause(&e, s.refusals, self.config.feed_ttl);
        s.quiet_until = now + pause.as_secs() as i64;
        s.failing_since.get_or_insert(now);
        s.last_error = Some(e);
        s.served = None;
    }

    fn status(&self, name: &str, s: &EntryState, now: i64) -> FeedStatus {
        match s.token_state {
            Some(TokenState::Expired) => return FeedStatus::TokenExpired,
            Some(TokenState::Revoked) => return FeedStatus::TokenRevoked,
            _ => {}
        }
        if let Some(e) = &s.last_error {
            return e.feed_status();
        }
        match s.snapshot {
            Some(_) if now < self.live_until(name, s) => FeedStatus::Live,
            Some(_) => FeedStatus::Stale,
            None => FeedStatus::Unavailable,
        }
    }

    /// The body for the current status, serialized once per change: the posts visitors may see
    /// (moderation leaves the others out here, and only here).
    fn served(&self, name: &str, s: &mut EntryState, now: i64) -> Arc<Served> {
        let status = self.status(name, s, now);
        if let Some(served) = s.served.as_ref().filter(|v| v.status == status) {
            return Arc::clone(served);
        }
        let mut feed = match &s.snapshot {
            Some(feed) => feed.clone(),
            None => assemble::empty(name, &s.settings.username, status),
        };
        s.moderation.apply(&mut feed);
        feed.status = status;
        let body = serde_json::to_vec(&feed).expect("a feed serializes");
        let served = Arc::new(Served {
            etag: format!("\"{:016x}\"", fnv1a(&body)),
            body,
            status,
            fresh_until: if status == FeedStatus::Live {
                self.live_until(name, s)
            } else {
                0
            },
            allowed_origins: s.settings.allowed_origins.clone(),
        });
        s.served = Some(Arc::clone(&served));
        served
    }
}

/// A stored snapshot's feed, or `None` (logged) if it cannot be read.
fn readable(name: &str, body: &str) -> Option<Feed> {
    serde_json::from_str(body)
        .inspect_err(|e| tracing::error!(feed = name, "the stored snapshot is unreadable: {e}"))
        .ok()
}

/// How long to leave Instagram alone after `e`: as long as a rate limit says; for a permission
/// refusal, longer with each one in a row (`refusals`, this one included); otherwise a minute at
/// most, and no longer than the TTL.
fn failure_pause(e: &GraphError, refusals: u32, ttl: Duration) -> Duration {
    match e {
        GraphError::RateLimited { retry_after, .. } => (*retry_after).max(Duration::from_secs(1)),
        GraphError::Rejected { .. } => {
            let doublings = refusals.saturating_sub(1).min(16);
            REFUSED_FIRST_PAUSE
                .saturating_mul(1 << doublings)
                .min(REFUSED_MAX_PAUSE)
        }
        _ => FAILURE_PAUSE.min(ttl),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_refusals_back_off_longer_each_time_up_to_six_hours() {
        // Regression: a refused fetch was retried every minute for as long as visitors came.
        let refused = GraphError::Rejected {
            code: 10,
            message: "no permission".into(),
        };
        let ttl = Duration::from_secs(1);
        let pauses: Vec<u64> = (1..=8)
            .map(|n| failure_pause(&refused, n, ttl).as_secs() / 60)
            .collect();
        assert_eq!(pauses, [10, 20, 40, 80, 160, 320, 360, 360]);
        assert_eq!(
            failure_pause(&refused, u32::MAX, ttl),
            REFUSED_MAX_PAUSE,
            "no overflow however long it lasts"
        );
        let transient = GraphError::Transient("x".into());
        assert_eq!(failure_pause(&transient, 0, ttl), ttl);
        assert_eq!(
            failure_pause(&transient, 0, Duration::from_secs(600)),
            FAILURE_PAUSE
        );
    }
}
