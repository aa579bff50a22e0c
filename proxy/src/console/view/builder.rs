//! The snippet builder's page: the console's frame around `feedframe_console_ui`'s builder (the
//! form, the preview and the snippets), which the browser hydrates.

use feedframe_console_ui::BuilderData;
use feedframe_console_ui::island::builder_root;
use leptos::prelude::*;

use super::{Shell, TopBar};

/// `GET /admin/snippet`.
#[component]
pub fn BuilderPage(builder: BuilderData, #[prop(into)] csrf: String) -> impl IntoView {
    view! {
        <Shell title="Snippet builder">
            <TopBar csrf current="snippet" />
            <main class="builder">
                <h1>"Snippet builder"</h1>
                {builder_root(builder)}
            </main>
        </Shell>
    }
}
