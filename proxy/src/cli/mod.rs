//! The `feedframe` command line: `serve`, `token add|status|refresh|remove`,
//! `admin set-password`, `demo`.

#[cfg(feature = "demo")]
mod demo;

use std::io::{BufRead, IsTerminal};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::alerts::{EmailChannel, WebhookChannel};
use crate::clock;
use crate::config::{self, AlertConfig, Config};
use crate::error::ProxyError;
use crate::instagram::client::Graph;
use crate::instagram::secret::Secret;
use crate::store::{Store, TokenRecord, TokenState};

#[derive(Parser)]
#[command(
    name = "feedframe",
    version,
    about = "FeedFrame: a self-hosted Instagram feed proxy and widget"
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct Global {
    /// Where the SQLite database lives.
    #[arg(
        long,
        global = true,
        env = "FEEDFRAME_DATA_DIR",
        default_value = "./feedframe-data"
    )]
    data_dir: PathBuf,
    /// Instagram Graph API origin.
    #[arg(long, global = true, env = "FEEDFRAME_GRAPH_BASE", default_value = config::DEFAULT_GRAPH_BASE, value_parser = config::parse_graph_base)]
    graph_base: String,
    /// Graph API version used in request paths.
    #[arg(long, global = true, env = "FEEDFRAME_GRAPH_VERSION", default_value = config::DEFAULT_GRAPH_VERSION, value_parser = config::parse_graph_version)]
    graph_version: String,
    /// Comma-separated hosts (or *.suffix patterns) media may be downloaded from.
    #[arg(long, global = true, env = "FEEDFRAME_MEDIA_HOSTS", default_value = config::DEFAULT_MEDIA_HOSTS, value_parser = parse_hosts)]
    media_hosts: Hosts,
    /// Seconds a fetched feed counts as live.
    #[arg(long, global = true, env = "FEEDFRAME_FEED_TTL", default_value = "600", value_parser = config::parse_seconds)]
    feed_ttl: Duration,
    /// Posts per feed (1-100).
    #[arg(long, global = true, env = "FEEDFRAME_POST_COUNT", default_value_t = 24, value_parser = clap::value_parser!(u16).range(1..=100))]
    post_count: u16,
    /// Refresh tokens that expire within this many days (and are at least a day old).
    #[arg(long, global = true, env = "FEEDFRAME_REFRESH_WITHIN_DAYS", default_value_t = 45, value_parser = clap::value_parser!(u16).range(1..=59))]
    refresh_within_days: u16,
    /// Seconds between the refresher's looks at the tokens.
    #[arg(long, global = true, env = "FEEDFRAME_REFRESH_TICK", default_value = "300", value_parser = config::parse_seconds)]
    refresh_tick: Duration,
    /// Seconds before any call to Instagram times out.
    #[arg(long, global = true, env = "FEEDFRAME_UPSTREAM_TIMEOUT", default_value = "10", value_parser = config::parse_seconds)]
    upstream_timeout: Duration,
    /// Serve the widget from this directory instead of the copy built into the binary.
    #[arg(long, global = true, env = "FEEDFRAME_WIDGET_DIR")]
    widget_dir: Option<PathBuf>,
    /// The largest image (bytes) mirrored from Instagram's CDN; larger ones are refused.
    #[arg(long, global = true, env = "FEEDFRAME_MEDIA_MAX_BYTES", default_value_t = config::DEFAULT_MEDIA_MAX_BYTES, value_parser = config::parse_positive)]
    media_max_bytes: u64,
    /// The largest video (bytes) mirrored from Instagram's CDN; a larger one shows its thumbnail
    /// and a link to Instagram.
    #[arg(long, global = true, env = "FEEDFRAME_MEDIA_VIDEO_MAX_BYTES", default_value_t = config::DEFAULT_MEDIA_VIDEO_MAX_BYTES, value_parser = config::parse_positive)]
    media_video_max_bytes: u64,
    /// The most pixels (width × height) a mirrored image may have; more is refused undecoded.
    #[arg(long, global = true, env = "FEEDFRAME_MEDIA_MAX_PIXELS", default_value_t = config::DEFAULT_MEDIA_MAX_PIXELS, value_parser = config::parse_positive)]
    media_max_pixels: u64,
    /// Seconds mirrored images stay on disk after no feed references them any more.
    #[arg(long, global = true, env = "FEEDFRAME_MEDIA_GRACE", default_value = "604800", value_parser = config::parse_seconds_or_zero)]
    media_grace: Duration,
    /// Disk budget of the mirrored images in MB; beyond it the oldest unreferenced ones go.
    #[arg(long, global = true, env = "FEEDFRAME_MEDIA_BUDGET_MB", default_value_t = config::DEFAULT_MEDIA_BUDGET_MB, value_parser = config::parse_positive)]
    media_budget_mb: u64,
    /// Keep mirrored images in this S3 bucket (s3://bucket/prefix), configured by the standard
    /// AWS_* variables, instead of the data directory. Checked by `config()`, which never quotes it.
    #[arg(long, global = true, env = config::MEDIA_STORE_ENV, hide_env_values = true)]
    media_store: Option<String>,
    /// Feeds name mirrored images under this base (a bucket website or a CDN) instead of the
    /// proxy's /media/.
    #[arg(long, global = true, env = "FEEDFRAME_MEDIA_PUBLIC_URL", value_parser = config::parse_media_public_url)]
    media_public_url: Option<String>,
    /// This server's address as browsers reach it (https://feeds.example.com): the console's
    /// snippets name it, and with https the console's cookies are Secure.
    #[arg(long, global = true, env = "FEEDFRAME_PUBLIC_URL", value_parser = config::parse_public_url)]
    public_url: Option<String>,
    /// Instagram app id (Instagram business login), to connect feeds by logging in to Instagram.
    #[arg(long, global = true, env = "FEEDFRAME_IG_APP_ID", value_parser = config::parse_ig_app_id)]
    ig_app_id: Option<String>,
    /// Instagram app secret; prefer the environment variable (a flag shows in the process list).
    #[arg(long, global = true, env = "FEEDFRAME_IG_APP_SECRET", hide_env_values = true, value_parser = config::parse_ig_app_secret)]
    ig_app_secret: Option<Secret>,
    /// Instagram Login's consent page.
    #[arg(long, global = true, env = "FEEDFRAME_IG_AUTHORIZE_URL", default_value = config::DEFAULT_IG_AUTHORIZE_URL, value_parser = config::parse_endpoint_url)]
    ig_authorize_url: String,
    /// Instagram Login's code exchange.
    #[arg(long, global = true, env = "FEEDFRAME_IG_TOKEN_URL", default_value = config::DEFAULT_IG_TOKEN_URL, value_parser = config::parse_endpoint_url)]
    ig_token_url: String,
    /// Alerts (dead or expiring tokens, stale feeds, long rate limits) are POSTed to this URL,
    /// signed as Standard Webhooks specifies. Only its host is ever logged.
    #[arg(long, global = true, env = "FEEDFRAME_ALERT_WEBHOOK_URL", hide_env_values = true, value_parser = secret)]
    alert_webhook_url: Option<Secret>,
    /// The webhook's signing secret, `whsec_` and base64 (Standard Webhooks).
    #[arg(long, global = true, env = "FEEDFRAME_ALERT_WEBHOOK_SECRET", hide_env_values = true, value_parser = secret)]
    alert_webhook_secret: Option<Secret>,
    /// Alerts are also e-mailed through this SMTP server: smtp://user:password@host:port, or
    /// smtps://… for TLS from the start.
    #[arg(long, global = true, env = "FEEDFRAME_SMTP_URL", hide_env_values = true, value_parser = secret)]
    smtp_url: Option<Secret>,
    /// Who gets the alert e-mails (comma-separated addresses).
    #[arg(long, global = true, env = "FEEDFRAME_ALERT_EMAIL")]
    alert_email: Option<String>,
    /// The alert e-mails' sender (default: feedframe@ the SMTP server's host).
    #[arg(long, global = true, env = "FEEDFRAME_ALERT_EMAIL_FROM")]
    alert_email_from: Option<String>,
    /// Serve Prometheus metrics at /metrics on this second address (e.g. 127.0.0.1:9090), never
    /// on the public one. Unset: no metrics.
    #[arg(long, global = true, env = "FEEDFRAME_METRICS_LISTEN")]
    metrics_listen: Option<SocketAddr>,
    /// Keep the data in this PostgreSQL database (postgres://user:password@host:port/dbname),
    /// shared by every instance, instead of the SQLite file in the data dir.
    #[arg(long, global = true, env = "FEEDFRAME_DATABASE_URL", hide_env_values = true, value_parser = secret)]
    database_url: Option<Secret>,
    /// Seconds a lease on shared work (a feed's fetch, a token's refresh) lasts unless renewed:
    /// another instance takes over from one that died within this time.
    #[arg(long, global = true, env = "FEEDFRAME_LEASE_SECS", default_value_t = config::DEFAULT_LEASE_SECS, value_parser = clap::value_parser!(u64).range(2..=3600))]
    lease_secs: u64,
}

