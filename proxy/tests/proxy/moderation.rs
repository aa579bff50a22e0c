//! Moderation through the owner's console, as visitors then see the feed: the real server, the
//! real store (SQLite; PostgreSQL for two instances), the fake Instagram.

use std::time::{Duration, Instant};

use fake_instagram::{FakeInstagram, FakePost};
use feedframe::instagram::client::Graph;
use feedframe::instagram::secret::Secret;
use feedframe::store::postgres::fresh_test_database;

use crate::console_client::{Console, Page, set_password};
use crate::helpers::{DAY, TestApp, config, images, now, post_id, spawn_app_with};

const PASSWORD: &str = "harbor-line-ceramics";
const PAGE: &str = "/admin/feeds/main/posts";
const VIEW: &str = "/v1/feeds/main/view?layout=grid&limit=6";
const EMBED: &str = "/v1/feeds/main/embed?layout=grid&limit=6";

/// An image post `i` with `caption`.
fn captioned(i: u32, caption: &str) -> FakePost {
    let mut post = crate::helpers::image(i, 1080, 1080);
    post.caption = Some(caption.to_string());
    post
}

async fn owner(t: &TestApp) -> Console {
    set_password(&t.store(), PASSWORD);
    Console::signed_in(&t.url(), PASSWORD).await
}

/// Sends a form of the moderation page (with the session's CSRF token); expects 303 back to
/// the page and returns the page then shown.
async fn moderate(console: &Console, action: &str, fields: &[(&str, &str)]) -> Page {
    let csrf = console.get(PAGE).await.csrf();
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let done = console
        .post(&format!("/admin/feeds/main/{action}"), &form)
        .await;
    assert_eq!(done.status, 303, "{action}: {}", done.body);
    assert_eq!(done.location.as_deref(), Some(PAGE), "{action}");
    console.get(PAGE).await
}

/// The same form, expected to be refused on the page (400).
async fn refused(console: &Console, action: &str, fields: &[(&str, &str)]) -> Page {
    let csrf = console.get(PAGE).await.csrf();
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let page = console
        .post(&format!("/admin/feeds/main/{action}"), &form)
        .await;
    assert_eq!(page.status, 400, "{action} {fields:?}: {}", page.body);
    page
}

/// What the console's page says of post `id` (`shown`, `hidden`, `rule`, `pending`).
fn state_on(page: &Page, id: &str) -> String {
    let at = page
        .body
        .find(&format!("data-post=\"{id}\""))
        .unwrap_or_else(|| panic!("post {id} is not listed: {}", page.body));
    let rest = &page.body[at..];
    let value = &rest[rest.find("data-state=\"").unwrap() + "data-state=\"".len()..];
    value[..value.find('"').unwrap()].to_string()
}

/// The post ids visitors get in the feed JSON, and its ETag.
async fn visible(t: &TestApp) -> (Vec<String>, String) {
    let response = t.get("/v1/feeds/main").await;
    assert_eq!(response.status(), 200);
    let etag = response.headers()["etag"].to_str().unwrap().to_string();
    let feed: feedframe_feed::Feed = response.json().await.unwrap();
    (feed.posts.into_iter().map(|p| p.id).collect(), etag)
}

/// The body of `path`, expecting 200.
async fn text(t: &TestApp, path: &str) -> String {
    let response = t.get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap()
}

