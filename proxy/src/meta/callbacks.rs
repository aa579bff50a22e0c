//! The handlers of Meta's callbacks (see the module above). A refused request changes nothing
//! and answers 400 in the proxy's error format; neither the `signed_request` nor the secret is
//! ever logged.

use std::collections::HashSet;
use std::sync::Arc;

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::deletions::DeletionState;
use super::signed_request::{self, SignedRequest};
use crate::clock;
use crate::error::ProxyError;
use crate::media::mirror::Mirror;
use crate::server::{AppState, error_response};
use crate::store::Store;

/// The `app_removed` event's words: the console shows "app removed: reconnect" for it.
pub const APP_REMOVED: &str =
    "the account removed FeedFrame's access (Meta's deauthorize callback)";

/// Meta's form.
#[derive(Deserialize)]
pub struct SignedForm {
    #[serde(default)]
    signed_request: String,
}

/// `POST /instagram/deauthorize`: the feeds of that account get a revoked token; visitors keep
/// seeing the last good posts, the owner sees "app removed: reconnect" and gets an alert.
pub async fn deauthorize(
    State(state): State<AppState>,
    form: Result<Form<SignedForm>, FormRejection>,
) -> Response {
    let request = match verified(&state, form) {
        Ok(request) => request,
        Err(refusal) => return *refusal,
    };
    let store = Arc::clone(&state.console.store);
    let now = clock::now();
    let revoked = store
        .run(move |s| {
            let mut revoked = Vec::new();
            for feed in s.feeds_of_user(&request.user_id)? {
                if s.revoke_app_removed(&feed, APP_REMOVED, now)? {
                    revoked.push(feed);
                }
            }
            Ok(revoked)
        })
        .await;
    let revoked = match revoked {
        Ok(revoked) => revoked,
        Err(e) => return storage_failed("deauthorize", &e),
    };
    for feed in &revoked {
        // The next request reads the revoked token from the store.
        state.feeds.forget(feed);
    }
    reload(&state).await;
    tracing::info!(feeds = ?revoked, "Meta's deauthorize callback: tokens marked revoked");
    let body = serde_json::json!({"feeds_revoked": revoked.len()});
    (StatusCode::OK, axum::Json(body)).into_response()
}

/// `POST /instagram/data-deletion`: the feeds of that account go now with their token, posts and
/// history; their images go as soon as no fetch is mirroring (without the usual grace period).
/// Answers Meta's `{"url", "confirmation_code"}`.
pub async fn data_deletion(
    State(state): State<AppState>,
    form: Result<Form<SignedForm>, FormRejection>,
) -> Response {
    let request = match verified(&state, form) {
        Ok(request) => request,
        Err(refusal) => return *refusal,
    };
    let Some(public_url) = state.console.config.public_url.clone() else {
        tracing::error!(
            "Meta's data-deletion callback needs FEEDFRAME_PUBLIC_URL for its status link; nothing was deleted"
        );
        return error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_configured",
            "this server has no public URL (FEEDFRAME_PUBLIC_URL) for the deletion's status page",
        );
    };
    let code = crate::console::session::random_token()[..32].to_string();
    let store = Arc::clone(&state.console.store);
    let (key, now) = (code.clone(), clock::now());
    let user = request.user_id;
    let removed = store
        .run(move |s| s.delete_user_feeds(&key, &user, now))
        .await;
    let (feeds, digests) = match removed {
        Ok(removed) => removed,
        Err(e) => return storage_failed("data-deletion", &e),
    };
    for feed in &feeds {
        state.feeds.forget(feed);
    }
    reload(&state).await;
    tracing::info!(feeds = ?feeds, "Meta's data-deletion callback: feeds deleted");
    // The images: once no fetch is mirroring, which nobody should wait for here.
    tokio::spawn(finish_deletion(
        Arc::clone(state.feeds.mirror()),
        store,
        code.clone(),
        digests,
    ));
    let body = serde_json::json!({
        "url": format!("{public_url}/instagram/data-deletion/{code}"),
        "confirmation_code": code,
    });
    (StatusCode::OK, axum::Json(body)).into_response()
}

