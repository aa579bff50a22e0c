//! The snippet builder: a GET form of the widget's options (it works without JavaScript and its
//! URL can be shared), a preview of the real widget from this server, and the four snippets with
//! copy buttons. Hydrated, every change of a field updates the preview, the snippets and the
//! address bar at once, with no submit and no reload.

use leptos::either::Either;
use leptos::html::{Form, Iframe};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{browser, copy::CopyBlock, snippet};

/// The four snippets: `(code element id, heading)`, in the order [`built`] writes them.
pub const SNIPPETS: [(&str, &str); 4] = [
    ("snippet-script", "Script tag"),
    ("snippet-element", "Custom element"),
    ("snippet-iframe", "iframe"),
    ("snippet-leptos", "Leptos component"),
];

/// What the builder needs, sent by the proxy with the page (JSON) so that the browser builds
/// exactly the server's view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuilderData {
    /// The owner's feeds, in the console's order; the first is the default.
    pub feeds: Vec<String>,
    /// The proxy's URL as the snippets name it (`https://feeds.example.com`).
    pub base: String,
    /// The form's fields as asked for, `(option name, value)`: the page's query.
    pub fields: Vec<(String, String)>,
}

/// One reading of the form: what the page shows for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    /// Each builder option's value as the snippets write it (empty: the default).
    pub values: Vec<(&'static str, String)>,
    /// Options that were invalid and replaced by the default, in words.
    pub warnings: Vec<String>,
    /// The preview frame's URL, when the feed exists.
    pub preview: Option<String>,
    /// The snippets' texts, in the order of [`SNIPPETS`].
    pub snippets: [String; 4],
}