#[tokio::test]
async fn a_hidden_post_leaves_the_json_the_view_and_the_embed_at_once_and_unhiding_brings_it_back()
{
    let t = spawn_app_with(images(8), |_| {}).await;
    let console = owner(&t).await;
    let (id, permalink) = (post_id(1), t.fake.posts()[1].permalink());
    let (before, etag) = visible(&t).await;
    assert!(before.contains(&id));
    for path in [VIEW, EMBED] {
        let html = text(&t, path).await;
        assert!(html.contains(&permalink) && html.contains(&id), "{path}");
        assert_eq!(html.matches("<img").count(), 6, "{path}");
    }
    let view_etag = t.get(VIEW).await.headers()["etag"].clone();

    let page = moderate(&console, "posts/hide", &[("post", &id)]).await;
    assert_eq!(state_on(&page, &id), "hidden");
    assert!(
        page.body.contains("visitors no longer see it"),
        "{}",
        page.body
    );
    // The very next requests: no wait, no second request.
    let (after, new_etag) = visible(&t).await;
    assert!(!after.contains(&id), "{after:?}");
    assert_eq!(after.len(), before.len() - 1, "only that post");
    assert_ne!(new_etag, etag, "a new ETag, so caches fetch it again");
    assert_eq!(
        t.get_if_none_match("/v1/feeds/main", &etag).await.status(),
        200,
        "the old version is not confirmed"
    );
    assert_ne!(t.get(VIEW).await.headers()["etag"], view_etag);
    for path in [VIEW, EMBED] {
        let html = text(&t, path).await;
        assert!(
            !html.contains(&permalink) && !html.contains(&id),
            "{path} still shows the hidden post"
        );
        // `limit` counts the posts visitors may see: still six of the seven left.
        assert_eq!(html.matches("<img").count(), 6, "{path}");
    }

    let page = moderate(&console, "posts/show", &[("post", &id)]).await;
    assert_eq!(state_on(&page, &id), "shown");
    assert!(page.body.contains("visitors see it again"), "{}", page.body);
    let (back, back_etag) = visible(&t).await;
    assert_eq!(back, before);
    assert_eq!(back_etag, etag, "the same posts make the same ETag");
    for path in [VIEW, EMBED] {
        assert!(text(&t, path).await.contains(&permalink), "{path}");
    }
}

#[tokio::test]
async fn rules_hide_captions_by_whole_word_or_whole_tag_in_any_case() {
    let posts = vec![
        captioned(0, "Glaze day #POT #glaze"),
        captioned(1, "On the wheel #pottery"),
        captioned(2, "Big SALE today"),
        captioned(3, "Wholesale mugs #pottery"),
        captioned(4, "Just a mug"),
    ];
    let t = spawn_app_with(posts, |_| {}).await;
    let console = owner(&t).await;
    let ids: Vec<String> = (0..5).map(post_id).collect();
    let shown = |want: &[usize]| want.iter().map(|&i| ids[i].clone()).collect::<Vec<_>>();
    assert_eq!(visible(&t).await.0, shown(&[0, 1, 2, 3, 4]));

    let page = moderate(&console, "rules/hide", &[("term", "  #Pot ")]).await;
    assert!(page.body.contains("data-term=\"#pot\""), "{}", page.body);
    assert_eq!(
        visible(&t).await.0,
        shown(&[1, 2, 3, 4]),
        "#pot is not #pottery"
    );
    assert_eq!(state_on(&page, &ids[0]), "rule");
    assert!(page.body.contains("hidden by rule: mentions “#pot”"));

    moderate(&console, "rules/hide", &[("term", "sale")]).await;
    assert_eq!(
        visible(&t).await.0,
        shown(&[1, 3, 4]),
        "sale is not wholesale"
    );
    assert!(!text(&t, VIEW).await.contains(&ids[2]));

    let page = moderate(&console, "rules/unhide", &[("term", "#pot")]).await;
    assert!(!page.body.contains("data-term=\"#pot\""));
    assert_eq!(visible(&t).await.0, shown(&[0, 1, 3, 4]));

    let page = moderate(&console, "rules/only", &[("hashtag", "Pottery")]).await;
    assert!(
        page.body.contains("Only posts with #pottery are shown"),
        "{}",
        page.body
    );
    assert_eq!(visible(&t).await.0, shown(&[1, 3]));
    assert_eq!(state_on(&page, &ids[4]), "rule");
    let embed = text(&t, EMBED).await;
    assert!(!embed.contains(&ids[0]) && embed.contains(&ids[1]));

    moderate(&console, "rules/only", &[("hashtag", "")]).await;
    assert_eq!(visible(&t).await.0, shown(&[0, 1, 3, 4]));
    // Kept across a restart.
    let mut t = t;
    t.restart(|_| {}).await;
    assert_eq!(visible(&t).await.0, shown(&[0, 1, 3, 4]));
}

