//! Storage: feeds, tokens, snapshots and every concern's records, behind one interface with two
//! backends.
//!
//! - [`sqlite`]: the embedded default, one file in the data dir, for one machine.
//! - [`postgres`]: a server several instances share (`FEEDFRAME_DATABASE_URL=postgres://…`).
//!
//! Each concern writes its statements once, in the dialect both backends run ([`sql`]); only the
//! schemas differ, as versioned migrations per backend that run at start. Every method is one short
//! transaction and blocking: async code calls it through [`Store::run`], never on an async worker.

pub(crate) mod feeds;
pub(crate) mod leases;
pub(crate) mod moderation;
pub mod postgres;
pub(crate) mod private_files;
pub(crate) mod sql;
pub(crate) mod sqlite;
#[cfg(test)]
pub(crate) mod testing;

use std::path::Path;
use std::sync::Arc;

pub use feeds::{EVENTS_KEPT, Event, FeedSettings, NewToken, TokenRecord, TokenState};
pub use moderation::TermAdded;

use crate::error::ProxyError;
use sql::{DbError, Tx};

/// The variable that chooses PostgreSQL over the embedded SQLite file.
pub const DATABASE_URL_ENV: &str = "FEEDFRAME_DATABASE_URL";

pub struct Store {
    backend: Backend,
    /// Names this process in the leases it holds ([`leases`]).
    holder: String,
}

enum Backend {
    Sqlite(sqlite::Sqlite),
    Postgres(postgres::Postgres),
}

impl Store {
    /// The SQLite file at `path`, created (private to its owner) if missing.
    pub fn open(path: &Path) -> Result<Self, ProxyError> {
        Ok(Self::with_backend(Backend::Sqlite(sqlite::Sqlite::open(
            path,
        )?)))
    }

    /// The PostgreSQL database at `url` (`postgres://user:password@host:port/dbname`).
    pub fn connect(url: &str) -> Result<Self, ProxyError> {
        Ok(Self::with_backend(Backend::Postgres(
            postgres::Postgres::connect(url)?,
        )))
    }

    /// PostgreSQL when `database_url` is set, else the SQLite file at `path`.
    pub fn open_configured(database_url: Option<&str>, path: &Path) -> Result<Self, ProxyError> {
        match database_url {
            Some(url) => Self::connect(url),
            None => Self::open(path),
        }
    }

    fn with_backend(backend: Backend) -> Self {
        Self {
            backend,
            holder: leases::holder_name(),
        }
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

    /// A write transaction, committed if `f` returns `Ok` and rolled back otherwise.
    pub(crate) fn write<T>(
        &self,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T, DbError>,
    ) -> Result<T, ProxyError> {
        Ok(match &self.backend {
            Backend::Sqlite(db) => db.write(f)?,
            Backend::Postgres(db) => db.write(f)?,
        })
    }

    /// A read: one consistent view, never waiting for a write.
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T, DbError>,
    ) -> Result<T, ProxyError> {
        Ok(match &self.backend {
            Backend::Sqlite(db) => db.read(f)?,
            Backend::Postgres(db) => db.read(f)?,
        })
    }
}
