//! `GET /admin/snippet`: the snippet builder (`feedframe_console_ui::Builder`). Its form is read
//! by the widget's own option parser; the preview is the real widget's iframe page from this
//! server; the snippets name this server by its public URL (`FEEDFRAME_PUBLIC_URL`), else by the
//! address the browser used.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use feedframe_console_ui::BuilderData;
use feedframe_console_ui::snippet::builder_options;
use leptos::prelude::*;

use crate::server::AppState;

use super::access::unavailable;
use super::session::SignedIn;
use super::view::{self, BuilderPage};

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
    // The builder's fields as asked for; it reads them with the widget's parser (see
    // `feedframe_console_ui::builder::built`), here for the page and in the browser on each change.
    let fields = builder_options()
        .filter_map(|name| query.get(name).map(|v| (name.to_string(), v.clone())))
        .collect();
    let builder = BuilderData {
        feeds,
        base: base_url(state.console.config.public_url.as_deref(), &headers),
        fields,
    };
    let csrf = signed.csrf().to_string();
    view::html(
        StatusCode::OK,
        view::document(move || view! { <BuilderPage builder csrf /> }),
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
