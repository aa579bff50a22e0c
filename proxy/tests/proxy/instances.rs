//! Several `feedframe serve` processes on one PostgreSQL database (the test server `./x test`
//! starts, see `feedframe::store::postgres::test_server`) and one media directory or bucket, as a
//! platform runs them: one fetch and one refresh between them, a dead lease holder replaced,
//! snapshots and images shared, and visitors served through a database restart.

use std::path::Path;
use std::time::{Duration, Instant};

use fake_instagram::{FakeInstagram, Fault, Route, sample_posts};
use feedframe::store::Store;
use feedframe::store::postgres::fresh_test_database;
use feedframe_feed::{Feed, FeedStatus};
use tokio::process::Child;

use crate::cli::{feedframe, run, serve_with};
use crate::helpers::{DAY, all_urls, images};
use crate::s3_server::S3Server;

/// Seconds a lease lasts in these tests (the default is 30).
const LEASE_SECS: u64 = 3;

/// One shared database and data dir, and the instances serving from them.
struct Platform {
    fake: FakeInstagram,
    dir: tempfile::TempDir,
    database: String,
    /// More environment for every instance (a media store, say).
    env: Vec<(&'static str, String)>,
    instances: Vec<(Child, String)>,
    http: reqwest::Client,
}

impl Platform {
    /// A database holding feed `main` with `token`, and no instance yet.
    async fn new(database: String, token_age: i64) -> (Self, String) {
        Self::with_posts(database, token_age, sample_posts(12)).await
    }

    /// [`Platform::new`] with these posts on Instagram.
    async fn with_posts(
        database: String,
        token_age: i64,
        posts: Vec<fake_instagram::FakePost>,
    ) -> (Self, String) {
        let fake = FakeInstagram::start_with(posts).await;
        let token = fake.issue_token_aged(token_age, 60 * DAY - token_age);
        let platform = Self {
            fake,
            dir: tempfile::tempdir().unwrap(),
            database,
            env: Vec::new(),
            instances: Vec::new(),
            http: reqwest::Client::new(),
        };
        let (code, out, err) = run(platform
            .command()
            .args(["token", "add", "main", "--token", &token]))
        .await;
        assert_eq!(code, 0, "token add: {out}{err}");
        if token_age > 0 {
            // Stored as issued when Instagram issued it (`token add` takes it as new).
            platform.sql(&format!(
                "UPDATE tokens SET issued_at = issued_at - {token_age} WHERE feed = 'main'"
            ));
        }
        platform.fake.reset_calls();
        (platform, token)
    }

    /// `feedframe` as run on a machine of its own (its own host name: a dead instance's leases
    /// lapse, as on another machine, rather than being seen dead at once).
    fn command(&self) -> tokio::process::Command {
        let mut cmd = feedframe(self.dir.path(), &self.fake);
        cmd.env("FEEDFRAME_DATABASE_URL", &self.database)
            .env("FEEDFRAME_LEASE_SECS", LEASE_SECS.to_string())
            .env("HOSTNAME", format!("machine-{}", self.instances.len()))
            .envs(self.env.iter().cloned());
        cmd
    }

    /// Starts one more instance with these extra `serve` flags; returns its index.
    async fn start(&mut self, extra: &[&str]) -> usize {
        self.instances.push(serve_with(self.command(), extra).await);
        self.instances.len() - 1
    }

    /// Starts `n` more instances at once, with these extra `serve` flags.
    async fn start_together(&mut self, n: usize, extra: &[&str]) {
        let starting: Vec<_> = (0..n)
            .map(|_| {
                let (cmd, extra) = (
                    self.command(),
                    extra.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
                );
                tokio::spawn(async move {
                    let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
                    serve_with(cmd, &extra).await
                })
            })
            .collect();
        for instance in starting {
            self.instances.push(instance.await.unwrap());
        }
    }

    fn url(&self, i: usize) -> &str {
        &self.instances[i].1
    }

    /// `kill -9` of instance `i`.
    async fn kill(&mut self, i: usize) {
        let child = &mut self.instances[i].0;
        child.start_kill().unwrap();
        child.wait().await.unwrap();
    }

