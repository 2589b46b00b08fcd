//! Login throttling: a rate limit per client IP, and growing delays per account after
//! repeated failures.
//!
//! Both count attempts, not requests: every `login` field in an operation is one attempt,
//! so aliasing `login` a hundred times in one request buys nothing. Accounts are keyed by the
//! e-mail as typed (normalized), whether or not it exists, so throttling does not reveal
//! which accounts exist.
//!
//! Where the counts live: in this process's memory on SQLite (one process serves a SQLite
//! file; a second is refused), and in PostgreSQL when it is the database
//! (`store::limits`), so that instances behind one load balancer count together: an
//! attacker who spreads attempts over them gains nothing. There the account is keyed by
//! a digest of the e-mail as typed, and the clock is the database's.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use store::Db;

use crate::error::{ApiError, ApiResult};

/// The longest an account is locked after failures.
const MAX_BACKOFF: Duration = Duration::from_secs(15 * 60);
/// Failure records older than this are forgotten.
const FORGET_AFTER: Duration = Duration::from_secs(60 * 60);
/// Above this many tracked accounts, stale records are pruned.
const PRUNE_ABOVE: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
    locked_until: Option<Instant>,
}

/// Login and sign-up throttling, counted in memory or in PostgreSQL.
pub struct LoginThrottle {
    counts: Counts,
}

enum Counts {
    Memory(InMemory),
    Shared {
        db: Db,
        attempts_per_ip_per_minute: u32,
        failures_before_backoff: u32,
    },
}

impl LoginThrottle {
    /// Counts in this process's memory (SQLite, tests).
    pub fn new(attempts_per_ip_per_minute: u32, failures_before_backoff: u32) -> Self {
        Self {
            counts: Counts::Memory(InMemory::new(
                attempts_per_ip_per_minute,
                failures_before_backoff,
            )),
        }
    }

    /// Counts in the database, shared by every instance on it (PostgreSQL).
    pub fn shared(db: Db, attempts_per_ip_per_minute: u32, failures_before_backoff: u32) -> Self {
        Self {
            counts: Counts::Shared {
                db,
                attempts_per_ip_per_minute,
                failures_before_backoff,
            },
        }
    }

    /// Whether an attempt on `account` from `ip` may go ahead now (and counts it against
    /// the IP's rate).
    ///
    /// # Errors
    /// [`ApiError::RateLimited`] with the wait when the account is locked or the IP over
    /// its rate; the store's error when the database fails.
    pub async fn check(&self, ip: IpAddr, account: &str) -> ApiResult<()> {
        let wait = match &self.counts {
            Counts::Memory(memory) => memory.check(ip, account, Instant::now()).err(),
            Counts::Shared {
                db,
                attempts_per_ip_per_minute,
                ..
            } => match store::limits::locked_for(db, &shared_key(account)).await? {
                Some(wait) => Some(wait),
                None => {
                    store::limits::take(db, &format!("ip:{ip}"), *attempts_per_ip_per_minute)
                        .await?
                }
            },
        };
        match wait {
            None => Ok(()),
            Some(wait) => {
                crate::metrics::login_throttled();
                Err(ApiError::RateLimited(wait.as_secs() + 1))
            }
        }
    }

    /// Counts a failed attempt on `account`.
    ///
    /// # Errors
    /// The store's error when the database fails.
    pub async fn record_failure(&self, account: &str) -> ApiResult<()> {
        match &self.counts {
            Counts::Memory(memory) => memory.record_failure(account, Instant::now()),
            Counts::Shared {
                db,
                failures_before_backoff,
                ..
            } => {
                store::limits::record_failure(db, &shared_key(account), *failures_before_backoff)
                    .await?;
            }
        }
        Ok(())
    }

    /// Ends `account`'s run of failures.
    ///
    /// # Errors
    /// The store's error when the database fails.
    pub async fn record_success(&self, account: &str) -> ApiResult<()> {
        match &self.counts {
            Counts::Memory(memory) => memory.record_success(account),
            Counts::Shared { db, .. } => {
                store::limits::record_success(db, &shared_key(account)).await?;
            }
        }
        Ok(())
    }
}

