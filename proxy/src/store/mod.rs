//! Embedded storage: one SQLite file in the data dir, in WAL mode with full sync, so a kill -9
//! at any moment keeps the newest valid token and the last good snapshot of every feed.

pub(crate) mod private_files;
#[cfg(test)]
pub(crate) mod testing;

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::ProxyError;
use crate::instagram::client::Me;
use crate::instagram::secret::Secret;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS feeds (
    name            TEXT PRIMARY KEY,
    created_at      INTEGER NOT NULL,
    allowed_origins TEXT NOT NULL DEFAULT '',
    username        TEXT NOT NULL DEFAULT '',
    user_id         TEXT,
    app_user_id     TEXT
);
CREATE TABLE IF NOT EXISTS tokens (
    feed            TEXT PRIMARY KEY REFERENCES feeds(name) ON DELETE CASCADE,
    token           TEXT NOT NULL,
    issued_at       INTEGER NOT NULL,
    refreshed_at    INTEGER,
    expires_at      INTEGER,
    state           TEXT NOT NULL DEFAULT 'active',
    last_error      TEXT,
    last_failure_at INTEGER
);
CREATE TABLE IF NOT EXISTS snapshots (
    feed        TEXT PRIMARY KEY REFERENCES feeds(name) ON DELETE CASCADE,
    body        TEXT NOT NULL,
    fetched_at  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    feed    TEXT NOT NULL,
    at      INTEGER NOT NULL,
    kind    TEXT NOT NULL,
    detail  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS events_by_feed ON events(feed, id);
";

/// Columns added since a table was first created, for databases made by an older version
/// (`CREATE TABLE IF NOT EXISTS` leaves an existing table as it is).
const ADDED_COLUMNS: [(&str, &str, &str); 2] = [
    ("feeds", "app_user_id", "TEXT"),
    ("meta_deletions", "digests", "TEXT NOT NULL DEFAULT ''"),
];

fn add_missing_columns(conn: &Connection) -> rusqlite::Result<()> {
    for (table, column, kind) in ADDED_COLUMNS {
        let present: bool = conn.query_row(
            "SELECT COUNT(*) > 0 FROM pragma_table_info(?1) WHERE name = ?2",
            [table, column],
            |r| r.get(0),
        )?;
        if !present {
            conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {kind}"))?;
        }
    }
    Ok(())
}

/// Events kept per feed (the newest); `token status` shows the latest, logs keep the rest.
pub const EVENTS_KEPT: i64 = 200;

/// What a token is good for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenState {
    Active,
    Expired,
    Revoked,
}

impl TokenState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "expired" => Self::Expired,
            "revoked" => Self::Revoked,
            _ => Self::Active,
        }
    }
}

/// A feed's token and what is known about it.
#[derive(Debug, Clone)]
pub struct TokenRecord {
    pub feed: String,
    pub token: Secret,
    pub username: String,
    /// When the current token string was issued (added or last refreshed).
    pub issued_at: i64,
    pub refreshed_at: Option<i64>,
    /// Unknown until the first refresh when the token was added without `--expires-in`.
    pub expires_at: Option<i64>,
    pub state: TokenState,
    pub last_error: Option<String>,
    pub last_failure_at: Option<i64>,
}

impl TokenRecord {
    /// Whether the token is of no more use at `now`: Instagram said it expired or was revoked,
    /// or it is past its `expires_at` (dead before Instagram says so).
    pub fn is_dead_at(&self, now: i64) -> bool {
        self.state != TokenState::Active || self.expires_at.is_some_and(|at| at <= now)
    }
}

/// One line of a feed's event log.
#[derive(Debug, Clone)]
pub struct Event {
    pub at: i64,
    pub kind: String,
    pub detail: String,
}

/// The per-feed settings the HTTP layer needs.
#[derive(Debug, Clone, Default)]
pub struct FeedSettings {
    pub username: String,
    /// Empty means any origin.
    pub allowed_origins: Vec<String>,
}

/// A token being added, with what `/me` said about its account.
#[derive(Debug, Clone)]
pub struct NewToken<'a> {
    pub feed: &'a str,
    pub token: &'a Secret,
    pub username: &'a str,
    /// The account's Instagram id (`/me`'s `user_id`).
    pub user_id: Option<&'a str>,
    /// Its app-scoped id (`/me`'s `id`), as Meta's callbacks may name it.
    pub app_user_id: Option<&'a str>,
    pub expires_at: Option<i64>,
    /// Empty means any origin.
    pub allowed_origins: &'a [String],
}

