//! Stores for the unit tests of every concern: a fresh SQLite file or PostgreSQL database, a feed
//! with a token, and a feed JSON snapshot naming mirrored images.

use super::{NewToken, Store};
use crate::instagram::secret::Secret;

/// A fresh SQLite store in a temporary directory, which lives as long as the returned guard.
pub fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("feedframe.db")).unwrap();
    (dir, store)
}

/// A fresh database on the test PostgreSQL server (see [`crate::store::postgres::test_server`]).
pub fn postgres_store() -> Store {
    Store::connect(&crate::store::postgres::fresh_test_database()).unwrap()
}

/// Runs `test` on a fresh store of each backend: the same behaviour on both.
pub fn on_both(test: impl Fn(&Store)) {
    let (_dir, sqlite) = store();
    eprintln!("backend: SQLite");
    test(&sqlite);
    let postgres = postgres_store();
    eprintln!("backend: PostgreSQL");
    test(&postgres);
}

/// Runs `test` on two stores sharing one fresh database (two instances), on each backend.
pub fn on_both_shared(test: impl Fn(&Store, &Store)) {
    let (dir, sqlite) = store();
    let second = Store::open(&dir.path().join("feedframe.db")).unwrap();
    eprintln!("backend: SQLite");
    test(&sqlite, &second);
    let url = crate::store::postgres::fresh_test_database();
    let (first, second) = (Store::connect(&url).unwrap(), Store::connect(&url).unwrap());
    eprintln!("backend: PostgreSQL");
    test(&first, &second);
}

/// Adds feed `feed` with an active token (string `t`, no known expiry) at `now`, for the
/// Instagram account `user_id`.
pub fn add_feed(store: &Store, feed: &str, user_id: Option<&str>, now: i64) {
    let token = Secret::new("t");
    let new = NewToken {
        feed,
        token: &token,
        username: "u",
        user_id,
        app_user_id: None,
        expires_at: None,
        allowed_origins: &[],
    };
    store.put_token(&new, now).unwrap();
}

/// Feed `feed`'s JSON with one image post per digest, each naming `/media/<digest>.640.jpg` and
/// its variant `/media/<digest>.320.webp`.
pub fn snapshot(feed: &str, digests: &[&str]) -> String {
    let posts: Vec<String> = digests
        .iter()
        .enumerate()
        .map(|(i, d)| {
            format!(
                r#"{{"id":"{i}","kind":"image","permalink":"p","timestamp":"t","media":[{{"url":"/media/{d}.640.jpg","variants":[{{"url":"/media/{d}.320.webp","width":320,"height":400,"type":"image/webp"}}]}}]}}"#
            )
        })
        .collect();
    format!(
        r#"{{"version":1,"feed":"{feed}","status":"live","profile":{{"username":"u","profile_url":"x"}},"posts":[{}]}}"#,
        posts.join(",")
    )
}
