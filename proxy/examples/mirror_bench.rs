//! Benchmark of image mirroring (not a test): mirrors 50 posts of 1080 × 1350 JPEG from the fake
//! Instagram into every variant through the real proxy, and prints
//! - the wall time of the first feed request (which mirrors everything), median of the runs,
//! - the process's peak resident memory while mirroring (VmHWM),
//! - the bytes a 3-column grid 900 px wide downloads (tiles of 300 CSS px at DPR 1 and 2, the
//!   variant `srcset`/`sizes` picks) against Instagram's originals,
//! - the resize step with `image::imageops` and with `fast_image_resize`, for the choice.
//!
//! `cargo run --profile server -p feedframe --example mirror_bench`

use std::path::Path;
use std::time::{Duration, Instant};

use fake_instagram::{FakeInstagram, FakePost};
use feedframe::Config;
use feedframe::instagram::client::Graph;
use feedframe::instagram::secret::Secret;
use feedframe::store::{NewToken, Store};
use feedframe_feed::{Feed, Media};

const POSTS: u32 = 50;
const RUNS: usize = 5;

#[tokio::main]
async fn main() {
    let posts: Vec<FakePost> = (0..POSTS)
        .map(|i| {
            FakePost::image(
                &format!("1790000000000{i:04}"),
                None,
                "2026-09-14T17:22:08+0000",
                1080,
                1350,
            )
        })
        .collect();
    let fake = FakeInstagram::start_with(posts).await;
    let originals = warm_the_cdn(&fake).await;
    let original_bytes: u64 = originals.iter().sum();
    reset_peak_memory();
    let baseline = status_kb("VmRSS");

    let mut times = Vec::new();
    let mut last: Option<(tempfile::TempDir, Feed)> = None;
    for _ in 0..RUNS {
        let dir = tempfile::tempdir().expect("a temporary dir");
        let (elapsed, feed) = mirror_once(&fake, dir.path()).await;
        assert_eq!(feed.posts.len(), POSTS as usize, "every post mirrored");
        times.push(elapsed);
        last = Some((dir, feed));
    }
    let peak = status_kb("VmHWM");
    times.sort();
    let (dir, feed) = last.expect("at least one run");

    println!(
        "Mirroring {POSTS} posts of 1080x1350 JPEG into 3 widths x (WebP + JPEG), {RUNS} runs"
    );
    println!(
        "  wall time: median {:.2} s (min {:.2} s, max {:.2} s), {:.0} ms per image",
        times[RUNS / 2].as_secs_f64(),
        times[0].as_secs_f64(),
        times[RUNS - 1].as_secs_f64(),
        times[RUNS / 2].as_secs_f64() * 1000.0 / f64::from(POSTS)
    );
    println!(
        "  peak RSS: {} MB (VmHWM; {} MB resident before mirroring, fake Instagram included)",
        peak / 1024,
        baseline / 1024
    );
    println!(
        "  cores: {}",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    let media: Vec<&Media> = feed.posts.iter().map(|p| &p.media[0]).collect();
    let size = |url: &str| {
        let name = url.trim_start_matches("/media/");
        std::fs::metadata(dir.path().join("media").join(name)).map_or(0, |m| m.len())
    };
    let pick = |m: &Media, device_px: u32, mime: &str| {
        // What srcset picks: the narrowest candidate at least as wide as the slot.
        let fitting: Vec<_> = m.variants.iter().filter(|v| v.mime == mime).collect();
        let chosen = fitting
            .iter()
            .find(|v| v.width >= device_px)
            .or(fitting.last())
            .expect("a variant");
        (chosen.width, size(&chosen.url))
    };
    println!("Bytes a 3-column grid 900 px wide downloads for {POSTS} tiles (300 CSS px each):");
    println!(
        "  Instagram's originals (1080 px JPEG): {:>9} bytes (100%)",
        original_bytes
    );
    for (dpr, mime) in [
        (1, "image/webp"),
        (2, "image/webp"),
        (1, "image/jpeg"),
        (2, "image/jpeg"),
    ] {
        let picks: Vec<(u32, u64)> = media.iter().map(|m| pick(m, 300 * dpr, mime)).collect();
        let total: u64 = picks.iter().map(|p| p.1).sum();
        println!(
            "  DPR {dpr}, {mime:<10} ({} px variant): {:>9} bytes ({:.0}%)",
            picks[0].0,
            total,
            100.0 * total as f64 / original_bytes as f64
        );
    }
    let all: u64 = media
        .iter()
        .flat_map(|m| &m.variants)
        .map(|v| size(&v.url))
        .sum();
    println!("  disk: {all} bytes for all variants of {POSTS} images");

    compare_resizers(&fake_instagram::jpeg_bytes(1080, 1350, 7));
    stage_times(&fake_instagram::jpeg_bytes(1080, 1350, 7));
    photo_bytes();
}

/// Where one image's time goes (single thread, median of 5).
fn stage_times(jpeg: &[u8]) {
    let median = |f: &mut dyn FnMut()| {
        let mut t: Vec<Duration> = (0..5)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect();
        t.sort();
        t[2].as_secs_f64() * 1000.0
    };
    let decode = median(&mut || {
        let _ = image::load_from_memory(jpeg).expect("a jpeg").into_rgb8();
    });
    let source = image::load_from_memory(jpeg).expect("a jpeg").into_rgb8();
    let sizes = [(1080, 1350), (640, 800), (320, 400)];
    let images: Vec<image::RgbImage> = sizes
        .iter()
        .map(|&(w, h)| image::imageops::thumbnail(&source, w, h))
        .collect();
    let jpeg_ms = median(&mut || {
        for img in &images {
            let mut out = Vec::new();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
                .encode_image(img)
                .expect("encoded");
        }
    });
    let webp_ms = median(&mut || {
        for img in &images {
            let mut config = webp::WebPConfig::new().expect("libwebp");
            config.quality = 75.0;
            config.method = 4;
            let _ = webp::Encoder::from_rgb(img.as_raw(), img.width(), img.height())
                .encode_advanced(&config)
                .expect("encoded");
        }
    });
    let dir = tempfile::tempdir().expect("a temporary dir");
    let files = feedframe::media::files::MediaFiles::local(dir.path().to_path_buf());
    let all = median(&mut || {
        render(jpeg, &files);
    });
    println!(
        "One image, one thread: decode {decode:.1} ms, JPEG x3 {jpeg_ms:.1} ms, WebP x3 {webp_ms:.1} ms; whole render (with resize, ThumbHash, writes) {all:.1} ms"
    );
}

/// Renders one image into `files`, from these synchronous measurements.
fn render(bytes: &[u8], files: &feedframe::media::files::MediaFiles) -> Media {
    let rendered = feedframe::media::mirror::render(bytes, 40_000_000, files);
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(rendered))
        .expect("rendered")
}

