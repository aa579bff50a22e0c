//! The embed snippets the builder writes, exactly as docs/widget.md shows them: the script tag,
//! the custom element, the iframe and the Leptos component. One definition, run by the proxy for the
//! page and by the browser on every change of the builder's form. Options are read by the widget's one
//! parser ([`Options::from_attributes`]) and written back only where they differ from the
//! defaults, so a snippet says what it changes.

use feedframe_feed::html::escape;
use feedframe_feed::options::{
    ATTRIBUTES, Captions, Click, DEFAULT_LIMIT, Layout, OptionWarning, Options,
};

/// The option names the builder offers, in the widget's order: all but the links' `target`
/// (a snippet for a site's own page keeps the default).
pub fn builder_options() -> impl Iterator<Item = &'static str> {
    ATTRIBUTES.into_iter().filter(|name| *name != "target")
}

/// The four ways to embed one configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippets {
    pub script: String,
    pub element: String,
    pub iframe: String,
    pub leptos: String,
}

/// Reads the builder's form (`get` returns a field by option name) with the widget's parser.
pub fn read(get: impl Fn(&str) -> Option<String>) -> (Options, Vec<OptionWarning>) {
    Options::from_attributes(|name| get(name).filter(|v| !v.trim().is_empty()))
}

/// `(name, value)` of every option that differs from the default (`feed` and `layout` always).
pub fn attributes(opts: &Options) -> Vec<(&'static str, String)> {
    let mut out = vec![
        ("feed", opts.feed.clone()),
        ("layout", opts.layout.as_str().to_string()),
    ];
    if let Some(c) = opts.columns {
        out.push(("columns", c.to_string()));
    }
    if opts.limit != DEFAULT_LIMIT {
        out.push(("limit", opts.limit.to_string()));
    }
    if let Some(g) = opts.gap {
        out.push(("gap", g.to_string()));
    }
    if opts.captions != Captions::None {
        out.push(("captions", opts.captions.as_str().to_string()));
    }
    if opts.click != Click::Link {
        out.push(("click", opts.click.as_str().to_string()));
    }
    if let Some(n) = opts.load_more {
        out.push(("load-more", n.to_string()));
    }
    if opts.autoplay && opts.layout == Layout::Slider {
        out.push(("autoplay", "on".to_string()));
    }
    if let Some(text) = &opts.fallback_text {
        out.push(("fallback-text", text.clone()));
    }
    out
}

/// The snippets for `opts` served by the proxy at `base` (`https://feeds.example.com`).
pub fn snippets(opts: &Options, base: &str) -> Snippets {
    let attrs = attributes(opts);
    let html_attrs = |prefix: &str| -> String {
        attrs
            .iter()
            .map(|(n, v)| format!(" {prefix}{n}=\"{}\"", escape(v)))
            .collect()
    };
    let script = format!(
        "<script src=\"{base}/widget.js\"{} async></script>",
        html_attrs("data-")
    );
    let element = format!(
        "<feedframe-feed{} src=\"{base}\">Follow us on Instagram</feedframe-feed>\n\
         <script src=\"{base}/widget.js\" async></script>",
        html_attrs("")
    );
    let iframe = format!(
        "<iframe src=\"{base}/v1/feeds/{feed}/embed?{query}\"\n        \
         title=\"Instagram feed\" style=\"width:100%;height:480px;border:0\" loading=\"lazy\"></iframe>\n\
         <script>\n  addEventListener(\"message\", (e) => {{\n    \
         if (e.origin !== \"{origin}\" || !e.data || e.data.feedframe !== \"height\") return;\n    \
         for (const f of document.querySelectorAll(\"iframe\")) if (f.contentWindow === e.source) f.style.height = e.data.height + \"px\";\n  \
         }});\n</script>",
        feed = opts.feed,
        query = embed_query(opts),
        origin = origin(base).unwrap_or(base),
    );
    Snippets {
        script,
        element,
        iframe,
        leptos: leptos(opts, base),
    }
}

