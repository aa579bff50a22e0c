//! Real nginx (Debian's `nginx` package) in front of `feedframe` instances, configured by the
//! repository's own `docs/nginx/feedframe.conf`, so the documented configuration is the one tested
//! and measured.
//!
//! ```no_run
//! # let instances: Vec<std::net::SocketAddr> = Vec::new();
//! let nginx = feedframe_e2e::Nginx::start(&feedframe_e2e::NginxSite::from_docs(&instances));
//! let feed_url = format!("{}/v1/feeds/main", nginx.url());
//! ```

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// Where Debian's package puts the binary (root's PATH has it, other users' may not).
const NGINX: &str = "/usr/sbin/nginx";

/// The documented configuration, read when a test or benchmark starts, never copied.
const DOCS_CONF: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/nginx/feedframe.conf");

/// The address, cache path and `listen` line as the documented file writes them: the only parts
/// a test replaces.
const DOCS_LISTEN: &str = "listen 80;";
const DOCS_CACHE_PATH: &str = "/var/cache/nginx/feedframe";
const DOCS_UPSTREAM: &str = "upstream feedframe {";
const DOCS_CACHE_ON: &str = "proxy_cache feedframe;";
/// The directives that serve stale copies on nginx's own account, beyond the proxy's header.
const DOCS_STALE_DIRECTIVES: [&str; 2] =
    ["proxy_cache_use_stale ", "proxy_cache_background_update "];

/// `docs/nginx/feedframe.conf` pointed at some instances: what goes into nginx's `http` block.
#[derive(Clone, Debug)]
pub struct NginxSite {
    upstreams: Vec<SocketAddr>,
    cache: bool,
    stale_directives: bool,
}

impl NginxSite {
    /// The documented configuration in front of `upstreams`.
    pub fn from_docs(upstreams: &[SocketAddr]) -> Self {
        assert!(!upstreams.is_empty(), "nginx needs at least one instance");
        Self {
            upstreams: upstreams.to_vec(),
            cache: true,
            stale_directives: true,
        }
    }

    /// The same, with the cache off: load balancing only (the benchmark's middle row).
    pub fn without_cache(mut self) -> Self {
        self.cache = false;
        self
    }

    /// The same without `proxy_cache_use_stale` and `proxy_cache_background_update`: a cache
    /// that does only what the proxy's `Cache-Control` says, as a CDN left at its defaults.
    pub fn honouring_only_cache_control(mut self) -> Self {
        self.stale_directives = false;
        self
    }

    /// The file's text with the listen address, the upstream servers and the cache path replaced;
    /// panics, naming what it looked for, when the documented file no longer has one of them.
    fn render(&self, listen: SocketAddr, cache_dir: &Path) -> String {
        let docs = std::fs::read_to_string(DOCS_CONF)
            .unwrap_or_else(|e| panic!("cannot read {DOCS_CONF}: {e}"));
        let mut text = replace_once(&docs, DOCS_LISTEN, &format!("listen {listen};"));
        text = replace_once(&text, DOCS_CACHE_PATH, &cache_dir.display().to_string());
        if !self.cache {
            text = replace_once(&text, DOCS_CACHE_ON, "proxy_cache off;");
        }
        if !self.stale_directives {
            text = without_lines_starting(&text, &DOCS_STALE_DIRECTIVES);
        }
        replace_upstreams(&text, &self.upstreams)
    }
}

fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(
        text.matches(from).count(),
        1,
        "docs/nginx/feedframe.conf must contain `{from}` exactly once (the tests replace it)"
    );
    text.replacen(from, to, 1)
}

