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
//! processes (a CLI next to the server). Readers are never blocked, thanks to WAL. On
//! PostgreSQL the option is ignored and row locks (`SELECT ... FOR UPDATE`) order
//! concurrent writers instead.
//!
//! # Why transactions queue for one connection on a SQLite file
//!
//! SQLite's busy handler does not queue waiters: it sleeps and polls, backing off to
//! 100 ms between tries. With many writers in one process the lock is often free while
//! every waiter sleeps, and the unlucky ones poll for a long time: `qualifyProspect` under
//! concurrent clients had a p99 many times its p50 (`bench/RESULTS.md`). So [`Db`] on a
//! SQLite file keeps a second pool of exactly one connection, and every transaction runs
//! on it: writers in this process wait in the pool's first-come-first-served queue and
//! start the moment the previous one commits. The busy
//! handler is still there for writers in other processes.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use migration::MigratorTrait;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    AccessMode, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction,
    DbBackend, DbErr, ExecResult, IsolationLevel, QueryResult, SqliteTransactionMode, Statement,
    TransactionError, TransactionOptions, TransactionTrait,
};

use crate::StoreError;
use crate::tx::{Conn, WriteTx};

/// How long a SQLite writer waits for the write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Pool size for file-backed SQLite reads: readers run in parallel under WAL.
const SQLITE_FILE_CONNECTIONS: u32 = 8;
const POSTGRES_CONNECTIONS: u32 = 10;
/// Page cache per SQLite file connection, in KiB (`PRAGMA cache_size` takes a negative
/// number as KiB). SQLite's default, 2 MiB, holds about 500 pages: a program's clients,
/// outcome entries and intake points lie scattered across a large file (their ids follow
/// time, and every program writes at once), so one program's calibration reads more
/// pages than that and read them all again from the file on every request.
/// 9 connections (8 readers, the writer) hold at most 9 times this.
pub const SQLITE_CACHE_KIB: u32 = 16 * 1024;
/// A pooled PostgreSQL connection idle this long is checked before it is handed out.
const POSTGRES_PING_IF_IDLE: Duration = Duration::from_secs(30);

/// The database as the store uses it: a pool for reads and single statements, and on a
/// SQLite file a one-connection pool that every transaction runs on (see the module docs).
///
/// It is a connection like any other ([`ConnectionTrait`], [`TransactionTrait`]), so
/// store functions take it, a plain [`DatabaseConnection`] or an open transaction alike.
#[derive(Debug, Clone)]
pub struct Db {
    pool: DatabaseConnection,
    /// `Some` on a SQLite file only.
    writer: Option<DatabaseConnection>,
}

impl Db {
    /// The pool that reads and single statements use (migrations run on it too).
    pub fn pool(&self) -> &DatabaseConnection {
        &self.pool
    }

    /// Whether this is PostgreSQL, which several server processes may share (a SQLite file
    /// is served by one).
    pub fn is_postgres(&self) -> bool {
        self.pool.get_database_backend() == DbBackend::Postgres
    }

    /// Where transactions begin.
    fn transactions(&self) -> &DatabaseConnection {
        self.writer.as_ref().unwrap_or(&self.pool)
    }

    /// The same database (the same pools, the same SQLite writer) without the statement
    /// counter of [`connect_counted`]: for background work (the webhook worker, the
    /// subscription hub), whose statements are not a request's.
    pub fn uncounted(&self) -> Db {
        let quiet = |db: &DatabaseConnection| {
            let mut db = db.clone();
            db.set_metric_callback(|info| waits::ran_for(info.elapsed));
            db
        };
        Db {
            pool: quiet(&self.pool),
            writer: self.writer.as_ref().map(quiet),
        }
    }

    /// Closes both pools.
    ///
    /// # Errors
    /// [`StoreError::Db`] when a pool fails to close.
    pub async fn close(self) -> Result<(), StoreError> {
        if let Some(writer) = self.writer {
            writer.close().await?;
        }
        self.pool.close().await?;
        Ok(())
    }
}

