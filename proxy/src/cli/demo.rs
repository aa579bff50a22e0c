//! `feedframe demo`: a complete FeedFrame with a built-in fake Instagram, sample posts, a
//! temporary data dir and a demo token. No Instagram account needed.

use base64::Engine as _;

use crate::clock;
use crate::config::Config;
use crate::error::ProxyError;
use crate::instagram::client::Graph;
use crate::store::NewToken;

/// Runs until Ctrl-C, then deletes its temporary data dir.
pub async fn run(mut config: Config) -> Result<(), ProxyError> {
    let fake = fake_instagram::FakeInstagram::start_with(fake_instagram::sample_posts(24)).await;
    let data_dir = std::env::temp_dir().join(format!("feedframe-demo-{}", std::process::id()));
    config.data_dir = data_dir.clone();
    config.graph_base = fake.graph_base();
    config.media_hosts = vec!["localhost".into()];
    config.media_allow_private = true;
    // "Connect with Instagram" and invitations go through the fake's consent page.
    config.ig_app_id = Some(fake.app_id());
    config.ig_app_secret = Some(crate::instagram::secret::Secret::new(fake.app_secret()));
    config.ig_authorize_url = fake.authorize_url();
    config.ig_token_url = fake.token_url();
    if config.public_url.is_none() && config.listen.port() != 0 {
        config.public_url = Some(format!("http://{}", config.listen));
    }
    // Alerts go to a webhook of the demo's own, which prints them here.
    let hook = alert_printer().await?;
    let secret: [u8; 24] = rand::random();
    let secret = format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(secret)
    );
    config.alerts.tick = std::time::Duration::from_secs(2);
    config.alerts.webhook =
        Some(crate::alerts::WebhookChannel::new(&hook, &secret).map_err(ProxyError::Invalid)?);

    {
        let store = config.open_store()?;
        let graph = Graph::new(&config);
        let now = clock::now();
        // A healthy feed, one whose token expired before anything was cached, and the healthy
        // feed's account again, moderated.
        let live = crate::instagram::secret::Secret::new(fake.issue_token(60 * 86_400));
        let expired =
            crate::instagram::secret::Secret::new(fake.issue_token_aged(61 * 86_400, 60 * 86_400));
        let me = graph.me(&live).await?;
        for (feed, token, expires_at) in [
            ("demo", &live, now + 60 * 86_400),
            ("expired", &expired, now - 86_400),
            (MODERATED, &live, now + 60 * 86_400),
        ] {
            let new = NewToken::checked(feed, token, &me, Some(expires_at), &[]);
            store.put_token(&new, now)?;
        }
        moderate(&store, &fake.posts(), now)?;
    }

    // The console, signed in with a password made for this run.
    let password = crate::console::session::random_token()[..16].to_string();
    {
        let hash = crate::console::password::hash(&password)
            .map_err(|e| ProxyError::Invalid(e.to_string()))?;
        config
            .open_store()?
            .set_admin_password(&hash, clock::now())?;
    }

    let app = crate::server::app::start(config, Some(DEMO_PAGE.to_string())).await?;
    println!(
        "FeedFrame demo: open {}/ in a browser (Ctrl-C to stop)",
        app.url()
    );
    println!("  feed JSON: {}/v1/feeds/demo", app.url());
    println!(
        "  first view (server-rendered HTML): {}/v1/feeds/demo/view?layout=grid",
        app.url()
    );
    println!(
        "  iframe embed: {}/v1/feeds/demo/embed?layout=grid",
        app.url()
    );
    println!(
        "  owner's console: {}/admin (password: {password})",
        app.url()
    );
    println!(
        "  moderation of the '{MODERATED}' feed: {}/admin/feeds/{MODERATED}/posts",
        app.url()
    );
    crate::server::app::shutdown_signal().await;
    app.stop().await;
    fake.shutdown();
    let _ = std::fs::remove_dir_all(&data_dir);
    Ok(())
}

/// The demo's moderated feed.
const MODERATED: &str = "moderated";

/// The moderated feed hides the posts tagged `#glazefail` by a rule, and the second post by hand.
fn moderate(
    store: &crate::store::Store,
    posts: &[fake_instagram::FakePost],
    now: i64,
) -> Result<(), ProxyError> {
    store.add_hide_term(MODERATED, "#glazefail", now)?;
    if let Some(post) = posts.get(1) {
        store.hide_post(MODERATED, &post.id, now)?;
    }
    Ok(())
}

