//! Masonry placement: each item goes into the currently shortest column (the leftmost on a tie),
//! so reading order runs left to right, row by row.
//!
//! [`place_masonry_balanced`] also makes the layout's height known before any post is: every
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

/// Like [`place_masonry`] (same columns, same reading order), then every non-empty column is
/// scaled to end exactly at [`masonry_height`] of the items: each item of a column keeps its
/// share of the column, so images are cropped a little (`object-fit: cover`), never distorted,
/// and the total height is known before the aspect ratios are. Returns the placements and that
/// height.
///
/// ```
/// use feedframe_feed::{masonry_height, place_masonry_balanced};
/// let (items, height) = place_masonry_balanced(&[1.0, 0.5, 1.0, 1.0], 2, 90.0, 10.0);
/// assert_eq!(height, masonry_height(4, 2, 90.0, 10.0)); // 210
/// let bottom = |i: usize| items[i].top + items[i].height;
/// assert!((bottom(2) - height).abs() < 1e-9 && (bottom(3) - height).abs() < 1e-9);
/// ```
pub fn place_masonry_balanced(
    aspect_ratios: &[f64],
    columns: usize,
    column_width: f64,
    gap: f64,
) -> (Vec<MasonryPlacement>, f64) {
    let columns = columns.max(1);
    let height = masonry_height(aspect_ratios.len(), columns, column_width, gap);
    let (mut items, _) = place_masonry(aspect_ratios, columns, column_width, gap);
    for column in 0..columns {
        let (count, natural) = items
            .iter()
            .filter(|p| p.column == column)
            .fold((0, 0.0), |(n, h), p| (n + 1, h + p.height));
        if count == 0 || natural <= 0.0 {
            continue;
        }
        let scale = ((height - (count - 1) as f64 * gap) / natural).max(0.0);
        let mut top = 0.0;
        for p in items.iter_mut().filter(|p| p.column == column) {
            p.top = top;
            p.height *= scale;
            top += p.height + gap;
        }
    }
    (items, height)
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

    fn bottoms(items: &[MasonryPlacement], columns: usize) -> Vec<f64> {
        (0..columns)
            .map(|c| {
                items
                    .iter()
                    .filter(|p| p.column == c)
                    .map(|p| p.top + p.height)
                    .fold(0.0, f64::max)
            })
            .collect()
    }

    #[test]
    fn balanced_masonry_columns_all_end_at_the_reference_height() {
        let ratios = [
            0.8, 1.0, 1.91, 0.56, 1.0, 0.8, 1.33, 1.0, 0.8, 0.75, 1.0, 1.5,
        ];
        let (items, height) = place_masonry_balanced(&ratios, 3, 200.0, 8.0);
        // 4 rows of 200 / 0.9 px, 3 gaps.
        assert!((height - (4.0 * 200.0 / 0.9 + 3.0 * 8.0)).abs() < 1e-9);
        for bottom in bottoms(&items, 3) {
            assert!((bottom - height).abs() < 1e-9, "{bottom} vs {height}");
        }
    }

    #[test]
    fn balanced_masonry_keeps_the_reading_order_and_gaps_of_place_masonry() {
        let ratios = [0.5, 1.0, 1.0, 1.0, 2.0, 0.8];
        let (plain, _) = place_masonry(&ratios, 2, 100.0, 10.0);
        let (balanced, _) = place_masonry_balanced(&ratios, 2, 100.0, 10.0);
        let columns = |v: &[MasonryPlacement]| v.iter().map(|p| p.column).collect::<Vec<_>>();
        assert_eq!(columns(&balanced), columns(&plain));
        assert_eq!(columns(&balanced)[..2], [0, 1]);
        // Within a column, each item starts one gap below the previous one.
        for c in 0..2 {
            let col: Vec<_> = balanced.iter().filter(|p| p.column == c).collect();
            assert_eq!(col[0].top, 0.0);
            for pair in col.windows(2) {
                assert!((pair[1].top - (pair[0].top + pair[0].height + 10.0)).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn balanced_masonry_scales_a_column_uniformly_so_ratios_within_it_are_preserved() {
        let ratios = [0.5, 1.0, 1.0, 2.0, 1.0, 1.0];
        let (plain, _) = place_masonry(&ratios, 2, 100.0, 10.0);
        let (balanced, _) = place_masonry_balanced(&ratios, 2, 100.0, 10.0);
        for c in 0..2 {
            let scales: Vec<f64> = plain
                .iter()
                .zip(&balanced)
                .filter(|(p, _)| p.column == c)
                .map(|(p, b)| b.height / p.height)
                .collect();
            assert!(
                scales.iter().all(|s| (s - scales[0]).abs() < 1e-9),
                "{scales:?}"
            );
        }
    }

    #[test]
    fn balanced_masonry_of_fewer_items_than_columns_is_one_row_tall() {
        let (items, height) = place_masonry_balanced(&[1.0, 0.5], 3, 90.0, 10.0);
        assert_eq!(height, 100.0);
        assert_eq!(items.iter().map(|p| p.column).collect::<Vec<_>>(), [0, 1]);
        assert!(items.iter().all(|p| (p.height - 100.0).abs() < 1e-9));
        assert_eq!(place_masonry_balanced(&[], 3, 90.0, 10.0), (vec![], 0.0));
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
