//! Connecting a feed through Instagram Login (API.md §2.5) against the fake's consent page, code
//! exchange and long-lived exchange on loopback.

use std::sync::Arc;
use std::time::Duration;

use fake_instagram::{FakeInstagram, Fault, Revocation, Route};
use feedframe::Config;
use feedframe::instagram::client::Graph;
use feedframe::instagram::login::{InstagramLogin, LoginError, LongLived, connect, parse_callback};
use feedframe::instagram::secret::Secret;
use feedframe::store::{Store, TokenState};
use feedframe_feed::FeedStatus;

use crate::helpers::*;

const REDIRECT: &str = "https://feeds.example.com/admin/oauth/callback";
/// `expires_in` of the fake's long-lived exchange (the observed value, API.md §2.5).
const LONG_LIVED_SECS: i64 = 5_110_824;

/// `config` set up for Instagram Login with the fake's app and endpoints.
pub fn with_login(mut config: Config, fake: &FakeInstagram) -> Config {
    config.ig_app_id = Some(fake.app_id());
    config.ig_app_secret = Some(Secret::new(fake.app_secret()));
    config.ig_authorize_url = fake.authorize_url();
    config.ig_token_url = fake.token_url();
    config
}

/// A fake, a data dir, and a login configured for the fake.
struct Setup {
    fake: FakeInstagram,
    _dir: tempfile::TempDir,
    config: Config,
    login: InstagramLogin,
    store: Arc<Store>,
}

async fn setup() -> Setup {
    let fake = FakeInstagram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = with_login(config(dir.path(), &fake), &fake);
    let login = InstagramLogin::from_config(&config).expect("app id and secret are set");
    let store = Arc::new(Store::open(&config.db_path()).unwrap());
    Setup {
        fake,
        _dir: dir,
        config,
        login,
        store,
    }
}

/// The owner's browser: opens the consent page, and returns the query string Instagram's redirect
/// brings to the callback (a browser drops the `#_` fragment).
async fn owner_consents(login: &InstagramLogin, state: &str) -> String {
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = browser
        .get(login.authorize_url(REDIRECT, state))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 302, "the consent page redirects back");
    let location = response.headers()["location"].to_str().unwrap();
    let without_fragment = location.split('#').next().unwrap();
    let (target, query) = without_fragment.split_once('?').unwrap();
    assert_eq!(target, REDIRECT);
    query.to_string()
}

/// A full login: consent, callback, both exchanges.
async fn log_in(s: &Setup) -> LongLived {
    let query = owner_consents(&s.login, "st4te").await;
    let callback = parse_callback(&query).unwrap();
    assert_eq!(callback.state.as_deref(), Some("st4te"));
    s.login.exchange(&callback.code, REDIRECT).await.unwrap()
}

#[tokio::test]
async fn a_login_stores_the_long_lived_token_with_the_account_and_its_expiry() {
    let s = setup().await;
    let long = log_in(&s).await;
    // The app-scoped id, a bare JSON number above 2^53, read exactly.
    assert_eq!(long.user_id, s.fake.app_scoped_id());
    assert!(long.user_id.parse::<u64>().unwrap() > 1 << 53);
    assert_eq!(long.expires_in, LONG_LIVED_SECS);
    let lifetime = s.fake.token_expires_at(long.token.expose()).unwrap() - s.fake.now();
    assert!(lifetime > 59 * DAY, "the long-lived token, not the 1 h one");
    assert_eq!(
        (
            s.fake.calls(Route::OAuthToken),
            s.fake.calls(Route::Exchange)
        ),
        (1, 1)
    );

    let before = now();
    let me = connect(&Graph::new(&s.config), &s.store, "main", &long)
        .await
        .unwrap();
    assert_eq!(me.username, s.fake.username());
    let stored = s.store.token("main").unwrap().expect("a stored token");
    assert_eq!(stored.token, long.token);
    assert_eq!(stored.username, s.fake.username());
    assert_eq!(stored.state, TokenState::Active);
    let expires_at = stored.expires_at.expect("the expiry is known");
    assert!(
        (before + LONG_LIVED_SECS..=now() + LONG_LIVED_SECS).contains(&expires_at),
        "expires_at = now + expires_in"
    );
    assert_eq!(
        s.fake.calls(Route::Me),
        1,
        "checked with /me before storing"
    );
}

#[tokio::test]
async fn a_denied_consent_is_said_in_plain_words_and_stores_nothing() {
    let s = setup().await;
    s.fake.deny_consent(true);
    let query = owner_consents(&s.login, "st4te").await;
    let error = parse_callback(&query).unwrap_err();
    assert_eq!(error, LoginError::Denied);
    assert!(
        error.to_string().contains("did not allow FeedFrame"),
        "{error}"
    );
    assert_eq!(s.fake.calls(Route::OAuthToken), 0);
    assert!(s.store.token("main").unwrap().is_none());
}

#[tokio::test]
async fn a_code_works_once() {
    let s = setup().await;
    let callback = parse_callback(&owner_consents(&s.login, "x").await).unwrap();
    s.login.exchange(&callback.code, REDIRECT).await.unwrap();
    let again = s
        .login
        .exchange(&callback.code, REDIRECT)
        .await
        .unwrap_err();
    assert_eq!(again, LoginError::CodeRejected);
    assert!(again.to_string().contains("expired or was already used"));
    assert_eq!(s.fake.calls(Route::Exchange), 1, "no second token");
}

