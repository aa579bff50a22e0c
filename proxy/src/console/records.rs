//! The console's rows in the same SQLite file as the feeds: the owner's password hash (Argon2id,
//! PHC string), the signed-in sessions and the invitations, each session and invitation kept only
//! as the SHA-256 of its secret, so a copy of the database signs no one in and connects nothing.

use rusqlite::{OptionalExtension, params};

use crate::error::ProxyError;
use crate::store::Store;

/// Idempotent, run by [`Store::open`].
pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS admin (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    password_hash TEXT NOT NULL,
    set_at        INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS invites (
    id_hash     TEXT PRIMARY KEY,
    feed        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);
CREATE TABLE IF NOT EXISTS admin_sessions (
    id_hash     TEXT PRIMARY KEY,
    csrf        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
";

/// A signed-in session as stored.
#[derive(Debug, Clone)]
pub struct SessionRow {
    /// The form token every state-changing request must carry.
    pub csrf: String,
    pub expires_at: i64,
}

impl Store {
    /// The console password's hash, if one is set.
    pub fn admin_password(&self) -> Result<Option<String>, ProxyError> {
        self.read(|c| {
            c.query_row("SELECT password_hash FROM admin WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()
        })
    }

    /// Sets the console password and signs every session out, in one transaction.
    pub fn set_admin_password(&self, hash: &str, now: i64) -> Result<(), ProxyError> {
        self.with(|c| {
            let tx = c.transaction()?;
            tx.execute(
                "INSERT INTO admin (id, password_hash, set_at) VALUES (1, ?1, ?2)
                 ON CONFLICT(id) DO UPDATE SET password_hash = ?1, set_at = ?2",
                params![hash, now],
            )?;
            tx.execute("DELETE FROM admin_sessions", [])?;
            tx.commit()
        })
    }

    /// Stores a new session (and forgets the expired ones).
    pub fn create_session(
        &self,
        id_hash: &str,
        csrf: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<(), ProxyError> {
        self.with(|c| {
            let tx = c.transaction()?;
            tx.execute("DELETE FROM admin_sessions WHERE expires_at <= ?1", [now])?;
            tx.execute(
                "INSERT INTO admin_sessions (id_hash, csrf, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![id_hash, csrf, now, expires_at],
            )?;
            tx.commit()
        })
    }

    /// The session with this hash, if it has not expired at `now`.
    pub fn session(&self, id_hash: &str, now: i64) -> Result<Option<SessionRow>, ProxyError> {
        self.read(|c| {
            c.query_row(
                "SELECT csrf, expires_at FROM admin_sessions WHERE id_hash = ?1 AND expires_at > ?2",
                params![id_hash, now],
                |r| {
                    Ok(SessionRow {
                        csrf: r.get(0)?,
                        expires_at: r.get(1)?,
                    })
                },
            )
            .optional()
        })
    }

    /// Stores a new invitation to connect `feed`.
    pub fn create_invite(
        &self,
        id_hash: &str,
        feed: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<(), ProxyError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO invites (id_hash, feed, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
                params![id_hash, feed, now, expires_at],
            )
            .map(|_| ())
        })
    }

    /// The feed of an unused invitation that has not expired at `now`.
    pub fn open_invite(&self, id_hash: &str, now: i64) -> Result<Option<String>, ProxyError> {
        self.read(|c| {
            c.query_row(
                "SELECT feed FROM invites WHERE id_hash = ?1 AND used_at IS NULL AND expires_at > ?2",
                params![id_hash, now],
                |r| r.get(0),
            )
            .optional()
        })
    }

    /// Uses an invitation up; `false` if it was used, expired or unknown (then nothing changes).
    pub fn claim_invite(&self, id_hash: &str, now: i64) -> Result<bool, ProxyError> {
        self.with(|c| {
            c.execute(
                "UPDATE invites SET used_at = ?2 WHERE id_hash = ?1 AND used_at IS NULL AND expires_at > ?2",
                params![id_hash, now],
            )
            .map(|n| n == 1)
        })
    }

    /// Makes a claimed invitation usable again (its connection failed before anything was stored).
    pub fn release_invite(&self, id_hash: &str) -> Result<(), ProxyError> {
        self.with(|c| {
            c.execute(
                "UPDATE invites SET used_at = NULL WHERE id_hash = ?1",
                [id_hash],
            )
            .map(|_| ())
        })
    }

    /// Signs one session out.
    pub fn delete_session(&self, id_hash: &str) -> Result<(), ProxyError> {
        self.with(|c| {
            c.execute("DELETE FROM admin_sessions WHERE id_hash = ?1", [id_hash])
                .map(|_| ())
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::store::Store;

    #[test]
    fn an_invitation_is_used_once_and_expires() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("feedframe.db")).unwrap();
        store.create_invite("i1", "shop", 100, 200).unwrap();
        assert_eq!(
            store.open_invite("i1", 150).unwrap().as_deref(),
            Some("shop")
        );
        assert!(store.open_invite("i1", 200).unwrap().is_none(), "expired");
        assert!(store.claim_invite("i1", 150).unwrap());
        assert!(!store.claim_invite("i1", 151).unwrap(), "once");
        assert!(store.open_invite("i1", 152).unwrap().is_none());
        store.release_invite("i1").unwrap();
        assert!(store.claim_invite("i1", 153).unwrap());
        assert!(!store.claim_invite("nope", 150).unwrap());
    }

    #[test]
    fn a_new_password_signs_every_session_out_and_sessions_expire() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("feedframe.db")).unwrap();
        assert!(store.admin_password().unwrap().is_none());
        store.set_admin_password("$argon2id$first", 100).unwrap();
        store.create_session("s1", "c1", 100, 200).unwrap();
        assert_eq!(store.session("s1", 150).unwrap().unwrap().csrf, "c1");
        assert!(store.session("s1", 200).unwrap().is_none(), "expired");
        store.create_session("s2", "c2", 150, 300).unwrap();
        store.set_admin_password("$argon2id$second", 160).unwrap();
        assert!(store.session("s2", 170).unwrap().is_none(), "signed out");
        assert_eq!(
            store.admin_password().unwrap().as_deref(),
            Some("$argon2id$second")
        );
    }
}
