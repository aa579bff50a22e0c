//! The owner's console at `/admin`: sign in with the password set by
//! `feedframe admin set-password`, watch every feed's state in plain words, act on a feed
//! (refresh its token, fetch it, remove it), moderate its posts, and build the embed snippet with a
//! live preview.
//!
//! Pages are the Leptos components in [`view`], rendered by the proxy; forms work without
//! JavaScript. The interactive parts (the snippet builder, copy buttons) are components of the
//! `feedframe-console-ui` crate, rendered here and hydrated by its wasm ([`assets`]). Every response carries the console's security headers ([`headers`]); every
//! route but the login page needs a session ([`session::SignedIn`]), and every form that changes
//! something carries the session's CSRF token.

pub mod access;
pub mod alerts;
pub mod assets;
pub mod builder;
pub mod connect;
pub mod feeds;
pub mod headers;
pub mod health;
pub mod invites;
pub mod moderation;
pub mod password;
pub mod records;
pub mod session;
pub mod summaries;
pub mod throttle;
pub mod view;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::HeaderValue;
use axum::middleware::map_response;
use axum::routing::{get, post};

use feedframe_console_ui::snippet::origin;

use crate::alerts::Alerts;
use crate::config::Config;
use crate::instagram::client::Graph;
use crate::instagram::login::InstagramLogin;
use crate::media::files::MediaFiles;
use crate::server::AppState;
use crate::store::Store;

/// What the console's handlers share.
pub struct Console {
    pub store: Arc<Store>,
    pub graph: Arc<Graph>,
    pub config: Arc<Config>,
    pub media: Arc<MediaFiles>,
    /// Where alerts go, for the alerts page and its test button.
    pub alerts: Arc<Alerts>,
    pub throttle: throttle::Throttle,
    /// Instagram Login, when the app is configured.
    pub login: Option<InstagramLogin>,
    pub logins: connect::Logins,
    /// Each feed's snapshot summed up for the feeds page, once per snapshot.
    pub summaries: Arc<summaries::Summaries>,
    /// The result of each session's last action, shown once on the next page.
    notices: Mutex<HashMap<String, String>>,
    csp: HeaderValue,
}

impl Console {
    pub fn new(
        store: Arc<Store>,
        graph: Arc<Graph>,
        config: Arc<Config>,
        media: Arc<MediaFiles>,
        alerts: Arc<Alerts>,
    ) -> Self {
        let login = InstagramLogin::from_config(&config);
        // The "Connect" form leads to Instagram's consent page; the moderation page shows the
        // posts' images from where visitors get them.
        let csp = headers::csp(
            origin(&config.ig_authorize_url).filter(|_| login.is_some()),
            config.media_public_url.as_deref().and_then(origin),
        );
        Self {
            store,
            graph,
            config,
            media,
            alerts,
            throttle: throttle::Throttle::default(),
            notices: Mutex::new(HashMap::new()),
            csp,
            login,
            logins: connect::Logins::default(),
            summaries: Arc::default(),
        }
    }

    /// Whether feeds can be connected with Instagram Login (the app and the public URL are set).
    pub fn can_connect(&self) -> bool {
        self.login.is_some() && self.config.public_url.is_some()
    }

    /// Whether cookies must be `Secure`: the public URL is https.
    pub fn secure_cookies(&self) -> bool {
        self.config
            .public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }

    /// Keeps `text` to show on the session's next page.
    pub fn notify(&self, session: &str, text: String) {
        let mut notices = self.notices.lock().unwrap_or_else(|p| p.into_inner());
        // One notice per session; a forgotten one goes with the next sign-out or restart.
        notices.insert(session.to_string(), text);
    }

    /// The session's pending notice, once.
    pub fn take_notice(&self, session: &str) -> Option<String> {
        self.notices
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(session)
    }
}

/// The console's routes, under `/admin`, with its security headers.
pub fn router(state: &AppState) -> Router<AppState> {
    let csp = state.console.csp.clone();
    Router::new()
        .route("/admin", get(feeds::page))
        .route("/admin/", get(feeds::page))
        .route("/admin/login", get(access::login_page).post(access::login))
        .route("/admin/logout", post(access::logout))
        .route("/admin/feeds/{feed}/refresh", post(feeds::refresh))
        .route("/admin/feeds/{feed}/fetch", post(feeds::fetch))
        .route("/admin/feeds/{feed}/remove", post(feeds::remove))
        .route("/admin/feeds/{feed}/posts", get(moderation::page))
        .route("/admin/feeds/{feed}/posts/{verb}", post(moderation::post))
        .route(
            "/admin/feeds/{feed}/rules/hide",
            post(moderation::hide_term),
        )
        .route(
            "/admin/feeds/{feed}/rules/unhide",
            post(moderation::unhide_term),
        )
        .route(
            "/admin/feeds/{feed}/rules/only",
            post(moderation::show_only),
        )
        .route("/admin/feeds/{feed}/approval", post(moderation::approval))
        .route("/admin/snippet", get(builder::page))
        .route("/admin/alerts", get(alerts::page))
        .route("/admin/alerts/test", post(alerts::test))
        .route("/admin/connect", get(connect::connect))
        .route("/admin/oauth/callback", get(connect::callback))
        .route("/admin/invites", post(invites::invite))
        .route("/admin/invite/{secret}", get(invites::landing))
        .route("/admin/invite/{secret}/connect", get(invites::connect))
        .route("/admin/console.css", get(assets::css))
        .layer(map_response(move |response| {
            let csp = csp.clone();
            async move { headers::apply(&csp, response) }
        }))
        // The console's wasm and its glue: public code, cached as immutable (outside the
        // pages' `no-store`).
        .route("/admin/ui/{file}", get(assets::ui))
}
