//! Copy buttons: a block of text with a button that puts it on the clipboard, or, when the
//! browser refuses, selects it for the owner to copy by hand.

use std::time::Duration;

use leptos::html::Code;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::browser;

/// The button's label at rest.
pub const COPY: &str = "Copy";
/// The label once the text is on the clipboard.
pub const COPIED: &str = "Copied";
/// The label when the clipboard was refused and the text is selected instead.
pub const SELECTED: &str = "Selected: press Ctrl+C";
/// How long "Copied" stays before the label is "Copy" again.
const LABEL_FOR: Duration = Duration::from_millis(2500);

/// A button that copies `text`, as shown in `code`.
///
/// ```ignore
/// let code = NodeRef::<Code>::new();
/// view! { <pre><code node_ref=code>{text}</code></pre><CopyButton text code target="link" /> }
/// ```
#[component]
pub fn CopyButton(
    /// The text to copy (the same the code element shows).
    #[prop(into)]
    text: Signal<String>,
    /// The element showing it: selected when the clipboard refuses.
    code: NodeRef<Code>,
    /// The code element's id, written as `data-copy` (tests and styles find the button by it).
    #[prop(into)]
    target: String,
) -> impl IntoView {
    let label = RwSignal::new(COPY);
    let copy = move |_| {
        let text = text.get_untracked();
        leptos::task::spawn_local(async move {
            let done = if browser::write_clipboard(&text).await {
                COPIED
            } else if code
                .get_untracked()
                .is_some_and(|code| browser::select_contents(&code))
            {
                SELECTED
            } else {
                return;
            };
            label.set(done);
            set_timeout(
                move || {
                    _ = label.try_set(COPY);
                },
                LABEL_FOR,
            );
        });
    };
    view! {
        <button type="button" class="copy" data-copy=target on:click=copy>
            {move || label.get()}
        </button>
    }
}

/// What a stand-alone [`CopyBlock`] shows (the invitation link), sent with the page as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyData {
    /// The code element's id.
    pub id: String,
    /// The text shown and copied.
    pub text: String,
}

/// `text` in a `<pre><code id=…>` and its [`CopyButton`].
#[component]
pub fn CopyBlock(
    /// The code element's id.
    #[prop(into)]
    id: String,
    /// The text shown and copied.
    #[prop(into)]
    text: Signal<String>,
) -> impl IntoView {
    let code = NodeRef::<Code>::new();
    view! {
        <pre><code id=id.clone() node_ref=code>{move || text.get()}</code></pre>
        <CopyButton text code target=id />
    }
}
