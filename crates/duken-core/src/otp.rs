//! The rules of one-time sign-in codes (§2, §10), without storage or clocks: callers pass the
//! current time and what is stored, and get a decision.
//!
//! A code has 6 digits and lives 5 minutes; 5 wrong tries lock it; a new code for the same
//! number can be asked for only after a pause, and only so many per hour, per number and per
//! network address. All numbers are a [`CodePolicy`], configurable.

use chrono::{DateTime, Duration, Utc};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodePolicy {
    pub digits: u32,
    pub lifetime: Duration,
    pub max_attempts: u32,
    /// The least time between two codes for one number.
    pub resend_after: Duration,
    pub per_phone_per_hour: u32,
    pub per_ip_per_hour: u32,
}

impl Default for CodePolicy {
    fn default() -> Self {
        CodePolicy {
            digits: 6,
            lifetime: Duration::minutes(5),
            max_attempts: 5,
            resend_after: Duration::seconds(60),
            per_phone_per_hour: 5,
            per_ip_per_hour: 30,
        }
    }
}

/// Whether a new code may be sent now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Throttle {
    Send,
    /// Not before this much time has passed.
    Wait(Duration),
}

/// What the store knows about recent codes.
#[derive(Clone, Debug, Default)]
pub struct RecentCodes {
    /// When codes were sent to this number in the last hour.
    pub to_phone: Vec<DateTime<Utc>>,
    /// When codes were asked for from this address in the last hour.
    pub from_ip: Vec<DateTime<Utc>>,
}

impl CodePolicy {
    pub fn may_send(&self, now: DateTime<Utc>, recent: &RecentCodes) -> Throttle {
        let hour = Duration::hours(1);
        let within = |times: &[DateTime<Utc>]| -> Vec<DateTime<Utc>> {
            let mut t: Vec<_> = times.iter().copied().filter(|t| now - *t < hour && *t <= now).collect();
            t.sort();
            t
        };
        let phone = within(&recent.to_phone);
        let ip = within(&recent.from_ip);
        let mut wait = Duration::zero();
        if let Some(last) = phone.last() {
            wait = wait.max(self.resend_after - (now - *last));
        }
        // When a window is full, the oldest entry leaving it opens the next slot.
        let full = |times: &[DateTime<Utc>], limit: u32| -> Option<Duration> {
            (times.len() >= limit as usize).then(|| hour - (now - times[times.len() - limit as usize]))
        };
        if let Some(w) = full(&phone, self.per_phone_per_hour) {
            wait = wait.max(w);
        }
        if let Some(w) = full(&ip, self.per_ip_per_hour) {
            wait = wait.max(w);
        }
        if wait > Duration::zero() { Throttle::Wait(wait) } else { Throttle::Send }
    }

    /// Turns random bits into a code of [`CodePolicy::digits`] digits (leading zeros kept).
    pub fn code_from(&self, random: u64) -> String {
        let modulus = 10u64.pow(self.digits);
        format!("{:0width$}", random % modulus, width = self.digits as usize)
    }

    /// Whether text looks like a code at all (digits only, the right length).
    pub fn is_well_formed(&self, text: &str) -> bool {
        text.len() == self.digits as usize && text.bytes().all(|b| b.is_ascii_digit())
    }

    pub fn check(&self, now: DateTime<Utc>, code: Option<&IssuedCode>, matches: bool) -> CheckOutcome {
        let Some(code) = code else { return CheckOutcome::NoCode };
        if code.used {
            return CheckOutcome::NoCode;
        }
        if code.attempts >= self.max_attempts {
            return CheckOutcome::Locked;
        }
        if now - code.created_at >= self.lifetime {
            return CheckOutcome::Expired;
        }
        if matches {
            CheckOutcome::Accepted
        } else {
            let remaining = self.max_attempts - code.attempts - 1;
            if remaining == 0 { CheckOutcome::Locked } else { CheckOutcome::Wrong { remaining } }
        }
    }
}

/// The latest code sent to a number, as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IssuedCode {
    pub created_at: DateTime<Utc>,
    /// Wrong tries so far.
    pub attempts: u32,
    pub used: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckOutcome {
    Accepted,
    /// Wrong; this many tries are left.
    Wrong {
        remaining: u32,
    },
    /// Too many wrong tries: ask for a new code.
    Locked,
    Expired,
    /// No code was sent to this number, or it was used already.
    NoCode,
}

