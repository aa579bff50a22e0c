//! The console's pages: Leptos components rendered to HTML by the proxy (`ssr`). Every page is a
//! plain HTML document whose forms work without JavaScript. The interactive parts (the snippet
//! builder, copy buttons) are `feedframe_console_ui`'s components, rendered here inside roots
//! that its wasm hydrates.

mod alerts;
mod builder;
mod feeds;
mod invite;
mod login;
mod moderation;
mod shell;

pub use alerts::{AlertsPage, AlertsView};
pub use builder::BuilderPage;
pub use feeds::{FeedCard, FeedsPage};
pub use invite::{InviteCreatedPage, InvitePage};
pub use login::{LoginPage, SetupPage};
pub use moderation::{Field, PostRow, PostsPage, PostsView, Refusal};
pub use shell::{Shell, TopBar};

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use leptos::prelude::*;

/// A whole document from a view, rendered inside an owner that is dropped after (no leak per
/// request).
pub fn document<V: IntoView + 'static>(view: impl FnOnce() -> V) -> String {
    let owner = Owner::new();
    let html = owner.with(|| view().into_view().to_html());
    drop(owner);
    format!("<!doctype html>{html}")
}

/// An HTML response.
pub fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

/// Where a message page leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Onward {
    /// Back to the feeds.
    Console,
    /// To the login page.
    Login,
    /// Nowhere (the console is not working).
    Nowhere,
}

/// A page with one message, such as "This form has expired".
pub fn message_page(status: StatusCode, title: &str, message: &str, onward: Onward) -> Response {
    let (title, message) = (title.to_string(), message.to_string());
    let page = document(move || {
        let link = match onward {
            Onward::Console => Some(("/admin", "Back to the console")),
            Onward::Login => Some(("/admin/login", "Sign in")),
            Onward::Nowhere => None,
        };
        view! {
            <Shell title=title.clone()>
                <main class="narrow">
                    <h1>{title}</h1>
                    <p class="message">{message}</p>
                    {link.map(|(href, text)| view! { <p><a href=href>{text}</a></p> })}
                </main>
            </Shell>
        }
    });
    html(status, page)
}
