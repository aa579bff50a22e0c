//! Building DOM with plain `web-sys` calls. Leptos renders the widget's root and switches its
//! state; what is inside (tiles, layouts, skeleton, fallback) is built here, because every
//! distinct Leptos view type costs wasm size and these nodes never change once built.

use leptos::prelude::document;
use wasm_bindgen::{JsCast, closure::Closure};
use web_sys::{Element, Event, EventTarget};

/// A new `<tag class="class">` (no class when `class` is empty).
pub(crate) fn el(tag: &str, class: &str) -> Element {
    // `create_element` only fails for invalid tag names, and ours are literals.
    let el = document()
        .create_element(tag)
        .unwrap_or_else(|_| unreachable_tag());
    if !class.is_empty() {
        el.set_class_name(class);
    }
    el
}

#[cold]
fn unreachable_tag() -> Element {
    wasm_bindgen::throw_str("FeedFrame: invalid tag")
}

/// `el` as a child of `parent`; returns the child.
pub(crate) fn child(parent: &Element, tag: &str, class: &str) -> Element {
    let el = el(tag, class);
    _ = parent.append_child(&el);
    el
}

/// Sets attributes in order (order matters for images: `loading` before `src`).
pub(crate) fn attrs(el: &Element, pairs: &[(&str, &str)]) {
    for (name, value) in pairs {
        _ = el.set_attribute(name, value);
    }
}

/// What a built body keeps alive: its event handlers and the masonry's resize observer. Dropped
/// (handlers freed, observer disconnected) when the widget's state changes and the body is
/// replaced.
#[derive(Default)]
pub(crate) struct Keep {
    handlers: Vec<Closure<dyn FnMut(Event)>>,
    pub observer: Option<super::masonry::Observer>,
}

impl Keep {
    /// Listens to `event` on `target` (in the capture phase with `capture`, for events that do
    /// not bubble, such as an image's `error`).
    pub(crate) fn on(
        &mut self,
        target: &EventTarget,
        event: &str,
        capture: bool,
        handler: impl FnMut(Event) + 'static,
    ) {
        let closure = Closure::<dyn FnMut(Event)>::new(handler);
        _ = target.add_event_listener_with_callback_and_bool(
            event,
            closure.as_ref().unchecked_ref(),
            capture,
        );
        self.handlers.push(closure);
    }
}
