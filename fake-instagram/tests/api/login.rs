//! Instagram Login (API.md §2.5): consent, denial, the single-use code, the app secret, and the
//! short-lived → long-lived exchange.

use fake_instagram::{FakeInstagram, Route};
use reqwest::redirect::Policy;
use serde_json::Value;

use crate::graph;

const REDIRECT: &str = "https://feeds.example/admin/oauth/callback";

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// The consent page's answer to a well-formed request for the fake's app.
async fn authorize(ig: &FakeInstagram, state: &str) -> reqwest::Response {
    client()
        .get(ig.authorize_url())
        .query(&[
            ("client_id", ig.app_id().as_str()),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", "instagram_business_basic"),
            ("state", state),
        ])
        .send()
        .await
        .unwrap()
}

/// The query pairs of a redirect's `Location`, and its fragment.
fn location(response: &reqwest::Response) -> (String, Vec<(String, String)>, Option<String>) {
    let location = response.headers()["location"].to_str().unwrap();
    let url = reqwest::Url::parse(location).unwrap();
    let base = format!(
        "{}://{}{}",
        url.scheme(),
        url.host_str().unwrap(),
        url.path()
    );
    let pairs = url.query_pairs().into_owned().collect();
    (base, pairs, url.fragment().map(str::to_string))
}

/// The code the consent page sends back.
async fn consent(ig: &FakeInstagram) -> String {
    let response = authorize(ig, "s").await;
    let (_, pairs, _) = location(&response);
    pairs.into_iter().find(|(k, _)| k == "code").unwrap().1
}

/// `POST token_url` with the fake's app and `code`; status and raw body.
async fn exchange_code(
    ig: &FakeInstagram,
    code: &str,
    secret: &str,
    redirect: &str,
) -> (u16, String) {
    let response = client()
        .post(ig.token_url())
        .form(&[
            ("client_id", ig.app_id().as_str()),
            ("client_secret", secret),
            ("grant_type", "authorization_code"),
            ("redirect_uri", redirect),
            ("code", code),
        ])
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// The api host's error shape: `{"error_type","code","error_message"}`, HTTP 400.
fn assert_refused(reply: &(u16, String), message: &str) {
    assert_eq!(reply.0, 400, "{}", reply.1);
    let body: Value = serde_json::from_str(&reply.1).unwrap();
    assert_eq!(body["error_type"], "OAuthException");
    assert_eq!(body["code"], 400);
    assert_eq!(body["error_message"], message, "{}", reply.1);
}

#[tokio::test]
async fn consent_redirects_back_with_a_code_and_the_state() {
    let ig = FakeInstagram::start().await;
    let response = authorize(&ig, "st ate/+&=").await;
    assert_eq!(response.status(), 302);
    let (base, pairs, fragment) = location(&response);
    assert_eq!(base, REDIRECT);
    assert_eq!(pairs[0].0, "code");
    assert!(pairs[0].1.starts_with("AQ") && pairs[0].1.len() > 60);
    assert_eq!(pairs[1], ("state".into(), "st ate/+&=".into()));
    assert_eq!(fragment.as_deref(), Some("_"), "Instagram appends #_");
    assert_eq!(ig.calls(Route::Authorize), 1);
    assert_eq!(
        ig.calls(Route::Any),
        0,
        "the login listener is not the graph"
    );
}

#[tokio::test]
async fn a_denied_consent_redirects_back_with_access_denied_and_the_state() {
    let ig = FakeInstagram::start().await;
    ig.deny_consent(true);
    let response = authorize(&ig, "xyz").await;
    assert_eq!(response.status(), 302);
    let (base, pairs, _) = location(&response);
    assert_eq!(base, REDIRECT);
    let get = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("error"), Some("access_denied"));
    assert_eq!(get("error_reason"), Some("user_denied"));
    assert_eq!(
        get("error_description"),
        Some("The user denied your request.")
    );
    assert_eq!(get("state"), Some("xyz"));
    assert_eq!(get("code"), None);
    ig.deny_consent(false);
    assert!(!consent(&ig).await.is_empty());
}

#[tokio::test]
async fn a_bad_authorize_request_gets_an_html_error_page() {
    let ig = FakeInstagram::start().await;
    let app = ig.app_id();
    let good = [
        ("client_id", app.as_str()),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", "instagram_business_basic"),
    ];
    let cases: [(usize, &str, &str); 4] = [
        (0, "1234", "Invalid platform app"),
        (1, "not a url", "Invalid redirect_uri"),
        (2, "token", "Only response type"),
        (3, "business_basic", "Invalid Scopes: business_basic"),
    ];
    for (index, value, reason) in cases {
        let mut query = good.to_vec();
        query[index].1 = value;
        let response = client()
            .get(ig.authorize_url())
            .query(&query)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{reason}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(response.text().await.unwrap().contains(reason), "{reason}");
    }
}

