//! Cached-feed throughput and latency with wrk on loopback.

use std::fmt::Write as _;

use crate::proxy::Proxy;
use crate::wrk;

pub async fn run(proxy: &Proxy) -> String {
    // A feed nobody asked for yet, hit by 256 connections at once: one upstream fetch serves all.
    proxy.fake.reset_calls();
    let cold = wrk::run_async(2, 256, 5, &format!("{}/v1/feeds/cold", proxy.url)).await;
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
        let text = wrk::run_async(2, connections, 10, &url).await;
        writeln!(
            out,
            "| {connections} | {} | {} | {} |",
            wrk::figure(&text, "Requests/sec:"),
            wrk::figure(&text, "50%"),
            wrk::figure(&text, "99%")
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
