//! `/metrics`: Prometheus text on the metrics listener only, each server counting its own
//! requests, Instagram calls, refresh failures and alert deliveries, with no token in sight.

use std::collections::BTreeMap;
use std::time::Duration;

use fake_instagram::{Fault, Route};
use feedframe::Config;
use feedframe::alerts::{self, Outcome, RetryPolicy};
use feedframe_feed::FeedStatus;

use crate::alerts::{Receiver, Reply, alerting};
use crate::helpers::*;

/// Metrics on a second listener, on a port of its own.
fn with_metrics(c: &mut Config) {
    c.metrics_listen = Some("127.0.0.1:0".parse().unwrap());
}

async fn spawn_with_metrics(tweak: impl FnOnce(&mut Config)) -> TestApp {
    spawn_app_with(fake_instagram::sample_posts(6), |c| {
        with_metrics(c);
        tweak(c);
    })
    .await
}

/// `GET /metrics` on the metrics listener, checked for the text format and for tokens: no scrape
/// in these tests may show the token given to the fake or the one stored now.
async fn scrape(t: &TestApp) -> Metrics {
    let url = t.app.as_ref().unwrap().metrics_url().expect("metrics on");
    let response = t.http.get(url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let text = response.text().await.unwrap();
    for token in [t.token.clone(), t.stored_token()] {
        assert!(!text.contains(&token), "a token in the metrics:\n{text}");
    }
    Metrics::parse(&text)
}

/// The samples of one scrape, by name and labels.
#[derive(Debug)]
pub(crate) struct Metrics {
    text: String,
    samples: Vec<(String, BTreeMap<String, String>, f64)>,
}

impl Metrics {
    pub(crate) fn parse(text: &str) -> Self {
        let mut samples = Vec::new();
        for line in text
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            let (series, value) = line.rsplit_once(' ').expect("`series value`");
            let value: f64 = value.parse().unwrap_or_else(|_| panic!("a value: {line}"));
            let (name, labels) = match series.split_once('{') {
                Some((name, rest)) => {
                    let rest = rest.strip_suffix('}').expect("labels end with }");
                    let labels = rest
                        .split(',')
                        .filter(|p| !p.is_empty())
                        .map(|pair| {
                            let (k, v) = pair.split_once('=').expect("label=value");
                            (k.to_string(), v.trim_matches('"').to_string())
                        })
                        .collect();
                    (name, labels)
                }
                None => (series, BTreeMap::new()),
            };
            samples.push((name.to_string(), labels, value));
        }
        Self {
            text: text.to_string(),
            samples,
        }
    }

    /// The value of the series `name{labels}` (exactly these labels), if it is shown.
    fn get(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let want: BTreeMap<String, String> = labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self.samples
            .iter()
            .find(|(n, l, _)| n == name && *l == want)
            .map(|(_, _, v)| *v)
    }

    /// Like [`Metrics::get`], 0 for a series not shown yet (a counter that never went up).
    fn count(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.get(name, labels).unwrap_or(0.0)
    }

    /// The sum of every series of `name` whose labels include `labels`.
    pub(crate) fn sum(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.samples
            .iter()
            .filter(|(n, l, _)| {
                n == name
                    && labels
                        .iter()
                        .all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v))
            })
            .map(|(_, _, v)| v)
            .sum()
    }
}

const REQUESTS: &str = "feedframe_feed_requests_total";
const UPSTREAM: &str = "feedframe_upstream_calls_total";
const REFRESH_FAILURES: &str = "feedframe_token_refresh_failures_total";
const DAYS_LEFT: &str = "feedframe_token_days_left";
const DELIVERIES: &str = "feedframe_alert_deliveries_total";

#[tokio::test]
async fn metrics_are_served_on_their_own_listener_and_never_on_the_public_one() {
    let mut t = spawn_with_metrics(|_| {}).await;
    let app = t.app.as_ref().unwrap();
    assert_ne!(app.metrics_addr, Some(app.addr));
    assert_eq!(t.get("/metrics").await.status(), 404, "the public listener");

    let m = scrape(&t).await;
    assert!(
        m.text.contains("# TYPE feedframe_token_days_left gauge"),
        "{}",
        m.text
    );
    assert!(m.get("feedframe_media_bytes", &[]).is_some(), "{}", m.text);
    let other = format!("http://{}/v1/feeds/main", app.metrics_addr.unwrap());
    assert_eq!(
        t.http.get(other).send().await.unwrap().status(),
        404,
        "the metrics listener serves /metrics only"
    );

    // Stopped with the app.
    let metrics_url = app.metrics_url().unwrap();
    t.app.take().unwrap().stop().await;
    assert!(
        reqwest::get(&metrics_url).await.is_err(),
        "the metrics listener is closed"
    );
}

