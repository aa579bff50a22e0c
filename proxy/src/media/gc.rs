//! Garbage collection of mirrored media, in the data directory or a bucket alike. Media
//! referenced by any feed's last good snapshot is never deleted. Unreferenced media is deleted once
//! it has not been referenced for the grace period (a visitor's cached feed JSON may still point at
//! it); then, while the store is over its budget, the longest-unreferenced media goes first. Runs at
//! startup and after every saved snapshot; it lists the store once and reads the snapshots.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use feedframe_feed::Feed;

use crate::error::ProxyError;
use crate::media::files::{MediaFile, MediaFiles, MediaName, file_urls};
use crate::store::Store;

/// Temporary files older than this are leftovers of a crash.
const TEMP_MAX_AGE: i64 = 3_600;

/// What one collection did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Collected {
    pub deleted_files: usize,
    pub freed_bytes: u64,
    /// Bytes of mirrored media left in the store.
    pub kept_bytes: u64,
}

/// Collects garbage in `files` at `now`.
pub async fn collect(
    store: &Arc<Store>,
    files: &MediaFiles,
    grace: Duration,
    budget: u64,
    now: i64,
) -> Result<Collected, ProxyError> {
    let (referenced, seen) = store
        .run(move |s| {
            let referenced = referenced_digests(s)?;
            let referenced_list: Vec<String> = referenced.iter().cloned().collect();
            s.mark_seen(&referenced_list, now)?;
            Ok((referenced, s.digests_seen()?))
        })
        .await?;
    let plan = plan(files.list().await?, &referenced, seen, grace, budget, now);
    let mut report = Collected::default();
    for file in &plan.delete {
        files.remove(&file.name).await?;
        report.deleted_files += 1;
        report.freed_bytes += file.bytes;
    }
    let forget = plan.forget;
    store.run(move |s| s.forget_digests(&forget)).await?;
    report.kept_bytes = plan.kept_bytes;
    if plan.kept_bytes > budget {
        tracing::warn!(
            kept = plan.kept_bytes,
            budget,
            "the media referenced by the feeds alone exceeds FEEDFRAME_MEDIA_BUDGET_MB"
        );
    }
    Ok(report)
}

/// What a collection deletes and forgets.
#[derive(Debug, Default)]
struct Plan {
    delete: Vec<MediaFile>,
    /// Digests the index forgets: deleted now, or gone already.
    forget: Vec<String>,
    /// Bytes of mirrored media left afterwards.
    kept_bytes: u64,
}

/// Decides a collection from the listed files, the referenced digests and when each indexed
/// digest was last referenced.
fn plan(
    listed: Vec<MediaFile>,
    referenced: &HashSet<String>,
    seen: HashMap<String, i64>,
    grace: Duration,
    budget: u64,
    now: i64,
) -> Plan {
    let mut plan = Plan::default();
    let mut groups: HashMap<String, Vec<MediaFile>> = HashMap::new();
    for file in listed {
        match &file.parsed {
            Some(name) => groups.entry(name.digest.clone()).or_default().push(file),
            None if now - file.modified > TEMP_MAX_AGE => plan.delete.push(file),
            None => {}
        }
    }

    // Unreferenced groups with the last time they were referenced (or written, for orphans).
    let mut unreferenced: Vec<(i64, String)> = groups
        .iter()
        .filter(|(digest, _)| !referenced.contains(*digest))
        .map(|(digest, group)| {
            let written = group.iter().map(|f| f.modified).max().unwrap_or(0);
            (seen.get(digest).copied().unwrap_or(written), digest.clone())
        })
        .collect();
    unreferenced.sort();

    let grace = grace.as_secs() as i64;
    let mut total: u64 = groups.values().flatten().map(|f| f.bytes).sum();
    for (last_seen, digest) in &unreferenced {
        let past_grace = now - last_seen > grace;
        if !past_grace && total <= budget {
            continue;
        }
        for file in groups.remove(digest).unwrap_or_default() {
            total -= file.bytes;
            plan.delete.push(file);
        }
        plan.forget.push(digest.clone());
    }
    // Index rows whose files are gone (deleted by hand, say) are forgotten too.
    plan.forget
        .extend(seen.into_keys().filter(|d| !groups.contains_key(d)));
    plan.forget.sort();
    plan.forget.dedup();
    plan.kept_bytes = total;
    plan
}

/// Deletes at once, without the grace period, the files of `digests` that no remaining snapshot
/// references, and forgets them in the index. For a data-deletion request: the images' owner asked
/// for them to go, which outweighs a visitor's cached feed JSON that still points at them (it gets
/// a 404 instead). Run it as a collection (see `Mirror::purge`).
pub async fn purge(
    store: &Arc<Store>,
    files: &MediaFiles,
    digests: &HashSet<String>,
) -> Result<Collected, ProxyError> {
    let referenced = store.run(referenced_digests).await?;
    let doomed: HashSet<String> = digests.difference(&referenced).cloned().collect();
    let mut report = Collected::default();
    for file in files.list().await? {
        match &file.parsed {
            Some(name) if doomed.contains(&name.digest) => {
                files.remove(&file.name).await?;
                report.deleted_files += 1;
                report.freed_bytes += file.bytes;
            }
            _ => report.kept_bytes += file.bytes,
        }
    }
    let forgotten: Vec<String> = doomed.into_iter().collect();
    store.run(move |s| s.forget_digests(&forgotten)).await?;
    Ok(report)
}

