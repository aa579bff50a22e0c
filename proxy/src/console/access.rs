//! Signing in and out. The login form posts the password; a right one starts a session (a
//! cookie), a wrong one counts against the address and the account ([`super::throttle`]).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::Form;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::*;
use serde::Deserialize;

use crate::clock;
use crate::server::AppState;

use super::password;
use super::session::{self, SESSION_SECS, SignedIn};
use super::view::{self, LoginPage, Onward, SetupPage};

/// The client's address (the TCP peer; behind a reverse proxy, the proxy's).
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        Ok(Self(ip))
    }
}

/// The stored password hash, or the page to show instead.
async fn password_hash(state: &AppState) -> Result<Option<String>, Response> {
    state
        .console
        .store
        .run(|s| s.admin_password())
        .await
        .map_err(|e| {
            tracing::error!("cannot read the console password: {e}");
            unavailable()
        })
}

pub fn unavailable() -> Response {
    view::message_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "The console is unavailable",
        "The console cannot read its data right now. Try again in a moment; the log says why.",
        Onward::Nowhere,
    )
}

fn setup_page() -> Response {
    view::html(StatusCode::OK, view::document(|| view! { <SetupPage /> }))
}

fn login_form(status: StatusCode, error: Option<String>) -> Response {
    view::html(
        status,
        view::document(move || match error {
            Some(error) => view! { <LoginPage error /> }.into_any(),
            None => view! { <LoginPage /> }.into_any(),
        }),
    )
}

/// `GET /admin/login`: the form, or how to set a password.
pub async fn login_page(State(state): State<AppState>) -> Response {
    match password_hash(&state).await {
        Ok(Some(_)) => login_form(StatusCode::OK, None),
        Ok(None) => setup_page(),
        Err(page) => page,
    }
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    password: String,
}

/// `POST /admin/login`.
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Form(form): Form<LoginForm>,
) -> Response {
    let console = &state.console;
    let hash = match password_hash(&state).await {
        Ok(Some(hash)) => hash,
        Ok(None) => return setup_page(),
        Err(page) => return page,
    };
    if let Err(blocked) = console.throttle.check(ip, clock::now()) {
        tracing::warn!(%ip, "console sign-in refused: too many failures");
        return login_form(StatusCode::TOO_MANY_REQUESTS, Some(blocked.message()));
    }
    // Argon2 takes a noticeable moment: off the async workers.
    let right = tokio::task::spawn_blocking(move || password::verify(&form.password, &hash))
        .await
        .unwrap_or(false);
    if !right {
        console.throttle.failed(ip, clock::now());
        tracing::warn!(%ip, "console sign-in with a wrong password");
        return login_form(
            StatusCode::UNAUTHORIZED,
            Some("That is not the console password.".into()),
        );
    }
    console.throttle.succeeded(ip);
    let id = session::random_token();
    let (hash, csrf, now) = (session::id_hash(&id), session::random_token(), clock::now());
    let stored = console
        .store
        .run(move |s| s.create_session(&hash, &csrf, now, now + SESSION_SECS))
        .await;
    if let Err(e) = stored {
        tracing::error!("cannot store a console session: {e}");
        return unavailable();
    }
    tracing::info!(%ip, "console sign-in");
    (
        [(
            header::SET_COOKIE,
            session::set_cookie(&id, console.secure_cookies()),
        )],
        Redirect::to("/admin"),
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

/// `POST /admin/logout`: ends the session here and in the store.
pub async fn logout(
    State(state): State<AppState>,
    signed: SignedIn,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Some(page) = signed.csrf_refusal(&form.csrf) {
        return page;
    }
    let console = &state.console;
    console.take_notice(&signed.id_hash);
    let hash = signed.id_hash.clone();
    if let Err(e) = console.store.run(move |s| s.delete_session(&hash)).await {
        tracing::error!("cannot end a console session: {e}");
        return unavailable();
    }
    (
        [(
            header::SET_COOKIE,
            session::clear_cookie(console.secure_cookies()),
        )],
        Redirect::to("/admin/login"),
    )
        .into_response()
}
