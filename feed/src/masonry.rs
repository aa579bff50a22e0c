//! Masonry placement: each item goes into the currently shortest column (the leftmost on a tie),
//! so reading order runs left to right, row by row.

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
}
