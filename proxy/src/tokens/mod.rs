//! A feed's token: added after Instagram accepts it, refreshed in the background long before it
//! expires.

pub mod add;
pub mod refresher;
