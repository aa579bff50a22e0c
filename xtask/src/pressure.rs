//! The feed endpoint under pressure: while wrk hammers `/healthz` and an unknown feed name, and
//! another process holds the database's write lock (as `feedframe token add` does while it
//! writes), wrk measures `GET /v1/feeds/main`. The proxy answers all three from memory, so the
//! feed's p99 must stay under [`P99_BUDGET_MS`].

use std::fmt::Write as _;
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use crate::proxy::Proxy;

/// The feed endpoint's p99 budget under this pressure.
pub const P99_BUDGET_MS: f64 = 10.0;
const SECONDS: u32 = 10;

/// One wrk run: `connections` on one thread, for `seconds`, with latency percentiles.
fn wrk(connections: u32, seconds: u32, url: &str) -> String {
    let o = Command::new("wrk")
        .args([
            "-t1",
            &format!("-c{connections}"),
            &format!("-d{seconds}s"),
            "--latency",
            url,
        ])
        .output()
        .expect("wrk is installed (./x setup)");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The value after `label` on the first line that starts with it (`Requests/sec:`, `99%`).
fn figure(text: &str, label: &str) -> String {
    text.lines()
        .map(str::trim)
        .find(|l| l.starts_with(label))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or("?")
        .to_string()
}

/// wrk's latency (`812.00us`, `3.21ms`, `1.02s`) in milliseconds.
fn millis(value: &str) -> Option<f64> {
    let (number, factor) = if let Some(n) = value.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = value.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = value.strip_suffix('s') {
        (n, 1000.0)
    } else {
        return None;
    };
    number.parse::<f64>().ok().map(|n| n * factor)
}

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
            tokio::task::spawn_blocking(move || wrk(32, SECONDS + 2, &url))
        })
        .collect();
    // Let the hammers get going first.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let feed_url = format!("{url}/v1/feeds/main");
    let feed = tokio::task::spawn_blocking(move || wrk(64, SECONDS, &feed_url))
        .await
        .unwrap();
    let mut others = Vec::new();
    for h in hammers {
        others.push(h.await.unwrap());
    }
    let _ = release.send(());
    holder.join().unwrap();

    assert!(
        !feed.contains("Non-2xx") && !feed.contains("Socket errors"),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrk_latencies_read_in_milliseconds() {
        assert_eq!(millis("812.00us"), Some(0.812));
        assert_eq!(millis("3.21ms"), Some(3.21));
        assert_eq!(millis("1.50s"), Some(1500.0));
        assert_eq!(millis("?"), None);
    }
}