#[tokio::test]
async fn without_a_metrics_address_there_is_no_metrics_endpoint() {
    let t = spawn_app().await;
    let app = t.app.as_ref().unwrap();
    assert_eq!((app.metrics_addr, app.metrics_url()), (None, None));
    t.feed("main").await;
    assert_eq!(t.get("/metrics").await.status(), 404);
}

#[tokio::test]
async fn each_feed_request_is_counted_once_by_endpoint_feed_code_and_status() {
    let t = spawn_with_metrics(|_| {}).await;
    let etag = t.get("/v1/feeds/main").await.headers()["etag"].clone();
    let live = [
        ("endpoint", "json"),
        ("feed", "main"),
        ("code", "200"),
        ("status", "live"),
    ];
    let before = scrape(&t).await;
    assert_eq!(before.count(REQUESTS, &live), 1.0, "{}", before.text);

    const N: usize = 7;
    for _ in 0..N {
        assert_eq!(t.feed("main").await.status, FeedStatus::Live);
    }
    t.get_if_none_match("/v1/feeds/main", etag.to_str().unwrap())
        .await;
    t.get("/v1/feeds/main/view").await;
    t.get("/v1/feeds/main/embed?layout=nonsense").await;
    t.get("/v1/feeds/nobody-by-this-name").await;
    t.http
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/v1/feeds/main", t.url()),
        )
        .send()
        .await
        .unwrap();

    let after = scrape(&t).await;
    assert_eq!(
        after.count(REQUESTS, &live) - before.count(REQUESTS, &live),
        N as f64,
        "{}",
        after.text
    );
    let with = |endpoint: &str, code: &str| {
        after.count(
            REQUESTS,
            &[
                ("endpoint", endpoint),
                ("feed", "main"),
                ("code", code),
                ("status", "live"),
            ],
        )
    };
    assert_eq!(with("json", "304"), 1.0, "a revalidation: {}", after.text);
    assert_eq!(with("view", "200"), 1.0, "{}", after.text);
    assert_eq!(with("embed", "200"), 1.0, "{}", after.text);
    assert_eq!(
        after.count(
            REQUESTS,
            &[
                ("endpoint", "json"),
                ("feed", ""),
                ("code", "404"),
                ("status", "none")
            ]
        ),
        1.0,
        "an unknown feed is counted without its made-up name: {}",
        after.text
    );
    assert!(!after.text.contains("nobody-by-this-name"));
    assert_eq!(
        after.sum(REQUESTS, &[]),
        (1 + N + 4) as f64,
        "preflights are not counted: {}",
        after.text
    );
}

#[tokio::test]
async fn two_servers_in_one_process_count_apart() {
    let a = spawn_with_metrics(|_| {}).await;
    let b = spawn_with_metrics(|_| {}).await;
    for _ in 0..3 {
        a.feed("main").await;
    }
    b.feed("main").await;
    let json_main = [("endpoint", "json"), ("feed", "main")];
    assert_eq!(scrape(&a).await.sum(REQUESTS, &json_main), 3.0);
    assert_eq!(scrape(&b).await.sum(REQUESTS, &json_main), 1.0);
}

#[tokio::test]
async fn instagram_calls_are_counted_by_outcome() {
    let t = spawn_with_metrics(|c| c.feed_ttl = Duration::from_secs(1)).await;
    // A 500 then success: the retry is a second call.
    t.fake.push_fault(Route::Media, Fault::ServerError);
    assert_eq!(t.feed("main").await.status, FeedStatus::Live);
    let m = scrape(&t).await;
    let media = |outcome: &'static str| [("call", "media"), ("outcome", outcome)];
    assert_eq!(m.count(UPSTREAM, &media("unavailable")), 1.0, "{}", m.text);
    assert_eq!(m.count(UPSTREAM, &media("ok")), 1.0, "{}", m.text);

    // Rate limited: one call, then FeedFrame's own pause sends (and counts) nothing.
    t.fake.set_fault(Route::Media, Some(Fault::RateLimit403));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    crate::feed::eventually_feed(&t, |f| f.status == FeedStatus::RateLimited).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    for _ in 0..3 {
        assert_eq!(t.feed("main").await.status, FeedStatus::RateLimited);
    }
    let m = scrape(&t).await;
    assert_eq!(m.count(UPSTREAM, &media("rate_limited")), 1.0, "{}", m.text);
    assert_eq!(
        m.sum(UPSTREAM, &[("call", "media")]),
        t.fake.calls(Route::Media) as f64,
        "every call the fake saw, and no other: {}",
        m.text
    );
}

