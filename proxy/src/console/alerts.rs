//! `GET /admin/alerts`: where alerts go (the webhook's host, the e-mail recipients, never a
//! secret), a "Send test alert" button (`POST /admin/alerts/test`), and the delivery log.

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::*;

use crate::alerts::{self, DeliveryRecord};
use crate::clock;
use crate::server::AppState;

use super::access::{CsrfForm, unavailable};
use super::session::SignedIn;
use super::view::{self, AlertsPage, AlertsView};

/// Deliveries the page lists (the newest).
const SHOWN: usize = 50;

/// `GET /admin/alerts`.
pub async fn page(State(state): State<AppState>, signed: SignedIn) -> Response {
    let deliveries = match state.console.store.run(|s| s.deliveries(SHOWN)).await {
        Ok(d) => d,
        Err(e) => {
            tracing::error!("cannot read the alert deliveries: {e}");
            return unavailable();
        }
    };
    let page = AlertsView {
        channels: state
            .console
            .alerts
            .channels()
            .into_iter()
            .map(|c| (c.channel.as_str(), c.target))
            .collect(),
        deliveries: deliveries.iter().map(line).collect(),
        notice: state.console.take_notice(&signed.id_hash),
    };
    let csrf = signed.csrf().to_string();
    view::html(
        StatusCode::OK,
        view::document(move || view! { <AlertsPage page csrf /> }),
    )
}

/// One delivery as the log shows it: when, what, where, how it ended.
fn line(d: &DeliveryRecord) -> [String; 5] {
    let what = if d.feed.is_empty() {
        d.event.clone()
    } else {
        format!("{} ({})", d.event, d.feed)
    };
    [
        clock::human(d.at),
        what,
        d.channel.as_str().to_string(),
        d.outcome.as_str().to_string(),
        format!(
            "{} after {} attempt{}",
            d.status,
            d.attempts,
            if d.attempts == 1 { "" } else { "s" }
        ),
    ]
}

/// `POST /admin/alerts/test`: a `test` alert on every channel now.
pub async fn test(
    State(state): State<AppState>,
    signed: SignedIn,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Some(page) = signed.csrf_refusal(&form.csrf) {
        return page;
    }
    let sent = alerts::send_test(&state.console.alerts).await;
    let words = if sent.is_empty() {
        "No alert channel is set up: nothing was sent.".to_string()
    } else {
        sent.iter()
            .map(|d| {
                format!(
                    "{}: {} ({})",
                    d.channel.as_str(),
                    d.outcome.as_str(),
                    d.status
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    state
        .console
        .notify(&signed.id_hash, format!("Test alert sent. {words}"));
    Redirect::to("/admin/alerts").into_response()
}
