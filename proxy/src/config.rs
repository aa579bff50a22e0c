//! Runtime configuration: flags and `FEEDFRAME_*` environment variables (see the README).

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use crate::alerts::{EmailChannel, RetryPolicy, Thresholds, WebhookChannel};
use crate::instagram::secret::Secret;

/// Everything the server, the refresher and the CLI need to know.
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    /// A PostgreSQL database shared by every instance (`FEEDFRAME_DATABASE_URL=postgres://…`);
    /// `None`: the embedded SQLite file in the data dir.
    pub database_url: Option<Secret>,
    /// How long a lease on shared work (a feed's fetch, a token's refresh) lasts without renewal:
    /// how soon another instance takes over from one that died.
    pub lease: Duration,
    pub listen: SocketAddr,
    /// `https://graph.instagram.com`, without a trailing slash.
    pub graph_base: String,
    /// `v25.0`
    pub graph_version: String,
    /// Hosts media may be downloaded from (exact names or `*.suffix` patterns).
    pub media_hosts: Vec<String>,
    /// Lets media downloads use plain `http` and reach loopback and private addresses. Off
    /// unless `FEEDFRAME_MEDIA_ALLOW_PRIVATE=1` (tests, `feedframe demo`); no other setting
    /// turns it on.
    pub media_allow_private: bool,
    /// How long a fetched feed counts as live.
    pub feed_ttl: Duration,
    /// How many posts a feed holds.
    pub post_count: usize,
    /// Timeout of every upstream call.
    pub upstream_timeout: Duration,
    /// Refresh a token once it expires within this long (and is at least a day old).
    pub refresh_within: Duration,
    /// How often the refresher wakes up to look at the tokens.
    pub refresh_tick: Duration,
    /// Directory of the built widget, overriding the one compiled into the binary.
    pub widget_dir: Option<PathBuf>,
    /// The largest image file the mirror downloads, in bytes.
    pub media_max_bytes: u64,
    /// The largest video file the mirror downloads, in bytes; a larger video is shown by its
    /// thumbnail only (the feed has no `video` for it).
    pub media_video_max_bytes: u64,
    /// The most pixels (width × height) an image may declare before it is decoded.
    pub media_max_pixels: u64,
    /// How long mirrored media no feed references any more is kept (cached feed JSON may still
    /// point at it).
    pub media_grace: Duration,
    /// Disk budget of the mirrored media, in bytes; beyond it the oldest unreferenced media goes.
    pub media_budget: u64,
    /// Where mirrored media is kept: the data directory, or a bucket (`FEEDFRAME_MEDIA_STORE`).
    pub media_store: MediaStoreUrl,
    /// The bucket's settings: the standard `AWS_*` variables (region, endpoint, keys, …) as
    /// lower-case names with their values; the CLI reads them from the environment.
    pub media_store_settings: Vec<(String, Secret)>,
    /// Where browsers fetch mirrored media instead of the proxy's `/media/` (a bucket website or
    /// a CDN), without a trailing slash: the feed names `<this>/<file>`.
    pub media_public_url: Option<String>,
    /// The server's address as browsers reach it (`https://feeds.example.com`), without a
    /// trailing slash: the console's snippets name it, and https makes its cookies `Secure`.
    pub public_url: Option<String>,
    /// The Instagram app's id (Instagram business login), for connecting a feed by logging in to
    /// Instagram; unset, feeds are connected with `feedframe token add` only.
    pub ig_app_id: Option<String>,
    /// The Instagram app's secret (see [`Config::ig_app_id`]).
    pub ig_app_secret: Option<Secret>,
    /// Instagram Login's consent page, `https://www.instagram.com/oauth/authorize`.
    pub ig_authorize_url: String,
    /// Instagram Login's code exchange, `https://api.instagram.com/oauth/access_token`.
    pub ig_token_url: String,
    /// Where and when the owner hears of trouble.
    pub alerts: AlertConfig,
    /// A second listener serving only `/metrics` (Prometheus text format); `None`: no metrics.
    pub metrics_listen: Option<SocketAddr>,
}