/// The fake's gradients compress unusually well, so a real photo shows the ratio a real feed
/// gets: `MIRROR_BENCH_PHOTO=path.jpg` is cropped to 4:5, resized to 1080 × 1350 and saved at JPEG
/// quality 85 (about what Instagram serves) as the "original".
fn photo_bytes() {
    let Some(path) = std::env::var_os("MIRROR_BENCH_PHOTO") else {
        println!("(set MIRROR_BENCH_PHOTO=some-photo.jpg to measure a real photo too)");
        return;
    };
    let photo = image::open(&path).expect("a readable photo").into_rgb8();
    let (w, h) = photo.dimensions();
    let crop_w = w.min(h * 4 / 5);
    let crop_h = crop_w * 5 / 4;
    let cropped =
        image::imageops::crop_imm(&photo, (w - crop_w) / 2, (h - crop_h) / 2, crop_w, crop_h)
            .to_image();
    let img = image::imageops::resize(&cropped, 1080, 1350, image::imageops::FilterType::Lanczos3);
    let mut original = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut original, 85)
        .encode_image(&img)
        .expect("encoded");
    let dir = tempfile::tempdir().expect("a temporary dir");
    let files = feedframe::media::files::MediaFiles::local(dir.path().to_path_buf());
    let media = render(&original, &files);
    let size = |url: &str| {
        std::fs::metadata(dir.path().join(url.trim_start_matches("/media/"))).map_or(0, |m| m.len())
    };
    println!(
        "A real photo ({}), 1080x1350 original at JPEG q85: {} bytes",
        std::path::Path::new(&path).display(),
        original.len()
    );
    for v in &media.variants {
        let bytes = size(&v.url);
        println!(
            "  {:>4} px {:<10} {:>7} bytes ({:.0}% of the original)",
            v.width,
            v.mime,
            bytes,
            100.0 * bytes as f64 / original.len() as f64
        );
    }
}

