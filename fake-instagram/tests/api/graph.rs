//! Graph API shapes: paging, fields, children, `/me`.

use fake_instagram::{FakeInstagram, sample_posts};

use crate::{FIELDS, get, graph, null_keys, spawn_fake};

#[tokio::test]
async fn paging_next_is_followed_to_the_end_carrying_the_token_and_numeric_id() {
    let (ig, token) = spawn_fake().await;
    let mut url = format!(
        "{}/me/media?fields={FIELDS}&limit=5&access_token={token}",
        ig.graph_base()
    );
    let mut ids = Vec::new();
    let mut pages = 0;
    loop {
        let page = get(&url).await.json();
        pages += 1;
        ids.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_str().unwrap().to_string()),
        );
        assert!(
            page["paging"]["cursors"]["after"]
                .as_str()
                .unwrap()
                .starts_with("QVFI")
        );
        assert_eq!(page["paging"].get("previous").is_some(), pages > 1);
        let Some(next) = page["paging"]["next"].as_str() else {
            break;
        };
        let prefix = format!("{}/v25.0/{}/media?", ig.graph_base(), ig.user_id());
        assert!(next.starts_with(&prefix), "{next}");
        assert!(next.contains(&format!("access_token={token}")) && next.contains("limit=5"));
        assert!(next.contains("fields=id,caption,") && next.contains("after=QVFI"));
        url = next.to_string();
    }
    assert_eq!(pages, 3);
    let expected: Vec<String> = ig.posts().into_iter().map(|p| p.id).collect();
    assert_eq!(ids, expected);
}

#[tokio::test]
async fn limit_defaults_to_25_caps_at_100_and_keeps_the_request_version() {
    let ig = FakeInstagram::start_with(sample_posts(130)).await;
    let token = ig.issue_token(86_400);
    let page = graph(&ig, &format!("/v26.0/me/media?access_token={token}"))
        .await
        .json();
    assert_eq!(page["data"].as_array().unwrap().len(), 25);
    // Without `fields`, items are bare ids.
    assert_eq!(page["data"][0], serde_json::json!({"id": ig.posts()[0].id}));
    let next = page["paging"]["next"].as_str().unwrap();
    assert!(
        next.contains("/v26.0/17841463372910248/media?access_token=") && next.contains("limit=25")
    );
    let big = graph(
        &ig,
        &format!("/{}/media?limit=300&access_token={token}", ig.user_id()),
    )
    .await
    .json();
    assert_eq!(big["data"].as_array().unwrap().len(), 100);
    assert!(
        big["paging"]["next"]
            .as_str()
            .unwrap()
            .contains("limit=100")
    );
}

#[tokio::test]
async fn inapplicable_fields_are_omitted_never_null() {
    let (ig, token) = spawn_fake().await;
    let reply = graph(
        &ig,
        &format!("/v25.0/me/media?fields={FIELDS}&access_token={token}"),
    )
    .await;
    let page = reply.json();
    assert!(null_keys(&page).is_empty(), "{:?}", null_keys(&page));
    for (item, post) in page["data"].as_array().unwrap().iter().zip(ig.posts()) {
        let kind = item["media_type"].as_str().unwrap();
        assert_eq!(
            item.get("thumbnail_url").is_some(),
            kind == "VIDEO",
            "{item}"
        );
        assert_eq!(
            item.get("media_url").is_none(),
            post.copyrighted_audio,
            "{item}"
        );
        assert_eq!(item.get("caption").is_some(), post.caption.is_some());
        assert_eq!(item["username"], "harborline.ceramics");
        assert!(item["timestamp"].as_str().unwrap().ends_with("+0000"));
        let permalink = item["permalink"].as_str().unwrap();
        let expected = if kind == "VIDEO" {
            "https://www.instagram.com/reel/"
        } else {
            "https://www.instagram.com/p/"
        };
        assert!(permalink.starts_with(expected));
    }
    // `id` is appended when not requested.
    let only = graph(
        &ig,
        &format!("/me/media?fields=caption&limit=1&access_token={token}"),
    )
    .await;
    assert!(only.text.contains(r#"","id":""#), "{}", only.text);
    let bad = graph(
        &ig,
        &format!("/me/media?fields=id,bogus&access_token={token}"),
    )
    .await;
    assert_eq!(
        (bad.status.as_u16(), bad.json()["error"]["code"].as_i64()),
        (400, Some(100))
    );
}

#[tokio::test]
async fn carousel_children_expand_inline_and_on_their_own_edge() {
    let (ig, token) = spawn_fake().await;
    let page = graph(
        &ig,
        &format!("/me/media?fields={FIELDS}&limit=6&access_token={token}"),
    )
    .await
    .json();
    let album = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["media_type"] == "CAROUSEL_ALBUM")
        .unwrap();
    let children = &album["children"];
    assert!(children.get("paging").is_none());
    let first = &children["data"][0];
    assert_eq!(album["media_url"], first["media_url"]);
    assert!(first.get("permalink").is_none() && first.get("caption").is_none());
    let video = children["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["media_type"] == "VIDEO")
        .unwrap();
    assert!(
        video["media_url"].as_str().unwrap().contains(".mp4?")
            && video.get("thumbnail_url").is_some()
    );

    let id = album["id"].as_str().unwrap();
    let edge = graph(&ig, &format!("/v25.0/{id}/children?access_token={token}"))
        .await
        .json();
    assert_eq!(edge["data"].as_array().unwrap().len(), 3);
    assert!(edge.get("paging").is_none());
    assert_eq!(edge["data"][0], serde_json::json!({"id": first["id"]}));
    let node = graph(
        &ig,
        &format!("/{id}?fields=media_type,permalink&access_token={token}"),
    )
    .await
    .json();
    assert_eq!(node["media_type"], "CAROUSEL_ALBUM");
    assert_eq!(node["id"], album["id"]);
    let missing = graph(&ig, &format!("/1234/children?access_token={token}"))
        .await
        .json();
    assert_eq!(missing["error"]["error_subcode"], 33);
}

#[tokio::test]
async fn me_is_a_flat_object_like_the_fixture_with_id_appended() {
    let (ig, token) = spawn_fake().await;
    let fields = "user_id,username,account_type,profile_picture_url,followers_count,media_count";
    let reply = graph(
        &ig,
        &format!("/v25.0/me?fields={fields}&access_token={token}"),
    )
    .await;
    let me = reply.json();
    let fixture = crate::fixture("me.json");
    let keys = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&me), keys(&fixture));
    assert!(reply.text.ends_with(r#""id":"26814470153920377"}"#));
    assert_eq!(me["account_type"], "BUSINESS");
    assert_eq!(me["media_count"], 12);
    assert!(
        me["profile_picture_url"]
            .as_str()
            .unwrap()
            .starts_with(&ig.cdn_base())
    );
    let bare = graph(&ig, &format!("/me?access_token={token}"))
        .await
        .json();
    assert_eq!(
        bare,
        serde_json::json!({"id": "26814470153920377", "username": "harborline.ceramics"})
    );
}
