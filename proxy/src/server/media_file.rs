//! `GET /media/{file}`: a mirrored image or video, whole or by byte range (a `<video>` seeks
//! with range requests), streamed from the media store: only the bytes asked for are read.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::media::files::{CACHE_CONTROL, MediaName};
use crate::server::api_error::error_response;
use crate::server::byte_range::{Ranged, content_range, requested, unsatisfied_range};
use crate::server::conditional::{if_none_match, not_modified};
use crate::server::router::AppState;

/// A mirrored file. Names are content addresses, so a response never changes: cached for a
/// year, immutable, with the name as a strong ETag (which `If-None-Match` and `If-Range` name).
pub(crate) async fn media_file(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let missing = || {
        error_response(
            StatusCode::NOT_FOUND,
            "media_not_found",
            "no such media file",
        )
    };
    let unreadable = |e: crate::error::ProxyError| {
        tracing::error!(file = %file, "cannot read a media file: {e}");
        error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the file cannot be served right now",
        )
    };
    let Some(name) = MediaName::parse(&file) else {
        return missing();
    };
    let etag = format!("\"{}\"", name.file_name());
    let mut out = HeaderMap::new();
    out.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(name.format.mime()),
    );
    out.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
    out.insert(
        header::ETAG,
        HeaderValue::from_str(&etag).expect("the name is ascii"),
    );
    out.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    out.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    out.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // The name is the content: a client holding it needs no byte of the file.
    if if_none_match(&headers, &etag) {
        return not_modified(out);
    }
    let len = match state.media.size(&name).await {
        Ok(Some(len)) => len,
        Ok(None) => return missing(),
        Err(e) => return unreadable(e),
    };
    let (status, range) = match requested(&headers, &etag, len) {
        Ranged::Full => (StatusCode::OK, 0..len),
        Ranged::Partial(range) => {
            let value = content_range(&range, len);
            out.insert(
                header::CONTENT_RANGE,
                HeaderValue::from_str(&value).expect("digits"),
            );
            (StatusCode::PARTIAL_CONTENT, range)
        }
        Ranged::Unsatisfiable => {
            // About this request only: not to be cached as the file.
            out.remove(header::CACHE_CONTROL);
            out.remove(header::CONTENT_TYPE);
            let value = unsatisfied_range(len);
            out.insert(
                header::CONTENT_RANGE,
                HeaderValue::from_str(&value).expect("digits"),
            );
            return (StatusCode::RANGE_NOT_SATISFIABLE, out).into_response();
        }
    };
    out.insert(
        header::CONTENT_LENGTH,
        HeaderValue::from(range.end - range.start),
    );
    match state.media.read_range(&name, range).await {
        Ok(Some(stream)) => (status, out, Body::from_stream(stream)).into_response(),
        Ok(None) => missing(),
        Err(e) => unreadable(e),
    }
}
