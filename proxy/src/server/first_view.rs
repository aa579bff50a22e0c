//! The widget's first view, rendered by the widget's own Leptos components (feature `ssr`) so
//! that images paint before the wasm arrives:
//! - `GET /v1/feeds/{feed}/view?layout=…&columns=…&base=…`: the HTML fragment the loader puts
//!   in its shadow root and the wasm hydrates;
//! - `GET /v1/feeds/{feed}/embed?layout=…`: a complete page of it, for iframes, that tells its
//!   parent its height.
//!
//! Options are the embed's attributes, read by the widget's one parser (`Options`); an invalid
//! value gets the default, as in the browser, where the wasm warns about it. Both responses are
//! cached like the JSON (ETag and 304, max-age then stale-while-revalidate, the feed's CORS).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use feedframe_feed::Feed;
use feedframe_widget::{
    Options,
    options::ATTRIBUTES,
    render::{escape, fragment as render_fragment},
};

use crate::codec::fnv1a;
use crate::feeds::cache::Served;
use crate::server::api_error::error_response;
use crate::server::conditional::{if_none_match, not_modified};
use crate::server::feed::{feed_headers, served};
use crate::server::router::AppState;

/// Rendered views kept; past this the cache starts over (a feed's new version renders anew
/// anyway, so old entries are dead weight).
const MAX_RENDERED: usize = 512;

/// Rendered first views by feed version, kind and options.
#[derive(Default)]
pub struct FirstViews {
    rendered: Mutex<HashMap<String, Arc<str>>>,
}

impl FirstViews {
    fn get_or_render(&self, key: &str, render: impl FnOnce() -> String) -> Arc<str> {
        if let Some(html) = self.rendered.lock().expect("not poisoned").get(key) {
            return html.clone();
        }
        let html: Arc<str> = render().into();
        let mut rendered = self.rendered.lock().expect("not poisoned");
        if rendered.len() >= MAX_RENDERED {
            rendered.clear();
        }
        rendered.insert(key.to_string(), html.clone());
        html
    }
}

/// What a request asks for: the options and the proxy's base URL as the page sees it.
struct Request {
    opts: Options,
    base: String,
    /// The option attributes as given, for the embed page's element.
    attributes: Vec<(&'static str, String)>,
}

impl Request {
    fn parse(feed: &str, query: &HashMap<String, String>) -> Result<Self, String> {
        let get = |name: &str| {
            if name == "feed" {
                Some(feed.to_string())
            } else {
                query.get(name).cloned()
            }
        };
        let (opts, _warnings) = Options::from_attributes(get);
        let base = query.get("base").cloned().unwrap_or_default();
        if !base.is_empty() && !is_base_url(&base) {
            return Err(format!(
                "base '{base}' is not the proxy's URL: use http(s)://host[:port][/path]"
            ));
        }
        let attributes = ATTRIBUTES
            .iter()
            .filter_map(|&name| get(name).map(|v| (name, v)))
            .collect();
        Ok(Self {
            opts,
            base: base.trim_end_matches('/').to_string(),
            attributes,
        })
    }

