//! A feed's moderation page: the rules, the approval switch, and the cached posts with what
//! visitors see of each and the buttons to change it. Plain forms: it works without JavaScript.

use leptos::prelude::*;

use super::{Shell, TopBar};

/// One cached post as the page lists it (all text already in words).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostRow {
    pub id: String,
    /// The thumbnail's URL, width and height.
    pub thumb: Option<(String, Option<u32>, Option<u32>)>,
    pub excerpt: String,
    /// For people: `2026-09-14 17:22 UTC`.
    pub date: String,
    /// RFC 3339, for `<time datetime>`.
    pub timestamp: String,
    pub permalink: String,
    /// `shown`, `hidden`, `pending` or `rule` (`moderation::Verdict::as_str`).
    pub state: &'static str,
    /// "shown", "hidden by rule: mentions “#sale”", …
    pub state_words: String,
}

/// The form a refusal is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// A post's Hide, Unhide or Approve button.
    Post,
    /// The word or hashtag to hide.
    Term,
    /// The hashtag to show only.
    Hashtag,
    /// The approval switch.
    Approval,
}

/// Input that could not be used: why, in words, and what was typed (shown again in its field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub field: Field,
    pub message: String,
    pub typed: String,
}

/// What the page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostsView {
    pub feed: String,
    pub username: String,
    /// When the listed posts were fetched, if ever.
    pub fetched: Option<String>,
    /// Newest first.
    pub posts: Vec<PostRow>,
    pub hide_terms: Vec<String>,
    pub show_only: Option<String>,
    /// When "new posts need approval" was turned on, if it is on.
    pub approval_since: Option<String>,
    /// The result of the last action, shown once.
    pub notice: Option<String>,
    pub refusal: Option<Refusal>,
}

/// `GET /admin/feeds/{feed}/posts`.
#[component]
pub fn PostsPage(page: PostsView, #[prop(into)] csrf: String) -> impl IntoView {
    let PostsView {
        feed,
        username,
        fetched,
        posts,
        hide_terms,
        show_only,
        approval_since,
        notice,
        refusal,
    } = page;
    let base = format!("/admin/feeds/{feed}");
    // The refusal of a form without a field of its own is shown at the top.
    let (top_error, field_error) = match refusal {
        Some(r) if matches!(r.field, Field::Post | Field::Approval) => (Some(r.message), None),
        other => (None, other),
    };
    let error_for = |field: Field| field_error.clone().filter(|r| r.field == field);
    let (term_error, hashtag_error) = (error_for(Field::Term), error_for(Field::Hashtag));
    let shown = posts.iter().filter(|p| p.state == "shown").count();
    let total = posts.len();
    view! {
        <Shell title=format!("Posts of {feed}")>
            <TopBar csrf=csrf.clone() current="feeds" />
            <main class="moderation">
                <p><a href="/admin">"← All feeds"</a></p>
                <h1>"Posts of " {feed.clone()} " " <span class="account">{format!("@{username}")}</span></h1>
                {notice.map(|n| view! { <p class="message" role="status">{n}</p> })}
                {top_error.map(|e| view! { <p class="message error" role="alert">{e}</p> })}
                <p>
                    "Hidden posts never reach visitors: not the feed JSON, not the first view, not the widget. Each change applies from the next request on."
                </p>
                <section class="panel" aria-labelledby="rules-title">
                    <h2 id="rules-title">"Rules"</h2>
                    <p class="hint">
                        "Captions are matched whole word by whole word, in any case: "
                        <code>"sale"</code> " hides “Big SALE” and “#sale” but not “wholesale”; "
                        <code>"#pot"</code> " hides “#pot” but not “#pottery”."
                    </p>
                    <Terms base=base.clone() csrf=csrf.clone() terms=hide_terms refusal=term_error />
                    <ShowOnly base=base.clone() csrf=csrf.clone() current=show_only refusal=hashtag_error />
                </section>
                <Approval base=base.clone() csrf=csrf.clone() since=approval_since />
                <section aria-labelledby="posts-title">
                    <h2 id="posts-title">"Posts"</h2>
                    {match fetched {
                        Some(at) => view! {
                            <p>{format!("As last fetched from Instagram, {at}: visitors see {shown} of these {total} posts.")}</p>
                        }.into_any(),
                        None => view! {
                            <p>"No posts yet: the feed has not been fetched from Instagram."</p>
                        }.into_any(),
                    }}
                    <ul class="posts">
                        {posts
                            .into_iter()
                            .map(|post| view! { <PostItem post base=base.clone() csrf=csrf.clone() /> })
                            .collect_view()}
                    </ul>
                </section>
            </main>
        </Shell>
    }
}

