//! Cached-feed throughput and latency with wrk on loopback.

use std::fmt::Write as _;
use std::process::Command;

use crate::proxy::Proxy;

/// Runs wrk and returns its report.
async fn wrk(connections: u32, seconds: u32, url: &str) -> String {
    let url = url.to_string();
    tokio::task::spawn_blocking(move || {
        let o = Command::new("wrk")
            .args([
                "-t2",
                &format!("-c{connections}"),
                &format!("-d{seconds}s"),
                "--latency",
                &url,
            ])
            .output()
            .expect("wrk is installed (./x setup)");
        String::from_utf8_lossy(&o.stdout).into_owned()
    })
    .await
    .unwrap()
}

pub async fn run(proxy: &Proxy) -> String {
    // A feed nobody asked for yet, hit by 256 connections at once: one upstream fetch serves all.
    proxy.fake.reset_calls();
    let cold = wrk(256, 5, &format!("{}/v1/feeds/cold", proxy.url)).await;
    let cold_calls = proxy.upstream_calls();
    assert!(
        !cold.contains("Non-2xx"),
        "the cold feed must be served to every connection:\n{cold}"
    );

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
        "\nPeak RSS of the proxy over the whole run (browser runs and the mirroring of two feeds included): {:.1} MiB.\n\nUpstream media-list calls: {} during the measured runs (the feed was fetched before; TTL 600 s), and {cold_calls} for a feed first requested by 256 connections at once for 5 s (budget: exactly 1 per TTL; CI checks the same with 200 concurrent requests in `proxy/tests/proxy/feed.rs`).\n",
        proxy.peak_rss_mib(),
        proxy.upstream_calls()
    )
    .unwrap();
    out
}