    /// Everything the rendered HTML depends on besides the feed and the widget build.
    fn key(&self, kind: &str) -> String {
        format!("{kind}|{}|{:?}", self.base, self.opts)
    }
}

/// `http(s)://` and no characters that would need escaping anywhere.
fn is_base_url(base: &str) -> bool {
    let rest = base
        .strip_prefix("https://")
        .or_else(|| base.strip_prefix("http://"));
    rest.is_some_and(|r| {
        !r.is_empty()
            && base.len() <= 512
            && r.bytes().all(|b| {
                b.is_ascii_alphanumeric()
                    || matches!(b, b'.' | b'-' | b':' | b'/' | b'_' | b'[' | b']')
            })
    })
}

/// `GET /v1/feeds/{feed}/view`: the fragment.
pub async fn fragment(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    respond(&state, &name, &query, &headers, Kind::Fragment).await
}

/// `GET /v1/feeds/{feed}/embed`: the page for iframes.
pub async fn embed(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    respond(&state, &name, &query, &headers, Kind::Page).await
}

#[derive(Clone, Copy)]
enum Kind {
    Fragment,
    Page,
}

async fn respond(
    state: &AppState,
    name: &str,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
    kind: Kind,
) -> Response {
    let served = match served(state, name).await {
        Ok(served) => served,
        Err(response) => return response,
    };
    let request = match Request::parse(name, query) {
        Ok(request) => request,
        Err(message) => return error_response(StatusCode::BAD_REQUEST, "invalid_option", &message),
    };
    let key = request.key(match kind {
        Kind::Fragment => "view",
        Kind::Page => "embed",
    });
    // A new feed, other options or another widget build make another view.
    let etag = format!(
        "\"{}-{:016x}\"",
        served.etag.trim_matches('"'),
        fnv1a(format!("{key}|{:016x}", state.widget.fingerprint()).as_bytes())
    );
    let out = feed_headers(state, &served, headers, "text/html; charset=utf-8", &etag);
    if if_none_match(headers, &etag) {
        return not_modified(out);
    }
    let cache_key = [etag.as_str(), &key].concat();
    let html = state.views.get_or_render(&cache_key, || {
        let Some(feed) = decode(&served) else {
            return String::new();
        };
        let view = render_fragment(&feed, &request.opts, &request.base);
        match kind {
            Kind::Fragment => view,
            Kind::Page => page(&view, &request.attributes),
        }
    });
    if html.is_empty() {
        return error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the feed cannot be rendered right now",
        );
    }
    (out, html.to_string()).into_response()
}

fn decode(served: &Served) -> Option<Feed> {
    serde_json::from_slice(&served.body)
        .inspect_err(|e| tracing::error!("a served feed does not decode: {e}"))
        .ok()
}

/// The iframe page: the element with the view already in its (declarative) shadow root, the
/// loader (which hydrates it), and a message to the parent page with the height, whenever it
/// changes. Paths are relative to `/v1/feeds/{feed}/embed`, so a path prefix works too.
fn page(view: &str, attributes: &[(&str, String)]) -> String {
    let mut element = String::from("<feedframe-feed");
    for (name, value) in attributes {
        element.push(' ');
        element.push_str(name);
        element.push_str("=\"");
        element.push_str(&escape(value));
        element.push('"');
    }
    element.push('>');
    [
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">",
        "<title>Instagram feed</title><link rel=\"icon\" href=\"data:,\">",
        "<style>html,body{margin:0;background:transparent}</style></head><body>",
        &element,
        "<template shadowrootmode=\"open\">",
        view,
        "</template></feedframe-feed>",
        HEIGHT_SCRIPT,
        "<script src=\"../../../widget.js\" async></script></body></html>",
    ]
    .concat()
}

/// Tells the parent page the content's height, `{feedframe: "height", height}`, whenever it
/// changes: the body's, not the document's scroll height, which is never less than the frame's
/// own (a frame taller than its content would never shrink).
const HEIGHT_SCRIPT: &str = "<script>new ResizeObserver(()=>parent.postMessage({feedframe:\"height\",height:Math.ceil(document.body.getBoundingClientRect().height)},\"*\")).observe(document.body)</script>";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_plain_http_urls() {
        assert!(is_base_url("https://feeds.example.com"));
        assert!(is_base_url("http://127.0.0.1:8080/ff"));
        for bad in [
            "javascript:alert(1)",
            "https://",
            "https://a.example/\"><script>",
            "ftp://a.example",
            "https://a.example/?q=1",
        ] {
            assert!(!is_base_url(bad), "{bad}");
        }
    }

    #[test]
    fn the_embed_page_escapes_attributes() {
        let html = page(
            "<div></div>",
            &[("fallback-text", "\"><script>x</script>".into())],
        );
        assert!(
            html.contains("fallback-text=\"&quot;&gt;&lt;script&gt;x&lt;/script&gt;\""),
            "{html}"
        );
        assert_eq!(html.matches("<script").count(), 2, "{html}");
    }
}
