//! Password hashing with argon2id (OWASP parameters: 19 MiB, 2 passes, 1 lane).
//!
//! Hashing takes tens of milliseconds of CPU on purpose, so it never runs on the async
//! threads: it goes to the blocking pool, and a semaphore bounds how many hashes run at once
//! so that a storm of logins queues up instead of starving every other request.

use std::sync::{Arc, LazyLock};

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use tokio::sync::Semaphore;

use crate::error::ApiError;

/// A valid argon2id hash of a random password: unknown emails are verified against it so
/// that "no such user" costs the same time as "wrong password".
static DUMMY_HASH: LazyLock<Option<String>> = LazyLock::new(|| {
    let random: [u8; 16] = rand::random();
    PasswordHasher::hash_password(&Argon2::default(), &random)
        .ok()
        .map(|h| h.to_string())
});

/// Runs argon2 off the async threads, at most `permits` at a time.
#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
}

impl Hasher {
    pub fn new(max_concurrent: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(max_concurrent.max(1))),
        }
    }

    /// The PHC string of a fresh argon2id hash of `password`.
    ///
    /// # Errors
    /// `INTERNAL` if the hasher fails or the blocking pool is gone.
    pub async fn hash(&self, password: String) -> Result<String, ApiError> {
        self.run(move || {
            PasswordHasher::hash_password(&Argon2::default(), password.as_bytes())
                .map(|h| h.to_string())
                .map_err(ApiError::internal)
        })
        .await?
    }

    /// Whether `password` matches `hash`; with `None` (unknown user) the dummy hash is checked
    /// so that the answer takes the same time, and is always false.
    ///
    /// # Errors
    /// `INTERNAL` if the blocking pool is gone.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, ApiError> {
        self.run(move || {
            let known = hash.is_some();
            let Some(phc) = hash.or_else(|| DUMMY_HASH.clone()) else {
                return false;
            };
            let matches = Argon2::default()
                .verify_password(password.as_bytes(), phc.as_str())
                .is_ok();
            known && matches
        })
        .await
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| ApiError::internal("hasher semaphore closed"))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(ApiError::internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_only_its_own_password() {
        let hasher = Hasher::new(2);
        let hash = hasher.hash("correct horse".into()).await.ok();
        assert!(
            hash.as_deref()
                .is_some_and(|h| h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"))
        );
        assert_eq!(
            hasher
                .verify("correct horse".into(), hash.clone())
                .await
                .ok(),
            Some(true)
        );
        assert_eq!(
            hasher.verify("wrong horse".into(), hash).await.ok(),
            Some(false)
        );
    }

    #[tokio::test]
    async fn an_unknown_user_never_verifies() {
        let hasher = Hasher::new(1);
        assert_eq!(
            hasher.verify("anything".into(), None).await.ok(),
            Some(false)
        );
    }
}
