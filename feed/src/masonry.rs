//! Masonry placement: each item goes into the currently shortest column (the leftmost on a tie),
//! so reading order runs left to right, row by row.
//!
//! [`masonry_slots`] also makes the layout's height known before any post is: every
//! column is scaled to end at [`masonry_height`], the height of a grid of boxes of the reference
//! ratio [`MASONRY_REFERENCE_RATIO`]. A skeleton of such boxes (drawn by the widget and its loader
//! before the feed arrives) therefore has the final height, and nothing below the widget moves.

/// Where one item goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MasonryPlacement {
    pub column: usize,
    /// Offset from the top of the layout, in pixels.
    pub top: f64,
    /// Height of the item, in pixels.
    pub height: f64,
}

/// Places items with the given aspect ratios (width / height) into `columns` columns of
/// `column_width` pixels, `gap` pixels apart. Returns each item's placement and the total height.
/// A non-positive or non-finite ratio is treated as square.
///
/// ```
/// use feedframe_feed::place_masonry;
/// let (items, height) = place_masonry(&[1.0, 0.5, 1.0], 2, 100.0, 10.0);
/// assert_eq!(items[2].column, 0); // column 0 is 100 px tall, column 1 is 200 px
/// assert_eq!(height, 210.0);
/// ```
pub fn place_masonry(
    aspect_ratios: &[f64],
    columns: usize,
    column_width: f64,
    gap: f64,
) -> (Vec<MasonryPlacement>, f64) {
    let columns = columns.max(1);
    let mut heights = vec![0.0_f64; columns];
    let mut used = vec![false; columns];
    let items = aspect_ratios
        .iter()
        .map(|&ratio| {
            let ratio = if ratio.is_finite() && ratio > 0.0 {
                ratio
            } else {
                1.0
            };
            // Strictly shorter wins, so ties go to the leftmost column.
            let column = (0..columns).fold(
                0,
                |best, c| if heights[c] < heights[best] { c } else { best },
            );
            let top = if used[column] {
                heights[column] + gap
            } else {
                0.0
            };
            let height = column_width / ratio;
            heights[column] = top + height;
            used[column] = true;
            MasonryPlacement {
                column,
                top,
                height,
            }
        })
        .collect();
    let total = heights.iter().copied().fold(0.0, f64::max);
    (items, total)
}

/// The reference aspect ratio (width / height) of a masonry slot before the feed is known: a
/// little portrait, between Instagram's square and 4:5 posts, so columns are scaled little. The
/// widget's stylesheet gives masonry skeleton tiles the same ratio (`aspect-ratio: 9/10`).
pub const MASONRY_REFERENCE_RATIO: f64 = 0.9;

/// The height of a masonry of `items` items: `rows` boxes of [`MASONRY_REFERENCE_RATIO`] per
/// column, `gap` apart, with `rows = ceil(items / columns)`. It is exactly the height of a CSS grid
/// of `items` such boxes in `columns` columns.
///
/// ```
/// use feedframe_feed::masonry_height;
/// // 12 items in 3 columns: 4 rows of 90 px wide, 100 px tall boxes, 10 px apart.
/// assert_eq!(masonry_height(12, 3, 90.0, 10.0), 430.0);
/// ```
pub fn masonry_height(items: usize, columns: usize, column_width: f64, gap: f64) -> f64 {
    let rows = items.div_ceil(columns.max(1));
    if rows == 0 {
        return 0.0;
    }
    rows as f64 * (column_width / MASONRY_REFERENCE_RATIO) + (rows - 1) as f64 * gap
}

/// Shares are integers out of this scale (ten-thousandths), so they print without float
/// formatting (which would cost the wasm kilobytes).
pub const MASONRY_SHARE_SCALE: u32 = 10_000;

/// Where one item of a balanced masonry goes, independent of pixels: its column, its place in
/// it, and its share of the column's height. Every non-empty column is scaled to end at
/// [`masonry_height`] (so the layout's height is known before the posts are); gaps stay fixed, so
/// an item of a column holding `count` items is `share / MASONRY_SHARE_SCALE` of
/// `masonry_height - (count - 1) * gap` tall and starts `before` of it plus `index` gaps down.
/// The stylesheet does that arithmetic, so the server can render the placement and it holds at
/// any width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MasonrySlot {
    pub column: usize,
    /// Position within the column, from the top.
    pub index: usize,
    /// Items in the column.
    pub count: usize,
    /// The column's share above this item.
    pub before: u32,
    /// This item's share.
    pub share: u32,
}

