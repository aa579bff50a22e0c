//! Alerts: one signed webhook per change of a feed's condition, retried, logged, never repeated
//! by a restart, and never in the way of visitors.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use fake_instagram::{Fault, Revocation, Route};
use feedframe::Config;
use feedframe::alerts::{self, Channel, Outcome, RetryPolicy, WebhookChannel};
use feedframe::instagram::client::Graph;
use feedframe::instagram::secret::Secret;
use feedframe_feed::FeedStatus;

use crate::helpers::*;

/// A Standard Webhooks secret, as `FEEDFRAME_ALERT_WEBHOOK_SECRET` holds it.
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// What the receiver does with the next request.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Reply {
    Status(u16),
    /// Holds the request this long, then answers 200.
    Hang(Duration),
}

/// A webhook receiver on loopback that records every request and verifies each signature with
/// the `standardwebhooks` crate, independently of FeedFrame's signing code.
#[derive(Clone)]
pub(crate) struct Receiver {
    url: String,
    state: Arc<ReceiverState>,
}

struct ReceiverState {
    /// `(webhook-id, body)` of every request, verified.
    received: Mutex<Vec<(String, serde_json::Value)>>,
    /// Replies for the next requests; then `default`.
    script: Mutex<VecDeque<Reply>>,
    default: Reply,
    /// Requests answered (a hanging one only once its hang ends).
    answered: AtomicUsize,
    /// Signatures that did not verify.
    forged: AtomicUsize,
}

