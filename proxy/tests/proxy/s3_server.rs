//! moto's S3 server on loopback, started by a test and stopped when it ends, with plain S3
//! requests to set up and read its buckets (not FeedFrame's client).

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use feedframe::Config;
use feedframe::config::MediaStoreUrl;
use feedframe::instagram::secret::Secret;

/// Recognisable credentials: no message may ever quote them.
pub const KEY_ID: &str = "AKIAFEEDFRAMETESTKEY";
pub const SECRET_KEY: &str = "feedframe-test-secret-c0ffee";

/// moto's S3 server on a free loopback port; stopped (killed by its own pid) when dropped.
pub struct S3Server {
    child: Child,
    pub endpoint: String,
    http: reqwest::Client,
}

impl S3Server {
    /// Starts moto (`./x setup` installs it) and waits until it answers. A port taken between
    /// choosing it and moto binding it makes moto exit: another port is tried.
    pub async fn start() -> Self {
        let http = reqwest::Client::new();
        for _ in 0..5 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let mut child = Command::new("python3")
                .args([
                    "-m",
                    "moto.server",
                    "-H",
                    "127.0.0.1",
                    "-p",
                    &port.to_string(),
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("python3 runs moto's S3 server (./x setup installs moto[server])");
            let endpoint = format!("http://127.0.0.1:{port}");
            // Up to 30 s: moto imports a lot on a busy machine.
            for _ in 0..300 {
                if child.try_wait().unwrap().is_some() {
                    break; // Port taken meanwhile, or moto missing: the next try says which.
                }
                if http.get(format!("{endpoint}/")).send().await.is_ok() {
                    return Self {
                        child,
                        endpoint,
                        http,
                    };
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!(
            "moto's S3 server did not start on any of 5 ports (is moto[server] installed? \
             ./x setup installs it)"
        );
    }

    /// Creates `bucket` (moto accepts unsigned requests).
    pub async fn create_bucket(&self, bucket: &str) {
        let response = self
            .http
            .put(format!("{}/{bucket}", self.endpoint))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    }

    /// Lets anyone read `bucket`'s objects, as a bucket served to browsers is set up.
    pub async fn make_public(&self, bucket: &str) {
        let policy = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::{bucket}/*"]}}]}}"#
        );
        let response = self
            .http
            .put(format!("{}/{bucket}?policy", self.endpoint))
            .header("content-type", "application/json")
            .body(policy)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{}",
            response.text().await.unwrap()
        );
    }

    /// The objects under `prefix/`, by name after the prefix, with their sizes (ListObjectsV2).
    pub async fn objects(&self, bucket: &str, prefix: &str) -> BTreeMap<String, u64> {
        let xml = self
            .http
            .get(format!(
                "{}/{bucket}?list-type=2&prefix={prefix}/",
                self.endpoint
            ))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(xml.contains("<ListBucketResult"), "{xml}");
        assert!(
            !xml.contains("<IsTruncated>true"),
            "one page is enough here"
        );
        let field = |item: &str, tag: &str| -> String {
            let start = item.find(&format!("<{tag}>")).unwrap() + tag.len() + 2;
            let end = item.find(&format!("</{tag}>")).unwrap();
            item[start..end].to_string()
        };
        xml.split("<Contents>")
            .skip(1)
            .map(|item| {
                let key = field(item, "Key");
                let name = key.strip_prefix(&format!("{prefix}/")).unwrap().to_string();
                (name, field(item, "Size").parse().unwrap())
            })
            .collect()
    }

    /// The settings `feedframe` reads from the standard AWS variables.
    pub fn settings(&self) -> Vec<(String, Secret)> {
        self.env()
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), Secret::new(v)))
            .collect()
    }

    /// The standard AWS variables for this server.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_ALLOW_HTTP", "true".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ACCESS_KEY_ID", KEY_ID.into()),
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY.into()),
        ]
    }

    /// Points `c` at `s3://bucket/prefix` on this server.
    pub fn configure(&self, c: &mut Config, bucket: &str, prefix: &str) {
        c.media_store = MediaStoreUrl::S3 {
            bucket: bucket.into(),
            prefix: prefix.into(),
        };
        c.media_store_settings = self.settings();
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
