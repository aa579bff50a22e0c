//! What each graph endpoint answers once the request got past fault injection.

use std::collections::HashMap;

use crate::asset::Signer;
use crate::fields::{Field, parse_fields};
use crate::graph::Endpoint;
use crate::graph_error::GraphError;
use crate::json::{Json, Obj};
use crate::media::{MediaContext, validate};
use crate::paging::{PageLinks, PageQuery};
use crate::state::Shared;

/// `expires_in` of a refreshed token (the doc's value, ~60 days).
pub(crate) const REFRESH_EXPIRES_IN: i64 = 5_183_944;
/// `expires_in` of an exchanged token (the observed value, ~59.2 days).
pub(crate) const EXCHANGE_EXPIRES_IN: i64 = 5_110_824;
/// The version put in `paging.next` when the request had none.
pub(crate) const DEFAULT_VERSION: &str = "v25.0";

/// Answers a GET on `endpoint`, or the Graph error it deserves.
pub(crate) fn answer(
    shared: &Shared,
    endpoint: &Endpoint,
    version: Option<&str>,
    params: &HashMap<String, String>,
    token: Option<&str>,
) -> Result<Obj, GraphError> {
    let now = shared.clock.now();
    match endpoint {
        Endpoint::Refresh => return refresh(shared, params, token, now),
        Endpoint::Exchange => return exchange(shared, params, token, now),
        _ => {}
    }
    shared.book().tokens.check(token, now)?;
    let fields = params.get("fields").map(|f| parse_fields(f)).transpose()?;
    let user_id = shared.account.user_id.as_str();
    match endpoint {
        Endpoint::Me => me(shared, fields.as_deref(), now),
        Endpoint::Node(id) if id == user_id => me(shared, fields.as_deref(), now),
        Endpoint::Node(id) => node(shared, id, fields.as_deref(), now),
        Endpoint::Media(owner) if owner == "me" || owner == user_id => {
            let links = PageLinks {
                graph_base: &shared.graph_base,
                version: version.unwrap_or(DEFAULT_VERSION),
                user_id,
                fields: params.get("fields").map(String::as_str),
                token: token.unwrap_or_default(),
            };
            media_page(shared, params, fields.as_deref(), &links, now)
        }
        Endpoint::Media(other) => Err(GraphError::UnknownObject(other.clone())),
        Endpoint::Children(id) => children(shared, id, fields.as_deref(), now),
        Endpoint::Refresh | Endpoint::Exchange | Endpoint::Unknown => Err(GraphError::UnknownPath),
    }
}

fn context(shared: &Shared, now: i64) -> MediaContext<'_> {
    MediaContext {
        signer: Signer {
            cdn_base: shared.media_base(),
            now,
        },
        username: &shared.account.username,
        user_id: &shared.account.user_id,
    }
}

/// `/me`: a flat object; `id` (app-scoped) appended when not requested.
fn me(shared: &Shared, fields: Option<&[Field]>, now: i64) -> Result<Obj, GraphError> {
    let default = [
        Field {
            name: "id".into(),
            sub: None,
        },
        Field {
            name: "username".into(),
            sub: None,
        },
    ];
    let account = &shared.account;
    let mut obj = Obj::new();
    for field in fields.unwrap_or(&default) {
        let value: Json = match field.name.as_str() {
            "id" => account.app_scoped_id.clone().into(),
            "user_id" => account.user_id.clone().into(),
            "username" => account.username.clone().into(),
            "name" => account.name.clone().into(),
            "account_type" => "BUSINESS".into(),
            "profile_picture_url" => Signer {
                cdn_base: shared.media_base(),
                now,
            }
            .profile_picture(&account.user_id)
            .into(),
            "followers_count" => account.followers.into(),
            "follows_count" => account.follows.into(),
            "media_count" => (shared.book().posts.len() as i64).into(),
            name => {
                let field = name.to_string();
                return Err(GraphError::NonexistingField {
                    field,
                    node: "IGUser",
                });
            }
        };
        if !obj.contains(&field.name) {
            obj.push(&field.name, value);
        }
    }
    if !obj.contains("id") {
        obj.push("id", account.app_scoped_id.clone());
    }
    Ok(obj)
}

