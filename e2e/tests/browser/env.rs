use std::path::PathBuf;
use std::time::Duration;

use fake_instagram::{FakeInstagram, sample_posts};
use feedframe::instagram::client::Graph;
use feedframe::instagram::secret::Secret;
use feedframe::store::Store;
use feedframe::{Config, RunningApp};
pub use feedframe_e2e::{Browser, BrowserOptions, HostPage};
use serde_json::json;

pub const DAY: i64 = 86_400;

/// One browser at a time: two cores cannot run several Chromiums and a build.
pub static BROWSER_SLOT: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The proxy with feed `main` (24 posts), the fake, and a host page server on another origin.
pub struct Env {
    pub fake: FakeInstagram,
    pub app: RunningApp,
    pub host: HostPage,
    pub dir: tempfile::TempDir,
}

pub fn dist() -> PathBuf {
    let dist = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../dist"));
    assert!(
        dist.join("widget.js").is_file(),
        "the widget is not built: run `./x widget` (the test command does) before these tests"
    );
    dist
}

/// A port nothing listens on now (for a server whose public URL must be known before it starts;
/// another listener may take it before the server does, see [`Env::start_on_free_port`]).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

impl Env {
    pub async fn start() -> Env {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> Env {
        let mut tweak = Some(tweak);
        Self::start_listening(|c| {
            if let Some(tweak) = tweak.take() {
                tweak(c);
            }
            None
        })
        .await
    }

    /// An environment whose server listens on a port known to `tweak` before it starts (for a
    /// public URL naming it). A port taken by another listener meanwhile is replaced by another.
    pub async fn start_on_free_port(tweak: impl Fn(&mut Config, u16)) -> Env {
        Self::start_listening(|c| {
            let port = free_port();
            c.listen = format!("127.0.0.1:{port}").parse().unwrap();
            tweak(c, port);
            Some(port)
        })
        .await
    }

    /// Starts everything; `tweak` adjusts the server's configuration and says which port it
    /// picked, if any, so that a start failing on a taken port can be tried again on another.
    async fn start_listening(mut tweak: impl FnMut(&mut Config) -> Option<u16>) -> Env {
        let fake = FakeInstagram::start_with(sample_posts(24)).await;
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::new(dir.path().to_path_buf());
        config.listen = "127.0.0.1:0".parse().unwrap();
        config.graph_base = fake.graph_base();
        (config.media_hosts, config.media_allow_private) = (vec!["localhost".into()], true);
        config.widget_dir = Some(dist());
        config.upstream_timeout = Duration::from_secs(2);
        // Instagram Login goes through the fake's consent page.
        config.ig_app_id = Some(fake.app_id());
        config.ig_app_secret = Some(Secret::new(fake.app_secret()));
        config.ig_authorize_url = fake.authorize_url();
        config.ig_token_url = fake.token_url();
        let base = config;
        let mut config = base.clone();
        let mut picked = tweak(&mut config);
        let token = fake.issue_token(60 * DAY);
        add_token(&config, "main", &token).await;
        let mut tries = 0;
        let app = loop {
            match feedframe::start(config, None).await {
                Ok(app) => break app,
                Err(e) if picked.is_some() && tries < 10 && e.to_string().contains("in use") => {
                    tries += 1;
                    config = base.clone();
                    picked = tweak(&mut config);
                }
                Err(e) => panic!("the server does not start: {e}"),
            }
        };
        // The site's first visitor came earlier: the feed and its mirrored images are cached.
        let warm = reqwest::get(format!("{}/v1/feeds/main", app.url()))
            .await
            .unwrap();
        assert_eq!(warm.status(), 200);
        let host = HostPage::start().await;
        Env {
            fake,
            app,
            host,
            dir,
        }
    }

    pub fn proxy(&self) -> String {
        self.app.url()
    }

    /// A `<script>` embed of feed `feed` with extra attributes.
    pub fn script(&self, attrs: &str) -> String {
        format!(
            r#"<script src="{}/widget.js" {attrs} async></script>"#,
            self.proxy()
        )
    }

    /// The same embed without `async`: the 2.5 KB loader runs before the first paint.
    pub fn blocking_script(&self, attrs: &str) -> String {
        format!(
            r#"<script src="{}/widget.js" {attrs}></script>"#,
            self.proxy()
        )
    }

    /// Adds a feed, as `feedframe token add` does, and makes the running server know it at once
    /// (it would within 2 s; a page opened sooner got a 404 and showed the unknown feed's fallback).
    pub async fn add_feed(&self, feed: &str, token: &str) {
        let mut config = Config::new(self.dir.path().to_path_buf());
        config.graph_base = self.fake.graph_base();
        add_token(&config, feed, token).await;
        self.app.feeds.reload_catalog().await.unwrap();
    }
}

async fn add_token(config: &Config, feed: &str, token: &str) {
    let store = Store::open(&config.db_path()).unwrap();
    let (graph, secret) = (Graph::new(config), Secret::new(token));
    feedframe::tokens::add::add_checked(&graph, &store, feed, &secret, Some(now() + 60 * DAY), &[])
        .await
        .expect("the fake accepts the token");
}

/// JS: the widget roots of the page, in document order.
pub const ROOTS: &str = "[...document.querySelectorAll('feedframe-feed')].map(h => h.shadowRoot && h.shadowRoot.querySelector('.ff-root'))";

/// Waits until widget `i` of the page is in `state`, and returns its `data-layout`.
pub async fn wait_state(b: &Browser, i: usize, state: &str) -> String {
    b.wait_for(
        &format!(
            "(({ROOTS})[{i}] || {{}}).dataset?.state === '{state}' && ({ROOTS})[{i}].dataset.layout"
        ),
        20,
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_string()
}

/// Number of `img` elements in widget `i`.
pub async fn image_count(b: &Browser, i: usize) -> u64 {
    b.eval(
        &format!("return ({ROOTS})[{i}].querySelectorAll('img').length;"),
        json!([]),
    )
    .await
    .as_u64()
    .unwrap()
}

/// A browser, holding the one-browser slot for as long as it lives.
pub async fn browser() -> (tokio::sync::MutexGuard<'static, ()>, Browser) {
    let slot = BROWSER_SLOT.lock().await;
    (slot, Browser::start(BrowserOptions::default()).await)
}

/// Installed in a page's head: records layout shifts (all of them, and those after the first
/// widget host was inserted) and console warnings.
pub const PROBES: &str = r#"<script>
  window.__cls = 0; window.__clsAfterInsert = 0; window.__warnings = []; window.__inserted = null;
  // Once the first widget host is in the page and its first frame is painted: shifts from then on
  // are the widget's own doing (an async loader running after the first paint shifts the page
  // once, when it inserts the host; that is measured separately as the whole-page figure).
  new MutationObserver((_, obs) => {
    if (!document.querySelector('feedframe-feed')) return;
    obs.disconnect();
    requestAnimationFrame(() => requestAnimationFrame(() => { window.__inserted = performance.now(); }));
  }).observe(document, { childList: true, subtree: true });
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) {
      if (e.hadRecentInput) continue;
      window.__cls += e.value;
      if (window.__inserted !== null && e.startTime >= window.__inserted) window.__clsAfterInsert += e.value;
    }
  }).observe({ type: 'layout-shift', buffered: true });
  const warn = console.warn.bind(console);
  console.warn = (...args) => { window.__warnings.push(args.join(' ')); warn(...args); };
  window.alert = () => { window.__alerted = true; };
