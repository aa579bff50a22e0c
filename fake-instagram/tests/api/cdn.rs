//! The CDN: real JPEGs at signed URLs until `oe`, Instagram's 403 bodies afterwards.

use fake_instagram::{Fault, Route};

use crate::{FIELDS, get, graph, spawn_fake};

/// `oe` of a signed URL as unix seconds.
fn oe(url: &str) -> i64 {
    let hex = url.split("oe=").nth(1).unwrap().split('&').next().unwrap();
    i64::from_str_radix(hex, 16).unwrap()
}

#[tokio::test]
async fn cdn_serves_a_decodable_jpeg_of_the_right_size_until_oe_passes() {
    let (ig, token) = spawn_fake().await;
    let page = graph(
        &ig,
        &format!("/me/media?fields={FIELDS}&limit=6&access_token={token}"),
    )
    .await
    .json();
    let items = page["data"].as_array().unwrap();
    let image = &items[0];
    let url = image["media_url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("{}/v/t51.82787-15/", ig.cdn_base())),
        "{url}"
    );
    assert!(url.contains("_n.jpg?stp=dst-jpg_e35&") && url.contains("&oh=00_"));
    let granted = oe(url) - ig.now();
    assert!(
        (4 * 86_400 - 5..=4 * 86_400).contains(&granted),
        "{granted}"
    );

    let reply = reqwest::get(url).await.unwrap();
    assert_eq!(reply.status(), 200);
    assert_eq!(reply.headers()["content-type"], "image/jpeg");
    let decoded = image::load_from_memory(&reply.bytes().await.unwrap()).unwrap();
    let post = &ig.posts()[0];
    assert_eq!(
        (decoded.width(), decoded.height()),
        (post.width, post.height)
    );

    let video = items
        .iter()
        .find(|i| i["media_type"] == "VIDEO" && i.get("media_url").is_some())
        .unwrap();
    let mp4 = video["media_url"].as_str().unwrap();
    assert!(oe(mp4) < oe(url), "videos expire sooner");
    let reply = reqwest::get(mp4).await.unwrap();
    assert_eq!(reply.headers()["content-type"], "video/mp4");
    let thumb = get(video["thumbnail_url"].as_str().unwrap()).await;
    assert_eq!(thumb.status, 200);

    ig.advance(4 * 86_400 + 1);
    let expired = get(url).await;
    assert_eq!(expired.status, 403);
    assert!(
        expired
            .header("content-type")
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(expired.text, "URL signature expired");
    assert_eq!(ig.calls(Route::Cdn), 4);
}

#[tokio::test]
async fn tampered_or_malformed_cdn_urls_are_refused() {
    let (ig, token) = spawn_fake().await;
    let me = graph(
        &ig,
        &format!("/me?fields=profile_picture_url&access_token={token}"),
    )
    .await
    .json();
    let url = me["profile_picture_url"].as_str().unwrap().to_string();
    assert_eq!(get(&url).await.status, 200);

    let stretched = url.replace("stp=dst-jpg_s206x206_tt6", "stp=dst-jpg_s1080x1080");
    assert_eq!(get(&stretched).await.text, "URL signature mismatch");
    let (head, _) = url.split_once("&oh=").unwrap();
    let forged = format!("{head}&oh=00_AfForgedSignature&oe={:X}", oe(&url));
    let reply = get(&forged).await;
    assert_eq!(
        (reply.status.as_u16(), reply.text.as_str()),
        (403, "URL signature mismatch")
    );
    let later = url.replace(
        &format!("oe={:X}", oe(&url)),
        &format!("oe={:X}", oe(&url) + 86_400),
    );
    assert_eq!(get(&later).await.text, "URL signature mismatch");
    let mangled = url.replace(&format!("oe={:X}", oe(&url)), "oe=notHEX");
    assert_eq!(get(&mangled).await.text, "Bad URL timestamp");
    let unknown = get(&format!("{}/v/t51.82787-15/999_n.jpg", ig.cdn_base())).await;
    assert_eq!(unknown.status, 404);

    ig.push_fault(Route::Cdn, Fault::ServerError);
    ig.push_fault(Route::Any, Fault::ServerError); // graph-only: must not reach the CDN
    assert_eq!(get(&url).await.status, 500);
    assert_eq!(get(&url).await.status, 200);

    ig.shutdown();
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert!(
        reqwest::get(&url).await.is_err(),
        "the CDN stops on shutdown"
    );
}
