//! Cached-feed throughput and latency with wrk on loopback.

use std::fmt::Write as _;
use std::process::Command;

use crate::proxy::Proxy;

pub async fn run(proxy: &Proxy) -> String {
    let url = format!("{}/v1/feeds/main", proxy.url);
    let mut out = String::from(
        "## Proxy under load\n\n`wrk -t2 -d10s --latency` against `GET /v1/feeds/main` (a cached feed; gzip/brotli off, as wrk sends no Accept-Encoding), the `feedframe` binary (profile `server`) as a separate process:\n\n| connections | requests/s | p50 | p99 |\n|---|---|---|---|\n",
    );
    proxy.fake.reset_calls();
    for connections in [64, 256] {
        let url = url.clone();
        let text = tokio::task::spawn_blocking(move || {
            let o = Command::new("wrk")
                .args([
                    "-t2",
                    &format!("-c{connections}"),
                    "-d10s",
                    "--latency",
                    &url,
                ])
                .output()
                .expect("wrk is installed (./x setup)");
            String::from_utf8_lossy(&o.stdout).into_owned()
        })
        .await
        .unwrap();
        let rps = text
            .lines()
            .find(|l| l.starts_with("Requests/sec:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or("?");
        let pct = |p: &str| {
            text.lines()
                .map(str::trim)
                .find(|l| l.starts_with(p))
                .and_then(|l| l.split_whitespace().nth(1))
                .unwrap_or("?")
                .to_string()
        };
        writeln!(
            out,
            "| {connections} | {rps} | {} | {} |",
            pct("50%"),
            pct("99%")
        )
        .unwrap();
    }
    writeln!(
        out,
        "\nPeak RSS of the proxy over the whole run (browser runs included): {:.1} MiB. Upstream media-list calls during the load runs: {} (the feed was fetched once before; TTL 600 s).\n",
        proxy.peak_rss_mib(),
        proxy.upstream_calls()
    )
    .unwrap();
    out
}