/// A webhook receiver on loopback that prints every alert it gets; returns its URL.
async fn alert_printer() -> Result<String, ProxyError> {
    async fn print(body: String) {
        let alert: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        println!(
            "  alert received: {} {} {}",
            alert["type"].as_str().unwrap_or("?"),
            alert["data"]["feed"].as_str().unwrap_or(""),
            alert["data"]["state"].as_str().unwrap_or(""),
        );
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| ProxyError::Invalid(format!("cannot start the demo's alert receiver: {e}")))?;
    let url = format!(
        "http://{}/alerts",
        listener
            .local_addr()
            .map_err(|e| ProxyError::Invalid(e.to_string()))?
    );
    let app = axum::Router::new().route("/alerts", axum::routing::post(print));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(url)
}

const DEMO_PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>FeedFrame demo</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 960px; margin: 2rem auto; padding: 0 1rem; color: #222; }
  h2 { margin-top: 3rem; }
  code { background: #f3f3f3; padding: .1em .3em; border-radius: 3px; }
</style>
</head>
<body>
<h1>FeedFrame demo</h1>
<p>Posts come from a built-in fake Instagram through the real proxy. The feed JSON is at
<a href="/v1/feeds/demo"><code>/v1/feeds/demo</code></a>. Each widget's first view is rendered by the
proxy (<a href="/v1/feeds/demo/view?layout=grid&amp;limit=8"><code>/v1/feeds/demo/view</code></a>), so
its images paint before the WebAssembly arrives; the wasm then hydrates the same nodes.</p>

<p>The owner's console is at <a href="/admin"><code>/admin</code></a> (its password is printed in the
terminal): every feed's state in plain words (the <code>expired</code> feed below comes first), "Connect
with Instagram" and invitation links through the fake's consent page, and a snippet builder with a live
preview.</p>

<h2>Grid with a lightbox</h2>
<p>A click (or Enter) opens a post over the page: albums show every photo, videos play from the
proxy, the arrow keys and a swipe move between posts, Esc closes it. Captions sit below the photos.</p>
<script src="/widget.js" data-feed="demo" data-layout="grid" data-limit="8" data-click="lightbox" data-captions="below" async></script>

<h2>Slider</h2>
<script src="/widget.js" data-feed="demo" data-layout="slider" async></script>

<h2>Masonry with "Load more"</h2>
<p>Six posts, then six more per click, from the posts the proxy already has: nothing above moves.</p>
<feedframe-feed feed="demo" layout="masonry" limit="6" load-more="6" click="lightbox" src="">Loading the feed…</feedframe-feed>

<h2>iframe embed (for site builders that accept only iframes)</h2>
<iframe src="/v1/feeds/demo/embed?layout=grid&amp;columns=4&amp;limit=8"
        title="Instagram feed" style="width:100%;height:480px;border:0" loading="lazy"></iframe>
<script>
  addEventListener("message", (e) => {
    if (e.origin !== location.origin || !e.data || e.data.feedframe !== "height") return;
    for (const f of document.querySelectorAll("iframe")) if (f.contentWindow === e.source) f.style.height = e.data.height + "px";
  });
</script>

<h2>Moderated: the same account, with posts hidden</h2>
<p>The <code>moderated</code> feed hides, by a rule, the posts whose caption has <code>#glazefail</code>
(the one with a <code>&lt;script&gt;</code> in its caption), and its owner hid the second post by hand. Change
it on its console page, <a href="/admin/feeds/moderated/posts"><code>/admin/feeds/moderated/posts</code></a>:
the next request shows the change.</p>
<script src="/widget.js" data-feed="moderated" data-layout="grid" data-limit="8" async></script>

<h2>Fallback: the token expired before anything was cached</h2>
<script src="/widget.js" data-feed="expired" data-layout="grid" async></script>

<h2>Fallback: custom content for an unknown feed</h2>
<feedframe-feed feed="no-such-feed" layout="grid"><p>Follow us on <a href="https://www.instagram.com/">Instagram</a>.</p></feedframe-feed>
</body>
</html>
"#;
