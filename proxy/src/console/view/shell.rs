//! The document around every console page, and the signed-in owner's top bar.

use leptos::prelude::*;

use crate::console::assets::entry;

/// The `<html>` document: metadata, the console's stylesheet, the module that hydrates its
/// interactive parts (when built in), and `children`.
#[component]
pub fn Shell(
    /// The page's title (after "FeedFrame · ").
    #[prop(into)]
    title: String,
    children: Children,
) -> impl IntoView {
    let script = entry().map(|src| view! { <script type="module" src=src></script> });
    view! {
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width,initial-scale=1" />
                <meta name="robots" content="noindex" />
                <title>{format!("FeedFrame · {title}")}</title>
                <link rel="icon" href="data:," />
                <link rel="stylesheet" href="/admin/console.css" />
                {script}
            </head>
            <body>{children()}</body>
        </html>
    }
}

/// The console's navigation and the sign-out button (a form: it changes state).
#[component]
pub fn TopBar(
    /// The session's CSRF token, for the sign-out form.
    #[prop(into)]
    csrf: String,
    /// Which page is shown: `feeds`, `snippet` or `alerts`.
    current: &'static str,
) -> impl IntoView {
    let links = [
        ("feeds", "/admin", "Feeds"),
        ("snippet", "/admin/snippet", "Snippet builder"),
        ("alerts", "/admin/alerts", "Alerts"),
    ];
    view! {
        <header class="topbar">
            <strong class="brand">"FeedFrame"</strong>
            <nav aria-label="Console">
                {links
                    .into_iter()
                    .map(|(key, href, text)| {
                        let here = (key == current).then_some("page");
                        view! { <a href=href aria-current=here>{text}</a> }
                    })
                    .collect_view()}
            </nav>
            <form method="post" action="/admin/logout" class="signout">
                <input type="hidden" name="csrf" value=csrf />
                <button type="submit">"Sign out"</button>
            </form>
        </header>
    }
}