impl Receiver {
    pub(crate) async fn start(script: &[Reply], default: Reply) -> Self {
        let state = Arc::new(ReceiverState {
            received: Mutex::default(),
            script: Mutex::new(script.iter().copied().collect()),
            default,
            answered: AtomicUsize::new(0),
            forged: AtomicUsize::new(0),
        });
        let app = axum::Router::new()
            .route("/hooks/{key}", axum::routing::post(receive))
            .with_state(Arc::clone(&state));
        // On a thread and runtime of its own, like a real receiver elsewhere: its hangs and
        // timers go on even if FeedFrame's runtime were blocked.
        let (tx, rx) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(listener.local_addr().unwrap()).unwrap();
                axum::serve(listener, app).await.unwrap();
            });
        });
        let addr = rx.await.unwrap();
        Self {
            // A secret in the path and the query, as some services put one there.
            url: format!("http://{addr}/hooks/PATHSECRET?key=QUERYSECRET"),
            state,
        }
    }

    /// Every alert received so far: `(webhook-id, body)`.
    fn received(&self) -> Vec<(String, serde_json::Value)> {
        self.state.received.lock().unwrap().clone()
    }

    /// The `type` of every alert received so far.
    pub(crate) fn types(&self) -> Vec<String> {
        self.received()
            .iter()
            .map(|(_, b)| b["type"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// Waits until `n` requests have arrived; fails the test after 20 s.
    pub(crate) async fn wait_for(&self, n: usize) -> Vec<(String, serde_json::Value)> {
        for _ in 0..400 {
            if self.received().len() >= n {
                return self.received();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "expected {n} webhook requests within 20 s, got {:?}",
            self.types()
        );
    }

    fn forged(&self) -> usize {
        self.state.forged.load(Ordering::SeqCst)
    }
}

async fn receive(
    State(state): State<Arc<ReceiverState>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let verifier = standardwebhooks::Webhook::new(SECRET).unwrap();
    if verifier.verify(&body, &headers).is_err() {
        state.forged.fetch_add(1, Ordering::SeqCst);
    }
    let id = headers
        .get("webhook-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let json = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
    state.received.lock().unwrap().push((id, json));
    let reply = state
        .script
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or(state.default);
    let status = match reply {
        Reply::Status(code) => StatusCode::from_u16(code).unwrap(),
        Reply::Hang(d) => {
            tokio::time::sleep(d).await;
            StatusCode::OK
        }
    };
    state.answered.fetch_add(1, Ordering::SeqCst);
    status
}

/// Alerts to `receiver`, checked every 100 ms, with rate limits alerted at once and quick retries.
pub(crate) fn alerting(c: &mut Config, receiver: &Receiver) {
    c.alerts.webhook = Some(WebhookChannel::new(&receiver.url, SECRET).unwrap());
    quick_alerts(c);
}

/// Alerts checked every 100 ms, with rate limits alerted at once and quick retries.
fn quick_alerts(c: &mut Config) {
    c.alerts.tick = Duration::from_millis(100);
    c.alerts.thresholds.rate_limited_after = Duration::ZERO;
    c.alerts.retry = RetryPolicy {
        attempts: 5,
        attempt_timeout: Duration::from_secs(5),
        first_retry: Duration::from_millis(50),
    };
}

/// Makes feed `main`'s stored token expire a minute ago (Instagram is not told).
fn expire_stored_token(t: &TestApp) {
    let db = rusqlite::Connection::open(t.config().db_path()).unwrap();
    db.execute(
        "UPDATE tokens SET expires_at = ?1 WHERE feed = 'main'",
        [now() - 60],
    )
    .unwrap();
}

/// Gives feed `main`'s stored token two months again.
fn renew_stored_token(t: &TestApp) {
    let db = rusqlite::Connection::open(t.config().db_path()).unwrap();
    db.execute(
        "UPDATE tokens SET expires_at = ?1 WHERE feed = 'main'",
        [now() + 60 * DAY],
    )
    .unwrap();
}

/// Several engine ticks, for checking that nothing more arrives.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(1500)).await;
}

#[tokio::test]
async fn a_flapping_feed_sends_one_signed_webhook_per_change() {
    let hook = Receiver::start(&[], Reply::Status(200)).await;
    let t = spawn_app_with(fake_instagram::sample_posts(6), |c| {
        alerting(c, &hook);
        c.feed_ttl = Duration::from_secs(1);
    })
    .await;
    assert_eq!(t.feed("main").await.status, FeedStatus::Live);

    // Revoked at Instagram: noticed by the next fetch.
    t.fake.revoke(&t.token, Revocation::PasswordChanged);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    t.feed_until("main", 10, |f| f.status == FeedStatus::TokenRevoked)
        .await;
    let got = hook.wait_for(1).await;
    let data = &got[0].1["data"];
    assert_eq!(got[0].1["type"], "feed.token_dead");
    assert_eq!(data["feed"], "main");
    assert_eq!(data["username"], t.fake.username());
    assert!(
        data["state"].as_str().unwrap().contains("revoked"),
        "{data}"
    );
    assert!(
        data["detail"].as_str().unwrap().contains("password"),
        "{data}"
    );

    // The owner adds a new token.
    let fresh = t.fake.issue_token(60 * DAY);
    add_token(&t.config(), "main", &fresh, Some(now() + 60 * DAY)).await;
    hook.wait_for(2).await;

    // Rate limited, then not.
    t.fake
        .set_fault(Route::Any, Some(Fault::TooManyRequests(1)));
    t.app.as_ref().unwrap().feeds.forget("main");
    t.feed_until("main", 10, |f| f.status == FeedStatus::RateLimited)
        .await;
    hook.wait_for(3).await;
    t.fake.set_fault(Route::Any, None);
    t.feed_until("main", 15, |f| f.status == FeedStatus::Live)
        .await;
    hook.wait_for(4).await;

    settle().await;
    assert_eq!(
        hook.types(),
        [
            "feed.token_dead",
            "feed.recovered",
            "feed.rate_limited",
            "feed.recovered"
        ],
        "exactly one alert per change"
    );
    assert_eq!(hook.forged(), 0, "every signature verifies");
    let mut ids: Vec<String> = hook.received().into_iter().map(|(id, _)| id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 4, "each alert has its own webhook-id");
    let log = t.store().deliveries(10).unwrap();
    assert_eq!(log.len(), 4);
    assert!(
        log.iter()
            .all(|d| d.outcome == Outcome::Delivered && d.attempts == 1)
    );
}

#[tokio::test]
async fn a_receiver_failing_twice_gets_the_alert_on_the_third_attempt() {
    let hook = Receiver::start(
        &[Reply::Status(500), Reply::Status(503)],
        Reply::Status(200),
    )
    .await;
    let t = spawn_app_with(fake_instagram::sample_posts(3), |c| alerting(c, &hook)).await;
    // A token past its expiry is dead before Instagram is asked.
    expire_stored_token(&t);
    let got = hook.wait_for(3).await;
    assert!(got.iter().all(|(_, b)| b["type"] == "feed.token_dead"));
    assert!(
        got.iter().all(|(id, _)| *id == got[0].0),
        "retries keep the webhook-id"
    );
    assert_eq!(t.fake.calls(Route::Any), 0, "Instagram was not asked");
    let store = t.store();
    assert!(
        eventually(5, || !store.deliveries(10).unwrap().is_empty()).await,
        "the delivery is logged"
    );
    let log = store.deliveries(10).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(
        (log[0].outcome, log[0].attempts, log[0].status.as_str()),
        (Outcome::Delivered, 3, "HTTP 200")
    );
    assert_eq!(
        (log[0].feed.as_str(), log[0].event.as_str(), log[0].channel),
        ("main", "feed.token_dead", Channel::Webhook)
    );
    assert_eq!(hook.forged(), 0);
    settle().await;
    assert_eq!(hook.received().len(), 3, "delivered once, not again");
}

#[tokio::test]
async fn a_receiver_that_always_fails_is_given_up_on_after_five_attempts() {
    let hook = Receiver::start(&[], Reply::Status(500)).await;
    let t = spawn_app_with(fake_instagram::sample_posts(3), |c| alerting(c, &hook)).await;
    expire_stored_token(&t);
    hook.wait_for(5).await;
    let store = t.store();
    assert!(eventually(5, || !store.deliveries(10).unwrap().is_empty()).await);
    let log = store.deliveries(10).unwrap();
    assert_eq!(
        (log[0].outcome, log[0].attempts, log[0].status.as_str()),
        (Outcome::Failed, 5, "HTTP 500")
    );
    settle().await;
    assert_eq!(hook.received().len(), 5, "a bounded number of attempts");
}

#[tokio::test]
async fn a_hanging_receiver_does_not_delay_the_feed() {
    let hang = Duration::from_secs(30);
    let hook = Receiver::start(&[], Reply::Hang(hang)).await;
    let t = spawn_app_with(fake_instagram::sample_posts(3), |c| {
        alerting(c, &hook);
        c.alerts.retry.attempt_timeout = hang * 2;
    })
    .await;
    expire_stored_token(&t);
    hook.wait_for(1).await;
    // The delivery is hanging now; visitors are served all the same, before the hang ends.
    let response = t.get("/v1/feeds/main").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        hook.state.answered.load(Ordering::SeqCst),
        0,
        "the feed must answer while the alert's delivery hangs, not after"
    );
}

#[tokio::test]
async fn an_attempt_that_hangs_times_out_and_is_retried() {
    let hook = Receiver::start(&[Reply::Hang(Duration::from_secs(30))], Reply::Status(200)).await;
    let t = spawn_app_with(fake_instagram::sample_posts(3), |c| {
        alerting(c, &hook);
        c.alerts.retry.attempt_timeout = Duration::from_millis(500);
    })
    .await;
    expire_stored_token(&t);
    hook.wait_for(2).await;
    let store = t.store();
    assert!(eventually(5, || !store.deliveries(10).unwrap().is_empty()).await);
    let log = store.deliveries(10).unwrap();
    assert_eq!(
        (log[0].outcome, log[0].attempts, log[0].status.as_str()),
        (Outcome::Delivered, 2, "HTTP 200")
    );
}

#[tokio::test]
async fn a_restart_does_not_send_an_alert_again() {
    let hook = Receiver::start(&[], Reply::Status(200)).await;
    let mut t = spawn_app_with(fake_instagram::sample_posts(3), |c| alerting(c, &hook)).await;
    expire_stored_token(&t);
    hook.wait_for(1).await;
    let receiver = hook.clone();
    t.restart(move |c| alerting(c, &receiver)).await;
    settle().await;
    assert_eq!(
        hook.types(),
        ["feed.token_dead"],
        "not again after a restart"
    );
    // The restarted engine is running: the recovery is reported.
    renew_stored_token(&t);
    hook.wait_for(2).await;
    settle().await;
    assert_eq!(hook.types(), ["feed.token_dead", "feed.recovered"]);
}

#[tokio::test]
async fn an_alert_still_being_retried_at_a_stop_is_delivered_after_the_restart_once() {
    let hook = Receiver::start(&[Reply::Status(503)], Reply::Status(200)).await;
    let mut t = spawn_app_with(fake_instagram::sample_posts(3), |c| {
        alerting(c, &hook);
        // The retry would come long after the stop.
        c.alerts.retry.first_retry = Duration::from_secs(600);
    })
    .await;
    expire_stored_token(&t);
    let first = hook.wait_for(1).await;
    assert!(
        t.store().deliveries(10).unwrap().is_empty(),
        "still retrying"
    );
    let receiver = hook.clone();
    t.restart(move |c| alerting(c, &receiver)).await;
    let got = hook.wait_for(2).await;
    assert_eq!(got[1].1["type"], "feed.token_dead");
    assert_eq!(
        got[1].0, first[0].0,
        "the same webhook-id as before the stop"
    );
    let store = t.store();
    assert!(eventually(5, || !store.deliveries(10).unwrap().is_empty()).await);
    let log = store.deliveries(10).unwrap();
    assert_eq!(
        (log.len(), log[0].outcome, log[0].event.as_str()),
        (1, Outcome::Delivered, "feed.token_dead")
    );
    settle().await;
    assert_eq!(hook.received().len(), 2, "delivered once, not again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn instances_sharing_one_database_send_each_alert_once() {
    // The first delivery takes a while, as a slow receiver does, while another instance starts.
    let hook = Receiver::start(&[Reply::Hang(Duration::from_secs(3))], Reply::Status(200)).await;
    let fake = fake_instagram::FakeInstagram::start_with(fake_instagram::sample_posts(3)).await;
    let database = feedframe::store::postgres::fresh_test_database();
    let dir = tempfile::tempdir().unwrap();
    let instance = || {
        let mut c = config(dir.path(), &fake);
        c.database_url = Some(Secret::new(database.clone()));
        c.lease = Duration::from_secs(2);
        alerting(&mut c, &hook);
        c
    };
    let store = feedframe::store::Store::connect(&database).unwrap();
    let add = async |token: &str, expires_at: i64| {
        let graph = Graph::new(&instance());
        feedframe::tokens::add::add_checked(
            &graph,
            &store,
            "main",
            &Secret::new(token),
            Some(expires_at),
            &[],
        )
        .await
        .unwrap();
    };
    // Dead in three seconds (its expiry passes; Instagram is not asked).
    add(&fake.issue_token(60 * DAY), now() + 3).await;
    let mut apps = Vec::new();
    for _ in 0..2 {
        apps.push(feedframe::start(instance(), None).await.unwrap());
    }
    let first = hook.wait_for(1).await;
    assert_eq!(first[0].1["type"], "feed.token_dead");
    // A third instance starts while that delivery is under way (a deploy, a scale-out).
    apps.push(feedframe::start(instance(), None).await.unwrap());
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(
        hook.types(),
        ["feed.token_dead"],
        "one delivery between three instances"
    );

    // The first instance stops; the others go on alerting, once.
    apps.remove(0).stop().await;
    add(&fake.issue_token(60 * DAY), now() + 60 * DAY).await;
    hook.wait_for(2).await;
    settle().await;
    assert_eq!(hook.types(), ["feed.token_dead", "feed.recovered"]);
    let ids: std::collections::HashSet<String> =
        hook.received().into_iter().map(|(id, _)| id).collect();
    assert_eq!(ids.len(), 2, "two alerts, each sent once");
    let log = store.deliveries(10).unwrap();
    assert_eq!(log.len(), 2, "{log:?}");
    for app in apps {
        app.stop().await;
    }
}

#[tokio::test]
async fn a_test_alert_is_delivered_on_request_and_the_channel_shows_only_its_host() {
    let hook = Receiver::start(&[], Reply::Status(200)).await;
    let t = spawn_app_with(fake_instagram::sample_posts(3), |c| alerting(c, &hook)).await;
    let app = t.app.as_ref().unwrap();
    let channels = app.alerts.channels();
    assert_eq!(channels.len(), 1);
    assert_eq!(
        (channels[0].channel, channels[0].target.as_str()),
        (Channel::Webhook, "127.0.0.1")
    );

    let outcomes = alerts::send_test(&app.alerts).await;
    assert_eq!(outcomes.len(), 1);
    assert_eq!(
        (outcomes[0].outcome, outcomes[0].attempts),
        (Outcome::Delivered, 1)
    );
    let got = hook.wait_for(1).await;
    assert_eq!(got[0].1["type"], "test");
    assert!(got[0].1["timestamp"].as_str().is_some());
    assert_eq!(hook.forged(), 0);
    let log = t.store().deliveries(10).unwrap();
    assert_eq!(log, outcomes, "the test delivery is logged");
    let shown = format!("{log:?} {channels:?}");
    assert!(
        !shown.contains("PATHSECRET") && !shown.contains("QUERYSECRET"),
        "{shown}"
    );
}

#[tokio::test]
async fn a_malformed_alert_setting_stops_the_server_at_start_without_quoting_it() {
    let fake = fake_instagram::FakeInstagram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let webhook = |url: &'static str, secret: &'static str| {
        vec![
            ("FEEDFRAME_ALERT_WEBHOOK_URL", url),
            ("FEEDFRAME_ALERT_WEBHOOK_SECRET", secret),
        ]
    };
    for (env, named) in [
        (
            webhook("hooks.example/sk_live_URLSECRET", SECRET),
            "FEEDFRAME_ALERT_WEBHOOK_URL",
        ),
        (
            webhook("https://hooks.example/x", "sk_live_KEYSECRET"),
            "FEEDFRAME_ALERT_WEBHOOK_SECRET",
        ),
        (
            vec![(
                "FEEDFRAME_ALERT_WEBHOOK_URL",
                "https://hooks.example/sk_live_URLSECRET",
            )],
            "without FEEDFRAME_ALERT_WEBHOOK_SECRET",
        ),
        (
            vec![
                ("FEEDFRAME_SMTP_URL", "smtpx://me:PWSECRET@smtp.example.com"),
                ("FEEDFRAME_ALERT_EMAIL", "owner@example.com"),
            ],
            "FEEDFRAME_SMTP_URL",
        ),
    ] {
        let mut serve = crate::cli::feedframe(dir.path(), &fake);
        serve.envs(env).args(["serve", "--listen", "127.0.0.1:0"]);
        let started = crate::cli::run(&mut serve);
        let (code, out, err) = tokio::time::timeout(Duration::from_secs(10), started)
            .await
            .expect("the server must refuse to start, not serve without its alerts");
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(named), "{err}");
        let all = out + &err;
        for secret in ["URLSECRET", "KEYSECRET", "PWSECRET", &SECRET[6..]] {
            assert!(!all.contains(secret), "{all}");
        }
    }
}

/// A tiny SMTP server on loopback that accepts every message; returns its URL and the messages.
async fn smtp_sink() -> (String, Arc<Mutex<Vec<String>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    let messages = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&messages);
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let kept = Arc::clone(&kept);
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                while let Ok(Some(line)) = lines.next_line().await {
                    let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "DATA" => {
                            write.write_all(b"354 go ahead\r\n").await.unwrap();
                            let mut text = String::new();
                            while let Ok(Some(l)) = lines.next_line().await {
                                if l == "." {
                                    break;
                                }
                                text.push_str(&l);
                                text.push('\n');
                            }
                            kept.lock().unwrap().push(text);
                            b"250 queued\r\n"
                        }
                        "QUIT" => {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            return;
                        }
                        _ => b"250 OK\r\n",
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (url, messages)
}

#[tokio::test]
async fn alerts_and_test_alerts_are_emailed_through_smtp() {
    let (url, inbox) = smtp_sink().await;
    let t = spawn_app_with(fake_instagram::sample_posts(3), |c| {
        quick_alerts(c);
        c.alerts.email = Some(
            alerts::EmailChannel::new(&url, "owner@example.com, ops@example.com", None).unwrap(),
        );
    })
    .await;
    let app = t.app.as_ref().unwrap();
    assert_eq!(
        app.alerts.channels()[0].target,
        "owner@example.com, ops@example.com"
    );
    expire_stored_token(&t);
    let store = t.store();
    assert!(
        eventually(20, || !store.deliveries(10).unwrap().is_empty()).await,
        "the e-mail was never sent"
    );
    let log = store.deliveries(10).unwrap();
    assert_eq!(
        (
            log[0].channel,
            log[0].outcome,
            log[0].attempts,
            log[0].event.as_str()
        ),
        (Channel::Email, Outcome::Delivered, 1, "feed.token_dead")
    );
    let mail = inbox.lock().unwrap()[0].clone();
    assert!(
        mail.contains("Subject: [FeedFrame] main: the access token is dead"),
        "{mail}"
    );
    assert!(mail.contains("owner@example.com") && mail.contains("ops@example.com"));

    let outcomes = alerts::send_test(&app.alerts).await;
    assert_eq!(
        (outcomes.len(), outcomes[0].outcome),
        (1, Outcome::Delivered)
    );
    assert_eq!(inbox.lock().unwrap().len(), 2);
    assert!(inbox.lock().unwrap()[1].contains("Subject: [FeedFrame] test alert"));
    settle().await;
    assert_eq!(inbox.lock().unwrap().len(), 2, "one e-mail per alert");
}

#[tokio::test]
async fn the_consoles_alerts_page_sends_a_test_alert_and_logs_it_without_the_url_secrets() {
    use crate::console_client::{Console, set_password};
    let hook = Receiver::start(&[], Reply::Status(200)).await;
    let t = spawn_app_with(fake_instagram::sample_posts(3), |c| alerting(c, &hook)).await;
    set_password(&t.store(), "harbor-line-ceramics");
    let owner = Console::signed_in(&t.url(), "harbor-line-ceramics").await;
    let page = owner.get("/admin/alerts").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("webhook: 127.0.0.1"), "{}", page.body);
    assert!(page.body.contains("Nothing sent yet."));
    // Without the session's CSRF token, nothing is sent.
    assert_eq!(owner.post("/admin/alerts/test", &[]).await.status, 403);
    settle().await;
    assert!(hook.received().is_empty());
    let sent = owner
        .post("/admin/alerts/test", &[("csrf", &page.csrf())])
        .await;
    assert_eq!(sent.status, 303);
    assert_eq!(sent.location.as_deref(), Some("/admin/alerts"));
    let got = hook.wait_for(1).await;
    assert_eq!(got[0].1["type"], "test");
    assert_eq!(hook.forged(), 0);
    let after = owner.get("/admin/alerts").await;
    assert!(
        after
            .body
            .contains("Test alert sent. webhook: delivered (HTTP 200)"),
        "{}",
        after.body
    );
    assert!(
        after.body.contains("<td>delivered</td>"),
        "the log: {}",
        after.body
    );
    for secret in ["PATHSECRET", "QUERYSECRET", SECRET] {
        assert!(!after.body.contains(secret), "{secret} on the page");
    }
}