/// The iframe page's query for `opts` (every option but the feed, which is in the path).
pub fn embed_query(opts: &Options) -> String {
    attributes(opts)
        .iter()
        .filter(|(n, _)| *n != "feed")
        .map(|(n, v)| format!("{n}={}", feedframe_feed::percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The preview frame's URL (path-absolute: the iframe page of this server) for `opts`.
pub fn preview_url(opts: &Options) -> String {
    format!("/v1/feeds/{}/embed?{}", opts.feed, embed_query(opts))
}

/// `scheme://host[:port]` of a URL.
///
/// ```
/// use feedframe_console_ui::snippet::origin;
/// assert_eq!(origin("https://f.example/ff/"), Some("https://f.example"));
/// assert_eq!(origin("http://127.0.0.1:8080"), Some("http://127.0.0.1:8080"));
/// ```
pub fn origin(url: &str) -> Option<&str> {
    let after = url.find("://")? + 3;
    Some(url[after..].find('/').map_or(url, |i| &url[..after + i]))
}

/// `view! { <FeedFrame … /> }` with the component's typed props.
fn leptos(opts: &Options, base: &str) -> String {
    let layout = match opts.layout {
        Layout::Grid => "Grid",
        Layout::Slider => "Slider",
        Layout::Masonry => "Masonry",
    };
    let mut props = format!(
        "src=\"{base}\" feed=\"{}\" layout=Layout::{layout}",
        opts.feed
    );
    if let Some(c) = opts.columns {
        props.push_str(&format!(" columns={c}"));
    }
    if opts.limit != DEFAULT_LIMIT {
        props.push_str(&format!(" limit={}", opts.limit));
    }
    if let Some(g) = opts.gap {
        props.push_str(&format!(" gap={g}"));
    }
    let mut uses = vec!["Layout"];
    if opts.captions != Captions::None {
        let captions = match opts.captions {
            Captions::Overlay => "Overlay",
            _ => "Below",
        };
        props.push_str(&format!(" captions=Captions::{captions}"));
        uses.push("Captions");
    }
    if opts.click == Click::Lightbox {
        props.push_str(" click=Click::Lightbox");
        uses.push("Click");
    }
    if let Some(n) = opts.load_more {
        props.push_str(&format!(" load_more={n}"));
    }
    if opts.autoplay && opts.layout == Layout::Slider {
        props.push_str(" autoplay=true");
    }
    if let Some(text) = &opts.fallback_text {
        props.push_str(&format!(" fallback_text={text:?}"));
    }
    uses.sort_unstable();
    format!(
        "use feedframe_widget::{{{}, web::FeedFrame}};\n\nview! {{ <FeedFrame {props} /> }}",
        uses.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(fields: &[(&str, &str)]) -> Options {
        read(|name| {
            fields
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_string())
        })
        .0
    }

    #[test]
    fn the_script_tag_is_the_documented_one_with_only_the_changes() {
        let s = snippets(
            &opts(&[("feed", "main"), ("layout", "grid")]),
            "https://feeds.example.com",
        );
        assert_eq!(
            s.script,
            r#"<script src="https://feeds.example.com/widget.js" data-feed="main" data-layout="grid" async></script>"#
        );
        let s = snippets(
            &opts(&[
                ("feed", "shop"),
                ("layout", "masonry"),
                ("columns", "3"),
                ("limit", "9"),
                ("gap", "4"),
            ]),
            "https://f.example",
        );
        assert_eq!(
            s.element,
            "<feedframe-feed feed=\"shop\" layout=\"masonry\" columns=\"3\" limit=\"9\" gap=\"4\" src=\"https://f.example\">Follow us on Instagram</feedframe-feed>\n<script src=\"https://f.example/widget.js\" async></script>"
        );
        assert!(
            s.iframe.starts_with(
                "<iframe src=\"https://f.example/v1/feeds/shop/embed?layout=masonry&columns=3&limit=9&gap=4\""
            ),
            "{}",
            s.iframe
        );
        assert!(s.iframe.contains("e.origin !== \"https://f.example\""));
        assert!(
            s.leptos.ends_with(
                "view! { <FeedFrame src=\"https://f.example\" feed=\"shop\" layout=Layout::Masonry columns=3 limit=9 gap=4 /> }"
            ),
            "{}",
            s.leptos
        );
    }

    #[test]
    fn the_gallery_options_reach_every_snippet() {
        let s = snippets(
            &opts(&[
                ("feed", "shop"),
                ("layout", "masonry"),
                ("captions", "below"),
                ("click", "lightbox"),
                ("load-more", "6"),
            ]),
            "https://f.example",
        );
        assert!(
            s.script.contains(
                r#"data-layout="masonry" data-captions="below" data-click="lightbox" data-load-more="6" async"#
            ),
            "{}",
            s.script
        );
        assert!(
            s.iframe
                .contains("embed?layout=masonry&captions=below&click=lightbox&load-more=6\""),
            "{}",
            s.iframe
        );
        assert!(
            s.leptos.starts_with(
                "use feedframe_widget::{Captions, Click, Layout, web::FeedFrame};"
            ) && s.leptos.contains(
                "layout=Layout::Masonry captions=Captions::Below click=Click::Lightbox load_more=6 />"
            ),
            "{}",
            s.leptos
        );
    }

    #[test]
    fn text_is_escaped_and_invalid_values_fall_back_to_the_defaults() {
        let (o, warnings) = read(|name| match name {
            "columns" => Some("twelve".into()),
            "fallback-text" => Some("\"><script>alert(1)</script>".into()),
            _ => None,
        });
        assert_eq!(o.columns, None);
        assert_eq!(warnings[0].attribute, "columns");
        let s = snippets(&o, "http://127.0.0.1:8080/ff");
        assert!(!s.script.contains("<script>alert"), "{}", s.script);
        assert!(
            s.iframe.contains("fallback-text=%22%3E%3Cscript%3E"),
            "{}",
            s.iframe
        );
        assert!(s.iframe.contains("e.origin !== \"http://127.0.0.1:8080\""));
    }
}
