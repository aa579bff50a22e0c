//! The graph listener: path routing (with or without a `/vNN.N/` prefix), counting, token capture,
//! fault injection, then the endpoint's answer with usage headers.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use crate::endpoints::answer;
use crate::fault::Route;
use crate::graph_error::{GraphError, json_response};
use crate::inject::{graph_fault, next_fault};
use crate::state::Shared;
use crate::usage::usage_headers;

/// The graph API router (every path goes through [`handle`]).
pub(crate) fn graph_router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(handle).with_state(shared)
}

/// A parsed graph path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Endpoint {
    /// `/me`
    Me,
    /// `/{id}`: the IG user (same as `/me`) or a media node.
    Node(String),
    /// `/{me|ig_user_id}/media`
    Media(String),
    /// `/{media_id}/children`
    Children(String),
    /// `/refresh_access_token`
    Refresh,
    /// `/access_token` (short-lived → long-lived exchange)
    Exchange,
    /// Anything else.
    Unknown,
}

impl Endpoint {
    /// The counter and fault route of this endpoint.
    fn route(&self, user_id: &str) -> Option<Route> {
        match self {
            Endpoint::Me => Some(Route::Me),
            Endpoint::Node(id) if id == user_id => Some(Route::Me),
            Endpoint::Node(_) | Endpoint::Media(_) => Some(Route::Media),
            Endpoint::Children(_) => Some(Route::Children),
            Endpoint::Refresh => Some(Route::Refresh),
            Endpoint::Exchange => Some(Route::Exchange),
            Endpoint::Unknown => None,
        }
    }
}

fn is_version(segment: &str) -> bool {
    segment.strip_prefix('v').is_some_and(|rest| {
        rest.starts_with(|c: char| c.is_ascii_digit())
            && rest.chars().all(|c| c.is_ascii_digit() || c == '.')
    })
}

/// Splits a path into its optional version and endpoint.
pub(crate) fn parse_path(path: &str) -> (Option<String>, Endpoint) {
    let mut segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let version = match segments.first() {
        Some(first) if is_version(first) => Some(segments.remove(0).to_string()),
        _ => None,
    };
    let endpoint = match segments.as_slice() {
        ["me"] => Endpoint::Me,
        ["refresh_access_token"] => Endpoint::Refresh,
        ["access_token"] => Endpoint::Exchange,
        ["me", "media"] => Endpoint::Media("me".into()),
        [id, "media"] => Endpoint::Media((*id).into()),
        [id, "children"] => Endpoint::Children((*id).into()),
        [id] if id.bytes().all(|b| b.is_ascii_digit()) => Endpoint::Node((*id).into()),
        _ => Endpoint::Unknown,
    };
    (version, endpoint)
}

/// The access token from `?access_token=` or `Authorization: Bearer …` (or `OAuth …`).
fn token_from(params: &HashMap<String, String>, headers: &HeaderMap) -> Option<String> {
    if let Some(token) = params.get("access_token").filter(|t| !t.is_empty()) {
        return Some(token.clone());
    }
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("OAuth "))?;
    Some(token.trim().to_string()).filter(|t| !t.is_empty())
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let (version, endpoint) = parse_path(uri.path());
    let route = endpoint.route(&shared.account.user_id);
    shared.count(route);
    let params: HashMap<String, String> = Query::try_from_uri(&uri)
        .map(|Query(params)| params)
        .unwrap_or_default();
    let token = token_from(&params, &headers);
    if let Some(token) = &token {
        shared.book().seen_tokens.push(token.clone());
    }
    if let Some(fault) = next_fault(&shared, route, token.as_deref()).await {
        return graph_fault(fault, &shared);
    }
    if method != Method::GET {
        let method = method.as_str().to_ascii_lowercase();
        let message = format!("Unsupported {method} request.");
        return GraphError::InvalidParameter(message).into_response();
    }
    match answer(
        &shared,
        &endpoint,
        version.as_deref(),
        &params,
        token.as_deref(),
    ) {
        Ok(body) => {
            let answered = {
                let mut book = shared.book();
                book.answered += 1;
                book.answered - 1
            };
            let mut response = json_response(StatusCode::OK, &body);
            for (name, value) in usage_headers(answered, &shared.account.user_id) {
                if let Ok(value) = HeaderValue::from_str(&value) {
                    response.headers_mut().insert(name, value);
                }
            }
            response
        }
        Err(error) => error.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_with_or_without_a_version() {
        assert_eq!(parse_path("/me"), (None, Endpoint::Me));
        assert_eq!(
            parse_path("/v25.0/me/media"),
            (Some("v25.0".into()), Endpoint::Media("me".into()))
        );
        assert_eq!(
            parse_path("/v26.0/178/media").1,
            Endpoint::Media("178".into())
        );
        assert_eq!(
            parse_path("/123/children").1,
            Endpoint::Children("123".into())
        );
        assert_eq!(parse_path("/v19.0/123").1, Endpoint::Node("123".into()));
        assert_eq!(parse_path("/refresh_access_token").1, Endpoint::Refresh);
        assert_eq!(parse_path("/v25.0/me/feed").1, Endpoint::Unknown);
    }
}
