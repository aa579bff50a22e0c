//! Starting and stopping the server with its background refresher, the alerts and the metrics
//! listener.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::alerts::Alerts;
use crate::config::{Config, MediaStoreUrl};
use crate::error::ProxyError;
use crate::feeds::cache::Feeds;
use crate::instagram::client::Graph;
use crate::media::files::MediaFiles;
use crate::media::mirror::Mirror;
use crate::server::router::{AppState, router};
use crate::server::widget_assets::WidgetAssets;
use crate::store::Store;
use crate::telemetry::{self, Metrics};

/// A running server: its address, its state, and a way to stop it gracefully.
pub struct RunningApp {
    pub addr: SocketAddr,
    /// Where `/metrics` is served, when `FEEDFRAME_METRICS_LISTEN` is set.
    pub metrics_addr: Option<SocketAddr>,
    pub feeds: Arc<Feeds>,
    pub store: Arc<Store>,
    /// The alert channels: `alerts::send_test`, `Alerts::channels`.
    pub alerts: Arc<Alerts>,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl RunningApp {
    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:PORT/metrics`, when the metrics listener is on.
    pub fn metrics_url(&self) -> Option<String> {
        self.metrics_addr
            .map(|addr| format!("http://{addr}/metrics"))
    }

    /// Stops accepting connections, lets in-flight requests finish, stops the refresher and the
    /// metrics listener.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }
}

/// The landing page of a production server.
const INDEX_HTML: &str = "<!doctype html><meta charset=utf-8><title>FeedFrame</title>\
<p>FeedFrame is running. Feeds are at <code>/v1/feeds/{feed}</code>; the widget at <code>/widget.js</code>.";

/// Opens the store, binds the listener and runs the server, the token refresher and the alerts
/// side by side.
pub async fn start(config: Config, index_html: Option<String>) -> Result<RunningApp, ProxyError> {
    let config = Arc::new(config);
    let store = Arc::new(config.open_store()?);
    // Bound first: a busy or malformed metrics address stops the start, before any work.
    let metrics_listener = match config.metrics_listen {
        Some(addr) => Some(bind(addr, "the metrics").await?),
        None => None,
    };
    let metrics = if metrics_listener.is_some() {
        Metrics::on()
    } else {
        Metrics::off()
    };
    let graph = Arc::new(Graph::new(&config).with_metrics(metrics.clone()));
    // A bucket that cannot be listed stops the start, with the reason, before any work.
    let files = MediaFiles::open(&config)?;
    files.check().await?;
    if config.media_store != MediaStoreUrl::DataDir {
        tracing::info!(store = %files.describe(), "mirrored media in the bucket");
    }
    let mirror = Arc::new(Mirror::new(Arc::clone(&store), Arc::clone(&config), files));
    // Media left over from an earlier run (or a crash) is collected before serving, and the data
    // deletions a crash interrupted are finished.
    mirror.collect_garbage().await;
    crate::meta::callbacks::resume_deletions(Arc::clone(&mirror), Arc::clone(&store)).await;
    let feeds = Arc::new(Feeds::new(
        Arc::clone(&store),
        Arc::clone(&graph),
        Arc::clone(&mirror),
        Arc::clone(&config),
    ));
    // Feed names and token states, answered from memory from now on.
    feeds.reload_catalog().await?;
    let alerts = Arc::new(
        Alerts::new(config.alerts.clone(), Arc::clone(&store))?.with_metrics(metrics.clone()),
    );
    let widget = match &config.widget_dir {
        Some(dir) => WidgetAssets::from_dir(dir).map_err(|source| ProxyError::DataDir {
            path: dir.display().to_string(),
            source,
        })?,
        None => WidgetAssets::embedded(),
    };
    if widget.is_empty() {
        tracing::warn!("this binary has no widget built in; /widget.js answers 404");
    }
    let media = Arc::new(mirror.files().clone());
    let console = Arc::new(crate::console::Console::new(
        Arc::clone(&store),
        Arc::clone(&graph),
        Arc::clone(&config),
        Arc::clone(&media),
        Arc::clone(&alerts),
    ));
    let state = AppState {
        feeds: Arc::clone(&feeds),
        media,
        console,
        widget: Arc::new(widget),
        views: Arc::new(crate::server::first_view::FirstViews::default()),
        index_html: index_html.unwrap_or_else(|| INDEX_HTML.to_string()).into(),
        metrics: metrics.clone(),
    };
    let (listener, addr) = bind(config.listen, "the server").await?;
    let (metrics_server, metrics_addr) = match metrics_listener {
        Some((listener, addr)) => {
            let scrape = telemetry::endpoint::Scrape {
                metrics,
                store: Arc::clone(&store),
                media: Arc::clone(&state.media),
                media_budget: config.media_budget,
            };
            (Some((listener, scrape)), Some(addr))
        }
        None => (None, None),
    };
    let (tx, rx) = oneshot::channel::<()>();
    let refresher = crate::tokens::refresher::run(Arc::clone(&store), graph, Arc::clone(&config));
    let catalog_feeds = Arc::clone(&feeds);
    let following_feeds = Arc::clone(&feeds);
    let alert_engine = crate::alerts::run(Arc::clone(&alerts), Arc::clone(&feeds), config.lease);
    let leases = Arc::clone(&store);
    let metrics_server = async move {
        if let Some((listener, scrape)) = metrics_server {
            let router = telemetry::endpoint::router(scrape);
            if let Err(e) = axum::serve(listener, router).await {
                tracing::error!("metrics server error: {e}");
            }
        }
        // No listener, or it failed: the feeds are served all the same.
        std::future::pending::<()>().await
    };
    let task = tokio::spawn(async move {
        // The peer's address reaches the handlers: the console counts failed sign-ins by it.
        let service = router(state).into_make_service_with_connect_info::<SocketAddr>();
        let server = axum::serve(listener, service).with_graceful_shutdown(async move {
            let _ = rx.await;
        });
        tokio::select! {
            result = server => if let Err(e) = result { tracing::error!("server error: {e}") },
            () = refresher => {}
            () = catalog_feeds.keep_catalog() => {}
            () = following_feeds.follow_store() => {}
            () = alert_engine => {}
            () = metrics_server => {}
        }
        // Another instance (or the next start) sends the alerts at once, not after a lease time.
        if let Err(e) = leases.run(|s| s.release_lease(crate::alerts::LEASE)).await {
            tracing::warn!("cannot give the alerts lease back (it lapses on its own): {e}");
        }
    });
    tracing::info!("listening on http://{addr}");
    if let Some(at) = metrics_addr {
        tracing::info!("metrics at http://{at}/metrics");
        if !at.ip().is_loopback() {
            tracing::warn!(
                "the metrics listener {at} is not a loopback address: /metrics asks no password, \
                 so let only Prometheus reach it"
            );
        }
    }
    Ok(RunningApp {
        addr,
        metrics_addr,
        feeds,
        store,
        alerts,
        shutdown: Some(tx),
        task,
    })
}

/// Binds `addr` for `what` (the server, the metrics), with the address actually bound.
async fn bind(
    addr: SocketAddr,
    what: &str,
) -> Result<(tokio::net::TcpListener, SocketAddr), ProxyError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| {
            ProxyError::Invalid(format!("cannot listen on {addr} for {what}: {source}"))
        })?;
    let bound = listener
        .local_addr()
        .map_err(|e| ProxyError::Invalid(e.to_string()))?;
    Ok((listener, bound))
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
}
