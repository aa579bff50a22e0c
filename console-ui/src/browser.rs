//! The few browser APIs Leptos has no API for: the clipboard, selecting text, a form's current
//! fields, the address bar, and the preview frame's height message. Called only from event
//! handlers and effects, which run in the browser, never on the server.

use wasm_bindgen::JsValue;
use web_sys::{Element, HtmlFormElement, HtmlIFrameElement, MessageEvent, UrlSearchParams};

/// Writes `text` to the clipboard; `false` when the browser has no clipboard here (an insecure
/// origin) or refuses (no permission, no user gesture).
pub async fn write_clipboard(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let navigator = window.navigator();
    // `navigator.clipboard` is undefined outside secure contexts: calling through it would throw.
    let has_clipboard = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard"))
        .is_ok_and(|c| !c.is_undefined() && !c.is_null());
    if !has_clipboard {
        return false;
    }
    let promise = navigator.clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}

/// Selects the text of `element`, so the owner can copy it by hand.
pub fn select_contents(element: &Element) -> bool {
    let select = || -> Option<()> {
        let window = web_sys::window()?;
        let range = window.document()?.create_range().ok()?;
        range.select_node_contents(element).ok()?;
        let selection = window.get_selection().ok()??;
        selection.remove_all_ranges().ok()?;
        selection.add_range(&range).ok()
    };
    select().is_some()
}

/// The form's fields as a GET submit would send them: `(name, value)` pairs and the query string.
pub fn form_fields(form: &HtmlFormElement) -> Option<(Vec<(String, String)>, String)> {
    let data = web_sys::FormData::new_with_form(form).ok()?;
    let fields = crate::snippet::builder_options()
        .filter_map(|name| {
            data.get(name)
                .as_string()
                .map(|value| (name.to_string(), value))
        })
        .collect();
    let query = UrlSearchParams::new_with_str_sequence_sequence(&data)
        .ok()?
        .to_string()
        .as_string()?;
    Some((fields, query))
}

/// Puts `path_and_query` in the address bar without a navigation (so a reload or a shared link
/// shows the same state).
pub fn replace_url(path_and_query: &str) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(path_and_query));
    }
}

/// The content height that `frame`'s page announced in `event` (`{feedframe: "height", height}`
/// from this server's iframe page, see docs/widget.md), if the event is that message.
pub fn frame_height(event: &MessageEvent, frame: &HtmlIFrameElement) -> Option<u32> {
    let own_origin = web_sys::window()?.location().origin().ok()?;
    if event.origin() != own_origin {
        return None;
    }
    let from_frame = match (event.source(), frame.content_window()) {
        (Some(source), Some(window)) => JsValue::from(source) == JsValue::from(window),
        _ => false,
    };
    let data = event.data();
    let field = |name: &str| js_sys::Reflect::get(&data, &JsValue::from_str(name)).ok();
    let kind = field("feedframe")?.as_string();
    if !from_frame || kind.as_deref() != Some("height") {
        return None;
    }
    let height = field("height")?.as_f64()?;
    (height.is_finite() && height >= 0.0).then(|| height.ceil() as u32)
}

/// The content height of `frame`'s page once it has loaded (its document is same-origin), as
/// the page itself announces it: its body's height, rounded up.
pub fn loaded_frame_height(frame: &HtmlIFrameElement) -> Option<u32> {
    let document = frame.content_document()?;
    if document.ready_state() != "complete" {
        return None;
    }
    let height = document.body()?.get_bounding_client_rect().height();
    (height.is_finite() && height > 0.0).then(|| height.ceil() as u32)
}
