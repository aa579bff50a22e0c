//! The first view as HTML (feature `ssr`), rendered by the same components the browser hydrates:
//! what the proxy serves at `/v1/feeds/{feed}/view` and inside `/v1/feeds/{feed}/embed`.

use std::sync::Arc;

use feedframe_feed::Feed;
use leptos::prelude::*;

use crate::{
    Fetched, Options, STYLESHEET, class, outcome,
    view::{Ctx, Phase, Widget},
};

/// The fragment for `feed` with `opts`: the stylesheet, the view in an element the wasm hydrates
/// (`.ff-mount`, whose first child is the view), and the feed it was rendered from (the posts
/// shown, and with `load-more` those it can show next) as JSON for the hydration, which must build the same view from the same data.
/// Media URLs are resolved against `base` (the proxy as the page sees it; `""` keeps them
/// path-absolute).
///
/// ```
/// # use feedframe_widget::{Options, render::fragment, feed::{Feed, Profile, FeedStatus, FEED_VERSION}};
/// let feed = Feed { version: FEED_VERSION, feed: "main".into(), status: FeedStatus::Live,
///     fetched_at: None, posts: vec![], profile: Profile { username: "harbor".into(),
///     profile_url: "https://www.instagram.com/harbor/".into() } };
/// let html = fragment(&feed, &Options::default(), "https://f.example");
/// assert!(html.contains(r#"data-state="fallback""#)); // no posts: the "Follow @harbor" card
/// ```
pub fn fragment(feed: &Feed, opts: &Options, base: &str) -> String {
    let mut shown = feed.clone();
    // "Load more" shows posts the widget already has: all of them travel, the first `limit` show.
    if opts.load_more.is_none() {
        shown.posts.truncate(usize::from(opts.limit));
    }
    let view = view_html(&shown, opts, base);
    let data = script_json(&shown);
    [
        "<style>",
        STYLESHEET,
        "</style><div class=\"",
        class::MOUNT,
        "\">",
        &view,
        "</div><script type=\"application/json\" class=\"",
        class::DATA,
        "\">",
        &data,
        "</script>",
    ]
    .concat()
}

/// The widget's view of `feed` alone, as the browser would build it.
fn view_html(feed: &Feed, opts: &Options, base: &str) -> String {
    // Rendered inside an owner that is dropped after: without one, every request would leak.
    let owner = Owner::new();
    let html = owner.with(|| {
        let ctx = Arc::new(Ctx {
            opts: opts.clone(),
            base: base.to_string(),
            has_children: false,
            on_broken: Callback::new(|()| {}),
        });
        let phase = RwSignal::new(Phase::of(outcome(
            &opts.feed,
            "",
            Fetched::Feed(feed.clone()),
        )));
        view! { <Widget ctx phase /> }.to_html()
    });
    drop(owner);
    html
}

/// JSON that is safe inside `<script>`: no `<` at all, so neither `</script>` nor `<!--`.
fn script_json(feed: &Feed) -> String {
    serde_json::to_string(feed)
        .expect("a feed always serializes")
        .replace('<', "\\u003c")
}

pub use feedframe_feed::html::escape;

#[cfg(test)]
mod tests {
    use super::*;
    use feedframe_feed::{FEED_VERSION, FeedStatus, Media, Post, PostKind, Profile, Variant};

    fn feed(captions: &[&str]) -> Feed {
        Feed {
            version: FEED_VERSION,
            feed: "main".into(),
            status: FeedStatus::Live,
            fetched_at: None,
            profile: Profile {
                username: "harbor".into(),
                profile_url: "https://www.instagram.com/harbor/".into(),
            },
            posts: captions
                .iter()
                .enumerate()
                .map(|(i, c)| Post {
                    id: i.to_string(),
                    kind: PostKind::Image,
                    permalink: format!("https://www.instagram.com/p/{i}/"),
                    caption: Some(c.to_string()),
                    timestamp: "2026-09-14T17:22:08Z".into(),
                    media: vec![Media {
                        url: format!("/media/{i}.1080.jpg"),
                        width: Some(1080),
                        height: Some(1350),
                        color: Some("#aabbcc".into()),
                        variants: vec![Variant {
                            url: format!("/media/{i}.320.webp"),
                            width: 320,
                            height: 400,
                            mime: "image/webp".into(),
                        }],
                        placeholder: None,
                        video: None,
                    }],
                })
                .collect(),
        }
    }

