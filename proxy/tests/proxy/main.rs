//! The proxy's integration tests: the real HTTP server on loopback, the real SQLite file, and the
//! fake Instagram (shared/instagram) as the only fake, at the network boundary.

mod helpers;

mod cli;
mod crash;
mod failures;
mod feed;
mod isolation;
mod media;
mod secrets;
mod storage;
mod tokens;
