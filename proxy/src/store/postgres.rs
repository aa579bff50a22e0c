//! The shared backend: a PostgreSQL server (`FEEDFRAME_DATABASE_URL=postgres://…`) that several
//! `feedframe` instances use at once.
//!
//! The driver is async (tokio-postgres, pooled by deadpool). Its connections live on a small
//! runtime of their own, so the store's blocking interface (the same as SQLite's, called on
//! blocking threads through `Store::run`) can wait for them from any thread. A connection the
//! server dropped (a restart) is replaced on its next use.

use std::future::Future;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio::runtime::{Handle, Runtime, RuntimeFlavor};
use tokio_postgres::NoTls;
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};

use crate::error::ProxyError;
use crate::store::sql::{DbError, Row, Tx, Value, numbered_dollars};

/// The versioned migrations, applied in order and recorded in `schema_migrations`.
const MIGRATIONS: [&str; 3] = [
    include_str!("postgres/migrations/0001_baseline.sql"),
    include_str!("postgres/migrations/0002_leases.sql"),
    include_str!("postgres/migrations/0003_moderation.sql"),
];

/// Instances starting together run the migrations one after the other (an advisory lock held for
/// the migrating transaction only).
const MIGRATION_LOCK: i64 = 0x0FEE_DF8A;

/// How long to wait for a connection (new or free) before the call fails.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections per instance.
const POOL_SIZE: usize = 16;

pub struct Postgres {
    pool: Pool,
    /// Where the pool's connections run. `None` only while dropping.
    runtime: Option<Runtime>,
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // Dropping a runtime waits for its tasks, which an async caller must not do.
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl Postgres {
    /// Connects to the database at `url` and brings its schema up to date.
    pub fn connect(url: &str) -> Result<Self, ProxyError> {
        let invalid = |why: String| {
            ProxyError::Invalid(format!(
                "FEEDFRAME_DATABASE_URL is not a usable PostgreSQL URL: {why}"
            ))
        };
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|e: tokio_postgres::Error| invalid(e.to_string()))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let place = place(&config);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("feedframe-postgres")
            .enable_all()
            .build()
            .map_err(|e| invalid(format!("cannot start its runtime: {e}")))?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(CONNECT_TIMEOUT))
            .create_timeout(Some(CONNECT_TIMEOUT))
            .recycle_timeout(Some(CONNECT_TIMEOUT))
            .build()
            .map_err(|e| invalid(e.to_string()))?;
        let store = Self {
            pool,
            runtime: Some(runtime),
        };
        // Named by `host:port/dbname`, never with its password.
        store
            .migrate()
            .map_err(|e| ProxyError::Invalid(format!("PostgreSQL at {place}: {e}")))?;
        Ok(store)
    }

    fn block_on<F: Future>(&self, f: F) -> F::Output {
        block_on(self.runtime.as_ref().expect("runtime until drop"), f)
    }

    fn migrate(&self) -> Result<(), DbError> {
        self.block_on(async {
            let mut client = self.pool.get().await.map_err(unavailable)?;
            let tx = client.transaction().await?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
                .await?;
            tx.batch_execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (
                     version    BIGINT PRIMARY KEY,
                     applied_at BIGINT NOT NULL
                 )",
            )
            .await?;
            let applied: i64 = tx
                .query_one(
                    "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                    &[],
                )
                .await?
                .get(0);
            for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied as usize) {
                tx.batch_execute(sql).await?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                    &[&(i as i64 + 1), &crate::clock::now()],
                )
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// A transaction, committed if `f` returns `Ok`.
    pub fn write<T>(
        &self,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        self.transaction(false, f)
    }

    /// A read-only transaction: one consistent view of the database.
    pub fn read<T>(&self, f: impl FnOnce(&mut Tx<'_>) -> Result<T, DbError>) -> Result<T, DbError> {
        self.transaction(true, f)
    }

    fn transaction<T>(
        &self,
        read_only: bool,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        let rt = self.runtime.as_ref().expect("runtime until drop");
        let mut client = block_on(rt, self.pool.get()).map_err(unavailable)?;
        let mut builder = client.build_transaction();
        if read_only {
            builder = builder
                .read_only(true)
                .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead);
        }
        let tx = block_on(rt, builder.start())?;
        let out = f(&mut Tx::Postgres(PgTx { tx: &tx, rt }))?;
        block_on(rt, tx.commit())?;
        Ok(out)
    }
}

/// Waits for `f` on `rt` from synchronous code; from an async worker it first tells tokio that
/// this thread blocks (a visitor's request is never answered from such a path, see `Store::run`).
fn block_on<F: Future>(rt: &Runtime, f: F) -> F::Output {
    match Handle::try_current() {
        Ok(h) if h.runtime_flavor() == RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(|| rt.block_on(f))
        }
        _ => rt.block_on(f),
    }
}

fn unavailable(e: deadpool_postgres::PoolError) -> DbError {
    DbError::Unavailable(e.to_string())
}

