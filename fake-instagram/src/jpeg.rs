//! Real, decodable JPEGs for the fake CDN: a colourful diagonal gradient whose colours follow a seed.

use image::codecs::jpeg::JpegEncoder;
use image::{ExtendedColorType, ImageEncoder};

/// Encodes a `width`×`height` JPEG whose dominant colours depend on `seed`.
///
/// ```
/// let bytes = fake_instagram::jpeg_bytes(64, 80, 7);
/// assert_eq!(&bytes[..2], &[0xFF, 0xD8]);
/// ```
pub fn jpeg_bytes(width: u32, height: u32, seed: u64) -> Vec<u8> {
    let (width, height) = (width.max(1), height.max(1));
    let from = hue_to_rgb(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40);
    let to = hue_to_rgb((seed.wrapping_mul(0xC2B2_AE3D_27D4_EB4F) >> 40).wrapping_add(400));
    let span = u64::from(width) + u64::from(height);
    let mut pixels = Vec::with_capacity(width as usize * height as usize * 3);
    for y in 0..height {
        for x in 0..width {
            let t = (u64::from(x) + u64::from(y)) * 256 / span;
            // A soft band every 1/8 of the diagonal keeps the image from being a flat blur.
            let band = if (t / 32) % 2 == 0 { 0 } else { 18 };
            for c in 0..3 {
                let v = (u64::from(from[c]) * (256 - t) + u64::from(to[c]) * t) / 256;
                pixels.push(v.saturating_sub(band) as u8);
            }
        }
    }
    let mut out = Vec::new();
    let encoder = JpegEncoder::new_with_quality(&mut out, 80);
    encoder
        .write_image(&pixels, width, height, ExtendedColorType::Rgb8)
        .expect("encoding an in-memory RGB buffer cannot fail");
    out
}

/// A saturated colour from a hue in 0..1536 (wrapping).
fn hue_to_rgb(hue: u64) -> [u8; 3] {
    let h = hue % 1536;
    let x = (h % 256) as u8;
    match h / 256 {
        0 => [255, x, 40],
        1 => [255 - x, 255, 40],
        2 => [40, 255, x],
        3 => [40, 255 - x, 255],
        4 => [x, 40, 255],
        _ => [255, 40, 255 - x],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jpegs_decode_to_the_requested_size() {
        let img = image::load_from_memory(&jpeg_bytes(108, 135, 1)).unwrap();
        assert_eq!((img.width(), img.height()), (108, 135));
    }

    #[test]
    fn different_seeds_give_different_colours() {
        let centre = |seed| {
            let img = image::load_from_memory(&jpeg_bytes(32, 32, seed))
                .unwrap()
                .to_rgb8();
            img.get_pixel(4, 4).0
        };
        assert_ne!(centre(1), centre(2));
    }
}
