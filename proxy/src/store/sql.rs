//! The SQL every concern writes once, for both backends: statements in one dialect (numbered
//! parameters `?1`, `?2`…, `ON CONFLICT … DO UPDATE`, `RETURNING`, no backend-only functions),
//! their parameters as [`Value`]s and their rows as [`Row`]s. Each backend runs them in its own
//! transaction ([`Tx`]); only the schemas differ per backend (`store/*/migrations`).

use std::fmt;

/// A failure of the database, or a row that does not have the shape its query promised.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("{0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{}", postgres_message(.0))]
    Postgres(#[from] tokio_postgres::Error),
    /// No connection could be had (the server is down, or every connection is busy).
    #[error("no database connection: {0}")]
    Unavailable(String),
    #[error("unexpected value in column {column}: {message}")]
    Decode { column: usize, message: String },
}

/// The server's own words when it sent an error (tokio-postgres says only "db error").
fn postgres_message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        None => e.to_string(),
    }
}

/// One parameter or column value.
#[derive(Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
}

// Values may be tokens or password hashes: never printed.
impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Null => f.write_str("Null"),
            Self::Int(_) => f.write_str("Int(…)"),
            Self::Text(_) => f.write_str("Text(…)"),
        }
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Self::Int(v)
    }
}

impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Self::Int(i64::from(v))
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Self::Text(v.to_owned())
    }
}

impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Self::Text(v.clone())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Self::Text(v)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Self::Null, Into::into)
    }
}

/// Parameters for [`Tx::execute`] and [`Tx::query`]: `args![feed, now]`.
macro_rules! args {
    ($($v:expr),* $(,)?) => {
        &[$($crate::store::sql::Value::from($v)),*]
    };
}
pub(crate) use args;

/// A column value read back as a Rust type.
pub trait FromValue: Sized {
    fn from_value(v: &Value) -> Result<Self, String>;
}

impl FromValue for i64 {
    fn from_value(v: &Value) -> Result<Self, String> {
        match v {
            Value::Int(i) => Ok(*i),
            _ => Err("expected an integer".into()),
        }
    }
}

impl FromValue for u32 {
    fn from_value(v: &Value) -> Result<Self, String> {
        u32::try_from(i64::from_value(v)?).map_err(|e| e.to_string())
    }
}

impl FromValue for String {
    fn from_value(v: &Value) -> Result<Self, String> {
        match v {
            Value::Text(s) => Ok(s.clone()),
            _ => Err("expected text".into()),
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: &Value) -> Result<Self, String> {
        match v {
            Value::Null => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}

/// One row of a query's result.
#[derive(Debug)]
pub struct Row(pub(crate) Vec<Value>);

impl Row {
    /// Column `i` (from 0) as a `T`.
    pub fn get<T: FromValue>(&self, i: usize) -> Result<T, DbError> {
        let v = self.0.get(i).ok_or_else(|| DbError::Decode {
            column: i,
            message: "no such column".into(),
        })?;
        T::from_value(v).map_err(|message| DbError::Decode { column: i, message })
    }
}

/// A transaction on either backend: committed when the closure given to `Store::write` or
/// `Store::read` returns `Ok`, rolled back otherwise.
pub enum Tx<'a> {
    Sqlite(&'a rusqlite::Transaction<'a>),
    Postgres(crate::store::postgres::PgTx<'a>),
}

impl Tx<'_> {
    /// Runs a statement; returns how many rows it changed.
    pub fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        match self {
            Self::Sqlite(tx) => crate::store::sqlite::execute(tx, sql, params),
            Self::Postgres(tx) => tx.execute(sql, params),
        }
    }

    /// Every row of a query.
    pub fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        match self {
            Self::Sqlite(tx) => crate::store::sqlite::query(tx, sql, params),
            Self::Postgres(tx) => tx.query(sql, params),
        }
    }

    /// The first row of a query, if any.
    pub fn query_opt(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>, DbError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }
}

/// `sql` with its `?N` parameters written `$N`, as PostgreSQL wants them (outside quoted text).
pub fn numbered_dollars(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted && chars.peek().is_some_and(char::is_ascii_digit) => out.push('$'),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_parameters_become_dollars_outside_quotes() {
        assert_eq!(
            numbered_dollars("UPDATE t SET a = ?2, b = '?1' WHERE c = ?1 AND d = ?10"),
            "UPDATE t SET a = $2, b = '?1' WHERE c = $1 AND d = $10"
        );
    }

    #[test]
    fn values_never_print_what_they_hold() {
        let v = Value::from("IGAAsecret");
        assert!(!format!("{v:?}").contains("IGAA"));
    }

    #[test]
    fn a_row_reads_back_its_types_and_names_a_mismatch() {
        let row = Row(vec![Value::Int(7), Value::Null, Value::from("x")]);
        assert_eq!(row.get::<i64>(0).unwrap(), 7);
        assert_eq!(row.get::<Option<String>>(1).unwrap(), None);
        assert_eq!(row.get::<String>(2).unwrap(), "x");
        let err = row.get::<i64>(2).unwrap_err().to_string();
        assert!(err.contains("column 2"), "{err}");
    }
}
