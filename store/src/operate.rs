//! What an operator asks of the database: whether it is ready to serve (it answers and
//! its schema is this binary's), and a consistent copy of a SQLite database taken while
//! the server runs (`VACUUM INTO`), and its restoration.

use std::path::{Path, PathBuf};

use migration::MigratorTrait;
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::{Db, StoreError};

/// Why the database is not ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotReady {
    /// It does not answer (a query failed).
    Unreachable,
    /// Migrations this binary knows are not applied.
    Pending(usize),
}

/// Whether the database answers and every migration this binary knows is applied.
/// Two statements.
pub async fn readiness(db: &Db) -> Result<(), NotReady> {
    let backend = db.get_database_backend();
    db.query_one_raw(Statement::from_string(backend, "SELECT 1"))
        .await
        .map_err(|_| NotReady::Unreachable)?;
    let pending = migration::Migrator::get_pending_migrations(db.pool())
        .await
        .map_err(|_| NotReady::Unreachable)?;
    if pending.is_empty() {
        Ok(())
    } else {
        Err(NotReady::Pending(pending.len()))
    }
}

/// The file of a `sqlite:` URL (`sqlite://path?mode=rwc`, `sqlite:path`); `None` for
/// another database or an in-memory one.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next()?;
    (!path.is_empty() && !path.contains(":memory:")).then(|| PathBuf::from(path))
}

/// A SQLite file held for one server process: the lock on `FILE.lock` beside it, released
/// when this is dropped or the process ends (however it ends).
#[derive(Debug)]
pub struct ServingLock {
    _file: std::fs::File,
}

/// Why a SQLite file could not be held.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "another qualify server is serving {0} (it holds {0}.lock); a SQLite database is served \
         by one process: stop it first, or run several instances on PostgreSQL"
    )]
    Taken(PathBuf),
    #[error("cannot lock {0}.lock: {1}")]
    Io(PathBuf, std::io::Error),
}

/// Holds the SQLite database of `url` for this process, so that a second server (or a
/// restore) on the same file is refused instead of sharing it: several processes would
/// each keep their throttles, caches and background jobs to themselves. `None` for
/// PostgreSQL and in-memory databases. The lock is an exclusive `flock` on a file beside
/// the database, never on the database itself: closing any descriptor of the database
/// file would drop SQLite's own POSIX locks on it. The path is made canonical first, so
/// two spellings of one file take one lock.
///
/// # Errors
/// [`LockError::Taken`] when another process (or another server in this one) holds it.
pub fn hold_sqlite(url: &str) -> Result<Option<ServingLock>, LockError> {
    let Some(file) = sqlite_file(url) else {
        return Ok(None);
    };
    let file = std::fs::canonicalize(&file).unwrap_or(file);
    let mut name = file.as_os_str().to_owned();
    name.push(".lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(PathBuf::from(name))
        .map_err(|e| LockError::Io(file.clone(), e))?;
    match lock.try_lock() {
        Ok(()) => Ok(Some(ServingLock { _file: lock })),
        Err(std::fs::TryLockError::WouldBlock) => Err(LockError::Taken(file)),
        Err(std::fs::TryLockError::Error(e)) => Err(LockError::Io(file, e)),
    }
}

/// Why a backup or a restore did not happen; the message is for the operator who typed
/// the command. Nothing was changed: no copy left behind, the target untouched.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("backups are of SQLite databases; use pg_dump for PostgreSQL")]
    NotSqlite,
    #[error("{} exists already; choose a new file", .0.display())]
    Exists(PathBuf),
    #[error("there is no directory {}", .0.display())]
    NoDirectory(PathBuf),
    #[error("{} is not a file", .0.display())]
    NotAFile(PathBuf),
    #[error("{} is not a SQLite database", .0.display())]
    NotSqliteFile(PathBuf),
    #[error("{} fails its integrity check", .0.display())]
    Unsound(PathBuf),
    #[error("{} is not a Qualify database", .0.display())]
    NotQualify(PathBuf),
    #[error("could not {what} {}", .path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the database failed")]
    Db(#[from] sea_orm::DbErr),
}

/// The directory a file goes in (`.` for a bare name).
fn directory_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Writes a consistent copy of the SQLite database to `to` (which must not exist), while
/// others go on writing: `VACUUM INTO` reads one snapshot, so the copy holds every
/// transaction committed before it began and none after.
///
/// # Errors
/// [`BackupError`] when the database is not SQLite, `to` exists or its directory does
/// not, or SQLite fails.
pub async fn backup_sqlite(db: &Db, to: &Path) -> Result<(), BackupError> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Err(BackupError::NotSqlite);
    }
    if to.exists() {
        return Err(BackupError::Exists(to.to_path_buf()));
    }
    let directory = directory_of(to);
    if !directory.is_dir() {
        return Err(BackupError::NoDirectory(directory));
    }
    let target = to.to_string_lossy().into_owned();
    db.pool()
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "VACUUM INTO ?",
            [target.into()],
        ))
        .await?;
    Ok(())
}

