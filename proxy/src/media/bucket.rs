//! Mirrored media in an S3 bucket (or an S3-compatible one: MinIO, R2, …), through the
//! `object_store` crate: `FEEDFRAME_MEDIA_STORE=s3://bucket/prefix`, configured by the standard
//! `AWS_*` variables. Objects are `<prefix>/<name>`, the same names as in the data directory; a put
//! is atomic per object, so readers never see half an image. Each object carries its
//! `Content-Type` and the immutable `Cache-Control`, for a bucket served straight to browsers
//! (`FEEDFRAME_MEDIA_PUBLIC_URL`).
//!
//! The keys never leave this file: every error is worded here, with the values of the secret
//! settings cut out of whatever the S3 server or the client said.

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use object_store::aws::{AmazonS3, AmazonS3Builder, AmazonS3ConfigKey};
use object_store::path::Path;
use object_store::{
    Attribute, Attributes, BackoffConfig, ClientOptions, ObjectStore, ObjectStoreExt, PutOptions,
    RetryConfig,
};

use crate::error::ProxyError;
use crate::instagram::secret::Secret;
use crate::media::files::{CACHE_CONTROL, MediaFile, MediaName};

/// A bucket and the key prefix under which the media lives.
pub struct Bucket {
    store: AmazonS3,
    /// `None` for the bucket's root.
    prefix: Option<Path>,
    /// `s3://bucket/prefix`, for messages.
    url: String,
    /// Values cut out of every message.
    secrets: Vec<Secret>,
}

impl Bucket {
    /// A client for `s3://bucket/prefix` with `settings` (lower-case `AWS_*` names and values, as
    /// `AmazonS3Builder::from_env` reads them; unknown names are ignored). No request is made.
    pub fn open(
        bucket: &str,
        prefix: &str,
        settings: &[(String, Secret)],
    ) -> Result<Self, ProxyError> {
        let url = match prefix {
            "" => format!("s3://{bucket}"),
            p => format!("s3://{bucket}/{p}"),
        };
        let secrets: Vec<Secret> = settings
            .iter()
            .filter(|(key, _)| is_secret(key))
            .map(|(_, value)| value.clone())
            .collect();
        // Short timeouts and few retries: a visitor waits for an image read, and a start that
        // cannot reach the bucket says so within seconds rather than minutes.
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(bucket)
            .with_client_options(
                ClientOptions::new()
                    .with_connect_timeout(Duration::from_secs(5))
                    .with_timeout(Duration::from_secs(30)),
            )
            .with_retry(RetryConfig {
                backoff: BackoffConfig::default(),
                max_retries: 3,
                retry_timeout: Duration::from_secs(15),
            });
        for (key, value) in settings {
            match AmazonS3ConfigKey::from_str(key) {
                // The bucket is the one FEEDFRAME_MEDIA_STORE names, never AWS_BUCKET.
                Ok(AmazonS3ConfigKey::Bucket) | Err(_) => {}
                Ok(key) => builder = builder.with_config(key, value.expose()),
            }
        }
        let store = builder
            .build()
            .map_err(|e| scrubbed(&url, &secrets, "the S3 settings (AWS_*) are not usable", e))?;
        Ok(Self {
            store,
            prefix: (!prefix.is_empty()).then(|| Path::from(prefix)),
            url,
            secrets,
        })
    }

    /// `s3://bucket/prefix`
    pub fn url(&self) -> &str {
        &self.url
    }

    fn key(&self, file_name: &str) -> Path {
        match &self.prefix {
            Some(prefix) => prefix.clone().join(file_name),
            None => Path::from(file_name),
        }
    }

    fn error(&self, what: &str, e: object_store::Error) -> ProxyError {
        scrubbed(&self.url, &self.secrets, what, e)
    }

    /// Lists the prefix once: reachable, the bucket exists, the keys may list it.
    pub async fn check(&self) -> Result<(), ProxyError> {
        self.store
            .list_with_delimiter(self.prefix.as_ref())
            .await
            .map(|_| ())
            .map_err(|e| self.error("cannot list the bucket", e))
    }

