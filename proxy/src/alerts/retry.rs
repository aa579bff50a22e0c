//! One delivery's attempts on any channel: retried with jittered exponential backoff (from
//! `policy.first_retry`, doubling up to 16 times as long) while the failure is retryable, up to
//! `policy.attempts` in all.

use std::sync::atomic::{AtomicU32, Ordering};

use backon::{ExponentialBuilder, Retryable};

use super::{Attempted, RetryPolicy};

/// A failed attempt, in words that hold no URL, no secret and no password.
#[derive(Debug)]
pub(super) struct AttemptError {
    pub status: String,
    pub retryable: bool,
}

/// Runs `attempt` until it succeeds (its status, such as `HTTP 200`), fails for good, or the
/// policy's attempts are spent; counts the attempts made.
pub(super) async fn retried<F, Fut>(policy: &RetryPolicy, mut attempt: F) -> Attempted
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<String, AttemptError>>,
{
    let attempts = AtomicU32::new(0);
    let counted = || {
        attempts.fetch_add(1, Ordering::Relaxed);
        attempt()
    };
    let result = counted
        .retry(
            ExponentialBuilder::default()
                .with_min_delay(policy.first_retry)
                .with_max_delay(policy.first_retry.saturating_mul(16))
                .with_max_times(policy.attempts.saturating_sub(1) as usize)
                .with_jitter(),
        )
        .sleep(tokio::time::sleep)
        .when(|e: &AttemptError| e.retryable)
        .await;
    let attempts = attempts.load(Ordering::Relaxed);
    match result {
        Ok(status) => Attempted::delivered(attempts, status),
        Err(e) => Attempted::failed(attempts, e.status),
    }
}
