//! Soak: the real `feedframe` binary under steady visitor load on two feeds while the fake
//! Instagram flaps between every failure mode that leaves the token alive (a dead token stops
//! upstream calls by design: see `tokens.rs`). Once a snapshot exists, no visitor request fails,
//! memory stays flat, and upstream calls stay within one fetch per TTL per feed plus retries.
//!
//! `FEEDFRAME_SOAK_SECS` sets the length (at least 36): 40 s in CI, several minutes from `./x soak`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use fake_instagram::{FakeInstagram, FakePost, Fault, Route, sample_posts};
use feedframe_feed::Feed;

use crate::cli::{feedframe, run, serve};
use crate::helpers::*;

/// The feeds' TTL, in seconds.
const TTL: u64 = 2;
/// How long each failure mode lasts.
const PHASE: Duration = Duration::from_secs(3);
/// Concurrent visitors (each pauses briefly between requests, to leave the CPU to the proxy).
const VISITORS: usize = 6;
const FEEDS: [&str; 2] = ["alpha", "beta"];
/// Media-list calls one fetch may make: up to two retries while the graph fails, or (while the
/// graph answers and the CDN says the URLs expired) a second list.
const CALLS_PER_FETCH: u64 = 3;

/// One failure mode: what the graph API and the CDN answer, and whether a new post appears (so
/// there are new images to download while the CDN misbehaves).
#[derive(Clone)]
struct Phase {
    name: &'static str,
    graph: Option<Fault>,
    cdn: Option<Fault>,
    new_post: bool,
}

fn phase(name: &'static str, graph: Option<Fault>, cdn: Option<Fault>, new_post: bool) -> Phase {
    Phase {
        name,
        graph,
        cdn,
        new_post,
    }
}

/// Repeated through the run; the upstream timeout is 2 s.
fn flapping() -> Vec<Phase> {
    let slow = || Fault::Slow(Duration::from_millis(2500));
    vec![
        phase("healthy", None, None, true),
        phase("graph 500", Some(Fault::ServerError), None, false),
        phase("graph garbage", Some(Fault::Garbage), None, false),
        phase("graph timeout", Some(slow()), None, false),
        phase(
            "graph 429 without a body",
            Some(Fault::Status(429, String::new())),
            None,
            false,
        ),
        phase(
            "graph 503 html",
            Some(Fault::Status(503, "<html>busy".into())),
            None,
            false,
        ),
        phase("cdn 500", None, Some(Fault::ServerError), true),
        phase("cdn garbage", None, Some(Fault::Garbage), true),
        phase("cdn url expired", None, Some(Fault::Expired), true),
        phase("cdn timeout", None, Some(slow()), true),
    ]
}

/// The last phases: rate limits pause the graph for minutes, so they come once, at the end.
fn finale() -> Vec<Phase> {
    vec![
        phase("app rate limit", Some(Fault::RateLimit403), None, true),
        phase("account rate limit", Some(Fault::RateLimit400), None, true),
    ]
}

fn new_post(n: u32) -> FakePost {
    FakePost::image(
        &format!("1791{n:011}"),
        Some("Fresh from the kiln"),
        "2026-11-30T10:00:00+0000",
        1080,
        1350,
    )
}

/// Resident memory of a process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .expect("the proxy is running and /proc shows its memory")
}

#[derive(Default)]
struct Tally {
    ok: AtomicU64,
    failed: AtomicU64,
    first_failure: std::sync::Mutex<Option<String>>,
}

impl Tally {
    fn fail(&self, what: String) {
        self.failed.fetch_add(1, Ordering::Relaxed);
        self.first_failure.lock().unwrap().get_or_insert(what);
    }
}