/// The alert channels and what is worth an alert (see `crate::alerts`).
#[derive(Debug, Clone)]
pub struct AlertConfig {
    /// `FEEDFRAME_ALERT_WEBHOOK_URL` with `FEEDFRAME_ALERT_WEBHOOK_SECRET`.
    pub webhook: Option<WebhookChannel>,
    /// `FEEDFRAME_SMTP_URL` with `FEEDFRAME_ALERT_EMAIL` (and `FEEDFRAME_ALERT_EMAIL_FROM`).
    pub email: Option<EmailChannel>,
    /// How long each trouble lasts before it is worth an alert.
    pub thresholds: Thresholds,
    /// How often every feed's condition is checked.
    pub tick: Duration,
    /// Attempts, timeouts and backoff of each delivery.
    pub retry: RetryPolicy,
}

impl Default for AlertConfig {
    fn default() -> Self {
        Self {
            webhook: None,
            email: None,
            thresholds: Thresholds::default(),
            tick: Duration::from_secs(30),
            retry: RetryPolicy::default(),
        }
    }
}

impl Config {
    /// Defaults for a data dir; what `serve` uses when nothing is set.
    pub fn new(data_dir: PathBuf) -> Self {
        Self {
            data_dir,
            database_url: None,
            lease: Duration::from_secs(DEFAULT_LEASE_SECS),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            graph_base: DEFAULT_GRAPH_BASE.to_string(),
            graph_version: DEFAULT_GRAPH_VERSION.to_string(),
            media_hosts: parse_media_hosts(DEFAULT_MEDIA_HOSTS).unwrap_or_default(),
            media_allow_private: false,
            feed_ttl: Duration::from_secs(600),
            post_count: 24,
            upstream_timeout: Duration::from_secs(10),
            refresh_within: Duration::from_secs(45 * 86_400),
            refresh_tick: Duration::from_secs(300),
            widget_dir: None,
            media_max_bytes: DEFAULT_MEDIA_MAX_BYTES,
            media_video_max_bytes: DEFAULT_MEDIA_VIDEO_MAX_BYTES,
            media_max_pixels: DEFAULT_MEDIA_MAX_PIXELS,
            media_grace: Duration::from_secs(DEFAULT_MEDIA_GRACE_SECS),
            media_budget: DEFAULT_MEDIA_BUDGET_MB * MB,
            media_store: MediaStoreUrl::DataDir,
            media_store_settings: Vec::new(),
            media_public_url: None,
            public_url: None,
            ig_app_id: None,
            ig_app_secret: None,
            ig_authorize_url: DEFAULT_IG_AUTHORIZE_URL.to_string(),
            ig_token_url: DEFAULT_IG_TOKEN_URL.to_string(),
            alerts: AlertConfig::default(),
            metrics_listen: None,
        }
    }

    /// Where mirrored images live inside the data dir.
    pub fn media_dir(&self) -> PathBuf {
        self.data_dir.join("media")
    }

    /// The SQLite file inside the data dir.
    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join("feedframe.db")
    }

    /// The configured store: the PostgreSQL database if one is set, else the SQLite file.
    pub fn open_store(&self) -> Result<crate::store::Store, crate::error::ProxyError> {
        crate::store::Store::open_configured(
            self.database_url.as_ref().map(Secret::expose),
            &self.db_path(),
        )
    }

    /// Whether media may be downloaded from `host`.
    pub fn media_host_allowed(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        self.media_hosts
            .iter()
            .any(|pattern| match pattern.strip_prefix("*.") {
                Some(suffix) => host.len() > suffix.len() && host.ends_with(&format!(".{suffix}")),
                None => host == *pattern,
            })
    }
}

/// Where mirrored media is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaStoreUrl {
    /// `<data dir>/media`: the default.
    DataDir,
    /// `s3://bucket/prefix`: an S3 bucket or an S3-compatible one (MinIO, R2, …).
    S3 { bucket: String, prefix: String },
}

