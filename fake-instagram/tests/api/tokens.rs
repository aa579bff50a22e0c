//! Token lifecycle: expiry on the fake clock, revocation, refresh.

use fake_instagram::{FakeInstagram, Revocation, Route};

use crate::{graph, spawn_fake};

#[tokio::test]
async fn dead_tokens_fail_every_call_with_the_right_subcode() {
    let (ig, token) = spawn_fake().await;
    let code = |reply: &crate::Reply| {
        let body = reply.json();
        (
            reply.status.as_u16(),
            body["error"]["code"].as_i64(),
            body["error"]["error_subcode"].as_i64(),
        )
    };
    assert_eq!(code(&graph(&ig, "/me").await), (400, Some(190), None));
    assert_eq!(
        code(&graph(&ig, "/me?access_token=IGAAgarbage").await),
        (400, Some(190), None)
    );

    let short = ig.issue_token(3600);
    let client = reqwest::Client::new();
    let bearer = |t: &str| {
        client
            .get(format!("{}/me/media", ig.graph_base()))
            .bearer_auth(t)
            .send()
    };
    assert_eq!(bearer(&short).await.unwrap().status(), 200);
    ig.advance(3601);
    let expired = graph(&ig, &format!("/me/media?access_token={short}")).await;
    assert_eq!(code(&expired), (400, Some(190), Some(463)));
    assert!(
        expired.json()["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Error validating access token: Session has expired on ")
    );
    assert!(expired.header("www-authenticate").is_some());

    ig.revoke(&token, Revocation::PasswordChanged);
    assert_eq!(
        code(&graph(&ig, &format!("/me?access_token={token}")).await),
        (400, Some(190), Some(460))
    );
    let other = ig.issue_token(86_400);
    ig.revoke(&other, Revocation::AppRemoved);
    let removed = bearer(&other).await.unwrap();
    assert_eq!(removed.status(), 400);
    let body: serde_json::Value = removed.json().await.unwrap();
    assert_eq!(body["error"]["error_subcode"], 458);
}

#[tokio::test]
async fn refresh_returns_a_new_token_and_both_old_and_new_stay_valid() {
    let ig = FakeInstagram::start().await;
    let old = ig.issue_token_aged(40 * 86_400, 60 * 86_400);
    assert_eq!(ig.token_expires_at(&old), Some(ig.now() + 20 * 86_400));
    let reply = graph(
        &ig,
        &format!("/refresh_access_token?grant_type=ig_refresh_token&access_token={old}"),
    )
    .await;
    assert_eq!(reply.status, 200);
    let body = reply.json();
    let new = body["access_token"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    assert!(new.starts_with("IGAA") && new.len() >= 40);
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 5_183_944);
    let keys: Vec<_> = body.as_object().unwrap().keys().cloned().collect();
    let fixture_keys: Vec<_> = crate::fixture("refresh_ok.json")
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(keys, fixture_keys);
    assert!((ig.token_expires_at(&new).unwrap() - (ig.now() + 5_183_944)).abs() <= 1);

    for token in [&old, &new] {
        assert_eq!(
            graph(&ig, &format!("/me?access_token={token}"))
                .await
                .status,
            200
        );
    }
    assert_eq!(ig.seen_tokens().last(), Some(&new));
    assert_eq!(ig.calls(Route::Refresh), 1);
}

#[tokio::test]
async fn expired_or_revoked_tokens_cannot_refresh_and_grant_type_is_checked() {
    let ig = FakeInstagram::start().await;
    let refresh = |token: &str, grant: &str| {
        let path = format!("/v25.0/refresh_access_token?grant_type={grant}&access_token={token}");
        let ig = ig.clone();
        async move { graph(&ig, &path).await.json() }
    };
    let live = ig.issue_token(86_400);
    let wrong = refresh(&live, "ig_exchange_token").await;
    assert_eq!(
        (
            wrong["error"]["code"].as_i64(),
            wrong["error"]["type"].as_str()
        ),
        (Some(100), Some("IGApiException"))
    );

    let dead = ig.issue_token_aged(61 * 86_400, 60 * 86_400);
    assert_eq!(
        refresh(&dead, "ig_refresh_token").await["error"]["error_subcode"],
        463
    );
    ig.revoke(&live, Revocation::AppRemoved);
    assert_eq!(
        refresh(&live, "ig_refresh_token").await["error"]["error_subcode"],
        458
    );
}