/// Balanced masonry slots for items with the given aspect ratios (width / height) in `columns`
/// columns: each item goes into the shortest column (reading order left to right, as
/// [`place_masonry`]), then each column is scaled to the common height, so images are cropped a
/// little (`object-fit: cover`), never distorted.
///
/// ```
/// use feedframe_feed::{masonry_slots, MASONRY_SHARE_SCALE};
/// let slots = masonry_slots(&[1.0, 0.5, 1.0, 1.0], 2);
/// assert_eq!((slots[2].column, slots[2].index, slots[2].count), (0, 1, 3));
/// assert_eq!(slots[1].share, MASONRY_SHARE_SCALE); // alone in its column: all of it
/// ```
pub fn masonry_slots(aspect_ratios: &[f64], columns: usize) -> Vec<MasonrySlot> {
    let columns = columns.max(1);
    let (placed, _) = place_masonry(aspect_ratios, columns, 1.0, 0.0);
    let mut totals = vec![0.0_f64; columns];
    let mut counts = vec![0_usize; columns];
    for p in &placed {
        totals[p.column] += p.height;
        counts[p.column] += 1;
    }
    let mut above = vec![0.0_f64; columns];
    let mut index = vec![0_usize; columns];
    let scale = f64::from(MASONRY_SHARE_SCALE);
    placed
        .iter()
        .map(|p| {
            let c = p.column;
            let at = |h: f64| (h / totals[c] * scale).round() as u32;
            let before = at(above[c]);
            above[c] += p.height;
            let slot = MasonrySlot {
                column: c,
                index: index[c],
                count: counts[c],
                before,
                share: at(above[c]) - before,
            };
            index[c] += 1;
            slot
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masonry_keeps_reading_order_left_to_right() {
        let (items, _) = place_masonry(&[1.0; 6], 3, 100.0, 0.0);
        let columns: Vec<usize> = items.iter().map(|p| p.column).collect();
        assert_eq!(columns, vec![0, 1, 2, 0, 1, 2]);
    }

    #[test]
    fn masonry_fills_the_shortest_column_first() {
        // A tall first item leaves column 0 long; the next two short items go right.
        let (items, height) = place_masonry(&[0.5, 1.0, 1.0, 1.0], 2, 100.0, 10.0);
        let columns: Vec<usize> = items.iter().map(|p| p.column).collect();
        assert_eq!(columns, vec![0, 1, 1, 0]);
        assert_eq!(items[2].top, 110.0);
        assert_eq!(items[3].top, 210.0);
        assert_eq!(height, 310.0);
    }

    #[test]
    fn masonry_treats_unknown_ratios_as_square() {
        let (items, height) = place_masonry(&[0.0, f64::NAN], 1, 50.0, 5.0);
        assert_eq!(items[1].top, 55.0);
        assert_eq!(height, 105.0);
    }

    #[test]
    fn masonry_with_zero_columns_uses_one() {
        let (items, _) = place_masonry(&[1.0, 1.0], 0, 10.0, 0.0);
        assert!(items.iter().all(|p| p.column == 0));
    }

    #[test]
    fn masonry_of_nothing_is_zero_tall() {
        assert_eq!(place_masonry(&[], 3, 100.0, 8.0), (vec![], 0.0));
    }

    #[test]
    fn every_column_of_slots_fills_exactly_the_whole_height() {
        let ratios = [1.0, 0.8, 1.91, 0.5, 1.0, 0.75, 1.2, 0.8, 1.0, 0.66];
        for columns in 1..=5 {
            let slots = masonry_slots(&ratios, columns);
            for c in 0..columns {
                let col: Vec<_> = slots.iter().filter(|s| s.column == c).collect();
                if col.is_empty() {
                    continue;
                }
                // Contiguous, in order, ending at the full scale.
                let mut at = 0;
                for (i, s) in col.iter().enumerate() {
                    assert_eq!((s.index, s.count, s.before), (i, col.len(), at));
                    at += s.share;
                }
                assert_eq!(at, MASONRY_SHARE_SCALE, "column {c} of {columns}");
            }
        }
    }

    #[test]
    fn slots_keep_the_columns_and_reading_order_of_place_masonry() {
        let ratios = [1.0, 0.5, 1.0, 1.0, 2.0, 0.8];
        let (placed, _) = place_masonry(&ratios, 3, 1.0, 0.0);
        let slots = masonry_slots(&ratios, 3);
        let columns: Vec<usize> = slots.iter().map(|s| s.column).collect();
        assert_eq!(columns, placed.iter().map(|p| p.column).collect::<Vec<_>>());
        assert_eq!(&columns[..3], &[0, 1, 2]);
    }

    #[test]
    fn shares_within_a_column_keep_the_images_proportions() {
        // A square over a 1:2 portrait: the portrait is twice as tall.
        let slots = masonry_slots(&[1.0, 1.0, 0.5], 2);
        let col0: Vec<_> = slots.iter().filter(|s| s.column == 0).collect();
        assert_eq!(col0.len(), 2);
        assert_eq!(col0[1].share, 2 * col0[0].share + 1);
    }

    #[test]
    fn balanced_masonry_height_matches_a_grid_of_reference_boxes() {
        // 9 items in 4 columns: 3 rows.
        assert!((masonry_height(9, 4, 90.0, 8.0) - (300.0 + 16.0)).abs() < 1e-9);
        assert_eq!(masonry_height(0, 4, 90.0, 8.0), 0.0);
        assert_eq!(
            masonry_height(3, 0, 90.0, 8.0),
            masonry_height(3, 1, 90.0, 8.0)
        );
    }
}
