//! A CDN in front: the feed and its first views carry what shared caches need, and real nginx,
//! configured by the documented `docs/nginx/feedframe.conf`, in front of real `feedframe serve`
//! instances (each on its own data dir) reading the fake Instagram, caches them, asks an instance
//! once for many visitors, and keeps serving the feed when every instance is down.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use fake_instagram::{FakeInstagram, Route, sample_posts};
use feedframe_e2e::{Nginx, NginxSite};
use feedframe_feed::Feed;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Child;

use crate::cli::{feedframe, run, serving_url};
use crate::helpers::{DAY, spawn_app};
use crate::metrics::Metrics;

const FEED: &str = "/v1/feeds/main";
const VIEW: &str = "/v1/feeds/main/view?layout=grid&columns=3&base=https%3A%2F%2Ffeeds.example";
const EMBED: &str = "/v1/feeds/main/embed?layout=slider";

/// The `Cache-Control` directives of a response, by name (`public` has the value "").
fn cache_control(response: &reqwest::Response) -> BTreeMap<String, String> {
    let value = response.headers()["cache-control"].to_str().unwrap();
    value
        .split(',')
        .map(|d| {
            let (name, value) = d.trim().split_once('=').unwrap_or((d.trim(), ""));
            (name.to_string(), value.to_string())
        })
        .collect()
}

/// A number of seconds in a `Cache-Control` directive.
fn seconds(directives: &BTreeMap<String, String>, name: &str) -> u64 {
    directives
        .get(name)
        .unwrap_or_else(|| panic!("no {name} in {directives:?}"))
        .parse()
        .unwrap_or_else(|_| panic!("{name} is not a number of seconds: {directives:?}"))
}

#[tokio::test]
async fn the_feed_and_its_first_views_tell_shared_caches_to_serve_stale() {
    let t = spawn_app().await;
    for path in [FEED, VIEW, EMBED] {
        let response = t.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        let cc = cache_control(&response);
        assert!(cc.contains_key("public"), "{path}: {cc:?}");
        let max_age = seconds(&cc, "max-age");
        assert!((1..=600).contains(&max_age), "{path}: {cc:?}");
        // A CDN keeps it as long as a browser: for the rest of the feed's TTL.
        assert_eq!(seconds(&cc, "s-maxage"), max_age, "{path}: {cc:?}");
        // Then serves it while one request renews it, for up to a TTL (600 s by default) ...
        assert_eq!(
            seconds(&cc, "stale-while-revalidate"),
            600,
            "{path}: {cc:?}"
        );
        // ... and for a week when every instance fails.
        assert_eq!(seconds(&cc, "stale-if-error"), 7 * 86_400, "{path}: {cc:?}");
    }
}

/// One `feedframe serve` process with metrics on, and its own data dir holding feed `main`.
struct Instance {
    child: Child,
    addr: SocketAddr,
    metrics_url: String,
    _dir: tempfile::TempDir,
}

impl Instance {
    async fn start(fake: &FakeInstagram, token: &str, ttl_secs: u64) -> Instance {
        let dir = tempfile::tempdir().unwrap();
        let (code, out, err) =
            run(feedframe(dir.path(), fake).args(["token", "add", "main", "--token", token])).await;
        assert_eq!(code, 0, "{out}{err}");
        let mut child = feedframe(dir.path(), fake)
            .env("FEEDFRAME_FEED_TTL", ttl_secs.to_string())
            .env("FEEDFRAME_METRICS_LISTEN", "127.0.0.1:0")
            .env("FEEDFRAME_LOG", "info")
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Logged while starting, before the banner on stdout: `metrics at http://…/metrics`.
        let mut log = BufReader::new(child.stderr.take().unwrap()).lines();
        let metrics_url = tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                let line = log
                    .next_line()
                    .await
                    .unwrap()
                    .expect("serve logs its metrics address");
                if let Some((_, url)) = line.split_once("metrics at ") {
                    return url.trim().to_string();
                }
            }
        })
        .await
        .expect("the server starts");
        tokio::spawn(async move { while let Ok(Some(_)) = log.next_line().await {} });
        let url = serving_url(&mut child).await;
        let addr = url.strip_prefix("http://").unwrap().parse().unwrap();
        Instance {
            child,
            addr,
            metrics_url,
            _dir: dir,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// GETs of feed `main`'s `endpoint` (json, view, embed) this instance answered.
    async fn requests(&self, endpoint: &str) -> f64 {
        let text = reqwest::get(&self.metrics_url)
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        Metrics::parse(&text).sum(
            "feedframe_feed_requests_total",
            &[("feed", "main"), ("endpoint", endpoint)],
        )
    }
}