/// The variable naming the media store.
pub const MEDIA_STORE_ENV: &str = "FEEDFRAME_MEDIA_STORE";

/// `s3://bucket` or `s3://bucket/some/prefix`. A refusal names the variable and quotes nothing that
/// could be a credential (a URL with `user:password@` is refused without being quoted).
pub fn parse_media_store(value: &str) -> Result<MediaStoreUrl, String> {
    let value = value.trim();
    let usage = "use s3://bucket or s3://bucket/prefix (with the AWS_* variables), or leave it \
                 unset to keep media in the data directory";
    let Some(rest) = value.strip_prefix("s3://") else {
        return Err(match value.split_once("://") {
            Some((scheme, _)) if scheme.bytes().all(|b| b.is_ascii_alphanumeric()) => {
                format!("{MEDIA_STORE_ENV}: '{scheme}://' is not a supported media store; {usage}")
            }
            _ => format!("{MEDIA_STORE_ENV} is not a media store URL; {usage}"),
        });
    };
    if rest.contains(['@', '?', '#']) {
        return Err(format!(
            "{MEDIA_STORE_ENV} must name only the bucket and a prefix: the keys go in \
             AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, the server in AWS_ENDPOINT_URL"
        ));
    }
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    let bucket_ok = (3..=63).contains(&bucket.len())
        && bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && !bucket.starts_with(['.', '-'])
        && !bucket.ends_with(['.', '-']);
    if !bucket_ok {
        return Err(format!(
            "{MEDIA_STORE_ENV}: '{bucket}' is not a bucket name (3-63 of a-z, 0-9, '.' and '-'); \
             {usage}"
        ));
    }
    let prefix = prefix.trim_end_matches('/');
    let prefix_ok = prefix.is_empty()
        || (prefix
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != "..")
            && !prefix.contains(|c: char| c.is_control() || c.is_whitespace() || c == '\\'));
    if !prefix_ok {
        return Err(format!(
            "{MEDIA_STORE_ENV}: '{prefix}' is not a key prefix (path segments such as \
             feedframe/media, without empty, '.' or '..' segments)"
        ));
    }
    Ok(MediaStoreUrl::S3 {
        bucket: bucket.to_string(),
        prefix: prefix.to_string(),
    })
}

/// The standard `AWS_*` variables of the environment, for the media bucket (see
/// [`Config::media_store_settings`]).
pub fn aws_settings_from_env() -> Vec<(String, Secret)> {
    std::env::vars_os()
        .filter_map(|(key, value)| Some((key.into_string().ok()?, value.into_string().ok()?)))
        .filter(|(key, _)| key.starts_with("AWS_"))
        .map(|(key, value)| (key.to_ascii_lowercase(), Secret::new(value)))
        .collect()
}

/// A base URL media is served from (a bucket website or a CDN): http(s), a host, no query.
pub fn parse_media_public_url(value: &str) -> Result<String, String> {
    let url = parse_endpoint_url(value)?;
    if url.contains('@') {
        return Err("a public media URL carries no user name or password".into());
    }
    Ok(url.trim_end_matches('/').to_string())
}

/// The default of `FEEDFRAME_LEASE_SECS` (see [`Config::lease`]).
pub const DEFAULT_LEASE_SECS: u64 = 30;

/// `FEEDFRAME_MEDIA_ALLOW_PRIVATE=1`: see [`Config::media_allow_private`].
pub const MEDIA_ALLOW_PRIVATE_ENV: &str = "FEEDFRAME_MEDIA_ALLOW_PRIVATE";

/// Whether the environment sets `FEEDFRAME_MEDIA_ALLOW_PRIVATE=1`.
pub fn media_allow_private_from_env() -> bool {
    std::env::var(MEDIA_ALLOW_PRIVATE_ENV).is_ok_and(|v| v.trim() == "1")
}