impl<'a> NewToken<'a> {
    /// A token `/me` accepted, stored under `feed` with the account's name and both its ids.
    pub fn checked(
        feed: &'a str,
        token: &'a Secret,
        me: &'a Me,
        expires_at: Option<i64>,
        allowed_origins: &'a [String],
    ) -> Self {
        Self {
            feed,
            token,
            username: &me.username,
            user_id: me.user_id.as_deref(),
            app_user_id: me.id.as_deref(),
            expires_at,
            allowed_origins,
        }
    }
}

/// The SQLite file. Every method is one short transaction, and blocking: another process (the
/// CLI) may hold the write lock for seconds. Async code calls it through [`Store::run`], never on
/// an async worker.
///
/// Reads and writes use separate connections: in WAL mode a reader never waits for a writer, so
/// a write stuck behind another process's lock does not hold up the reads queued behind it.
pub struct Store {
    writer: Mutex<Connection>,
    reader: Mutex<Connection>,
}

impl Store {
    pub fn open(path: &Path) -> Result<Self, ProxyError> {
        if let Some(dir) = path.parent() {
            crate::store::private_files::create_dir(dir)?;
        }
        crate::store::private_files::prepare_db(path)?;
        let open = || -> rusqlite::Result<Connection> {
            let conn = Connection::open(path)?;
            conn.busy_timeout(std::time::Duration::from_secs(10))?;
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "FULL")?;
            conn.pragma_update(None, "foreign_keys", "ON")?;
            Ok(conn)
        };
        let writer = open()?;
        writer.execute_batch(SCHEMA)?;
        writer.execute_batch(crate::media::index::SCHEMA)?;
        writer.execute_batch(crate::console::records::SCHEMA)?;
        writer.execute_batch(crate::alerts::SCHEMA)?;
        writer.execute_batch(crate::alerts::OUTBOX_SCHEMA)?;
        writer.execute_batch(crate::meta::deletions::SCHEMA)?;
        add_missing_columns(&writer)?;
        let reader = open()?;
        Ok(Self {
            writer: Mutex::new(writer),
            reader: Mutex::new(reader),
        })
    }

    /// Runs `f` on a blocking thread and waits for it without holding an async worker.
    ///
    /// ```no_run
    /// # async fn demo(store: std::sync::Arc<feedframe::store::Store>) {
    /// let tokens = store.run(|s| s.tokens()).await;
    /// # }
    /// ```
    pub async fn run<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&Store) -> Result<T, ProxyError> + Send + 'static,
    ) -> Result<T, ProxyError> {
        let store = Arc::clone(self);
        tokio::task::spawn_blocking(move || f(&store))
            .await
            .map_err(|e| ProxyError::Invalid(format!("a storage task failed: {e}")))?
    }

    /// A write (or a read that must see this process's latest writes in the same transaction).
    pub(crate) fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> Result<T, ProxyError> {
        let mut conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        Ok(f(&mut conn)?)
    }

    /// A read: never waits for a write, ours or another process's.
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, ProxyError> {
        let conn = self.reader.lock().unwrap_or_else(|p| p.into_inner());
        Ok(f(&conn)?)
    }

    /// Creates the feed if needed and stores its (new) token as active, in one transaction.
    pub fn put_token(&self, new: &NewToken<'_>, now: i64) -> Result<(), ProxyError> {
        let NewToken {
            feed,
            token,
            username,
            user_id,
            app_user_id,
            expires_at,
            allowed_origins,
        } = *new;
        self.with(|c| {
            let tx = c.transaction()?;
            tx.execute(
                "INSERT INTO feeds (name, created_at, allowed_origins, username, user_id, app_user_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(name) DO UPDATE SET allowed_origins = ?3, username = ?4, user_id = ?5,
                     app_user_id = ?6",
                params![feed, now, allowed_origins.join(" "), username, user_id, app_user_id],
            )?;
            tx.execute(
                "INSERT INTO tokens (feed, token, issued_at, refreshed_at, expires_at, state, last_error, last_failure_at)
                 VALUES (?1, ?2, ?3, NULL, ?4, 'active', NULL, NULL)
                 ON CONFLICT(feed) DO UPDATE SET token = ?2, issued_at = ?3, refreshed_at = NULL,
                     expires_at = ?4, state = 'active', last_error = NULL, last_failure_at = NULL",
                params![feed, token.expose(), now, expires_at],
            )?;
            insert_event(&tx, feed, now, "token_added", &format!("token for @{username} stored"))?;
            tx.commit()
        })
    }

    pub fn token(&self, feed: &str) -> Result<Option<TokenRecord>, ProxyError> {
        self.read(|c| {
            c.query_row(
                &format!("{TOKEN_SELECT} WHERE t.feed = ?1"),
                [feed],
                token_row,
            )
            .optional()
        })
    }

    pub fn tokens(&self) -> Result<Vec<TokenRecord>, ProxyError> {
        self.read(|c| {
            let mut stmt = c.prepare(&format!("{TOKEN_SELECT} ORDER BY t.feed"))?;
            stmt.query_map([], token_row)?.collect()
        })
    }

    /// Replaces `old` with `new` atomically, only if `old` is still the stored token. Returns
    /// whether it did.
    pub fn save_refreshed(
        &self,
        feed: &str,
        old: &Secret,
        new: &Secret,
        expires_at: i64,
        now: i64,
    ) -> Result<bool, ProxyError> {
        self.with(|c| {
            let tx = c.transaction()?;
            let changed = tx.execute(
                "UPDATE tokens SET token = ?3, issued_at = ?4, refreshed_at = ?4, expires_at = ?5,
                     state = 'active', last_error = NULL, last_failure_at = NULL
                 WHERE feed = ?1 AND token = ?2",
                params![feed, old.expose(), new.expose(), now, expires_at],
            )?;
            if changed == 1 {
                let detail = format!(
                    "token refreshed; expires {}",
                    crate::clock::human(expires_at)
                );
                insert_event(&tx, feed, now, "token_refreshed", &detail)?;
            }
            tx.commit()?;
            Ok(changed == 1)
        })
    }

    /// Records a failed refresh or fetch made with `token`; `state` marks it dead. Like
    /// [`Store::save_refreshed`], only if `token` is still the stored token: a failure of the old
    /// token must not touch one added meanwhile. Returns whether it was. The token string itself is
    /// never touched here.
    pub fn record_token_failure(
        &self,
        feed: &str,
        token: &Secret,
        state: Option<TokenState>,
        kind: &str,
        message: &str,
        now: i64,
    ) -> Result<bool, ProxyError> {
        self.with(|c| {
            let tx = c.transaction()?;
            let changed = tx.execute(
                "UPDATE tokens SET last_error = ?2, last_failure_at = ?3, state = COALESCE(?4, state)
                 WHERE feed = ?1 AND token = ?5",
                params![
                    feed,
                    message,
                    now,
                    state.map(TokenState::as_str),
                    token.expose()
                ],
            )?;
            if changed == 1 {
                insert_event(&tx, feed, now, kind, message)?;
            }
            tx.commit()?;
            Ok(changed == 1)
        })
    }

    pub fn event(&self, feed: &str, kind: &str, detail: &str, now: i64) -> Result<(), ProxyError> {
        self.with(|c| insert_event(c, feed, now, kind, detail).map(|_| ()))
    }

    /// The newest `limit` events of a feed, newest first.
    pub fn events(&self, feed: &str, limit: usize) -> Result<Vec<Event>, ProxyError> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT at, kind, detail FROM events WHERE feed = ?1 ORDER BY id DESC LIMIT ?2",
            )?;
            stmt.query_map(params![feed, limit as i64], |r| {
                Ok(Event {
                    at: r.get(0)?,
                    kind: r.get(1)?,
                    detail: r.get(2)?,
                })
            })?
            .collect()
        })
    }

    /// Deletes a feed with its token, snapshot and events. Returns whether it existed.
    pub fn remove_feed(&self, feed: &str) -> Result<bool, ProxyError> {
        self.with(|c| {
            let tx = c.transaction()?;
            tx.execute("DELETE FROM events WHERE feed = ?1", [feed])?;
            let n = tx.execute("DELETE FROM feeds WHERE name = ?1", [feed])?;
            tx.commit()?;
            Ok(n > 0)
        })
    }

    pub fn feed_settings(&self, feed: &str) -> Result<Option<FeedSettings>, ProxyError> {
        self.read(|c| {
            c.query_row(
                "SELECT username, allowed_origins FROM feeds WHERE name = ?1",
                [feed],
                |r| {
                    let origins: String = r.get(1)?;
                    Ok(FeedSettings {
                        username: r.get(0)?,
                        allowed_origins: origins.split_whitespace().map(str::to_owned).collect(),
                    })
                },
            )
            .optional()
        })
    }

    /// Stores a feed's newest good snapshot (the feed JSON as fetched, status `live`).
    pub fn save_snapshot(&self, feed: &str, body: &str, fetched_at: i64) -> Result<(), ProxyError> {
        self.with(|c| {
            let tx = c.transaction()?;
            tx.execute(
                "INSERT INTO snapshots (feed, body, fetched_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(feed) DO UPDATE SET body = ?2, fetched_at = ?3",
                params![feed, body, fetched_at],
            )?;
            insert_event(
                &tx,
                feed,
                fetched_at,
                "fetched",
                "feed fetched from Instagram",
            )?;
            tx.commit()
        })
    }

    /// When `feed`'s stored snapshot was fetched, without reading its body.
    pub fn snapshot_fetched_at(&self, feed: &str) -> Result<Option<i64>, ProxyError> {
        self.read(|c| {
            c.query_row(
                "SELECT fetched_at FROM snapshots WHERE feed = ?1",
                [feed],
                |r| r.get(0),
            )
            .optional()
        })
    }

    /// The last good snapshot and when it was fetched.
    pub fn snapshot(&self, feed: &str) -> Result<Option<(String, i64)>, ProxyError> {
        self.read(|c| {
            c.query_row(
                "SELECT body, fetched_at FROM snapshots WHERE feed = ?1",
                [feed],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
        })
    }
}

