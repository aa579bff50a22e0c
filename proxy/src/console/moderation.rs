//! `GET /admin/feeds/{feed}/posts`: the feed's cached posts with what moderation makes of each
//! (shown, hidden, hidden by a rule, awaiting approval), and the owner's moderation:
//! - `POST …/posts/hide` and `…/posts/show` (`post`): hide a post, or unhide or approve it;
//! - `POST …/rules/hide` and `…/rules/unhide` (`term`): hide posts whose caption mentions a word
//!   or hashtag, or stop;
//! - `POST …/rules/only` (`hashtag`, empty for none): show only posts with a hashtag;
//! - `POST …/approval` (`approval=on|off`): the "new posts need approval" switch.
//!
//! A change is stored, then read into this instance's feed cache before the answer (303 back to
//! the page, which says what happened once): the next request for the feed is served by it.
//! Input that cannot be used is refused on the page itself (400), with the reason beside its
//! field and what was typed still in it; nothing is stored.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use feedframe_feed::{Feed, Post};
use leptos::prelude::*;
use serde::Deserialize;

use crate::clock;
use crate::error::ProxyError;
use crate::moderation::terms::{self, TermError};
use crate::moderation::{Moderation, Verdict};
use crate::server::AppState;
use crate::store::TermAdded;

use super::access::unavailable;
use super::feeds::{checked_feed, known_feed};
use super::session::SignedIn;
use super::view::{self, Field, PostRow, PostsPage, PostsView, Refusal};

/// The longest caption excerpt the page shows, in characters.
const EXCERPT_CHARS: usize = 120;
/// Thumbnails are the narrowest rendition at least this wide.
const THUMB_WIDTH: u32 = 150;

/// `GET /admin/feeds/{feed}/posts`.
pub async fn page(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(name): Path<String>,
) -> Response {
    let name = match known_feed(&state, &signed, &name).await {
        Ok(name) => name,
        Err(page) => return page,
    };
    render(&state, &signed, &name, StatusCode::OK, None).await
}

/// The page for `feed`, with the session's notice, or with `refusal` (then nothing was done).
async fn render(
    state: &AppState,
    signed: &SignedIn,
    feed: &str,
    status: StatusCode,
    refusal: Option<Refusal>,
) -> Response {
    let key = feed.to_string();
    let loaded = state
        .console
        .store
        .run(move |s| {
            Ok((
                s.feed_settings(&key)?,
                s.snapshot(&key)?,
                s.moderation(&key)?,
            ))
        })
        .await;
    let (settings, snapshot, moderation) = match loaded {
        Ok(loaded) => loaded,
        Err(e) => {
            tracing::error!(
                feed,
                "cannot read the feed's moderation for the console: {e}"
            );
            return unavailable();
        }
    };
    let posts = snapshot
        .as_ref()
        .and_then(|(body, _)| serde_json::from_str::<Feed>(body).ok())
        .map(|f| f.posts)
        .unwrap_or_default();
    let page = PostsView {
        feed: feed.to_string(),
        username: settings.map(|s| s.username).unwrap_or_default(),
        fetched: snapshot.map(|(_, at)| clock::human(at)),
        posts: posts
            .iter()
            .map(|p| row(p, moderation.verdict(p)))
            .collect(),
        hide_terms: moderation.hide_terms.clone(),
        show_only: moderation.show_only.clone(),
        approval_since: moderation.approval.as_ref().map(|a| clock::human(a.since)),
        notice: state.console.take_notice(&signed.id_hash),
        refusal,
    };
    let csrf = signed.csrf().to_string();
    view::html(
        status,
        view::document(move || view! { <PostsPage page csrf /> }),
    )
}

/// One post as the page lists it.
fn row(post: &Post, verdict: Verdict<'_>) -> PostRow {
    let thumb = post.media.first().map(|m| {
        m.variants
            .iter()
            .find(|v| v.width >= THUMB_WIDTH)
            .map_or((m.url.clone(), m.width, m.height), |v| {
                (v.url.clone(), Some(v.width), Some(v.height))
            })
    });
    PostRow {
        id: post.id.clone(),
        thumb,
        excerpt: excerpt(post.caption.as_deref()),
        date: date(&post.timestamp),
        timestamp: post.timestamp.clone(),
        permalink: post.permalink.clone(),
        state: verdict.as_str(),
        state_words: verdict.words(),
    }
}

/// The caption on one line, cut at [`EXCERPT_CHARS`].
fn excerpt(caption: Option<&str>) -> String {
    let Some(caption) = caption.filter(|c| !c.trim().is_empty()) else {
        return "(no caption)".into();
    };
    let line = caption.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= EXCERPT_CHARS {
        return line;
    }
    let cut: String = line.chars().take(EXCERPT_CHARS).collect();
    format!("{}\u{2026}", cut.trim_end())
}

/// A post's RFC 3339 timestamp for people (`2026-09-14 17:22 UTC`).
fn date(timestamp: &str) -> String {
    time::OffsetDateTime::parse(timestamp, &time::format_description::well_known::Rfc3339)
        .map_or_else(
            |_| timestamp.to_string(),
            |t| clock::human(t.unix_timestamp()),
        )
}

