//! The posts' tiles in order: the one keyed list every layout uses (grid cells, masonry slots or
//! slider slides). It grows at the end when more posts are loaded; the tiles above stay.

use std::sync::Arc;

use feedframe_feed::MasonrySlot;
use leptos::{either::Either, prelude::*};

use super::{Ctx, tile::Tile};
use crate::{TileModel, class, gallery::position};

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

/// Every tile of `tiles`, placed by `placing`; the first row's images are fetched first.
/// `offset` is the first tile's place in the feed (a masonry block after "Load more").
#[component]
pub fn Tiles(
    ctx: Arc<Ctx>,
    tiles: Signal<Vec<TileModel>>,
    placing: Placing,
    #[prop(optional)] offset: usize,
) -> impl IntoView {
    let first_row = ctx.opts.first_row();
    let count = Memo::new(move |_| tiles.with(Vec::len));
    view! {
        <For
            each=move || tiles.get().into_iter().enumerate()
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
                let index = offset + i;
                let tile = view! {
                    <Tile ctx=ctx.clone() tile index first_row={index < first_row} place />
                };
                match placing {
                    Placing::Slide => {
                        let label = move || position(i, count.get());
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