#[tokio::test]
async fn days_left_per_feed_follow_each_tokens_expiry() {
    let mut t = spawn_with_metrics(|_| {}).await;
    let soon = t.fake.issue_token(10 * DAY);
    add_token(&t.config(), "soon", &soon, Some(now() + 10 * DAY)).await;
    t.restart(with_metrics).await;

    let m = scrape(&t).await;
    assert!(!m.text.contains(&soon));
    let days = |feed: &str| m.get(DAYS_LEFT, &[("feed", feed)]).expect(feed);
    assert!((days("main") - 60.0).abs() < 1.0, "{}", m.text);
    assert!((days("soon") - 10.0).abs() < 1.0, "{}", m.text);

    // A removed feed is gone from the next scrape.
    t.store().remove_feed("soon").unwrap();
    assert_eq!(scrape(&t).await.get(DAYS_LEFT, &[("feed", "soon")]), None);
}

#[tokio::test]
async fn a_failed_refresh_is_counted_once_per_failure() {
    let mut t = spawn_with_metrics(|_| {}).await;
    let before = scrape(&t).await;
    assert_eq!(
        before.get(REFRESH_FAILURES, &[("feed", "main")]),
        Some(0.0),
        "shown at 0 before the first failure: {}",
        before.text
    );
    // A token 30 days old with 30 days left: due, so the refresher refreshes it on its next look.
    let db = rusqlite::Connection::open(t.config().db_path()).unwrap();
    db.execute(
        "UPDATE tokens SET issued_at = ?1, expires_at = ?2 WHERE feed = 'main'",
        [now() - 30 * DAY, now() + 30 * DAY],
    )
    .unwrap();
    t.fake.set_fault(Route::Refresh, Some(Fault::ServerError));
    t.restart(|c| {
        with_metrics(c);
        c.refresh_tick = Duration::from_millis(200);
    })
    .await;

    let mut m = scrape(&t).await;
    for _ in 0..100 {
        if m.count(REFRESH_FAILURES, &[("feed", "main")]) > 0.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        m = scrape(&t).await;
    }
    assert_eq!(
        m.count(REFRESH_FAILURES, &[("feed", "main")]),
        1.0,
        "within 10 s: {}",
        m.text
    );
    // Three calls (two retries) made one failure; the next attempt waits ten minutes.
    let refresh = [("call", "refresh"), ("outcome", "unavailable")];
    assert_eq!(m.count(UPSTREAM, &refresh), 3.0, "{}", m.text);
    tokio::time::sleep(Duration::from_millis(600)).await;
    let m = scrape(&t).await;
    assert_eq!(m.count(REFRESH_FAILURES, &[("feed", "main")]), 1.0);
    assert_eq!(t.fake.calls(Route::Refresh), 3);
}

#[tokio::test]
async fn alert_deliveries_are_counted_by_channel_and_outcome() {
    let hook = Receiver::start(&[Reply::Status(200)], Reply::Status(500)).await;
    let t = spawn_with_metrics(|c| {
        alerting(c, &hook);
        c.alerts.retry = RetryPolicy {
            attempts: 1,
            ..c.alerts.retry
        };
    })
    .await;
    let delivered = [("channel", "webhook"), ("outcome", "delivered")];
    let failed = [("channel", "webhook"), ("outcome", "failed")];
    let m = scrape(&t).await;
    assert_eq!(m.get(DELIVERIES, &delivered), Some(0.0), "{}", m.text);
    assert_eq!(m.get(DELIVERIES, &failed), Some(0.0), "{}", m.text);

    let app = t.app.as_ref().unwrap();
    assert_eq!(
        alerts::send_test(&app.alerts).await[0].outcome,
        Outcome::Delivered
    );
    assert_eq!(
        alerts::send_test(&app.alerts).await[0].outcome,
        Outcome::Failed
    );
    hook.wait_for(2).await;
    let m = scrape(&t).await;
    assert_eq!(m.get(DELIVERIES, &delivered), Some(1.0), "{}", m.text);
    assert_eq!(m.get(DELIVERIES, &failed), Some(1.0), "{}", m.text);
    assert!(
        !m.text.contains("PATHSECRET") && !m.text.contains("QUERYSECRET"),
        "{}",
        m.text
    );
}
