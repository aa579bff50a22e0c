//! Mounting into a host element's open shadow root. When the loader put the server's view there
//! (`.ff-mount` and its data), the same components hydrate it: same nodes, no re-download.
//! Otherwise they render client-side, from the JSON.

use std::{any::Any, sync::Arc};

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue, prelude::wasm_bindgen};
use web_sys::{HtmlElement, Node, ShadowRoot, ShadowRootInit, ShadowRootMode};

use super::{
    fetch,
    reload::{announce, load, refetch_once},
    warn,
};
use crate::{
    Fetched, Options, STYLESHEET, class, outcome,
    view::{Ctx, Phase, Widget},
};

/// Where a mounted widget's feed comes from.
#[derive(Debug)]
pub enum Source {
    /// The proxy at `base` (`https://feeds.example.com`).
    Remote { base: String },
    /// A response already at hand (tests, or a page that inlines the feed, see
    /// [`super::decode`]): no network. Media URLs resolve against `base`, as from the proxy.
    Fetched { base: String, fetched: Fetched },
    /// Never resolves: the widget stays in its loading state (tests of the loading boxes).
    Pending,
}

/// A mounted widget. Dropping it, or [`Mounted::unmount`], removes the view's listeners, stops
/// the slider's autoplay and the masonry's resize observer.
#[wasm_bindgen]
pub struct Mounted {
    _handle: Box<dyn Any>,
}

#[wasm_bindgen]
impl Mounted {
    /// Unmounts the widget (the loader calls it when the element leaves the page).
    pub fn unmount(self) {}
}

impl Mounted {
    /// Keeps the widget mounted for the page's lifetime.
    pub fn forget(self) {
        std::mem::forget(self._handle);
    }
}

/// The loader's entry point: the widget for `host` (a `<feedframe-feed>`), whose attributes are
/// the options (invalid ones are warned about and replaced by defaults), from the proxy at
/// `base`. Hydrates the server's view when the loader inserted it, else renders client-side.
#[wasm_bindgen]
pub fn mount(host: HtmlElement, base: String) -> Result<Mounted, JsValue> {
    let (opts, warnings) = Options::from_attributes(|name| host.get_attribute(name));
    for warning in &warnings {
        warn(&warning.to_string());
    }
    let base = base.trim_end_matches('/').to_string();
    let shadow = shadow_of(&host)?;
    let has_children = has_fallback_children(&host);
    if let Some((el, fetched)) = server_view(&shadow)? {
        let url = crate::error::feed_url(&base, &opts.feed);
        let phase = announce(outcome(&opts.feed, &url, fetched));
        // The server renders the card, never the element's own children: those need a
        // client-side render.
        if !(matches!(phase, Phase::Fallback(_)) && has_children) {
            let handle = leptos::mount::hydrate_from(el.clone(), move || {
                let phase = RwSignal::new(phase);
                let ctx = ctx(opts, &base, has_children, phase);
                view! { <Widget ctx phase /> }
            });
            mark_mounted(&el, HYDRATED);
            return Ok(Mounted {
                _handle: Box::new(handle),
            });
        }
    }
    render(&host, &shadow, opts, Source::Remote { base })
}

/// Renders the widget client-side into `host`'s open shadow root (attached now if needed), with
/// the stylesheet, from `source`. For tests and pages that build options in Rust:
///
/// ```no_run
/// use feedframe_widget::{Fetched, Options, web::{Source, mount_feed}};
/// # fn f(host: web_sys::HtmlElement, feed: feedframe_widget::feed::Feed) {
/// let fetched = Fetched::Feed(feed);
/// let source = Source::Fetched { base: "https://feeds.example.com".into(), fetched };
/// mount_feed(&host, Options::default(), source).unwrap().forget();
/// # }
/// ```
pub fn mount_feed(
    host: &HtmlElement,
    options: Options,
    source: Source,
) -> Result<Mounted, JsValue> {
    let shadow = shadow_of(host)?;
    render(host, &shadow, options, source)
}