/// nginx with the documented configuration in front of some instances.
struct Cdn {
    fake: FakeInstagram,
    instances: Vec<Instance>,
    nginx: Nginx,
    http: reqwest::Client,
}

impl Cdn {
    async fn start(instances: usize, ttl_secs: u64) -> Cdn {
        Self::start_with(instances, ttl_secs, |site| site).await
    }

    async fn start_with(
        instances: usize,
        ttl_secs: u64,
        site: impl FnOnce(NginxSite) -> NginxSite + Send + 'static,
    ) -> Cdn {
        let fake = FakeInstagram::start_with(sample_posts(6)).await;
        let token = fake.issue_token(60 * DAY);
        let mut started = Vec::new();
        for _ in 0..instances {
            started.push(Instance::start(&fake, &token, ttl_secs).await);
        }
        fake.reset_calls();
        let addrs: Vec<SocketAddr> = started.iter().map(|i| i.addr).collect();
        let nginx =
            tokio::task::spawn_blocking(move || Nginx::start(&site(NginxSite::from_docs(&addrs))))
                .await
                .unwrap();
        Cdn {
            fake,
            instances: started,
            nginx,
            http: reqwest::Client::new(),
        }
    }

    /// `GET path` through nginx.
    async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.nginx.url()))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path} through nginx: {e}\n{}", self.nginx.error_log()))
    }

    /// GETs of feed `main`'s `endpoint` that reached any instance.
    async fn requests_reaching_instances(&self, endpoint: &str) -> f64 {
        let mut sum = 0.0;
        for instance in &self.instances {
            sum += instance.requests(endpoint).await;
        }
        sum
    }

    /// Has every instance fetch the feed now, at once: their TTLs then run out together, not
    /// one cold fetch after another.
    async fn warm_instances(&self) {
        let mut fetches = tokio::task::JoinSet::new();
        for instance in &self.instances {
            let url = format!("{}{FEED}", instance.url());
            fetches.spawn(async move { reqwest::get(url).await.unwrap().status() });
        }
        assert!(fetches.join_all().await.iter().all(|s| *s == 200));
    }

    /// Kills every instance (SIGKILL) and checks that none answers any more.
    async fn kill_instances(&mut self) {
        for instance in &mut self.instances {
            instance.child.kill().await.unwrap();
            let refused = reqwest::get(format!("{}/healthz", instance.url())).await;
            assert!(refused.is_err(), "instance {} still answers", instance.addr);
        }
    }
}

fn cache_status(response: &reqwest::Response) -> String {
    response.headers()["x-cache-status"]
        .to_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn through_nginx_the_feed_and_its_views_are_the_instances_own_responses_cached() {
    let cdn = Cdn::start(2, 600).await;
    let mut first_feed = None;
    for path in [FEED, VIEW, EMBED] {
        let first = cdn.get(path).await;
        assert_eq!(first.status(), 200, "{path}\n{}", cdn.nginx.error_log());
        assert_eq!(cache_status(&first), "MISS", "{path}");
        let cc = first.headers()["cache-control"].clone();
        let etag = first.headers()["etag"].clone();
        let body = first.bytes().await.unwrap();
        let again = cdn.get(path).await;
        assert_eq!(
            cache_status(&again),
            "HIT",
            "{path}: the second visitor gets nginx's copy"
        );
        assert_eq!(again.headers()["cache-control"], cc, "{path}");
        assert_eq!(again.headers()["etag"], etag, "{path}");
        assert_eq!(again.bytes().await.unwrap(), body, "{path}");
        if path == FEED {
            first_feed = Some((etag, body));
        }
    }
    for endpoint in ["json", "view", "embed"] {
        assert_eq!(
            cdn.requests_reaching_instances(endpoint).await,
            1.0,
            "{endpoint}: asked twice through nginx, once of an instance"
        );
    }
    // The query string is part of the cache key: other options are another view.
    let slider = cdn.get(&VIEW.replace("layout=grid", "layout=slider")).await;
    assert_eq!(cache_status(&slider), "MISS");
    let html = slider.text().await.unwrap();
    assert!(html.contains(feedframe_widget::class::SLIDER), "{html}");
    // nginx passes the instance's response on as it is: one instance answers the same bytes.
    let (etag, body) = first_feed.unwrap();
    let feed: Feed = serde_json::from_slice(&body).unwrap();
    assert_eq!(feed.posts.len(), 6);
    let mut same = false;
    for instance in &cdn.instances {
        let direct = reqwest::get(format!("{}{FEED}", instance.url()))
            .await
            .unwrap();
        if direct.headers()["etag"] == etag {
            same = direct.bytes().await.unwrap() == body;
        }
    }
    assert!(same, "no instance answers nginx's bytes");
}

#[tokio::test]
async fn many_visitors_asking_at_once_for_an_uncached_feed_reach_one_instance_once() {
    let cdn = Cdn::start(2, 600).await;
    let mut visitors = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let (http, url) = (cdn.http.clone(), format!("{}{FEED}", cdn.nginx.url()));
        visitors.spawn(async move {
            let response = http.get(url).send().await.unwrap();
            (response.status(), response.bytes().await.unwrap())
        });
    }
    let answers = visitors.join_all().await;
    assert!(answers.iter().all(|(status, _)| *status == 200));
    assert!(
        answers.iter().all(|(_, body)| *body == answers[0].1),
        "every visitor gets the one copy"
    );
    // proxy_cache_lock: the first request goes to an instance, the 49 others wait for its answer.
    assert_eq!(cdn.requests_reaching_instances("json").await, 1.0);
    assert_eq!(cdn.fake.calls(Route::Media), 1, "one Instagram call in all");
}