#[tokio::test]
async fn with_approval_on_a_new_post_stays_hidden_until_the_owner_approves_it() {
    let mut t = spawn_app_with(images(4), |_| {}).await;
    let mut console = owner(&t).await;
    let (before, _) = visible(&t).await;
    let page = moderate(&console, "approval", &[("approval", "on")]).await;
    assert!(page.body.contains("data-approval=\"on\""), "{}", page.body);
    assert_eq!(visible(&t).await.0, before, "the posts shown so far stay");

    // A new post on Instagram, fetched now.
    let mut posts = t.fake.posts();
    posts.insert(0, captioned(9, "Brand new"));
    t.fake.set_posts(posts);
    console.act("/admin/feeds/main/fetch", &[]).await;
    let new = post_id(9);
    let (after, _) = visible(&t).await;
    assert_eq!(after, before, "the new post waits");
    assert!(!text(&t, VIEW).await.contains(&new));
    let page = console.get(PAGE).await;
    assert_eq!(state_on(&page, &new), "pending");
    assert!(page.body.contains("awaiting approval"));

    // Still waiting after a restart: "first seen" is in the store.
    t.restart(|_| {}).await;
    assert!(!visible(&t).await.0.contains(&new));
    console.base = t.url();

    let page = moderate(&console, "posts/show", &[("post", &new)]).await;
    assert!(page.body.contains("Approved the post"), "{}", page.body);
    assert_eq!(state_on(&page, &new), "shown");
    let (approved, _) = visible(&t).await;
    assert_eq!(approved[0], new);
    assert!(text(&t, VIEW).await.contains(&new));

    // Hidden again by hand, and off: what waited is shown, what the owner hid is not.
    moderate(&console, "posts/hide", &[("post", &new)]).await;
    let mut posts = t.fake.posts();
    posts.insert(0, captioned(8, "Another"));
    t.fake.set_posts(posts);
    console.act("/admin/feeds/main/fetch", &[]).await;
    assert!(!visible(&t).await.0.contains(&post_id(8)));
    let page = moderate(&console, "approval", &[("approval", "off")]).await;
    assert!(page.body.contains("data-approval=\"off\""));
    let (off, _) = visible(&t).await;
    assert!(off.contains(&post_id(8)) && !off.contains(&new), "{off:?}");
}

