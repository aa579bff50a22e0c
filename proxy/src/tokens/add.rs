//! Adding a feed's token: checked against Instagram (`/me`) first, stored only if accepted.

use crate::clock;
use crate::error::ProxyError;
use crate::instagram::client::{Graph, Me};
use crate::instagram::secret::Secret;
use crate::store::{NewToken, Store};

/// Validates `token` with Instagram and stores it for `feed`, with the account's name. A refusal
/// is `ProxyError::Instagram` with Instagram's reason, and nothing is stored.
pub async fn add_checked(
    graph: &Graph,
    store: &Store,
    feed: &str,
    token: &Secret,
    expires_at: Option<i64>,
    allowed_origins: &[String],
) -> Result<Me, ProxyError> {
    let me = graph.me(token).await?;
    store_checked(store, feed, token, &me, expires_at, allowed_origins)?;
    Ok(me)
}

/// The second half of [`add_checked`]: stores `token`, which `/me` accepted as `me`'s. Blocking
/// (SQLite); async callers run it through [`Store::run`].
pub(crate) fn store_checked(
    store: &Store,
    feed: &str,
    token: &Secret,
    me: &Me,
    expires_at: Option<i64>,
    allowed_origins: &[String],
) -> Result<(), ProxyError> {
    let new = NewToken::checked(feed, token, me, expires_at, allowed_origins);
    store.put_token(&new, clock::now())
}