/// `/me/media`: one page of posts plus `paging`.
fn media_page(
    shared: &Shared,
    params: &HashMap<String, String>,
    fields: Option<&[Field]>,
    links: &PageLinks<'_>,
    now: i64,
) -> Result<Obj, GraphError> {
    if let Some(fields) = fields {
        validate(fields)?;
    }
    let get = |key: &str| params.get(key).map(String::as_str);
    let query = PageQuery {
        limit: get("limit"),
        after: get("after"),
        before: get("before"),
    };
    let posts = shared.book().posts.clone();
    let range = query.range(&posts)?;
    let ctx = context(shared, now);
    let data: Vec<Json> = posts[range.clone()]
        .iter()
        .map(|p| ctx.post(p, fields).into())
        .collect();
    let mut page = Obj::new().with("data", data);
    if let Some(paging) = links.paging(&posts, range, query.limit()) {
        page.push("paging", paging);
    }
    Ok(page)
}

/// `/{media_id}`: a post or a carousel child.
fn node(shared: &Shared, id: &str, fields: Option<&[Field]>, now: i64) -> Result<Obj, GraphError> {
    if let Some(fields) = fields {
        validate(fields)?;
    }
    let posts = shared.book().posts.clone();
    let ctx = context(shared, now);
    for post in &posts {
        if post.id == id {
            return Ok(ctx.post(post, fields));
        }
        if let Some(child) = post.children.iter().find(|c| c.id == id) {
            return Ok(ctx.child(child, fields));
        }
    }
    Err(GraphError::UnknownObject(id.to_string()))
}

/// `/{media_id}/children`: `{"data":[…]}` without paging; empty for non-albums.
fn children(
    shared: &Shared,
    id: &str,
    fields: Option<&[Field]>,
    now: i64,
) -> Result<Obj, GraphError> {
    if let Some(fields) = fields {
        validate(fields)?;
    }
    let posts = shared.book().posts.clone();
    let ctx = context(shared, now);
    if let Some(post) = posts.iter().find(|p| p.id == id) {
        let data: Vec<Json> = post
            .children
            .iter()
            .map(|c| ctx.child(c, fields).into())
            .collect();
        return Ok(Obj::new().with("data", data));
    }
    if posts.iter().any(|p| p.children.iter().any(|c| c.id == id)) {
        return Ok(Obj::new().with("data", Vec::<Json>::new()));
    }
    Err(GraphError::UnknownObject(id.to_string()))
}

/// Checks `grant_type`, then issues a fresh token if `token` is alive.
fn grant(
    shared: &Shared,
    params: &HashMap<String, String>,
    grant_type: &str,
    token: Option<&str>,
    now: i64,
    expires_in: i64,
) -> Result<Obj, GraphError> {
    let given = params
        .get("grant_type")
        .map(String::as_str)
        .unwrap_or_default();
    if given != grant_type {
        let message = format!("Invalid grant_type '{given}'. Expected '{grant_type}'.");
        return Err(GraphError::InvalidParameter(message));
    }
    let mut book = shared.book();
    book.tokens.check(token, now)?;
    let new_token = book.tokens.issue(now, now + expires_in);
    Ok(Obj::new()
        .with("access_token", new_token)
        .with("token_type", "bearer")
        .with("expires_in", expires_in))
}

/// `/refresh_access_token?grant_type=ig_refresh_token`: a new string; the old one lives on.
fn refresh(
    shared: &Shared,
    params: &HashMap<String, String>,
    token: Option<&str>,
    now: i64,
) -> Result<Obj, GraphError> {
    grant(
        shared,
        params,
        "ig_refresh_token",
        token,
        now,
        REFRESH_EXPIRES_IN,
    )
}

/// `/access_token?grant_type=ig_exchange_token&client_secret=…`: any live token exchanges for a
/// long-lived one, given the app's secret.
fn exchange(
    shared: &Shared,
    params: &HashMap<String, String>,
    token: Option<&str>,
    now: i64,
) -> Result<Obj, GraphError> {
    let secret = params.get("client_secret").map(String::as_str);
    if secret != Some(shared.book().login.app.secret.as_str()) {
        return Err(GraphError::ClientSecret);
    }
    grant(
        shared,
        params,
        "ig_exchange_token",
        token,
        now,
        EXCHANGE_EXPIRES_IN,
    )
}