const TOKEN_SELECT: &str =
    "SELECT t.feed, t.token, f.username, t.issued_at, t.refreshed_at, t.expires_at,
        t.state, t.last_error, t.last_failure_at
 FROM tokens t JOIN feeds f ON f.name = t.feed";

fn token_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TokenRecord> {
    Ok(TokenRecord {
        feed: r.get(0)?,
        token: Secret::new(r.get::<_, String>(1)?),
        username: r.get(2)?,
        issued_at: r.get(3)?,
        refreshed_at: r.get(4)?,
        expires_at: r.get(5)?,
        state: TokenState::parse(&r.get::<_, String>(6)?),
        last_error: r.get(7)?,
        last_failure_at: r.get(8)?,
    })
}

fn insert_event(
    c: &Connection,
    feed: &str,
    at: i64,
    kind: &str,
    detail: &str,
) -> rusqlite::Result<usize> {
    c.execute(
        "INSERT INTO events (feed, at, kind, detail) VALUES (?1, ?2, ?3, ?4)",
        params![feed, at, kind, detail],
    )?;
    // A bounded history: the oldest events beyond the newest EVENTS_KEPT go.
    c.execute(
        "DELETE FROM events WHERE feed = ?1 AND id <= \
         (SELECT id FROM events WHERE feed = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)",
        params![feed, EVENTS_KEPT],
    )
}

