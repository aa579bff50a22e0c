//! The console's stylesheet, and the wasm that hydrates its interactive parts (built from
//! `console-ui/` into `dist/console/` and compiled into this binary, see `build.rs`). Served from
//! this server, as the CSP requires.

use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};

use crate::server::widget_assets::{CONSOLE_FILES, WidgetAssets};

const CSS: &str = include_str!("assets/console.css");

/// `GET /admin/console.css`
pub async fn css() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS).into_response()
}

/// The console's module script (the glue, which starts the wasm), as `/admin/ui/<file>`; `None`
/// in a binary built without it (the pages then work as plain forms).
pub fn entry() -> Option<String> {
    CONSOLE_FILES
        .iter()
        .map(|(name, _)| *name)
        .find(|name| name.ends_with(".js"))
        .map(|name| format!("/admin/ui/{name}"))
}

/// `GET /admin/ui/{file}`: the glue and the wasm, immutable (their names carry content hashes).
pub async fn ui(Path(file): Path<String>, headers: HeaderMap) -> Response {
    static FILES: OnceLock<WidgetAssets> = OnceLock::new();
    FILES
        .get_or_init(|| WidgetAssets::from_static(CONSOLE_FILES))
        .conditional(&file, false, &headers)
}
