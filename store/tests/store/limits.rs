//! The counts several instances share on PostgreSQL: a rate per bucket, an account's run
//! of failures and its lock, and a serving lock on a SQLite file.

use std::time::Duration;

use sea_orm::{ConnectionTrait, Statement};
use store::limits::{locked_for, record_failure, record_success, take};
use store::operate::{LockError, hold_sqlite};

use crate::support::{count, fresh_db, is_sqlite};

#[tokio::test]
async fn a_bucket_allows_its_rate_in_a_burst_then_says_how_long_to_wait() {
    let (db, _guard) = fresh_db().await;
    if is_sqlite(&db) {
        // SQLite counts in the API's memory; the table exists so that both schemas are one.
        assert_tables_exist(&db).await;
        return;
    }
    for _ in 0..3 {
        assert_eq!(take(&db, "ip:192.0.2.1", 3).await.unwrap(), None);
    }
    let wait = take(&db, "ip:192.0.2.1", 3)
        .await
        .unwrap()
        .expect("the fourth of a 3-a-minute rate waits");
    // One request every 20 s: the next is due within 20 s.
    assert!(
        wait > Duration::ZERO && wait <= Duration::from_secs(20),
        "{wait:?}"
    );
    // A refused request costs nothing: still one wait, not a longer one.
    let again = take(&db, "ip:192.0.2.1", 3).await.unwrap().unwrap();
    assert!(again <= wait, "{again:?} after {wait:?}");
    // Another bucket has its own rate.
    assert_eq!(take(&db, "ip:192.0.2.2", 3).await.unwrap(), None);
}

#[tokio::test]
async fn instances_taking_from_one_bucket_at_once_get_its_rate_between_them() {
    let (db, _guard) = fresh_db().await;
    if is_sqlite(&db) {
        assert_tables_exist(&db).await;
        return;
    }
    let attempts = (0..24).map(|_| {
        let db = db.clone();
        tokio::spawn(async move { take(&db, "key:shared", 10).await.unwrap().is_none() })
    });
    let mut allowed = 0;
    for attempt in attempts {
        allowed += usize::from(attempt.await.unwrap());
    }
    assert_eq!(allowed, 10);
}

#[tokio::test]
async fn a_rate_too_high_to_count_in_microseconds_never_refuses_a_request_that_started_out_of_order()
 {
    let (db, _guard) = fresh_db().await;
    if is_sqlite(&db) {
        assert_tables_exist(&db).await;
        return;
    }
    // u32::MAX a minute (the bench's "no limit") is an interval of 0 µs. A request whose
    // statement started a moment before another's that committed first finds the bucket's
    // time a little ahead of its own clock: that must not refuse it.
    db.execute_raw(Statement::from_string(
        sea_orm::DbBackend::Postgres,
        "INSERT INTO throttle_buckets (bucket, tat_us) VALUES ('ip:unlimited', \
         (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::bigint + 5000)",
    ))
    .await
    .unwrap();
    for _ in 0..3 {
        assert_eq!(take(&db, "ip:unlimited", u32::MAX).await.unwrap(), None);
    }
}

#[tokio::test]
async fn failures_lock_an_account_longer_each_time_until_a_success() {
    let (db, _guard) = fresh_db().await;
    if is_sqlite(&db) {
        assert_tables_exist(&db).await;
        return;
    }
    let account = "digest-of-a@b.co";
    for _ in 0..2 {
        record_failure(&db, account, 3).await.unwrap();
        assert_eq!(locked_for(&db, account).await.unwrap(), None);
    }
    record_failure(&db, account, 3).await.unwrap();
    let first = locked_for(&db, account).await.unwrap().expect("locked");
    assert!(first <= Duration::from_secs(1), "{first:?}");
    record_failure(&db, account, 3).await.unwrap();
    let second = locked_for(&db, account).await.unwrap().expect("locked");
    assert!(
        second > Duration::from_secs(1) && second <= Duration::from_secs(2),
        "{second:?}"
    );
    // Many more: capped at 15 minutes.
    for _ in 0..40 {
        record_failure(&db, account, 3).await.unwrap();
    }
    let capped = locked_for(&db, account).await.unwrap().expect("locked");
    assert!(
        capped > Duration::from_secs(14 * 60) && capped <= Duration::from_secs(15 * 60),
        "{capped:?}"
    );
    assert_eq!(locked_for(&db, "another").await.unwrap(), None);
    record_success(&db, account).await.unwrap();
    assert_eq!(locked_for(&db, account).await.unwrap(), None);
}

#[test]
fn one_sqlite_file_is_held_by_one_server_at_a_time() {
    let dir = std::env::temp_dir().join(format!("qualify-lock-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("q.db");
    std::fs::write(&file, b"").unwrap();
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let held = hold_sqlite(&url).unwrap().expect("a file is held");
    // The same file spelt another way is the same lock.
    let other_spelling = format!("sqlite:{}/./q.db", dir.display());
    match hold_sqlite(&other_spelling) {
        Err(LockError::Taken(path)) => assert_eq!(path, std::fs::canonicalize(&file).unwrap()),
        other => panic!("the second holder must be refused: {other:?}"),
    }
    drop(held);
    assert!(hold_sqlite(&url).unwrap().is_some(), "released on drop");
    assert!(hold_sqlite("sqlite::memory:").unwrap().is_none());
    // A lock that cannot be made (no such directory) is an error, not a pass.
    assert!(matches!(
        hold_sqlite("sqlite:///no-such-directory-for-qualify/q.db?mode=rwc"),
        Err(LockError::Io(..))
    ));
    assert!(
        hold_sqlite("postgres://postgres@127.0.0.1/x")
            .unwrap()
            .is_none()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

async fn assert_tables_exist(db: &store::Db) {
    for table in ["throttle_buckets", "login_failures", "job_runs"] {
        assert_eq!(count(db, table).await, 0);
    }
}