    async fn get(&self, i: usize, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.url(i)))
            .send()
            .await
            .unwrap()
    }

    async fn feed(&self, i: usize) -> (Feed, String) {
        let response = self.get(i, "/v1/feeds/main").await;
        assert_eq!(response.status(), 200, "instance {i}");
        let etag = response.headers()["etag"].to_str().unwrap().to_string();
        (response.json().await.unwrap(), etag)
    }

    fn store(&self) -> Store {
        Store::connect(&self.database).unwrap()
    }

    /// Runs `sql` on the shared database, as an operator would with psql.
    fn sql(&self, sql: &str) {
        run_sql(&self.database, sql);
    }
}

/// Polls `check` every 100 ms until it holds; panics with `what` after `secs` seconds.
async fn until<F: std::future::Future<Output = bool>>(
    secs: u64,
    what: &str,
    check: impl Fn() -> F,
) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !check().await {
        assert!(Instant::now() < deadline, "{what} (waited {secs} s)");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_instances_fetch_once_per_ttl_between_them() {
    let (mut p, _) = Platform::new(fresh_test_database(), 0).await;
    for _ in 0..3 {
        p.start(&["--feed-ttl", "3"]).await;
    }
    // The first visitor's fetch, then every instance has the feed in memory.
    let (first, _) = p.feed(0).await;
    assert_eq!(first.posts.len(), 12);
    for i in 1..3 {
        assert_eq!(p.feed(i).await.0.posts.len(), 12, "instance {i}");
    }
    assert_eq!(
        p.fake.calls(Route::Media),
        1,
        "one fetch for the first visitors"
    );
    p.fake.reset_calls();

    // Just after the TTL: 600 visitors spread over the three at once.
    tokio::time::sleep(Duration::from_millis(3_200)).await;
    let visits = (0..600).map(|n| {
        let (http, url) = (p.http.clone(), format!("{}/v1/feeds/main", p.url(n % 3)));
        tokio::spawn(async move { http.get(url).send().await.unwrap().status().as_u16() })
    });
    for visit in visits.collect::<Vec<_>>() {
        assert_eq!(visit.await.unwrap(), 200);
    }
    // Every instance serves the renewed feed, and Instagram was asked once.
    for i in 0..3 {
        until(10, "every instance serves the renewed feed", || async {
            p.feed(i).await.0.status == FeedStatus::Live
        })
        .await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        p.fake.calls(Route::Media),
        1,
        "600 visitors on three instances after the TTL: one Instagram media call"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_token_is_refreshed_once_by_three_instances() {
    // Two days old and expiring within the refresh window: due at once.
    let (mut p, old) = Platform::new(fresh_test_database(), 2 * DAY).await;
    // Instagram takes its time (within the 2 s timeout): all three find the token due meanwhile.
    p.fake
        .set_token_fault(&old, Some(Fault::Slow(Duration::from_millis(1_500))));
    p.start_together(3, &["--refresh-tick", "1"]).await;
    until(20, "the token is refreshed", || async {
        p.store().token("main").unwrap().unwrap().token.expose() != old
    })
    .await;
    // Three more ticks of every instance.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        p.fake.calls(Route::Refresh),
        1,
        "one refresh between three instances"
    );
    let stored = p.store().token("main").unwrap().unwrap();
    assert!(p.fake.token_expires_at(stored.token.expose()).unwrap() > p.fake.now());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lease_holder_killed_mid_refresh_is_replaced_within_the_lease_time() {
    let (mut p, old) = Platform::new(fresh_test_database(), 2 * DAY).await;
    // The refresh hangs in Instagram while its instance dies.
    p.fake
        .set_token_fault(&old, Some(Fault::Slow(Duration::from_secs(60))));
    let holder = p.start(&["--refresh-tick", "1"]).await;
    until(20, "the first instance starts refreshing", || async {
        p.fake.calls(Route::Refresh) == 1
    })
    .await;
    p.kill(holder).await;
    let killed = Instant::now();
    p.fake.set_token_fault(&old, None);
    assert_eq!(
        p.store().token("main").unwrap().unwrap().token.expose(),
        old,
        "the stored token is still the old one, which Instagram accepts"
    );
    assert!(p.fake.token_expires_at(&old).unwrap() > p.fake.now());

    for _ in 0..2 {
        p.start(&["--refresh-tick", "1"]).await;
    }
    until(
        LEASE_SECS + 15,
        "another instance refreshes once the dead holder's lease lapses",
        || async { p.store().token("main").unwrap().unwrap().token.expose() != old },
    )
    .await;
    let handover = killed.elapsed();
    let stored = p.store().token("main").unwrap().unwrap();
    assert!(
        p.fake.token_expires_at(stored.token.expose()).unwrap() > p.fake.now(),
        "the new token is one Instagram accepts"
    );
    assert!(
        handover >= Duration::from_secs(LEASE_SECS - 1),
        "no one took the lease while its holder could still be alive ({handover:?})"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        p.fake.calls(Route::Refresh),
        2,
        "the dead holder's attempt and one by its successor"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_snapshot_stored_by_one_instance_is_served_by_all_with_one_etag() {
    let (mut p, _) = Platform::new(fresh_test_database(), 0).await;
    for _ in 0..3 {
        p.start(&[]).await;
    }
    let (feed, _) = p.feed(0).await;
    for i in 1..3 {
        p.feed(i).await;
    }
    // Another instance stores a newer snapshot: here, the same posts less one.
    let mut newer = feed.clone();
    newer.posts.pop();
    let body = serde_json::to_string(&newer).unwrap();
    let now = crate::helpers::now();
    p.store().save_snapshot("main", &body, now + 1).unwrap();
    let mut etags = Vec::new();
    for i in 0..3 {
        until(5, "every instance serves the newer snapshot", || async {
            p.feed(i).await.0.posts.len() == 11
        })
        .await;
        etags.push(p.feed(i).await.1);
    }
    assert!(etags.iter().all(|e| *e == etags[0]), "one ETag: {etags:?}");
    assert_eq!(
        p.fake.calls(Route::Media),
        1,
        "no instance fetched it again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_instances_on_one_bucket_serve_the_same_images_downloaded_once() {
    let s3 = S3Server::start().await;
    s3.create_bucket("feedframe-media").await;
    let (mut p, _) = Platform::with_posts(fresh_test_database(), 0, images(3)).await;
    p.env = s3.env();
    p.env
        .push(("FEEDFRAME_MEDIA_STORE", "s3://feedframe-media/site".into()));
    for _ in 0..3 {
        p.start(&["--feed-ttl", "1"]).await;
    }
    let (feed, _) = p.feed(0).await;
    assert_eq!(feed.posts.len(), 3);
    for i in 1..3 {
        assert_eq!(p.feed(i).await.0.posts, feed.posts, "instance {i}");
    }
    assert_eq!(
        p.fake.calls(Route::Cdn),
        3,
        "each image downloaded once, for all three"
    );
    let objects = s3.objects("feedframe-media", "site").await;
    assert_eq!(objects.len(), 3 * 6, "{objects:?}");
    for url in all_urls(&feed) {
        assert!(url.starts_with("/media/"), "{url}");
        let name = url.rsplit('/').next().unwrap();
        let mut served = Vec::new();
        for i in 0..3 {
            let response = p.get(i, &url).await;
            assert_eq!(response.status(), 200, "instance {i}: {url}");
            served.push(response.bytes().await.unwrap());
        }
        assert!(served.iter().all(|b| *b == served[0]), "{url}");
        assert_eq!(served[0].len() as u64, objects[name], "{url}");
    }
    assert!(
        !p.dir.path().join("media").exists(),
        "nothing on the data dir's disk: the images are in the bucket"
    );

    // The instance that fetched is gone; the next fetch, by another, downloads nothing again.
    p.kill(0).await;
    p.fake.reset_calls();
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    until(10, "another instance fetches the feed again", || async {
        p.feed(1).await;
        p.fake.calls(Route::Media) > 0
    })
    .await;
    for i in 1..3 {
        until(5, "the survivors serve the new fetch", || async {
            p.feed(i).await.0.status == FeedStatus::Live
        })
        .await;
        assert_eq!(p.feed(i).await.0.posts, feed.posts, "instance {i}");
    }
    assert_eq!(
        p.fake.calls(Route::Cdn),
        0,
        "the images already in the bucket are not downloaded again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rate_limit_one_instance_meets_pauses_them_all() {
    let (mut p, _) = Platform::new(fresh_test_database(), 0).await;
    for _ in 0..2 {
        p.start(&["--feed-ttl", "1"]).await;
    }
    p.feed(0).await;
    p.feed(1).await;
    p.fake.reset_calls();
    // Instagram's code 4, as graph.instagram.com sends it, for the next media call.
    p.fake.push_fault(Route::Media, Fault::RateLimit403);
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    until(5, "the first instance meets the rate limit", || async {
        p.feed(0).await.0.status == FeedStatus::RateLimited
    })
    .await;
    // The other instance, stale too, asks Instagram nothing and says why.
    until(5, "the second instance respects the pause", || async {
        p.feed(1).await.0.status == FeedStatus::RateLimited
    })
    .await;
    for _ in 0..10 {
        p.feed(1).await;
    }
    assert_eq!(
        p.fake.calls(Route::Media),
        1,
        "no call during the shared pause"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn visitors_get_the_last_good_feed_while_the_database_restarts() {
    let server = ThrowawayPostgres::start();
    let (mut p, _) = Platform::new(server.database(), 0).await;
    for _ in 0..3 {
        p.start(&["--feed-ttl", "1"]).await;
    }
    for i in 0..3 {
        assert_eq!(p.feed(i).await.0.posts.len(), 12);
    }
    let load = {
        let (http, urls) = (
            p.http.clone(),
            (0..3).map(|i| p.url(i).to_string()).collect::<Vec<_>>(),
        );
        tokio::spawn(async move {
            let mut statuses = Vec::new();
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(8) {
                for url in &urls {
                    let response = http
                        .get(format!("{url}/v1/feeds/main"))
                        .send()
                        .await
                        .unwrap();
                    let status = response.status().as_u16();
                    let feed: Feed = response.json().await.unwrap();
                    statuses.push((status, feed.posts.len()));
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            statuses
        })
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    server.restart();
    let statuses = load.await.unwrap();
    assert!(
        statuses.len() > 100,
        "the load ran ({} requests)",
        statuses.len()
    );
    assert!(
        statuses
            .iter()
            .all(|&(status, posts)| status == 200 && posts == 12),
        "every visitor got the last good feed: {:?}",
        statuses
            .iter()
            .filter(|s| s.0 != 200 || s.1 != 12)
            .take(5)
            .collect::<Vec<_>>()
    );
    // The instances reconnect on their own: a new fetch is stored again.
    let before = p.store().snapshot_fetched_at("main").unwrap().unwrap();
    until(
        15,
        "an instance stores a new fetch after the restart",
        || async {
            for i in 0..3 {
                p.get(i, "/v1/feeds/main").await;
            }
            p.store().snapshot_fetched_at("main").unwrap().unwrap() > before
        },
    )
    .await;
}

/// A PostgreSQL server of this test's own (`scripts/postgres`), which it restarts.
struct ThrowawayPostgres {
    dir: String,
    url: String,
}

impl ThrowawayPostgres {
    fn script() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/postgres")
    }

    fn start() -> Self {
        // Right under /tmp: the `postgres` user must reach it when the tests run as root.
        let dir = format!("/tmp/feedframe-pg-{}-{}", std::process::id(), rand_suffix());
        let out = std::process::Command::new(Self::script())
            .args(["start", &dir])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let url = String::from_utf8(out.stdout).unwrap().trim().to_string();
        Self { dir, url }
    }

    /// A fresh database on this server.
    fn database(&self) -> String {
        run_sql(&self.url, "CREATE DATABASE feeds");
        format!("{}/feeds", self.url.strip_suffix("/postgres").unwrap())
    }

    fn restart(&self) {
        let out = std::process::Command::new(Self::script())
            .args(["restart", &self.dir])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for ThrowawayPostgres {
    fn drop(&mut self) {
        let _ = std::process::Command::new(Self::script())
            .args(["stop", &self.dir])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs `sql` on the database at `url` (from a thread of its own: the caller may be async).
fn run_sql(url: &str, sql: &str) {
    let (url, sql) = (url.to_string(), sql.to_string());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(connection);
            client.batch_execute(&sql).await.unwrap();
        })
    })
    .join()
    .unwrap();
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos()
}
