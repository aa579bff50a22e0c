//! Embed options, read from attributes: `data-X` on the script tag, `X` on `<feedframe-feed>`.
//! An invalid value is reported (the caller logs a `console.warn`) and replaced by the default,
//! so a typo never blanks the widget.

use std::fmt;

use crate::is_feed_name;

/// The feed-name rule in words (the rule itself is `feed::is_feed_name`).
pub const FEED_NAME_EXPECTED: &str = "a feed name (1-64 of a-z, 0-9, - and _)";

/// How posts are arranged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    /// A CSS grid of square tiles.
    #[default]
    Grid,
    /// One scroll-snapped row with previous/next buttons.
    Slider,
    /// Columns of tiles in their original aspect ratio, shortest column first.
    Masonry,
}

impl Layout {
    /// The attribute value, also `data-layout` on the widget root.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Grid => "grid",
            Self::Slider => "slider",
            Self::Masonry => "masonry",
        }
    }

    /// Parses an attribute value (exact, lower case).
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "grid" => Some(Self::Grid),
            "slider" => Some(Self::Slider),
            "masonry" => Some(Self::Masonry),
            _ => None,
        }
    }
}

/// Where a post's caption is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Captions {
    /// Not on the tiles (the lightbox still shows it).
    #[default]
    None,
    /// Over the tile, on hover and focus; below the tile on devices without hover.
    Overlay,
    /// Below the tile, clamped to a few lines.
    Below,
}

impl Captions {
    /// The attribute value, also `data-captions` on the widget root.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Overlay => "overlay",
            Self::Below => "below",
        }
    }

    /// Parses an attribute value: `below`, `overlay`, `none`, and the first wave's `on`/`off`
    /// spellings (`on` and a bare `captions` are `overlay`).
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "none" => Some(Self::None),
            "overlay" => Some(Self::Overlay),
            "below" => Some(Self::Below),
            other => switch(other).map(|on| if on { Self::Overlay } else { Self::None }),
        }
    }
}

/// What a click on a tile does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Click {
    /// Follow the link to the post on instagram.com.
    #[default]
    Link,
    /// Open the post in the widget's lightbox (the link still works without the wasm).
    Lightbox,
}

impl Click {
    /// The attribute value, also `data-click` on the widget root.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Link => "link",
            Self::Lightbox => "lightbox",
        }
    }

    /// Parses an attribute value (exact, lower case).
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "link" => Some(Self::Link),
            "lightbox" => Some(Self::Lightbox),
            _ => None,
        }
    }
}

/// Every option the widget reads, by attribute name (without `data-`).
pub const ATTRIBUTES: [&str; 11] = [
    "feed",
    "layout",
    "columns",
    "limit",
    "gap",
    "captions",
    "click",
    "load-more",
    "target",
    "autoplay",
    "fallback-text",
];

/// The widget's options, all validated.
///
/// ```
/// use feedframe_feed::options::{Layout, Options};
/// let (opts, warnings) = Options::from_attributes(|name| match name {
///     "layout" => Some("slider".to_string()),
///     "columns" => Some("three".to_string()),
///     _ => None,
/// });
/// assert_eq!(opts.layout, Layout::Slider);
/// assert_eq!(opts.columns, None); // invalid: responsive default
/// assert_eq!(warnings[0].attribute, "columns");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The feed's name on the proxy (`main`).
    pub feed: String,
    /// `grid` (default), `slider` or `masonry`.
    pub layout: Layout,
    /// Columns (slides in view for the slider), 1 to 8; `None` is responsive: 2, 3 from 480 px,
    /// 4 from 800 px of widget width.
    pub columns: Option<u8>,
    /// Posts shown, 1 to 50 (12).
    pub limit: u8,
    /// Gap between tiles in pixels, 0 to 64; `None` uses `--feedframe-gap` (8 px).
    pub gap: Option<u8>,
    /// Where captions are shown on the tiles (`none`).
    pub captions: Captions,
    /// What a click on a tile does (`link`).
    pub click: Click,
    /// Show a "Load more" button that reveals this many more posts at a time, 1 to 50 (none).
    pub load_more: Option<u8>,
    /// The links' target (`_blank`).
    pub target: String,
    /// Slider only: advance every 5 s, paused on hover and focus, never under
    /// `prefers-reduced-motion` (off).
    pub autoplay: bool,
    /// Text of the fallback card when no posts can be shown.
    pub fallback_text: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            feed: "main".into(),
            layout: Layout::Grid,
            columns: None,
            limit: DEFAULT_LIMIT,
            gap: None,
            captions: Captions::None,
            click: Click::Link,
            load_more: None,
            target: "_blank".into(),
            autoplay: false,
            fallback_text: None,
        }
    }
}

