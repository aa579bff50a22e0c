//! Serving feeds: the cache (TTL, stale-while-revalidate, last good snapshot) with its single
//! flight, when a snapshot goes stale (spread over the TTL), one upstream fetch of a feed, and its
//! assembly into the public contract.

pub(crate) mod assemble;
pub mod cache;
pub mod catalog;
pub(crate) mod fetch;
pub(crate) mod flight;
pub mod spread;
