//! The grid layout: N columns of square tiles (CSS grid).

use std::sync::Arc;

use leptos::prelude::*;

use super::{Ctx, tile::Tile};
use crate::{TileModel, class};

/// Tiles in a CSS grid.
#[component]
pub fn Grid(ctx: Arc<Ctx>, tiles: Vec<TileModel>) -> impl IntoView {
    let first_row = ctx.opts.first_row();
    let items: Vec<(usize, TileModel)> = tiles.into_iter().enumerate().collect();
    view! {
        <div class=class::list(&[class::LAYOUT, class::GRID])>
            <For
                each=move || items.clone()
                key=|(i, _)| *i
                children=move |(i, tile)| view! { <Tile ctx=ctx.clone() tile first_row={i < first_row} /> }
            />
        </div>
    }
}
