//! The CDN listener: serves JPEGs and MP4s at signed URLs until their `oe` passes (API.md §6).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use crate::asset::{Asset, resolve, video_bytes};
use crate::cdn_url::verify;
use crate::fault::Route;
use crate::inject::{cdn_fault, next_fault};
use crate::jpeg::jpeg_bytes;
use crate::state::Shared;

/// The CDN router (every path goes through [`handle`]).
pub(crate) fn cdn_router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(handle).with_state(shared)
}

fn with_type(status: StatusCode, content_type: &'static str, body: impl IntoResponse) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::SERVER, HeaderValue::from_static("proxygen-bolt"));
    response
}

async fn handle(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    shared.count(Some(Route::Cdn));
    if let Some(fault) = next_fault(&shared, Some(Route::Cdn), None).await {
        return cdn_fault(fault);
    }
    let path = uri.path();
    let asset = {
        let book = shared.book();
        resolve(path, &book.posts, &shared.account.user_id)
    };
    let Some(asset) = asset else {
        return with_type(StatusCode::NOT_FOUND, "text/plain", "Not Found");
    };
    if let Err(problem) = verify(path, uri.query().unwrap_or_default(), shared.clock.now()) {
        return with_type(StatusCode::FORBIDDEN, "text/plain", problem.body());
    }
    match asset {
        Asset::Mp4 { id } => with_type(StatusCode::OK, "video/mp4", video_bytes(&id)),
        Asset::Jpeg {
            width,
            height,
            seed,
        } => {
            let bytes = jpeg(&shared, path, width, height, seed).await;
            let mut response = with_type(StatusCode::OK, "image/jpeg", bytes);
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("max-age=1209600, no-transform"),
            );
            response
        }
    }
}

/// The JPEG for `path`, encoded on first request (off the async threads) and cached.
async fn jpeg(shared: &Shared, path: &str, width: u32, height: u32, seed: u64) -> Bytes {
    let key = (path.to_string(), width, height);
    let cached = shared
        .jpegs
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&key)
        .cloned();
    if let Some(bytes) = cached {
        return bytes;
    }
    let bytes = tokio::task::spawn_blocking(move || jpeg_bytes(width, height, seed))
        .await
        .unwrap_or_else(|_| jpeg_bytes(1, 1, seed));
    let bytes = Bytes::from(bytes);
    shared
        .jpegs
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key, bytes.clone());
    bytes
}
