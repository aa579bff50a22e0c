//! Ten thousand feeds on one `feedframe` (profile `server`, SQLite) and the fake Instagram: the
//! memory each 1,000 cached feeds take, and Instagram's calls over a few TTLs after every feed was
//! fetched at once (all added together, or all stale when Instagram comes back from an outage),
//! while visitors keep asking for every feed. `cargo run -p xtask --profile server -- fleet
//! [--baseline BIN]` writes its section of docs/benchmarks.md; `--baseline` measures another build
//! (say one from before a change) first, in the same run.
//!
//! The proxy has no simulated clock: the TTL is short instead ([`TTL`]), so a tenth of it stands
//! for a minute of the default 600 s TTL, and the run takes minutes.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use fake_instagram::{FakeInstagram, Route};

use crate::proxy::{command, memory_mib, serve};

/// The section's heading in docs/benchmarks.md.
pub const HEADING: &str = "## Ten thousand feeds";

const FEEDS: usize = 10_000;
/// Seconds a fetched feed is live in this run.
const TTL: u64 = 240;
/// TTLs watched after the first fetches.
const ROUNDS: u64 = 2;
/// Feeds cached when the memory is read.
const STEPS: [usize; 3] = [1_000, 5_000, 10_000];
/// Requests in flight at once from the visitors.
const VISITORS: usize = 32;
/// Bins per TTL in the histogram.
const BINS: usize = 10;

/// What one build did.
struct Measured {
    label: String,
    /// (feeds cached, VmRSS in MiB)
    rss: Vec<(usize, f64)>,
    warm_up: Duration,
    /// Graph calls (media lists, and every other) per second since the first fetch, cumulative.
    media: Vec<usize>,
    graph: Vec<usize>,
}

pub async fn run(current: &Path, baseline: Option<&Path>) -> String {
    let load_before = crate::machine::load_average();
    let mut runs = Vec::new();
    if let Some(bin) = baseline {
        eprintln!("==> fleet: the baseline {}", bin.display());
        runs.push(measure(bin, "baseline").await);
    }
    eprintln!("==> fleet: {}", current.display());
    runs.push(measure(current, "this build").await);
    report(&runs, &load_before, &crate::machine::load_average())
}

async fn measure(bin: &Path, label: &str) -> Measured {
    let fake = FakeInstagram::start_with(fake_instagram::sample_posts(24)).await;
    let dir = std::env::temp_dir().join(format!("feedframe-fleet-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let names: Vec<String> = (0..FEEDS).map(|i| format!("client-{i:05}")).collect();
    add_feeds(bin, &dir, &fake, &names).await;
    let mut cmd = command(bin, &dir, &fake, None);
    cmd.env("FEEDFRAME_FEED_TTL", TTL.to_string());
    let (mut child, url) = serve(cmd).await;
    let pid = child.id().expect("pid");
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(VISITORS)
        .build()
        .unwrap();
    let names = Arc::new(names);
    // The first feed alone: every feed here shows the same images, which are mirrored once.
    visit(&http, &url, &names[..1]).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut rss = vec![(1, memory_mib(pid, "VmRSS"))];

    // Every other feed asked for once, as fast as the proxy fetches them: the bunch.
    fake.reset_calls();
    let started = Instant::now();
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let (fake, sampling) = (fake.clone(), Arc::clone(&sampling));
        tokio::spawn(async move {
            let (mut media, mut graph) = (Vec::new(), Vec::new());
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            while sampling.load(Ordering::Relaxed) {
                tick.tick().await;
                media.push(fake.calls(Route::Media));
                graph.push(fake.calls(Route::Any));
            }
            (media, graph)
        })
    };
    let mut from = 1;
    for step in STEPS {
        visit(&http, &url, &names[from..step]).await;
        from = step;
        tokio::time::sleep(Duration::from_secs(1)).await;
        rss.push((step, memory_mib(pid, "VmRSS")));
    }
    let warm_up = started.elapsed();
    eprintln!("    every feed fetched once in {warm_up:.0?}; visiting them for {ROUNDS} more TTLs");
    // Visitors keep asking for every feed, round after round, until the rounds are over.
    let end = Duration::from_secs(TTL * (ROUNDS + 1));
    while started.elapsed() < end {
        visit(&http, &url, &names).await;
    }
    sampling.store(false, Ordering::Relaxed);
    let (media, graph) = sampler.await.unwrap();
    let _ = child.kill().await;
    let _ = std::fs::remove_dir_all(&dir);
    Measured {
        label: label.to_string(),
        rss,
        warm_up,
        media,
        graph,
    }
}

/// `token add` for the first feed; the others are copies of its rows with tokens of their own
/// (10,000 `token add` processes, each asking Instagram, would take far longer than the run).
async fn add_feeds(bin: &Path, dir: &Path, fake: &FakeInstagram, names: &[String]) {
    let token = fake.issue_token(60 * 86_400);
    let status = command(bin, dir, fake, None)
        .args(["token", "add", &names[0], "--token", &token])
        .status()
        .await
        .expect("feedframe runs");
    assert!(status.success(), "token add {} failed", names[0]);
    let tokens: Vec<String> = names[1..]
        .iter()
        .map(|_| fake.issue_token(60 * 86_400))
        .collect();
    let mut db = rusqlite::Connection::open(dir.join("feedframe.db")).expect("the database");
    let tx = db.transaction().unwrap();
    tx.execute_batch(&format!(
        "CREATE TEMP TABLE one_feed AS SELECT * FROM feeds WHERE name = '{0}';
         CREATE TEMP TABLE one_token AS SELECT * FROM tokens WHERE feed = '{0}';",
        names[0]
    ))
    .unwrap();
    for (name, token) in names[1..].iter().zip(&tokens) {
        tx.execute("UPDATE one_feed SET name = ?1", [name]).unwrap();
        tx.execute("UPDATE one_token SET feed = ?1, token = ?2", [name, token])
            .unwrap();
        tx.execute_batch(
            "INSERT INTO feeds SELECT * FROM one_feed; INSERT INTO tokens SELECT * FROM one_token;",
        )
        .unwrap();
    }
    tx.commit().unwrap();
}

/// Asks for each feed once, [`VISITORS`] at a time; every answer must be a 200.
async fn visit(http: &reqwest::Client, url: &str, names: &[String]) {
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let names: Arc<Vec<String>> = Arc::new(names.to_vec());
    let workers: Vec<_> = (0..VISITORS)
        .map(|_| {
            let (http, url, next, names) = (
                http.clone(),
                url.to_string(),
                Arc::clone(&next),
                Arc::clone(&names),
            );
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(name) = names.get(i) else { return };
                    let response = http
                        .get(format!("{url}/v1/feeds/{name}"))
                        .send()
                        .await
                        .expect("the proxy answers");
                    assert_eq!(response.status(), 200, "{name}");
                    response.bytes().await.unwrap();
                }
            })
        })
        .collect();
    for w in workers {
        w.await.unwrap();
    }
}

