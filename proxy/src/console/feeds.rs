//! `GET /admin`, the feeds page, and the owner's actions on one feed: refresh its token now,
//! fetch it now, remove it (after typing its name). Each action answers 303 back to the page,
//! which shows what happened once.

use std::time::Duration;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::*;
use serde::Deserialize;

use crate::clock;
use crate::config::parse_feed_name;
use crate::error::ProxyError;
use crate::server::AppState;
use crate::store::TokenRecord;
use crate::tokens::refresher::Refreshed;

use super::access::{CsrfForm, unavailable};
use super::health::{Facts, health};
use super::session::SignedIn;
use super::summaries::Summarized;
use super::view::{self, FeedCard, FeedsPage};

/// Event kinds that say why a token died.
const TOKEN_FAILURES: [&str; 5] = [
    "token_expired",
    "password_changed",
    "app_removed",
    "user_checkpointed",
    "invalid_token",
];
/// How long "fetch now" waits for Instagram before showing the page.
const FETCH_WAIT: Duration = Duration::from_secs(20);

/// `GET /admin`: the feeds, the most urgent first; before a password is set, how to set one.
pub async fn page(State(state): State<AppState>, signed: Result<SignedIn, Response>) -> Response {
    let signed = match signed {
        Ok(signed) => signed,
        Err(refusal) => {
            return match state.console.store.run(|s| s.admin_password()).await {
                Ok(None) => Redirect::to("/admin/login").into_response(),
                _ => refusal,
            };
        }
    };
    let facts = gather(&state).await;
    let gathered = match facts {
        Ok(g) => g,
        Err(e) => {
            tracing::error!("cannot read the feeds for the console: {e}");
            return unavailable();
        }
    };
    let now = clock::now();
    let mut cards: Vec<(super::health::Urgency, FeedCard)> = gathered
        .into_iter()
        .map(|g| {
            let trouble = state.feeds.trouble(&g.token.feed);
            let h = health(
                &Facts {
                    token: &g.token,
                    token_failure: g.token_failure.as_deref(),
                    trouble: trouble.as_ref(),
                },
                now,
            );
            let last_error = trouble
                .map(|t| t.message)
                .or_else(|| g.token.last_error.clone());
            (h.urgency, card(&g, h, last_error, now))
        })
        .collect();
    cards.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.name.cmp(&b.1.name)));
    let cards: Vec<FeedCard> = cards.into_iter().map(|(_, c)| c).collect();
    let notice = state.console.take_notice(&signed.id_hash);
    let csrf = signed.csrf().to_string();
    let connect = state.console.can_connect();
    view::html(
        StatusCode::OK,
        view::document(move || match notice {
            Some(notice) => view! { <FeedsPage cards csrf connect notice /> }.into_any(),
            None => view! { <FeedsPage cards csrf connect /> }.into_any(),
        }),
    )
}

/// What the store knows about one feed.
struct Gathered {
    token: TokenRecord,
    token_failure: Option<String>,
    fetched_at: Option<i64>,
    posts: usize,
    media_bytes: u64,
}

/// Each feed's token, its last failure and its snapshot's summary (sizing the media of new
/// snapshots in the media store).
async fn gather(state: &AppState) -> Result<Vec<Gathered>, ProxyError> {
    let summaries = std::sync::Arc::clone(&state.console.summaries);
    let found = state
        .console
        .store
        .run(move |store| {
            store
                .tokens()?
                .into_iter()
                .map(|token| {
                    let token_failure = store
                        .events(&token.feed, 20)?
                        .into_iter()
                        .find(|e| TOKEN_FAILURES.contains(&e.kind.as_str()))
                        .map(|e| e.kind);
                    let summary = summaries.of(store, &token.feed)?;
                    Ok((token, token_failure, summary))
                })
                .collect::<Result<Vec<_>, ProxyError>>()
        })
        .await?;
    let mut out = Vec::with_capacity(found.len());
    for (token, token_failure, summary) in found {
        let summary = match summary {
            Summarized::None => None,
            Summarized::Known(summary) => Some(summary),
            Summarized::Unsized(new) => Some(
                state
                    .console
                    .summaries
                    .finish(&token.feed, new, &state.console.media)
                    .await,
            ),
        };
        out.push(Gathered {
            token_failure,
            fetched_at: summary.map(|s| s.fetched_at),
            posts: summary.map_or(0, |s| s.posts),
            media_bytes: summary.map_or(0, |s| s.media_bytes),
            token,
        });
    }
    Ok(out)
}