pub const DEFAULT_GRAPH_BASE: &str = "https://graph.instagram.com";
pub const DEFAULT_GRAPH_VERSION: &str = "v25.0";
/// Instagram Login's consent page (API.md §2.5).
pub const DEFAULT_IG_AUTHORIZE_URL: &str = "https://www.instagram.com/oauth/authorize";
/// Instagram Login's code exchange (API.md §2.5).
pub const DEFAULT_IG_TOKEN_URL: &str = "https://api.instagram.com/oauth/access_token";
/// Instagram's CDN host patterns (see shared/instagram/API.md §6).
pub const DEFAULT_MEDIA_HOSTS: &str = "*.cdninstagram.com,*.fbcdn.net";

/// 15 MB: several times Instagram's largest originals.
pub const DEFAULT_MEDIA_MAX_BYTES: u64 = 15 * MB;
/// 50 MB (50,000,000 bytes): a minute and a half of Instagram's 720p video, which most reels fit.
pub const DEFAULT_MEDIA_VIDEO_MAX_BYTES: u64 = 50 * MB;
/// 40 megapixels: far above Instagram's 1440 × 1800 maximum, far below a decompression bomb.
pub const DEFAULT_MEDIA_MAX_PIXELS: u64 = 40_000_000;
/// 7 days.
pub const DEFAULT_MEDIA_GRACE_SECS: u64 = 7 * 86_400;
/// 1 GB.
pub const DEFAULT_MEDIA_BUDGET_MB: u64 = 1024;
/// One megabyte, as the byte limits count it.
pub const MB: u64 = 1_000_000;

/// This server's public address, `http(s)://host[:port][/path]`: an endpoint URL, stored
/// without a trailing slash.
pub fn parse_public_url(value: &str) -> Result<String, String> {
    parse_endpoint_url(value).map(|url| url.trim_end_matches('/').to_string())
}

/// Whole seconds, zero allowed.
pub fn parse_seconds_or_zero(value: &str) -> Result<Duration, String> {
    value
        .trim()
        .parse::<u64>()
        .map(Duration::from_secs)
        .map_err(|_| format!("'{value}' is not a number of seconds"))
}

/// A positive whole number.
pub fn parse_positive(value: &str) -> Result<u64, String> {
    match value.trim().parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("'{value}' is not a positive whole number")),
    }
}

/// `https://graph.instagram.com` or `http://127.0.0.1:1234`, without a trailing slash.
pub fn parse_graph_base(value: &str) -> Result<String, String> {
    let trimmed = value.trim().trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .ok_or_else(|| {
            format!("'{value}' is not an http(s) URL, e.g. https://graph.instagram.com")
        })?;
    if rest.is_empty() || rest.contains(['/', '?', '#', ' ']) {
        return Err(format!(
            "'{value}' must be a bare origin such as https://graph.instagram.com"
        ));
    }
    Ok(trimmed.to_string())
}

/// An endpoint URL such as `https://api.instagram.com/oauth/access_token`: http(s), a host, no
/// query or fragment (FeedFrame adds the query).
pub fn parse_endpoint_url(value: &str) -> Result<String, String> {
    let trimmed = value.trim();
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .ok_or_else(|| format!("'{value}' is not an http(s) URL, e.g. {DEFAULT_IG_TOKEN_URL}"))?;
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() || trimmed.contains(['?', '#', ' ']) {
        return Err(format!(
            "'{value}' must be a URL with a host and without a query, e.g. {DEFAULT_IG_TOKEN_URL}"
        ));
    }
    Ok(trimmed.to_string())
}

/// An Instagram app id: the digits shown under the app's Instagram business login settings.
pub fn parse_ig_app_id(value: &str) -> Result<String, String> {
    let value = value.trim();
    if value.is_empty() || value.len() > 32 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "'{value}' is not an Instagram app id (digits only; use the Instagram app id from the \
             app's \"API setup with Instagram business login\", not the Facebook app id)"
        ));
    }
    Ok(value.to_string())
}

/// An Instagram app secret. The message of a refusal never quotes the value.
pub fn parse_ig_app_secret(value: &str) -> Result<Secret, String> {
    let value = value.trim();
    if value.is_empty() || value.contains(char::is_whitespace) {
        return Err("the Instagram app secret is empty or contains spaces".into());
    }
    Ok(Secret::new(value))
}