    fn opts(pairs: &[(&str, &str)]) -> Options {
        Options::from_attributes(|name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
        .0
    }

    /// The part of the fragment that is the view (between the mount element and the data).
    fn view_part(html: &str) -> &str {
        let start = html.find("<div class=\"ff-mount\">").unwrap();
        let end = html.find("<script type=\"application/json\"").unwrap();
        &html[start..end]
    }

    #[test]
    fn captions_stay_text_in_the_view_and_in_the_data() {
        let hostile = r#"<script>alert(1)</script> "quoted" </style><img src=x onerror=alert(2)>"#;
        let html = fragment(
            &feed(&[hostile]),
            &opts(&[("captions", "on")]),
            "https://f.example",
        );
        // One <style>, one <script> (the JSON), and no tag from the caption anywhere.
        assert_eq!(html.matches("<script").count(), 1, "{html}");
        assert_eq!(html.matches("</style>").count(), 1, "{html}");
        assert!(!html.contains("<img src=x"), "{html}");
        let view = view_part(&html);
        assert!(
            view.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{view}"
        );
        // In the alt attribute, the quote cannot end the attribute.
        assert!(
            !view.contains(r#"alt="<script>alert(1)</script> "quoted""#),
            "{view}"
        );
        let data = &html[html.find("application/json").unwrap()..];
        assert!(
            !data[..data.len() - "</script>".len()].contains('<'),
            "{data}"
        );
        // The data still decodes to the caption exactly.
        let json_start = data.find('>').unwrap() + 1;
        let json = &data[json_start..data.len() - "</script>".len()];
        let back: Feed = serde_json::from_str(json).unwrap();
        assert_eq!(back.posts[0].caption.as_deref(), Some(hostile));
    }

    #[test]
    fn the_view_has_the_layout_state_and_one_tile_per_post_up_to_the_limit() {
        let f = feed(&["a", "b", "c", "d", "e"]);
        for layout in ["grid", "slider", "masonry"] {
            let html = fragment(
                &f,
                &opts(&[("layout", layout), ("limit", "4"), ("columns", "2")]),
                "https://f.example",
            );
            let view = view_part(&html);
            assert!(
                view.contains(&format!(r#"data-layout="{layout}""#)),
                "{view}"
            );
            assert!(view.contains(r#"data-state="ready""#), "{view}");
            assert_eq!(view.matches("<img").count(), 4, "{layout}: {view}");
            // Only the shown posts travel as data.
            assert_eq!(html.matches("\"permalink\"").count(), 4, "{layout}");
            // Media URLs resolved against the proxy; the first row fetched first.
            assert!(
                view.contains("https://f.example/media/0.320.webp 320w"),
                "{view}"
            );
            assert_eq!(
                view.matches(r#"fetchpriority="high""#).count(),
                2,
                "{layout}: {view}"
            );
            assert_eq!(view.matches(r#"loading="lazy""#).count(), 4, "{layout}");
        }
    }

    #[test]
    fn the_slider_has_its_controls_and_slide_labels() {
        let html = fragment(&feed(&["a", "b", "c"]), &opts(&[("layout", "slider")]), "");
        let view = view_part(&html);
        assert!(view.contains(r#"aria-label="Previous posts""#), "{view}");
        assert!(view.contains(r#"aria-label="Next posts""#), "{view}");
        assert!(view.contains(r#"aria-label="3 of 3""#), "{view}");
    }

    #[test]
    fn the_masonry_is_placed_on_the_server() {
        let html = fragment(
            &feed(&["a", "b", "c", "d"]),
            &opts(&[("layout", "masonry"), ("columns", "2")]),
            "",
        );
        let view = view_part(&html);
        assert!(view.contains("--ff-n:4"), "{view}");
        assert!(view.contains("--c:1;--k:0;--n:2;--b:0;--s:5000"), "{view}");
        // Responsive columns: a slot per breakpoint of the stylesheet, which picks one.
        let html = fragment(
            &feed(&["a", "b", "c", "d"]),
            &opts(&[("layout", "masonry")]),
            "",
        );
        let view = view_part(&html);
        for n in [2, 3, 4] {
            assert_eq!(view.matches(&format!("--c{n}:")).count(), 4, "{view}");
        }
        assert!(
            view.contains("--c2:1;--k2:0;--n2:2;--b2:0;--s2:5000"),
            "{view}"
        );
        assert!(!view.contains("--c:"), "{view}");
    }

    #[test]
    fn options_reach_the_root_and_the_links() {
        let html = fragment(
            &feed(&["a"]),
            &opts(&[("columns", "3"), ("gap", "4"), ("target", "_self")]),
            "",
        );
        let view = view_part(&html);
        assert!(
            view.contains("--feedframe-columns:3;--feedframe-gap:4px;"),
            "{view}"
        );
        assert!(view.contains(r#"target="_self""#), "{view}");
        assert!(
            view.contains(r#"href="https://www.instagram.com/p/0/""#),
            "{view}"
        );
    }
}