#[tokio::test]
async fn an_expired_feed_is_answered_from_nginx_at_once_while_an_instance_renews_it() {
    // A 3 s TTL: nginx's copy expires within the test.
    let cdn = Cdn::start(2, 3).await;
    let first = cdn.get(FEED).await;
    let etag = first.headers()["etag"].clone();
    let max_age = seconds(&cache_control(&first), "s-maxage");
    tokio::time::sleep(Duration::from_secs(max_age + 1)).await;
    let mut visitors = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (http, url) = (cdn.http.clone(), format!("{}{FEED}", cdn.nginx.url()));
        visitors.spawn(async move {
            let response = http.get(url).send().await.unwrap();
            (response.status(), cache_status(&response))
        });
    }
    for (status, cache) in visitors.join_all().await {
        assert_eq!(status, 200);
        // proxy_cache_background_update: nobody waits for an instance (that would be EXPIRED);
        // the copy is served (STALE, UPDATING) until the renewed one is in (HIT).
        assert!(
            ["STALE", "UPDATING", "HIT"].contains(&cache.as_str()),
            "an expired copy answered {cache}"
        );
    }
    // Meanwhile a background request renewed it: a new copy, cached again.
    for _ in 0..100 {
        let response = cdn.get(FEED).await;
        if cache_status(&response) == "HIT" && response.headers()["etag"] != etag {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "nginx never cached a renewed feed\n{}",
        cdn.nginx.error_log()
    );
}

/// Warms nginx with the feed and its views, kills every instance, waits until nginx's copies are
/// past their `s-maxage` and `stale-while-revalidate`, and checks that nginx still answers each
/// with the posts it had.
async fn every_instance_down_still_serves_the_feed_and_views(cdn: &mut Cdn) {
    cdn.warm_instances().await;
    let mut warmed = Vec::new();
    let mut past_revalidation = 0;
    for path in [FEED, VIEW, EMBED] {
        let response = cdn.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        let cc = cache_control(&response);
        assert!(
            seconds(&cc, "s-maxage") > 0,
            "{path}: nginx stores no max-age=0"
        );
        past_revalidation = past_revalidation
            .max(seconds(&cc, "s-maxage") + seconds(&cc, "stale-while-revalidate"));
        warmed.push((path, response.bytes().await.unwrap()));
    }
    cdn.kill_instances().await;
    // Past both, only serving stale on error keeps the feed up.
    tokio::time::sleep(Duration::from_secs(past_revalidation + 1)).await;
    for (path, body) in warmed {
        for _ in 0..2 {
            let response = cdn.get(path).await;
            assert_eq!(
                response.status(),
                200,
                "{path}: every instance is down\n{}",
                cdn.nginx.error_log()
            );
            assert_eq!(cache_status(&response), "STALE", "{path}");
            assert_eq!(
                response.bytes().await.unwrap(),
                body,
                "{path}: the same posts"
            );
        }
    }
    let feed: Feed = serde_json::from_slice(&cdn.get(FEED).await.bytes().await.unwrap()).unwrap();
    assert_eq!(feed.posts.len(), 6);
}

#[tokio::test]
async fn with_every_instance_down_nginx_still_serves_the_last_feed_and_views() {
    // A 4 s TTL: nginx's copies expire within the test.
    let mut cdn = Cdn::start(2, 4).await;
    every_instance_down_still_serves_the_feed_and_views(&mut cdn).await;
}

#[tokio::test]
async fn a_cache_told_nothing_but_the_proxys_headers_serves_stale_when_every_instance_is_down() {
    // A CDN configured for nothing but honouring Cache-Control: the documented file without its
    // stale directives. stale-if-error in the proxy's header alone keeps the feed up.
    let mut cdn = Cdn::start_with(2, 4, NginxSite::honouring_only_cache_control).await;
    every_instance_down_still_serves_the_feed_and_views(&mut cdn).await;
}
