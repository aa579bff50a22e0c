//! The alerts page: channels, the test button, the delivery log.

use leptos::prelude::*;

use super::{Shell, TopBar};

/// What the alerts page shows (all text already in words).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertsView {
    /// `(channel, where)`: `("webhook", "hooks.example.com")`, `("email", "a@b.example")`.
    pub channels: Vec<(&'static str, String)>,
    /// `[when, what, channel, outcome, status]`, newest first.
    pub deliveries: Vec<[String; 5]>,
    pub notice: Option<String>,
}

/// `GET /admin/alerts`.
#[component]
pub fn AlertsPage(page: AlertsView, #[prop(into)] csrf: String) -> impl IntoView {
    let AlertsView {
        channels,
        deliveries,
        notice,
    } = page;
    let none_set = channels.is_empty();
    view! {
        <Shell title="Alerts">
            <TopBar csrf=csrf.clone() current="alerts" />
            <main>
                <h1>"Alerts"</h1>
                {notice.map(|n| view! { <p class="message" role="status">{n}</p> })}
                <p>
                    "FeedFrame tells you once when a feed's token is dying or dead, when a feed has been stale for 6 hours, when Instagram has been rate limiting it for an hour, and when it recovers."
                </p>
                <h2>"Channels"</h2>
                {if none_set {
                    view! {
                        <p class="message error">
                            "No alert channel is set up. Set FEEDFRAME_ALERT_WEBHOOK_URL and FEEDFRAME_ALERT_WEBHOOK_SECRET, or FEEDFRAME_SMTP_URL and FEEDFRAME_ALERT_EMAIL, and restart feedframe."
                        </p>
                    }
                        .into_any()
                } else {
                    view! {
                        <ul class="channels">
                            {channels
                                .into_iter()
                                .map(|(channel, target)| {
                                    view! { <li data-channel=channel>{format!("{channel}: {target}")}</li> }
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }}
                <form method="post" action="/admin/alerts/test">
                    <input type="hidden" name="csrf" value=csrf />
                    <button type="submit">"Send test alert"</button>
                </form>
                <h2>"Delivery log"</h2>
                {if deliveries.is_empty() {
                    view! { <p>"Nothing sent yet."</p> }.into_any()
                } else {
                    view! {
                        <table class="deliveries">
                            <thead>
                                <tr>
                                    <th scope="col">"When"</th>
                                    <th scope="col">"Alert"</th>
                                    <th scope="col">"Channel"</th>
                                    <th scope="col">"Outcome"</th>
                                    <th scope="col">"Details"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {deliveries
                                    .into_iter()
                                    .map(|cells| {
                                        let outcome = cells[3].clone();
                                        view! {
                                            <tr class=outcome>
                                                {cells.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    }
                        .into_any()
                }}
            </main>
        </Shell>
    }
}
