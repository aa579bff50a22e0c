//! Turning one downloaded image into FeedFrame's renditions: width variants (never upscaled) in
//! lossy WebP and JPEG, plus the size, dominant colour and ThumbHash the feed JSON carries.
//! CPU-bound and synchronous: callers run it on a blocking thread. The pixel count is checked
//! from the header before anything is decoded, so a decompression bomb costs a few bytes.

use std::io::Cursor;

use fast_image_resize as fr;
use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageDecoder, ImageEncoder, ImageFormat, ImageReader};
use sha2::{Digest, Sha256};

use crate::codec::hex;
use crate::error::ProxyError;
use crate::media::files::Format;
use crate::media::placeholder;

/// Rendition widths in CSS pixels × DPR a tile needs; an image narrower than one stops there.
pub const WIDTHS: [u32; 3] = [320, 640, 1080];
/// Good enough for photos at tile size, a third of Instagram's bytes.
pub const JPEG_QUALITY: u8 = 80;
/// libwebp's quality scale; 75 is its default and matches JPEG 80 visually.
pub const WEBP_QUALITY: f32 = 75.0;
/// The longest side of the thumbnail the colour and ThumbHash come from (ThumbHash takes ≤ 100).
const THUMB_SIDE: u32 = 64;

/// One encoded variant.
#[derive(Debug)]
pub struct Rendition {
    pub width: u32,
    pub height: u32,
    pub format: Format,
    pub bytes: Vec<u8>,
}

/// Everything mirrored from one source image.
#[derive(Debug)]
pub struct Transcoded {
    /// 32 hex characters of the SHA-256 of the source bytes: the image's content address.
    pub digest: String,
    pub width: u32,
    pub height: u32,
    /// `#rrggbb`
    pub color: String,
    /// ThumbHash, standard base64.
    pub placeholder: String,
    /// Narrowest first; at each width WebP, then JPEG.
    pub renditions: Vec<Rendition>,
}

/// Decodes `bytes` (JPEG, PNG or WebP of at most `max_pixels`) and encodes every variant.
pub fn transcode(bytes: &[u8], max_pixels: u64) -> Result<Transcoded, ProxyError> {
    let source = decode(bytes, max_pixels)?;
    let (width, height) = source.dimensions();
    let mut renditions = Vec::new();
    // Resize to the widest variant first, then each narrower one from it: cheaper than going
    // from a large original every time, and a convolution resize keeps the quality.
    let mut widths = widths(width);
    widths.reverse();
    let widest = resize(&source, widths[0])?;
    drop(source);
    for &w in &widths {
        let image = if w == widest.width() {
            None
        } else {
            Some(resize(&widest, w)?)
        };
        let image = image.as_ref().unwrap_or(&widest);
        renditions.push(encode_jpeg(image)?);
        renditions.push(encode_webp(image)?);
    }
    renditions.reverse();
    let thumb = resize_to_fit(&widest, THUMB_SIDE)?;
    Ok(Transcoded {
        digest: hex(&Sha256::digest(bytes)[..16]),
        width,
        height,
        color: placeholder::dominant_color(thumb.as_raw()),
        placeholder: placeholder::thumbhash(thumb.width(), thumb.height(), thumb.as_raw()),
        renditions,
    })
}

/// The variant widths for an image `width` pixels wide, narrowest first, never upscaled.
pub fn widths(width: u32) -> Vec<u32> {
    let mut out: Vec<u32> = WIDTHS.iter().copied().filter(|&w| w < width).collect();
    out.push(width.min(WIDTHS[WIDTHS.len() - 1]));
    out.dedup();
    out
}

fn refused(why: impl std::fmt::Display) -> ProxyError {
    ProxyError::MediaRefused(why.to_string())
}

/// Decodes to RGB after checking the format and the declared pixel count; applies EXIF
/// orientation (and drops all metadata, GPS included, since only pixels are re-encoded).
fn decode(bytes: &[u8], max_pixels: u64) -> Result<image::RgbImage, ProxyError> {
    let format = image::guess_format(bytes).map_err(|_| refused("not an image"))?;
    if !matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP
    ) {
        return Err(refused(format!("{format:?} images are not mirrored")));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(max_pixels.saturating_mul(4).saturating_add(16 << 20));
    reader.limits(limits);
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| refused(format!("not a readable image ({e})")))?;
    let (w, h) = decoder.dimensions();
    if w == 0 || h == 0 {
        return Err(refused("the image is empty"));
    }
    if u64::from(w) * u64::from(h) > max_pixels {
        return Err(refused(format!(
            "{w} × {h} pixels is more than FEEDFRAME_MEDIA_MAX_PIXELS ({max_pixels})"
        )));
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder)
        .map_err(|e| refused(format!("not a readable image ({e})")))?;
    image.apply_orientation(orientation);
    Ok(image.into_rgb8())
}

/// `image` resized to `width` with its aspect ratio kept (Lanczos3, SIMD).
fn resize(image: &image::RgbImage, width: u32) -> Result<image::RgbImage, ProxyError> {
    let height = (u64::from(image.height()) * u64::from(width))
        .div_ceil(u64::from(image.width()).max(1))
        .max(1) as u32;
    resize_exact(image, width, height)
}

