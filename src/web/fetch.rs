//! Getting the feed JSON with gloo-net and decoding it with serde-wasm-bindgen into `feed`'s own
//! types.

use feedframe_feed::{ApiErrorBody, FEED_VERSION, Feed};
use gloo_net::http::Request;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestCache, RequestCredentials};

use crate::Fetched;

/// `GET url`, decoded. `fresh` bypasses the HTTP cache (after a broken image the cached feed
/// would hold the same dead URLs).
pub(crate) async fn get(url: &str, fresh: bool) -> Fetched {
    let mut request = Request::get(url).credentials(RequestCredentials::Omit);
    if fresh {
        request = request.cache(RequestCache::NoCache);
    }
    let response = match request.send().await {
        Ok(r) => web_sys::Response::from(r),
        Err(e) => return Fetched::Unreachable(e.to_string()),
    };
    // The browser parses the JSON; serde-wasm-bindgen reads the parsed value.
    let body = match response.json() {
        Ok(promise) => JsFuture::from(promise).await.ok(),
        Err(_) => None,
    };
    decode(response.status(), body)
}

/// Classifies a response by status and decodes its body.
pub(crate) fn decode(status: u16, body: Option<JsValue>) -> Fetched {
    match (status, body) {
        (200, Some(body)) => decode_json(body),
        (200, None) => Fetched::Undecodable("not JSON".into()),
        (status, body) => Fetched::Error {
            status,
            body: body
                .and_then(|b| serde_wasm_bindgen::from_value::<ApiErrorBody>(b).ok())
                .map(|b| b.error),
        },
    }
}

/// A feed JSON the browser parsed (from the network, the fragment's data or a page) as a
/// [`Feed`], read by serde-wasm-bindgen.
pub fn decode_json(body: JsValue) -> Fetched {
    match serde_wasm_bindgen::from_value::<Feed>(body) {
        Ok(feed) if feed.version == FEED_VERSION => Fetched::Feed(feed),
        Ok(feed) => Fetched::Undecodable(format!("version {}", feed.version)),
        Err(e) => Fetched::Undecodable(e.to_string()),
    }
}
