//! Getting the feed: either our own `fetch`, or the loader's prefetch (started in parallel with
//! the wasm download). Both end as `{ status, body }` and go through the same decoder.

use js_sys::{Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::Response;

use super::decode;
use crate::Fetched;

/// `GET url`, decoded.
pub(crate) async fn get(url: &str) -> Fetched {
    let Some(window) = web_sys::window() else {
        return Fetched::Unreachable("no window".into());
    };
    let response = match JsFuture::from(window.fetch_with_str(url)).await {
        Ok(r) => r.unchecked_into::<Response>(),
        Err(e) => return Fetched::Unreachable(describe(&e)),
    };
    let body = match response.json() {
        Ok(p) => JsFuture::from(p).await.ok(),
        Err(_) => None,
    };
    decode::fetched(response.status(), body)
}

/// The loader's prefetch: a promise of `{ status, body }`, or `{ status: 0, error }` when the
/// request itself failed.
pub(crate) async fn settle(prefetch: Promise) -> Fetched {
    match JsFuture::from(prefetch).await {
        Ok(result) => {
            let field = |name: &str| Reflect::get(&result, &name.into()).unwrap_or_default();
            let status = field("status").as_f64().unwrap_or(0.0) as u16;
            if status == 0 {
                return Fetched::Unreachable(describe(&field("error")));
            }
            let body = Some(field("body")).filter(|b| b.is_object());
            decode::fetched(status, body)
        }
        Err(e) => Fetched::Unreachable(describe(&e)),
    }
}

fn describe(error: &JsValue) -> String {
    error
        .as_string()
        .or_else(|| error.dyn_ref::<js_sys::Error>().map(|e| e.message().into()))
        .unwrap_or_else(|| "network error".into())
}
