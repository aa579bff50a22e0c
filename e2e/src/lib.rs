//! Drives a real headless Chromium through chromedriver (W3C WebDriver plus Chromium's DevTools
//! passthrough), serves host pages on their own loopback origin, and runs real nginx in front of
//! `feedframe` instances with the documented configuration. Used by the end-to-end tests, the
//! proxy's CDN tests and the benchmarks.

mod host;
mod nginx;
mod webdriver;

pub use host::HostPage;
pub use nginx::{Nginx, NginxSite};
pub use webdriver::{Browser, BrowserOptions, key};
