//! Counts that several instances on one PostgreSQL share: rates per bucket (a client IP, an
//! API key), accounts' runs of failed logins, and when a periodic job last ran. Every
//! statement reads the database's clock (`statement_timestamp()`), so instances whose
//! clocks disagree still count alike. PostgreSQL only: on SQLite, which one process
//! serves, the API counts in memory and never calls these.
//!
//! A rate is a GCRA (generic cell rate algorithm), one row per bucket holding the
//! theoretical arrival time: `per_minute` requests a minute, in bursts of as many, the
//! same rule `governor` applies in memory. A request that is refused changes nothing.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

use crate::{Db, StoreError};

/// Milliseconds of the database's clock at the statement's start.
const NOW_MS: &str = "(EXTRACT(EPOCH FROM statement_timestamp()) * 1000)::bigint";
/// The same in microseconds: a rate of thousands a minute has a sub-millisecond interval.
const NOW_US: &str = "(EXTRACT(EPOCH FROM statement_timestamp()) * 1000000)::bigint";

/// A failure record older than this starts a new run (as in memory).
const FORGET_AFTER_MS: i64 = 60 * 60 * 1000;
/// The longest lock a run of failures earns.
const MAX_LOCK_MS: i64 = 15 * 60 * 1000;

fn statement(sql: &str, values: impl IntoIterator<Item = Value>) -> Statement {
    let sql = sql.replace("NOW_MS", NOW_MS).replace("NOW_US", NOW_US);
    Statement::from_sql_and_values(DbBackend::Postgres, sql, values)
}

/// Takes one request from `bucket`'s rate of `per_minute`: `None` when it may go ahead
/// (and is counted), or how long to wait. One statement when allowed, two when refused.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn take(db: &Db, bucket: &str, per_minute: u32) -> Result<Option<Duration>, StoreError> {
    let per_minute = i64::from(per_minute.max(1));
    let interval = 60_000_000 / per_minute;
    // A minute's burst less one interval; not `interval * (per_minute - 1)`, which a rate
    // of more than 60 million a minute (an interval rounded to 0 µs) would make no burst
    // at all, refusing requests whose statements started out of order.
    let tolerance = 60_000_000 - interval;
    let taken = db
        .query_one_raw(statement(
            "INSERT INTO throttle_buckets AS b (bucket, tat_us) VALUES ($1, NOW_US + $2) \
             ON CONFLICT (bucket) DO UPDATE SET tat_us = GREATEST(b.tat_us, NOW_US) + $2 \
             WHERE GREATEST(b.tat_us, NOW_US) - NOW_US <= $3 \
             RETURNING tat_us",
            [bucket.into(), interval.into(), tolerance.into()],
        ))
        .await?;
    if taken.is_some() {
        return Ok(None);
    }
    let wait = db
        .query_one_raw(statement(
            "SELECT tat_us - NOW_US - $2 AS wait_us FROM throttle_buckets WHERE bucket = $1",
            [bucket.into(), tolerance.into()],
        ))
        .await?
        .map(|row| row.try_get::<i64>("", "wait_us"))
        .transpose()?
        .unwrap_or(0);
    Ok(Some(Duration::from_micros(
        u64::try_from(wait).unwrap_or(0),
    )))
}

/// How long `account` stays locked by its failures, if it is.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn locked_for(db: &Db, account: &str) -> Result<Option<Duration>, StoreError> {
    Ok(db
        .query_one_raw(statement(
            "SELECT locked_until_ms - NOW_MS AS wait_ms FROM login_failures \
             WHERE account = $1 AND locked_until_ms > NOW_MS",
            [account.into()],
        ))
        .await?
        .map(|row| row.try_get::<i64>("", "wait_ms"))
        .transpose()?
        .map(millis))
}

/// Counts a failed attempt on `account`. From the `threshold`-th failure of a run the
/// account is locked for 1 s, then 2 s, 4 s… up to 15 minutes; a run ends an hour after
/// its last failure. One statement, so that instances failing the same account at once
/// each count.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn record_failure(db: &Db, account: &str, threshold: u32) -> Result<(), StoreError> {
    // The run's new count, then the lock it earns: `$2` the threshold, `$4` the cap.
    let failures = "CASE WHEN f.last_ms < NOW_MS - $3 THEN 1 ELSE f.failures + 1 END";
    let lock = |n: &str| {
        format!(
            "CASE WHEN {n} >= $2 THEN NOW_MS + \
             LEAST(power(2, LEAST({n} - $2, 20))::bigint * 1000, $4) END"
        )
    };
    db.execute_raw(statement(
        &format!(
            "INSERT INTO login_failures AS f (account, failures, last_ms, locked_until_ms) \
             VALUES ($1, 1, NOW_MS, {}) \
             ON CONFLICT (account) DO UPDATE SET \
             failures = {failures}, last_ms = NOW_MS, locked_until_ms = {}",
            lock("1"),
            lock(failures),
        ),
        [
            account.into(),
            i64::from(threshold).into(),
            FORGET_AFTER_MS.into(),
            MAX_LOCK_MS.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Ends `account`'s run of failures (a successful login).
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn record_success(db: &Db, account: &str) -> Result<(), StoreError> {
    db.execute_raw(statement(
        "DELETE FROM login_failures WHERE account = $1",
        [account.into()],
    ))
    .await?;
    Ok(())
}

fn millis(ms: i64) -> Duration {
    Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}