/// An account's key in the database: the digest of the e-mail as typed, so that the table
/// holds no address, existing or not.
fn shared_key(account: &str) -> String {
    crate::auth::tokens::refresh_token_digest(account)
}

/// The counts of one process.
struct InMemory {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    accounts: Mutex<HashMap<String, Failures>>,
    failures_before_backoff: u32,
}

impl InMemory {
    fn new(attempts_per_ip_per_minute: u32, failures_before_backoff: u32) -> Self {
        let per_minute = NonZeroU32::new(attempts_per_ip_per_minute).unwrap_or(NonZeroU32::MIN);
        Self {
            per_ip: RateLimiter::keyed(Quota::per_minute(per_minute)),
            accounts: Mutex::new(HashMap::new()),
            failures_before_backoff,
        }
    }

    /// Whether an attempt may go ahead now; `Err` carries how long to wait.
    ///
    /// # Errors
    /// The wait, when the IP is over its rate or the account is locked.
    fn check(&self, ip: IpAddr, account: &str, now: Instant) -> Result<(), Duration> {
        if let Some(until) = self.locked_until(account)
            && until > now
        {
            return Err(until - now);
        }
        self.per_ip
            .check_key(&ip)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    fn record_failure(&self, account: &str, now: Instant) {
        let Ok(mut accounts) = self.accounts.lock() else {
            return;
        };
        if accounts.len() > PRUNE_ABOVE {
            accounts.retain(|_, f| now.duration_since(f.last) < FORGET_AFTER);
        }
        let entry = accounts.entry(account.to_owned()).or_insert(Failures {
            count: 0,
            last: now,
            locked_until: None,
        });
        if now.duration_since(entry.last) >= FORGET_AFTER {
            entry.count = 0;
        }
        entry.count += 1;
        entry.last = now;
        entry.locked_until = backoff(entry.count, self.failures_before_backoff).map(|d| now + d);
    }

    fn record_success(&self, account: &str) {
        if let Ok(mut accounts) = self.accounts.lock() {
            accounts.remove(account);
        }
    }

    fn locked_until(&self, account: &str) -> Option<Instant> {
        let accounts = self.accounts.lock().ok()?;
        accounts.get(account).and_then(|f| f.locked_until)
    }
}

/// After `threshold` failures, each further failure doubles the lock: 1 s, 2 s, 4 s, ...
/// up to 15 minutes.
fn backoff(failures: u32, threshold: u32) -> Option<Duration> {
    let over = failures.checked_sub(threshold)?;
    let secs = 1u64.checked_shl(over.min(20)).unwrap_or(u64::MAX);
    Some(Duration::from_secs(secs).min(MAX_BACKOFF))
}

#[cfg(test)]
mod tests {
    use super::*;

    const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn backoff_starts_after_the_threshold_and_doubles_up_to_a_cap() {
        assert_eq!(backoff(4, 5), None);
        assert_eq!(backoff(5, 5), Some(Duration::from_secs(1)));
        assert_eq!(backoff(6, 5), Some(Duration::from_secs(2)));
        assert_eq!(backoff(8, 5), Some(Duration::from_secs(8)));
        assert_eq!(backoff(60, 5), Some(MAX_BACKOFF));
    }

    #[test]
    fn an_account_is_locked_after_repeated_failures_and_unlocked_by_success() {
        let throttle = InMemory::new(1000, 3);
        let now = Instant::now();
        for _ in 0..3 {
            assert!(throttle.check(IP, "a@b.co", now).is_ok());
            throttle.record_failure("a@b.co", now);
        }
        assert!(throttle.check(IP, "a@b.co", now).is_err());
        assert!(throttle.check(IP, "other@b.co", now).is_ok());
        assert!(
            throttle
                .check(IP, "a@b.co", now + Duration::from_secs(2))
                .is_ok()
        );
        throttle.record_success("a@b.co");
        assert!(throttle.check(IP, "a@b.co", now).is_ok());
    }

    #[test]
    fn an_ip_over_its_rate_is_refused() {
        let throttle = InMemory::new(3, 100);
        let now = Instant::now();
        let results: Vec<bool> = (0..5)
            .map(|i| throttle.check(IP, &format!("u{i}@b.co"), now).is_ok())
            .collect();
        assert_eq!(results, vec![true, true, true, false, false]);
    }
}
