//! The posts' tiles in order: the one keyed list every layout uses (grid cells, masonry slots or
//! slider slides).

use std::sync::Arc;

use feedframe_feed::MasonrySlot;
use leptos::{either::Either, prelude::*};

use super::{Ctx, tile::Tile};
use crate::{TileModel, class};

/// How each tile sits in its layout.
#[derive(Clone, Copy)]
pub enum Placing {
    /// Straight in the container (the grid).
    Cell,
    /// Wrapped in a labelled slide ("3 of 12").
    Slide,
    /// At its masonry slot: per set of slots, the suffix of its custom properties (empty, or the
    /// column count of a responsive breakpoint) and the slots.
    Slot(Memo<Vec<(String, Vec<MasonrySlot>)>>),
}

/// Every tile, placed by `placing`; the first row's images are fetched first.
#[component]
pub fn Tiles(ctx: Arc<Ctx>, tiles: Vec<TileModel>, placing: Placing) -> impl IntoView {
    let first_row = ctx.opts.first_row();
    let total = tiles.len();
    let items: Vec<(usize, TileModel)> = tiles.into_iter().enumerate().collect();
    view! {
        <For
            each=move || items.clone()
            key=|(i, _)| *i
            children=move |(i, tile)| {
                let place = match placing {
                    Placing::Slot(slots) => Some(Signal::derive(move || {
                        slots.with(|sets| {
                            let mut style = String::new();
                            for (suffix, slots) in sets {
                                if let Some(slot) = slots.get(i) {
                                    slot_style(&mut style, suffix, slot);
                                }
                            }
                            style
                        })
                    })),
                    _ => None,
                };
                let tile = view! { <Tile ctx=ctx.clone() tile first_row={i < first_row} place /> };
                match placing {
                    Placing::Slide => {
                        let label = [(i + 1).to_string(), total.to_string()].join(" of ");
                        Either::Left(view! {
                            <div class=class::SLIDE role="group" aria-roledescription="slide" aria-label=label>
                                {tile}
                            </div>
                        })
                    }
                    _ => Either::Right(tile),
                }
            }
        />
    }
}

/// Appends a slot as the custom properties the stylesheet places it with (integers only), each
/// name followed by `suffix`: `--c3:1;--k3:0;…`.
fn slot_style(style: &mut String, suffix: &str, slot: &MasonrySlot) {
    for (name, value) in [
        ("--c", slot.column as u32),
        ("--k", slot.index as u32),
        ("--n", slot.count as u32),
        ("--b", slot.before),
        ("--s", slot.share),
    ] {
        style.push_str(name);
        style.push_str(suffix);
        style.push(':');
        style.push_str(&value.to_string());
        style.push(';');
    }
}