impl Built {
    fn value(&self, name: &str) -> String {
        self.values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

/// Reads `fields` with the widget's parser (the feed defaults to the owner's first) and writes
/// the snippets for `base`.
///
/// ```
/// use feedframe_console_ui::builder::built;
/// let fields = vec![("layout".to_string(), "slider".to_string())];
/// let b = built(&["shop".to_string()], "https://f.example", &fields);
/// assert_eq!(b.preview.as_deref(), Some("/v1/feeds/shop/embed?layout=slider"));
/// assert!(b.snippets[0].contains(r#"data-feed="shop" data-layout="slider""#));
/// ```
pub fn built(feeds: &[String], base: &str, fields: &[(String, String)]) -> Built {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let (opts, warnings) = snippet::read(|name| match name {
        "feed" => field("feed").or_else(|| feeds.first().cloned()),
        other => field(other),
    });
    let attributes = snippet::attributes(&opts);
    let values = snippet::builder_options()
        .map(|name| {
            let value = attributes
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            (name, value)
        })
        .collect();
    let s = snippet::snippets(&opts, base);
    Built {
        values,
        warnings: warnings.iter().map(ToString::to_string).collect(),
        preview: feeds
            .contains(&opts.feed)
            .then(|| snippet::preview_url(&opts)),
        snippets: [s.script, s.element, s.iframe, s.leptos],
    }
}

/// The builder: form, warnings, preview and snippets (the content of `<main>` below its title).
#[component]
pub fn Builder(
    /// The feeds, the snippets' base URL and the asked-for fields.
    props: BuilderData,
) -> impl IntoView {
    let BuilderData {
        feeds,
        base,
        fields,
    } = props;
    // The form's controls keep what the owner typed; only what derives from them is reactive.
    let initial = built(&feeds, &base, &fields);
    let fields = RwSignal::new(fields);
    let known = feeds.clone();
    let state = Memo::new(move |_| fields.with(|f| built(&known, &base, f)));
    let form = NodeRef::<Form>::new();
    let on_input = move |_| {
        if let Some((now, query)) = form.get_untracked().and_then(|f| browser::form_fields(&f)) {
            fields.set(now);
            browser::replace_url(&format!("/admin/snippet?{query}"));
        }
    };

    let value = |name: &str| initial.value(name);
    let (feed, layout, captions, click, autoplay) = (
        value("feed"),
        value("layout"),
        value("captions"),
        value("click"),
        value("autoplay"),
    );
    let choice = |value: &str, current: &str, text: &'static str| {
        let selected = value == current;
        view! { <option value=value.to_string() selected=selected>{text}</option> }
    };
    let warnings = move || {
        let warnings = state.with(|s| s.warnings.clone());
        (!warnings.is_empty()).then(|| {
            view! {
                <ul class="message error" role="alert">
                    {warnings.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}
                </ul>
            }
        })
    };
    view! {
        <form method="get" action="/admin/snippet" class="options" id="builder" node_ref=form on:input=on_input>
            <label for="f-feed">"Feed"</label>
            <select id="f-feed" name="feed">
                {feeds
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
            <input id="f-columns" name="columns" type="number" min="1" max="8" value=value("columns") />
            <label for="f-limit">"Posts"</label>
            <input id="f-limit" name="limit" type="number" min="1" max="50" value=value("limit") />
            <label for="f-gap">"Gap in pixels (empty: the theme's)"</label>
            <input id="f-gap" name="gap" type="number" min="0" max="64" value=value("gap") />
            <label for="f-captions">"Captions"</label>
            <select id="f-captions" name="captions">
                {choice("", &captions, "None")}
                {choice("below", &captions, "Below the photo")}
                {choice("overlay", &captions, "Over the photo (below on touch screens)")}
            </select>
            <label for="f-click">"A click on a post"</label>
            <select id="f-click" name="click">
                {choice("", &click, "Opens it on Instagram")}
                {choice("lightbox", &click, "Opens it in a lightbox")}
            </select>
            <label for="f-load-more">"Load more: posts per click (empty: no button)"</label>
            <input id="f-load-more" name="load-more" type="number" min="1" max="50" value=value("load-more") />
            <label for="f-autoplay">"Autoplay (slider)"</label>
            <select id="f-autoplay" name="autoplay">
                {choice("off", &autoplay, "Off")}
                {choice("on", &autoplay, "On")}
            </select>
            <label for="f-fallback">"Fallback text"</label>
            <input id="f-fallback" name="fallback-text" type="text" maxlength="200" value=value("fallback-text") />
            <button type="submit">"Update preview"</button>
        </form>
        {warnings}
        <section class="preview" aria-labelledby="preview-title">
            <h2 id="preview-title">"Preview"</h2>
            <Preview src=Signal::derive(move || state.with(|s| s.preview.clone())) />
        </section>
        <section class="snippets" aria-labelledby="snippets-title">
            <h2 id="snippets-title">"Snippets"</h2>
            {SNIPPETS
                .into_iter()
                .enumerate()
                .map(|(i, (id, label))| {
                    let text = Signal::derive(move || state.with(|s| s.snippets[i].clone()));
                    view! {
                        <div class="snippet">
                            <h3>{label}</h3>
                            <CopyBlock id text />
                        </div>
                    }
                })
                .collect_view()}
        </section>
    }
}

/// The real widget's iframe page, sized to its content by the height it announces; or a hint
/// when there is no feed to show.
#[component]
fn Preview(
    /// The frame's URL; `None` when the feed does not exist.
    src: Signal<Option<String>>,
) -> impl IntoView {
    let frame = NodeRef::<Iframe>::new();
    let height = RwSignal::new(None::<u32>);
    // In an effect: the browser only (the server has no window to listen on).
    Effect::new(move |_| {
        // The frame may have told its height before this wasm listened: measure it once (it is
        // this server's page, so its document is readable) as it measures itself.
        if let Some(h) = frame
            .get_untracked()
            .and_then(|f| browser::loaded_frame_height(&f))
        {
            height.set(Some(h));
        }
        let listener = window_event_listener(leptos::ev::message, move |event| {
            if let Some(frame) = frame.get_untracked()
                && let Some(h) = browser::frame_height(&event, &frame)
            {
                height.set(Some(h));
            }
        });
        on_cleanup(move || listener.remove());
    });
    let shown = Memo::new(move |_| src.with(Option::is_some));
    move || {
        if shown.get() {
            Either::Left(view! {
                <iframe
                    src=move || src.get().unwrap_or_default()
                    title="Preview of the widget"
                    class="preview-frame"
                    node_ref=frame
                    style:height=move || height.get().map(|h| format!("{h}px"))
                ></iframe>
            })
        } else {
            Either::Right(view! { <p>"Add a feed to see a preview."</p> })
        }
    }
}
