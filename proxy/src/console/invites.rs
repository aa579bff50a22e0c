//! Invitations for agencies' clients: a single-use link, valid for [`INVITE_SECS`], that lets
//! someone without a console login connect their own Instagram account to one named feed, and
//! shows them nothing else. The link's secret is 32 random bytes; only its SHA-256 is stored, so
//! a changed or made-up link is refused. The console makes them (`POST /admin/invites`), and so
//! does `feedframe admin invite FEED`.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use leptos::prelude::*;
use serde::Deserialize;

use crate::clock;
use crate::config::parse_feed_name;
use crate::error::ProxyError;
use crate::server::AppState;
use crate::store::Store;

use super::access::unavailable;
use super::connect::begin;
use super::session::{SignedIn, id_hash, random_token};
use super::view::{self, InviteCreatedPage, InvitePage, Onward};

/// An invitation lasts 7 days.
pub const INVITE_SECS: i64 = 7 * 86_400;

/// Stores a new invitation for `feed` and returns its link under `public_url`.
pub fn create(store: &Store, feed: &str, public_url: &str) -> Result<String, ProxyError> {
    let secret = random_token();
    let now = clock::now();
    store.create_invite(&id_hash(&secret), feed, now, now + INVITE_SECS)?;
    Ok(format!("{public_url}/admin/invite/{secret}"))
}

#[derive(Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    feed: String,
}

/// `POST /admin/invites`: makes a link and shows it, once.
pub async fn invite(
    State(state): State<AppState>,
    signed: SignedIn,
    Form(form): Form<InviteForm>,
) -> Response {
    if let Some(page) = signed.csrf_refusal(&form.csrf) {
        return page;
    }
    let feed = match parse_feed_name(form.feed.trim()) {
        Ok(feed) => feed,
        Err(why) => {
            return view::message_page(
                StatusCode::BAD_REQUEST,
                "Choose another feed name",
                &why,
                Onward::Console,
            );
        }
    };
    let Some(public_url) = state.console.config.public_url.clone() else {
        return view::message_page(
            StatusCode::CONFLICT,
            "Set the public URL first",
            "Invitation links point at FEEDFRAME_PUBLIC_URL, and Instagram sends the client back there: set it and restart feedframe.",
            Onward::Console,
        );
    };
    let key = feed.clone();
    match state
        .console
        .store
        .run(move |s| create(s, &key, &public_url))
        .await
    {
        Ok(link) => {
            let csrf = signed.csrf().to_string();
            view::html(
                StatusCode::OK,
                view::document(move || view! { <InviteCreatedPage feed link csrf /> }),
            )
        }
        Err(e) => {
            tracing::error!("cannot store an invitation: {e}");
            unavailable()
        }
    }
}

/// The feed an invitation link may connect, or the page that refuses it.
async fn open(state: &AppState, secret: &str) -> Result<(String, String), Response> {
    let hash = id_hash(secret);
    let (key, now) = (hash.clone(), clock::now());
    match state
        .console
        .store
        .run(move |s| s.open_invite(&key, now))
        .await
    {
        Ok(Some(feed)) => Ok((feed, hash)),
        Ok(None) => Err(view::message_page(
            StatusCode::NOT_FOUND,
            "This invitation link does not work",
            "It has expired, was already used, or was copied incompletely. Ask whoever sent it for a new one.",
            Onward::Nowhere,
        )),
        Err(e) => {
            tracing::error!("cannot read an invitation: {e}");
            Err(unavailable())
        }
    }
}

/// `GET /admin/invite/{secret}`: what the link is for, and the button to go on.
pub async fn landing(State(state): State<AppState>, Path(secret): Path<String>) -> Response {
    match open(&state, &secret).await {
        Ok((feed, _)) => {
            let href = format!("/admin/invite/{secret}/connect");
            view::html(
                StatusCode::OK,
                view::document(move || view! { <InvitePage feed href /> }),
            )
        }
        Err(page) => page,
    }
}

/// `GET /admin/invite/{secret}/connect`: on to Instagram's consent page.
pub async fn connect(State(state): State<AppState>, Path(secret): Path<String>) -> Response {
    match open(&state, &secret).await {
        Ok((feed, hash)) => begin(&state, &feed, Some(hash)),
        Err(page) => page,
    }
}