/// `v25.0`
pub fn parse_graph_version(value: &str) -> Result<String, String> {
    let ok = value
        .strip_prefix('v')
        .and_then(|v| v.split_once('.'))
        .is_some_and(|(major, minor)| {
            !major.is_empty()
                && !minor.is_empty()
                && major.bytes().all(|b| b.is_ascii_digit())
                && minor.bytes().all(|b| b.is_ascii_digit())
        });
    if ok {
        Ok(value.to_string())
    } else {
        Err(format!(
            "'{value}' is not a Graph API version such as v25.0"
        ))
    }
}

/// Comma-separated host names or `*.suffix` patterns. IP addresses, bare suffixes (`*.com`) and
/// other wildcards are refused: addresses are checked after each name is resolved instead.
pub fn parse_media_hosts(value: &str) -> Result<Vec<String>, String> {
    let hosts: Vec<String> = value
        .split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect();
    if hosts.is_empty() {
        return Err("the list of media hosts is empty".into());
    }
    for host in &hosts {
        check_media_host(host)?;
    }
    Ok(hosts)
}

fn check_media_host(pattern: &str) -> Result<(), String> {
    let (name, wildcard) = match pattern.strip_prefix("*.") {
        Some(suffix) => (suffix, true),
        None => (pattern, false),
    };
    let labels: Vec<&str> = name.split('.').collect();
    // The last label of a name is never numeric; `127.1`, `0x7f000001` or `[::1]` are addresses.
    let last = labels.last().copied().unwrap_or_default();
    let numeric =
        !last.is_empty() && (last.bytes().all(|b| b.is_ascii_digit()) || last.starts_with("0x"));
    if numeric || name.trim_matches(['[', ']']).parse::<IpAddr>().is_ok() {
        return Err(format!(
            "'{pattern}' is an IP address: list host names such as *.cdninstagram.com (the \
             addresses they resolve to are checked on every download)"
        ));
    }
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if !labels.iter().all(label_ok) {
        return Err(format!(
            "'{pattern}' is not a host name or a *.suffix pattern such as *.cdninstagram.com"
        ));
    }
    if wildcard && labels.len() < 2 {
        return Err(format!(
            "'{pattern}' would allow every host under .{name}: a *.suffix pattern needs a \
             domain, such as *.cdninstagram.com"
        ));
    }
    Ok(())
}

/// Whole seconds, at least 1.
pub fn parse_seconds(value: &str) -> Result<Duration, String> {
    match value.trim().parse::<u64>() {
        Ok(secs) if secs > 0 => Ok(Duration::from_secs(secs)),
        _ => Err(format!("'{value}' is not a positive number of seconds")),
    }
}

