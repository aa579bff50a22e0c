use std::path::Path;
use std::time::Duration;

use fake_instagram::{FakeInstagram, FakePost, sample_posts};
use feedframe::instagram::client::Graph;
use feedframe::instagram::secret::Secret;
use feedframe::store::Store;
use feedframe::{Config, RunningApp};
use feedframe_feed::{Feed, Media};

pub const DAY: i64 = 86_400;

/// A proxy serving feed `main` from a fake Instagram, on a fresh data dir.
pub struct TestApp {
    pub fake: FakeInstagram,
    pub app: Option<RunningApp>,
    pub dir: tempfile::TempDir,
    pub token: String,
    pub http: reqwest::Client,
}

pub fn config(data_dir: &Path, fake: &FakeInstagram) -> Config {
    let mut c = Config::new(data_dir.to_path_buf());
    c.listen = "127.0.0.1:0".parse().unwrap();
    c.graph_base = fake.graph_base();
    // The fake's CDN is `localhost`, a loopback address: allowed for tests only.
    c.media_hosts = vec!["localhost".into()];
    c.media_allow_private = true;
    c.upstream_timeout = Duration::from_secs(2);
    c.refresh_tick = Duration::from_secs(3600);
    c
}

/// Stores `token` for `feed` the way `feedframe token add` does: checked against `/me` first.
pub async fn add_token(config: &Config, feed: &str, token: &str, expires_at: Option<i64>) {
    let store = Store::open(&config.db_path()).unwrap();
    feedframe::tokens::add::add_checked(
        &Graph::new(config),
        &store,
        feed,
        &Secret::new(token),
        expires_at,
        &[],
    )
    .await
    .expect("the fake accepts the token");
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(sample_posts(12), |_| {}).await
}

pub async fn spawn_app_with(
    posts: Vec<fake_instagram::FakePost>,
    tweak: impl FnOnce(&mut Config),
) -> TestApp {
    let fake = FakeInstagram::start_with(posts).await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path(), &fake);
    tweak(&mut config);
    let token = fake.issue_token(60 * DAY);
    add_token(&config, "main", &token, Some(now() + 60 * DAY)).await;
    fake.reset_calls();
    let app = feedframe::start(config, None).await.unwrap();
    TestApp {
        fake,
        app: Some(app),
        dir,
        token,
        http: reqwest::Client::new(),
    }
}

impl TestApp {
    pub fn url(&self) -> String {
        self.app.as_ref().expect("running").url()
    }

    pub fn config(&self) -> Config {
        config(self.dir.path(), &self.fake)
    }

    pub fn store(&self) -> Store {
        Store::open(&self.config().db_path()).unwrap()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.url()))
            .send()
            .await
            .unwrap()
    }

    /// `GET path` revalidating `etag` (`If-None-Match`).
    pub async fn get_if_none_match(&self, path: &str, etag: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.url()))
            .header("if-none-match", etag)
            .send()
            .await
            .unwrap()
    }

    /// `GET /v1/feeds/{name}`, expecting 200 and the contract.
    pub async fn feed(&self, name: &str) -> Feed {
        let response = self.get(&format!("/v1/feeds/{name}")).await;
        assert_eq!(response.status(), 200, "GET /v1/feeds/{name}");
        response.json().await.unwrap()
    }

    pub async fn restart(&mut self, tweak: impl FnOnce(&mut Config)) {
        if let Some(app) = self.app.take() {
            app.stop().await;
        }
        let mut config = self.config();
        tweak(&mut config);
        self.app = Some(feedframe::start(config, None).await.unwrap());
    }

    /// Restricts feed `main` to `origins`, as `token add --allow-origin` does, and restarts.
    pub async fn allow_only(&mut self, origins: &[&str]) {
        let origins: Vec<String> = origins.iter().map(|o| o.to_string()).collect();
        let (graph, secret) = (Graph::new(&self.config()), Secret::new(self.token.clone()));
        feedframe::tokens::add::add_checked(&graph, &self.store(), "main", &secret, None, &origins)
            .await
            .unwrap();
        self.restart(|_| {}).await;
    }

    pub fn stored_token(&self) -> String {
        self.store()
            .token("main")
            .unwrap()
            .unwrap()
            .token
            .expose()
            .to_string()
    }
}

impl TestApp {
    /// Polls `GET /v1/feeds/{name}` every 100 ms until `check` holds; panics after `secs` seconds.
    pub async fn feed_until(&self, name: &str, secs: u64, check: impl Fn(&Feed) -> bool) -> Feed {
        let mut last = None;
        for _ in 0..secs * 10 {
            let feed = self.feed(name).await;
            if check(&feed) {
                return feed;
            }
            last = Some(feed.status);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("feed '{name}' never reached the expected state; last status {last:?}");
    }

    /// Adds a feed with a fresh token of the fake's account and restarts the server, so that it
    /// knows the feed from its first request on. Returns the token.
    pub async fn add_feed(&mut self, name: &str, tweak: impl FnOnce(&mut Config)) -> String {
        let token = self.fake.issue_token(60 * DAY);
        add_token(&self.config(), name, &token, Some(now() + 60 * DAY)).await;
        self.restart(tweak).await;
        self.fake.reset_calls();
        token
    }
}

/// Polls `check` every 50 ms for up to `secs` seconds.
pub async fn eventually(secs: u64, mut check: impl FnMut() -> bool) -> bool {
    for _ in 0..secs * 20 {
        if check() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    check()
}

/// The media id of post `i`.
pub fn post_id(i: u32) -> String {
    format!("1790000000000{i:04}")
}

/// An image post `i` of `w` × `h` pixels, newest first by `i`.
pub fn image(i: u32, w: u32, h: u32) -> FakePost {
    FakePost::image(
        &post_id(i),
        Some("A pot"),
        &format!("2026-09-{:02}T10:00:00+0000", 28 - i),
        w,
        h,
    )
}

pub fn images(n: u32) -> Vec<FakePost> {
    (0..n).map(|i| image(i, 1080, 1350)).collect()
}

/// Every URL of a media item: the fallback, each variant and the video.
pub fn urls(m: &Media) -> Vec<String> {
    std::iter::once(m.url.clone())
        .chain(m.variants.iter().map(|v| v.url.clone()))
        .chain(m.video.iter().map(|v| v.url.clone()))
        .collect()
}

pub fn all_urls(feed: &Feed) -> Vec<String> {
    feed.posts
        .iter()
        .flat_map(|p| &p.media)
        .flat_map(urls)
        .collect()
}