/// Digests referenced by any feed's last good snapshot. An unreadable snapshot stops the
/// collection: better keep everything than delete what a feed shows.
fn referenced_digests(store: &Store) -> Result<HashSet<String>, ProxyError> {
    let mut out = HashSet::new();
    for body in store.snapshot_bodies()? {
        out.extend(snapshot_digests(&body)?);
    }
    Ok(out)
}

/// Digests of the mirrored media one snapshot (a feed JSON body) references.
pub fn snapshot_digests(body: &str) -> Result<HashSet<String>, ProxyError> {
    let feed: Feed = serde_json::from_str(body).map_err(|e| {
        ProxyError::Invalid(format!(
            "a stored snapshot is unreadable ({e}); no media is deleted"
        ))
    })?;
    let mut out = HashSet::new();
    for media in feed.posts.iter().flat_map(|p| &p.media) {
        out.extend(
            file_urls(media)
                .filter_map(MediaName::from_url)
                .map(|n| n.digest),
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::{add_feed, snapshot, store};

    const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    const C: &str = "cccccccccccccccccccccccccccccccc";

    async fn setup(referenced: &str) -> (tempfile::TempDir, Arc<Store>, MediaFiles) {
        let (dir, store) = store();
        add_feed(&store, "main", None, 0);
        store
            .save_snapshot("main", &snapshot("main", &[referenced]), 0)
            .unwrap();
        let files = MediaFiles::local(dir.path().join("media"));
        for digest in [A, B, C] {
            for name in [format!("{digest}.320.webp"), format!("{digest}.640.jpg")] {
                files
                    .write(&MediaName::parse(&name).unwrap(), vec![0u8; 100])
                    .await
                    .unwrap();
            }
        }
        (dir, Arc::new(store), files)
    }

    fn media() -> feedframe_feed::Media {
        feedframe_feed::Media {
            url: String::new(),
            width: None,
            height: None,
            color: None,
            variants: Vec::new(),
            placeholder: None,
            video: None,
        }
    }

    async fn names(files: &MediaFiles) -> Vec<String> {
        let mut n: Vec<String> = files
            .list()
            .await
            .unwrap()
            .into_iter()
            .map(|f| f.name)
            .collect();
        n.sort();
        n
    }

    #[tokio::test]
    async fn unreferenced_media_goes_after_the_grace_period_and_referenced_media_stays() {
        let (_d, store, files) = setup(A).await;
        let now = crate::clock::now();
        let hour = Duration::from_secs(3_600);
        let kept = collect(&store, &files, hour, u64::MAX, now).await.unwrap();
        assert_eq!(kept.deleted_files, 0, "within the grace period");
        let gone = collect(&store, &files, hour, u64::MAX, now + 7_200)
            .await
            .unwrap();
        assert_eq!(gone.deleted_files, 4);
        assert_eq!(
            names(&files).await,
            [format!("{A}.320.webp"), format!("{A}.640.jpg")]
        );
    }

    #[tokio::test]
    async fn over_budget_the_oldest_unreferenced_media_goes_first_never_referenced_media() {
        let (_d, store, files) = setup(A).await;
        let now = crate::clock::now();
        store.save_mirrored("s-b", B, &media(), now - 50).unwrap();
        store.save_mirrored("s-c", C, &media(), now - 10).unwrap();
        // 600 bytes stored, 450 allowed: B (older) goes, C stays.
        let day = Duration::from_secs(86_400);
        let report = collect(&store, &files, day, 450, now).await.unwrap();
        assert_eq!(report.deleted_files, 2);
        let left = names(&files).await;
        assert!(left.iter().all(|n| !n.starts_with(B)), "{left:?}");
        assert!(left.iter().any(|n| n.starts_with(C)));
        // Even a budget of zero never deletes what a feed shows.
        collect(&store, &files, day, 0, now).await.unwrap();
        assert_eq!(
            names(&files).await,
            [format!("{A}.320.webp"), format!("{A}.640.jpg")]
        );
        assert!(
            store.mirrored("s-b").unwrap().is_none(),
            "the index forgets deleted media"
        );
    }

    #[tokio::test]
    async fn a_purge_deletes_the_given_unreferenced_media_at_once_and_never_referenced_media() {
        let (_d, store, files) = setup(A).await;
        let asked: HashSet<String> = [A, B].iter().map(|d| d.to_string()).collect();
        let report = purge(&store, &files, &asked).await.unwrap();
        assert_eq!(
            report.deleted_files, 2,
            "B's two files, within the grace period"
        );
        let left = names(&files).await;
        assert!(left.iter().all(|n| !n.starts_with(B)), "{left:?}");
        assert!(left.iter().any(|n| n.starts_with(A)), "A is still shown");
        assert!(left.iter().any(|n| n.starts_with(C)), "C was not asked for");
    }

    #[test]
    fn media_named_under_a_public_base_counts_as_referenced() {
        let body = snapshot("main", &[A]).replace("/media/", "https://cdn.example.com/feeds/");
        assert_eq!(
            snapshot_digests(&body).unwrap(),
            HashSet::from([A.to_string()])
        );
    }
}