/// A feed name: 1-64 of `a-z 0-9 - _`.
/// The feed-name rule of `feed/`, as a clap value parser.
pub fn parse_feed_name(value: &str) -> Result<String, String> {
    feedframe_feed::parse_feed_name(value).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_hosts_match_exact_names_and_suffix_patterns() {
        let mut c = Config::new(PathBuf::from("."));
        assert!(c.media_host_allowed("scontent-ams2-1.cdninstagram.com"));
        assert!(c.media_host_allowed("scontent.fccu25-1.fna.fbcdn.net"));
        assert!(!c.media_host_allowed("cdninstagram.com.evil.example"));
        assert!(!c.media_host_allowed("evilcdninstagram.com"));
        c.media_hosts = parse_media_hosts("localhost").unwrap();
        assert!(c.media_host_allowed("localhost"));
        assert!(!c.media_host_allowed("127.0.0.1"));
    }

    #[test]
    fn media_host_patterns_are_names_never_addresses_or_bare_suffixes() {
        for (bad, why) in [
            ("127.0.0.1", "is an IP address"),
            ("169.254.169.254", "is an IP address"),
            ("[::1]", "is an IP address"),
            ("::ffff:127.0.0.1", "is an IP address"),
            ("2130706433", "is an IP address"),
            ("0x7f.1", "is an IP address"),
            ("*.com", "needs a domain"),
            ("*", "is not a host name"),
            ("*.*.example.com", "is not a host name"),
            ("cdn*.example.com", "is not a host name"),
            (".cdninstagram.com", "is not a host name"),
            ("cdninstagram.com.", "is not a host name"),
            ("-x.example.com", "is not a host name"),
        ] {
            let err = parse_media_hosts(&format!("*.cdninstagram.com,{bad}")).unwrap_err();
            assert!(err.contains(why) && err.contains(bad), "{bad}: {err}");
        }
        assert_eq!(
            parse_media_hosts(" *.CDNinstagram.com , scontent.xx.fbcdn.net,localhost").unwrap(),
            ["*.cdninstagram.com", "scontent.xx.fbcdn.net", "localhost"]
        );
    }

    #[test]
    fn bad_values_are_explained() {
        assert!(parse_graph_base("ftp://x").unwrap_err().contains("http"));
        assert_eq!(
            parse_graph_base("http://127.0.0.1:9/").unwrap(),
            "http://127.0.0.1:9"
        );
        assert!(parse_graph_version("25").is_err());
        assert!(parse_graph_version("v25.0").is_ok());
        assert!(parse_seconds("0").is_err());
        assert!(parse_seconds("ten").is_err());
        assert!(parse_media_hosts(" , ").is_err());
        assert!(parse_media_hosts("a b").is_err());
        assert!(parse_feed_name("Main").is_err());
        assert!(parse_feed_name("main-2").is_ok());
        assert!(parse_endpoint_url("ftp://x").unwrap_err().contains("http"));
        assert!(parse_endpoint_url("https://x/oauth?a=1").is_err());
        assert!(parse_endpoint_url("https:///oauth").is_err());
        assert_eq!(
            parse_endpoint_url(DEFAULT_IG_AUTHORIZE_URL).unwrap(),
            DEFAULT_IG_AUTHORIZE_URL
        );
        assert!(parse_ig_app_id("12ab").is_err());
        assert_eq!(
            parse_ig_app_id(" 990602627938098 ").unwrap(),
            "990602627938098"
        );
    }

    #[test]
    fn media_store_urls_name_an_s3_bucket_and_a_prefix_and_refusals_name_the_variable() {
        assert_eq!(
            parse_media_store(" s3://feed-media/prod/images/ ").unwrap(),
            MediaStoreUrl::S3 {
                bucket: "feed-media".into(),
                prefix: "prod/images".into()
            }
        );
        assert_eq!(
            parse_media_store("s3://feed-media").unwrap(),
            MediaStoreUrl::S3 {
                bucket: "feed-media".into(),
                prefix: String::new()
            }
        );
        for bad in [
            "gs://bucket/x",
            "/srv/media",
            "s3://",
            "s3://Bad_Bucket/x",
            "s3://bucket//x",
            "s3://bucket/../x",
            "s3://bucket/x?region=eu",
        ] {
            let err = parse_media_store(bad).unwrap_err();
            assert!(err.contains(MEDIA_STORE_ENV), "{bad}: {err}");
        }
        let err = parse_media_store("s3://AKIAKEY:hunter2secret@bucket/x").unwrap_err();
        assert!(
            !err.contains("hunter2secret") && !err.contains("AKIAKEY"),
            "{err}"
        );
        assert_eq!(
            parse_media_public_url("https://cdn.example.com/feeds/").unwrap(),
            "https://cdn.example.com/feeds"
        );
        assert!(parse_media_public_url("cdn.example.com").is_err());
    }

    #[test]
    fn a_refused_app_secret_is_not_quoted() {
        let err = parse_ig_app_secret("abc def").unwrap_err();
        assert!(!err.contains("abc"), "{err}");
        assert_eq!(parse_ig_app_secret(" s3cret ").unwrap().expose(), "s3cret");
    }
}