/// A secret setting, checked later by code that never quotes it (clap's errors would).
fn secret(value: &str) -> Result<Secret, String> {
    Ok(Secret::new(value))
}

#[derive(Subcommand)]
enum Command {
    /// Serve feeds and the widget, and refresh tokens in the background.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "FEEDFRAME_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
    },
    /// Manage a feed's Instagram access token.
    #[command(subcommand)]
    Token(TokenCommand),
    /// The owner's console at /admin.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Run a complete demo with a built-in fake Instagram: no account needed.
    Demo {
        /// Address to listen on.
        #[arg(long, env = "FEEDFRAME_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Check a long-lived Instagram Login token against Instagram and store it for FEED.
    Add {
        #[arg(value_parser = config::parse_feed_name)]
        feed: String,
        /// The token (IGAA…). Also read from FEEDFRAME_TOKEN, or from standard input if absent.
        #[arg(long, env = "FEEDFRAME_TOKEN", hide_env_values = true)]
        token: Option<String>,
        /// Seconds until the token expires, if known (otherwise learned at the first refresh).
        #[arg(long, value_parser = clap::value_parser!(i64).range(1..=5_184_000))]
        expires_in: Option<i64>,
        /// Only these origins may read the feed (repeatable; default: any origin).
        #[arg(long = "allow-origin")]
        allow_origin: Vec<String>,
    },
    /// Show each token's state, expiry, age, last refresh and last error.
    Status {
        #[arg(value_parser = config::parse_feed_name)]
        feed: Option<String>,
    },
    /// Refresh FEED's token now.
    Refresh {
        #[arg(value_parser = config::parse_feed_name)]
        feed: String,
    },
    /// Delete FEED's token, snapshot and history.
    Remove {
        #[arg(value_parser = config::parse_feed_name)]
        feed: String,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Set the console's password, read from standard input (signs every session out).
    SetPassword,
    /// Print a single-use link (valid 7 days) that lets someone connect their Instagram account
    /// to FEED, and nothing else. Needs FEEDFRAME_PUBLIC_URL.
    Invite {
        #[arg(value_parser = config::parse_feed_name)]
        feed: String,
    },
}

/// One value holding the whole comma-separated list (clap would treat a `Vec` as repeated flags).
#[derive(Clone)]
struct Hosts(Vec<String>);

fn parse_hosts(value: &str) -> Result<Hosts, String> {
    config::parse_media_hosts(value).map(Hosts)
}

impl Global {
    fn config(&self) -> Result<Config, Failure> {
        let media_store = match self.media_store.as_deref().map(str::trim) {
            None | Some("") => config::MediaStoreUrl::DataDir,
            Some(url) => config::parse_media_store(url).map_err(Failure::Usage)?,
        };
        let media_store_settings = match media_store {
            config::MediaStoreUrl::DataDir => Vec::new(),
            config::MediaStoreUrl::S3 { .. } => config::aws_settings_from_env(),
        };
        Ok(Config {
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            lease: Duration::from_secs(self.lease_secs),
            graph_base: self.graph_base.clone(),
            graph_version: self.graph_version.clone(),
            media_hosts: self.media_hosts.0.clone(),
            media_allow_private: config::media_allow_private_from_env(),
            feed_ttl: self.feed_ttl,
            post_count: usize::from(self.post_count),
            refresh_within: Duration::from_secs(u64::from(self.refresh_within_days) * 86_400),
            refresh_tick: self.refresh_tick,
            upstream_timeout: self.upstream_timeout,
            widget_dir: self.widget_dir.clone(),
            media_max_bytes: self.media_max_bytes,
            media_video_max_bytes: self.media_video_max_bytes,
            media_max_pixels: self.media_max_pixels,
            media_grace: self.media_grace,
            media_budget: self.media_budget_mb.saturating_mul(config::MB),
            media_store,
            media_store_settings,
            media_public_url: self.media_public_url.clone(),
            public_url: self.public_url.clone(),
            ig_app_id: self.ig_app_id.clone(),
            ig_app_secret: self.ig_app_secret.clone(),
            ig_authorize_url: self.ig_authorize_url.clone(),
            ig_token_url: self.ig_token_url.clone(),
            alerts: self.alert_config().map_err(Failure::Usage)?,
            metrics_listen: self.metrics_listen,
            ..Config::new(self.data_dir.clone())
        })
    }

    /// The alert channels, checked: a malformed URL or secret is an error, not a silent no-op.
    fn alert_config(&self) -> Result<AlertConfig, String> {
        let webhook = match (&self.alert_webhook_url, &self.alert_webhook_secret) {
            (None, None) => None,
            (Some(url), Some(secret)) => Some(WebhookChannel::new(url.expose(), secret.expose())?),
            (Some(_), None) => {
                return Err("FEEDFRAME_ALERT_WEBHOOK_URL is set without \
                     FEEDFRAME_ALERT_WEBHOOK_SECRET: alerts are signed (whsec_…)"
                    .into());
            }
            (None, Some(_)) => {
                return Err(
                    "FEEDFRAME_ALERT_WEBHOOK_SECRET is set without FEEDFRAME_ALERT_WEBHOOK_URL"
                        .into(),
                );
            }
        };
        let email = match (&self.smtp_url, &self.alert_email) {
            (None, None) => None,
            (Some(url), Some(to)) => Some(EmailChannel::new(
                url.expose(),
                to,
                self.alert_email_from.as_deref(),
            )?),
            (Some(_), None) => {
                return Err(
                    "FEEDFRAME_SMTP_URL is set without FEEDFRAME_ALERT_EMAIL (the recipients)"
                        .into(),
                );
            }
            (None, Some(_)) => {
                return Err("FEEDFRAME_ALERT_EMAIL is set without FEEDFRAME_SMTP_URL".into());
            }
        };
        Ok(AlertConfig {
            webhook,
            email,
            ..AlertConfig::default()
        })
    }
}

/// Exit codes: 0 success, 1 the operation failed, 2 bad usage or values (as clap does).
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Failed(message)) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

