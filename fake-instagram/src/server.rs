//! [`FakeInstagram`]: starts the graph, CDN and login listeners and is the test's remote control.

use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::cdn::cdn_router;
use crate::fault::{Fault, Route};
use crate::graph::graph_router;
use crate::login::{App, login_router};
use crate::post::FakePost;
use crate::sample::sample_posts;
use crate::state::Shared;
use crate::token::Revocation;

/// A running fake of graph.instagram.com and its CDN, and of Instagram Login's consent page and
/// code exchange (www/api.instagram.com), on three loopback ports.
///
/// Cheap to clone; the servers stop on [`FakeInstagram::shutdown`] or when the last clone drops.
///
/// ```no_run
/// # async fn demo() {
/// let ig = fake_instagram::FakeInstagram::start().await;
/// let token = ig.issue_token(60 * 86_400);
/// let url = format!("{}/v25.0/me/media?fields=id,media_url&access_token={token}", ig.graph_base());
/// # let _ = url;
/// # }
/// ```
#[derive(Clone)]
pub struct FakeInstagram {
    handle: Arc<Handle>,
}

impl std::fmt::Debug for FakeInstagram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeInstagram")
            .field("graph_base", &self.shared().graph_base)
            .field("cdn_base", &self.shared().cdn_base)
            .field("login_base", &self.shared().login_base)
            .finish_non_exhaustive()
    }
}

/// The last clone's drop stops the servers.
struct Handle {
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}

/// A listener on a free loopback port, and its base URL with `host` (which names 127.0.0.1).
async fn bind(host: &str) -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let port = listener
        .local_addr()
        .expect("a bound listener has an address")
        .port();
    (listener, format!("http://{host}:{port}"))
}

fn serve(listener: TcpListener, router: axum::Router, mut stop: watch::Receiver<bool>) {
    tokio::spawn(async move {
        let signal = async move {
            let _ = stop.wait_for(|stopped| *stopped).await;
        };
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(signal)
            .await;
    });
}

impl FakeInstagram {
    /// Starts with the default account and `sample_posts(12)`, and no tokens.
    pub async fn start() -> FakeInstagram {
        FakeInstagram::start_with(sample_posts(12)).await
    }

    /// Starts with the default account and these posts (newest first), and no tokens.
    pub async fn start_with(posts: Vec<FakePost>) -> FakeInstagram {
        let (graph_listener, graph_base) = bind("127.0.0.1").await;
        // The CDN by name, as Instagram's is: clients allow media hosts by name, never by address.
        let (cdn_listener, cdn_base) = bind("localhost").await;
        // www.instagram.com and api.instagram.com in one listener, apart from the graph, so that
        // a client sending the code exchange to the graph base fails.
        let (login_listener, login_base) = bind("127.0.0.1").await;
        let shared = Arc::new(Shared::new(graph_base, cdn_base, login_base, posts));
        let (stop, stopped) = watch::channel(false);
        serve(
            graph_listener,
            graph_router(shared.clone()),
            stopped.clone(),
        );
        serve(cdn_listener, cdn_router(shared.clone()), stopped.clone());
        serve(login_listener, login_router(shared.clone()), stopped);
        FakeInstagram {
            handle: Arc::new(Handle { shared, stop }),
        }
    }

    fn shared(&self) -> &Shared {
        &self.handle.shared
    }

    /// `http://127.0.0.1:PORT` of the graph API (no trailing slash).
    pub fn graph_base(&self) -> String {
        self.shared().graph_base.clone()
    }

    /// `http://localhost:PORT` of the CDN (no trailing slash); `localhost` is 127.0.0.1.
    pub fn cdn_base(&self) -> String {
        self.shared().cdn_base.clone()
    }

    /// Instagram Login's consent page, `http://127.0.0.1:PORT/oauth/authorize` (in production
    /// `https://www.instagram.com/oauth/authorize`).
    pub fn authorize_url(&self) -> String {
        format!("{}/oauth/authorize", self.shared().login_base)
    }

    /// The code exchange, `http://127.0.0.1:PORT/oauth/access_token` (in production
    /// `https://api.instagram.com/oauth/access_token`). The long-lived exchange is on the graph
    /// base (`/access_token`), as in production.
    pub fn token_url(&self) -> String {
        format!("{}/oauth/access_token", self.shared().login_base)
    }

    /// Replaces the Instagram app the fake knows (default: [`FakeInstagram::app_id`] and
    /// [`FakeInstagram::app_secret`]). Codes issued to the old app stop working.
    pub fn set_app(&self, id: &str, secret: &str) {
        self.shared().book().login.app = App {
            id: id.to_string(),
            secret: secret.to_string(),
        };
    }

    /// The app id (`client_id`) the fake accepts.
    pub fn app_id(&self) -> String {
        self.shared().book().login.app.id.clone()
    }

