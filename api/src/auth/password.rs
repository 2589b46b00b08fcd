//! Password hashing with argon2id (OWASP parameters: 19 MiB, 2 passes, 1 lane).
//!
//! Hashing takes tens of milliseconds of CPU on purpose, so it never runs on the async
//! threads: it runs on a few threads of its own (`max_concurrent_hashes`, half the cores by
//! default), so that a storm of logins queues up instead of starving every other request.
//! Those threads run at a lower priority (nice 10): when the CPU is busy, a request that
//! reads data is served first, and a login waits a little longer.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, LazyLock, Mutex};

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use thread_priority::{ThreadPriority, ThreadPriorityValue};

use crate::error::ApiError;

/// A valid argon2id hash of a random password: unknown emails are verified against it so
/// that "no such user" costs the same time as "wrong password".
static DUMMY_HASH: LazyLock<Option<String>> = LazyLock::new(|| {
    let random: [u8; 16] = rand::random();
    PasswordHasher::hash_password(&Argon2::default(), &random)
        .ok()
        .map(|h| h.to_string())
});

/// A password someone chooses (sign-up, password change, `qualify create-mentor`): the
/// domain's length rules, and not on the common-password list of the `passwords` crate.
///
/// # Errors
/// Why the password is refused, for the field that carried it.
pub fn choose(password: String) -> Result<domain::Password, domain::InvalidValue> {
    let password = domain::Password::parse(password)?;
    if passwords::analyzer::is_common_password(password.as_str()) {
        return Err(domain::InvalidValue::new(
            "is on the list of commonly used passwords; choose another",
        ));
    }
    Ok(password)
}

/// Runs argon2 on its own low-priority threads, at most `max_concurrent` at a time.
#[derive(Clone)]
pub struct Hasher {
    jobs: Sender<Job>,
}

type Job = Box<dyn FnOnce() + Send>;

/// `ThreadPriority::Crossplatform` maps 0..=99 onto nice 19..=-20; 22 is nice 10 (a tenth
/// of the CPU weight of a normal thread).
const HASHING_PRIORITY: u8 = 22;

impl Hasher {
    pub fn new(max_concurrent: usize) -> Self {
        let (jobs, queue) = channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..max_concurrent.max(1) {
            let queue = Arc::clone(&queue);
            let spawned = std::thread::Builder::new()
                .name(format!("qualify-hash-{n}"))
                .spawn(move || hashing_thread(&queue));
            if let Err(e) = spawned {
                tracing::error!(cause = %e, "cannot start a hashing thread");
            }
        }
        Self { jobs }
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
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(work());
        });
        self.jobs
            .send(job)
            .map_err(|_| ApiError::internal("the hashing threads are gone"))?;
        result
            .await
            .map_err(|_| ApiError::internal("a hashing thread failed"))
    }
}

/// One hashing thread: lowers its own priority, then runs jobs until every `Hasher` is gone.
fn hashing_thread(queue: &Mutex<Receiver<Job>>) {
    let priority = ThreadPriorityValue::try_from(HASHING_PRIORITY)
        .map(ThreadPriority::Crossplatform)
        .unwrap_or(ThreadPriority::Min);
    if let Err(e) = thread_priority::set_current_thread_priority(priority) {
        tracing::warn!(cause = ?e, "hashing runs at normal priority");
    }
    loop {
        // The lock is held only while waiting for the next job, not while running it.
        let job = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        match job {
            Ok(job) => job(),
            Err(_) => return,
        }
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

    /// The nice value of the thread running this (Linux: field 19 of its stat file).
    fn own_nice() -> Option<i64> {
        let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
        // The command name (field 2) may hold spaces; fields after it are plain.
        let after_name = stat.rsplit_once(')')?.1;
        after_name.split_whitespace().nth(16)?.parse().ok()
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn hashes_run_at_a_lower_priority_than_requests() {
        let hasher = Hasher::new(1);
        let outside = own_nice();
        let inside = hasher.run(own_nice).await.ok().flatten();
        assert_eq!(outside, Some(0));
        assert_eq!(inside, Some(10));
    }

    #[tokio::test]
    async fn a_storm_of_hashes_all_complete() {
        let hasher = Hasher::new(2);
        let mut runs = tokio::task::JoinSet::new();
        for i in 0..8 {
            let hasher = hasher.clone();
            runs.spawn(async move { hasher.run(move || i * 2).await.ok() });
        }
        let mut doubled: Vec<_> = runs.join_all().await.into_iter().flatten().collect();
        doubled.sort_unstable();
        assert_eq!(doubled, vec![0, 2, 4, 6, 8, 10, 12, 14]);
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