#[tokio::test]
async fn bad_input_is_refused_beside_its_field_and_changes_nothing() {
    let t = spawn_app_with(images(3), |_| {}).await;
    let console = owner(&t).await;
    let (before, _) = visible(&t).await;

    let page = refused(&console, "rules/hide", &[("term", "   ")]).await;
    assert!(page.body.contains("the rule was empty"), "{}", page.body);
    assert!(page.body.contains("id=\"hide-term-error\""));

    let long = "w".repeat(500);
    let page = refused(&console, "rules/hide", &[("term", &long)]).await;
    assert!(
        page.body
            .contains("at most 100 characters long; this one has 500"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(&format!("value=\"{long}\"")),
        "what was typed is still in the field"
    );
    assert!(page.body.contains("aria-invalid=\"true\""));

    let page = refused(&console, "rules/hide", &[("term", "#not a tag")]).await;
    assert!(page.body.contains("is not a hashtag"), "{}", page.body);

    let page = refused(&console, "rules/only", &[("hashtag", "two words")]).await;
    assert!(page.body.contains("is not a hashtag"), "{}", page.body);
    assert!(page.body.contains("value=\"two words\""));

    let page = refused(&console, "posts/hide", &[("post", "17999999999999999")]).await;
    assert!(
        page.body
            .contains("There is no post “17999999999999999” in feed 'main'"),
        "{}",
        page.body
    );
    let page = refused(&console, "approval", &[("approval", "maybe")]).await;
    assert!(page.body.contains("on or off"), "{}", page.body);

    assert_eq!(
        t.store().moderation("main").unwrap(),
        Default::default(),
        "nothing was stored"
    );
    assert_eq!(visible(&t).await.0, before);
    // A form from another session changes nothing either.
    let forged = console
        .post(
            "/admin/feeds/main/posts/hide",
            &[("csrf", "forged"), ("post", &post_id(0))],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(visible(&t).await.0, before);
}

#[tokio::test]
async fn the_feeds_page_links_to_the_posts_page_which_shows_each_post() {
    let t = spawn_app_with(images(3), |_| {}).await;
    let console = owner(&t).await;
    visible(&t).await;
    let feeds = console.get("/admin").await;
    assert!(
        feeds.body.contains(&format!("href=\"{PAGE}\"")),
        "{}",
        feeds.body
    );
    let page = console.get(PAGE).await;
    assert_eq!(page.status, 200);
    for i in 0..3 {
        assert_eq!(state_on(&page, &post_id(i)), "shown");
    }
    // A thumbnail from the mirror, the caption, the date, and buttons named after their post.
    assert!(page.body.contains("<img src=\"/media/"), "{}", page.body);
    assert!(page.body.contains("A pot"));
    assert!(page.body.contains("2026-09-28 10:00 UTC"));
    assert!(
        page.body.contains(
            "Hide<span class=\"visually-hidden\"> the post of 2026-09-28 10:00 UTC</span>"
        )
    );
    assert!(page.body.contains("<label for=\"hide-term\">"));
    assert!(page.body.contains("<label for=\"show-only\">"));
    // An unknown feed leads back to the feeds, saying so.
    let missing = console.get("/admin/feeds/nope/posts").await;
    assert_eq!(missing.status, 303);
    assert!(
        console
            .get("/admin")
            .await
            .body
            .contains("no feed named 'nope'")
    );
}

/// Two instances on one PostgreSQL database: a change made on one reaches the other's visitors
/// within about a second.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn another_instance_on_postgresql_follows_a_change_within_a_second() {
    let fake = FakeInstagram::start_with(images(4)).await;
    let dir = tempfile::tempdir().unwrap();
    let mut shared = config(dir.path(), &fake);
    shared.database_url = Some(Secret::new(fresh_test_database()));
    let store = shared.open_store().unwrap();
    let token = Secret::new(fake.issue_token(60 * DAY));
    feedframe::tokens::add::add_checked(
        &Graph::new(&shared),
        &store,
        "main",
        &token,
        Some(now() + 60 * DAY),
        &[],
    )
    .await
    .unwrap();
    set_password(&store, PASSWORD);
    let a = feedframe::start(shared.clone(), None).await.unwrap();
    let b = feedframe::start(shared, None).await.unwrap();
    let http = reqwest::Client::new();
    let ids_on = |url: String| {
        let http = http.clone();
        async move {
            let feed: feedframe_feed::Feed = http
                .get(format!("{url}/v1/feeds/main"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            feed.posts.into_iter().map(|p| p.id).collect::<Vec<_>>()
        }
    };
    let id = post_id(2);
    assert!(ids_on(a.url()).await.contains(&id));
    assert!(
        ids_on(b.url()).await.contains(&id),
        "b has the feed in memory"
    );

    let console = Console::signed_in(&a.url(), PASSWORD).await;
    for (action, gone) in [("posts/hide", true), ("posts/show", false)] {
        let csrf = console.get(PAGE).await.csrf();
        let done = console
            .post(
                &format!("/admin/feeds/main/{action}"),
                &[("csrf", &csrf), ("post", &id)],
            )
            .await;
        assert_eq!(done.status, 303, "{}", done.body);
        let changed = Instant::now();
        assert_eq!(!ids_on(a.url()).await.contains(&id), gone, "a, at once");
        loop {
            if ids_on(b.url()).await.contains(&id) != gone {
                break;
            }
            assert!(
                changed.elapsed() < Duration::from_millis(2_500),
                "{action}: b still serves the old moderation"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    a.stop().await;
    b.stop().await;
}