/// Posts shown when `limit` is not given.
pub const DEFAULT_LIMIT: u8 = 12;

/// An attribute whose value was invalid and was replaced by the default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionWarning {
    /// The attribute name without `data-`.
    pub attribute: &'static str,
    pub value: String,
    /// What would have been valid.
    pub expected: &'static str,
}

impl fmt::Display for OptionWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let instead = if self.attribute == "feed" {
            "Showing the fallback"
        } else {
            "Using the default"
        };
        write!(
            f,
            "FeedFrame: invalid {0}=\"{1}\" (data-{0} on the script tag); expected {2}. {instead}.",
            self.attribute, self.value, self.expected
        )
    }
}

impl Options {
    /// Reads and validates every option; `get` returns an attribute's value by name (without
    /// `data-`). Invalid values become defaults and are returned as warnings.
    pub fn from_attributes(get: impl Fn(&str) -> Option<String>) -> (Self, Vec<OptionWarning>) {
        let mut opts = Self::default();
        let mut warnings = Vec::new();
        let mut read =
            |attribute: &'static str, expected: &'static str, ok: &mut dyn FnMut(&str) -> bool| {
                if let Some(value) = get(attribute)
                    && !ok(value.trim())
                {
                    warnings.push(OptionWarning {
                        attribute,
                        value,
                        expected,
                    });
                }
            };
        // An invalid feed name is kept, never replaced by `main`: the widget then shows its
        // fallback (`WidgetError::InvalidFeedName`) instead of some other feed's posts.
        read("feed", FEED_NAME_EXPECTED, &mut |v| {
            opts.feed = v.to_string();
            is_feed_name(v)
        });
        read("layout", "grid, slider or masonry", &mut |v| {
            Layout::parse(v).map(|l| opts.layout = l).is_some()
        });
        read("columns", "a number from 1 to 8", &mut |v| {
            number(v, 1, 8).map(|n| opts.columns = Some(n)).is_some()
        });
        read("limit", "a number from 1 to 50", &mut |v| {
            number(v, 1, 50).map(|n| opts.limit = n).is_some()
        });
        read("gap", "pixels from 0 to 64", &mut |v| {
            number(v.strip_suffix("px").unwrap_or(v), 0, 64)
                .map(|n| opts.gap = Some(n))
                .is_some()
        });
        read("captions", "below, overlay or none", &mut |v| {
            Captions::parse(v).map(|c| opts.captions = c).is_some()
        });
        read("click", "link or lightbox", &mut |v| {
            Click::parse(v).map(|c| opts.click = c).is_some()
        });
        read("load-more", "a number from 1 to 50", &mut |v| {
            number(v, 1, 50).map(|n| opts.load_more = Some(n)).is_some()
        });
        read(
            "target",
            "_blank, _self, _parent, _top or a window name",
            &mut |v| {
                let valid =
                    matches!(v, "_blank" | "_self" | "_parent" | "_top") || is_window_name(v);
                if valid {
                    opts.target = v.to_string();
                }
                valid
            },
        );
        read("autoplay", "on or off", &mut |v| {
            switch(v).map(|b| opts.autoplay = b).is_some()
        });
        read("fallback-text", "some text", &mut |v| {
            let valid = !v.is_empty();
            if valid {
                opts.fallback_text = Some(v.to_string());
            }
            valid
        });
        (opts, warnings)
    }

    /// Tiles in the first row (or in view in the slider): the explicit columns, else the most
    /// the responsive layout shows (4). Their images are fetched first.
    pub fn first_row(&self) -> usize {
        usize::from(self.columns.unwrap_or(4))
    }

    /// The root element's inline style: the explicit columns and gap as the same custom
    /// properties a site owner would set, so the stylesheet has one source for both.
    ///
    /// ```
    /// use feedframe_feed::options::Options;
    /// let opts = Options { columns: Some(3), gap: Some(4), ..Options::default() };
    /// assert_eq!(opts.inline_style(), "--feedframe-columns:3;--feedframe-gap:4px;");
    /// ```
    pub fn inline_style(&self) -> String {
        let mut style = String::new();
        if let Some(columns) = self.columns {
            style.push_str("--feedframe-columns:");
            style.push_str(&columns.to_string());
            style.push(';');
        }
        if let Some(gap) = self.gap {
            style.push_str("--feedframe-gap:");
            style.push_str(&gap.to_string());
            style.push_str("px;");
        }
        style
    }
}

