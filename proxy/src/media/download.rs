//! Downloading one image or video from Instagram's CDN: only over https from allowed host names
//! that resolve to public addresses (every redirect hop included), only image (or video) content
//! types, never more than the byte limit (an image in memory, a video streamed to a file), and the
//! CDN's refusals told apart (API.md §6): `URL signature expired` means "fetch the media list
//! again".

use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::config::Config;
use crate::error::ProxyError;
use crate::instagram::signed_url::SignedUrl;
use crate::media::public_address::{PrivateAddress, PublicOnly, is_public};

/// The body the CDN sends with a 403 for an expired URL.
const EXPIRED_BODY: &str = "URL signature expired";
/// Redirects followed at most (each to an allowed host only).
const MAX_REDIRECTS: usize = 3;

/// An HTTP client for the CDN with FeedFrame's limits.
pub struct Downloader {
    http: reqwest::Client,
    config: Arc<Config>,
}

impl Downloader {
    pub fn new(config: Arc<Config>) -> Self {
        let allowed = Arc::clone(&config);
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            if let Err(refused) = check_hop(attempt.url(), &allowed) {
                attempt.error(refused)
            } else if attempt.previous().len() > MAX_REDIRECTS {
                attempt.stop()
            } else {
                attempt.follow()
            }
        });
        let mut builder = reqwest::Client::builder()
            .timeout(config.upstream_timeout)
            .connect_timeout(config.upstream_timeout.min(Duration::from_secs(5)))
            .redirect(redirects)
            .user_agent(concat!("FeedFrame/", env!("CARGO_PKG_VERSION")));
        if !config.media_allow_private {
            builder = builder.dns_resolver(Arc::new(PublicOnly));
        }
        let http = builder.build().expect("the TLS backend is compiled in");
        Self { http, config }
    }

    /// The image's bytes, or why not. A host outside `FEEDFRAME_MEDIA_HOSTS`, plain http, or a
    /// name that resolves to a private address is never contacted.
    pub async fn get(&self, url: &SignedUrl) -> Result<Vec<u8>, ProxyError> {
        let wanted = Wanted::image(&self.config);
        let mut response = self.open(url, &wanted).await?;
        match read_capped(&mut response, wanted.max).await {
            Ok(bytes) => Ok(bytes),
            Err(Capped::TooLarge) => Err(wanted.too_large()),
            Err(Capped::Broken(e)) => Err(unavailable(url, e)),
        }
    }

    /// Downloads a video into `file` chunk by chunk, under the same rules as images, stopping
    /// as soon as it passes `FEEDFRAME_MEDIA_VIDEO_MAX_BYTES` (what was written is then left
    /// for the caller to delete); returns the file's SHA-256 in hex.
    pub async fn get_video(
        &self,
        url: &SignedUrl,
        file: &mut tokio::fs::File,
    ) -> Result<String, ProxyError> {
        let wanted = Wanted::video(&self.config);
        let mut response = self.open(url, &wanted).await?;
        let mut hash = Sha256::new();
        let mut bytes: u64 = 0;
        while let Some(chunk) = response.chunk().await.map_err(|e| unavailable(url, e))? {
            bytes += chunk.len() as u64;
            if bytes > wanted.max {
                return Err(wanted.too_large());
            }
            hash.update(&chunk);
            file.write_all(&chunk).await.map_err(unwritable)?;
        }
        file.flush().await.map_err(unwritable)?;
        Ok(crate::codec::hex(&hash.finalize()))
    }

    /// Sends the request and checks the answer's status, type and announced length.
    async fn open(
        &self,
        url: &SignedUrl,
        wanted: &Wanted,
    ) -> Result<reqwest::Response, ProxyError> {
        check_hop(url.url(), &self.config).map_err(|r| ProxyError::MediaRefused(r.0))?;
        // `without_url`: the URL's query is a signature; logs name the host only.
        let mut response =
            self.http
                .get(url.url().clone())
                .send()
                .await
                .map_err(|e| match refusal(&e) {
                    Some(reason) => ProxyError::MediaRefused(reason),
                    None => unavailable(url, e),
                })?;
        let status = response.status();
        if status.is_redirection() {
            return Err(ProxyError::MediaRefused(format!(
                "{} redirects more than {MAX_REDIRECTS} times",
                url.host()
            )));
        }
        if status == reqwest::StatusCode::FORBIDDEN {
            let body = read_capped(&mut response, 256).await.unwrap_or_default();
            return Err(if body.trim_ascii() == EXPIRED_BODY.as_bytes() {
                ProxyError::MediaExpired
            } else {
                ProxyError::MediaRefused(format!(
                    "{} answered 403 {}",
                    url.host(),
                    String::from_utf8_lossy(&body).trim()
                ))
            });
        }
        if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Err(ProxyError::MediaUnavailable(format!(
                "{} answered HTTP {status}",
                url.host()
            )));
        }
        if !status.is_success() {
            return Err(ProxyError::MediaRefused(format!(
                "{} answered HTTP {status}",
                url.host()
            )));
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        if !content_type.starts_with(wanted.type_prefix) {
            return Err(ProxyError::MediaRefused(format!(
                "not {} (content type '{content_type}')",
                wanted.what
            )));
        }
        if response.content_length().is_some_and(|n| n > wanted.max) {
            return Err(wanted.too_large());
        }
        Ok(response)
    }
}

