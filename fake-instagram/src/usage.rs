//! Usage headers on successful responses: sometimes none, sometimes `X-App-Usage` with either key
//! set, sometimes also `X-Business-Use-Case-Usage` (API.md §4.4). Values are percentages.

/// The headers for the `answered`-th successful response (0-based), cycling through four shapes:
/// nothing; `X-App-Usage` with `call_count`/`total_time`/`total_cputime`; nothing;
/// `X-App-Usage` with `call_volume`/`cpu_time` plus a BUC header whose regain time is 0.
pub(crate) fn usage_headers(answered: u64, user_id: &str) -> Vec<(&'static str, String)> {
    let pct = (answered / 4 % 60) + 1;
    match answered % 4 {
        1 => vec![(
            "x-app-usage",
            format!(
                r#"{{"call_count":{pct},"total_time":{},"total_cputime":{}}}"#,
                pct / 2,
                pct / 3
            ),
        )],
        3 => vec![
            (
                "x-app-usage",
                format!(r#"{{"call_volume":{pct},"cpu_time":{}}}"#, pct / 2),
            ),
            (
                "x-business-use-case-usage",
                format!(
                    r#"{{"{user_id}":[{{"type":"instagram","call_count":{pct},"total_cputime":{},"total_time":{},"estimated_time_to_regain_access":0}}]}}"#,
                    pct / 3,
                    pct / 2
                ),
            ),
        ],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_other_response_carries_app_usage_alternating_key_sets() {
        assert!(usage_headers(0, "1").is_empty());
        assert!(usage_headers(1, "1")[0].1.contains("call_count"));
        assert!(usage_headers(2, "1").is_empty());
        let fourth = usage_headers(3, "1");
        assert!(fourth[0].1.contains("call_volume"));
        let buc: serde_json::Value = serde_json::from_str(&fourth[1].1).unwrap();
        assert_eq!(buc["1"][0]["estimated_time_to_regain_access"], 0);
    }
}
