//! Serving feeds: the cache (TTL, stale-while-revalidate, last good snapshot) with its single
//! flight, one upstream fetch of a feed, and its assembly into the public contract.

pub(crate) mod assemble;
pub mod cache;
pub mod catalog;
pub(crate) mod fetch;
pub(crate) mod flight;