/// `host:port/dbname` of a connection config.
fn place(config: &tokio_postgres::Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map(|h| match h {
            tokio_postgres::config::Host::Tcp(name) => name.clone(),
            #[cfg(unix)]
            tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!("{host}:{port}/{}", config.get_dbname().unwrap_or(""))
}

/// A transaction of [`Postgres`], for [`Tx`].
pub struct PgTx<'a> {
    tx: &'a deadpool_postgres::Transaction<'a>,
    rt: &'a Runtime,
}

impl PgTx<'_> {
    pub fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        let sql = numbered_dollars(sql);
        let params: Vec<&(dyn ToSql + Sync)> = params.iter().map(|v| v as _).collect();
        block_on(self.rt, async {
            let stmt = self.tx.prepare_cached(&sql).await?;
            Ok(self.tx.execute(&stmt, &params).await?)
        })
    }

    pub fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        let sql = numbered_dollars(sql);
        let params: Vec<&(dyn ToSql + Sync)> = params.iter().map(|v| v as _).collect();
        let rows = block_on(self.rt, async {
            let stmt = self.tx.prepare_cached(&sql).await?;
            self.tx.query(&stmt, &params).await
        })?;
        rows.iter().map(row).collect()
    }
}

fn row(r: &tokio_postgres::Row) -> Result<Row, DbError> {
    let mut values = Vec::with_capacity(r.len());
    for (i, column) in r.columns().iter().enumerate() {
        let decode = |e: tokio_postgres::Error| DbError::Decode {
            column: i,
            message: e.to_string(),
        };
        let ty = column.type_();
        let value = if *ty == Type::INT8 {
            r.try_get::<_, Option<i64>>(i)
                .map_err(decode)?
                .map(Value::Int)
        } else if *ty == Type::INT4 {
            r.try_get::<_, Option<i32>>(i)
                .map_err(decode)?
                .map(|n| Value::Int(n.into()))
        } else if *ty == Type::INT2 {
            r.try_get::<_, Option<i16>>(i)
                .map_err(decode)?
                .map(|n| Value::Int(n.into()))
        } else if *ty == Type::BOOL {
            r.try_get::<_, Option<bool>>(i)
                .map_err(decode)?
                .map(|b| Value::Int(b.into()))
        } else if *ty == Type::TEXT || *ty == Type::VARCHAR || *ty == Type::NAME {
            r.try_get::<_, Option<String>>(i)
                .map_err(decode)?
                .map(Value::Text)
        } else {
            return Err(DbError::Decode {
                column: i,
                message: format!("unsupported type {ty}"),
            });
        };
        values.push(value.unwrap_or(Value::Null));
    }
    Ok(Row(values))
}

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(n) if *ty == Type::INT4 => i32::try_from(*n)?.to_sql(ty, out),
            Value::Int(n) if *ty == Type::INT2 => i16::try_from(*n)?.to_sql(ty, out),
            Value::Int(n) if *ty == Type::BOOL => (*n != 0).to_sql(ty, out),
            Value::Int(n) => n.to_sql(ty, out),
            Value::Text(s) => s.to_sql(ty, out),
        }
    }

    // Each value is written as the type the statement expects (see `to_sql`).
    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// The variable naming the PostgreSQL server tests make their databases on (`./x test` starts
/// one on loopback and sets it).
pub const TEST_SERVER_ENV: &str = "FEEDFRAME_TEST_POSTGRES";

/// The test PostgreSQL server's URL (its maintenance database).
///
/// # Panics
/// When [`TEST_SERVER_ENV`] is not set: the PostgreSQL half of the tests cannot run without it.
pub fn test_server() -> String {
    std::env::var(TEST_SERVER_ENV).unwrap_or_else(|_| {
        panic!(
            "{TEST_SERVER_ENV} is not set: run the tests with `./x test`, which starts a \
             throwaway PostgreSQL on loopback (or `scripts/postgres start` and export what it prints)"
        )
    })
}

/// Creates an empty database on the test server and returns its URL. For tests and benchmarks.
pub fn fresh_test_database() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let server = test_server();
    let name = format!(
        "feedframe_{}_{}_{}",
        std::process::id(),
        crate::clock::now(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    // On a thread of its own: the caller may be async.
    let (url, create) = (server.clone(), format!("CREATE DATABASE {name}"));
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        rt.block_on(async {
            let (client, connection) = tokio_postgres::connect(&url, NoTls)
                .await
                .expect("the test PostgreSQL server accepts connections");
            let task = tokio::spawn(connection);
            client
                .batch_execute(&create)
                .await
                .expect("CREATE DATABASE");
            drop(client);
            let _ = task.await;
        });
    })
    .join()
    .expect("the database is created");
    database_url(&server, &name)
}

/// `server`'s URL with its database replaced by `name`.
fn database_url(server: &str, name: &str) -> String {
    let (base, query) = server
        .split_once('?')
        .map_or((server, None), |(b, q)| (b, Some(q)));
    let rest = base.split_once("://").map_or(base, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or(rest);
    let mut url = format!("postgres://{authority}/{name}");
    if let Some(q) = query {
        url.push('?');
        url.push_str(q);
    }
    url
}
