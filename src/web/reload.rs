//! Driving the phase from the network: the first load (when the server's view could not be
//! had) and the one re-fetch after a broken image.

use std::sync::atomic::{AtomicBool, Ordering};

use leptos::{prelude::*, task::spawn_local};

use super::{fetch, warn};
use feedframe_feed::is_feed_name;

use crate::{
    Options, WidgetError,
    error::{feed_url, status_warning},
    outcome,
    view::Phase,
};

/// Loads the feed into `phase`.
pub(crate) fn load(opts: &Options, base: &str, phase: RwSignal<Phase>) {
    spawn_local(update(opts, base, phase, false));
}

/// The image-error handler: at most one re-fetch per widget, past the HTTP cache; a failed
/// re-fetch keeps the posts. Nothing to re-fetch without a proxy (`base` empty: a feed in memory).
pub(crate) fn refetch_once(opts: &Options, base: &str, phase: RwSignal<Phase>) -> Callback<()> {
    let done = AtomicBool::new(base.is_empty());
    let (opts, base) = (opts.clone(), base.to_string());
    Callback::new(move |()| {
        if !done.swap(true, Ordering::Relaxed) {
            spawn_local(update(&opts, &base, phase, true));
        }
    })
}

fn update(
    opts: &Options,
    base: &str,
    phase: RwSignal<Phase>,
    refetch: bool,
) -> impl Future<Output = ()> + use<> {
    let url = feed_url(base, &opts.feed);
    let feed = opts.feed.clone();
    async move {
        if !is_feed_name(&feed) {
            phase.set(announce(Err(WidgetError::InvalidFeedName { feed })));
            return;
        }
        let result = outcome(&feed, &url, fetch::get(&url, refetch).await);
        if !refetch || result.is_ok() {
            phase.set(announce(result));
        }
    }
}

/// The phase of a result, telling the site owner on the console what needs them.
pub(crate) fn announce(result: Result<feedframe_feed::Feed, crate::WidgetError>) -> Phase {
    match &result {
        Ok(feed) => {
            if let Some(message) = status_warning(feed) {
                warn(&message);
            }
        }
        Err(error) => warn(&error.warning()),
    }
    Phase::of(result)
}