/// What a download accepts: the content types and the size limit, with the setting that sets it.
struct Wanted {
    /// "an image", "a video"
    what: &'static str,
    type_prefix: &'static str,
    max: u64,
    setting: &'static str,
}

impl Wanted {
    fn image(config: &Config) -> Self {
        Self {
            what: "an image",
            type_prefix: "image/",
            max: config.media_max_bytes,
            setting: "FEEDFRAME_MEDIA_MAX_BYTES",
        }
    }

    fn video(config: &Config) -> Self {
        Self {
            what: "a video",
            type_prefix: "video/",
            max: config.media_video_max_bytes,
            setting: "FEEDFRAME_MEDIA_VIDEO_MAX_BYTES",
        }
    }

    fn too_large(&self) -> ProxyError {
        ProxyError::MediaRefused(format!("larger than {} ({} bytes)", self.setting, self.max))
    }
}

/// Why a URL (the first or a redirect hop) may not be requested.
#[derive(Debug)]
struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// The rule for every hop: https, a host name in `FEEDFRAME_MEDIA_HOSTS`, never an address
/// literal that is not public. `FEEDFRAME_MEDIA_ALLOW_PRIVATE=1` allows http and private
/// addresses. (Names are checked after resolution, by [`PublicOnly`].)
fn check_hop(url: &reqwest::Url, config: &Config) -> Result<(), Refused> {
    let host = url.host_str().unwrap_or_default();
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = literal.parse::<std::net::IpAddr>()
        && !config.media_allow_private
        && !is_public(ip)
    {
        return Err(Refused(format!(
            "{host} is a loopback, private or link-local address"
        )));
    }
    if !config.media_host_allowed(host) {
        return Err(Refused(format!(
            "the host {host} is not in FEEDFRAME_MEDIA_HOSTS"
        )));
    }
    let scheme_ok =
        url.scheme() == "https" || (config.media_allow_private && url.scheme() == "http");
    if !scheme_ok {
        return Err(Refused(format!(
            "{host} was asked over {}: media is downloaded over https only",
            url.scheme()
        )));
    }
    Ok(())
}

/// The reason a request was refused before connecting (a redirect hop or a resolved address).
fn refusal(e: &reqwest::Error) -> Option<String> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(r) = err.downcast_ref::<Refused>() {
            return Some(r.0.clone());
        }
        if let Some(p) = err.downcast_ref::<PrivateAddress>() {
            return Some(p.to_string());
        }
        source = err.source();
    }
    None
}

enum Capped {
    TooLarge,
    Broken(reqwest::Error),
}