#[tokio::test]
async fn a_wrong_app_secret_is_named_and_never_quoted() {
    let s = setup().await;
    let callback = parse_callback(&owner_consents(&s.login, "x").await).unwrap();
    let mut config = s.config.clone();
    let secret = "wr0ng-app-secret-value";
    config.ig_app_secret = Some(Secret::new(secret));
    let login = InstagramLogin::from_config(&config).unwrap();
    let error = login.exchange(&callback.code, REDIRECT).await.unwrap_err();
    assert_eq!(error, LoginError::WrongAppSecret);
    let said = format!("{error} {error:?} {login:?} {config:?}");
    assert!(said.contains("FEEDFRAME_IG_APP_SECRET"), "{said}");
    assert!(!said.contains(secret), "the secret leaked: {said}");
    assert!(
        !said.contains(callback.code.expose()),
        "the code leaked: {said}"
    );
    assert!(s.store.token("main").unwrap().is_none());
    // The code was not spent: the right secret still connects.
    assert!(s.login.exchange(&callback.code, REDIRECT).await.is_ok());
}

#[tokio::test]
async fn a_different_redirect_uri_or_app_id_is_refused_in_plain_words() {
    let s = setup().await;
    let callback = parse_callback(&owner_consents(&s.login, "x").await).unwrap();
    let error = s
        .login
        .exchange(&callback.code, "https://elsewhere.example/cb")
        .await
        .unwrap_err();
    assert_eq!(error, LoginError::RedirectMismatch);
    let mut config = s.config.clone();
    config.ig_app_id = Some("1234".into());
    let stranger = InstagramLogin::from_config(&config).unwrap();
    let error = stranger
        .exchange(&callback.code, REDIRECT)
        .await
        .unwrap_err();
    assert_eq!(error, LoginError::WrongAppId);
    assert!(error.to_string().contains("not the Facebook app id"));
}

#[tokio::test]
async fn instagram_failing_is_unavailable_and_the_code_still_works_afterwards() {
    let s = setup().await;
    let callback = parse_callback(&owner_consents(&s.login, "x").await).unwrap();
    s.fake.push_fault(Route::OAuthToken, Fault::ServerError);
    let error = s
        .login
        .exchange(&callback.code, REDIRECT)
        .await
        .unwrap_err();
    assert!(matches!(error, LoginError::Unavailable(_)), "{error:?}");
    assert!(error.to_string().contains("try again"));
    s.fake
        .push_fault(Route::Exchange, Fault::Status(200, "<html>".into()));
    let error = s
        .login
        .exchange(&callback.code, REDIRECT)
        .await
        .unwrap_err();
    assert!(matches!(error, LoginError::Unreadable(_)), "{error:?}");
    assert!(s.store.token("main").unwrap().is_none());
}

#[tokio::test]
async fn reconnecting_replaces_a_revoked_token_and_the_feed_keeps_its_posts_and_origins() {
    let mut t = spawn_app().await;
    t.allow_only(&["https://shop.example"]).await;
    t.restart(|c| c.feed_ttl = Duration::from_secs(1)).await;
    let good = t.feed("main").await;
    assert_eq!(good.status, FeedStatus::Live);

    // The owner changes their password: the feed goes on showing its posts, as revoked.
    t.fake.revoke(&t.token, Revocation::PasswordChanged);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let revoked = t
        .feed_until("main", 5, |f| f.status == FeedStatus::TokenRevoked)
        .await;
    assert_eq!(revoked.posts, good.posts);
    let snapshot = t.store().snapshot("main").unwrap().expect("cached posts");

    let config = with_login(t.config(), &t.fake);
    let login = InstagramLogin::from_config(&config).unwrap();
    let callback = parse_callback(&owner_consents(&login, "again").await).unwrap();
    let long = login.exchange(&callback.code, REDIRECT).await.unwrap();
    let store = Arc::new(t.store());
    connect(&Graph::new(&config), &store, "main", &long)
        .await
        .unwrap();

    let stored = store.token("main").unwrap().unwrap();
    assert_eq!(stored.token, long.token, "replaced in place");
    assert_eq!(
        (stored.state, stored.last_error),
        (TokenState::Active, None)
    );
    // Compared whole, printed short: the snapshot is the full feed JSON.
    assert!(
        store.snapshot("main").unwrap() == Some(snapshot),
        "the cached posts survive the reconnect"
    );
    assert_eq!(
        store
            .feed_settings("main")
            .unwrap()
            .unwrap()
            .allowed_origins,
        ["https://shop.example"],
        "the allowed origins survive the reconnect"
    );

    t.app.as_ref().unwrap().feeds.forget("main");
    let live = t
        .feed_until("main", 5, |f| f.status == FeedStatus::Live)
        .await;
    assert_eq!(live.posts, good.posts);
    assert_eq!(
        t.fake.seen_tokens().last().map(String::as_str),
        Some(long.token.expose())
    );
}