/// Checks the CSRF token and the feed, then runs `act`: its `Ok` words are shown on the page
/// after a 303, its `Err` refusal on the page at once (400).
async fn act<F, Fut>(
    state: AppState,
    signed: SignedIn,
    name: String,
    csrf: &str,
    act: F,
) -> Response
where
    F: FnOnce(AppState, String) -> Fut,
    Fut: Future<Output = Result<Result<String, Refusal>, ProxyError>>,
{
    let name = match checked_feed(&state, &signed, &name, csrf).await {
        Ok(name) => name,
        Err(page) => return page,
    };
    match act(state.clone(), name.clone()).await {
        Ok(Ok(words)) => {
            // Stored: this instance serves by it from the next request on (other instances
            // notice it by its version within a second, and so does this one if this fails).
            if let Err(e) = state.feeds.reload_moderation(&name).await {
                tracing::error!(feed = %name, "cannot apply the moderation at once: {e}");
            }
            state.console.notify(&signed.id_hash, words);
            Redirect::to(&posts_path(&name)).into_response()
        }
        Ok(Err(refusal)) => {
            render(
                &state,
                &signed,
                &name,
                StatusCode::BAD_REQUEST,
                Some(refusal),
            )
            .await
        }
        Err(ProxyError::FeedNotFound(_)) => {
            state
                .console
                .notify(&signed.id_hash, format!("There is no feed named '{name}'."));
            Redirect::to("/admin").into_response()
        }
        Err(e) => {
            tracing::error!(feed = %name, "cannot store the moderation: {e}");
            unavailable()
        }
    }
}

/// The moderation page of `feed`.
pub fn posts_path(feed: &str) -> String {
    format!("/admin/feeds/{feed}/posts")
}

#[derive(Deserialize)]
pub struct PostForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    post: String,
}

/// `POST /admin/feeds/{feed}/posts/hide`, and `…/posts/show` (unhides a post, or approves it).
pub async fn post(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((name, verb)): Path<(String, String)>,
    Form(PostForm { csrf, post }): Form<PostForm>,
) -> Response {
    let change = match verb.as_str() {
        "hide" => Change::Hide,
        "show" => Change::Show,
        _ => {
            return super::view::message_page(
                StatusCode::NOT_FOUND,
                "No such action",
                "A post can be hidden or shown.",
                super::view::Onward::Console,
            );
        }
    };
    act(state, signed, name, &csrf, |state, feed| async move {
        change_post(&state, &feed, post, change).await
    })
    .await
}

#[derive(Clone, Copy)]
enum Change {
    Hide,
    Show,
}

/// Hides or shows post `id` of `feed`, if the feed's stored snapshot has it; says what visitors
/// see of it now.
async fn change_post(
    state: &AppState,
    feed: &str,
    id: String,
    change: Change,
) -> Result<Result<String, Refusal>, ProxyError> {
    let (key, now) = (feed.to_string(), clock::now());
    let done = state
        .console
        .store
        .run(move |s| {
            let Some(post) = stored_post(s.snapshot(&key)?, &id) else {
                return Ok(Err(id));
            };
            let before = s.moderation(&key)?;
            match change {
                Change::Hide => s.hide_post(&key, &post.id, now)?,
                Change::Show => s.show_post(&key, &post.id, now)?,
            }
            Ok(Ok((post, before, s.moderation(&key)?)))
        })
        .await?;
    let (post, before, after) = match done {
        Ok(done) => done,
        Err(id) => {
            return Ok(Err(Refusal {
                field: Field::Post,
                message: format!(
                    "There is no post {} in feed '{feed}' (it may have left the feed since this \
                     page was loaded). Nothing was changed.",
                    shown_id(&id)
                ),
                typed: String::new(),
            }));
        }
    };
    let which = format!("the post of {}", date(&post.timestamp));
    Ok(Ok(match (change, after.verdict(&post)) {
        (Change::Hide, _) => format!("Hid {which}: visitors no longer see it."),
        (Change::Show, Verdict::Shown) if was_waiting(&before, &post) => {
            format!("Approved {which}: visitors see it now.")
        }
        (Change::Show, Verdict::Shown) => format!("Unhid {which}: visitors see it again."),
        (Change::Show, still) => format!(
            "Unhid {which}, but visitors still do not see it: {}.",
            still.words()
        ),
    }))
}

fn was_waiting(before: &Moderation, post: &Post) -> bool {
    before.verdict(post) == Verdict::AwaitingApproval
}

/// The post `id` of a stored snapshot, if it has it.
fn stored_post(snapshot: Option<(String, i64)>, id: &str) -> Option<Post> {
    let (body, _) = snapshot?;
    serde_json::from_str::<Feed>(&body)
        .ok()?
        .posts
        .into_iter()
        .find(|p| p.id == id)
}

