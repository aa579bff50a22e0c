//! Integration tests: a real reqwest client against the fake's real listeners.

mod cdn;
mod faults;
mod graph;
mod login;
mod tokens;

use fake_instagram::FakeInstagram;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;

/// A started fake with one valid 60-day token.
pub async fn spawn_fake() -> (FakeInstagram, String) {
    let ig = FakeInstagram::start().await;
    let token = ig.issue_token(60 * 86_400);
    (ig, token)
}

/// A GET's status, headers and body text.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Reply {
    /// The body as JSON (panics with the body when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|_| panic!("not JSON: {}", self.text))
    }

    /// A response header as text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    }
}

/// GETs an absolute URL.
pub async fn get(url: &str) -> Reply {
    let response = reqwest::get(url)
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    Reply {
        status,
        headers,
        text,
    }
}

/// GETs `path_and_query` on the graph listener.
pub async fn graph(ig: &FakeInstagram, path_and_query: &str) -> Reply {
    get(&format!("{}{path_and_query}", ig.graph_base())).await
}

/// A fixture from `shared/instagram/fixtures/`.
pub fn fixture(name: &str) -> Value {
    let path = format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// Every key anywhere in `value` whose value is `null`.
pub fn null_keys(value: &Value) -> Vec<String> {
    match value {
        Value::Object(map) => map
            .iter()
            .flat_map(|(k, v)| {
                let mut found = null_keys(v);
                if v.is_null() {
                    found.push(k.clone());
                }
                found
            })
            .collect(),
        Value::Array(items) => items.iter().flat_map(null_keys).collect(),
        _ => Vec::new(),
    }
}

/// The full field list the proxy asks for (as in the fixtures).
pub const FIELDS: &str = "id,caption,media_type,media_url,permalink,thumbnail_url,timestamp,username,children{id,media_type,media_url,thumbnail_url}";
