//! The lightbox (`click="lightbox"`): a post opened over the page in a modal `<dialog>`, with
//! its carousel's children, its video, its caption and date, and a link to Instagram.
//!
//! The native modal dialog puts it in the top layer (no host or layout CSS can clip it), makes
//! the page behind inert and closes on Esc; the rest is here: focus stays inside on Tab, returns
//! to the tile that opened it, the page behind does not scroll, and the previous and next posts
//! come by buttons, arrow keys and swipe. Opening fetches nothing but images: the posts are
//! the ones the widget already has.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use feedframe_feed::{Feed, profile_url};
use leptos::{either::EitherOf3, html, prelude::*};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, KeyboardEvent, MouseEvent, Node, PointerEvent};

use super::date::local_date;
use crate::{
    class,
    gallery::{GalleryPost, Slide, position, step},
    picture::WEBP,
};

/// The image is shown at most 1080 px wide, as wide as the screen below that.
const SIZES: &str = "(min-width: 1080px) 1080px, 100vw";
/// A horizontal move longer than this (CSS px) is a swipe.
const SWIPE_PX: i32 = 40;

/// Which post the lightbox shows (its place in the feed), and the tile that opened it.
#[derive(Clone, Copy)]
pub struct Opener {
    pub post: RwSignal<Option<usize>>,
    invoker: StoredValue<Option<HtmlElement>, LocalStorage>,
}

impl Opener {
    pub fn new() -> Self {
        Self {
            post: RwSignal::new(None),
            invoker: StoredValue::new_local(None),
        }
    }

    /// Opens post `index`; focus returns to `from` when the lightbox closes.
    pub fn open(&self, index: usize, from: HtmlElement) {
        self.invoker.set_value(Some(from));
        self.post.set(Some(index));
    }
}

/// Ids of the captions that label the dialogs: unique on the page, also for widgets mounted
/// as Leptos components (no shadow root of their own).
static NEXT_ID: AtomicUsize = AtomicUsize::new(0);

