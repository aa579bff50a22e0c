//! wrk on loopback: one run, and the figures read from its report. Every benchmark section that
//! measures requests/s and latency goes through here.

use std::process::Command;

/// One wrk run with latency percentiles: `threads` threads, `connections` connections, for
/// `seconds`; its report.
pub fn run(threads: u32, connections: u32, seconds: u32, url: &str) -> String {
    let o = Command::new("wrk")
        .args([
            &format!("-t{threads}"),
            &format!("-c{connections}"),
            &format!("-d{seconds}s"),
            "--latency",
            url,
        ])
        .output()
        .expect("wrk is installed (./x setup)");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// [`run`] off the async runtime.
pub async fn run_async(threads: u32, connections: u32, seconds: u32, url: &str) -> String {
    let url = url.to_string();
    tokio::task::spawn_blocking(move || run(threads, connections, seconds, &url))
        .await
        .unwrap()
}

/// The value after `label` on the first line that starts with it (`Requests/sec:`, `99%`).
pub fn figure(text: &str, label: &str) -> String {
    text.lines()
        .map(str::trim)
        .find(|l| l.starts_with(label))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or("?")
        .to_string()
}

/// Whether every request of the run was answered with a 2xx or 3xx, without socket errors.
pub fn all_succeeded(text: &str) -> bool {
    !text.contains("Non-2xx") && !text.contains("Socket errors")
}

/// wrk's latency (`812.00us`, `3.21ms`, `1.02s`) in milliseconds.
pub fn millis(value: &str) -> Option<f64> {
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

    #[test]
    fn figures_are_read_from_the_report() {
        let report = "  Latency Distribution\n     50%  812.00us\n     99%    3.21ms\nRequests/sec:  60981.98\n";
        assert_eq!(figure(report, "50%"), "812.00us");
        assert_eq!(figure(report, "99%"), "3.21ms");
        assert_eq!(figure(report, "Requests/sec:"), "60981.98");
        assert_eq!(figure(report, "75%"), "?");
    }
}