#[tokio::test]
async fn a_code_buys_one_short_lived_token_of_the_account_with_an_exact_user_id() {
    let ig = FakeInstagram::start().await;
    let code = consent(&ig).await;
    let reply = exchange_code(&ig, &code, &ig.app_secret(), REDIRECT).await;
    assert_eq!(reply.0, 200, "{}", reply.1);
    // A bare JSON number above 2^53: read as f64 it would change.
    let expected = format!("\"user_id\":{}", ig.app_scoped_id());
    assert!(reply.1.contains(&expected), "{}", reply.1);
    assert!(ig.app_scoped_id().parse::<u64>().unwrap() > 1 << 53);
    let body: Value = serde_json::from_str(&reply.1).unwrap();
    assert_eq!(
        body["permissions"],
        serde_json::json!(["instagram_business_basic"])
    );
    let short = body["access_token"].as_str().unwrap();
    assert!(short.starts_with("IGAA"));
    assert_eq!(
        ig.token_expires_at(short),
        Some(ig.token_issued_at(short).unwrap() + 3_600)
    );
    let me = graph(&ig, &format!("/me?fields=username&access_token={short}")).await;
    assert_eq!(me.json()["username"], ig.username());
    assert_eq!(ig.calls(Route::OAuthToken), 1);
}

#[tokio::test]
async fn a_code_is_single_use_and_bound_to_its_redirect_uri_and_app_secret() {
    let ig = FakeInstagram::start().await;
    let code = consent(&ig).await;
    assert_refused(
        &exchange_code(&ig, &code, "wrong-secret", REDIRECT).await,
        "Invalid Client Secret",
    );
    assert_refused(
        &exchange_code(&ig, &code, &ig.app_secret(), "https://evil.example/cb").await,
        "Error validating verification code. Please make sure your redirect_uri is identical to \
         the one you used in the OAuth dialog request",
    );
    assert_eq!(
        exchange_code(&ig, &code, &ig.app_secret(), REDIRECT)
            .await
            .0,
        200
    );
    assert_refused(
        &exchange_code(&ig, &code, &ig.app_secret(), REDIRECT).await,
        "This authorization code has been used",
    );
    assert_refused(
        &exchange_code(&ig, "AQBmadeup", &ig.app_secret(), REDIRECT).await,
        "Invalid authorization code",
    );
    let late = consent(&ig).await;
    ig.advance(3_601);
    assert_refused(
        &exchange_code(&ig, &late, &ig.app_secret(), REDIRECT).await,
        "This authorization code has expired",
    );
}

#[tokio::test]
async fn another_app_is_refused_and_set_app_replaces_the_app() {
    let ig = FakeInstagram::start().await;
    let code = consent(&ig).await;
    ig.set_app("1111", "s3cret");
    assert_refused(
        &exchange_code(&ig, &code, "s3cret", REDIRECT).await,
        "Invalid authorization code",
    );
    let fresh = consent(&ig).await;
    assert_eq!(exchange_code(&ig, &fresh, "s3cret", REDIRECT).await.0, 200);
    let stranger = client()
        .post(ig.token_url())
        .form(&[("client_id", "42"), ("client_secret", "s3cret")])
        .send()
        .await
        .unwrap();
    let reply = (stranger.status().as_u16(), stranger.text().await.unwrap());
    assert_refused(&reply, "Invalid platform app");
}

#[tokio::test]
async fn the_short_lived_token_exchanges_for_a_long_lived_one_with_the_app_secret() {
    let ig = FakeInstagram::start().await;
    let code = consent(&ig).await;
    let body: Value = serde_json::from_str(
        &exchange_code(&ig, &code, &ig.app_secret(), REDIRECT)
            .await
            .1,
    )
    .unwrap();
    let short = body["access_token"].as_str().unwrap().to_string();

    let wrong = graph(
        &ig,
        &format!(
            "/access_token?grant_type=ig_exchange_token&client_secret=nope&access_token={short}"
        ),
    )
    .await;
    assert_eq!(wrong.status, 400);
    assert_eq!(
        wrong.json()["error"]["message"],
        "Error validating client secret."
    );

    let reply = graph(
        &ig,
        &format!(
            "/access_token?grant_type=ig_exchange_token&client_secret={}&access_token={short}",
            ig.app_secret()
        ),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let long = reply.json();
    assert_eq!(long["token_type"], "bearer");
    assert_eq!(long["expires_in"], 5_110_824);
    let long = long["access_token"].as_str().unwrap().to_string();
    assert_ne!(long, short);
    assert!((ig.token_expires_at(&long).unwrap() - (ig.now() + 5_110_824)).abs() <= 1);
    assert_eq!(ig.calls(Route::Exchange), 2);

    // The short-lived token dies after its hour; the long-lived one reads the media.
    ig.advance(3_601);
    let dead = graph(&ig, &format!("/me?access_token={short}")).await;
    assert_eq!(dead.json()["error"]["error_subcode"], 463);
    let media = graph(&ig, &format!("/me/media?access_token={long}")).await;
    assert_eq!(media.status, 200);
}
