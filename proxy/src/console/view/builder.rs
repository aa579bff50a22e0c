//! The snippet builder: a form of the widget's options (a GET form, so it works without
//! JavaScript and its URL can be shared), a live preview of the real widget from this server,
//! and the four snippets with copy buttons.

use leptos::prelude::*;

use super::{Shell, TopBar};

/// What the builder page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuilderView {
    pub feeds: Vec<String>,
    /// The form's current values by option name.
    pub fields: Vec<(&'static str, String)>,
    /// Options that were invalid and replaced by the default, in words.
    pub warnings: Vec<String>,
    /// The iframe preview's URL (path-absolute, this server).
    pub preview: Option<String>,
    /// `(id, label, text)` of each snippet.
    pub snippets: Vec<(&'static str, &'static str, String)>,
}

impl BuilderView {
    fn field(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

/// `GET /admin/snippet`.
#[component]
pub fn BuilderPage(page: BuilderView, #[prop(into)] csrf: String) -> impl IntoView {
    let feed = page.field("feed");
    let layout = page.field("layout");
    let captions = page.field("captions");
    let autoplay = page.field("autoplay");
    let choice = |value: &str, current: &str, text: &'static str| {
        let selected = value == current;
        view! { <option value=value.to_string() selected=selected>{text}</option> }
    };
    view! {
        <Shell title="Snippet builder">
            <TopBar csrf current="snippet" />
            <main class="builder">
                <h1>"Snippet builder"</h1>
                <form method="get" action="/admin/snippet" class="options" id="builder">
                    <label for="f-feed">"Feed"</label>
                    <select id="f-feed" name="feed">
                        {page
                            .feeds
                            .iter()
                            .map(|name| {
                                let selected = *name == feed;
                                view! { <option selected=selected>{name.clone()}</option> }
                            })
                            .collect_view()}
                    </select>
                    <label for="f-layout">"Layout"</label>
                    <select id="f-layout" name="layout">
                        {choice("grid", &layout, "Grid")}
                        {choice("slider", &layout, "Slider")}
                        {choice("masonry", &layout, "Masonry")}
                    </select>
                    <label for="f-columns">"Columns (empty: responsive)"</label>
                    <input id="f-columns" name="columns" type="number" min="1" max="8" value=page.field("columns") />
                    <label for="f-limit">"Posts"</label>
                    <input id="f-limit" name="limit" type="number" min="1" max="50" value=page.field("limit") />
                    <label for="f-gap">"Gap in pixels (empty: the theme's)"</label>
                    <input id="f-gap" name="gap" type="number" min="0" max="64" value=page.field("gap") />
                    <label for="f-captions">"Captions"</label>
                    <select id="f-captions" name="captions">
                        {choice("off", &captions, "Off")}
                        {choice("on", &captions, "On")}
                    </select>
                    <label for="f-autoplay">"Autoplay (slider)"</label>
                    <select id="f-autoplay" name="autoplay">
                        {choice("off", &autoplay, "Off")}
                        {choice("on", &autoplay, "On")}
                    </select>
                    <label for="f-fallback">"Fallback text"</label>
                    <input id="f-fallback" name="fallback-text" type="text" maxlength="200" value=page.field("fallback-text") />
                    <button type="submit">"Update preview"</button>
                </form>
                {(!page.warnings.is_empty())
                    .then(|| {
                        view! {
                            <ul class="message error" role="alert">
                                {page.warnings.iter().map(|w| view! { <li>{w.clone()}</li> }).collect_view()}
                            </ul>
                        }
                    })}
                <section class="preview" aria-labelledby="preview-title">
                    <h2 id="preview-title">"Preview"</h2>
                    {match page.preview.clone() {
                        Some(src) => view! {
                            <iframe src=src title="Preview of the widget" class="preview-frame"></iframe>
                        }.into_any(),
                        None => view! { <p>"Add a feed to see a preview."</p> }.into_any(),
                    }}
                </section>
                <section class="snippets" aria-labelledby="snippets-title">
                    <h2 id="snippets-title">"Snippets"</h2>
                    {page
                        .snippets
                        .iter()
                        .map(|(id, label, text)| {
                            let id = id.to_string();
                            view! {
                                <div class="snippet">
                                    <h3>{*label}</h3>
                                    <pre><code id=id.clone()>{text.clone()}</code></pre>
                                    <button type="button" class="copy" data-copy=id>"Copy"</button>
                                </div>
                            }
                        })
                        .collect_view()}
                </section>
            </main>
        </Shell>
    }
}