/// Fits `image` into a `side` × `side` box.
fn resize_to_fit(image: &image::RgbImage, side: u32) -> Result<image::RgbImage, ProxyError> {
    let (w, h) = image.dimensions();
    let scale = f64::from(side) / f64::from(w.max(h));
    if scale >= 1.0 {
        return Ok(image.clone());
    }
    let fit = |v: u32| ((f64::from(v) * scale).round() as u32).clamp(1, side);
    resize_exact(image, fit(w), fit(h))
}

fn resize_exact(
    image: &image::RgbImage,
    width: u32,
    height: u32,
) -> Result<image::RgbImage, ProxyError> {
    if image.dimensions() == (width, height) {
        return Ok(image.clone());
    }
    let src = fr::images::ImageRef::new(
        image.width(),
        image.height(),
        image.as_raw(),
        fr::PixelType::U8x3,
    )
    .map_err(|e| refused(format!("cannot resize ({e})")))?;
    let mut dst = fr::images::Image::new(width, height, fr::PixelType::U8x3);
    let options =
        fr::ResizeOptions::new().resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Lanczos3));
    fr::Resizer::new()
        .resize(&src, &mut dst, &options)
        .map_err(|e| refused(format!("cannot resize ({e})")))?;
    image::RgbImage::from_raw(width, height, dst.into_vec())
        .ok_or_else(|| refused("the resized buffer has the wrong size"))
}

fn encode_jpeg(image: &image::RgbImage) -> Result<Rendition, ProxyError> {
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY)
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            image::ExtendedColorType::Rgb8,
        )
        .map_err(|e| refused(format!("cannot encode JPEG ({e})")))?;
    Ok(Rendition {
        width: image.width(),
        height: image.height(),
        format: Format::Jpeg,
        bytes,
    })
}

fn encode_webp(image: &image::RgbImage) -> Result<Rendition, ProxyError> {
    let mut config = webp::WebPConfig::new().map_err(|()| refused("libwebp cannot start"))?;
    config.quality = WEBP_QUALITY;
    config.method = 4;
    let encoded = webp::Encoder::from_rgb(image.as_raw(), image.width(), image.height())
        .encode_advanced(&config)
        .map_err(|e| refused(format!("cannot encode WebP ({e:?})")))?;
    Ok(Rendition {
        width: image.width(),
        height: image.height(),
        format: Format::WebP,
        bytes: encoded.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_are_never_wider_than_the_original() {
        assert_eq!(widths(1080), [320, 640, 1080]);
        assert_eq!(widths(1440), [320, 640, 1080]);
        assert_eq!(widths(750), [320, 640, 750]);
        assert_eq!(widths(320), [320]);
        assert_eq!(widths(200), [200]);
    }

    #[test]
    fn a_jpeg_becomes_webp_and_jpeg_at_every_width_with_its_aspect_ratio() {
        let jpeg = fake_instagram::jpeg_bytes(1080, 1350, 3);
        let out = transcode(&jpeg, 40_000_000).unwrap();
        assert_eq!((out.width, out.height), (1080, 1350));
        let sizes: Vec<(u32, u32, Format)> = out
            .renditions
            .iter()
            .map(|r| (r.width, r.height, r.format))
            .collect();
        assert_eq!(
            sizes,
            [
                (320, 400, Format::WebP),
                (320, 400, Format::Jpeg),
                (640, 800, Format::WebP),
                (640, 800, Format::Jpeg),
                (1080, 1350, Format::WebP),
                (1080, 1350, Format::Jpeg),
            ]
        );
        for r in &out.renditions {
            let back = image::load_from_memory(&r.bytes).unwrap();
            assert_eq!((back.width(), back.height()), (r.width, r.height));
        }
        assert!(out.color.starts_with('#') && out.color.len() == 7);
        assert!(!out.placeholder.is_empty());
        assert_eq!(out.digest.len(), 32);
    }

    #[test]
    fn a_decompression_bomb_is_refused_from_its_header() {
        // A real 8×8 JPEG whose frame header claims 60000 × 60000 pixels (3.6 GP, ~10 GB RGB).
        let mut bomb = fake_instagram::jpeg_bytes(8, 8, 1);
        let sof = bomb
            .windows(2)
            .position(|w| w == [0xFF, 0xC0])
            .expect("a baseline JPEG has SOF0");
        bomb[sof + 5..sof + 9].copy_from_slice(&[0xEA, 0x60, 0xEA, 0x60]);
        let err = transcode(&bomb, 40_000_000).unwrap_err();
        assert!(
            matches!(&err, ProxyError::MediaRefused(m) if m.contains("60000 × 60000")),
            "{err}"
        );
    }

    #[test]
    fn bytes_that_are_not_an_image_are_refused() {
        for bytes in [&b"<html>oops"[..], b"", b"\xFF\xD8\xFF\xE0 truncated"] {
            assert!(matches!(
                transcode(bytes, 40_000_000),
                Err(ProxyError::MediaRefused(_))
            ));
        }
    }
}