/// Reads the body chunk by chunk, giving up as soon as it passes `max` bytes.
async fn read_capped(response: &mut reqwest::Response, max: u64) -> Result<Vec<u8>, Capped> {
    let mut out = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(Capped::Broken)? {
        if (out.len() + chunk.len()) as u64 > max {
            return Err(Capped::TooLarge);
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

fn unwritable(e: std::io::Error) -> ProxyError {
    ProxyError::MediaUnavailable(format!("cannot write a downloaded video ({e})"))
}

fn unavailable(url: &SignedUrl, e: reqwest::Error) -> ProxyError {
    let e = e.without_url();
    ProxyError::MediaUnavailable(if e.is_timeout() {
        format!("{} timed out", url.host())
    } else {
        format!("cannot download from {} ({e})", url.host())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(url: &str, config: &Config) -> Result<(), String> {
        check_hop(&reqwest::Url::parse(url).unwrap(), config).map_err(|r| r.0)
    }

    #[test]
    fn every_hop_is_https_to_an_allowed_name_and_never_to_a_private_literal() {
        let config = Config::new(".".into());
        assert!(
            check(
                "https://scontent-ams2-1.cdninstagram.com/v/1.jpg?oe=1",
                &config
            )
            .is_ok()
        );
        // A redirect from https to http is this same check on the next hop.
        let err = check("http://scontent-ams2-1.cdninstagram.com/v/1.jpg", &config).unwrap_err();
        assert!(err.contains("https only"), "{err}");
        for literal in [
            "https://127.0.0.1/x.jpg",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/x.jpg",
            "https://[::ffff:127.0.0.1]/x.jpg",
            "https://0x7f000001/x.jpg",
        ] {
            let err = check(literal, &config).unwrap_err();
            assert!(err.contains("private"), "{literal}: {err}");
        }
        let err = check("https://cdninstagram.com.evil.example/x.jpg", &config).unwrap_err();
        assert!(err.contains("not in FEEDFRAME_MEDIA_HOSTS"), "{err}");

        let mut private = Config::new(".".into());
        private.media_hosts = vec!["localhost".into()];
        private.media_allow_private = true;
        assert!(check("http://localhost:9/x.jpg", &private).is_ok());
        assert!(check("https://localhost:9/x.jpg", &private).is_ok());
        private.media_allow_private = false;
        let err = check("http://localhost:9/x.jpg", &private).unwrap_err();
        assert!(err.contains("https only"), "{err}");
    }

    /// A CDN on loopback that sends `bytes` of video in chunks, without a Content-Length.
    async fn chunked_cdn(bytes: usize) -> String {
        use axum::body::Body;
        let app = axum::Router::new().fallback(move || async move {
            let chunks = (0..bytes.div_ceil(1000))
                .map(move |i| Ok::<_, std::io::Error>(vec![7u8; 1000.min(bytes - i * 1000)]));
            axum::response::Response::builder()
                .header("content-type", "video/mp4")
                .body(Body::from_stream(futures_util::stream::iter(chunks)))
                .unwrap()
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://localhost:{port}/v/clip.mp4")
    }

    #[tokio::test]
    async fn a_video_without_a_length_stops_at_the_first_byte_past_the_limit() {
        let mut config = Config::new(".".into());
        config.media_hosts = vec!["localhost".into()];
        config.media_allow_private = true;
        config.media_video_max_bytes = 4_500;
        let downloader = Downloader::new(Arc::new(config));
        let get = |url: String| {
            let downloader = &downloader;
            async move {
                let file = tempfile::tempfile().unwrap();
                let mut file = tokio::fs::File::from_std(file);
                let got = downloader
                    .get_video(&SignedUrl::parse(&url).unwrap(), &mut file)
                    .await;
                (got, file.metadata().await.unwrap().len())
            }
        };
        let (got, written) = get(chunked_cdn(4_500).await).await;
        assert_eq!(written, 4_500, "at the limit: {got:?}");
        assert_eq!(got.unwrap().len(), 64, "the SHA-256 in hex");
        let (got, written) = get(chunked_cdn(1_000_000).await).await;
        let err = got.unwrap_err().to_string();
        assert!(err.contains("FEEDFRAME_MEDIA_VIDEO_MAX_BYTES"), "{err}");
        assert!(
            written <= 4_500,
            "nothing past the limit is kept: {written}"
        );
    }
}
