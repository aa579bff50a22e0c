//! Mirrored media in an S3 bucket (or an S3-compatible one: MinIO, R2, …), through the
//! `object_store` crate: `FEEDFRAME_MEDIA_STORE=s3://bucket/prefix`, configured by the standard
//! `AWS_*` variables. Objects are `<prefix>/<name>`, the same names as in the data directory; a put
//! (a multipart upload for a video) is atomic per object, so readers never see half a file. Each object carries its
//! `Content-Type` and the immutable `Cache-Control`, for a bucket served straight to browsers
//! (`FEEDFRAME_MEDIA_PUBLIC_URL`).
//!
//! The keys never leave this file: every error is worded here, with the values of the secret
//! settings cut out of whatever the S3 server or the client said.

use std::collections::HashMap;
use std::ops::Range;
use std::str::FromStr;
use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder, AmazonS3ConfigKey};
use object_store::path::Path;
use object_store::{
    Attribute, Attributes, BackoffConfig, ClientOptions, GetOptions, GetRange, ObjectStore,
    ObjectStoreExt, PutMultipartOptions, PutOptions, RetryConfig, WriteMultipart,
};
use tempfile::NamedTempFile;
use tokio::io::AsyncReadExt;

use crate::error::ProxyError;
use crate::instagram::secret::Secret;
use crate::media::files::{ByteStream, CACHE_CONTROL, MediaFile, MediaName};

/// The part size of a multipart upload (S3 takes 5 MiB at least, but for the last part).
const PART_BYTES: usize = 8 * 1024 * 1024;
/// Parts uploading at once: with [`PART_BYTES`], what one upload holds in memory at most.
const PARTS_AT_ONCE: usize = 2;

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

    /// What every object carries: its type, and the immutable caching.
    fn attributes(name: &MediaName) -> Attributes {
        let mut attributes = Attributes::with_capacity(2);
        attributes.insert(Attribute::ContentType, name.format.mime().into());
        attributes.insert(Attribute::CacheControl, CACHE_CONTROL.into());
        attributes
    }

    /// Puts one image (atomically: a reader sees all of it or nothing).
    pub async fn write(&self, name: &MediaName, bytes: Vec<u8>) -> Result<(), ProxyError> {
        let options = PutOptions {
            attributes: Self::attributes(name),
            ..PutOptions::default()
        };
        self.store
            .put_opts(&self.key(&name.file_name()), bytes.into(), options)
            .await
            .map(|_| ())
            .map_err(|e| self.error("cannot store an image", e))
    }

    /// A temporary file for a download, uploaded by [`Bucket::store_staged`].
    pub fn stage(&self) -> Result<NamedTempFile, ProxyError> {
        NamedTempFile::new().map_err(|e| ProxyError::MediaStore {
            store: self.url.clone(),
            message: format!("cannot make a temporary file for a download: {e}"),
        })
    }

    /// Uploads a staged file as one object, part by part (never all of it in memory); the object
    /// appears only once every part is in.
    pub async fn store_staged(
        &self,
        name: &MediaName,
        staged: NamedTempFile,
    ) -> Result<(), ProxyError> {
        let broken = |e: std::io::Error| ProxyError::MediaStore {
            store: self.url.clone(),
            message: format!("cannot read a downloaded file: {e}"),
        };
        let mut file = tokio::fs::File::open(staged.path()).await.map_err(broken)?;
        let options = PutMultipartOptions {
            attributes: Self::attributes(name),
            ..PutMultipartOptions::default()
        };
        let upload = self
            .store
            .put_multipart_opts(&self.key(&name.file_name()), options)
            .await
            .map_err(|e| self.error("cannot store a video", e))?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_BYTES);
        let mut buf = vec![0u8; 256 * 1024];
        let sent: Result<(), ProxyError> = async {
            loop {
                let n = file.read(&mut buf).await.map_err(broken)?;
                if n == 0 {
                    return Ok(());
                }
                writer
                    .wait_for_capacity(PARTS_AT_ONCE)
                    .await
                    .map_err(|e| self.error("cannot store a video", e))?;
                writer.write(&buf[..n]);
            }
        }
        .await;
        if let Err(e) = sent {
            let _ = writer.abort().await;
            return Err(e);
        }
        writer
            .finish()
            .await
            .map(|_| ())
            .map_err(|e| self.error("cannot store a video", e))
    }

    /// One object's size; `None` when there is no such object.
    pub async fn size(&self, name: &MediaName) -> Result<Option<u64>, ProxyError> {
        match self.store.head(&self.key(&name.file_name())).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.error("cannot read a media file", e)),
        }
    }

    /// The bytes `range` of one object, streamed (a ranged GET); `None` when there is no such
    /// object.
    pub async fn read_range(
        &self,
        name: &MediaName,
        range: Range<u64>,
    ) -> Result<Option<ByteStream>, ProxyError> {
        if range.is_empty() {
            return Ok(Some(futures_util::stream::empty().boxed()));
        }
        let options = GetOptions {
            range: Some(GetRange::Bounded(range)),
            ..GetOptions::default()
        };
        let got = match self
            .store
            .get_opts(&self.key(&name.file_name()), options)
            .await
        {
            Ok(got) => got,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(self.error("cannot read a media file", e)),
        };
        // Worded here like every other error: the server only passes it on.
        let (url, secrets) = (self.url.clone(), self.secrets.clone());
        Ok(Some(
            got.into_stream()
                .map_err(move |e| {
                    let what = "a media file stopped mid-stream";
                    std::io::Error::other(scrubbed(&url, &secrets, what, e).to_string())
                })
                .boxed(),
        ))
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