/// The words and hashtags to hide, each with its button, and the form that adds one.
#[component]
fn Terms(
    base: String,
    csrf: String,
    terms: Vec<String>,
    refusal: Option<Refusal>,
) -> impl IntoView {
    let typed = refusal.as_ref().map(|r| r.typed.clone());
    let invalid = refusal.is_some().then_some("true");
    let described = if refusal.is_some() {
        "hide-term-error hide-term-hint"
    } else {
        "hide-term-hint"
    };
    let unhide = format!("{base}/rules/unhide");
    view! {
        <h3>"Words and hashtags to hide"</h3>
        {if terms.is_empty() {
            view! { <p>"None: no post is hidden for its caption."</p> }.into_any()
        } else {
            view! {
                <ul class="terms">
                    {terms
                        .into_iter()
                        .map(|term| {
                            let label = format!(" posts that mention “{term}”");
                            let (key, text) = (term.clone(), term.clone());
                            view! {
                                <li data-term=key>
                                    <span class="term">{text}</span>
                                    <form method="post" action=unhide.clone()>
                                        <input type="hidden" name="csrf" value=csrf.clone() />
                                        <input type="hidden" name="term" value=term />
                                        <button type="submit" class="quiet">"Stop hiding" <span class="visually-hidden">{label}</span></button>
                                    </form>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }.into_any()
        }}
        <form method="post" action=format!("{base}/rules/hide") class="inline">
            <input type="hidden" name="csrf" value=csrf />
            <label for="hide-term">"Hide posts whose caption mentions"</label>
            <input id="hide-term" name="term" required=true value=typed aria-invalid=invalid aria-describedby=described autocomplete="off" placeholder="#giveaway" />
            <button type="submit">"Add rule"</button>
            <p id="hide-term-hint" class="hint">"A word, a few words or a #hashtag, at most 100 characters."</p>
            {refusal.map(|r| view! { <p id="hide-term-error" class="message error" role="alert">{r.message}</p> })}
        </form>
    }
}

/// The hashtag every shown post must carry.
#[component]
fn ShowOnly(
    base: String,
    csrf: String,
    current: Option<String>,
    refusal: Option<Refusal>,
) -> impl IntoView {
    let value = match &refusal {
        Some(r) => r.typed.clone(),
        None => current.clone().unwrap_or_default(),
    };
    let invalid = refusal.is_some().then_some("true");
    let described = if refusal.is_some() {
        "show-only-error show-only-hint"
    } else {
        "show-only-hint"
    };
    view! {
        <h3>"Show only posts with a hashtag"</h3>
        <p class="show-only-now">
            {match current {
                Some(tag) => format!("Only posts with {tag} are shown."),
                None => "Off: posts are shown with or without a particular hashtag.".to_string(),
            }}
        </p>
        <form method="post" action=format!("{base}/rules/only") class="inline">
            <input type="hidden" name="csrf" value=csrf />
            <label for="show-only">"Hashtag every shown post must have"</label>
            <input id="show-only" name="hashtag" value=value aria-invalid=invalid aria-describedby=described autocomplete="off" placeholder="#pottery" />
            <button type="submit">"Save"</button>
            <p id="show-only-hint" class="hint">"Leave it empty to show posts with or without one."</p>
            {refusal.map(|r| view! { <p id="show-only-error" class="message error" role="alert">{r.message}</p> })}
        </form>
    }
}

/// The "new posts need approval" switch.
#[component]
fn Approval(base: String, csrf: String, since: Option<String>) -> impl IntoView {
    let on = since.is_some();
    view! {
        <section class="panel approval" aria-labelledby="approval-title" data-approval=if on { "on" } else { "off" }>
            <h2 id="approval-title">"New posts need approval"</h2>
            <p>
                {match since {
                    Some(at) => format!("On since {at}: posts fetched after that stay hidden until you approve them."),
                    None => "Off: new posts are shown as soon as they are fetched.".to_string(),
                }}
            </p>
            <form method="post" action=format!("{base}/approval")>
                <input type="hidden" name="csrf" value=csrf />
                {if on {
                    view! { <button type="submit" name="approval" value="off">"Stop requiring approval"</button> }.into_any()
                } else {
                    view! { <button type="submit" name="approval" value="on">"Require approval for new posts"</button> }.into_any()
                }}
            </form>
        </section>
    }
}

/// One post with its state and buttons.
#[component]
fn PostItem(post: PostRow, base: String, csrf: String) -> impl IntoView {
    let which = format!(" the post of {}", post.date);
    let button = |verb: &'static str, text: &'static str, class: &'static str| {
        view! {
            <form method="post" action=format!("{base}/posts/{verb}")>
                <input type="hidden" name="csrf" value=csrf.clone() />
                <input type="hidden" name="post" value=post.id.clone() />
                <button type="submit" class=class>{text} <span class="visually-hidden">{which.clone()}</span></button>
            </form>
        }
    };
    let buttons = match post.state {
        "hidden" => vec![button("show", "Unhide", "")],
        "pending" => vec![
            button("show", "Approve", ""),
            button("hide", "Hide", "quiet"),
        ],
        _ => vec![button("hide", "Hide", "quiet")],
    };
    let thumb = post.thumb.clone().map(|(src, width, height)| {
        view! { <img src=src alt="" width=width height=height loading="lazy" /> }
    });
    view! {
        <li class=format!("post {}", post.state) data-post=post.id.clone() data-state=post.state>
            <div class="thumb">{thumb}</div>
            <div class="about">
                <p class="caption">{post.excerpt.clone()}</p>
                <p class="meta">
                    <time datetime=post.timestamp.clone()>{post.date.clone()}</time>
                    " · "
                    <a href=post.permalink.clone() rel="noreferrer">"On Instagram"</a>
                </p>
                <p class="state">{post.state_words.clone()}</p>
                <div class="actions">{buttons}</div>
            </div>
        </li>
    }
}
