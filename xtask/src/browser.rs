//! Page-load timings in headless Chromium with slow-4G throttling and a 4x CPU slowdown, per
//! layout, against a hand-written vanilla-JS page rendering the same feed in the same run.

use std::fmt::Write as _;
use std::time::Duration;

use feedframe_e2e::{Browser, BrowserOptions, HostPage};
use serde_json::{Value, json};

use crate::median;
use crate::proxy::Proxy;

/// Records when the first image is in the DOM and when the first one is decoded, the layout
/// shift, and the depth of the request chain in front of the first image.
const PROBE: &str = r#"<script>
window.__m = { cls: 0 };
new PerformanceObserver(l => { for (const e of l.getEntries()) if (!e.hadRecentInput) window.__m.cls += e.value; })
  .observe({ type: 'layout-shift', buffered: true });
(function poll() {
  const imgs = [...document.querySelectorAll('img')];
  for (const h of document.querySelectorAll('feedframe-feed')) if (h.shadowRoot) imgs.push(...h.shadowRoot.querySelectorAll('img'));
  const now = performance.now();
  if (imgs.length && window.__m.inDom === undefined) window.__m.inDom = now;
  const done = imgs.find(i => i.complete && i.naturalWidth > 0);
  if (done && window.__m.decoded === undefined) { window.__m.decoded = now; window.__m.src = done.currentSrc; }
  if (window.__m.decoded === undefined) requestAnimationFrame(poll);
})();
window.__chain = () => {
  // Longest chain of requests each starting after the previous one ended, ending at the first image.
  const nav = performance.getEntriesByType('navigation')[0];
  const all = [{ name: 'document', startTime: 0, responseEnd: nav.responseEnd }]
    .concat(performance.getEntriesByType('resource')).sort((a, b) => a.startTime - b.startTime);
  const depth = all.map(() => 1);
  for (let i = 1; i < all.length; i++)
    for (let j = 0; j < i; j++)
      if (all[j].responseEnd <= all[i].startTime + 1) depth[i] = Math.max(depth[i], depth[j] + 1);
  const img = all.findIndex(e => e.name === window.__m.src);
  return img < 0 ? null : depth[img];
};
// The widget's own requests (loader, fragment, glue, wasm, JSON) that ended before the first
// image was decoded: their bytes are what the first paint waited for.
window.__widgetBefore = (proxy) => performance.getEntriesByType('resource')
  .filter(e => e.name.startsWith(proxy) && !e.name.includes('/media/') && e.responseEnd <= window.__m.decoded)
  .map(e => e.name);
</script>"#;

fn baseline(proxy: &str, limit: usize) -> String {
    format!(
        r#"<div id="baseline" style="display:grid;grid-template-columns:repeat(3,1fr);gap:8px"></div>
<script>
const base = {proxy:?};
const abs = u => u.startsWith('/') ? base + u : u;
fetch(base + '/v1/feeds/main').then(r => r.json()).then(feed => {{
  const root = document.getElementById('baseline');
  for (const post of feed.posts.slice(0, {limit})) {{
    const m = post.media[0];
    const a = document.createElement('a');
    a.href = post.permalink;
    const img = document.createElement('img');
    img.loading = 'lazy'; img.decoding = 'async';
    img.alt = post.caption || ('Instagram post by @' + feed.profile.username);
    img.style.cssText = 'width:100%;aspect-ratio:1;object-fit:cover;display:block';
    const webp = (m.variants || []).filter(v => v.type === 'image/webp');
    if (webp.length) {{ img.srcset = webp.map(v => abs(v.url) + ' ' + v.width + 'w').join(', '); img.sizes = '(min-width: 900px) 300px, 33vw'; }}
    img.src = abs(m.url);
    a.appendChild(img); root.appendChild(a);
  }}
}});
</script>"#
    )
}

/// One page load; with `block_wasm`, the widget's WebAssembly is never delivered (the first paint
/// must not need it).
async fn one_run(b: &Browser, url: &str, proxy: &str, block_wasm: bool) -> Value {
    b.goto("about:blank").await;
    b.cdp("Network.clearBrowserCache", json!({})).await;
    let blocked: &[&str] = if block_wasm { &["*_bg.wasm"] } else { &[] };
    b.cdp("Network.setBlockedURLs", json!({ "urls": blocked }))
        .await;
    b.goto(url).await;
    b.wait_for("window.__m && window.__m.decoded !== undefined", 120)
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    b.eval(
        "return Object.assign({}, window.__m, { chain: window.__chain(), widget: window.__widgetBefore(arguments[0]) });",
        json!([proxy]),
    )
    .await
}

/// The brotli bytes (as the proxy sends them, `Accept-Encoding: br`) of the widget's requests
/// that came before the first image.
async fn brotli_bytes(urls: &[String]) -> u64 {
    let client = reqwest::Client::new();
    let mut total = 0;
    for url in urls {
        let body = client
            .get(url)
            .header("accept-encoding", "br")
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .unwrap_or_else(|e| panic!("GET {url}: {e}"))
            .bytes()
            .await
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        total += body.len() as u64;
    }
    total
}

