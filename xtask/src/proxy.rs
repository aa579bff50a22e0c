//! The system under test: the real `feedframe` binary (profile `server`) as a child process,
//! reading from a fake Instagram in this process, so upstream calls can be counted.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use fake_instagram::{FakeInstagram, Route};
use tokio::io::{AsyncBufReadExt, BufReader};

pub struct Proxy {
    pub fake: FakeInstagram,
    pub url: String,
    pub pid: u32,
    child: tokio::process::Child,
    bin: std::path::PathBuf,
    widget_dir: Option<std::path::PathBuf>,
    _dir: TempDir,
}

/// Another `feedframe serve` on the same data directory (the scaling benchmark's instances).
pub struct Instance {
    pub addr: SocketAddr,
    _child: tokio::process::Child,
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Proxy {
    pub async fn start(root: &Path) -> Proxy {
        let fake = FakeInstagram::start_with(fake_instagram::sample_posts(24)).await;
        let dir = std::env::temp_dir().join(format!("feedframe-bench-{}", std::process::id()));
        let bin = bench_bin(root);
        // The built widget when there is one (`./x pressure` measures no page).
        let widget_dir = Some(root.join("dist")).filter(|d| d.is_dir());
        // `main` for the pages (warmed below); `cold` is first requested under load.
        for feed in ["main", "cold"] {
            let token = fake.issue_token(60 * 86_400);
            let status = command(&bin, &dir, &fake, widget_dir.as_deref())
                .args(["token", "add", feed, "--token", &token])
                .status()
                .await
                .expect("feedframe runs");
            assert!(status.success(), "token add {feed} failed");
        }
        let (child, url) = serve(command(&bin, &dir, &fake, widget_dir.as_deref())).await;
        let pid = child.id().expect("pid");
        // Warm the feed (and its mirrored images) once, as a real site's first visitor does.
        let http = reqwest::Client::new();
        http.get(format!("{url}/v1/feeds/main"))
            .send()
            .await
            .unwrap();
        fake.reset_calls();
        Proxy {
            fake,
            url,
            pid,
            child,
            bin,
            widget_dir,
            _dir: TempDir(dir),
        }
    }

    /// The instance's address (`127.0.0.1:PORT`).
    pub fn addr(&self) -> SocketAddr {
        self.url
            .trim_start_matches("http://")
            .parse()
            .expect("ip:port")
    }

    /// Starts another instance on this one's data directory: the same feeds, its own memory.
    pub async fn another_instance(&self) -> Instance {
        let cmd = command(
            &self.bin,
            &self._dir.0,
            &self.fake,
            self.widget_dir.as_deref(),
        );
        let (child, url) = serve(cmd).await;
        Instance {
            addr: url.trim_start_matches("http://").parse().expect("ip:port"),
            _child: child,
        }
    }

    /// The proxy's SQLite file.
    pub fn db_path(&self) -> std::path::PathBuf {
        self._dir.0.join("feedframe.db")
    }

    /// Media-list calls Instagram received since the last reset.
    pub fn upstream_calls(&self) -> usize {
        self.fake.calls(Route::Media)
    }

    /// Peak resident memory of the proxy process so far, in MiB.
    pub fn peak_rss_mib(&self) -> f64 {
        memory_mib(self.pid, "VmHWM")
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// A memory figure of process `pid` (`VmRSS`: resident now, `VmHWM`: its peak), in MiB.
pub fn memory_mib(pid: u32, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// The `feedframe` binary the benchmarks measure: the workspace's `server` build, or
/// FEEDFRAME_BENCH_BIN to measure another build (say target/debug/feedframe) instead.
pub fn bench_bin(root: &Path) -> std::path::PathBuf {
    std::env::var_os("FEEDFRAME_BENCH_BIN")
        .map_or_else(|| root.join("target/server/feedframe"), Into::into)
}

/// `feedframe ARGS` on the benchmark's data directory and fake Instagram.
pub fn command(
    bin: &Path,
    dir: &Path,
    fake: &FakeInstagram,
    widget_dir: Option<&Path>,
) -> tokio::process::Command {
    let mut c = tokio::process::Command::new(bin);
    c.env("FEEDFRAME_DATA_DIR", dir)
        .env("FEEDFRAME_GRAPH_BASE", fake.graph_base())
        .env("FEEDFRAME_MEDIA_HOSTS", "localhost")
        .env("FEEDFRAME_MEDIA_ALLOW_PRIVATE", "1")
        .env("FEEDFRAME_LOG", "warn")
        .kill_on_drop(true);
    if let Some(widget) = widget_dir {
        c.env("FEEDFRAME_WIDGET_DIR", widget);
    }
    c
}

/// `serve` on a free loopback port: the child and its URL, read from the banner.
pub async fn serve(mut command: tokio::process::Command) -> (tokio::process::Child, String) {
    let mut child = command
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("feedframe serve starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("serve prints its address")
        .unwrap()
        .unwrap();
    (child, line.rsplit(' ').next().unwrap().to_string())
}
