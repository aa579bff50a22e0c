//! The fake clock (real time plus an offset tests can advance) and the date formats Instagram prints.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Real time plus an offset, in unix seconds.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    offset: AtomicI64,
}

impl Clock {
    /// The fake now, unix seconds.
    pub(crate) fn now(&self) -> i64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        real + self.offset.load(Ordering::SeqCst)
    }

    /// Moves the fake clock forward (or back, with a negative value).
    pub(crate) fn advance(&self, secs: i64) {
        self.offset.fetch_add(secs, Ordering::SeqCst);
    }
}

/// A broken-down civil date-time.
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    weekday: u32, // 0 = Sunday
    hour: u32,
    minute: u32,
    second: u32,
}

fn civil(unix: i64) -> Civil {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400) as u32;
    // Howard Hinnant's days_from_civil inverse.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    Civil {
        year,
        month,
        day,
        weekday: (days + 4).rem_euclid(7) as u32,
        hour: secs / 3600,
        minute: secs / 60 % 60,
        second: secs % 60,
    }
}

/// Unix seconds to the Graph API's timestamp format: `2026-09-14T17:22:08+0000`.
pub(crate) fn graph_timestamp(unix: i64) -> String {
    let c = civil(unix);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+0000",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// US Pacific daylight time: from the second Sunday of March to the first Sunday of November.
fn is_pacific_dst(unix: i64) -> bool {
    let standard = civil(unix - 8 * 3600);
    // Day of the month of the n-th Sunday, from the weekday of the 1st of this month.
    let first = (standard.weekday + 35 - (standard.day - 1) % 7) % 7;
    let nth_sunday = |n: u32| (7 - first) % 7 + 1 + 7 * (n - 1);
    match standard.month {
        4..=10 => true,
        3 => (standard.day, standard.hour) >= (nth_sunday(2), 2),
        11 => (standard.day, standard.hour) < (nth_sunday(1), 1),
        _ => false,
    }
}

/// The Pacific-time format in Meta's 190/463 message: `Monday, 14-Sep-26 03:12:09 PDT`.
pub(crate) fn pacific_long(unix: i64) -> String {
    const DAYS: [&str; 7] = [
        "Sunday",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
    ];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (offset, zone) = if is_pacific_dst(unix) {
        (7, "PDT")
    } else {
        (8, "PST")
    };
    let c = civil(unix - offset * 3600);
    format!(
        "{}, {:02}-{}-{:02} {:02}:{:02}:{:02} {zone}",
        DAYS[c.weekday as usize],
        c.day,
        MONTHS[c.month as usize - 1],
        c.year.rem_euclid(100),
        c.hour,
        c.minute,
        c.second
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_timestamps_use_a_colonless_utc_offset() {
        assert_eq!(graph_timestamp(1_789_406_528), "2026-09-14T17:22:08+0000");
        assert_eq!(graph_timestamp(0), "1970-01-01T00:00:00+0000");
    }

    #[test]
    fn expiry_messages_print_pacific_time_like_meta() {
        // 2026-09-14T10:12:09Z is 03:12:09 PDT, as in error_190_463_expired.json.
        assert_eq!(
            pacific_long(1_789_380_729),
            "Monday, 14-Sep-26 03:12:09 PDT"
        );
        // 2020-11-18T14:50:07Z is 06:50:07 PST, as in the real capture the spec quotes.
        assert_eq!(
            pacific_long(1_605_711_007),
            "Wednesday, 18-Nov-20 06:50:07 PST"
        );
    }

    #[test]
    fn advancing_the_clock_moves_now_forward() {
        let clock = Clock::default();
        let before = clock.now();
        clock.advance(3600);
        assert!(clock.now() - before >= 3600);
    }
}
