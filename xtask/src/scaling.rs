//! One instance against three behind nginx: `docs/nginx/feedframe.conf` with the cache off (load
//! balancing only) and on, measured with wrk on loopback. `./x bench`, or alone with
//! `cargo run -p xtask -- scaling`.

use std::fmt::Write as _;

use feedframe_e2e::{Nginx, NginxSite};

use crate::proxy::Proxy;
use crate::wrk;

/// The section's heading in docs/benchmarks.md.
pub const HEADING: &str = "## One instance and three behind nginx";

const CONNECTIONS: u32 = 64;
const SECONDS: u32 = 10;

pub async fn run(proxy: &Proxy) -> String {
    let others = [
        proxy.another_instance().await,
        proxy.another_instance().await,
    ];
    let upstreams = [proxy.addr(), others[0].addr, others[1].addr];
    let http = reqwest::Client::new();
    // Each instance fetches the feed once before anything is measured.
    for addr in upstreams {
        let response = http
            .get(format!("http://{addr}/v1/feeds/main"))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "instance {addr}");
    }
    let site = NginxSite::from_docs(&upstreams);
    let setups = [
        ("one instance, direct", None),
        (
            "three instances behind nginx, cache off (load balancing)",
            Some(site.clone().without_cache()),
        ),
        ("three instances behind nginx, cache on", Some(site)),
    ];
    let load_before = crate::machine::load_average();
    let mut rows = String::new();
    let mut direct = None;
    for (name, site) in setups {
        let nginx = match site {
            Some(site) => Some(
                tokio::task::spawn_blocking(move || Nginx::start(&site))
                    .await
                    .unwrap(),
            ),
            None => None,
        };
        let url = match &nginx {
            Some(nginx) => format!("{}/v1/feeds/main", nginx.url()),
            None => format!("{}/v1/feeds/main", proxy.url),
        };
        // The cache holds the feed before the clock starts.
        http.get(&url).send().await.unwrap();
        let text = wrk::run_async(2, CONNECTIONS, SECONDS, &url).await;
        assert!(
            wrk::all_succeeded(&text),
            "{name}: every request must succeed:\n{text}"
        );
        let rps: f64 = wrk::figure(&text, "Requests/sec:")
            .parse()
            .unwrap_or(f64::NAN);
        let p99 = wrk::figure(&text, "99%");
        let (base_rps, base_p99) = *direct.get_or_insert((rps, wrk::millis(&p99)));
        let p99_ratio = wrk::millis(&p99)
            .zip(base_p99)
            .map_or("?".to_string(), |(p, b)| format!("{:.2}", p / b));
        writeln!(
            rows,
            "| {name} | {rps:.0} | {:.2} | {} | {p99} | {p99_ratio} |",
            rps / base_rps,
            wrk::figure(&text, "50%"),
        )
        .unwrap();
        if let Some(nginx) = nginx {
            tokio::task::spawn_blocking(move || drop(nginx))
                .await
                .unwrap();
        }
    }
    let mut out = format!("{HEADING}\n\n");
    writeln!(
        out,
        "`./x bench` (`xtask/src/scaling.rs`; alone, writing this section only: `cargo run -p xtask --profile server -- scaling`): wrk (2 threads, {CONNECTIONS} connections, {SECONDS} s) against `GET /v1/feeds/main`, directly and through nginx with `docs/nginx/feedframe.conf` in front of three `feedframe serve` processes on one data directory, one setup after the other in the same run; ratios are to the first row. Load average (1, 5, 15 min) {load_before} before and {} after. wrk, nginx and every instance share this machine's cores: the rows compare the setups' overhead, not the capacity of three machines.\n\n| setup | requests/s | ratio | p50 | p99 | p99 ratio |\n|---|---|---|---|---|---|\n{rows}",
        crate::machine::load_average()
    )
    .unwrap();
    out
}