/// Opens a pool on a `sqlite:` or `postgres:` URL.
///
/// SQLite files are created when missing and every pooled connection gets
/// `journal_mode=WAL`, `foreign_keys=ON`, `synchronous=FULL` and `busy_timeout=5000`.
/// `sqlite::memory:` uses one connection that is never recycled, so the database lives as
/// long as the returned handle.
///
/// # Errors
/// [`StoreError::Db`] when the URL is invalid or the database cannot be reached.
pub async fn connect(url: &str) -> Result<Db, StoreError> {
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
pub async fn connect_counted(url: &str) -> Result<(Db, StatementCounter), StoreError> {
    connect_counted_with(url, None).await
}

/// Like [`connect_counted`], with the read pool's size: `None` for the default (10 on
/// PostgreSQL, 8 on a SQLite file). An in-memory SQLite database has one connection, and
/// a SQLite file's transactions their one writer connection, whatever is asked.
///
/// # Errors
/// [`StoreError::Db`] when the URL is invalid or the database cannot be reached.
pub async fn connect_counted_with(
    url: &str,
    max_connections: Option<u32>,
) -> Result<(Db, StatementCounter), StoreError> {
    let mut options = ConnectOptions::new(url);
    options.sqlx_logging(false);
    let mut writer = None;
    if url.starts_with("sqlite:") {
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        options.map_sqlx_sqlite_opts(move |opts| sqlite_pragmas(opts, in_memory));
        if in_memory {
            // A second connection would see another, empty database; and closing the only
            // one (idle timeout, max lifetime) would drop all data.
            options
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None);
        } else {
            // A local file's connection cannot be dropped by a server or a firewall; pinging
            // it on every checkout (sqlx's default) was a round trip to its thread each time.
            options.test_before_acquire(false);
            let mut write = options.clone();
            write.max_connections(1).acquire_timeout(BUSY_TIMEOUT);
            writer = Some(write);
            options.max_connections(max_connections.unwrap_or(SQLITE_FILE_CONNECTIONS).max(1));
        }
    } else {
        // Ping only connections idle long enough for the server or a proxy to have dropped
        // them, not every checkout (a network round trip each).
        options
            .max_connections(max_connections.unwrap_or(POSTGRES_CONNECTIONS).max(1))
            .test_before_acquire_if_idle_for(POSTGRES_PING_IF_IDLE);
    }
    let counter = StatementCounter::default();
    let pool = counted(Database::connect(options).await?, &counter);
    // Opened second: the pool above has created the file and switched it to WAL.
    let writer = match writer {
        Some(options) => Some(counted(Database::connect(options).await?, &counter)),
        None => None,
    };
    Ok((Db { pool, writer }, counter))
}

fn counted(mut db: DatabaseConnection, counter: &StatementCounter) -> DatabaseConnection {
    let count = Arc::clone(&counter.0);
    db.set_metric_callback(move |info| {
        count.fetch_add(1, Ordering::Relaxed);
        waits::ran_for(info.elapsed);
    });
    db
}

fn sqlite_pragmas(opts: SqliteConnectOptions, in_memory: bool) -> SqliteConnectOptions {
    let opts = opts
        .create_if_missing(true)
        .foreign_keys(true)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(BUSY_TIMEOUT)
        .pragma("cache_size", format!("-{SQLITE_CACHE_KIB}"));
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
pub async fn migrate(db: &Db) -> Result<(), StoreError> {
    migration::Migrator::up(db.pool(), None).await?;
    Ok(())
}

/// Starts a write transaction: `BEGIN IMMEDIATE` on SQLite (see the module docs), a plain
/// `BEGIN` on PostgreSQL. Inside an open transaction ([`WriteTx`]) it starts a savepoint.
///
/// Callers composing several store writes atomically open their transaction here, so that
/// it holds the SQLite write lock from the start.
///
/// # Errors
/// [`StoreError::Db`] when no connection is available or the lock wait times out.
pub async fn begin_write(db: &impl Conn) -> Result<WriteTx, StoreError> {
    let options = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    };
    WRITERS_WAITING.fetch_add(1, Ordering::Relaxed);
    let began = db.begin_with_options(options).await;
    WRITERS_WAITING.fetch_sub(1, Ordering::Relaxed);
    Ok(WriteTx::new(began?))
}

