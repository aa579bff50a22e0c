//! The feed endpoint under pressure: while wrk hammers `/healthz` and an unknown feed name, and
//! another process holds the database's write lock (as `feedframe token add` does while it
//! writes), wrk measures `GET /v1/feeds/main`. The proxy answers all three from memory, so the
//! feed's p99 must stay under [`P99_BUDGET_MS`].

use std::fmt::Write as _;
use std::sync::mpsc;
use std::time::Duration;

use crate::proxy::Proxy;
use crate::wrk::{self, figure, millis};

/// The feed endpoint's p99 budget under this pressure.
pub const P99_BUDGET_MS: f64 = 10.0;
const SECONDS: u32 = 10;

/// Holds `BEGIN IMMEDIATE` on the database until the returned sender is dropped or sent to.
fn hold_write_lock(proxy: &Proxy) -> (mpsc::Sender<()>, std::thread::JoinHandle<()>) {
    let db = proxy.db_path();
    let (release, wait) = mpsc::channel::<()>();
    let (locked, is_locked) = mpsc::channel();
    let thread = std::thread::spawn(move || {
        let c = rusqlite::Connection::open(db).expect("open the proxy's database");
        c.execute_batch("BEGIN IMMEDIATE")
            .expect("take the write lock");
        locked.send(()).unwrap();
        let _ = wait.recv();
        c.execute_batch("COMMIT").expect("release the write lock");
    });
    is_locked
        .recv_timeout(Duration::from_secs(30))
        .expect("the write lock was taken");
    (release, thread)
}

pub async fn run(proxy: &Proxy) -> String {
    let (release, holder) = hold_write_lock(proxy);
    let url = proxy.url.clone();
    let hammers: Vec<_> = ["/healthz", "/v1/feeds/nobody"]
        .into_iter()
        .map(|path| {
            let url = format!("{url}{path}");
            tokio::task::spawn_blocking(move || wrk::run(1, 32, SECONDS + 2, &url))
        })
        .collect();
    // Let the hammers get going first.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let feed_url = format!("{url}/v1/feeds/main");
    let feed = wrk::run_async(1, 64, SECONDS, &feed_url).await;
    let mut others = Vec::new();
    for h in hammers {
        others.push(h.await.unwrap());
    }
    let _ = release.send(());
    holder.join().unwrap();

    assert!(
        wrk::all_succeeded(&feed),
        "every feed request must succeed under pressure:\n{feed}"
    );
    let p99 = figure(&feed, "99%");
    let p99_ms = millis(&p99).unwrap_or(f64::NAN);
    let verdict = if p99_ms < P99_BUDGET_MS {
        "within"
    } else {
        "OVER"
    };
    let mut out = String::from("## Feed latency under pressure\n\n");
    writeln!(
        out,
        "`./x bench` (`src/pressure.rs`): for {SECONDS} s, wrk (1 thread each) hammers `GET /healthz` and `GET /v1/feeds/nobody` with 32 connections each, while another process holds the SQLite write lock (`BEGIN IMMEDIATE`, as `feedframe token add` does while it writes) and wrk measures `GET /v1/feeds/main` with 64 connections:\n"
    )
    .unwrap();
    writeln!(
        out,
        "| endpoint | requests/s | p50 | p99 |\n|---|---|---|---|"
    )
    .unwrap();
    for (name, text) in [
        ("`/v1/feeds/main` (measured)", &feed),
        ("`/healthz`", &others[0]),
        ("`/v1/feeds/nobody` (404)", &others[1]),
    ] {
        writeln!(
            out,
            "| {name} | {} | {} | {} |",
            figure(text, "Requests/sec:"),
            figure(text, "50%"),
            figure(text, "99%")
        )
        .unwrap();
    }
    writeln!(
        out,
        "\nFeed p99 {p99} against a budget of {P99_BUDGET_MS} ms: {verdict} budget.\n"
    )
    .unwrap();
    out
}
