//! The grid layout: N columns of square tiles (CSS grid).

use web_sys::Element;

use super::{dom::child, tile::tile, widget::Ctx};
use crate::{TileModel, class};

/// Fills `parent` with the grid; returns the grid container.
pub(crate) fn grid(parent: &Element, ctx: &Ctx, tiles: &[TileModel]) -> Element {
    let grid = child(parent, "div", &class::list(&[class::LAYOUT, class::GRID]));
    for t in tiles {
        _ = grid.append_child(&tile(t, ctx));
    }
    grid
}
