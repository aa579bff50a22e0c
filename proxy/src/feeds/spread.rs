//! When a fetched feed goes stale: at the end of its TTL, moved onto the feed's own slot, so that
//! feeds fetched together (thousands added at once, or all of them when Instagram comes back
//! after an outage) are not fetched together again at every TTL after.
//!
//! Each feed has a slot: an offset within the TTL from its name's hash, the same on every
//! instance. A snapshot is live until the feed's last slot within its TTL; when that is less than
//! a third of the TTL away, until half a TTL after it instead. A snapshot fetched on its slot is
//! then live for its whole TTL: one fetch per TTL as before, each feed on its own slot, so the
//! fetches of many feeds are spread evenly over the TTL from its second round on, however bunched
//! the first. No snapshot lives longer than the TTL, nor shorter than a third of it. TTLs under
//! [`SPREAD_FROM`] seconds (tests, demos) are not spread.

use crate::codec::fnv1a;

/// The shortest TTL (seconds) whose fetches are spread.
pub const SPREAD_FROM: i64 = 60;

/// Until when (Unix time) the snapshot of feed `name` fetched at `fetched_at` is live, with a
/// TTL of `ttl` seconds.
///
/// ```
/// use feedframe::feeds::spread::live_until;
/// let until = live_until("main", 1_000_000, 600);
/// assert!(until > 1_000_000 + 600 / 3 && until <= 1_000_000 + 600);
/// // Fetched again then, it moves onto its slot; fetched on its slot, it is live for a whole TTL.
/// let slot = live_until("main", until, 600);
/// assert!(slot > until + 600 / 3 && slot <= until + 600);
/// assert_eq!(live_until("main", slot, 600), slot + 600);
/// ```
pub fn live_until(name: &str, fetched_at: i64, ttl: i64) -> i64 {
    if ttl < SPREAD_FROM {
        return fetched_at + ttl;
    }
    let slot = (fnv1a(name.as_bytes()) % ttl as u64) as i64;
    let end = fetched_at + ttl;
    let last_slot = end - (end - slot).rem_euclid(ttl);
    if last_slot - fetched_at >= ttl / 3 {
        last_slot
    } else {
        last_slot + ttl / 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TTL: i64 = 600;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("client-{i:05}")).collect()
    }

    #[test]
    fn a_snapshot_lives_at_most_its_ttl_and_at_least_a_third_of_it() {
        for name in names(500) {
            for fetched_at in (1_700_000_000..1_700_000_000 + 2 * TTL).step_by(7) {
                let life = live_until(&name, fetched_at, TTL) - fetched_at;
                assert!(
                    (TTL / 3..=TTL).contains(&life),
                    "{name} at {fetched_at}: {life}"
                );
            }
        }
    }

    #[test]
    fn a_feed_fetched_on_its_slot_or_a_little_after_keeps_its_slot() {
        for name in names(200) {
            let slot = live_until(&name, 1_700_000_000, TTL);
            let slot = live_until(&name, slot, TTL) - TTL;
            for late in [0, 1, 5, TTL / 6] {
                assert_eq!(live_until(&name, slot + late, TTL), slot + TTL, "{name}");
            }
        }
    }

    #[test]
    fn short_ttls_are_not_spread() {
        for ttl in [1, 3, SPREAD_FROM - 1] {
            assert_eq!(live_until("main", 1_700_000_000, ttl), 1_700_000_000 + ttl);
        }
    }

    /// Feeds all fetched at `start`, each asked for every second, for `rounds` TTLs: how many
    /// fetches fall in each tenth of a TTL (a minute at the default TTL) of the last round.
    fn fetches_per_tenth(live: impl Fn(&str, i64) -> i64, feeds: usize, rounds: i64) -> Vec<u32> {
        let start = 1_700_000_000;
        let mut bins = vec![0u32; 10];
        for name in names(feeds) {
            let mut until = live(&name, start);
            while until < start + rounds * TTL {
                if until >= start + (rounds - 1) * TTL {
                    bins[((until - start) % TTL * 10 / TTL) as usize] += 1;
                }
                until = live(&name, until);
            }
        }
        bins
    }

    #[test]
    fn ten_thousand_feeds_fetched_together_are_fetched_evenly_from_the_second_ttl_on() {
        let spread = fetches_per_tenth(|n, at| live_until(n, at, TTL), 10_000, 3);
        assert_eq!(
            spread.iter().sum::<u32>(),
            10_000,
            "one fetch per feed per TTL"
        );
        let (least, most) = (spread.iter().min().unwrap(), spread.iter().max().unwrap());
        assert!(*most <= 1_150 && *least >= 850, "{spread:?}");
        // Without the slots, every feed would be fetched in the same tenth, every TTL.
        let bunched = fetches_per_tenth(|_, at| at + TTL, 10_000, 3);
        assert_eq!(*bunched.iter().max().unwrap(), 10_000, "{bunched:?}");
    }
}
