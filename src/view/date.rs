//! A post's date as the visitor reads dates: in their browser's language ("14 September 2026",
//! "September 14, 2026"). On the server (never shown there) the ISO date.

/// `timestamp` (RFC 3339) as a long date in the visitor's locale.
#[cfg(target_arch = "wasm32")]
pub fn local_date(timestamp: &str) -> String {
    use wasm_bindgen::JsValue;
    let date = js_sys::Date::new(&JsValue::from_str(timestamp));
    if date.get_time().is_nan() {
        return iso_date(timestamp).to_string();
    }
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"long".into());
    let language = web_sys::window()
        .and_then(|w| w.navigator().language())
        .unwrap_or_else(|| "en".into());
    date.to_locale_date_string(&language, &options).into()
}

/// `timestamp` (RFC 3339) as its date.
#[cfg(not(target_arch = "wasm32"))]
pub fn local_date(timestamp: &str) -> String {
    iso_date(timestamp).to_string()
}

/// The `YYYY-MM-DD` part of an RFC 3339 timestamp.
fn iso_date(timestamp: &str) -> &str {
    timestamp.get(..10).unwrap_or(timestamp)
}
