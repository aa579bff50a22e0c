//! CORS preflight: front-end code that calls the feed JSON with a custom header gets a preflight
//! answer from an allowed origin, and none from another.

use crate::helpers::*;

/// `OPTIONS path` as a browser sends it before a GET with `X-Requested-With`; the CORS headers.
async fn preflight(t: &TestApp, path: &str, origin: &str) -> (u16, Option<String>, Option<String>) {
    let response = t
        .http
        .request(reqwest::Method::OPTIONS, format!("{}{path}", t.url()))
        .header("origin", origin)
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "x-requested-with")
        .send()
        .await
        .unwrap();
    let h = response.headers();
    let get = |name: &str| h.get(name).map(|v| v.to_str().unwrap().to_string());
    (
        response.status().as_u16(),
        get("access-control-allow-origin"),
        get("access-control-allow-headers"),
    )
}

#[tokio::test]
async fn a_custom_header_passes_preflight_from_allowed_origins_only() {
    let mut t = spawn_app().await;
    let (status, origin, headers) = preflight(&t, "/v1/feeds/main", "https://shop.example").await;
    assert_eq!(status, 204);
    assert_eq!(origin.as_deref(), Some("*"), "any origin by default");
    assert_eq!(headers.as_deref(), Some("x-requested-with"));
    let (status, origin, _) = preflight(&t, "/healthz", "https://shop.example").await;
    assert_eq!((status, origin.as_deref()), (204, Some("*")));

    // Restrict the feed to one origin, as `token add --allow-origin` does.
    t.allow_only(&["https://shop.example"]).await;
    let (status, origin, headers) = preflight(&t, "/v1/feeds/main", "https://shop.example").await;
    assert_eq!(status, 204);
    assert_eq!(origin.as_deref(), Some("https://shop.example"));
    assert_eq!(headers.as_deref(), Some("x-requested-with"));
    let (_, origin, headers) = preflight(&t, "/v1/feeds/main", "https://evil.example").await;
    assert_eq!(
        (origin, headers),
        (None, None),
        "another origin gets no CORS answer: the browser refuses"
    );
}
