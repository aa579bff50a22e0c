//! Host pages: the foreign sites that embed the widget, served on their own loopback origin.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

/// A tiny web server for test pages. Pages are added by name and served at `/{name}`.
#[derive(Clone)]
pub struct HostPage {
    pages: Arc<Mutex<HashMap<String, String>>>,
    base: String,
}

impl HostPage {
    pub async fn start() -> HostPage {
        let pages = Arc::new(Mutex::new(HashMap::new()));
        let app = Router::new()
            .route("/{name}", get(page))
            .with_state(Arc::clone(&pages));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        HostPage { pages, base }
    }

    /// Adds a page with `body` inside a minimal HTML document and returns its URL.
    pub fn page(&self, name: &str, head: &str, body: &str) -> String {
        let html = format!(
            "<!doctype html><html lang=en><head><meta charset=utf-8>\
             <meta name=viewport content=\"width=device-width, initial-scale=1\">\
             <link rel=icon href=\"data:,\"><title>{name}</title>{head}</head><body>{body}</body></html>"
        );
        self.pages
            .lock()
            .expect("pages")
            .insert(name.to_string(), html);
        format!("{}/{name}", self.base)
    }
}

async fn page(
    State(pages): State<Arc<Mutex<HashMap<String, String>>>>,
    Path(name): Path<String>,
) -> Response {
    let html = pages.lock().expect("pages").get(&name).cloned();
    match html {
        Some(html) => ([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response(),
        None => axum::http::StatusCode::NOT_FOUND.into_response(),
    }
}
