//! The proxy's integration tests: the real HTTP server on loopback, the real SQLite file, and the
//! fake Instagram (shared/instagram) as the only fake, at the network boundary.

mod helpers;

mod alerts;
mod cdn;
mod cli;
mod conditional;
mod connect;
mod console;
mod console_client;
mod crash;
mod demo;
mod failures;
mod feed;
mod first_view;
mod instagram_login;
mod instances;
mod isolation;
mod media;
mod media_store;
mod meta;
mod metrics;
mod moderation;
mod preflight;
mod s3_server;
mod secrets;
mod soak;
mod ssrf;
mod storage;
mod tokens;
mod video;
