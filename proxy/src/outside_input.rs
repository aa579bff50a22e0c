//! Property tests: every parser of outside input is total. Instagram's answers and headers, CDN
//! URLs and bodies, visitors' paths and the widget's options may be anything; each gives a value
//! or an error, never a panic (a panic in a revalidation used to stop the feed for good).

use std::time::Duration;

use proptest::prelude::*;

use crate::feeds::assemble;
use crate::instagram::client::RawMedia;
use crate::instagram::errors::{classify, retry_after, usage_pause};
use crate::instagram::signed_url::{SignedUrl, parse_oe};
use crate::media::files::MediaName;

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..256)
}

/// Any text, or text close to what is expected, where edge cases live.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        Just(String::new()),
        Just("IMAGE".to_string()),
        Just("video".to_string()),
        Just("CAROUSEL_ALBUM".to_string()),
        Just("2024-05-11T21:46:36+0000".to_string()),
        Just("🌊+0000".to_string()),
        Just("é1234".to_string()),
        Just("https://scontent.cdninstagram.com/v/a_n.jpg?oe=6576D61D&oh=x".to_string()),
        Just("https://[::1]:99999/%zz?oe=FFFFFFFFFFFFFFF".to_string()),
        Just("http://127.0.0.1/a.jpg?oe=".to_string()),
        Just("#tag #tag2".to_string()),
        (any::<String>(), any::<String>()).prop_map(|(a, b)| format!("{a}+0200{b}")),
        any::<i64>().prop_map(|n| n.to_string()),
    ]
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(text())
}

/// A media item as Instagram might send it, with any values in its fields.
fn raw_media() -> impl Strategy<Value = serde_json::Value> {
    let child = (text(), text(), opt_text(), opt_text()).prop_map(|(id, kind, url, thumb)| {
        serde_json::json!({"id": id, "media_type": kind, "media_url": url, "thumbnail_url": thumb})
    });
    (
        (text(), opt_text(), text(), opt_text(), opt_text()),
        (opt_text(), opt_text(), opt_text()),
        proptest::option::of(proptest::collection::vec(child, 0..4)),
    )
        .prop_map(
            |((id, caption, kind, url, thumb), (permalink, timestamp, username), children)| {
                serde_json::json!({
                    "id": id, "caption": caption, "media_type": kind, "media_url": url,
                    "thumbnail_url": thumb, "permalink": permalink, "timestamp": timestamp,
                    "username": username,
                    "children": children.map(|data| serde_json::json!({"data": data})),
                })
            },
        )
}

proptest! {
    #[test]
    fn any_error_response_is_classified(
        status in 0u16..1000,
        body in bytes(),
        pause in proptest::option::of(any::<u64>()),
    ) {
        let e = classify(status, &body, pause.map(Duration::from_secs));
        let _ = (e.kind(), e.feed_status(), e.token_verdict(), e.to_string());
    }

    #[test]
    fn any_graph_error_body_is_classified(
        status in 0u16..1000,
        code in any::<Option<i64>>(),
        subcode in any::<Option<i64>>(),
        message in text(),
    ) {
        let body = serde_json::json!({"error": {"message": message, "code": code, "error_subcode": subcode}});
        let e = classify(status, body.to_string().as_bytes(), None);
        let _ = e.to_string();
    }

    #[test]
    fn any_usage_or_retry_after_header_is_read(app in text(), buc in text(), now in any::<i64>()) {
        let _ = usage_pause(Some(&app), Some(&buc));
        prop_assert!(retry_after(Some(&app), now).is_none_or(|d| d <= crate::instagram::errors::MAX_RETRY_AFTER));
    }

    #[test]
    fn usage_headers_with_any_numbers_are_read(n in any::<i64>(), minutes in any::<i64>()) {
        let app = format!(r#"{{"call_count":{n},"cpu_time":{n}}}"#);
        let buc = format!(
            r#"{{"1":[{{"type":"instagram","call_count":{n},"estimated_time_to_regain_access":{minutes}}}]}}"#
        );
        let pause = usage_pause(Some(&app), Some(&buc));
        prop_assert!(pause.is_none_or(|d| d <= crate::instagram::errors::MAX_RETRY_AFTER));
    }

    #[test]
    fn any_media_list_is_assembled(items in proptest::collection::vec(raw_media(), 0..6)) {
        let raw: Vec<RawMedia> = items
            .into_iter()
            .filter_map(|v| serde_json::from_value(v).ok())
            .collect();
        for m in &raw {
            for source in assemble::sources(m) {
                let _ = crate::media::mirror::key_of(&source.image);
                let _ = source.video.as_deref().map(crate::media::mirror::key_of);
            }
        }
        let feed = assemble::assemble("main", "u", raw, 0, assemble::as_is);
        let _ = serde_json::to_string(&feed).unwrap();
    }

    #[test]
    fn any_response_bytes_are_read_or_refused(body in bytes()) {
        let _ = serde_json::from_slice::<Vec<RawMedia>>(&body);
        let _ = serde_json::from_slice::<crate::instagram::client::Me>(&body);
    }

    #[test]
    fn any_cdn_url_is_parsed_or_refused(url in text(), oe in text(), now in any::<i64>()) {
        if let Ok(u) = SignedUrl::parse(&url) {
            let _ = (u.host(), u.key(), u.expired(now), u.url(), format!("{u:?}"));
        }
        let _ = parse_oe(&oe);
        let signed = format!("https://x.cdninstagram.com/{url}?oe={oe}");
        if let Ok(u) = SignedUrl::parse(&signed) {
            let _ = u.expired(now);
        }
    }

    #[test]
    fn any_media_file_name_is_parsed_or_refused(name in text()) {
        if let Some(n) = MediaName::parse(&name) {
            prop_assert_eq!(MediaName::parse(&n.file_name()), Some(n));
        }
        let _ = MediaName::from_url(&name);
    }

    #[test]
    fn any_feed_name_is_accepted_or_refused(name in text()) {
        if let Ok(n) = crate::config::parse_feed_name(&name) {
            prop_assert!(!n.is_empty());
        }
    }

    #[test]
    fn any_widget_options_are_read(values in proptest::collection::vec(text(), feedframe_widget::options::ATTRIBUTES.len())) {
        let names = feedframe_widget::options::ATTRIBUTES;
        let (options, warnings) = feedframe_widget::Options::from_attributes(|name| {
            names.iter().position(|n| *n == name).map(|i| values[i].clone())
        });
        let _ = (options.inline_style(), warnings.iter().map(ToString::to_string).count());
    }
}

proptest! {
    // Decoding is slow; fewer cases, each with a real image header in front of the noise.
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn any_cdn_body_is_transcoded_or_refused(
        header in prop_oneof![
            Just(&b""[..]),
            Just(&b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00"[..]),
            Just(&b"\x89PNG\r\n\x1a\n"[..]),
            Just(&b"RIFF\x00\x00\x00\x00WEBPVP8 "[..]),
        ],
        body in bytes(),
    ) {
        let bytes = [header, &body[..]].concat();
        let _ = crate::media::transcode::transcode(&bytes, 40_000_000);
    }
}