/// The dialog for `feed`'s posts, of which the first `shown` are on the page.
#[component]
pub fn Lightbox(
    feed: Arc<Feed>,
    /// The proxy's base URL (media URLs resolve against it).
    base: String,
    /// The links' target.
    target: String,
    shown: Signal<usize>,
) -> impl IntoView {
    let opener = expect_context::<Opener>();
    let dialog = NodeRef::<html::Dialog>::new();
    let slide = RwSignal::new(0_usize);
    let overflow = StoredValue::new_local(None::<String>);
    let swipe = StoredValue::new(None::<(i32, i32)>);
    let caption_id = format!("ff-lb-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
    let target_link = target.clone();
    // Set once open: the server renders the dialog closed, with an id of its own counter.
    let labelled_by = {
        let id = caption_id.clone();
        move || opener.post.with(Option::is_some).then(|| id.clone())
    };
    // Copyable handles: the handlers below are `Copy` closures.
    let feed = StoredValue::new(feed);
    let base = StoredValue::new(base);
    let slides = move |i: usize| feed.with_value(|f| f.posts.get(i).map_or(1, |p| p.media.len()));
    let gallery =
        move |i: usize| {
            feed.with_value(|f| {
                let username = &f.profile.username;
                let post = f.posts.get(i)?;
                Some(base.with_value(|base| {
                    GalleryPost::new(post, username, &profile_url(username), base)
                }))
            })
        };
    // The signal opens the native dialog; every way of closing it ends in its `close` event.
    Effect::new(move || {
        let open = opener.post.with(Option::is_some);
        let Some(d) = dialog.get() else { return };
        if open && !d.open() && d.show_modal().is_ok() {
            overflow.set_value(lock_page_scroll());
        } else if !open && d.open() {
            d.close();
        }
    });
    let on_close = move |_| {
        opener.post.set(None);
        slide.set(0);
        if let Some(before) = overflow.try_update_value(Option::take).flatten() {
            unlock_page_scroll(&before);
        }
        if let Some(tile) = opener.invoker.try_update_value(Option::take).flatten() {
            let _ = tile.focus();
        }
    };
    let close = move || {
        if let Some(d) = dialog.get_untracked() {
            d.close();
        }
    };
    let go_post = move |dir: i32| {
        if let Some(i) = opener.post.get_untracked()
            && let Some(j) = step(i, dir, shown.get_untracked())
        {
            slide.set(0);
            opener.post.set(Some(j));
        }
    };
    // A swipe moves through a carousel's children first, then to the next post.
    let go_slide = move |dir: i32| {
        let count = opener.post.get_untracked().map_or(1, slides);
        match step(slide.get_untracked(), dir, count) {
            Some(k) => slide.set(k),
            None => go_post(dir),
        }
    };
    let on_key = move |e: KeyboardEvent| {
        let Some(d) = dialog.get_untracked() else {
            return;
        };
        let target = e.target().and_then(|t| t.dyn_into::<Element>().ok());
        // A video's own controls take the arrow keys.
        let in_video = target.as_ref().is_some_and(|t| t.tag_name() == "VIDEO");
        match e.key().as_str() {
            "ArrowLeft" | "ArrowRight" if !in_video => {
                e.prevent_default();
                go_post(if e.key() == "ArrowLeft" { -1 } else { 1 });
                // The focused element may have gone with the old post: keep focus inside.
                if !target.is_some_and(|t| t.is_connected()) {
                    let _ = d.focus();
                }
            }
            "Tab" => keep_focus_inside(&d, &e),
            _ => {}
        }
    };
    // A click on the backdrop (the dialog itself, around its content) closes it.
    let on_click = move |e: MouseEvent| {
        if let (Some(d), Some(t)) = (dialog.get_untracked(), e.target())
            && d.is_same_node(t.dyn_ref::<Node>())
        {
            close();
        }
    };
    let on_pointer_down =
        move |e: PointerEvent| swipe.set_value(Some((e.client_x(), e.client_y())));
    let on_pointer_up = move |e: PointerEvent| {
        if let Some((x, y)) = swipe.try_update_value(Option::take).flatten() {
            let (dx, dy) = (e.client_x() - x, e.client_y() - y);
            if dx.abs() > SWIPE_PX && dx.abs() > dy.abs() {
                go_slide(if dx < 0 { 1 } else { -1 });
            }
        }
    };
    let at = move |end: i32| {
        let last = shown.get().saturating_sub(1);
        let i = opener.post.get().unwrap_or(0);
        (if end < 0 { i == 0 } else { i >= last }).then_some("true")
    };
    let body = move || {
        let p = gallery(opener.post.get()?)?;
        let count = p.slides.len();
        let href = p.href.clone();
        let target = target.clone();
        // The current slide and the dots, re-rendered together when the slide changes.
        let media = move || {
            let k = slide.get().min(count - 1);
            let dots = (count > 1).then(|| {
                let dot = |i: usize| {
                    view! {
                        <button
                            type="button"
                            class=class::LB_DOT
                            aria-label=position(i, count)
                            aria-current=(i == k).then_some("true")
                            on:click=move |_| slide.set(i)
                        ></button>
                    }
                };
                view! {
                    <div class=class::LB_DOTS role="group" aria-label="Album">
                        {(0..count).map(dot).collect_view()}
                    </div>
                }
            });
            view! {
                <div
                    class=class::LB_MEDIA
                    on:pointerdown=on_pointer_down
                    on:pointerup=on_pointer_up
                    on:pointercancel=move |_| swipe.set_value(None)
                >
                    {slide_view(&p.slides[k], k, count, &href, &target)}
                </div>
                {dots}
            }
        };
        // The dialog is labelled by the caption, or by the alt text when there is none.
        let (label, hidden) = match p.caption.clone() {
            Some(caption) => (caption, false),
            None => (p.label.clone(), true),
        };
        Some(view! {
            <div class=class::LB_POST>
                {media}
                <div class=class::LB_TEXT>
                    <p id=caption_id.clone() class=class::LB_CAPTION dir="auto" hidden=hidden>{label}</p>
                    <time class=class::LB_DATE datetime=p.timestamp.clone()>
                        {local_date(&p.timestamp)}
                    </time>
                    <a class=class::LB_LINK href=p.href.clone() target=target_link.clone() rel="noopener noreferrer">
                        "View on Instagram"
                    </a>
                </div>
            </div>
        })
    };
    view! {
        <dialog
            node_ref=dialog
            class=class::LIGHTBOX
            aria-modal="true"
            aria-labelledby=labelled_by
            tabindex="-1"
            on:close=on_close
            on:keydown=on_key
            on:click=on_click
        >
            <button type="button" class=class::LB_CLOSE aria-label="Close" on:click=move |_| close()></button>
            <button
                type="button"
                class=class::list(&[class::NAV, class::PREV, class::LB_PREV])
                aria-label="Previous post"
                aria-disabled=move || at(-1)
                on:click=move |_| go_post(-1)
            ></button>
            {body}
            <button
                type="button"
                class=class::list(&[class::NAV, class::NEXT, class::LB_NEXT])
                aria-label="Next post"
                aria-disabled=move || at(1)
                on:click=move |_| go_post(1)
            ></button>
        </dialog>
    }
}

/// One image or video, labelled "2 of 5" in a carousel.
fn slide_view(
    slide: &Slide,
    index: usize,
    count: usize,
    href: &str,
    target: &str,
) -> impl IntoView + use<> {
    let label = (count > 1).then(|| position(index, count));
    let p = &slide.picture;
    let inner = if let Some(src) = &slide.video {
        EitherOf3::A(view! {
            <video
                class=class::LB_VIDEO
                controls
                playsinline
                preload="none"
                poster=p.src.clone()
                src=src.clone()
                width=p.width
                height=p.height
            ></video>
        })
    } else {
        let picture = view! {
            <picture style=Some(p.color_style()).filter(|s| !s.is_empty())>
                {p.webp.clone().map(|srcset| view! { <source type=WEBP sizes=SIZES srcset=srcset /> })}
                <img
                    class=class::LB_IMG
                    alt=slide.alt.clone()
                    sizes=p.srcset.is_some().then_some(SIZES)
                    srcset=p.srcset.clone()
                    src=p.src.clone()
                    width=p.width
                    height=p.height
                />
            </picture>
        };
        if slide.watch_on_instagram {
            EitherOf3::B(view! {
                {picture}
                <a class=class::LB_WATCH href=href.to_string() target=target.to_string() rel="noopener noreferrer">
                    "Watch on Instagram"
                </a>
            })
        } else {
            EitherOf3::C(picture)
        }
    };
    view! {
        <div class=class::LB_SLIDE role="group" aria-roledescription=label.is_some().then_some("slide") aria-label=label>
            {inner}
        </div>
    }
}

/// Tab from the last focusable element goes to the first, Shift+Tab from the first (or the
/// dialog itself) to the last: focus never leaves the lightbox.
fn keep_focus_inside(dialog: &HtmlElement, e: &KeyboardEvent) {
    let Ok(list) = dialog.query_selector_all("button,a[href],video[controls]") else {
        return;
    };
    let item = |i: u32| list.item(i).and_then(|n| n.dyn_into::<HtmlElement>().ok());
    let (Some(first), Some(last)) = (item(0), item(list.length().saturating_sub(1))) else {
        return;
    };
    let on = |el: &HtmlElement| {
        e.target()
            .is_some_and(|t| el.is_same_node(t.dyn_ref::<Node>()))
    };
    let to = if e.shift_key() {
        (on(&first) || on(dialog)).then_some(last)
    } else {
        on(&last).then_some(first)
    };
    if let Some(el) = to {
        e.prevent_default();
        let _ = el.focus();
    }
}

/// Stops the page behind from scrolling; returns the `overflow` it had.
fn lock_page_scroll() -> Option<String> {
    let root = document()
        .document_element()?
        .dyn_into::<HtmlElement>()
        .ok()?;
    let style = root.style();
    let before = style.get_property_value("overflow").ok()?;
    style.set_property("overflow", "hidden").ok()?;
    Some(before)
}

/// Gives the page back its `overflow`.
fn unlock_page_scroll(before: &str) {
    if let Some(root) = document()
        .document_element()
        .and_then(|r| r.dyn_into::<HtmlElement>().ok())
    {
        let style = root.style();
        let _ = if before.is_empty() {
            style.remove_property("overflow").map(|_| ())
        } else {
            style.set_property("overflow", before)
        };
    }
}
