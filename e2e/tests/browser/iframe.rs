//! The iframe embed, with the snippet docs/widget.md documents, sizes itself to its content.

use serde_json::json;

use crate::env::*;

/// The documented iframe snippet (docs/widget.md, "3. iframe"), pointing at `proxy`.
fn documented_snippet(proxy: &str) -> String {
    let docs = include_str!("../../../docs/widget.md");
    let section = &docs[docs
        .find("**3. iframe**")
        .expect("docs/widget.md has the iframe embed")..];
    let start = section.find("```html\n").expect("an html snippet") + "```html\n".len();
    let end = start + section[start..].find("```").expect("the snippet ends");
    let snippet = &section[start..end];
    assert!(snippet.contains("<iframe") && snippet.contains("https://feeds.example.com"));
    snippet.replace("https://feeds.example.com", proxy)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_documented_iframe_snippet_sizes_the_frame_to_its_content_with_no_scrollbar() {
    let env = Env::start().await;
    let (_slot, b) = browser().await;
    // The snippet's frame starts 480 px high: one widget taller than that, one shorter.
    for (name, query) in [
        ("tall", "layout=grid&columns=3&limit=9"),
        ("short", "layout=grid&columns=4&limit=4"),
    ] {
        let snippet =
            documented_snippet(&env.proxy()).replace("layout=grid&columns=3&limit=9", query);
        let body = format!(r#"<div style="width:900px">{snippet}</div><p id=below>Below</p>"#);
        b.goto(&env.host.page(&format!("iframe-{name}"), "", &body))
            .await;
        b.enter_frame(0).await;
        wait_mounted(&b, 0, "hydrated").await;
        images_settled(&b, 0).await;
        let content = b
            .eval(
                "return Math.ceil(document.querySelector('feedframe-feed').getBoundingClientRect().height);",
                json!([]),
            )
            .await
            .as_i64()
            .unwrap();
        assert_ne!(
            content, 480,
            "{name}: a height the snippet could not tell apart"
        );
        b.leave_frame().await;
        let frame = "Math.round(document.querySelector('iframe').getBoundingClientRect().height)";
        b.wait_for(&format!("Math.abs({frame} - {content}) <= 1"), 10)
            .await;
        b.enter_frame(0).await;
        let scroll = b
            .eval(
                "const s = document.scrollingElement; return [s.scrollHeight, s.clientHeight];",
                json!([]),
            )
            .await;
        assert!(
            scroll[0].as_i64() <= scroll[1].as_i64(),
            "{name}: the frame scrolls: [scrollHeight, clientHeight] = {scroll}"
        );
        b.leave_frame().await;
    }
    b.quit().await;
}