fn render(
    host: &HtmlElement,
    shadow: &ShadowRoot,
    opts: Options,
    source: Source,
) -> Result<Mounted, JsValue> {
    let document = host.owner_document().ok_or("no document")?;
    // Whatever the loader reserved has the same geometry as the loading boxes: both swap in
    // this task, before any paint, so nothing shifts.
    while let Some(node) = shadow.first_child() {
        shadow.remove_child(&node)?;
    }
    let style = document.create_element("style")?;
    style.set_text_content(Some(STYLESHEET));
    shadow.append_child(&style)?;
    let mount_point: HtmlElement = document.create_element("div")?.unchecked_into();
    mount_point.set_class_name(class::MOUNT);
    shadow.append_child(&mount_point)?;

    let (base, fetched) = match source {
        Source::Remote { base } => (base.trim_end_matches('/').to_string(), None),
        Source::Fetched { base, fetched } => {
            (base.trim_end_matches('/').to_string(), Some(fetched))
        }
        Source::Pending => (String::new(), None),
    };
    let has_children = has_fallback_children(host);
    let remote = fetched.is_none() && !base.is_empty();
    let handle = leptos::mount::mount_to(mount_point.clone(), move || {
        let phase = RwSignal::new(match fetched {
            Some(f) => announce(outcome(&opts.feed, "(in memory)", f)),
            None => Phase::Loading,
        });
        if remote {
            load(&opts, &base, phase);
        }
        let ctx = ctx(opts, &base, has_children, phase);
        view! { <Widget ctx phase /> }
    });
    mark_mounted(&mount_point, RENDERED);
    Ok(Mounted {
        _handle: Box::new(handle),
    })
}

/// `data-mounted` on the root: the wasm hydrated the server's view.
const HYDRATED: &str = "hydrated";
/// `data-mounted` on the root: the wasm rendered the view itself, from the JSON.
const RENDERED: &str = "rendered";

/// Marks the root in `mount_point` as mounted by the wasm, `how`: a signal for tests and
/// curious site owners (documented in docs/widget.md), invisible to visitors. The root element
/// is never replaced, so the mark stays.
fn mark_mounted(mount_point: &HtmlElement, how: &str) {
    if let Some(root) = mount_point.first_element_child() {
        let _ = root.set_attribute("data-mounted", how);
    }
}

fn ctx(opts: Options, base: &str, has_children: bool, phase: RwSignal<Phase>) -> Arc<Ctx> {
    let on_broken = refetch_once(&opts, base, phase);
    Arc::new(Ctx {
        opts,
        base: base.to_string(),
        has_children,
        on_broken,
    })
}

fn shadow_of(host: &HtmlElement) -> Result<ShadowRoot, JsValue> {
    match host.shadow_root() {
        Some(shadow) => Ok(shadow),
        None => host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open)),
    }
}

/// The server's view in `shadow`, if the loader put one there: the element to hydrate and the
/// feed it was rendered from (parsed by the browser, read by serde-wasm-bindgen).
fn server_view(shadow: &ShadowRoot) -> Result<Option<(HtmlElement, Fetched)>, JsValue> {
    let Some(el) = shadow.query_selector(&class::sel(class::MOUNT))? else {
        return Ok(None);
    };
    let Some(data) = shadow.query_selector(&class::sel(class::DATA))? else {
        return Ok(None);
    };
    let json = js_sys::JSON::parse(&data.text_content().unwrap_or_default())?;
    Ok(Some((el.unchecked_into(), fetch::decode_json(json))))
}

/// Whether the element has content of its own (elements or non-blank text) to fall back to.
fn has_fallback_children(host: &HtmlElement) -> bool {
    let nodes = host.child_nodes();
    (0..nodes.length()).filter_map(|i| nodes.item(i)).any(|n| {
        n.node_type() == Node::ELEMENT_NODE
            || (n.node_type() == Node::TEXT_NODE
                && n.text_content().is_some_and(|t| !t.trim().is_empty()))
    })
}
