//! Injected faults answer like the fixtures; counters count them.

use std::time::{Duration, Instant};

use fake_instagram::{Fault, Route};
use serde_json::Value;

use crate::{fixture, graph, spawn_fake};

/// Asserts an error body matches a fixture's `type`, `code`, `error_subcode` and `is_transient`.
fn assert_like(body: &Value, fixture_name: &str) {
    let expected = &fixture(fixture_name)["error"];
    for key in ["type", "code", "error_subcode", "is_transient"] {
        assert_eq!(
            body["error"].get(key),
            expected.get(key),
            "{key} of {fixture_name}: {body}"
        );
    }
    assert!(
        body["error"]["fbtrace_id"]
            .as_str()
            .unwrap()
            .starts_with('A')
    );
}

#[tokio::test]
async fn every_fault_answers_with_its_fixtures_status_and_codes() {
    let (ig, token) = spawn_fake().await;
    let cases = [
        (Fault::Expired, 400, "error_190_463_expired.json"),
        (
            Fault::PasswordChanged,
            400,
            "error_190_460_password_changed.json",
        ),
        (Fault::AppRemoved, 400, "error_190_458_not_authorized.json"),
        (Fault::InvalidToken, 400, "error_190_cannot_parse.json"),
        (Fault::RateLimit403, 403, "error_rate_limit.json"),
        (Fault::RateLimit400, 400, "error_rate_limit_80002_buc.json"),
        (Fault::ServerError, 500, "error_unknown_500.json"),
    ];
    for (fault, status, name) in cases {
        ig.push_fault(Route::Media, fault.clone());
        let reply = graph(&ig, &format!("/v25.0/me/media?access_token={token}")).await;
        assert_eq!(reply.status.as_u16(), status, "{fault:?}");
        assert!(
            reply
                .header("content-type")
                .unwrap()
                .starts_with("application/json")
        );
        let body = reply.json();
        assert_like(&body, name);
        if !matches!(fault, Fault::Expired) {
            assert_eq!(
                body["error"]["message"],
                fixture(name)["error"]["message"],
                "{fault:?}"
            );
        }
        match fault {
            Fault::RateLimit403 => {
                let usage: Value =
                    serde_json::from_str(&reply.header("x-app-usage").unwrap()).unwrap();
                assert_eq!(usage["call_count"], 100);
            }
            Fault::RateLimit400 => {
                let buc = reply.header("x-business-use-case-usage").unwrap();
                let buc: Value = serde_json::from_str(&buc).unwrap();
                assert!(
                    buc[ig.user_id()][0]["estimated_time_to_regain_access"]
                        .as_i64()
                        .unwrap()
                        > 0
                );
            }
            _ => {}
        }
    }
    // The queue is drained: the next call answers normally.
    assert_eq!(
        graph(&ig, &format!("/me/media?access_token={token}"))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn garbage_status_and_slow_faults_then_normal_service() {
    let (ig, token) = spawn_fake().await;
    let me = format!("/me?access_token={token}");
    ig.push_fault(Route::Any, Fault::Garbage);
    let garbage = graph(&ig, &me).await;
    assert_eq!(garbage.status, 200);
    assert!(serde_json::from_str::<Value>(&garbage.text).is_err());

    ig.push_fault(
        Route::Me,
        Fault::Status(
            418,
            r#"{"error":{"code":1,"message":"An unknown error occurred","error_subcode":99}}"#
                .into(),
        ),
    );
    let raw = graph(&ig, &me).await;
    assert_eq!(
        (
            raw.status.as_u16(),
            raw.json()["error"]["error_subcode"].as_i64()
        ),
        (418, Some(99))
    );

    // Slow delays, then the next queued fault (or a normal answer) follows.
    ig.push_fault(Route::Me, Fault::Slow(Duration::from_millis(300)));
    ig.push_fault(Route::Me, Fault::ServerError);
    let started = Instant::now();
    assert_eq!(graph(&ig, &me).await.status, 500);
    assert!(started.elapsed() >= Duration::from_millis(300));

    ig.set_fault(Route::Me, Some(Fault::RateLimit403));
    assert_eq!(graph(&ig, &me).await.status, 403);
    assert_eq!(graph(&ig, &me).await.status, 403);
    ig.set_fault(Route::Me, None);
    assert_eq!(graph(&ig, &me).await.status, 200);
}

#[tokio::test]
async fn calls_count_every_request_per_route_including_faulted_ones() {
    let (ig, token) = spawn_fake().await;
    ig.push_fault(Route::Me, Fault::ServerError);
    graph(&ig, &format!("/me?access_token={token}")).await;
    graph(&ig, &format!("/v25.0/me?access_token={token}")).await;
    graph(&ig, &format!("/me/media?access_token={token}")).await;
    graph(&ig, "/me/media?access_token=IGAAnotatoken").await;
    let album = &ig.posts()[2].id;
    graph(&ig, &format!("/{album}/children?access_token={token}")).await;
    assert_eq!(ig.calls(Route::Me), 2);
    assert_eq!(ig.calls(Route::Media), 2);
    assert_eq!(ig.calls(Route::Children), 1);
    assert_eq!(ig.calls(Route::Refresh), 0);
    assert_eq!(ig.calls(Route::Any), 5);
    assert_eq!(ig.seen_tokens()[3], "IGAAnotatoken");
    assert_eq!(ig.seen_tokens().len(), 5);

    // Normal answers sometimes carry usage headers, alternating the two key sets.
    let mut key_sets = Vec::new();
    for _ in 0..4 {
        let reply = graph(&ig, &format!("/me?access_token={token}")).await;
        key_sets.push(
            reply
                .header("x-app-usage")
                .map(|h| h.contains("call_volume")),
        );
    }
    key_sets.sort();
    assert_eq!(key_sets, [None, None, Some(false), Some(true)]);

    ig.reset_calls();
    assert_eq!(ig.calls(Route::Any), 0);
    assert_eq!(ig.calls(Route::Me), 0);
}

#[tokio::test]
async fn a_token_fault_hits_only_that_token_and_a_429_says_when_to_retry() {
    let (ig, token) = spawn_fake().await;
    let other = ig.issue_token(60 * 86_400);
    ig.set_token_fault(&token, Some(Fault::TooManyRequests(42)));
    let limited = graph(&ig, &format!("/me/media?access_token={token}")).await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("retry-after").as_deref(), Some("42"));
    assert!(
        serde_json::from_str::<Value>(&limited.text).is_err(),
        "no JSON body"
    );
    let fine = graph(&ig, &format!("/me/media?access_token={other}")).await;
    assert_eq!(fine.status, 200, "another token is not affected");
    ig.set_token_fault(&token, None);
    let healed = graph(&ig, &format!("/me/media?access_token={token}")).await;
    assert_eq!(healed.status, 200);
}