/// Deletes a request's images (those no other feed names), then marks it done.
async fn finish_deletion(
    mirror: Arc<Mirror>,
    store: Arc<Store>,
    code: String,
    digests: HashSet<String>,
) {
    let purged = match mirror.purge(digests).await {
        Ok(report) => report,
        Err(e) => {
            tracing::error!("the deleted feeds' images could not be deleted: {e}");
            return;
        }
    };
    tracing::info!(
        files = purged.deleted_files,
        "the deleted feeds' images are deleted"
    );
    if let Err(e) = store
        .run(move |s| s.finish_deletion(&code, clock::now()))
        .await
    {
        tracing::error!("cannot mark the deletion done: {e}");
    }
}

/// Finishes the deletions a stop or crash interrupted after their feeds went: their images go
/// now and their status pages then say done.
pub async fn resume_deletions(mirror: Arc<Mirror>, store: Arc<Store>) {
    let pending = match store.run(|s| s.pending_deletions()).await {
        Ok(pending) => pending,
        Err(e) => {
            tracing::error!("cannot read the pending data deletions: {e}");
            return;
        }
    };
    for (code, digests) in pending {
        tracing::info!("finishing an interrupted data deletion");
        finish_deletion(Arc::clone(&mirror), Arc::clone(&store), code, digests).await;
    }
}

/// `GET /instagram/data-deletion/{code}`: what became of a deletion request, for anyone holding
/// its code. Says nothing personal.
pub async fn deletion_status(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    let wellformed = code.len() == 32 && code.bytes().all(|b| b.is_ascii_hexdigit());
    let found = if wellformed {
        let key = code.clone();
        match state.console.store.run(move |s| s.deletion(&key)).await {
            Ok(found) => found,
            Err(e) => return storage_failed("data-deletion status", &e),
        }
    } else {
        None
    };
    let (status, text) = match found {
        None => (
            StatusCode::NOT_FOUND,
            "unknown code: this server has no deletion request with this confirmation code."
                .to_string(),
        ),
        Some(d) if d.state == DeletionState::Done => (
            StatusCode::OK,
            format!(
                "done: {} {} and their posts and images were deleted on {}.",
                d.feeds_removed,
                if d.feeds_removed == 1 {
                    "feed"
                } else {
                    "feeds"
                },
                clock::human(d.done_at.unwrap_or(d.requested_at))
            ),
        ),
        Some(d) => (
            StatusCode::OK,
            format!(
                "pending: received on {}; {} {} and their posts are deleted, their images are \
                 being deleted.",
                clock::human(d.requested_at),
                d.feeds_removed,
                if d.feeds_removed == 1 {
                    "feed"
                } else {
                    "feeds"
                },
            ),
        ),
    };
    let html = format!(
        "<!doctype html><meta charset=utf-8><title>FeedFrame: data deletion</title>\
         <h1>Data deletion request</h1><p>{text}</p>"
    );
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response()
}

/// The signed request of a callback, verified; or the response refusing it (boxed: it is large).
fn verified(
    state: &AppState,
    form: Result<Form<SignedForm>, FormRejection>,
) -> Result<SignedRequest, Box<Response>> {
    let Some(secret) = state.console.config.ig_app_secret.as_ref() else {
        return Err(Box::new(error_response(
            StatusCode::NOT_FOUND,
            "not_configured",
            "Meta's callbacks need the Instagram app secret (FEEDFRAME_IG_APP_SECRET)",
        )));
    };
    let refuse = |message: &str| {
        tracing::warn!("a Meta callback was refused: {message}");
        Box::new(error_response(
            StatusCode::BAD_REQUEST,
            "invalid_signed_request",
            message,
        ))
    };
    let Ok(Form(form)) = form else {
        return Err(refuse("expected a form with a signed_request"));
    };
    signed_request::verify(&form.signed_request, secret, clock::now())
        .map_err(|e| refuse(&e.to_string()))
}

async fn reload(state: &AppState) {
    if let Err(e) = state.feeds.reload_catalog().await {
        tracing::error!("cannot reload the feeds: {e}");
    }
}

fn storage_failed(callback: &str, e: &ProxyError) -> Response {
    tracing::error!("Meta's {callback} callback failed: {e}");
    error_response(
        StatusCode::SERVICE_UNAVAILABLE,
        "internal",
        "the request could not be stored; please retry",
    )
}