/// Write transactions waiting to begin, in this process (on a SQLite file: the queue for
/// its one writer connection).
static WRITERS_WAITING: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

/// How many write transactions are waiting to begin now (for metrics).
pub fn writers_waiting() -> i64 {
    WRITERS_WAITING.load(Ordering::Relaxed)
}

/// The read pool's connections, for metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolConnections {
    pub open: u32,
    pub idle: usize,
    /// The most it opens: with `open - idle` of them in use, the next statement waits.
    pub max: u32,
}

/// The read pool's connections now.
pub fn pool_connections(db: &Db) -> PoolConnections {
    fn of<DB: sqlx::Database>(pool: &sqlx::Pool<DB>) -> PoolConnections {
        PoolConnections {
            open: pool.size(),
            idle: pool.num_idle(),
            max: pool.options().get_max_connections(),
        }
    }
    match db.pool.get_database_backend() {
        DbBackend::Postgres => of(db.pool.get_postgres_connection_pool()),
        _ => of(db.pool.get_sqlite_connection_pool()),
    }
}

pub use waits::{PoolWaits, Waits, pool_waits};

/// How long statements and transactions waited for a connection, in this process.
///
/// A statement run through [`Db`] first takes a connection from the pool, then runs; the
/// pool's statement callback tells how long it ran, so the rest of its time is the wait.
/// That callback runs in the same poll as the statement's end, on the same thread, before
/// the caller resumes: a thread-local hands the figure over. A transaction's begin is
/// timed whole: the connection, and on a SQLite file the writer connection's queue and
/// the write lock (`BEGIN IMMEDIATE`).
mod waits {
    use std::cell::Cell;
    use std::future::Future;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::{Duration, Instant};

    use sea_orm::DbErr;

    /// An acquisition this slow counts as a wait: an idle connection is handed over in
    /// microseconds, so a millisecond is a queue (or a new connection being opened).
    const WAITED: Duration = Duration::from_millis(1);

    thread_local! {
        static RAN_FOR: Cell<Option<Duration>> = const { Cell::new(None) };
    }

    /// Told by the pool's statement callback: how long the statement ran.
    pub(super) fn ran_for(elapsed: Duration) {
        RAN_FOR.with(|c| c.set(Some(elapsed)));
    }

    struct Tally {
        acquired: AtomicU64,
        waited: AtomicU64,
        wait_us: AtomicU64,
    }

    impl Tally {
        const fn new() -> Self {
            Tally {
                acquired: AtomicU64::new(0),
                waited: AtomicU64::new(0),
                wait_us: AtomicU64::new(0),
            }
        }

        fn add(&self, wait: Duration) {
            self.acquired.fetch_add(1, Ordering::Relaxed);
            if wait >= WAITED {
                self.waited.fetch_add(1, Ordering::Relaxed);
            }
            let us = u64::try_from(wait.as_micros()).unwrap_or(u64::MAX);
            self.wait_us.fetch_add(us, Ordering::Relaxed);
        }

        fn read(&self) -> Waits {
            Waits {
                acquired: self.acquired.load(Ordering::Relaxed),
                waited: self.waited.load(Ordering::Relaxed),
                wait: Duration::from_micros(self.wait_us.load(Ordering::Relaxed)),
            }
        }
    }

    static STATEMENTS: Tally = Tally::new();
    static BEGINS: Tally = Tally::new();

    /// Runs one statement on the pool, counting how long it waited for a connection.
    pub(super) async fn statement<T>(
        run: impl Future<Output = Result<T, DbErr>>,
    ) -> Result<T, DbErr> {
        let started = Instant::now();
        let out = run.await;
        let total = started.elapsed();
        let ran = RAN_FOR.with(Cell::take);
        // No connection came: it never ran, all of it was the wait.
        let ran = match &out {
            Err(DbErr::ConnectionAcquire(_)) => Duration::ZERO,
            _ => ran.unwrap_or_default(),
        };
        STATEMENTS.add(total.saturating_sub(ran));
        out
    }

