//! End-to-end: the real `feedframe` serving the real widget to a host page on another origin,
//! in a real headless Chromium, with the fake Instagram as the only fake.

mod env;

mod console;
mod embed;
mod first_paint;
mod fragment_failure;
mod gallery;
mod hydration;
mod iframe;
mod layouts;
mod moderation;
mod review;
mod states;
