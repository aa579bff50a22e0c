//! Garbage collection of mirrored media. Media referenced by any feed's last good snapshot is
//! never deleted. Unreferenced media is deleted once it has not been referenced for the grace
//! period (a visitor's cached feed JSON may still point at it); then, while the directory is over
//! its disk budget, the longest-unreferenced media goes first. Runs at startup and after every
//! saved snapshot; it only lists one directory and reads the snapshots, so it is cheap.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use feedframe_feed::Feed;

use crate::error::ProxyError;
use crate::media::files::{MediaDir, MediaFile, MediaName};
use crate::store::Store;

/// Temporary files older than this are leftovers of a crash.
const TEMP_MAX_AGE: i64 = 3_600;

/// What one collection did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Collected {
    pub deleted_files: usize,
    pub freed_bytes: u64,
    /// Bytes of mirrored media left on disk.
    pub kept_bytes: u64,
}

/// Collects garbage in `files` at `now`. Blocking (file system and SQLite).
pub fn collect(
    store: &Store,
    files: &MediaDir,
    grace: Duration,
    budget: u64,
    now: i64,
) -> Result<Collected, ProxyError> {
    let referenced = referenced_digests(store)?;
    let referenced_list: Vec<String> = referenced.iter().cloned().collect();
    store.mark_seen(&referenced_list, now)?;
    let seen = store.digests_seen()?;

    let mut report = Collected::default();
    let mut groups: HashMap<String, Vec<MediaFile>> = HashMap::new();
    for file in files.list()? {
        match &file.parsed {
            Some(name) => groups.entry(name.digest.clone()).or_default().push(file),
            None if now - file.modified > TEMP_MAX_AGE => {
                files.remove(&file.name)?;
                report.deleted_files += 1;
                report.freed_bytes += file.bytes;
            }
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
    let mut forgotten = Vec::new();
    for (last_seen, digest) in &unreferenced {
        let past_grace = now - last_seen > grace;
        if !past_grace && total <= budget {
            continue;
        }
        for file in groups.remove(digest).unwrap_or_default() {
            files.remove(&file.name)?;
            report.deleted_files += 1;
            report.freed_bytes += file.bytes;
            total -= file.bytes;
        }
        forgotten.push(digest.clone());
    }
    // Index rows whose files are gone (deleted by hand, say) are forgotten too.
    forgotten.extend(seen.into_keys().filter(|d| !groups.contains_key(d)));
    forgotten.sort();
    forgotten.dedup();
    store.forget_digests(&forgotten)?;
    report.kept_bytes = total;
    if total > budget {
        tracing::warn!(
            kept = total,
            budget,
            "the media referenced by the feeds alone exceeds FEEDFRAME_MEDIA_BUDGET_MB"
        );
    }
    Ok(report)
}

/// Deletes at once, without the grace period, the files of `digests` that no remaining snapshot
/// references, and forgets them in the index. For a data-deletion request: the images' owner asked
/// for them to go, which outweighs a visitor's cached feed JSON that still points at them (it gets
/// a 404 instead). Blocking; run it as a collection (see `Mirror::purge`).
pub fn purge(
    store: &Store,
    files: &MediaDir,
    digests: &HashSet<String>,
) -> Result<Collected, ProxyError> {
    let referenced = referenced_digests(store)?;
    let doomed: HashSet<&String> = digests.difference(&referenced).collect();
    let mut report = Collected::default();
    for file in files.list()? {
        match &file.parsed {
            Some(name) if doomed.contains(&name.digest) => {
                files.remove(&file.name)?;
                report.deleted_files += 1;
                report.freed_bytes += file.bytes;
            }
            _ => report.kept_bytes += file.bytes,
        }
    }
    let forgotten: Vec<String> = doomed.into_iter().cloned().collect();
    store.forget_digests(&forgotten)?;
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
        let urls = std::iter::once(&media.url).chain(media.variants.iter().map(|v| &v.url));
        out.extend(
            urls.filter_map(|u| MediaName::from_url(u))
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

    fn setup(referenced: &str) -> (tempfile::TempDir, Store, MediaDir) {
        let (dir, store) = store();
        add_feed(&store, "main", None, 0);
        store
            .save_snapshot("main", &snapshot("main", &[referenced]), 0)
            .unwrap();
        let files = MediaDir::new(dir.path().join("media"));
        for digest in [A, B, C] {
            for name in [format!("{digest}.320.webp"), format!("{digest}.640.jpg")] {
                files
                    .write(&MediaName::parse(&name).unwrap(), &[0u8; 100])
                    .unwrap();
            }
        }
        (dir, store, files)
    }

    fn media() -> feedframe_feed::Media {
        feedframe_feed::Media {
            url: String::new(),
            width: None,
            height: None,
            color: None,
            variants: Vec::new(),
            placeholder: None,
        }
    }

    fn names(files: &MediaDir) -> Vec<String> {
        let mut n: Vec<String> = files.list().unwrap().into_iter().map(|f| f.name).collect();
        n.sort();
        n
    }

    #[test]
    fn unreferenced_media_goes_after_the_grace_period_and_referenced_media_stays() {
        let (_d, store, files) = setup(A);
        let now = crate::clock::now();
        let kept = collect(&store, &files, Duration::from_secs(3_600), u64::MAX, now).unwrap();
        assert_eq!(kept.deleted_files, 0, "within the grace period");
        let gone = collect(
            &store,
            &files,
            Duration::from_secs(3_600),
            u64::MAX,
            now + 7_200,
        )
        .unwrap();
        assert_eq!(gone.deleted_files, 4);
        assert_eq!(
            names(&files),
            [format!("{A}.320.webp"), format!("{A}.640.jpg")]
        );
    }

    #[test]
    fn over_budget_the_oldest_unreferenced_media_goes_first_never_referenced_media() {
        let (_d, store, files) = setup(A);
        let now = crate::clock::now();
        store.save_mirrored("s-b", B, &media(), now - 50).unwrap();
        store.save_mirrored("s-c", C, &media(), now - 10).unwrap();
        // 600 bytes on disk, 450 allowed: B (older) goes, C stays.
        let report = collect(&store, &files, Duration::from_secs(86_400), 450, now).unwrap();
        assert_eq!(report.deleted_files, 2);
        let left = names(&files);
        assert!(left.iter().all(|n| !n.starts_with(B)), "{left:?}");
        assert!(left.iter().any(|n| n.starts_with(C)));
        // Even a budget of zero never deletes what a feed shows.
        collect(&store, &files, Duration::from_secs(86_400), 0, now).unwrap();
        assert_eq!(
            names(&files),
            [format!("{A}.320.webp"), format!("{A}.640.jpg")]
        );
        assert!(
            store.mirrored("s-b").unwrap().is_none(),
            "the index forgets deleted media"
        );
    }

    #[test]
    fn a_purge_deletes_the_given_unreferenced_media_at_once_and_never_referenced_media() {
        let (_d, store, files) = setup(A);
        let asked: HashSet<String> = [A, B].iter().map(|d| d.to_string()).collect();
        let report = purge(&store, &files, &asked).unwrap();
        assert_eq!(
            report.deleted_files, 2,
            "B's two files, within the grace period"
        );
        let left = names(&files);
        assert!(left.iter().all(|n| !n.starts_with(B)), "{left:?}");
        assert!(left.iter().any(|n| n.starts_with(A)), "A is still shown");
        assert!(left.iter().any(|n| n.starts_with(C)), "C was not asked for");
    }
}
