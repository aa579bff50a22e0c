//! The masonry layout: tiles cropped close to their own aspect ratio, each in the shortest
//! column (reading order left to right), every column scaled to end at the height of the loading
//! boxes (`feed::masonry_slots`), so nothing below the widget moves.
//!
//! The placement is in shares, not pixels: the stylesheet turns them into positions at any
//! width, so the server renders it and the first paint is final. When the embed leaves the
//! columns responsive, each tile carries its slot for each of the stylesheet's breakpoints
//! (2, 3 and 4 columns) and the stylesheet picks one by the widget's width: resizing re-balances
//! without script, and hydration moves nothing. In the browser an `Effect` follows the
//! stylesheet's column count for the rest (a `--feedframe-columns` set by the page's CSS).

use std::{cell::Cell, rc::Rc, sync::Arc};

use feedframe_feed::masonry_slots;
use leptos::{html, prelude::*};
use wasm_bindgen::{JsCast, closure::Closure};
use web_sys::{Element, ResizeObserver};

use super::{
    Ctx,
    tiles::{Placing, Tiles},
};
use crate::{TileModel, class, measure::css_px};

/// The stylesheet's responsive column counts (its `@container` breakpoints), in the order of
/// their suffixes in the tiles' custom properties (`--c2`, `--c3`, `--c4`).
pub const RESPONSIVE_COLUMNS: [usize; 3] = [2, 3, 4];

/// Tiles in balanced columns: one block of them. "Load more" adds blocks below, each balanced
/// on its own, so the tiles above never move.
#[component]
pub fn Masonry(
    ctx: Arc<Ctx>,
    tiles: Vec<TileModel>,
    /// The first tile's place in the feed.
    #[prop(optional)]
    offset: usize,
) -> impl IntoView {
    let ratios: Arc<[f64]> = tiles.iter().map(TileModel::ratio).collect();
    // `None`: one slot per breakpoint, the stylesheet picks; `Some(n)`: n columns.
    let columns = RwSignal::new(ctx.opts.columns.map(usize::from));
    let responsive = ctx.opts.columns.is_none();
    let slots = Memo::new(move |_| match columns.get() {
        Some(n) => vec![(String::new(), masonry_slots(&ratios, n))],
        None => RESPONSIVE_COLUMNS
            .iter()
            .map(|&n| (n.to_string(), masonry_slots(&ratios, n)))
            .collect(),
    });
    let container = NodeRef::<html::Div>::new();
    Effect::new(move || {
        if let Some(el) = container.get() {
            follow_columns(el.into(), columns, responsive);
        }
    });
    let count = ["--ff-n:", &tiles.len().to_string()].concat();
    view! {
        <div
            node_ref=container
            class=class::list(&[class::LAYOUT, class::GRID, class::MASONRY])
            style=count
        >
            <Tiles ctx tiles=Signal::stored(tiles) placing=Placing::Slot(slots) offset />
        </div>
    }
}

/// Keeps `columns` in step with the stylesheet's `--ff-cols` for `el`, now and on every resize,
/// until the view is cleaned up: `None` while a responsive embed is at one of the breakpoints
/// the tiles carry slots for.
fn follow_columns(el: Element, columns: RwSignal<Option<usize>>, responsive: bool) {
    let read = {
        let el = el.clone();
        move || {
            let cols = window()
                .get_computed_style(&el)
                .ok()
                .flatten()
                .and_then(|c| c.get_property_value("--ff-cols").ok())
                .and_then(|v| css_px(&v))
                .map(|c| c as usize)
                .filter(|&c| c >= 1);
            if let Some(c) = cols {
                let wanted = (!(responsive && RESPONSIVE_COLUMNS.contains(&c))).then_some(c);
                if wanted != columns.get_untracked() {
                    columns.set(wanted);
                }
            }
        }
    };
    read();
    let pending = Rc::new(Cell::new(false));
    let callback = Closure::<dyn FnMut()>::new(move || {
        // One read per frame, however many resize entries arrive.
        if !pending.replace(true) {
            let (read, pending) = (read.clone(), pending.clone());
            request_animation_frame(move || {
                pending.set(false);
                read();
            });
        }
    });
    let Ok(observer) = ResizeObserver::new(callback.as_ref().unchecked_ref()) else {
        return;
    };
    observer.observe(&el);
    // Owned by the view: dropped (and disconnected) when it is cleaned up.
    StoredValue::new_local(Observer {
        observer,
        _callback: callback,
    });
}

/// A resize observer and its callback; disconnects when dropped.
struct Observer {
    observer: ResizeObserver,
    _callback: Closure<dyn FnMut()>,
}

impl Drop for Observer {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}