/// Fetches every original once (the fake encodes on first request); returns their sizes.
async fn warm_the_cdn(fake: &FakeInstagram) -> Vec<u64> {
    let token = fake.issue_token(60 * 86_400);
    let http = reqwest::Client::new();
    let list: serde_json::Value = http
        .get(format!(
            "{}/v25.0/me/media?fields=media_url&limit={POSTS}&access_token={token}",
            fake.graph_base()
        ))
        .send()
        .await
        .expect("the fake answers")
        .json()
        .await
        .expect("json");
    let mut sizes = Vec::new();
    let data = list["data"].as_array().cloned().unwrap_or_default();
    for item in data {
        let url = item["media_url"].as_str().expect("an image url");
        let bytes = http.get(url).send().await.expect("cdn").bytes().await;
        sizes.push(bytes.expect("bytes").len() as u64);
    }
    sizes
}

/// Starts a proxy on a fresh data dir and times the first feed request.
async fn mirror_once(fake: &FakeInstagram, data_dir: &Path) -> (Duration, Feed) {
    let mut config = Config::new(data_dir.to_path_buf());
    config.listen = "127.0.0.1:0".parse().expect("an address");
    config.graph_base = fake.graph_base();
    config.media_hosts = vec!["127.0.0.1".into()];
    config.post_count = POSTS as usize;
    let token = Secret::new(fake.issue_token(60 * 86_400));
    let me = Graph::new(&config).me(&token).await.expect("a valid token");
    let store = Store::open(&config.db_path()).expect("a store");
    let new = NewToken::checked("main", &token, &me, None, &[]);
    store.put_token(&new, 0).expect("the token is stored");
    let app = feedframe::start(config, None)
        .await
        .expect("the proxy starts");
    let started = Instant::now();
    let feed: Feed = reqwest::get(format!("{}/v1/feeds/main", app.url()))
        .await
        .expect("the proxy answers")
        .json()
        .await
        .expect("a feed");
    let elapsed = started.elapsed();
    app.stop().await;
    (elapsed, feed)
}

/// Resize 1080 → 640 and 320 with both libraries, Lanczos3, median of 5.
fn compare_resizers(jpeg: &[u8]) {
    use fast_image_resize as fr;
    let source = image::load_from_memory(jpeg).expect("a jpeg").into_rgb8();
    let median = |f: &dyn Fn()| {
        let mut t: Vec<Duration> = (0..5)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect();
        t.sort();
        t[2]
    };
    let imageops = median(&|| {
        for (w, h) in [(640, 800), (320, 400)] {
            let _ = image::imageops::resize(&source, w, h, image::imageops::FilterType::Lanczos3);
        }
    });
    let fir = median(&|| {
        let src = fr::images::ImageRef::new(1080, 1350, source.as_raw(), fr::PixelType::U8x3)
            .expect("a view");
        let options = fr::ResizeOptions::new()
            .resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Lanczos3));
        for (w, h) in [(640, 800), (320, 400)] {
            let mut dst = fr::images::Image::new(w, h, fr::PixelType::U8x3);
            fr::Resizer::new()
                .resize(&src, &mut dst, &options)
                .expect("resized");
        }
    });
    println!(
        "Resizing 1080x1350 to 640 and 320 (Lanczos3): image::imageops {:.1} ms, fast_image_resize {:.1} ms",
        imageops.as_secs_f64() * 1000.0,
        fir.as_secs_f64() * 1000.0
    );
}

/// Resets VmHWM to the current RSS (Linux `clear_refs` 5), so warm-up does not count.
fn reset_peak_memory() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// A `/proc/self/status` field in kB.
fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
