//! Drives a real headless Chromium through chromedriver (W3C WebDriver plus Chromium's DevTools
//! passthrough), and serves host pages on their own loopback origin. Used by the end-to-end tests
//! and the benchmarks.

mod host;
mod webdriver;

pub use host::HostPage;
pub use webdriver::{Browser, BrowserOptions, key};
