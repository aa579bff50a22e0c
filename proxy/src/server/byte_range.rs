//! Range requests (RFC 9110 §14) on a file of known length: `Range: bytes=a-b`, `bytes=a-` and
//! `bytes=-n`, honoured only while `If-Range` (when sent) names the file's entity tag. Anything
//! this does not take (another unit, several ranges, a malformed spec) is answered with the whole
//! file, as the RFC allows.

use std::ops::Range;

use axum::http::{HeaderMap, header};

/// What a request asks of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ranged {
    /// The whole file: `200 OK`.
    Full,
    /// These bytes: `206 Partial Content`.
    Partial(Range<u64>),
    /// A range that starts past the end: `416 Range Not Satisfiable`.
    Unsatisfiable,
}

/// The part of a file of `len` bytes, with entity tag `etag`, that `headers` ask for.
pub(crate) fn requested(headers: &HeaderMap, etag: &str, len: u64) -> Ranged {
    let Some(range) = headers.get(header::RANGE).and_then(|v| v.to_str().ok()) else {
        return Ranged::Full;
    };
    // Any other validator (another tag, a date: no Last-Modified is sent) means the client's
    // bytes may be of another file: it gets the whole one.
    if let Some(if_range) = headers.get(header::IF_RANGE)
        && if_range.to_str().ok().map(str::trim) != Some(etag)
    {
        return Ranged::Full;
    }
    parse(range, len).unwrap_or(Ranged::Full)
}

/// One `bytes` range of a file of `len` bytes; `None` for what is not taken.
fn parse(value: &str, len: u64) -> Option<Ranged> {
    let (unit, spec) = value.trim().split_once('=')?;
    if !unit.trim().eq_ignore_ascii_case("bytes") || spec.contains(',') {
        return None;
    }
    let (first, last) = spec.trim().split_once('-')?;
    let number = |s: &str| {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // More digits than a u64 holds: past any end.
        Some(s.parse::<u64>().unwrap_or(u64::MAX))
    };
    let (start, end) = match (first, last) {
        ("", suffix) => {
            let n = number(suffix)?;
            (len.saturating_sub(n), len)
        }
        (first, "") => (number(first)?, len),
        (first, last) => {
            let (first, last) = (number(first)?, number(last)?);
            if last < first {
                return None;
            }
            (first, last.saturating_add(1).min(len))
        }
    };
    Some(if start < end {
        Ranged::Partial(start..end)
    } else {
        Ranged::Unsatisfiable
    })
}

/// `Content-Range` of a partial response.
pub(crate) fn content_range(range: &Range<u64>, len: u64) -> String {
    format!("bytes {}-{}/{len}", range.start, range.end - 1)
}

/// `Content-Range` of a `416`: the file's length.
pub(crate) fn unsatisfied_range(len: u64) -> String {
    format!("bytes */{len}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ask(range: &str, len: u64) -> Ranged {
        let mut headers = HeaderMap::new();
        headers.insert(header::RANGE, HeaderValue::from_str(range).unwrap());
        requested(&headers, "\"tag\"", len)
    }

    #[test]
    fn the_three_forms_are_answered_within_the_file() {
        assert_eq!(ask("bytes=0-1", 10), Ranged::Partial(0..2));
        assert_eq!(ask("bytes=4-", 10), Ranged::Partial(4..10));
        assert_eq!(ask("bytes=-3", 10), Ranged::Partial(7..10));
        assert_eq!(ask("bytes=5-99", 10), Ranged::Partial(5..10), "clamped");
        assert_eq!(ask("bytes=-99", 10), Ranged::Partial(0..10));
        assert_eq!(ask("BYTES=9-9", 10), Ranged::Partial(9..10));
        assert_eq!(content_range(&(7..10), 10), "bytes 7-9/10");
    }

    #[test]
    fn a_range_past_the_end_is_unsatisfiable_and_a_bad_one_ignored() {
        for past in [
            "bytes=10-",
            "bytes=10-20",
            "bytes=-0",
            "bytes=99999999999999999999999-",
        ] {
            assert_eq!(ask(past, 10), Ranged::Unsatisfiable, "{past}");
        }
        assert_eq!(ask("bytes=0-", 0), Ranged::Unsatisfiable);
        for ignored in [
            "bytes=5-2",
            "bytes=0-1,4-5",
            "items=0-1",
            "bytes=a-b",
            "bytes=1",
            "0-1",
        ] {
            assert_eq!(ask(ignored, 10), Ranged::Full, "{ignored}");
        }
    }

    #[test]
    fn if_range_with_another_validator_gets_the_whole_file() {
        let mut headers = HeaderMap::new();
        headers.insert(header::RANGE, HeaderValue::from_static("bytes=0-1"));
        headers.insert(header::IF_RANGE, HeaderValue::from_static("\"tag\""));
        assert_eq!(requested(&headers, "\"tag\"", 10), Ranged::Partial(0..2));
        for other in ["\"other\"", "W/\"tag\"", "Wed, 21 Oct 2015 07:28:00 GMT"] {
            headers.insert(header::IF_RANGE, HeaderValue::from_static(other));
            assert_eq!(requested(&headers, "\"tag\"", 10), Ranged::Full, "{other}");
        }
    }
}
