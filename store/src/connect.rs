//! Opening the database, running migrations, and starting write transactions.
//!
//! # Why writes never fail with "database is locked" on SQLite
//!
//! Every store function that writes more than one statement runs in a transaction opened by
//! [`begin_write`], which on SQLite is `BEGIN IMMEDIATE`: the transaction takes the database's
//! single write lock before its first statement, and a writer that finds the lock taken
//! waits for it through the busy handler (`busy_timeout`, 5 s). A plain (deferred) `BEGIN`
//! would start as a reader and upgrade to a writer at its first write; if another writer
//! committed in between, SQLite must fail that upgrade at once with `SQLITE_BUSY` (waiting
//! cannot help: the reader's snapshot is already stale), which surfaces as "database is
//! locked". Taking the lock up front removes that case and also serializes writers across
//! processes (a CLI next to the server), which a process-wide mutex could not. Readers are
//! never blocked, thanks to WAL. On PostgreSQL the option is ignored and row locks
//! (`SELECT ... FOR UPDATE`) order concurrent writers instead.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use migration::MigratorTrait;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};

use crate::StoreError;

/// How long a SQLite writer waits for the write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Pool size for file-backed SQLite: readers run in parallel under WAL, writers queue.
const SQLITE_FILE_CONNECTIONS: u32 = 8;
const POSTGRES_CONNECTIONS: u32 = 10;

/// Opens a pool on a `sqlite:` or `postgres:` URL.
///
/// SQLite files are created when missing and every pooled connection gets
/// `journal_mode=WAL`, `foreign_keys=ON`, `synchronous=FULL` and `busy_timeout=5000`.
/// `sqlite::memory:` uses one connection that is never recycled, so the database lives as
/// long as the returned handle.
///
/// # Errors
/// [`StoreError::Db`] when the URL is invalid or the database cannot be reached.
pub async fn connect(url: &str) -> Result<DatabaseConnection, StoreError> {
    Ok(connect_counted(url).await?.0)
}

/// Counts the SQL statements run through one pool: benchmarks and tests use it to prove
/// that a query's statement count does not grow with page or data size.
#[derive(Debug, Clone, Default)]
pub struct StatementCounter(Arc<AtomicU64>);

impl StatementCounter {
    /// Statements run so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Like [`connect`], with a counter of the statements the pool runs.
///
/// # Errors
/// [`StoreError::Db`] when the URL is invalid or the database cannot be reached.
pub async fn connect_counted(
    url: &str,
) -> Result<(DatabaseConnection, StatementCounter), StoreError> {
    let mut options = ConnectOptions::new(url);
    options.sqlx_logging(false);
    if url.starts_with("sqlite:") {
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        if in_memory {
            // A second connection would see another, empty database; and closing the only
            // one (idle timeout, max lifetime) would drop all data.
            options
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None);
        } else {
            options.max_connections(SQLITE_FILE_CONNECTIONS);
        }
        options.map_sqlx_sqlite_opts(move |opts| sqlite_pragmas(opts, in_memory));
    } else {
        options.max_connections(POSTGRES_CONNECTIONS);
    }
    let mut db = Database::connect(options).await?;
    let counter = StatementCounter::default();
    let count = Arc::clone(&counter.0);
    db.set_metric_callback(move |_| {
        count.fetch_add(1, Ordering::Relaxed);
    });
    Ok((db, counter))
}

fn sqlite_pragmas(opts: SqliteConnectOptions, in_memory: bool) -> SqliteConnectOptions {
    let opts = opts
        .create_if_missing(true)
        .foreign_keys(true)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(BUSY_TIMEOUT);
    if in_memory {
        // An in-memory database has no file to keep a write-ahead log next to.
        opts
    } else {
        opts.journal_mode(SqliteJournalMode::Wal)
    }
}

/// Brings the schema up to date.
///
/// # Errors
/// [`StoreError::Db`] when a migration fails.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), StoreError> {
    migration::Migrator::up(db, None).await?;
    Ok(())
}

/// Starts a write transaction: `BEGIN IMMEDIATE` on SQLite (see the module docs), a plain
/// `BEGIN` on PostgreSQL. Inside an open transaction it starts a savepoint.
///
/// Callers composing several store writes atomically should open their transaction here,
/// not with `begin()`, so that it holds the SQLite write lock from the start.
///
/// # Errors
/// [`StoreError::Db`] when no connection is available or the lock wait times out.
pub async fn begin_write<C>(db: &C) -> Result<C::Transaction, StoreError>
where
    C: TransactionTrait,
{
    let options = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    };
    Ok(db.begin_with_options(options).await?)
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};

    /// `.cargo/config.toml` builds the bundled SQLite with `SQLITE_ENABLE_QPSG`; without it
    /// every statement with `LIMIT ?` is compiled again each time it runs.
    #[tokio::test]
    async fn sqlite_keeps_the_plans_of_prepared_statements() -> Result<(), sea_orm::DbErr> {
        let db = super::connect("sqlite::memory:")
            .await
            .map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?;
        let rows = db
            .query_all_raw(Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA compile_options",
            ))
            .await?;
        let options = rows
            .iter()
            .map(|row| row.try_get_by_index::<String>(0))
            .collect::<Result<Vec<_>, _>>()?;
        assert!(
            options.iter().any(|o| o == "ENABLE_QPSG"),
            "compile options: {options:?}"
        );
        Ok(())
    }
}
