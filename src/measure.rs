//! Reading CSS pixel values without float parsing (which would pull kilobytes of code into the
//! wasm).

/// A computed CSS length or number as pixels: `"8px"` → 8, `" 3"` → 3, `"7.5px"` → 7.5.
/// Exponents and units other than `px` are not computed values the widget reads.
///
/// ```
/// use feedframe_widget::measure::css_px;
/// assert_eq!(css_px("12px"), Some(12.0));
/// assert_eq!(css_px("9.6px"), Some(9.6));
/// assert_eq!(css_px("normal"), None);
/// ```
pub fn css_px(value: &str) -> Option<f64> {
    let value = value.trim();
    let mut number = 0.0;
    let mut scale = 0.0; // 0 before the decimal point, then 0.1, 0.01, …
    let mut digits = 0;
    for b in value.bytes() {
        match b {
            b'0'..=b'9' if scale == 0.0 => number = number * 10.0 + f64::from(b - b'0'),
            b'0'..=b'9' => {
                number += f64::from(b - b'0') * scale;
                scale /= 10.0;
            }
            b'.' if scale == 0.0 => {
                scale = 0.1;
                continue;
            }
            _ => break,
        }
        digits += 1;
    }
    (digits > 0).then_some(number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computed_values_read_as_pixels() {
        assert_eq!(css_px(" 3"), Some(3.0));
        assert_eq!(css_px("7.5px"), Some(7.5));
        assert_eq!(css_px("0px"), Some(0.0));
        assert_eq!(css_px("12.25px"), Some(12.25));
        assert_eq!(css_px(""), None);
        assert_eq!(css_px("px"), None);
    }
}
