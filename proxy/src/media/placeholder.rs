//! What a tile paints before its image arrives: the image's dominant colour (`#rrggbb`) and a
//! ThumbHash (a ~25-byte blurred preview), both computed from a thumbnail of at most 100 × 100.

/// The dominant colour of RGB pixels: the most common colour bucket (4 bits a channel), averaged.
pub fn dominant_color(rgb: &[u8]) -> String {
    let mut counts = vec![0u32; 4096];
    let mut sums = vec![[0u64; 3]; 4096];
    for px in rgb.chunks_exact(3) {
        let bucket = (usize::from(px[0] >> 4) << 8)
            | (usize::from(px[1] >> 4) << 4)
            | usize::from(px[2] >> 4);
        counts[bucket] += 1;
        for c in 0..3 {
            sums[bucket][c] += u64::from(px[c]);
        }
    }
    let Some((best, &n)) = counts
        .iter()
        .enumerate()
        .max_by_key(|(i, n)| (**n, std::cmp::Reverse(*i)))
        .filter(|(_, n)| **n > 0)
    else {
        return "#000000".into();
    };
    let avg = |c: usize| sums[best][c] / u64::from(n);
    format!("#{:02x}{:02x}{:02x}", avg(0), avg(1), avg(2))
}

/// The ThumbHash of an RGB thumbnail (each side at most 100), in standard base64.
pub fn thumbhash(width: u32, height: u32, rgb: &[u8]) -> String {
    let rgba: Vec<u8> = rgb
        .chunks_exact(3)
        .flat_map(|px| [px[0], px[1], px[2], 255])
        .collect();
    base64(&thumbhash::rgba_to_thumb_hash(
        width as usize,
        height as usize,
        &rgba,
    ))
}

/// Standard base64 with padding (what ThumbHash's decoders take).
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dominant_colour_is_the_commonest_not_the_average() {
        // Three quarters red, one quarter blue: the average would be purple.
        let mut rgb = Vec::new();
        for i in 0..100 {
            rgb.extend_from_slice(if i % 4 == 0 {
                &[0, 0, 250]
            } else {
                &[250, 2, 0]
            });
        }
        assert_eq!(dominant_color(&rgb), "#fa0200");
        assert_eq!(dominant_color(&[]), "#000000");
    }

    #[test]
    fn base64_matches_the_standard_alphabet_with_padding() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(&[0xfb, 0xff]), "+/8=");
    }

    #[test]
    fn a_thumbhash_decodes_back_to_the_images_colour() {
        let rgb: Vec<u8> = std::iter::repeat_n([200u8, 40, 40], 32 * 24)
            .flatten()
            .collect();
        let hash = thumbhash(32, 24, &rgb);
        assert!(hash.len() < 40, "{hash}");
        let bytes: Vec<u8> = decode(&hash);
        let (r, g, b, _) = thumbhash::thumb_hash_to_average_rgba(&bytes).unwrap();
        assert!(r > 0.6 && g < 0.3 && b < 0.3, "{r} {g} {b}");
    }

    fn decode(text: &str) -> Vec<u8> {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let values: Vec<u32> = text
            .bytes()
            .filter(|&c| c != b'=')
            .map(|c| ALPHABET.iter().position(|&a| a == c).unwrap() as u32)
            .collect();
        let mut out = Vec::new();
        for chunk in values.chunks(4) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, v)| n | (v << (18 - 6 * i)));
            for i in 0..chunk.len() - 1 {
                out.push((n >> (16 - 8 * i)) as u8);
            }
        }
        out
    }
}