</script>"#;

/// Waits until every image of widget `i` has loaded (or failed).
pub async fn images_settled(b: &Browser, i: usize) {
    b.wait_for(
        &format!("[...({ROOTS})[{i}].querySelectorAll('img')].every(img => img.complete)"),
        20,
    )
    .await;
}

/// Holds back the widget's wasm: from now on (across navigations) Chromium pauses every request
/// for a `*_bg.wasm` file, until [`release_wasm`].
pub async fn hold_wasm(b: &Browser) {
    b.cdp(
        "Fetch.enable",
        json!({ "patterns": [{ "urlPattern": "*_bg.wasm", "requestStage": "Request" }] }),
    )
    .await;
}

/// Lets the held wasm requests go on.
pub async fn release_wasm(b: &Browser) {
    b.cdp("Fetch.disable", json!({})).await;
}

/// Waits until the wasm has mounted widget `i`: `how` is `hydrated` (the server's view) or
/// `rendered` (client-side, from the JSON). The root's `data-mounted` is the documented signal.
pub async fn wait_mounted(b: &Browser, i: usize, how: &str) {
    b.wait_for(
        &format!("(({ROOTS})[{i}] || {{}}).dataset?.mounted === '{how}'"),
        20,
    )
    .await;
}

/// JS expression: how many first-row images (`fetchpriority=high`) widget `i` holds, if every
/// one of them is decoded (`complete` with a natural width), else 0.
pub fn first_row_decoded(i: usize) -> String {
    format!(
        "(() => {{ const r = ({ROOTS})[{i}]; if (!r) return 0; const imgs = [...r.querySelectorAll('img[fetchpriority=high]')]; return imgs.every(img => img.complete && img.naturalWidth > 0) ? imgs.length : 0; }})()"
    )
}

/// JS expression: the URLs of the images the page has downloaded, in order (one entry per
/// request; Resource Timing).
pub const IMAGE_REQUESTS: &str = "performance.getEntriesByType('resource').filter(e => e.initiatorType === 'img').map(e => e.name)";

/// JS: the distinct column indices (`--c`, as the stylesheet resolves it) and left edges of
/// widget 0's masonry tiles.
pub const MASONRY_COLUMNS: &str = "const tiles = [...({ROOTS})[0].querySelectorAll('.ff-masonry > .ff-tile')]; \
    const c = new Set(tiles.map(t => getComputedStyle(t).getPropertyValue('--c').trim())); \
    const left = new Set(tiles.map(t => Math.round(t.getBoundingClientRect().left))); \
    return [c.size, left.size, tiles.length];";

/// The browser console's errors (`SEVERE` lines) so far.
pub async fn console_errors(b: &Browser) -> Vec<(String, String)> {
    b.console()
        .await
        .into_iter()
        .filter(|(level, _)| level == "SEVERE")
        .collect()
}