/// Checks that `from` is a whole Qualify database (`PRAGMA integrity_check` answers `ok`,
/// its migrations table is there) and puts it in place of `to`'s file, the write-ahead
/// log of the old one removed. The server must be stopped.
///
/// # Errors
/// [`BackupError`] when `from` is not a sound Qualify database or a file operation
/// fails; `to` is then untouched.
pub async fn restore_sqlite(from: &Path, to: &Path) -> Result<(), BackupError> {
    if !from.is_file() {
        return Err(BackupError::NotAFile(from.to_path_buf()));
    }
    let directory = directory_of(to);
    if !directory.is_dir() {
        return Err(BackupError::NoDirectory(directory));
    }
    // A copy beside the target, checked, then renamed over it: the target is the old file
    // or the new one, never half of either, and the backup itself is never opened.
    let staged = to.with_extension("restoring");
    let side = |path: &Path, suffix: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    let discard = |path: &Path| {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(side(path, suffix));
        }
    };
    discard(&staged);
    std::fs::copy(from, &staged).map_err(|source| {
        discard(&staged);
        BackupError::Io {
            what: "copy the backup to",
            path: staged.clone(),
            source,
        }
    })?;
    let url = format!("sqlite://{}?mode=rw", staged.display());
    let Ok(copy) = crate::connect(&url).await else {
        discard(&staged);
        return Err(BackupError::NotSqliteFile(from.to_path_buf()));
    };
    let checked = crate::sqlite_integrity_check(&copy).await;
    let migrations = copy
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT COUNT(*) AS n FROM seaql_migrations",
        ))
        .await;
    copy.close().await.ok();
    if !matches!(&checked, Ok(lines) if lines == &["ok"]) {
        discard(&staged);
        return Err(BackupError::Unsound(from.to_path_buf()));
    }
    if !matches!(migrations, Ok(Some(_))) {
        discard(&staged);
        return Err(BackupError::NotQualify(from.to_path_buf()));
    }
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(side(&staged, suffix));
        let _ = std::fs::remove_file(side(to, suffix));
    }
    std::fs::rename(&staged, to).map_err(|source| {
        discard(&staged);
        BackupError::Io {
            what: "put the restored copy in place of",
            path: to.to_path_buf(),
            source,
        }
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sqlite_url_names_its_file() {
        assert_eq!(
            sqlite_file("sqlite://qualify.db?mode=rwc"),
            Some(PathBuf::from("qualify.db"))
        );
        assert_eq!(
            sqlite_file("sqlite:///tmp/q.db"),
            Some(PathBuf::from("/tmp/q.db"))
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://x@h/db"), None);
    }
}

/// How long what is only kept for a while is kept.
#[derive(Debug, Clone, Copy)]
pub struct Retention {
    /// An `Idempotency-Key` and its stored response: a retry after this runs anew.
    pub idempotency: chrono::Duration,
    /// A refresh token past its expiry (it works no more; kept a while for the logins list).
    pub refresh_tokens: chrono::Duration,
    /// A finished webhook delivery, its attempts, and its event once no delivery is left.
    pub webhook_log: chrono::Duration,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            idempotency: chrono::Duration::hours(24),
            refresh_tokens: chrono::Duration::days(7),
            webhook_log: chrono::Duration::days(30),
        }
    }
}

/// What one clean-up removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cleaned {
    pub idempotency_keys: u64,
    pub refresh_tokens: u64,
    pub webhook_attempts: u64,
    pub webhook_deliveries: u64,
    pub events: u64,
    /// Shared rate and login-failure records that no longer hold anything back.
    pub throttle_records: u64,
}

