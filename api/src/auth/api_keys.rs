//! API keys' secrets: `qk_` and 43 characters of base64url (256 random bits). The first
//! 11 characters (`qk_` and 8 more) are the key's prefix, kept to tell keys apart in a
//! list; only the SHA-256 digest of the whole key is stored. A high-entropy random secret
//! needs no slow hash: guessing one is hopeless, and a digest is checked in one lookup.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use store::{Db, StoreError};
use uuid::Uuid;

use crate::auth::tokens::refresh_token_digest;

/// What every key starts with, so that a leaked one is recognisable (secret scanners).
pub const KEY_PREFIX: &str = "qk_";
/// Characters of a key kept as its prefix.
const SHOWN: usize = 11;

/// A new key: (the secret, shown once; its prefix; its digest).
pub fn new_key() -> (String, String, String) {
    let bytes: [u8; 32] = rand::random();
    let secret = format!("{KEY_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
    let prefix = secret[..SHOWN].to_owned();
    let digest = digest(&secret);
    (secret, prefix, digest)
}

/// Whether a bearer token is meant as an API key (rather than an access token).
pub fn is_key(token: &str) -> bool {
    token.starts_with(KEY_PREFIX)
}

/// The stored form of a key: hex SHA-256.
pub fn digest(key: &str) -> String {
    refresh_token_digest(key)
}

/// Requests per key per minute, with a burst of as many; and which keys this instance
/// has recorded as used lately, so that a burst of requests with a key writes its
/// `last_used_at` once, not once per request. The rate is counted in memory on SQLite and
/// in PostgreSQL when it is the database (`store::limits`), so that a key's requests
/// spread over several instances count as one rate.
pub struct KeyRateLimit {
    limiter: DefaultKeyedRateLimiter<Uuid>,
    /// The database that counts instead, with the rate.
    shared: Option<(Db, u32)>,
    touched: Mutex<HashMap<Uuid, Instant>>,
}

/// Above this many remembered keys, those not touched within a minute are forgotten.
const FORGET_ABOVE: usize = 10_000;

impl KeyRateLimit {
    pub fn new(per_minute: u32) -> Self {
        let per_minute = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: RateLimiter::keyed(Quota::per_minute(per_minute)),
            shared: None,
            touched: Mutex::new(HashMap::new()),
        }
    }

    /// Counts in the database, shared by every instance on it (PostgreSQL).
    pub fn shared(db: Db, per_minute: u32) -> Self {
        Self {
            shared: Some((db, per_minute)),
            ..Self::new(per_minute)
        }
    }

    /// Whether this request should record the key's use: not if this instance did within
    /// the last minute (the database's own check stops other instances' repeats).
    pub fn claim_touch(&self, key: Uuid, now: Instant) -> bool {
        let Ok(mut touched) = self.touched.lock() else {
            return true;
        };
        if touched
            .get(&key)
            .is_some_and(|at| now.saturating_duration_since(*at) < Duration::from_secs(60))
        {
            return false;
        }
        if touched.len() > FORGET_ABOVE {
            touched.retain(|_, at| now.saturating_duration_since(*at) < Duration::from_secs(60));
            self.limiter.retain_recent();
        }
        touched.insert(key, now);
        true
    }

    /// Whether the key may make a request now (and counts it): `None`, or how long to
    /// wait.
    ///
    /// # Errors
    /// The store's error when the database that counts fails.
    pub async fn check(&self, key: Uuid) -> Result<Option<Duration>, StoreError> {
        match &self.shared {
            Some((db, per_minute)) => {
                store::limits::take(db, &format!("key:{key}"), *per_minute).await
            }
            None => Ok(self
                .limiter
                .check_key(&key)
                .err()
                .map(|not_until| not_until.wait_time_from(DefaultClock::default().now()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_recognisable_long_and_stored_only_as_its_digest() {
        let (secret, prefix, stored) = new_key();
        assert!(is_key(&secret));
        assert_eq!(secret.len(), 3 + 43);
        assert_eq!(prefix, secret[..11]);
        assert_eq!(stored, digest(&secret));
        assert_eq!(stored.len(), 64);
        assert!(!stored.contains(&secret[3..]));
        let (other, _, _) = new_key();
        assert_ne!(secret, other);
    }

    #[test]
    fn a_burst_records_a_keys_use_once_a_minute() {
        let limit = KeyRateLimit::new(10);
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let now = Instant::now();
        assert!(limit.claim_touch(a, now));
        assert!(!limit.claim_touch(a, now));
        assert!(!limit.claim_touch(a, now + Duration::from_secs(59)));
        assert!(limit.claim_touch(b, now));
        assert!(limit.claim_touch(a, now + Duration::from_secs(61)));
    }

    #[tokio::test]
    async fn a_key_over_its_rate_waits_and_another_key_does_not() {
        let limit = KeyRateLimit::new(2);
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(limit.check(a).await.ok(), Some(None));
        assert_eq!(limit.check(a).await.ok(), Some(None));
        let Ok(Some(wait)) = limit.check(a).await else {
            panic!("the third request of the minute must wait");
        };
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(30));
        assert_eq!(limit.check(b).await.ok(), Some(None));
    }
}