    /// Puts one image (atomically: a reader sees all of it or nothing).
    pub async fn write(&self, name: &MediaName, bytes: Vec<u8>) -> Result<(), ProxyError> {
        let mut attributes = Attributes::with_capacity(2);
        attributes.insert(Attribute::ContentType, name.format.mime().into());
        attributes.insert(Attribute::CacheControl, CACHE_CONTROL.into());
        let options = PutOptions {
            attributes,
            ..PutOptions::default()
        };
        self.store
            .put_opts(&self.key(&name.file_name()), bytes.into(), options)
            .await
            .map(|_| ())
            .map_err(|e| self.error("cannot store an image", e))
    }

    /// One image's bytes; `None` when there is no such object.
    pub async fn read(&self, name: &MediaName) -> Result<Option<Vec<u8>>, ProxyError> {
        let got = match self.store.get(&self.key(&name.file_name())).await {
            Ok(got) => got,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(self.error("cannot read an image", e)),
        };
        got.bytes()
            .await
            .map(|b| Some(Vec::from(b)))
            .map_err(|e| self.error("cannot read an image", e))
    }

    /// Whether the object is there (an unreachable bucket counts as no).
    pub async fn has(&self, name: &MediaName) -> bool {
        self.store.head(&self.key(&name.file_name())).await.is_ok()
    }

    /// Our objects directly under the prefix, with their sizes and upload times.
    pub async fn list(&self) -> Result<Vec<MediaFile>, ProxyError> {
        let listed = self
            .store
            .list_with_delimiter(self.prefix.as_ref())
            .await
            .map_err(|e| self.error("cannot list the bucket", e))?;
        Ok(listed
            .objects
            .into_iter()
            .filter_map(|meta| {
                let name = meta.location.filename()?.to_string();
                // Not ours (no temporary objects exist here): never touched.
                let parsed = Some(MediaName::parse(&name)?);
                Some(MediaFile {
                    name,
                    parsed,
                    bytes: meta.size,
                    modified: meta.last_modified.timestamp(),
                })
            })
            .collect())
    }

    /// The sizes of our objects, by name (one listing).
    pub async fn sizes(&self) -> Result<HashMap<String, u64>, ProxyError> {
        Ok(self
            .list()
            .await?
            .into_iter()
            .map(|f| (f.name, f.bytes))
            .collect())
    }

    /// Deletes one object (already gone is fine).
    pub async fn remove(&self, file_name: &str) -> Result<(), ProxyError> {
        match self.store.delete(&self.key(file_name)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.error("cannot delete an image", e)),
        }
    }
}

/// A message that names the bucket and quotes no secret.
fn scrubbed(url: &str, secrets: &[Secret], what: &str, e: object_store::Error) -> ProxyError {
    let mut message = e.to_string();
    for secret in secrets.iter().filter(|s| !s.expose().is_empty()) {
        message = message.replace(secret.expose(), "[redacted]");
    }
    ProxyError::MediaStore {
        store: url.to_string(),
        message: format!("{what}: {message}"),
    }
}

/// Whether an `AWS_*` setting holds a credential (`aws_secret_access_key`, `aws_session_token`,
/// the key id too: together with a leaked secret elsewhere it names the account).
fn is_secret(key: &str) -> bool {
    ["key", "secret", "token", "password", "credential"]
        .iter()
        .any(|word| key.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_cut_out_of_every_message() {
        let settings = vec![
            (
                "aws_access_key_id".to_string(),
                Secret::new("AKIAEXAMPLEKEYID"),
            ),
            (
                "aws_secret_access_key".to_string(),
                Secret::new("wJalrXUtnFEMIsecret"),
            ),
            ("aws_region".to_string(), Secret::new("eu-west-1")),
        ];
        let bucket = Bucket::open("media", "feeds", &settings).unwrap();
        let leaked = object_store::Error::Generic {
            store: "S3",
            source: "<AWSAccessKeyId>AKIAEXAMPLEKEYID</AWSAccessKeyId> wJalrXUtnFEMIsecret".into(),
        };
        let message = bucket.error("cannot store an image", leaked).to_string();
        assert!(
            !message.contains("AKIAEXAMPLEKEYID") && !message.contains("wJalrXUtnFEMIsecret"),
            "{message}"
        );
        assert!(message.contains("s3://media/feeds"), "{message}");
        assert_eq!(bucket.key("a.320.jpg").as_ref(), "feeds/a.320.jpg");
    }
}
