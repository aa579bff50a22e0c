//! The feeds page: every feed's state in plain words, the most urgent first, with its token's
//! countdown, refreshes, fetches, last error, posts and media, and the owner's buttons.

use leptos::prelude::*;

use super::{Shell, TopBar};

/// One feed as the page shows it (all text already in words).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedCard {
    pub name: String,
    pub username: String,
    /// `dead`, `warning` or `fine`.
    pub urgency: &'static str,
    /// "live", "password changed: reconnect", …
    pub state: String,
    pub reconnect: bool,
    pub expires: String,
    pub last_refresh: String,
    pub last_fetch: String,
    pub last_error: Option<String>,
    pub posts: usize,
    pub media: String,
}

/// `GET /admin`.
#[component]
pub fn FeedsPage(
    cards: Vec<FeedCard>,
    #[prop(into)] csrf: String,
    /// Whether Instagram Login is set up (connect, reconnect and invite buttons).
    connect: bool,
    /// The result of the last action, shown once.
    #[prop(optional)]
    notice: Option<String>,
) -> impl IntoView {
    let empty = cards.is_empty();
    let form_csrf = csrf.clone();
    view! {
        <Shell title="Feeds">
            <TopBar csrf=csrf.clone() current="feeds" />
            <main>
                <h1>"Feeds"</h1>
                {notice.map(|n| view! { <p class="message" role="status">{n}</p> })}
                {empty
                    .then(|| {
                        view! {
                            <p>
                                "No feeds yet. Add one with "
                                <code>"feedframe token add NAME --token …"</code> "."
                            </p>
                        }
                    })}
                <ul class="feeds">
                    <For
                        each=move || cards.clone()
                        key=|card| card.name.clone()
                        children=move |card| view! { <FeedItem card csrf=form_csrf.clone() connect /> }
                    />
                </ul>
                {connect.then(|| view! { <Connecting csrf=csrf.clone() /> })}
            </main>
        </Shell>
    }
}

/// Connecting a new feed with Instagram Login, and inviting a client to connect theirs.
#[component]
fn Connecting(csrf: String) -> impl IntoView {
    view! {
        <section class="connecting" aria-labelledby="connect-title">
            <h2 id="connect-title">"Connect a feed"</h2>
            <form method="get" action="/admin/connect" class="inline">
                <label for="connect-feed">"Feed name"</label>
                <input id="connect-feed" name="feed" required=true pattern="[a-z0-9_-]{1,64}" placeholder="main" />
                <button type="submit">"Connect with Instagram"</button>
            </form>
            <h2>"Invite a client"</h2>
            <p>"A link that lets the account's owner connect it to one feed, once, within 7 days."</p>
            <form method="post" action="/admin/invites" class="inline">
                <input type="hidden" name="csrf" value=csrf />
                <label for="invite-feed">"Feed name"</label>
                <input id="invite-feed" name="feed" required=true pattern="[a-z0-9_-]{1,64}" placeholder="client-shop" />
                <button type="submit">"Make an invitation link"</button>
            </form>
        </section>
    }
}

/// One feed's card.
#[component]
fn FeedItem(card: FeedCard, csrf: String, connect: bool) -> impl IntoView {
    let action = |verb: &str| format!("/admin/feeds/{}/{verb}", card.name);
    let snippet = format!("/admin/snippet?feed={}", card.name);
    let posts = crate::console::moderation::posts_path(&card.name);
    let confirm_id = format!("confirm-{}", card.name);
    let heading_id = format!("feed-{}", card.name);
    let labelled_by = heading_id.clone();
    view! {
        <li class=format!("feed {}", card.urgency) data-feed=card.name.clone() data-urgency=card.urgency aria-labelledby=labelled_by>
            <h2 id=heading_id>{card.name.clone()} " " <span class="account">{format!("@{}", card.username)}</span></h2>
            <p class="state">{card.state.clone()}</p>
            <dl>
                <dt>"Token expires"</dt>
                <dd class="expires">{card.expires.clone()}</dd>
                <dt>"Last refresh"</dt>
                <dd>{card.last_refresh.clone()}</dd>
                <dt>"Last fetch"</dt>
                <dd>{card.last_fetch.clone()}</dd>
                <dt>"Last error"</dt>
                <dd class="last-error">
                    {match card.last_error.clone() {
                        Some(e) => view! { <q>{e}</q> }.into_any(),
                        None => "none".into_any(),
                    }}
                </dd>
                <dt>"Posts"</dt>
                <dd class="posts">{card.posts}</dd>
                <dt>"Mirrored media"</dt>
                <dd>{card.media.clone()}</dd>
            </dl>
            <div class="actions">
                {match (card.reconnect, connect) {
                    (true, true) => Some(view! {
                        <a class="button primary reconnect" href=format!("/admin/connect?feed={}", card.name)>"Reconnect"</a>
                    }.into_any()),
                    (true, false) => Some(view! {
                        <p class="reconnect">
                            "Reconnect: add a new token with "
                            <code>{format!("feedframe token add {} --token …", card.name)}</code>
                        </p>
                    }.into_any()),
                    _ => None,
                }}
                <form method="post" action=action("refresh")>
                    <input type="hidden" name="csrf" value=csrf.clone() />
                    <button type="submit">"Refresh token now"</button>
                </form>
                <form method="post" action=action("fetch")>
                    <input type="hidden" name="csrf" value=csrf.clone() />
                    <button type="submit">"Fetch now"</button>
                </form>
                <a class="button" href=snippet>"Snippet"</a>
                <a class="button moderate" href=posts>"Posts and moderation"</a>
                <form method="post" action=action("remove") class="remove">
                    <input type="hidden" name="csrf" value=csrf />
                    <label for=confirm_id.clone()>{format!("Type {} to remove it", card.name)}</label>
                    <input id=confirm_id name="confirm" autocomplete="off" required=true />
                    <button type="submit" class="danger">"Remove"</button>
                </form>
            </div>
        </li>
    }
}