fn without_lines_starting(text: &str, starts: &[&str]) -> String {
    for start in starts {
        assert_eq!(
            text.lines().filter(|l| l.trim().starts_with(start)).count(),
            1,
            "docs/nginx/feedframe.conf must have one `{start}…` line"
        );
    }
    text.lines()
        .filter(|l| !starts.iter().any(|s| l.trim().starts_with(s)))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// Replaces the `server …;` lines of `upstream feedframe { … }` with one line per address.
fn replace_upstreams(text: &str, upstreams: &[SocketAddr]) -> String {
    let mut out = String::new();
    let (mut inside, mut replaced) = (false, false);
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed == DOCS_UPSTREAM {
            inside = true;
        } else if inside && trimmed == "}" {
            inside = false;
        } else if inside && trimmed.starts_with("server ") {
            if !replaced {
                for addr in upstreams {
                    out.push_str(&format!("    server {addr};\n"));
                }
                replaced = true;
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    assert!(
        replaced,
        "docs/nginx/feedframe.conf must list its instances as `server …;` lines in `{DOCS_UPSTREAM} … }}`"
    );
    out
}

/// A running nginx on a free loopback port, with its configuration, cache, pid file and logs in a
/// directory of its own. Stopped (and the directory removed) when dropped.
pub struct Nginx {
    child: Child,
    url: String,
    dir: PathBuf,
}

impl Nginx {
    /// Starts nginx with `site`; panics with nginx's error log if it does not start.
    pub fn start(site: &NginxSite) -> Nginx {
        assert!(
            Path::new(NGINX).exists(),
            "{NGINX} is missing: `./x setup` installs Debian's nginx package"
        );
        // A port found free may be taken before nginx binds it: then another one.
        for _ in 0..5 {
            match Self::try_start(site) {
                Ok(nginx) => return nginx,
                Err(log) if log.contains("Address already in use") => continue,
                Err(log) => panic!("nginx did not start:\n{log}"),
            }
        }
        panic!("nginx found no free port in 5 tries");
    }

    fn try_start(site: &NginxSite) -> Result<Nginx, String> {
        static STARTED: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "feedframe-nginx-{}-{}",
            std::process::id(),
            STARTED.fetch_add(1, Ordering::Relaxed)
        ));
        let listen = free_port();
        // Rendered first: a documented file the tests cannot use leaves no directory behind.
        let conf = site.render(listen, &dir.join("cache"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("nginx's directory");
        std::fs::write(dir.join("feedframe.conf"), conf).unwrap();
        std::fs::write(dir.join("nginx.conf"), main_conf(&dir)).unwrap();
        let error_log = dir.join("error.log");
        let child = Command::new(NGINX)
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .arg("-e")
            .arg(&error_log)
            .args(["-g", "daemon off;"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {NGINX}: {e}"));
        let mut nginx = Nginx {
            child,
            url: format!("http://{listen}"),
            dir,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if TcpStream::connect(listen).is_ok() {
                return Ok(nginx);
            }
            if nginx.child.try_wait().unwrap().is_some() || Instant::now() > deadline {
                return Err(nginx.error_log());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> &str {
        &self.url
    }

    /// nginx's error log so far (for failure messages).
    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("error.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM: the master stops its workers, then exits (SIGKILL would leave them running).
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.child.try_wait().ok().flatten().is_none() {
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A loopback address no one listens on right now.
fn free_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    listener.local_addr().expect("its address")
}

/// nginx's own configuration around the documented site: everything nginx writes stays in `dir`,
/// and no default path (/var/log/nginx, /var/lib/nginx, port 80) is touched.
fn main_conf(dir: &Path) -> String {
    let d = dir.display();
    format!(
        "# Written by feedframe-e2e's nginx harness around docs/nginx/feedframe.conf.
# Workers as root when nginx starts as root (CI): they write the cache in this directory.
user root;
worker_processes auto;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log {d}/access.log combined buffer=64k flush=1s;
    client_body_temp_path {d}/client_body;
    proxy_temp_path {d}/proxy_temp;
    fastcgi_temp_path {d}/fastcgi_temp;
    uwsgi_temp_path {d}/uwsgi_temp;
    scgi_temp_path {d}/scgi_temp;
    include {d}/feedframe.conf;
}}
"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_file_is_rendered_with_only_address_upstreams_and_cache_path_replaced() {
        let upstreams: Vec<SocketAddr> = vec![
            "127.0.0.1:4001".parse().unwrap(),
            "127.0.0.1:4002".parse().unwrap(),
        ];
        let site = NginxSite::from_docs(&upstreams);
        let text = site.render("127.0.0.1:9000".parse().unwrap(), Path::new("/tmp/c"));
        assert!(text.contains("listen 127.0.0.1:9000;"), "{text}");
        assert!(
            text.contains("    server 127.0.0.1:4001;\n    server 127.0.0.1:4002;\n"),
            "{text}"
        );
        assert!(!text.contains("10.0.0."), "{text}");
        assert!(text.contains("proxy_cache_path /tmp/c "), "{text}");
        assert!(text.contains("proxy_cache feedframe;"), "{text}");
        let docs = std::fs::read_to_string(DOCS_CONF).unwrap();
        assert_eq!(
            text.lines().count(),
            docs.lines().count() - 1,
            "three instances became two; nothing else came or went"
        );
        let off = site
            .without_cache()
            .render("127.0.0.1:9000".parse().unwrap(), Path::new("/tmp/c"));
        assert!(off.contains("proxy_cache off;") && !off.contains("proxy_cache feedframe;"));
        let plain = NginxSite::from_docs(&upstreams)
            .honouring_only_cache_control()
            .render("127.0.0.1:9000".parse().unwrap(), Path::new("/tmp/c"));
        assert!(!plain.contains("proxy_cache_use_stale") && !plain.contains("background_update"));
        assert!(plain.contains("proxy_cache_lock on;"), "{plain}");
    }
}
