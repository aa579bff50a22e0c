//! Security headers on every console response: a strict Content-Security-Policy (scripts, styles
//! and frames only from this server; WebAssembly may be compiled, for the console's own wasm, forms only to it, never framed), no MIME sniffing, no
//! referrer, and no caching of pages that show a signed-in owner's data.

use axum::http::{HeaderName, HeaderValue, header};
use axum::response::Response;

/// The console's Content-Security-Policy. `form_action` adds an origin forms may lead to (the
/// Instagram consent page a "Connect" form redirects to), `images` one images may come from (the
/// mirrored media's public URL).
pub fn csp(form_action: Option<&str>, images: Option<&str>) -> HeaderValue {
    let extra = form_action.map(|o| format!(" {o}")).unwrap_or_default();
    let images = images.map(|o| format!(" {o}")).unwrap_or_default();
    HeaderValue::from_str(&format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:{images}; \
         connect-src 'self'; frame-src 'self'; form-action 'self'{extra}; \
         frame-ancestors 'none'; base-uri 'none'"
    ))
    .unwrap_or_else(|_| csp(None, None))
}

/// Adds the console's headers to `response`.
pub fn apply(csp: &HeaderValue, mut response: Response) -> Response {
    let h = response.headers_mut();
    let fixed: [(HeaderName, &str); 4] = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CACHE_CONTROL, "no-store"),
    ];
    for (name, value) in fixed {
        h.insert(name, HeaderValue::from_static(value));
    }
    h.insert(header::CONTENT_SECURITY_POLICY, csp.clone());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_forbids_framing_and_foreign_scripts() {
        let policy = csp(None, None);
        let policy = policy.to_str().unwrap();
        assert!(policy.contains("frame-ancestors 'none'"));
        // The console's wasm needs compiling; nothing may run inline or through eval.
        assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval';"));
        assert!(!policy.contains("unsafe-inline"));
        assert!(!policy.contains("'unsafe-eval'"));
        let with = csp(
            Some("https://www.instagram.com"),
            Some("https://media.example.com"),
        );
        let with = with.to_str().unwrap();
        assert!(with.contains("form-action 'self' https://www.instagram.com;"));
        assert!(with.contains("img-src 'self' data: https://media.example.com;"));
    }
}
