//! The login page (a plain form with a password field) and the page shown while no password is
//! set, which says how to set one.

use leptos::prelude::*;

use super::Shell;

/// `GET /admin/login`, and the answer to a failed sign-in (`error`).
#[component]
pub fn LoginPage(
    /// Why the last attempt failed, in plain words.
    #[prop(optional)]
    error: Option<String>,
) -> impl IntoView {
    view! {
        <Shell title="Sign in">
            <main class="narrow">
                <h1>"Sign in to FeedFrame"</h1>
                {error.map(|e| view! { <p class="message error" role="alert">{e}</p> })}
                <form method="post" action="/admin/login" class="stack">
                    <label for="password">"Console password"</label>
                    <input
                        id="password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        required=true
                        autofocus=true
                    />
                    <button type="submit">"Sign in"</button>
                </form>
            </main>
        </Shell>
    }
}

/// `/admin` before a password is set: how to set one, and nothing else.
#[component]
pub fn SetupPage() -> impl IntoView {
    view! {
        <Shell title="Set a password">
            <main class="narrow">
                <h1>"Set a console password first"</h1>
                <p>
                    "The console is off until you choose its password. On the server, run:"
                </p>
                <pre><code>"feedframe admin set-password"</code></pre>
                <p>
                    "It reads the password from standard input (at least 10 characters) and stores only its Argon2id hash. Then reload this page."
                </p>
            </main>
        </Shell>
    }
}