/// The advisory lock that makes one instance at a time clean up on PostgreSQL.
const CLEAN_UP_LOCK: i64 = 0x5155_414c_4946_5901;

/// The name `job_runs` knows the clean-up by.
const CLEAN_UP_JOB: &str = "clean_up";

/// Deletes what is past its retention at `now`, in one transaction; pending deliveries and
/// the events they need are kept whatever their age. It runs once per `every` across all
/// instances: `None` when another instance is cleaning up (on PostgreSQL, a
/// transaction-scoped advisory lock) or when one did within `every` (`job_runs`).
///
/// # Errors
/// [`StoreError::Db`] when the database fails; nothing is then deleted.
pub async fn clean_up(
    db: &Db,
    now: chrono::DateTime<chrono::Utc>,
    every: chrono::Duration,
    keep: &Retention,
) -> Result<Option<Cleaned>, StoreError> {
    let txn = crate::begin_write(db).await?;
    let backend = txn.get_database_backend();
    if backend == DbBackend::Postgres {
        let got = txn
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                "SELECT pg_try_advisory_xact_lock($1) AS got",
                [CLEAN_UP_LOCK.into()],
            ))
            .await?
            .map(|row| row.try_get::<bool>("", "got"))
            .transpose()?
            .unwrap_or(false);
        if !got {
            txn.rollback().await?;
            return Ok(None);
        }
    }
    let now_ms = now.timestamp_millis();
    let claimed = txn
        .execute_raw(Statement::from_sql_and_values(
            backend,
            crate::audit::numbered(
                backend,
                "INSERT INTO job_runs (job, ran_at_ms) VALUES (?, ?) \
                 ON CONFLICT (job) DO UPDATE SET ran_at_ms = excluded.ran_at_ms \
                 WHERE job_runs.ran_at_ms <= ?",
            ),
            [
                CLEAN_UP_JOB.into(),
                now_ms.into(),
                (now - every).timestamp_millis().into(),
            ],
        ))
        .await?
        .rows_affected();
    if claimed == 0 {
        txn.rollback().await?;
        return Ok(None);
    }
    let run = |sql: &str, before: chrono::DateTime<chrono::Utc>| {
        Statement::from_sql_and_values(
            backend,
            crate::audit::numbered(backend, sql),
            [before.into()],
        )
    };
    let old_log = now - keep.webhook_log;
    let finished = "SELECT id FROM webhook_deliveries WHERE state <> 'pending' AND created_at < ?";
    let cleaned = Cleaned {
        idempotency_keys: txn
            .execute_raw(run(
                "DELETE FROM idempotency_keys WHERE created_at < ?",
                now - keep.idempotency,
            ))
            .await?
            .rows_affected(),
        refresh_tokens: txn
            .execute_raw(run(
                "DELETE FROM refresh_tokens WHERE expires_at < ?",
                now - keep.refresh_tokens,
            ))
            .await?
            .rows_affected(),
        webhook_attempts: txn
            .execute_raw(run(
                &format!("DELETE FROM webhook_attempts WHERE delivery_id IN ({finished})"),
                old_log,
            ))
            .await?
            .rows_affected(),
        webhook_deliveries: txn
            .execute_raw(run(
                &format!("DELETE FROM webhook_deliveries WHERE id IN ({finished})"),
                old_log,
            ))
            .await?
            .rows_affected(),
        events: txn
            .execute_raw(run(
                "DELETE FROM events WHERE dispatched_at IS NOT NULL AND occurred_at < ? \
                 AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = events.id)",
                old_log,
            ))
            .await?
            .rows_affected(),
        throttle_records: txn
            .execute_raw(Statement::from_sql_and_values(
                backend,
                crate::audit::numbered(backend, "DELETE FROM throttle_buckets WHERE tat_us < ?"),
                [(now_ms * 1_000).into()],
            ))
            .await?
            .rows_affected()
            + txn
                .execute_raw(Statement::from_sql_and_values(
                    backend,
                    crate::audit::numbered(
                        backend,
                        "DELETE FROM login_failures WHERE last_ms < ? \
                         AND (locked_until_ms IS NULL OR locked_until_ms < ?)",
                    ),
                    [(now_ms - 60 * 60 * 1000).into(), now_ms.into()],
                ))
                .await?
                .rows_affected(),
    };
    txn.commit().await?;
    Ok(Some(cleaned))
}
