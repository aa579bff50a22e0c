//! Hydrated roots ("islands") in the console's server-rendered pages. The proxy renders each
//! interactive component inside an element that names it and carries its props as JSON; the
//! browser finds those elements and hydrates each one's children with the same component and
//! the same props, so both sides build the same DOM.

#[cfg(feature = "ssr")]
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{Builder, BuilderData, CopyBlock, CopyData};

/// The attribute naming a root's component (its value is [`Island::as_str`]).
pub const ISLAND_ATTR: &str = "data-island";
/// The attribute holding a root's props as JSON.
pub const PROPS_ATTR: &str = "data-props";
/// Set on a root once the browser has hydrated it (tests wait for it; nothing on screen changes).
pub const HYDRATED_ATTR: &str = "data-hydrated";

/// The interactive components a console page can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Island {
    /// The snippet builder ([`crate::Builder`]).
    Builder,
    /// A text with its copy button ([`crate::CopyBlock`]).
    Copy,
}

impl Island {
    /// The [`ISLAND_ATTR`] value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Builder => "builder",
            Self::Copy => "copy",
        }
    }

    /// Parses an [`ISLAND_ATTR`] value.
    pub fn parse(value: &str) -> Option<Self> {
        [Self::Builder, Self::Copy]
            .into_iter()
            .find(|i| i.as_str() == value)
    }
}

/// The server's root element for `island`: its props as JSON, and `children` as the first and
/// only content (no whitespace before it: hydration starts at the first child).
#[cfg(feature = "ssr")]
fn root(island: Island, props: String, children: impl IntoView) -> impl IntoView {
    view! { <div class="island" data-island=island.as_str() data-props=props>{children}</div> }
}

#[cfg(feature = "ssr")]
fn json(props: &impl serde::Serialize) -> String {
    serde_json::to_string(props).expect("props always serialize")
}

/// The snippet builder as the server renders it, ready to hydrate.
#[cfg(feature = "ssr")]
pub fn builder_root(props: BuilderData) -> impl IntoView {
    root(Island::Builder, json(&props), view! { <Builder props /> })
}

/// A copy block as the server renders it, ready to hydrate.
#[cfg(feature = "ssr")]
pub fn copy_root(props: CopyData) -> impl IntoView {
    let json = json(&props);
    let CopyData { id, text } = props;
    root(Island::Copy, json, view! { <CopyBlock id text /> })
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    fn html(view: impl FnOnce() -> AnyView) -> String {
        let owner = Owner::new();
        let html = owner.with(|| view().to_html());
        drop(owner);
        html
    }

    #[test]
    fn a_root_names_its_component_and_carries_its_props() {
        let props = CopyData {
            id: "invite-link".into(),
            text: "https://f.example/admin/invite/\"x\"".into(),
        };
        let out = html(|| copy_root(props).into_any());
        assert!(
            out.starts_with(&format!("<div {ISLAND_ATTR}=\"copy\" {PROPS_ATTR}=\"")),
            "{out}"
        );
        assert!(
            out.contains("&quot;id&quot;:&quot;invite-link&quot;"),
            "{out}"
        );
        assert!(out.contains("><pre><code id=\"invite-link\">"), "{out}");
        assert!(out.contains("data-copy=\"invite-link\""), "{out}");
        assert_eq!(Island::parse("copy"), Some(Island::Copy));
        assert_eq!(Island::parse("nope"), None);
    }

    #[test]
    fn the_builder_shows_the_snippets_and_preview_of_its_fields() {
        let props = BuilderData {
            feeds: vec!["main".into(), "shop".into()],
            base: "https://f.example".into(),
            fields: vec![
                ("feed".into(), "shop".into()),
                ("layout".into(), "masonry".into()),
                ("columns".into(), "twelve".into()),
            ],
        };
        let out = html(|| builder_root(props).into_any());
        assert!(
            out.contains("src=\"/v1/feeds/shop/embed?layout=masonry\""),
            "{out}"
        );
        assert!(out.contains("invalid columns=\"twelve\""), "{out}");
        assert!(
            out.contains("data-feed=\"shop\" data-layout=\"masonry\" async&gt;"),
            "{out}"
        );
        assert!(out.contains("<option selected>shop</option>"), "{out}");
    }
}