/// A post id from a form, safe to quote back however long it was.
fn shown_id(id: &str) -> String {
    if id.trim().is_empty() {
        return "(none given)".into();
    }
    let cut: String = id.chars().take(40).collect();
    if cut.len() < id.len() {
        format!("\u{201c}{cut}\u{2026}\u{201d}")
    } else {
        format!("\u{201c}{cut}\u{201d}")
    }
}

#[derive(Deserialize)]
pub struct TermForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    term: String,
}

/// `POST /admin/feeds/{feed}/rules/hide`: hides posts whose caption mentions a word or hashtag.
pub async fn hide_term(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(name): Path<String>,
    Form(TermForm { csrf, term: typed }): Form<TermForm>,
) -> Response {
    act(state, signed, name, &csrf, |state, feed| async move {
        let refuse = |e: TermError| {
            Ok(Err(Refusal {
                field: Field::Term,
                message: e.to_string(),
                typed: typed.clone(),
            }))
        };
        let term = match terms::term(&typed) {
            Ok(term) => term,
            Err(e) => return refuse(e),
        };
        let (key, stored) = (feed.clone(), term.clone());
        let added = state
            .console
            .store
            .run(move |s| s.add_hide_term(&key, &stored, clock::now()))
            .await?;
        match added {
            TermAdded::Added => Ok(Ok(format!(
                "Posts whose caption mentions \u{201c}{term}\u{201d} are hidden now."
            ))),
            TermAdded::Known => Ok(Ok(format!(
                "Posts whose caption mentions \u{201c}{term}\u{201d} were already hidden."
            ))),
            TermAdded::Full => refuse(TermError::TooMany),
        }
    })
    .await
}

/// `POST /admin/feeds/{feed}/rules/unhide`: stops hiding posts by a word or hashtag.
pub async fn unhide_term(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(name): Path<String>,
    Form(TermForm { csrf, term: typed }): Form<TermForm>,
) -> Response {
    act(state, signed, name, &csrf, |state, feed| async move {
        let (key, term) = (feed.clone(), typed.clone());
        let removed = state
            .console
            .store
            .run(move |s| s.remove_hide_term(&key, &term))
            .await?;
        Ok(Ok(if removed {
            format!(
                "Posts are no longer hidden for mentioning \u{201c}{}\u{201d}.",
                typed
            )
        } else {
            "That rule was already gone.".to_string()
        }))
    })
    .await
}

#[derive(Deserialize)]
pub struct HashtagForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    hashtag: String,
}

/// `POST /admin/feeds/{feed}/rules/only`: shows only posts with a hashtag (none when empty).
pub async fn show_only(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(name): Path<String>,
    Form(HashtagForm {
        csrf,
        hashtag: typed,
    }): Form<HashtagForm>,
) -> Response {
    act(state, signed, name, &csrf, |state, feed| async move {
        let tag = if typed.trim().is_empty() {
            None
        } else {
            match terms::hashtag(&typed) {
                Ok(tag) => Some(tag),
                Err(e) => {
                    return Ok(Err(Refusal {
                        field: Field::Hashtag,
                        message: e.to_string(),
                        typed,
                    }));
                }
            }
        };
        let (key, stored) = (feed.clone(), tag.clone());
        state
            .console
            .store
            .run(move |s| s.set_show_only(&key, stored.as_deref()))
            .await?;
        Ok(Ok(match tag {
            Some(tag) => format!("Only posts with {tag} are shown now."),
            None => "Posts are shown with or without a particular hashtag now.".to_string(),
        }))
    })
    .await
}

#[derive(Deserialize)]
pub struct ApprovalForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    approval: String,
}

/// `POST /admin/feeds/{feed}/approval`: turns "new posts need approval" on or off.
pub async fn approval(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(name): Path<String>,
    Form(ApprovalForm { csrf, approval }): Form<ApprovalForm>,
) -> Response {
    act(state, signed, name, &csrf, |state, feed| async move {
        let on = match approval.as_str() {
            "on" => true,
            "off" => false,
            _ => {
                return Ok(Err(Refusal {
                    field: Field::Approval,
                    message: "Choose whether new posts need approval: on or off.".into(),
                    typed: String::new(),
                }));
            }
        };
        let key = feed.clone();
        state
            .console
            .store
            .run(move |s| s.set_approval(&key, on, clock::now()))
            .await?;
        Ok(Ok(if on {
            "New posts now wait for your approval before visitors see them; the posts shown \
             until now stay."
                .to_string()
        } else {
            "New posts are shown as soon as they are fetched; those that waited are shown now."
                .to_string()
        }))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_one_line_and_cut_with_an_ellipsis() {
        assert_eq!(excerpt(Some("a\n\nb  c")), "a b c");
        assert_eq!(excerpt(None), "(no caption)");
        let long = "é".repeat(EXCERPT_CHARS + 5);
        let cut = excerpt(Some(&long));
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 1);
        assert!(cut.ends_with('\u{2026}'));
    }

    #[test]
    fn a_quoted_post_id_is_bounded() {
        assert_eq!(shown_id(""), "(none given)");
        assert!(shown_id(&"9".repeat(500)).chars().count() < 50);
    }
}