pub async fn run(proxy: &Proxy, runs: usize) -> String {
    let host = HostPage::start().await;
    let b = Browser::start(BrowserOptions {
        width: 1000,
        height: 900,
        ..BrowserOptions::default()
    })
    .await;
    b.cdp("Network.enable", json!({})).await;
    b.cdp("Network.setCacheDisabled", json!({ "cacheDisabled": true }))
        .await;
    // Lighthouse's "Slow 4G": 150 ms RTT, 1.6 Mbps down, 750 kbps up; and a 4x slower CPU.
    b.cdp(
        "Network.emulateNetworkConditions",
        json!({ "offline": false, "latency": 150, "downloadThroughput": 1_638_400.0 * 0.9 / 8.0, "uploadThroughput": 768_000.0 * 0.9 / 8.0 }),
    )
    .await;
    b.cdp("Emulation.setCPUThrottlingRate", json!({ "rate": 4 }))
        .await;

    let wrap = |body: &str| {
        format!(
            r#"<h1>A shop</h1><p>Some text above.</p><div style="width:920px">{body}</div><p>Text below.</p>"#
        )
    };
    let mut pages = vec![(
        "vanilla JS (baseline)".to_string(),
        host.page("baseline", PROBE, &wrap(&baseline(&proxy.url, 9))),
        false,
    )];
    for (layout, limit) in [("grid", 9), ("slider", 8), ("masonry", 9)] {
        let snippet = format!(
            r#"<script src="{}/widget.js" data-feed="main" data-layout="{layout}" data-limit="{limit}" data-columns="3" async></script>"#,
            proxy.url
        );
        let page = host.page(layout, PROBE, &wrap(&snippet));
        pages.push((format!("FeedFrame {layout}"), page.clone(), false));
        pages.push((format!("FeedFrame {layout}, wasm blocked"), page, true));
        // The same snippet without `async` (docs/widget.md, for a widget above the fold): the
        // loader reserves the box before the text below is parsed, so nothing moves.
        let blocking = host.page(
            &format!("{layout}-blocking"),
            PROBE,
            &wrap(&snippet.replace(" async>", ">")),
        );
        pages.push((
            format!("FeedFrame {layout}, snippet without async"),
            blocking,
            false,
        ));
    }

    let mut rows = Vec::new();
    for (name, url, block_wasm) in &pages {
        let mut in_dom = Vec::new();
        let mut decoded = Vec::new();
        let mut chain = Vec::new();
        let mut cls = Vec::new();
        let mut bytes = Vec::new();
        for i in 0..runs {
            let m = one_run(&b, url, &proxy.url, *block_wasm).await;
            eprintln!("  {name} run {}: {m}", i + 1);
            in_dom.push(m["inDom"].as_f64().unwrap_or(f64::NAN));
            decoded.push(m["decoded"].as_f64().unwrap_or(f64::NAN));
            chain.push(m["chain"].as_f64().unwrap_or(f64::NAN));
            cls.push(m["cls"].as_f64().unwrap_or(f64::NAN));
            let urls: Vec<String> = m["widget"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|u| u.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            bytes.push(brotli_bytes(&urls).await as f64);
        }
        rows.push((
            name.clone(),
            median(in_dom),
            median(decoded),
            median(chain),
            cls.iter().copied().fold(0.0, f64::max),
            median(bytes),
        ));
    }
    b.cdp("Network.setBlockedURLs", json!({ "urls": [] })).await;
    b.quit().await;

    let (_, base_dom, base_decoded, _, _, _) = rows[0].clone();
    let mut out = format!(
        "## Browser\n\nHeadless Chromium, slow 4G (150 ms RTT, 1.6 Mbps down) and 4x CPU slowdown through the DevTools protocol, cache disabled, median of {runs} runs. The widget is embedded by its script tag in a page on another origin; the baseline is a hand-written vanilla-JS page that fetches the same feed JSON and renders the same 9 images. Ratios are FeedFrame / baseline (lower is better).\n\n| page | first image in DOM | ratio | first image decoded | ratio | sequential requests before the first image | widget bytes before the first image (brotli) | CLS (worst run) |\n|---|---|---|---|---|---|---|---|\n"
    );
    for (name, dom, decoded, chain, cls, bytes) in rows {
        writeln!(
            out,
            "| {name} | {dom:.0} ms | {:.2} | {decoded:.0} ms | {:.2} | {} | {:.1} KB | {cls:.4} |",
            dom / base_dom,
            decoded / base_decoded,
            if chain.is_finite() {
                format!("{}", chain as i64 - 1)
            } else {
                "?".into()
            },
            bytes / 1024.0,
        )
        .unwrap();
    }
    out.push_str("\n\"Sequential requests before the first image\" counts the requests in the longest dependent chain in front of the first decoded image (the document counts as one; the image itself not). \"Widget bytes\" are the proxy's own responses other than images (loader, fragment, and the glue, wasm or JSON if they came first) that ended before the first image was decoded, as the proxy sends them with brotli. The \"wasm blocked\" rows never deliver the WebAssembly: the first paint comes from the server's view alone. The \"snippet without async\" rows embed the same tag without `async`.\n\n");
    out
}
