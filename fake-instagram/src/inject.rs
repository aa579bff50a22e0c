//! Applying injected faults: which one a request gets, and what it looks like on each listener.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::cdn_url::UrlProblem;
use crate::fault::{Fault, Route};
use crate::graph_error::GraphError;
use crate::state::Shared;

/// The fault a request on `route` with `token` gets, if any, after serving any `Slow` delays.
///
/// One-shot faults come before the token's persistent fault, then the route's; after a `Slow`
/// only a queued fault can follow, so a persistent `Slow` delays each request once and then lets
/// it through.
pub(crate) async fn next_fault(
    shared: &Shared,
    route: Option<Route>,
    token: Option<&str>,
) -> Option<Fault> {
    let mut fault = {
        let mut book = shared.book();
        book.faults
            .take_queued(route)
            .or_else(|| book.faults.for_token(token))
            .or_else(|| book.faults.persistent(route))
    };
    while let Some(Fault::Slow(delay)) = fault {
        tokio::time::sleep(delay).await;
        fault = shared.book().faults.take_queued(route);
    }
    fault
}

fn plain(status: StatusCode, content_type: &'static str, body: impl Into<String>) -> Response {
    let mut response = (status, body.into()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// `Fault::Status`: JSON content type when the body is JSON, else `text/plain`.
fn raw(status: u16, body: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let is_json = serde_json::from_str::<serde_json::Value>(body).is_ok();
    let content_type = if is_json {
        "application/json; charset=UTF-8"
    } else {
        "text/plain; charset=utf-8"
    };
    plain(status, content_type, body)
}

/// How a fault looks on the graph listener.
pub(crate) fn graph_fault(fault: Fault, shared: &Shared) -> Response {
    let now = shared.clock.now();
    let error = match fault {
        // An expiry a day and a bit ago, like the fixture's.
        Fault::Expired => GraphError::Expired {
            expired_at: now - 111_762,
            now,
        },
        Fault::PasswordChanged => GraphError::PasswordChanged,
        Fault::AppRemoved => GraphError::AppRemoved,
        Fault::InvalidToken => GraphError::CannotParseToken,
        Fault::RateLimit403 => GraphError::AppRateLimit,
        Fault::RateLimit400 => GraphError::BucRateLimit {
            user_id: shared.account.user_id.clone(),
        },
        Fault::ServerError => GraphError::Unexpected,
        Fault::Garbage => return plain(StatusCode::OK, "text/html; charset=utf-8", "<html>oops"),
        Fault::Status(status, body) => return raw(status, &body),
        Fault::TooManyRequests(secs) => return too_many_requests(secs),
        Fault::Redirect(location) => return redirect(&location),
        Fault::Slow(_) => unreachable!("next_fault never returns Slow"),
    };
    error.into_response()
}

/// How a fault looks on the CDN listener (plain-text bodies, as the real CDN sends).
pub(crate) fn cdn_fault(fault: Fault) -> Response {
    let forbidden =
        |problem: UrlProblem| plain(StatusCode::FORBIDDEN, "text/plain", problem.body());
    match fault {
        Fault::Expired => forbidden(UrlProblem::Expired),
        Fault::PasswordChanged | Fault::AppRemoved | Fault::InvalidToken => {
            forbidden(UrlProblem::Mismatch)
        }
        Fault::RateLimit403 | Fault::RateLimit400 => {
            plain(StatusCode::FORBIDDEN, "text/plain", "Forbidden")
        }
        Fault::ServerError => plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            "text/plain",
            "Internal Server Error",
        ),
        Fault::Garbage => plain(StatusCode::OK, "image/jpeg", "<html>oops"),
        Fault::Status(status, body) => raw(status, &body),
        Fault::TooManyRequests(secs) => too_many_requests(secs),
        Fault::Redirect(location) => redirect(&location),
        Fault::Slow(_) => unreachable!("next_fault never returns Slow"),
    }
}

/// A load balancer's 429: plain text, no Graph error body, a `Retry-After` in seconds.
fn too_many_requests(retry_after_secs: u64) -> Response {
    let mut response = plain(
        StatusCode::TOO_MANY_REQUESTS,
        "text/plain",
        "Too Many Requests",
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
    response
}

/// `Fault::Redirect`: 302 Found.
fn redirect(location: &str) -> Response {
    let mut response = plain(StatusCode::FOUND, "text/plain", "Found");
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}
