//! The built widget's files, compiled in (see `build.rs`) or read from `FEEDFRAME_WIDGET_DIR`, and
//! their routes (`/widget.js`, `/widget/{file}`); and the console's wasm (`CONSOLE_FILES`, always
//! compiled in).

use std::collections::HashMap;
use std::path::Path;

use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::server::api_error::error_response;
use crate::server::conditional::{if_none_match, not_modified};
use crate::server::router::AppState;

include!(concat!(env!("OUT_DIR"), "/widget_files.rs"));

/// File name → bytes and ETag.
pub struct WidgetAssets {
    files: HashMap<String, (Vec<u8>, String)>,
}

impl WidgetAssets {
    /// The files compiled into this binary.
    pub fn embedded() -> Self {
        Self::from_static(WIDGET_FILES)
    }

    /// Files compiled in (the widget's, or the console's [`CONSOLE_FILES`]).
    pub fn from_static(files: &[(&str, &[u8])]) -> Self {
        Self::from_pairs(files.iter().map(|(n, b)| ((*n).to_string(), b.to_vec())))
    }

    /// The files of a directory (for development: serve a fresh `trunk build` without rebuilding).
    pub fn from_dir(dir: &Path) -> std::io::Result<Self> {
        let mut pairs = Vec::new();
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_file()
                && let Some(name) = path.file_name().and_then(|n| n.to_str())
            {
                pairs.push((name.to_string(), std::fs::read(&path)?));
            }
        }
        Ok(Self::from_pairs(pairs.into_iter()))
    }

    fn from_pairs(pairs: impl Iterator<Item = (String, Vec<u8>)>) -> Self {
        let files = pairs
            .map(|(name, bytes)| {
                let etag = format!("\"{:016x}\"", crate::codec::fnv1a(&bytes));
                (name, (bytes, etag))
            })
            .collect();
        Self { files }
    }

    /// Changes whenever any file does: the server's views must match the wasm that hydrates them.
    pub fn fingerprint(&self) -> u64 {
        let mut names: Vec<&String> = self.files.keys().collect();
        names.sort();
        let etags: String = names.iter().map(|n| self.files[*n].1.as_str()).collect();
        crate::codec::fnv1a(etags.as_bytes())
    }

    /// Whether a widget is available at all.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Serves one file. Hashed names are immutable; the loader and other names are short-lived.
    pub fn response(&self, name: &str, loader: bool) -> Response {
        let Some((bytes, etag)) = self.files.get(name) else {
            let message = if self.files.is_empty() {
                "the widget was not built into this binary: run the README's demo or test command, which builds it"
            } else {
                "no such widget file"
            };
            return error_response(StatusCode::NOT_FOUND, "not_found", message);
        };
        let cache = if !loader && is_hashed(name) {
            "public, max-age=31536000, immutable"
        } else {
            "public, max-age=300"
        };
        let mut response = bytes.clone().into_response();
        let h = response.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(content_type(name)),
        );
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        h.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        h.insert(header::ETAG, HeaderValue::from_str(etag).expect("hex etag"));
        response
    }
}

impl WidgetAssets {
    /// [`WidgetAssets::response`], or `304 Not Modified` when the request's `If-None-Match` has
    /// the file's ETag.
    pub fn conditional(&self, name: &str, loader: bool, request: &HeaderMap) -> Response {
        let response = self.response(name, loader);
        let fresh = response
            .headers()
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|etag| if_none_match(request, etag));
        if response.status() == StatusCode::OK && fresh {
            let (mut parts, _) = response.into_parts();
            parts.headers.remove(header::CONTENT_LENGTH);
            return not_modified(parts.headers);
        }
        response
    }
}

/// `GET /widget.js`: the loader.
pub(crate) async fn loader(State(state): State<AppState>, headers: HeaderMap) -> Response {
    state.widget.conditional("widget.js", true, &headers)
}

/// `GET /widget/{file}`: the widget's other files (glue, wasm, CSS).
pub(crate) async fn file(
    State(state): State<AppState>,
    UrlPath(file): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    state.widget.conditional(&file, false, &headers)
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("html") => "text/html; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

/// Trunk's hashed names carry `-<hex hash>` (`feedframe-widget-23e5dbfb1b03cbf_bg.wasm`); the
/// hash is a u64 in hex without leading zeros, so 8 to 16 digits.
fn is_hashed(name: &str) -> bool {
    let b = name.as_bytes();
    b.iter().enumerate().any(|(i, &c)| {
        let digits = b[i + 1..]
            .iter()
            .take_while(|d| d.is_ascii_hexdigit())
            .count();
        c == b'-'
            && (8..=16).contains(&digits)
            && matches!(b.get(i + 1 + digits), Some(b'_' | b'.'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hashed_names_are_immutable() {
        assert!(is_hashed("feedframe_widget-3f2a9c0d1e2b4a5f_bg.wasm"));
        assert!(is_hashed("feedframe_widget-3f2a9c0d1e2b4a5f.js"));
        assert!(
            is_hashed("feedframe-widget-23e5dbfb1b03cbf.js"),
            "15 digits: a leading zero"
        );
        assert!(!is_hashed("widget.js"));
        assert!(!is_hashed("feedframe-widget.js"));
        assert_eq!(content_type("x_bg.wasm"), "application/wasm");
    }
}
