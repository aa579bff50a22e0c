//! The invitation pages: the link, shown once to the owner who made it, and the page the
//! invitee lands on (which shows nothing of the console).

use feedframe_console_ui::CopyData;
use feedframe_console_ui::island::copy_root;
use leptos::prelude::*;

use super::{Shell, TopBar};

/// `POST /admin/invites`: the new link, once.
#[component]
pub fn InviteCreatedPage(
    #[prop(into)] feed: String,
    #[prop(into)] link: String,
    #[prop(into)] csrf: String,
) -> impl IntoView {
    view! {
        <Shell title="Invitation">
            <TopBar csrf current="feeds" />
            <main class="narrow">
                <h1>{format!("An invitation to connect '{feed}'")}</h1>
                <p>
                    "Send this link to the account's owner. It works once, for 7 days, and lets them connect their Instagram account to this feed and nothing else. It is shown only now."
                </p>
                {copy_root(CopyData { id: "invite-link".into(), text: link })}
                <p><a href="/admin">"Back to the feeds"</a></p>
            </main>
        </Shell>
    }
}

/// `GET /admin/invite/{secret}`: the invitee's page.
#[component]
pub fn InvitePage(#[prop(into)] feed: String, #[prop(into)] href: String) -> impl IntoView {
    view! {
        <Shell title="Connect your Instagram account">
            <main class="narrow">
                <h1>"Connect your Instagram account"</h1>
                <p>
                    {format!("You were invited to show your Instagram posts as the feed '{feed}'. Instagram will ask you to allow FeedFrame to read your profile and posts; it cannot post or see your messages.")}
                </p>
                <p><a class="button primary" href=href>"Continue to Instagram"</a></p>
            </main>
        </Shell>
    }
}