fn card(g: &Gathered, h: super::health::Health, last_error: Option<String>, now: i64) -> FeedCard {
    let t = &g.token;
    let when = |at: i64| {
        if at > now {
            format!("{} (in {})", clock::human(at), clock::span(at - now))
        } else {
            format!("{} ({} ago)", clock::human(at), clock::span(now - at))
        }
    };
    FeedCard {
        name: t.feed.clone(),
        username: t.username.clone(),
        urgency: h.urgency.as_str(),
        state: h.words,
        reconnect: h.reconnect,
        expires: t.expires_at.map_or_else(
            || "unknown until the first refresh (tokens live 60 days)".to_string(),
            when,
        ),
        last_refresh: t.refreshed_at.map_or_else(|| "never".to_string(), when),
        last_fetch: g.fetched_at.map_or_else(|| "never".to_string(), when),
        last_error,
        posts: g.posts,
        media: format!("{:.1} MB", g.media_bytes as f64 / 1e6),
    }
}

/// The feed named in the path if it exists, or the page to go back to with why not.
pub(super) async fn known_feed(
    state: &AppState,
    signed: &SignedIn,
    name: &str,
) -> Result<String, Response> {
    let back = |text: String| {
        state.console.notify(&signed.id_hash, text);
        Redirect::to("/admin").into_response()
    };
    let Ok(name) = parse_feed_name(name) else {
        return Err(back("There is no feed by that name.".into()));
    };
    let key = name.clone();
    match state.console.store.run(move |s| s.token(&key)).await {
        Ok(Some(_)) => Ok(name),
        Ok(None) => Err(back(format!("There is no feed named '{name}'."))),
        Err(e) => {
            tracing::error!("cannot read a feed for the console: {e}");
            Err(unavailable())
        }
    }
}

/// The feed named in the path of a form sent with this session's CSRF token (`csrf`), or the
/// page to answer with.
pub(super) async fn checked_feed(
    state: &AppState,
    signed: &SignedIn,
    name: &str,
    csrf: &str,
) -> Result<String, Response> {
    if let Some(page) = signed.csrf_refusal(csrf) {
        return Err(page);
    }
    known_feed(state, signed, name).await
}

/// Checks the CSRF token and the feed, then runs `act`, whose words are shown on the page.
async fn act<F, Fut>(
    state: AppState,
    signed: SignedIn,
    name: String,
    csrf: &str,
    act: F,
) -> Response
where
    F: FnOnce(AppState, String) -> Fut,
    Fut: Future<Output = String>,
{
    let name = match checked_feed(&state, &signed, &name, csrf).await {
        Ok(name) => name,
        Err(page) => return page,
    };
    let words = act(state.clone(), name).await;
    state.console.notify(&signed.id_hash, words);
    Redirect::to("/admin").into_response()
}

/// `POST /admin/feeds/{feed}/refresh`: refreshes the token now.
pub async fn refresh(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(name): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    act(state, signed, name, &form.csrf, |state, name| async move {
        let c = &state.console;
        match crate::tokens::refresher::refresh(&c.store, &c.graph, &name, c.config.lease).await {
            Ok(Refreshed::Renewed { expires_at }) => format!(
                "Refreshed the token of '{name}': it now expires {}.",
                clock::human(expires_at)
            ),
            Ok(Refreshed::Superseded) => {
                format!("The token of '{name}' was replaced meanwhile; the newer one is kept.")
            }
            Ok(Refreshed::InProgress) => format!(
                "Another instance is refreshing the token of '{name}' right now; \
                 reload this page in a minute."
            ),
            Err(e) => format!("Could not refresh the token of '{name}': {e}"),
        }
    })
    .await
}

/// `POST /admin/feeds/{feed}/fetch`: fetches the feed from Instagram now.
pub async fn fetch(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(name): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    act(state, signed, name, &form.csrf, |state, name| async move {
        match state.feeds.fetch_now(&name, FETCH_WAIT).await {
            Ok(served) => match state.feeds.trouble(&name) {
                Some(t) if t.kind == "rate_limited" && t.quiet_until > clock::now() => format!(
                    "Instagram asked FeedFrame to wait until {} before fetching '{name}' again.",
                    clock::human(t.quiet_until)
                ),
                Some(t) => format!("Could not fetch '{name}': {}", t.message),
                None => format!(
                    "Fetched '{name}': visitors now see it as {}.",
                    served.status.as_str()
                ),
            },
            Err(e) => format!("Could not fetch '{name}': {e}"),
        }
    })
    .await
}

#[derive(Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /admin/feeds/{feed}/remove`: deletes the feed, once its name is typed to confirm.
pub async fn remove(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(name): Path<String>,
    Form(form): Form<RemoveForm>,
) -> Response {
    let confirm = form.confirm.trim().to_string();
    act(state, signed, name, &form.csrf, |state, name| async move {
        if confirm != name {
            return format!("Type '{name}' to remove it: nothing was removed.");
        }
        let key = name.clone();
        match state.console.store.run(move |s| s.remove_feed(&key)).await {
            Ok(_) => {
                state.feeds.forget(&name);
                if let Err(e) = state.feeds.reload_catalog().await {
                    tracing::error!("cannot reload the feeds: {e}");
                }
                format!("Removed feed '{name}': its token, cached posts and history are deleted.")
            }
            Err(e) => format!("Could not remove '{name}': {e}"),
        }
    })
    .await
}
