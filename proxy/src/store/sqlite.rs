//! The embedded backend: one SQLite file in the data dir, in WAL mode with full sync, so a kill -9
//! at any moment keeps the newest valid token and the last good snapshot of every feed.
//!
//! Every call is blocking: another process (the CLI, or a second `serve`) may hold the write lock
//! for seconds. Reads and writes use separate connections: in WAL mode a reader never waits for a
//! writer, so a write stuck behind another process's lock does not hold up the reads queued
//! behind it.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ToSql, TransactionBehavior};

use crate::error::ProxyError;
use crate::store::sql::{DbError, Row, Tx, Value};

/// The versioned migrations, applied in order; `PRAGMA user_version` is the last one applied.
const MIGRATIONS: [&str; 3] = [
    include_str!("sqlite/migrations/0001_baseline.sql"),
    include_str!("sqlite/migrations/0002_leases.sql"),
    include_str!("sqlite/migrations/0003_moderation.sql"),
];

/// Columns added to the baseline's tables before migrations were versioned, for databases made by
/// an older release (`CREATE TABLE IF NOT EXISTS` leaves an existing table as it is).
const ADDED_COLUMNS: [(&str, &str, &str); 2] = [
    ("feeds", "app_user_id", "TEXT"),
    ("meta_deletions", "digests", "TEXT NOT NULL DEFAULT ''"),
];

pub struct Sqlite {
    writer: Mutex<Connection>,
    reader: Mutex<Connection>,
}

impl Sqlite {
    pub fn open(path: &Path) -> Result<Self, ProxyError> {
        if let Some(dir) = path.parent() {
            crate::store::private_files::create_dir(dir)?;
        }
        crate::store::private_files::prepare_db(path)?;
        let open = || -> Result<Connection, DbError> {
            let conn = Connection::open(path)?;
            conn.busy_timeout(std::time::Duration::from_secs(10))?;
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "FULL")?;
            conn.pragma_update(None, "foreign_keys", "ON")?;
            Ok(conn)
        };
        let mut writer = open()?;
        migrate(&mut writer)?;
        let reader = open()?;
        Ok(Self {
            writer: Mutex::new(writer),
            reader: Mutex::new(reader),
        })
    }

    /// A write transaction (taking the write lock at once, so it never fails half-way on a lock
    /// another process took meanwhile).
    pub fn write<T>(
        &self,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        let mut conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&mut Tx::Sqlite(&tx))?;
        tx.commit()?;
        Ok(out)
    }

    /// A read: one consistent snapshot, never waiting for a write, ours or another process's.
    pub fn read<T>(&self, f: impl FnOnce(&mut Tx<'_>) -> Result<T, DbError>) -> Result<T, DbError> {
        let mut conn = self.reader.lock().unwrap_or_else(|p| p.into_inner());
        let tx = conn.transaction()?;
        f(&mut Tx::Sqlite(&tx))
    }
}

fn migrate(conn: &mut Connection) -> Result<(), DbError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let applied: usize = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        tx.execute_batch(sql)?;
        if i == 0 {
            add_missing_columns(&tx)?;
        }
    }
    if applied < MIGRATIONS.len() {
        tx.pragma_update(None, "user_version", MIGRATIONS.len())?;
    }
    tx.commit()?;
    Ok(())
}

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

impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

pub fn execute(tx: &Connection, sql: &str, params: &[Value]) -> Result<u64, DbError> {
    let mut stmt = tx.prepare_cached(sql)?;
    Ok(stmt.execute(rusqlite::params_from_iter(params))? as u64)
}

pub fn query(tx: &Connection, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
    let mut stmt = tx.prepare_cached(sql)?;
    let columns = stmt.column_count();
    let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let mut values = Vec::with_capacity(columns);
        for i in 0..columns {
            values.push(match r.get_ref(i)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(n) => Value::Int(n),
                ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                other => {
                    return Err(DbError::Decode {
                        column: i,
                        message: format!("unsupported type {:?}", other.data_type()),
                    });
                }
            });
        }
        out.push(Row(values));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use rusqlite::Connection;

    use crate::instagram::secret::Secret;
    use crate::store::{NewToken, Store};

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
        let new = NewToken {
            feed: "shop",
            token: &t,
            username: "u",
            user_id: None,
            app_user_id: Some("268"),
            expires_at: None,
            allowed_origins: &[],
        };
        s.put_token(&new, 2).unwrap();
        assert_eq!(s.feeds_of_user("268").unwrap(), ["shop"]);
        drop(s);
        // Opening it again changes nothing.
        assert_eq!(
            Store::open(&path).unwrap().feeds_of_user("268").unwrap(),
            ["shop"]
        );
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
}
