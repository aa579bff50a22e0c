//! The console's rows in the same database as the feeds: the owner's password hash (Argon2id,
//! PHC string), the signed-in sessions and the invitations, each session and invitation kept only
//! as the SHA-256 of its secret, so a copy of the database signs no one in and connects nothing.

use crate::error::ProxyError;
use crate::store::Store;
use crate::store::sql::args;

/// A signed-in session as stored.
#[derive(Debug, Clone)]
pub struct SessionRow {
    /// The form token every state-changing request must carry.
    pub csrf: String,
    pub expires_at: i64,
}

impl Store {
    pub fn admin_password(&self) -> Result<Option<String>, ProxyError> {
        self.read(|tx| {
            tx.query_opt("SELECT password_hash FROM admin WHERE id = 1", &[])?
                .map(|r| r.get(0))
                .transpose()
        })
    }

    pub fn set_admin_password(&self, hash: &str, now: i64) -> Result<(), ProxyError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO admin (id, password_hash, set_at) VALUES (1, ?1, ?2)
                 ON CONFLICT(id) DO UPDATE SET password_hash = ?1, set_at = ?2",
                args![hash, now],
            )?;
            tx.execute("DELETE FROM admin_sessions", &[])?;
            Ok(())
        })
    }

    pub fn create_session(
        &self,
        id_hash: &str,
        csrf: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<(), ProxyError> {
        self.write(|tx| {
            tx.execute(
                "DELETE FROM admin_sessions WHERE expires_at <= ?1",
                args![now],
            )?;
            tx.execute(
                "INSERT INTO admin_sessions (id_hash, csrf, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4)",
                args![id_hash, csrf, now, expires_at],
            )?;
            Ok(())
        })
    }

    pub fn session(&self, id_hash: &str, now: i64) -> Result<Option<SessionRow>, ProxyError> {
        self.read(|tx| {
            tx.query_opt(
                "SELECT csrf, expires_at FROM admin_sessions WHERE id_hash = ?1 AND expires_at > ?2",
                args![id_hash, now],
            )?
            .map(|r| {
                Ok(SessionRow {
                    csrf: r.get(0)?,
                    expires_at: r.get(1)?,
                })
            })
            .transpose()
        })
    }

    pub fn create_invite(
        &self,
        id_hash: &str,
        feed: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<(), ProxyError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO invites (id_hash, feed, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
                args![id_hash, feed, now, expires_at],
            )?;
            Ok(())
        })
    }

    pub fn open_invite(&self, id_hash: &str, now: i64) -> Result<Option<String>, ProxyError> {
        self.read(|tx| {
            tx.query_opt(
                "SELECT feed FROM invites WHERE id_hash = ?1 AND used_at IS NULL AND expires_at > ?2",
                args![id_hash, now],
            )?
            .map(|r| r.get(0))
            .transpose()
        })
    }

    pub fn claim_invite(&self, id_hash: &str, now: i64) -> Result<bool, ProxyError> {
        self.write(|tx| {
            Ok(tx.execute(
                "UPDATE invites SET used_at = ?2 WHERE id_hash = ?1 AND used_at IS NULL AND expires_at > ?2",
                args![id_hash, now],
            )? == 1)
        })
    }

    pub fn release_invite(&self, id_hash: &str) -> Result<(), ProxyError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE invites SET used_at = NULL WHERE id_hash = ?1",
                args![id_hash],
            )?;
            Ok(())
        })
    }

    pub fn delete_session(&self, id_hash: &str) -> Result<(), ProxyError> {
        self.write(|tx| {
            tx.execute(
                "DELETE FROM admin_sessions WHERE id_hash = ?1",
                args![id_hash],
            )?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn an_invitation_is_used_once_and_expires() {
        crate::store::testing::on_both(|store| {
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
        });
    }

    #[test]
    fn a_new_password_signs_every_session_out_and_sessions_expire() {
        crate::store::testing::on_both(|store| {
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
        });
    }
}
