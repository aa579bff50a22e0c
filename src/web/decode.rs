//! Reads the feed JSON (already parsed by the browser) into `feed::Feed` field by field.
//! Going through `js_sys::Reflect` instead of serde keeps serde's deserializers out of the wasm.
//! Required top-level fields are strict; a malformed post is skipped, not fatal.

use feedframe_feed::{
    ApiError, FEED_VERSION, Feed, FeedStatus, Media, Post, PostKind, Profile, Variant,
};
use js_sys::{Array, Reflect};
use wasm_bindgen::JsValue;

use crate::Fetched;

/// Classifies a response by status and decodes its body.
pub(crate) fn fetched(status: u16, body: Option<JsValue>) -> Fetched {
    match (status, body) {
        (200, Some(body)) => feed(&body).map_or_else(
            |missing| Fetched::Undecodable(["missing or invalid ", missing].concat()),
            Fetched::Feed,
        ),
        (200, None) => Fetched::Undecodable("not JSON".into()),
        (status, body) => Fetched::Error {
            status,
            body: body.and_then(|b| api_error(&field(&b, "error"))),
        },
    }
}

type Decoded<T> = Result<T, &'static str>;

fn feed(v: &JsValue) -> Decoded<Feed> {
    if number(v, "version") != Some(FEED_VERSION) {
        return Err("version");
    }
    let profile = field(v, "profile");
    Ok(Feed {
        version: FEED_VERSION,
        feed: string(v, "feed").ok_or("feed")?,
        status: string(v, "status")
            .and_then(|s| FeedStatus::from_wire(&s))
            .ok_or("status")?,
        fetched_at: string(v, "fetched_at"),
        profile: Profile {
            username: string(&profile, "username").ok_or("profile.username")?,
            profile_url: string(&profile, "profile_url").unwrap_or_default(),
        },
        posts: array(v, "posts")
            .ok_or("posts")?
            .iter()
            .filter_map(|p| post(&p))
            .collect(),
    })
}

fn post(v: &JsValue) -> Option<Post> {
    let media: Vec<Media> = array(v, "media")?
        .iter()
        .filter_map(|m| media(&m))
        .collect();
    if media.is_empty() {
        return None;
    }
    Some(Post {
        id: string(v, "id")?,
        kind: PostKind::from_wire(&string(v, "kind")?)?,
        permalink: string(v, "permalink")?,
        caption: string(v, "caption"),
        timestamp: string(v, "timestamp").unwrap_or_default(),
        media,
    })
}

fn media(v: &JsValue) -> Option<Media> {
    Some(Media {
        url: string(v, "url")?,
        width: number(v, "width"),
        height: number(v, "height"),
        color: string(v, "color"),
        variants: array(v, "variants")
            .map(|a| a.iter().filter_map(|x| variant(&x)).collect())
            .unwrap_or_default(),
        placeholder: string(v, "placeholder"),
    })
}

fn variant(v: &JsValue) -> Option<Variant> {
    Some(Variant {
        url: string(v, "url")?,
        width: number(v, "width")?,
        height: number(v, "height")?,
        mime: string(v, "type").unwrap_or_default(),
    })
}

fn api_error(v: &JsValue) -> Option<ApiError> {
    Some(ApiError {
        code: string(v, "code")?,
        message: string(v, "message").unwrap_or_default(),
    })
}

fn field(v: &JsValue, name: &str) -> JsValue {
    if v.is_object() {
        Reflect::get(v, &name.into()).unwrap_or_default()
    } else {
        JsValue::UNDEFINED
    }
}

fn string(v: &JsValue, name: &str) -> Option<String> {
    field(v, name).as_string()
}

fn number(v: &JsValue, name: &str) -> Option<u32> {
    field(v, name)
        .as_f64()
        .filter(|n| n.fract() == 0.0 && *n >= 0.0 && *n <= f64::from(u32::MAX))
        .map(|n| n as u32)
}

fn array(v: &JsValue, name: &str) -> Option<Array> {
    let value = field(v, name);
    Array::is_array(&value).then(|| Array::from(&value))
}
