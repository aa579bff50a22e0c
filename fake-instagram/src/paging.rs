//! Cursor paging for `/media`: `limit` (default 25, cap 100), opaque `QVFI…` cursors, and absolute
//! `next`/`previous` URLs on the fake's own base that carry the version, the numeric IG user id,
//! `fields`, the caller's `access_token`, `limit` and the cursor (API.md §2.2).

use std::ops::Range;

use crate::cdn_url::{base64url, base64url_decode};
use crate::graph_error::GraphError;
use crate::json::Obj;
use crate::post::FakePost;

/// Default page size.
pub(crate) const DEFAULT_LIMIT: usize = 25;
/// Largest page the fake returns.
pub(crate) const MAX_LIMIT: usize = 100;

/// An opaque cursor pointing at `posts[index]` (base64 of `AQHR…`, so it starts with `QVFIU`).
pub(crate) fn cursor(index: usize, id: &str) -> String {
    base64url(format!("AQHR{index}:{id}").as_bytes())
}

/// The index a cursor points at: the post's current position, or its old index if it is gone.
fn resolve_cursor(cursor: &str, posts: &[FakePost]) -> Result<usize, GraphError> {
    let invalid = || GraphError::InvalidParameter("Invalid cursor".to_string());
    let bytes = base64url_decode(cursor).ok_or_else(invalid)?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (index, id) = text
        .strip_prefix("AQHR")
        .and_then(|t| t.split_once(':'))
        .ok_or_else(invalid)?;
    let index: usize = index.parse().map_err(|_| invalid())?;
    Ok(posts.iter().position(|p| p.id == id).unwrap_or(index))
}

/// The paging query parameters of a request.
#[derive(Debug, Default)]
pub(crate) struct PageQuery<'a> {
    pub(crate) limit: Option<&'a str>,
    pub(crate) after: Option<&'a str>,
    pub(crate) before: Option<&'a str>,
}

impl PageQuery<'_> {
    /// The page size: default 25, capped at 100, garbage or zero means the default.
    pub(crate) fn limit(&self) -> usize {
        match self.limit.and_then(|l| l.trim().parse::<usize>().ok()) {
            Some(0) | None => DEFAULT_LIMIT,
            Some(n) => n.min(MAX_LIMIT),
        }
    }

    /// The slice of `posts` this request asks for.
    pub(crate) fn range(&self, posts: &[FakePost]) -> Result<Range<usize>, GraphError> {
        let limit = self.limit();
        let len = posts.len();
        if let Some(after) = self.after {
            let start = (resolve_cursor(after, posts)? + 1).min(len);
            return Ok(start..(start + limit).min(len));
        }
        if let Some(before) = self.before {
            let end = resolve_cursor(before, posts)?.min(len);
            return Ok(end.saturating_sub(limit)..end);
        }
        Ok(0..limit.min(len))
    }
}

/// Where the `next`/`previous` URLs point and what they carry.
pub(crate) struct PageLinks<'a> {
    pub(crate) graph_base: &'a str,
    pub(crate) version: &'a str,
    pub(crate) user_id: &'a str,
    pub(crate) fields: Option<&'a str>,
    pub(crate) token: &'a str,
}

/// Percent-encodes a query value, keeping the characters Graph leaves raw in `fields` (`,{}().`).
pub(crate) fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b",{}()._-".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl PageLinks<'_> {
    fn url(&self, limit: usize, cursor_key: &str, cursor: &str) -> String {
        let fields = self
            .fields
            .map(|f| format!("fields={}&", encode(f)))
            .unwrap_or_default();
        format!(
            "{}/{}/{}/media?{fields}access_token={}&limit={limit}&{cursor_key}={cursor}",
            self.graph_base,
            self.version,
            self.user_id,
            encode(self.token)
        )
    }

    /// The `paging` object for `range` of `total` posts, or `None` for an empty page.
    pub(crate) fn paging(
        &self,
        posts: &[FakePost],
        range: Range<usize>,
        limit: usize,
    ) -> Option<Obj> {
        if range.is_empty() {
            return None;
        }
        let before = cursor(range.start, &posts[range.start].id);
        let after = cursor(range.end - 1, &posts[range.end - 1].id);
        let mut paging = Obj::new().with(
            "cursors",
            Obj::new()
                .with("before", before.clone())
                .with("after", after.clone()),
        );
        if range.start > 0 {
            paging.push("previous", self.url(limit, "before", &before));
        }
        if range.end < posts.len() {
            paging.push("next", self.url(limit, "after", &after));
        }
        Some(paging)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::sample_posts;

    #[test]
    fn limit_defaults_to_25_and_caps_at_100() {
        assert_eq!(PageQuery::default().limit(), 25);
        assert_eq!(
            PageQuery {
                limit: Some("300"),
                ..Default::default()
            }
            .limit(),
            100
        );
        assert_eq!(
            PageQuery {
                limit: Some("abc"),
                ..Default::default()
            }
            .limit(),
            25
        );
    }

    #[test]
    fn after_and_before_cursors_walk_the_list() {
        let posts = sample_posts(7);
        let after = cursor(2, &posts[2].id);
        assert!(after.starts_with("QVFI"));
        let q = PageQuery {
            limit: Some("3"),
            after: Some(&after),
            before: None,
        };
        assert_eq!(q.range(&posts).unwrap(), 3..6);
        let before = cursor(3, &posts[3].id);
        let q = PageQuery {
            limit: Some("2"),
            after: None,
            before: Some(&before),
        };
        assert_eq!(q.range(&posts).unwrap(), 1..3);
        let q = PageQuery {
            limit: None,
            after: Some("not a cursor!"),
            before: None,
        };
        assert!(q.range(&posts).is_err());
    }

    #[test]
    fn the_last_page_has_no_next_and_later_pages_have_previous() {
        let posts = sample_posts(5);
        let links = PageLinks {
            graph_base: "http://g",
            version: "v25.0",
            user_id: "178",
            fields: Some("id,children{id}"),
            token: "IGAAx",
        };
        let first = links.paging(&posts, 0..3, 3).unwrap().to_json_string();
        assert!(first.contains(r#""next":"http://g/v25.0/178/media?fields=id,children{id}&access_token=IGAAx&limit=3&after=QVFI"#));
        assert!(!first.contains("previous"));
        let last = links.paging(&posts, 3..5, 3).unwrap().to_json_string();
        assert!(!last.contains("next") && last.contains("previous"));
    }
}