#[cfg(test)]
mod tests {
    use super::testing::store;
    use super::*;

    fn new<'a>(
        feed: &'a str,
        token: &'a Secret,
        expires_at: Option<i64>,
        allowed_origins: &'a [String],
    ) -> NewToken<'a> {
        NewToken {
            feed,
            token,
            username: "u",
            user_id: None,
            app_user_id: None,
            expires_at,
            allowed_origins,
        }
    }

    #[test]
    fn a_database_from_before_app_scoped_ids_opens_and_keeps_its_feeds() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("feedframe.db");
        {
            // The feeds table as the first release created it.
            crate::store::private_files::prepare_db(&path).unwrap();
            let old = Connection::open(&path).unwrap();
            old.execute_batch(
                "CREATE TABLE feeds (name TEXT PRIMARY KEY, created_at INTEGER NOT NULL,
                     allowed_origins TEXT NOT NULL DEFAULT '', username TEXT NOT NULL DEFAULT '',
                     user_id TEXT);
                 INSERT INTO feeds (name, created_at, user_id) VALUES ('main', 1, '178');",
            )
            .unwrap();
        }
        let s = Store::open(&path).unwrap();
        assert_eq!(s.feeds_of_user("178").unwrap(), ["main"]);
        let t = Secret::new("T");
        let mut new = new("shop", &t, None, &[]);
        new.app_user_id = Some("268");
        s.put_token(&new, 2).unwrap();
        assert_eq!(s.feeds_of_user("268").unwrap(), ["shop"]);
        drop(s);
        // Opening it again changes nothing.
        assert_eq!(
            Store::open(&path).unwrap().feeds_of_user("268").unwrap(),
            ["shop"]
        );
    }

    #[test]
    fn a_refresh_replaces_the_token_only_if_it_is_still_current() {
        let (_d, s) = store();
        let (a, b, c) = (Secret::new("A"), Secret::new("B"), Secret::new("C"));
        s.put_token(&new("main", &a, None, &[]), 100).unwrap();
        assert!(s.save_refreshed("main", &a, &b, 9_000, 200).unwrap());
        assert!(
            !s.save_refreshed("main", &a, &c, 9_000, 300).unwrap(),
            "stale refresh must lose"
        );
        let t = s.token("main").unwrap().unwrap();
        assert_eq!(t.token.expose(), "B");
        assert_eq!(
            (t.issued_at, t.refreshed_at, t.expires_at),
            (200, Some(200), Some(9_000))
        );
    }

    #[test]
    fn a_failure_marks_the_state_but_keeps_the_token() {
        let (_d, s) = store();
        let a = Secret::new("A");
        s.put_token(&new("main", &a, Some(5_000), &[]), 100)
            .unwrap();
        assert!(
            s.record_token_failure(
                "main",
                &a,
                Some(TokenState::Revoked),
                "password_changed",
                "pw",
                150,
            )
            .unwrap()
        );
        let t = s.token("main").unwrap().unwrap();
        assert_eq!(t.token.expose(), "A");
        assert_eq!(t.state, TokenState::Revoked);
        assert_eq!(t.last_error.as_deref(), Some("pw"));
        assert_eq!(s.events("main", 1).unwrap()[0].kind, "password_changed");
    }

    #[test]
    fn a_failure_of_the_old_token_leaves_a_token_added_meanwhile_alone() {
        // Regression: the old token's 190/460 marked the owner's fresh token revoked.
        let (_d, s) = store();
        let (old, fresh) = (Secret::new("OLD"), Secret::new("FRESH"));
        s.put_token(&new("main", &old, None, &[]), 100).unwrap();
        s.put_token(&new("main", &fresh, None, &[]), 200).unwrap();
        let applied = s
            .record_token_failure(
                "main",
                &old,
                Some(TokenState::Revoked),
                "password_changed",
                "pw",
                300,
            )
            .unwrap();
        assert!(!applied);
        let t = s.token("main").unwrap().unwrap();
        assert_eq!(t.token.expose(), "FRESH");
        assert_eq!(t.state, TokenState::Active);
        assert_eq!((t.last_error, t.last_failure_at), (None, None));
        assert_eq!(s.events("main", 1).unwrap()[0].kind, "token_added");
    }

    #[test]
    fn the_event_history_is_bounded_per_feed() {
        let (_d, s) = store();
        let kept = EVENTS_KEPT as usize;
        for i in 0..kept + 50 {
            s.event("main", "fetch_failed", &format!("failure {i}"), i as i64)
                .unwrap();
        }
        s.event("other", "fetched", "", 1).unwrap();
        let events = s.events("main", kept * 10).unwrap();
        assert_eq!(events.len(), kept, "only the newest events are kept");
        assert_eq!(events[0].detail, format!("failure {}", kept + 49));
        assert_eq!(events[kept - 1].detail, "failure 50");
        assert_eq!(s.events("other", 10).unwrap().len(), 1, "per feed");
    }

    #[cfg(unix)]
    #[test]
    fn the_data_dir_and_database_are_private_and_a_readable_database_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("data");
        let db = dir.join("feedframe.db");
        drop(Store::open(&db).unwrap());
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700, "the data dir");
        assert_eq!(mode(&db), 0o600, "the database");
        drop(Store::open(&db).expect("a private database opens again"));

        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = Store::open(&db)
            .err()
            .expect("a world-readable database is refused");
        let message = err.to_string();
        assert!(
            message.contains("chmod 600") && message.contains("every user"),
            "{message}"
        );
    }

    #[test]
    fn removing_a_feed_deletes_its_token_snapshot_and_events() {
        let (_d, s) = store();
        s.put_token(
            &new(
                "main",
                &Secret::new("A"),
                None,
                &["https://a.example".into()],
            ),
            1,
        )
        .unwrap();
        s.save_snapshot("main", "{}", 2).unwrap();
        assert_eq!(
            s.feed_settings("main").unwrap().unwrap().allowed_origins,
            ["https://a.example"]
        );
        assert!(s.remove_feed("main").unwrap());
        assert!(s.token("main").unwrap().is_none());
        assert!(s.snapshot("main").unwrap().is_none());
        assert!(s.events("main", 10).unwrap().is_empty());
        assert!(!s.remove_feed("main").unwrap());
    }
}
