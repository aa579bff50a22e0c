//! The wasm's entry point: hydrates every root the proxy rendered (see [`crate::island`]).

use leptos::prelude::*;
use wasm_bindgen::{JsCast, prelude::wasm_bindgen};
use web_sys::HtmlElement;

use crate::island::{HYDRATED_ATTR, ISLAND_ATTR, Island, PROPS_ATTR};
use crate::{Builder, BuilderData, CopyBlock, CopyData};

/// Runs when the module is instantiated: hydrates each `[data-island]` element's children with
/// its component and props. A root whose props cannot be read stays server HTML (its forms work).
#[wasm_bindgen(start)]
pub fn start() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(roots) = document.query_selector_all(&format!("[{ISLAND_ATTR}]")) else {
        return;
    };
    for i in 0..roots.length() {
        let Some(root) = roots.item(i).and_then(|n| n.dyn_into::<HtmlElement>().ok()) else {
            continue;
        };
        if hydrate(&root).is_some() {
            let _ = root.set_attribute(HYDRATED_ATTR, "");
        } else {
            web_sys::console::warn_1(
                &"FeedFrame console: a part of this page could not start; its forms still work"
                    .into(),
            );
        }
    }
}

fn hydrate(root: &HtmlElement) -> Option<()> {
    let island = Island::parse(&root.get_attribute(ISLAND_ATTR)?)?;
    let props = js_sys::JSON::parse(&root.get_attribute(PROPS_ATTR)?).ok()?;
    match island {
        Island::Builder => {
            let props: BuilderData = serde_wasm_bindgen::from_value(props).ok()?;
            leptos::mount::hydrate_from(root.clone(), move || view! { <Builder props /> }).forget();
        }
        Island::Copy => {
            let CopyData { id, text } = serde_wasm_bindgen::from_value(props).ok()?;
            leptos::mount::hydrate_from(root.clone(), move || view! { <CopyBlock id text /> })
                .forget();
        }
    }
    Some(())
}
