//! `GET /media/{file}`: a mirrored image.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::media::files::{CACHE_CONTROL, MediaName};
use crate::server::api_error::error_response;
use crate::server::conditional::{if_none_match, not_modified};
use crate::server::router::AppState;

/// A mirrored image. Names are content addresses, so a response never changes: cached for a
/// year, immutable, with the name as a strong ETag.
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
    let bytes = match state.media.read(&name).await {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return missing(),
        Err(e) => {
            tracing::error!(file = %file, "cannot read a media file: {e}");
            return error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the image cannot be served right now",
            );
        }
    };
    (out, bytes).into_response()
}
