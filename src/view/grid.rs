//! The grid layout: N columns of square tiles (CSS grid).

use std::sync::Arc;

use leptos::prelude::*;

use super::{
    Ctx,
    tiles::{Placing, Tiles},
};
use crate::{TileModel, class};

/// Tiles in a CSS grid.
#[component]
pub fn Grid(ctx: Arc<Ctx>, tiles: Signal<Vec<TileModel>>) -> impl IntoView {
    view! {
        <div class=class::list(&[class::LAYOUT, class::GRID])>
            <Tiles ctx tiles placing=Placing::Cell />
        </div>
    }
}