impl CheckOutcome {
    /// Whether this try counts against the code's attempts.
    pub fn counts_as_wrong(&self) -> bool {
        matches!(self, CheckOutcome::Wrong { .. } | CheckOutcome::Locked)
    }
}

/// Compares two byte strings in time that depends only on their length.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn resend_waits_for_the_pause_and_the_hourly_limits() {
        let p = CodePolicy::default();
        assert_eq!(p.may_send(t(0), &RecentCodes::default()), Throttle::Send);
        let recent = RecentCodes { to_phone: vec![t(0)], from_ip: vec![t(0)] };
        assert_eq!(p.may_send(t(10), &recent), Throttle::Wait(Duration::seconds(50)));
        assert_eq!(p.may_send(t(60), &recent), Throttle::Send);
        let five = RecentCodes { to_phone: (0..5).map(|i| t(i * 100)).collect(), from_ip: vec![] };
        assert_eq!(p.may_send(t(600), &five), Throttle::Wait(Duration::seconds(3000)));
        assert_eq!(p.may_send(t(3600), &five), Throttle::Send);
        let busy_ip = RecentCodes { to_phone: vec![], from_ip: (0..30).map(t).collect() };
        assert_eq!(p.may_send(t(100), &busy_ip), Throttle::Wait(Duration::seconds(3500)));
    }

    #[test]
    fn codes_expire_lock_and_are_single_use() {
        let p = CodePolicy::default();
        let fresh = IssuedCode { created_at: t(0), attempts: 0, used: false };
        assert_eq!(p.check(t(10), Some(&fresh), true), CheckOutcome::Accepted);
        assert_eq!(p.check(t(10), Some(&fresh), false), CheckOutcome::Wrong { remaining: 4 });
        assert_eq!(p.check(t(300), Some(&fresh), true), CheckOutcome::Expired);
        assert_eq!(p.check(t(10), Some(&IssuedCode { attempts: 4, ..fresh }), false), CheckOutcome::Locked);
        assert_eq!(p.check(t(10), Some(&IssuedCode { attempts: 5, ..fresh }), true), CheckOutcome::Locked);
        assert_eq!(p.check(t(10), Some(&IssuedCode { used: true, ..fresh }), true), CheckOutcome::NoCode);
        assert_eq!(p.check(t(10), None, true), CheckOutcome::NoCode);
    }

    #[test]
    fn codes_are_six_digits_with_leading_zeros() {
        let p = CodePolicy::default();
        assert_eq!(p.code_from(42), "000042");
        assert_eq!(p.code_from(u64::MAX).len(), 6);
        assert!(p.is_well_formed("012345"));
        assert!(!p.is_well_formed("12345") && !p.is_well_formed("12345a") && !p.is_well_formed("１２３４５６"));
    }

    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }

    proptest! {
        /// However the tries go, a code accepts at most once within its life and never after
        /// the fifth wrong try.
        #[test]
        fn no_code_is_accepted_after_five_wrong_tries(tries in prop::collection::vec((any::<bool>(), 0i64..400), 1..20)) {
            let p = CodePolicy::default();
            let mut code = IssuedCode { created_at: t(0), attempts: 0, used: false };
            let mut wrong = 0;
            for (right, at) in tries {
                let outcome = p.check(t(at), Some(&code), right);
                if outcome == CheckOutcome::Accepted {
                    prop_assert!(wrong < 5 && at < 300 && !code.used);
                    code.used = true;
                } else if outcome.counts_as_wrong() {
                    wrong += 1;
                    code.attempts += 1;
                }
            }
        }

        #[test]
        fn never_more_than_the_hourly_limit(times in prop::collection::vec(0i64..7200, 0..40)) {
            let p = CodePolicy::default();
            let mut sent: Vec<DateTime<Utc>> = vec![];
            let mut times = times;
            times.sort();
            for at in times {
                let recent = RecentCodes { to_phone: sent.clone(), from_ip: vec![] };
                if p.may_send(t(at), &recent) == Throttle::Send {
                    sent.push(t(at));
                }
            }
            for w in sent.windows(6) {
                prop_assert!(w[5] - w[0] >= Duration::hours(1));
            }
            for w in sent.windows(2) {
                prop_assert!(w[1] - w[0] >= Duration::seconds(60));
            }
        }
    }
}