fn is_window_name(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 64
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn number(v: &str, min: u8, max: u8) -> Option<u8> {
    v.parse::<u8>().ok().filter(|n| (min..=max).contains(n))
}

/// `on`/`off` and the usual spellings; a bare attribute (`captions`) is on.
fn switch(v: &str) -> Option<bool> {
    match v {
        "" | "on" | "true" | "yes" | "1" => Some(true),
        "off" | "false" | "no" | "0" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> (Options, Vec<OptionWarning>) {
        Options::from_attributes(|name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn no_attributes_give_the_documented_defaults() {
        let (opts, warnings) = parse(&[]);
        assert_eq!(opts, Options::default());
        assert_eq!(opts.feed, "main");
        assert_eq!(opts.layout, Layout::Grid);
        assert_eq!(opts.limit, 12);
        assert_eq!(opts.target, "_blank");
        assert!(opts.captions == Captions::None && !opts.autoplay);
        assert_eq!((opts.click, opts.load_more), (Click::Link, None));
        assert!(warnings.is_empty());
    }

    #[test]
    fn every_option_is_read() {
        let (opts, warnings) = parse(&[
            ("feed", "shop-2"),
            ("layout", "masonry"),
            ("columns", "5"),
            ("limit", "9"),
            ("gap", "12px"),
            ("captions", "below"),
            ("click", "lightbox"),
            ("load-more", "6"),
            ("target", "_self"),
            ("autoplay", "true"),
            ("fallback-text", "  See us on Instagram "),
        ]);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            opts,
            Options {
                feed: "shop-2".into(),
                layout: Layout::Masonry,
                columns: Some(5),
                limit: 9,
                gap: Some(12),
                captions: Captions::Below,
                click: Click::Lightbox,
                load_more: Some(6),
                target: "_self".into(),
                autoplay: true,
                fallback_text: Some("See us on Instagram".into()),
            }
        );
    }

    #[test]
    fn an_invalid_feed_name_warns_and_is_kept_never_replaced_by_main() {
        for value in ["../admin", "Main", "bad name", ""] {
            let (opts, warnings) = parse(&[("feed", value)]);
            assert_eq!(opts.feed, value);
            assert_eq!(warnings.len(), 1, "{value}");
            let message = warnings[0].to_string();
            assert!(
                message.contains(&format!("feed=\"{value}\""))
                    && message.contains("Showing the fallback"),
                "{message}"
            );
        }
    }

    #[test]
    fn each_invalid_value_warns_with_its_attribute_and_keeps_the_default() {
        let cases = [
            ("layout", "carousel"),
            ("columns", "0"),
            ("columns", "9"),
            ("limit", "lots"),
            ("gap", "-1"),
            ("captions", "maybe"),
            ("click", "popup"),
            ("load-more", "0"),
            ("load-more", "51"),
            ("target", "javascript:alert(1)"),
            ("autoplay", "fast"),
            ("fallback-text", "   "),
        ];
        for (attribute, value) in cases {
            let (opts, warnings) = parse(&[(attribute, value)]);
            assert_eq!(opts, Options::default(), "{attribute}={value}");
            assert_eq!(warnings.len(), 1, "{attribute}={value}");
            assert_eq!(warnings[0].attribute, attribute);
            assert_eq!(warnings[0].value, value);
            let message = warnings[0].to_string();
            assert!(
                message.contains(&format!("{attribute}=\"{value}\"")),
                "{message}"
            );
        }
    }

    #[test]
    fn a_bare_boolean_attribute_means_on() {
        let (opts, _) = parse(&[("captions", ""), ("autoplay", "off")]);
        assert_eq!(opts.captions, Captions::Overlay);
        assert!(!opts.autoplay);
    }

    #[test]
    fn the_first_waves_caption_switch_still_reads() {
        assert_eq!(parse(&[("captions", "on")]).0.captions, Captions::Overlay);
        assert_eq!(parse(&[("captions", "off")]).0.captions, Captions::None);
        for c in [Captions::None, Captions::Overlay, Captions::Below] {
            assert_eq!(Captions::parse(c.as_str()), Some(c));
        }
        for c in [Click::Link, Click::Lightbox] {
            assert_eq!(Click::parse(c.as_str()), Some(c));
        }
    }

    #[test]
    fn inline_style_is_empty_without_explicit_columns_or_gap() {
        assert_eq!(Options::default().inline_style(), "");
    }

    #[test]
    fn layout_names_round_trip() {
        for l in [Layout::Grid, Layout::Slider, Layout::Masonry] {
            assert_eq!(Layout::parse(l.as_str()), Some(l));
        }
    }
}