    /// Begins a transaction, counting how long that took.
    pub(super) async fn begin<T>(begin: impl Future<Output = T>) -> T {
        let started = Instant::now();
        let out = begin.await;
        BEGINS.add(started.elapsed());
        out
    }

    /// Connections taken and the time spent waiting for them, since the process began.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
    pub struct Waits {
        /// Connections taken.
        pub acquired: u64,
        /// Of those, the ones that took a millisecond or more.
        pub waited: u64,
        /// All the time spent taking them.
        pub wait: Duration,
    }

    /// For single statements (reads, mostly) and for transactions.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
    pub struct PoolWaits {
        pub statements: Waits,
        pub transactions: Waits,
    }

    /// The counts so far.
    pub fn pool_waits() -> PoolWaits {
        PoolWaits {
            statements: STATEMENTS.read(),
            transactions: BEGINS.read(),
        }
    }
}

/// SQLite's own check of a database file (`PRAGMA integrity_check`): `["ok"]` when the
/// file is sound, else one line per problem found. For crash tests and operators.
///
/// # Errors
/// [`StoreError::Db`] when the check cannot run, e.g. on PostgreSQL, which has no such
/// check.
pub async fn sqlite_integrity_check(db: &Db) -> Result<Vec<String>, StoreError> {
    let rows = db
        .pool
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA integrity_check",
        ))
        .await?;
    Ok(rows
        .iter()
        .map(|row| row.try_get_by_index::<String>(0))
        .collect::<Result<_, _>>()?)
}

#[async_trait::async_trait]
impl ConnectionTrait for Db {
    fn get_database_backend(&self) -> DbBackend {
        self.pool.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        waits::statement(self.pool.execute_raw(stmt)).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        waits::statement(self.pool.execute_unprepared(sql)).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        waits::statement(self.pool.query_one_raw(stmt)).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        waits::statement(self.pool.query_all_raw(stmt)).await
    }

    fn support_returning(&self) -> bool {
        self.pool.support_returning()
    }
}

/// What a [`TransactionTrait::transaction`] callback returns.
type TxFuture<'c, T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'c>>;

/// Every transaction begins on the writer connection where there is one.
#[async_trait::async_trait]
impl TransactionTrait for Db {
    type Transaction = DatabaseTransaction;

    async fn begin(&self) -> Result<DatabaseTransaction, DbErr> {
        waits::begin(self.transactions().begin()).await
    }

    async fn begin_with_config(
        &self,
        isolation_level: Option<IsolationLevel>,
        access_mode: Option<AccessMode>,
    ) -> Result<DatabaseTransaction, DbErr> {
        waits::begin(
            self.transactions()
                .begin_with_config(isolation_level, access_mode),
        )
        .await
    }

    async fn begin_with_options(
        &self,
        options: TransactionOptions,
    ) -> Result<DatabaseTransaction, DbErr> {
        waits::begin(self.transactions().begin_with_options(options)).await
    }

    async fn transaction<F, T, E>(&self, callback: F) -> Result<T, TransactionError<E>>
    where
        F: for<'c> FnOnce(&'c DatabaseTransaction) -> TxFuture<'c, T, E> + Send,
        T: Send,
        E: std::fmt::Display + std::fmt::Debug + Send,
    {
        self.transactions().transaction(callback).await
    }

    async fn transaction_with_config<F, T, E>(
        &self,
        callback: F,
        isolation_level: Option<IsolationLevel>,
        access_mode: Option<AccessMode>,
    ) -> Result<T, TransactionError<E>>
    where
        F: for<'c> FnOnce(&'c DatabaseTransaction) -> TxFuture<'c, T, E> + Send,
        T: Send,
        E: std::fmt::Display + std::fmt::Debug + Send,
    {
        self.transactions()
            .transaction_with_config(callback, isolation_level, access_mode)
            .await
    }
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
