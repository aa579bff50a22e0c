//! Downloading one image from Instagram's CDN: only from allowed hosts (redirects included),
//! only image content types, never more than the byte limit in memory, and the CDN's refusals
//! told apart (API.md §6): `URL signature expired` means "fetch the media list again".

use std::sync::Arc;
use std::time::Duration;

use crate::config::Config;
use crate::error::ProxyError;
use crate::signed_url::SignedUrl;

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
            let host_ok = attempt
                .url()
                .host_str()
                .is_some_and(|h| allowed.media_host_allowed(h));
            if host_ok && attempt.previous().len() <= MAX_REDIRECTS {
                attempt.follow()
            } else {
                attempt.stop()
            }
        });
        let http = reqwest::Client::builder()
            .timeout(config.upstream_timeout)
            .connect_timeout(config.upstream_timeout.min(Duration::from_secs(5)))
            .redirect(redirects)
            .user_agent(concat!("FeedFrame/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the TLS backend is compiled in");
        Self { http, config }
    }

    /// The image's bytes, or why not. A host outside `FEEDFRAME_MEDIA_HOSTS` is never contacted.
    pub async fn get(&self, url: &SignedUrl) -> Result<Vec<u8>, ProxyError> {
        if !self.config.media_host_allowed(url.host()) {
            return Err(ProxyError::MediaRefused(format!(
                "the host {} is not in FEEDFRAME_MEDIA_HOSTS",
                url.host()
            )));
        }
        let max = self.config.media_max_bytes;
        // `without_url`: the URL's query is a signature; logs name the host only.
        let mut response = self
            .http
            .get(url.url().clone())
            .send()
            .await
            .map_err(|e| unavailable(url, e))?;
        let status = response.status();
        if status.is_redirection() {
            return Err(ProxyError::MediaRefused(format!(
                "{} redirects to a host that is not allowed",
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
        if !content_type.starts_with("image/") {
            return Err(ProxyError::MediaRefused(format!(
                "not an image (content type '{content_type}')"
            )));
        }
        if response.content_length().is_some_and(|n| n > max) {
            return Err(too_large(max));
        }
        match read_capped(&mut response, max).await {
            Ok(bytes) => Ok(bytes),
            Err(Capped::TooLarge) => Err(too_large(max)),
            Err(Capped::Broken(e)) => Err(unavailable(url, e)),
        }
    }
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

fn too_large(max: u64) -> ProxyError {
    ProxyError::MediaRefused(format!(
        "larger than FEEDFRAME_MEDIA_MAX_BYTES ({max} bytes)"
    ))
}

fn unavailable(url: &SignedUrl, e: reqwest::Error) -> ProxyError {
    let e = e.without_url();
    ProxyError::MediaUnavailable(if e.is_timeout() {
        format!("{} timed out", url.host())
    } else {
        format!("cannot download from {} ({e})", url.host())
    })
}
