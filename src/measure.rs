//! Reading and writing CSS pixel values without float parsing or float formatting (both would
//! pull kilobytes of code into the wasm).

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

/// Pixels as a CSS length, to the hundredth: `12.606` → `"12.61px"`, `3.0` → `"3px"`.
///
/// ```
/// use feedframe_widget::measure::px;
/// assert_eq!(px(12.606), "12.61px");
/// ```
pub fn px(value: f64) -> String {
    let hundredths = (value * 100.0).round() as i64;
    let mut s = String::new();
    if hundredths < 0 {
        s.push('-');
    }
    let hundredths = hundredths.unsigned_abs();
    s.push_str(&(hundredths / 100).to_string());
    let fraction = hundredths % 100;
    if fraction != 0 {
        s.push('.');
        s.push(char::from(b'0' + (fraction / 10) as u8));
        if !fraction.is_multiple_of(10) {
            s.push(char::from(b'0' + (fraction % 10) as u8));
        }
    }
    s.push_str("px");
    s
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

    #[test]
    fn pixels_keep_two_decimals() {
        assert_eq!(px(12.6), "12.6px");
        assert_eq!(px(0.0), "0px");
        assert_eq!(px(222.2222), "222.22px");
        assert_eq!(px(10.05), "10.05px");
        assert_eq!(px(-1.5), "-1.5px");
    }
}
