//! Slows password guessing: failed sign-ins are counted per client address and for the account
//! (there is one), in windows of [`WINDOW_SECS`]. Past the limit, sign-in is refused until the
//! window ends, with a message that says when, before the password is even checked.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// Length of a counting window.
pub const WINDOW_SECS: i64 = 15 * 60;
/// Failed sign-ins one address may make per window.
pub const PER_ADDRESS: u32 = 5;
/// Failed sign-ins from all addresses together per window (a distributed guess).
pub const PER_ACCOUNT: u32 = 30;

#[derive(Debug, Clone, Copy, Default)]
struct Window {
    start: i64,
    failures: u32,
}

impl Window {
    fn current(&mut self, now: i64) -> &mut Self {
        if now - self.start >= WINDOW_SECS {
            *self = Self {
                start: now,
                failures: 0,
            };
        }
        self
    }
}

/// Why a sign-in is refused before its password is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocked {
    /// Too many failures from this address; seconds until it may try again.
    Address(i64),
    /// Too many failures for the account from everywhere.
    Account(i64),
}

impl Blocked {
    /// The message shown on the login page.
    pub fn message(self) -> String {
        let (who, secs) = match self {
            Self::Address(s) => ("from your address", s),
            Self::Account(s) => ("for this console", s),
        };
        let minutes = (secs + 59) / 60;
        format!(
            "Too many failed sign-ins {who}. Try again in {minutes} minute{}.",
            if minutes == 1 { "" } else { "s" }
        )
    }
}

/// Failed sign-ins, in memory (a restart forgives them; Argon2 still makes each guess slow).
#[derive(Debug, Default)]
pub struct Throttle {
    addresses: Mutex<HashMap<IpAddr, Window>>,
    account: Mutex<Window>,
}

impl Throttle {
    /// Whether `ip` may try a password at `now`.
    pub fn check(&self, ip: IpAddr, now: i64) -> Result<(), Blocked> {
        let mut account = self.account.lock().unwrap_or_else(|p| p.into_inner());
        let account = account.current(now);
        if account.failures >= PER_ACCOUNT {
            return Err(Blocked::Account(account.start + WINDOW_SECS - now));
        }
        let mut addresses = self.addresses.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(w) = addresses.get_mut(&ip) {
            let w = w.current(now);
            if w.failures >= PER_ADDRESS {
                return Err(Blocked::Address(w.start + WINDOW_SECS - now));
            }
        }
        Ok(())
    }

    /// Counts a wrong password from `ip`.
    pub fn failed(&self, ip: IpAddr, now: i64) {
        self.account
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .current(now)
            .failures += 1;
        let mut addresses = self.addresses.lock().unwrap_or_else(|p| p.into_inner());
        // Old windows go, so the map cannot grow without bound.
        addresses.retain(|_, w| now - w.start < WINDOW_SECS);
        addresses.entry(ip).or_default().current(now).failures += 1;
    }

    /// A right password from `ip` clears its failures (not the account's).
    pub fn succeeded(&self, ip: IpAddr) {
        self.addresses
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&ip);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(n: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, n])
    }

    #[test]
    fn an_address_is_stopped_after_its_failures_until_the_window_ends() {
        let t = Throttle::default();
        for _ in 0..PER_ADDRESS {
            assert!(t.check(ip(1), 1_000).is_ok());
            t.failed(ip(1), 1_000);
        }
        assert_eq!(
            t.check(ip(1), 1_060),
            Err(Blocked::Address(WINDOW_SECS - 60))
        );
        assert!(t.check(ip(2), 1_060).is_ok(), "other addresses go on");
        assert!(t.check(ip(1), 1_000 + WINDOW_SECS).is_ok());
        assert_eq!(
            Blocked::Address(14 * 60 + 1).message(),
            "Too many failed sign-ins from your address. Try again in 15 minutes."
        );
    }

    #[test]
    fn many_addresses_together_stop_the_account() {
        let t = Throttle::default();
        for n in 0..PER_ACCOUNT {
            t.failed(ip(n as u8), 5);
        }
        assert!(matches!(t.check(ip(250), 6), Err(Blocked::Account(_))));
        t.succeeded(ip(1));
        assert!(matches!(t.check(ip(1), 6), Err(Blocked::Account(_))));
    }
}
