//! `GET /admin/snippet`: the snippet builder. Its form is read by the widget's own option
//! parser; the preview is the real widget's iframe page from this server; the snippets name
//! this server by its public URL (`FEEDFRAME_PUBLIC_URL`), else by the address the browser used.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use leptos::prelude::*;

use crate::server::http::AppState;

use super::access::unavailable;
use super::session::SignedIn;
use super::snippet::{self, builder_options};
use super::view::{self, BuilderPage, BuilderView};

/// `GET /admin/snippet?feed=…&layout=…`.
pub async fn page(
    State(state): State<AppState>,
    signed: SignedIn,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let feeds = match state.console.store.run(|s| s.tokens()).await {
        Ok(tokens) => tokens.into_iter().map(|t| t.feed).collect::<Vec<_>>(),
        Err(e) => {
            tracing::error!("cannot read the feeds for the builder: {e}");
            return unavailable();
        }
    };
    let first = feeds.first().cloned();
    let (opts, warnings) = snippet::read(|name| match name {
        "feed" => query.get("feed").cloned().or_else(|| first.clone()),
        other => query.get(other).cloned(),
    });
    let base = base_url(state.console.config.public_url.as_deref(), &headers);
    let snippets = snippet::snippets(&opts, &base);
    let known = feeds.contains(&opts.feed);
    let attributes = snippet::attributes(&opts);
    let fields = builder_options()
        .map(|name| {
            let value = attributes
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            (name, value)
        })
        .collect();
    let page = BuilderView {
        fields,
        warnings: warnings.iter().map(ToString::to_string).collect(),
        preview: known.then(|| {
            format!(
                "/v1/feeds/{}/embed?{}",
                opts.feed,
                snippet::embed_query(&opts)
            )
        }),
        snippets: vec![
            ("snippet-script", "Script tag", snippets.script),
            ("snippet-element", "Custom element", snippets.element),
            ("snippet-iframe", "iframe", snippets.iframe),
            ("snippet-leptos", "Leptos component", snippets.leptos),
        ],
        feeds,
    };
    let csrf = signed.csrf().to_string();
    view::html(
        StatusCode::OK,
        view::document(move || view! { <BuilderPage page csrf /> }),
    )
}

/// The proxy's URL as site owners' pages will name it.
fn base_url(public_url: Option<&str>, headers: &HeaderMap) -> String {
    if let Some(url) = public_url {
        return url.trim_end_matches('/').to_string();
    }
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']')
                })
        })
        .map_or_else(
            || "https://feeds.example.com".to_string(),
            |host| format!("http://{host}"),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn snippets_name_the_public_url_else_the_host_asked_for() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert_eq!(
            base_url(Some("https://feeds.example.org/"), &headers),
            "https://feeds.example.org"
        );
        assert_eq!(base_url(None, &headers), "http://127.0.0.1:8080");
        headers.insert(header::HOST, HeaderValue::from_static("a\"b"));
        assert_eq!(base_url(None, &headers), "https://feeds.example.com");
    }
}
