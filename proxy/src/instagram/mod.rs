//! Everything that speaks Instagram: the API client, the one reader of its error bodies, Instagram
//! Login, the secret type tokens are kept in, and its signed CDN URLs.

pub mod client;
pub(crate) mod errors;
pub mod login;
pub mod secret;
pub(crate) mod signed_url;
