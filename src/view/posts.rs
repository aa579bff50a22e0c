//! The posts of a feed in the embed's layout, with "Load more" and the lightbox when asked for.

use std::sync::Arc;

use feedframe_feed::{Feed, profile_url};
use leptos::{either::Either, prelude::*};

use super::{
    Ctx, grid::Grid, lightbox::Lightbox, masonry::Masonry, more::LoadMore, slider::Slider,
};
use crate::{Click, Layout, TileModel};

/// The first `limit` posts, and more on "Load more".
#[component]
pub fn Posts(ctx: Arc<Ctx>, feed: Arc<Feed>) -> impl IntoView {
    let username = &feed.profile.username;
    let profile = profile_url(username);
    // Without "Load more" only the first `limit` can ever show.
    let showable = match ctx.opts.load_more {
        Some(_) => feed.posts.len(),
        None => usize::from(ctx.opts.limit),
    };
    let all: Arc<[TileModel]> = feed
        .posts
        .iter()
        .take(showable)
        .map(|post| TileModel::new(post, username, &profile, &ctx.base))
        .collect();
    let total = all.len();
    let first = usize::from(ctx.opts.limit).min(total);
    let shown = RwSignal::new(first);
    let layout = if ctx.opts.layout == Layout::Masonry {
        // Each load adds a block balanced on its own: re-balancing would move the tiles above.
        let step = ctx.opts.load_more.map_or(total, usize::from);
        let blocks = Memo::new(move |_| blocks(first, step, shown.get()));
        let ctx = ctx.clone();
        Either::Left(view! {
            <For
                each=move || blocks.get()
                key=|block| *block
                children=move |(start, end)| {
                    view! { <Masonry ctx=ctx.clone() tiles=all[start..end].to_vec() offset=start /> }
                }
            />
        })
    } else {
        let tiles = Signal::derive(move || all[..shown.get()].to_vec());
        let ctx = ctx.clone();
        Either::Right(match ctx.opts.layout {
            Layout::Slider => Either::Left(view! { <Slider ctx tiles /> }),
            _ => Either::Right(view! { <Grid ctx tiles /> }),
        })
    };
    let more = ctx
        .opts
        .load_more
        .map(|step| view! { <LoadMore shown total step /> });
    let lightbox = (ctx.opts.click == Click::Lightbox).then(|| {
        view! {
            <Lightbox
                feed
                base=ctx.base.clone()
                target=ctx.opts.target.clone()
                shown=shown.into()
            />
        }
    });
    view! { {layout} {more} {lightbox} }
}

/// The masonry's blocks `(start, end)` for `shown` posts: the first `first`, then `step` at a
/// time.
fn blocks(first: usize, step: usize, shown: usize) -> Vec<(usize, usize)> {
    let mut out = vec![(0, first.min(shown))];
    let mut start = first;
    while start < shown {
        let end = (start + step.max(1)).min(shown);
        out.push((start, end));
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::blocks;

    #[test]
    fn loaded_posts_come_in_blocks_after_the_first() {
        assert_eq!(blocks(6, 4, 6), [(0, 6)]);
        assert_eq!(blocks(6, 4, 10), [(0, 6), (6, 10)]);
        assert_eq!(blocks(6, 4, 12), [(0, 6), (6, 10), (10, 12)]);
    }
}