    /// The app secret (`client_secret`) the fake accepts.
    pub fn app_secret(&self) -> String {
        self.shared().book().login.app.secret.clone()
    }

    /// From now on the consent page denies (the owner clicks "Cancel": the redirect carries
    /// `error=access_denied&error_reason=user_denied`), or consents again with `false`.
    pub fn deny_consent(&self, deny: bool) {
        self.shared().book().login.deny = deny;
    }

    /// From now on, media URLs in API answers start with `base` instead of the CDN listener's
    /// own base (for example `https://localhost:PORT`): for testing clients that must refuse such
    /// URLs before connecting. Once per fake; later calls are ignored.
    pub fn advertise_cdn_base(&self, base: &str) {
        let _ = self
            .shared()
            .advertised_cdn_base
            .set(base.trim_end_matches('/').to_string());
    }

    /// The account's username, `harborline.ceramics`.
    pub fn username(&self) -> String {
        self.shared().account.username.clone()
    }

    /// The numeric IG user id, `17841463372910248` (the id in `paging.next`).
    pub fn user_id(&self) -> String {
        self.shared().account.user_id.clone()
    }

    /// The app-scoped id `/me` returns as `id`, `26814470153920377`.
    pub fn app_scoped_id(&self) -> String {
        self.shared().account.app_scoped_id.clone()
    }

    /// Issues a new long-lived token (`IGAA…`) at fake-now, valid for `expires_in_secs`.
    pub fn issue_token(&self, expires_in_secs: i64) -> String {
        self.issue_token_aged(0, expires_in_secs)
    }

    /// Issues a token as if it had been issued `age_secs` ago with a lifetime of
    /// `expires_in_secs`: it expires at `now - age_secs + expires_in_secs`.
    pub fn issue_token_aged(&self, age_secs: i64, expires_in_secs: i64) -> String {
        let issued_at = self.now() - age_secs;
        self.shared()
            .book()
            .tokens
            .issue(issued_at, issued_at + expires_in_secs)
    }

    /// From now on every call with `token` answers 190/460 or 190/458.
    pub fn revoke(&self, token: &str, how: Revocation) {
        self.shared().book().tokens.revoke(token, how);
    }

    /// When `token` expires (fake-clock unix seconds), `None` if the fake never issued it.
    pub fn token_expires_at(&self, token: &str) -> Option<i64> {
        self.shared().book().tokens.get(token).map(|t| t.expires_at)
    }

    /// When `token` was issued (fake-clock unix seconds), `None` if the fake never issued it.
    pub fn token_issued_at(&self, token: &str) -> Option<i64> {
        self.shared().book().tokens.get(token).map(|t| t.issued_at)
    }

    /// Replaces the account's posts (newest first).
    pub fn set_posts(&self, posts: Vec<FakePost>) {
        self.shared().book().posts = posts;
    }

    /// The account's posts.
    pub fn posts(&self) -> Vec<FakePost> {
        self.shared().book().posts.clone()
    }

    /// Queues a one-shot fault for the next request on `route` (FIFO per route).
    pub fn push_fault(&self, route: Route, fault: Fault) {
        self.shared().book().faults.push(route, fault);
    }

    /// Sets (or clears, with `None`) a fault every graph request made with `token` gets, whatever
    /// its route (queued faults still come first). One account's trouble, for tests with several
    /// feeds on one fake.
    pub fn set_token_fault(&self, token: &str, fault: Option<Fault>) {
        self.shared().book().faults.set_for_token(token, fault);
    }

    /// Sets (or clears, with `None`) a fault every request on `route` gets.
    pub fn set_fault(&self, route: Route, fault: Option<Fault>) {
        self.shared().book().faults.set(route, fault);
    }

    /// Requests received on `route`, faulted ones included; `Route::Any` counts every graph
    /// request (not the CDN's, not the login listener's).
    pub fn calls(&self, route: Route) -> usize {
        let book = self.shared().book();
        match route {
            Route::Any => book.graph_calls,
            route => book.calls.get(&route).copied().unwrap_or(0),
        }
    }

    /// Sets every call counter back to zero.
    pub fn reset_calls(&self) {
        let mut book = self.shared().book();
        book.calls.clear();
        book.graph_calls = 0;
    }

    /// Fake-now, unix seconds (real time plus every `advance`).
    pub fn now(&self) -> i64 {
        self.shared().clock.now()
    }

    /// Moves the fake clock forward: tokens expire, CDN `oe` passes.
    pub fn advance(&self, secs: i64) {
        self.shared().clock.advance(secs);
    }

    /// Every access token the graph listener received, in order.
    pub fn seen_tokens(&self) -> Vec<String> {
        self.shared().book().seen_tokens.clone()
    }

    /// Stops every listener (in-flight requests finish first).
    pub fn shutdown(&self) {
        self.handle.stop.send_replace(true);
    }
}
