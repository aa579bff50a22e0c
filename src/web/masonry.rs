//! The masonry layout: tiles cropped close to their own aspect ratio, each placed in the shortest
//! column (reading order runs left to right), every column scaled to end at the same height:
//! the height of the skeleton, known before the feed (`feed::place_masonry_balanced`). So the
//! swap from skeleton to posts moves nothing below the widget.
//!
//! Placement needs the column width, so it runs once the container is laid out (before the
//! first paint) and again, debounced, whenever it resizes. Until it has run, the stylesheet lays
//! the tiles out as the skeleton (a grid of reference-ratio boxes), which has the same height.

use std::{cell::Cell, rc::Rc, time::Duration};

use feedframe_feed::place_masonry_balanced;
use leptos::prelude::{TimeoutHandle, request_animation_frame, set_timeout_with_handle};
use wasm_bindgen::{JsCast, closure::Closure};
use web_sys::{Element, HtmlElement, ResizeObserver};

use super::{
    dom::{Keep, child},
    tile::tile,
    widget::Ctx,
};
use crate::{
    TileModel, class,
    measure::{css_px, px},
};

/// Quiet time after the last resize before placing again.
const DEBOUNCE: Duration = Duration::from_millis(120);

/// Fills `parent` with the masonry; returns its container.
pub(crate) fn masonry(
    parent: &Element,
    ctx: &Ctx,
    tiles: &[TileModel],
    keep: &mut Keep,
) -> Element {
    let container: HtmlElement = child(
        parent,
        "div",
        &class::list(&[class::LAYOUT, class::GRID, class::MASONRY]),
    )
    .unchecked_into();
    for t in tiles {
        _ = container.append_child(&tile(t, ctx));
    }
    let ratios: Rc<[f64]> = tiles.iter().map(TileModel::ratio).collect();
    if container.is_connected() {
        place(&container, &ratios);
    } else {
        // Mounted after this returns; animation frame callbacks run before the first paint.
        let (el, ratios) = (container.clone(), ratios.clone());
        request_animation_frame(move || place(&el, &ratios));
    }
    keep.observer = observe(&container, ratios);
    container.into()
}

/// Positions every tile (`--c` column, `--t` top, `--h` height; the stylesheet turns them into
/// `left`, `top`, `height`) and sets the container's height, which switches the stylesheet from
/// the skeleton grid to absolute placement. Columns and gap come from the computed style, so the
/// responsive breakpoints and `--feedframe-gap` have one source: the stylesheet.
fn place(el: &HtmlElement, ratios: &[f64]) {
    let width = el.get_bounding_client_rect().width();
    if width <= 0.0 {
        return;
    }
    let computed = web_sys::window().and_then(|w| w.get_computed_style(el).ok().flatten());
    let read = |name: &str| {
        computed
            .as_ref()
            .and_then(|c| c.get_property_value(name).ok())
            .and_then(|v| css_px(&v))
    };
    let columns = read("--ff-cols").unwrap_or(3.0).max(1.0) as usize;
    let gap = read("column-gap").unwrap_or(0.0);
    let column_width = (width - gap * (columns - 1) as f64) / columns as f64;
    let (placements, height) = place_masonry_balanced(ratios, columns, column_width, gap);
    let children = el.children();
    for (i, p) in placements.iter().enumerate() {
        if let Some(child) = children
            .item(i as u32)
            .and_then(|c| c.dyn_into::<HtmlElement>().ok())
        {
            let style = child.style();
            _ = style.set_property("--c", &p.column.to_string());
            _ = style.set_property("--t", &px(p.top));
            _ = style.set_property("--h", &px(p.height));
        }
    }
    _ = el.style().set_property("height", &px(height));
}

/// Keeps a resize observer (and its callback) alive; disconnects when dropped.
pub(crate) struct Observer {
    observer: ResizeObserver,
    _callback: Closure<dyn FnMut()>,
}

impl Drop for Observer {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

fn observe(el: &HtmlElement, ratios: Rc<[f64]>) -> Option<Observer> {
    let pending: Rc<Cell<Option<TimeoutHandle>>> = Rc::default();
    let target = el.clone();
    let callback = Closure::<dyn FnMut()>::new(move || {
        if let Some(handle) = pending.take() {
            handle.clear();
        }
        let (el, ratios) = (target.clone(), ratios.clone());
        pending.set(set_timeout_with_handle(move || place(&el, &ratios), DEBOUNCE).ok());
    });
    let observer = ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
    observer.observe(el);
    Some(Observer {
        observer,
        _callback: callback,
    })
}