/// Calls per bin of round `round` (0: the TTL of the first fetches), from cumulative samples.
fn bins(samples: &[usize], round: u64) -> Vec<usize> {
    let at = |s: u64| {
        samples
            .get(s as usize)
            .or(samples.last())
            .copied()
            .unwrap_or(0)
    };
    let width = TTL / BINS as u64;
    (0..BINS as u64)
        .map(|b| {
            let start = round * TTL + b * width;
            at(start + width) - at(start)
        })
        .collect()
}

fn report(runs: &[Measured], load_before: &str, load_after: &str) -> String {
    let mut out = format!("{HEADING}\n\n");
    writeln!(
        out,
        "`cargo run -p xtask --profile server -- fleet [--baseline BIN]` (`xtask/src/fleet.rs`; not part of `./x bench`, it runs about {} minutes per build; `./x bench` keeps this section as it is). One `feedframe serve` (profile `server`, SQLite) with {FEEDS} feeds, each with a token of its own, on the fake Instagram (24 posts each, the same images for every feed, so images are mirrored once and the feeds' snapshots are what grows). TTL {TTL} s instead of the default 600 s (the proxy has no simulated clock): a tenth of a TTL, {} s here, stands for a minute at the default TTL. Load average (1, 5, 15 min) {load_before} before the run and {load_after} after it, on the shared machine.\n",
        (TTL * (ROUNDS + 1)).div_ceil(60),
        TTL / BINS as u64
    )
    .unwrap();

    out.push_str("### Memory per 1,000 feeds\n\nResident memory (VmRSS) of the `feedframe` process after every feed up to the count was asked for once (each fetched and cached: its snapshot in memory, with its served body once asked for).\n\n| build | feeds cached | RSS | MiB per 1,000 feeds since the previous row |\n|---|---|---|---|\n");
    for m in runs {
        for (i, (feeds, mib)) in m.rss.iter().enumerate() {
            let per = if i == 0 {
                format!("(one cached, its images mirrored; the catalog of {FEEDS} feeds)")
            } else {
                let (before_feeds, before_mib) = m.rss[i - 1];
                format!(
                    "{:.1}",
                    (mib - before_mib) / ((feeds - before_feeds) as f64 / 1000.0)
                )
            };
            writeln!(out, "| {} | {feeds} | {mib:.1} MiB | {per} |", m.label).unwrap();
        }
    }
    out.push('\n');

    out.push_str("### Instagram calls per TTL\n\nEvery feed is asked for once as fast as the proxy fetches them (round 0, the bunch), then visitors ask for every feed again and again, so each feed is fetched as soon as it goes stale. Media-list calls per round (a round is one TTL from the first fetch), and the busiest and the mean tenth of a TTL of each round:\n\n| build | round | media-list calls | all Graph calls | busiest tenth | mean tenth | busiest / mean |\n|---|---|---|---|---|---|---|\n");
    for m in runs {
        for round in 0..=ROUNDS {
            let media = bins(&m.media, round);
            let graph: usize = bins(&m.graph, round).iter().sum();
            let total: usize = media.iter().sum();
            let peak = *media.iter().max().unwrap_or(&0);
            let mean = total as f64 / BINS as f64;
            writeln!(
                out,
                "| {} | {round} | {total} | {graph} | {peak} | {mean:.0} | {:.2} |",
                m.label,
                peak as f64 / mean
            )
            .unwrap();
        }
    }
    writeln!(
        out,
        "\nThe last round's calls per tenth of a TTL (each `#` is 100 calls):\n\n```"
    )
    .unwrap();
    for m in runs {
        writeln!(
            out,
            "{} (first fetches of all feeds: {:.0?}):",
            m.label, m.warm_up
        )
        .unwrap();
        for (b, n) in bins(&m.media, ROUNDS).iter().enumerate() {
            writeln!(out, "  {b:>2} {n:>6} {}", "#".repeat(n / 100)).unwrap();
        }
    }
    out.push_str("```\n");
    out
}