enum Failure {
    Usage(String),
    Failed(String),
}

impl From<ProxyError> for Failure {
    fn from(e: ProxyError) -> Self {
        match e {
            ProxyError::FeedNotFound(_) | ProxyError::NoToken(_) | ProxyError::Invalid(_) => {
                Self::Usage(e.to_string())
            }
            other => Self::Failed(other.to_string()),
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("FEEDFRAME_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let mut config = cli.global.config()?;
    match cli.command {
        Command::Serve { listen } => {
            config.listen = listen;
            let app = crate::server::app::start(config, None).await?;
            println!("FeedFrame is serving on {}", app.url());
            crate::server::app::shutdown_signal().await;
            tracing::info!("shutting down");
            app.stop().await;
            Ok(())
        }
        Command::Demo { listen } => {
            config.listen = listen;
            demo(config).await
        }
        Command::Token(cmd) => token(cmd, &config).await,
        Command::Admin(AdminCommand::SetPassword) => set_password(&config),
        Command::Admin(AdminCommand::Invite { feed }) => invite(&config, &feed),
    }
}

#[cfg(feature = "demo")]
async fn demo(config: Config) -> Result<(), Failure> {
    crate::cli::demo::run(config).await.map_err(Failure::from)
}

#[cfg(not(feature = "demo"))]
async fn demo(_config: Config) -> Result<(), Failure> {
    Err(Failure::Failed(
        "this feedframe was built without the demo (cargo feature `demo`, on by default): \
         run `./x demo`, or build with `cargo build -p feedframe` and default features"
            .into(),
    ))
}

async fn token(cmd: TokenCommand, config: &Config) -> Result<(), Failure> {
    let store = std::sync::Arc::new(config.open_store()?);
    match cmd {
        TokenCommand::Add {
            feed,
            token,
            expires_in,
            allow_origin,
        } => {
            let token = match token {
                Some(t) => t,
                None => read_token_from_stdin()?,
            };
            let token = Secret::new(token.trim());
            if token.expose().is_empty() {
                return Err(Failure::Usage("the token is empty".into()));
            }
            for origin in &allow_origin {
                if !(origin.starts_with("https://") || origin.starts_with("http://"))
                    || origin.ends_with('/')
                {
                    return Err(Failure::Usage(format!(
                        "'{origin}' is not an origin such as https://www.example.com"
                    )));
                }
            }
            let graph = Graph::new(config);
            let expires_at = expires_in.map(|s| clock::now() + s);
            let me = crate::tokens::add::add_checked(
                &graph,
                &store,
                &feed,
                &token,
                expires_at,
                &allow_origin,
            )
            .await
            .map_err(|e| match e {
                ProxyError::Instagram(e) => Failure::Failed(format!(
                    "Instagram refused the token, nothing was stored: {e}"
                )),
                other => other.into(),
            })?;
            println!(
                "Stored the token for @{} as feed '{feed}'. Serve it with `feedframe serve`; the feed is at /v1/feeds/{feed}.",
                me.username
            );
            Ok(())
        }
        TokenCommand::Status { feed } => {
            let tokens = match &feed {
                Some(f) => vec![
                    store
                        .token(f)?
                        .ok_or_else(|| ProxyError::FeedNotFound(f.clone()))?,
                ],
                None => store.tokens()?,
            };
            if tokens.is_empty() {
                println!("No feeds yet. Add one with `feedframe token add FEED --token …`.");
            }
            for t in &tokens {
                print!("{}", status_report(t, &store, config, clock::now()));
            }
            Ok(())
        }
        TokenCommand::Refresh { feed } => {
            let graph = Graph::new(config);
            match crate::tokens::refresher::refresh(&store, &graph, &feed, config.lease).await? {
                crate::tokens::refresher::Refreshed::Renewed { expires_at } => {
                    println!(
                        "Refreshed the token of '{feed}'; it now expires {}.",
                        clock::human(expires_at)
                    );
                }
                crate::tokens::refresher::Refreshed::Superseded => {
                    println!(
                        "The token of '{feed}' was replaced while refreshing; the newer one is kept."
                    );
                }
                crate::tokens::refresher::Refreshed::InProgress => {
                    println!(
                        "Another feedframe instance is refreshing the token of '{feed}' right now; \
                         see `feedframe token status {feed}` in a minute."
                    );
                }
            }
            Ok(())
        }
        TokenCommand::Remove { feed } => {
            if store.remove_feed(&feed)? {
                println!("Removed feed '{feed}': its token, cached posts and history are deleted.");
                Ok(())
            } else {
                Err(ProxyError::FeedNotFound(feed).into())
            }
        }
    }
}

fn read_token_from_stdin() -> Result<String, Failure> {
    read_line("Paste the access token and press Enter:", "the token")
}

/// One line of standard input, prompting on a terminal (where it is echoed: paste, or pipe it).
fn read_line(prompt: &str, what: &str) -> Result<String, Failure> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!("{prompt}");
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::Failed(format!("cannot read {what} from standard input: {e}")))?;
    Ok(line)
}

/// `feedframe admin invite FEED`: prints a new invitation link.
fn invite(config: &Config, feed: &str) -> Result<(), Failure> {
    let Some(public_url) = config.public_url.as_deref() else {
        return Err(Failure::Usage(
            "invitation links point at this server's public address: set FEEDFRAME_PUBLIC_URL (or --public-url)".into(),
        ));
    };
    let store = config.open_store()?;
    let link = crate::console::invites::create(&store, feed, public_url)?;
    println!("{link}");
    eprintln!(
        "Send this link to the account's owner: it connects their Instagram account to feed '{feed}', once, within 7 days."
    );
    Ok(())
}

/// `feedframe admin set-password`: stores the Argon2id hash of the password read from stdin.
fn set_password(config: &Config) -> Result<(), Failure> {
    let line = read_line(
        "Type the new console password and press Enter:",
        "the password",
    )?;
    let password = line.trim_end_matches(['\r', '\n']);
    let hash = crate::console::password::hash(password)
        .map_err(|e| Failure::Usage(format!("{e}; nothing was changed")))?;
    let store = config.open_store()?;
    store.set_admin_password(&hash, clock::now())?;
    println!(
        "The console password is set; every console session was signed out. Sign in at /admin on `feedframe serve`."
    );
    Ok(())
}

/// A token's state in plain words.
fn status_report(t: &TokenRecord, store: &Store, config: &Config, now: i64) -> String {
    let expiry = match t.expires_at {
        Some(exp) if exp > now => format!("{} (in {})", clock::human(exp), clock::span(exp - now)),
        Some(exp) => format!(
            "{} ({} ago: EXPIRED)",
            clock::human(exp),
            clock::span(now - exp)
        ),
        None => "unknown until the first refresh (Instagram tokens live 60 days)".to_string(),
    };
    let refreshed = t.refreshed_at.map_or_else(
        || "never".to_string(),
        |at| format!("{} ({} ago)", clock::human(at), clock::span(now - at)),
    );
    let state = match t.state {
        TokenState::Active => "active".to_string(),
        TokenState::Expired => {
            "EXPIRED: visitors see the last good feed; add a new token".to_string()
        }
        TokenState::Revoked => {
            "REVOKED: visitors see the last good feed; add a new token".to_string()
        }
    };
    let next = if t.state != TokenState::Active {
        "none (the token is dead)".to_string()
    } else {
        let earliest = t.issued_at + crate::tokens::refresher::MIN_AGE;
        let by_window = t
            .expires_at
            .map(|e| e - config.refresh_within.as_secs() as i64);
        let at = by_window.map_or(earliest, |w| w.max(earliest)).max(now);
        if at <= now {
            "due now".to_string()
        } else {
            clock::human(at)
        }
    };
    let last_error = t.last_error.clone().unwrap_or_else(|| "none".to_string());
    let fetched = match store.snapshot(&t.feed) {
        Ok(Some((_, at))) => format!("{} ({} ago)", clock::human(at), clock::span(now - at)),
        _ => "never".to_string(),
    };
    let recent_problem = store
        .events(&t.feed, 1)
        .ok()
        .and_then(|e| e.into_iter().next())
        .filter(|e| {
            !matches!(
                e.kind.as_str(),
                "fetched" | "token_added" | "token_refreshed"
            )
        })
        .map(|e| format!("  last problem:  {} ({})\n", e.detail, clock::human(e.at)))
        .unwrap_or_default();
    format!(
        "{feed}  @{user}\n  state:         {state}\n  expires:       {expiry}\n  age:           {age} (issued {issued})\n  last refresh:  {refreshed}\n  next refresh:  {next}\n  last error:    {last_error}\n  last fetch:    {fetched}\n{recent_problem}",
        feed = t.feed,
        user = t.username,
        age = clock::span(now - t.issued_at),
        issued = clock::human(t.issued_at),
    )
}
