//! Mounting into a host element's open shadow root: the loader's entry point [`mount`] and the
//! test-friendly [`mount_feed`].

use std::sync::Arc;

use js_sys::{Promise, Reflect};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue, prelude::wasm_bindgen};
use web_sys::{HtmlElement, Node, ShadowRoot, ShadowRootInit, ShadowRootMode};

use super::{
    warn,
    widget::{Ctx, Phase, load, refetch_once, widget},
};
use crate::{Fetched, Options, STYLESHEET, error::outcome};

/// Where a mounted widget's feed comes from.
#[derive(Debug)]
pub enum Source {
    /// The proxy at `base` (`https://feeds.example.com`); `prefetch` is the loader's request
    /// already in flight (a promise of `{ status, body }`), else the widget fetches.
    Remote {
        base: String,
        prefetch: Option<Promise>,
    },
    /// A response already at hand (tests, or a page that inlines the feed): no network.
    Fetched(Fetched),
    /// Never resolves: the widget stays in its loading state (tests of the skeleton).
    Pending,
}

/// The loader's entry point: renders the widget into `host`'s shadow root. `options` holds the
/// attributes by name (`feed`, `layout`, `columns`, …, as strings), `src` (the proxy's base URL)
/// and optionally `prefetch`. Invalid options are warned about and replaced by defaults.
/// The loader has already put the stylesheet and a skeleton in the shadow root.
#[wasm_bindgen]
pub fn mount(host: HtmlElement, options: JsValue) -> Result<(), JsValue> {
    let get = |name: &str| Reflect::get(&options, &name.into()).ok()?.as_string();
    let (opts, warnings) = Options::from_attributes(get);
    for warning in &warnings {
        warn(&warning.to_string());
    }
    let base = get("src").unwrap_or_default();
    let prefetch = Reflect::get(&options, &"prefetch".into())
        .ok()
        .and_then(|p| p.dyn_into::<Promise>().ok());
    mount_into(&host, opts, Source::Remote { base, prefetch }, None)
}

/// Renders the widget into `host`'s open shadow root (attached now if needed), with the
/// stylesheet, from `source`. For tests and pages that build options in Rust:
///
/// ```no_run
/// use feedframe_widget::{Fetched, Options, web::{Source, mount_feed}};
/// # fn f(host: web_sys::HtmlElement, feed: feedframe_widget::feed::Feed) {
/// mount_feed(&host, Options::default(), Source::Fetched(Fetched::Feed(feed))).unwrap();
/// # }
/// ```
pub fn mount_feed(host: &HtmlElement, options: Options, source: Source) -> Result<(), JsValue> {
    mount_into(host, options, source, Some(STYLESHEET))
}

fn mount_into(
    host: &HtmlElement,
    opts: Options,
    source: Source,
    stylesheet: Option<&str>,
) -> Result<(), JsValue> {
    let shadow = match host.shadow_root() {
        Some(shadow) => shadow,
        None => host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?,
    };
    let document = host.owner_document().ok_or("no document")?;
    // The loader's skeleton has the same geometry as ours; both swap in this task, before any
    // paint, so nothing shifts. Its <style> stays.
    clear_except_style(&shadow)?;
    if let Some(css) = stylesheet
        && shadow.query_selector("style")?.is_none()
    {
        let style = document.create_element("style")?;
        style.set_text_content(Some(css));
        shadow.append_child(&style)?;
    }
    let mount_point: HtmlElement = document.create_element("div")?.unchecked_into();
    shadow.append_child(&mount_point)?;

    let (base, prefetch, fetched) = match source {
        Source::Remote { base, prefetch } => (base, Some(prefetch), None),
        Source::Fetched(fetched) => (String::new(), None, Some(fetched)),
        Source::Pending => (String::new(), None, None),
    };
    let ctx = Arc::new(Ctx {
        base: base.trim_end_matches('/').to_string(),
        has_children: has_fallback_children(host),
        opts,
    });
    leptos::mount::mount_to(mount_point, move || {
        let phase = RwSignal::new(match fetched {
            Some(f) => Phase::from_result(outcome(&ctx.opts.feed, "(in memory)", f)),
            None => Phase::Loading,
        });
        if let Some(prefetch) = prefetch {
            load(&ctx, prefetch, phase);
        }
        let on_broken = refetch_once(&ctx, phase);
        widget(ctx, phase, on_broken)
    })
    .forget();
    Ok(())
}

fn clear_except_style(shadow: &ShadowRoot) -> Result<(), JsValue> {
    let mut child = shadow.first_child();
    while let Some(node) = child {
        child = node.next_sibling();
        if node.node_name() != "STYLE" {
            shadow.remove_child(&node)?;
        }
    }
    Ok(())
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