/// One visitor request; `Err` says what went wrong.
async fn visit(http: &reqwest::Client, url: &str, i: u64) -> Result<(), String> {
    let path = match i % 8 {
        0 => format!("/v1/feeds/nobody-{i}"),
        1 => "/healthz".to_string(),
        n => format!("/v1/feeds/{}", FEEDS[(n % 2) as usize]),
    };
    let response = http
        .get(format!("{url}{path}"))
        .send()
        .await
        .map_err(|e| format!("{path}: {e}"))?;
    let status = response.status().as_u16();
    let body = response.bytes().await.map_err(|e| format!("{path}: {e}"))?;
    match (i % 8, status) {
        (0, 404) | (1, 200) => Ok(()),
        (0 | 1, _) => Err(format!("{path}: HTTP {status}")),
        (_, 200) => {
            let feed: Feed =
                serde_json::from_slice(&body).map_err(|e| format!("{path}: not a feed: {e}"))?;
            if feed.posts.is_empty() {
                Err(format!("{path}: no posts ({:?})", feed.status))
            } else {
                Ok(())
            }
        }
        _ => Err(format!("{path}: HTTP {status}")),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visitors_never_see_a_failure_while_instagram_flaps() {
    let secs: u64 = std::env::var("FEEDFRAME_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40);
    let fake = FakeInstagram::start_with(sample_posts(12)).await;
    let dir = tempfile::tempdir().unwrap();
    for feed in FEEDS {
        let token = fake.issue_token(60 * DAY);
        let (code, out, err) =
            run(feedframe(dir.path(), &fake).args(["token", "add", feed, "--token", &token])).await;
        assert_eq!(code, 0, "{out}{err}");
    }
    let (mut child, url) = serve(dir.path(), &fake, &["--feed-ttl", &TTL.to_string()]).await;
    let pid = child.id().expect("running");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    // Both feeds get their first snapshot while Instagram is healthy (mirroring every image
    // first: no timeout on this one).
    for feed in FEEDS {
        let response = reqwest::get(format!("{url}/v1/feeds/{feed}"))
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert!(!response.json::<Feed>().await.unwrap().posts.is_empty());
    }
    fake.reset_calls();

    let started = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Tally::default());
    let visitors: Vec<_> = (0..VISITORS as u64)
        .map(|v| {
            let (http, url, stop, tally) = (
                http.clone(),
                url.clone(),
                Arc::clone(&stop),
                Arc::clone(&tally),
            );
            tokio::spawn(async move {
                let mut i = v;
                while !stop.load(Ordering::Relaxed) {
                    match visit(&http, &url, i).await {
                        Ok(()) => tally.ok.fetch_add(1, Ordering::Relaxed),
                        Err(what) => {
                            tally.fail(what);
                            0
                        }
                    };
                    i += VISITORS as u64;
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            })
        })
        .collect();

    // Flap, sampling the proxy's memory once a second.
    let run_for = Duration::from_secs(secs);
    let finale_at = run_for.saturating_sub(PHASE * finale().len() as u32);
    let mut rss = Vec::new();
    let mut phases = flapping().into_iter().cycle();
    let mut last_phases = finale().into_iter();
    let mut posts = fake.posts();
    let mut phases_run = 0;
    let mut seen = std::collections::BTreeSet::new();
    while started.elapsed() < run_for {
        let p = if started.elapsed() < finale_at {
            phases.next()
        } else {
            last_phases.next()
        };
        let Some(p) = p else { break };
        if p.new_post {
            posts.insert(0, new_post(phases_run));
            fake.set_posts(posts.clone());
        }
        fake.set_fault(Route::Any, p.graph);
        fake.set_fault(Route::Cdn, p.cdn);
        phases_run += 1;
        seen.insert(p.name);
        let until = Instant::now() + PHASE;
        while Instant::now() < until {
            rss.push(rss_kib(pid));
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        let failed = tally.failed.load(Ordering::Relaxed);
        assert_eq!(
            failed,
            0,
            "during {:?}: {:?}",
            p.name,
            tally.first_failure.lock().unwrap()
        );
    }
    stop.store(true, Ordering::Relaxed);
    for v in visitors {
        v.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let list_calls = fake.calls(Route::Media) as u64;
    let cdn_calls = fake.calls(Route::Cdn);
    rss.push(rss_kib(pid));
    child.start_kill().unwrap();
    child.wait().await.unwrap();

    let (ok, failed) = (
        tally.ok.load(Ordering::Relaxed),
        tally.failed.load(Ordering::Relaxed),
    );
    // Memory after the first quarter (allocator warm-up, every image decoder used once) against
    // the last quarter.
    let quarter = rss.len() / 4;
    let warm = *rss[quarter..2 * quarter].iter().max().unwrap();
    let last = *rss[rss.len() - quarter..].iter().max().unwrap();
    let windows = (elapsed as u64).div_ceil(TTL) + 1;
    let budget = FEEDS.len() as u64 * windows * CALLS_PER_FETCH;
    eprintln!(
        "soak: {elapsed:.0} s, {phases_run} phases, {ok} visitor requests ({:.0}/s), {failed} failed; \
         RSS {:.1} MiB warm, {:.1} MiB at the end (peak {:.1}); {list_calls} media-list calls \
         (budget {budget}: {} feeds x {windows} TTL windows x {CALLS_PER_FETCH}), {cdn_calls} CDN calls",
        ok as f64 / elapsed,
        warm as f64 / 1024.0,
        last as f64 / 1024.0,
        *rss.iter().max().unwrap() as f64 / 1024.0,
        FEEDS.len(),
    );
    assert_eq!(failed, 0, "{:?}", tally.first_failure.lock().unwrap());
    assert!(
        ok > 1000,
        "the visitors kept the proxy busy ({ok} requests)"
    );
    assert_eq!(
        seen.len(),
        flapping().len() + finale().len(),
        "every failure mode came round (FEEDFRAME_SOAK_SECS must be at least 36)"
    );
    assert!(
        last <= warm + warm / 5 + 8 * 1024,
        "memory grows: {warm} KiB warm, {last} KiB at the end"
    );
    assert!(
        list_calls <= budget,
        "{list_calls} media-list calls for a budget of {budget}"
    );
    assert!(list_calls >= 2, "the feeds were renewed during the soak");
}
