//! The clean-up: what is past its retention goes, the rest stays; pending deliveries and
//! their events stay whatever their age; on PostgreSQL one instance at a time.

use chrono::{Duration, Utc};
use sea_orm::{ConnectionTrait, Statement, TransactionTrait};
use store::operate::{Cleaned, Retention, clean_up};
use store::sessions::{SessionClient, insert_refresh_token};
use store::users::Role;
use uuid::Uuid;

use crate::support::{count, fresh_db, is_sqlite, run, user, webhook_delivery, webhook_endpoint};

#[tokio::test]
async fn what_is_past_its_retention_goes_and_the_rest_stays() {
    let (db, _guard) = fresh_db().await;
    let owner = user(&db, Role::Mentor).await;
    let now = Utc::now();
    let long_ago = now - Duration::days(40);
    // Idempotency keys: one two days old, one fresh.
    for (key, at) in [("old", now - Duration::days(2)), ("new", now)] {
        run(
            &db,
            "INSERT INTO idempotency_keys (user_id, key, request_hash, created_at) VALUES (?, ?, 'h', ?)",
            vec![owner.id.into(), key.into(), at.into()],
        )
        .await;
    }
    // Refresh tokens: one expired ten days ago, one live.
    for (hash, expires) in [
        ("gone", now - Duration::days(10)),
        ("live", now + Duration::days(1)),
    ] {
        insert_refresh_token(
            &db,
            owner.id,
            Uuid::now_v7(),
            hash,
            expires,
            &SessionClient::default(),
        )
        .await
        .unwrap();
    }
    // An endpoint; old events: one delivered (goes with its attempt), one pending (stays);
    // and a recent delivered one (stays).
    let endpoint = webhook_endpoint(&db, owner.id, long_ago).await;
    for (state, at) in [
        ("delivered", long_ago),
        ("pending", long_ago),
        ("delivered", now),
    ] {
        let (_, delivery) = webhook_delivery(&db, owner.id, endpoint, (state, 1), "{}", at).await;
        run(
            &db,
            "INSERT INTO webhook_attempts (id, delivery_id, number, started_at, status_code, duration_ms) \
             VALUES (?, ?, 1, ?, 200, 3)",
            vec![Uuid::now_v7().into(), delivery.into(), at.into()],
        )
        .await;
    }
    // An old event no endpoint took: goes.
    run(
        &db,
        "INSERT INTO events (id, event_type, occurred_at, subject_id, body, dispatched_at) \
         VALUES (?, 'prospect.created', ?, ?, '{}', ?)",
        vec![
            Uuid::now_v7().into(),
            long_ago.into(),
            owner.id.into(),
            long_ago.into(),
        ],
    )
    .await;

    // Shared throttle records: a rate long idle and one still holding back, a run of
    // failures two hours old and a lock still on.
    let ms = now.timestamp_millis();
    for (bucket, tat) in [("ip:old", ms - 1_000), ("ip:busy", ms + 60_000)] {
        run(
            &db,
            "INSERT INTO throttle_buckets (bucket, tat_us) VALUES (?, ?)",
            vec![bucket.into(), (tat * 1_000).into()],
        )
        .await;
    }
    for (account, last, locked) in [
        ("old", ms - 2 * 3_600_000, Some(ms - 3_600_000)),
        ("locked", ms - 2 * 3_600_000, Some(ms + 60_000)),
    ] {
        run(
            &db,
            "INSERT INTO login_failures (account, failures, last_ms, locked_until_ms) VALUES (?, 9, ?, ?)",
            vec![account.into(), last.into(), locked.into()],
        )
        .await;
    }

    let hour = Duration::hours(1);
    let cleaned = clean_up(&db, now, hour, &Retention::default())
        .await
        .unwrap();
    assert_eq!(
        cleaned,
        Some(Cleaned {
            idempotency_keys: 1,
            refresh_tokens: 1,
            webhook_attempts: 1,
            webhook_deliveries: 1,
            events: 2,
            throttle_records: 2,
        })
    );
    assert_eq!(count(&db, "throttle_buckets").await, 1);
    assert_eq!(count(&db, "login_failures").await, 1);
    assert_eq!(count(&db, "idempotency_keys").await, 1);
    assert_eq!(count(&db, "refresh_tokens").await, 1);
    assert_eq!(count(&db, "webhook_deliveries").await, 2);
    assert_eq!(count(&db, "webhook_attempts").await, 2);
    assert_eq!(count(&db, "events").await, 2);
    // Again within the hour: it ran already (on any instance), so it does not run.
    let soon = now + Duration::minutes(59);
    assert_eq!(
        clean_up(&db, soon, hour, &Retention::default())
            .await
            .unwrap(),
        None
    );
    // An hour on, it runs, and has nothing more to do (the lock has ended meanwhile).
    let later = now + hour;
    let again = clean_up(&db, later, hour, &Retention::default())
        .await
        .unwrap();
    assert_eq!(
        again,
        Some(Cleaned {
            throttle_records: 2,
            ..Cleaned::default()
        })
    );
}

#[tokio::test]
async fn on_postgresql_one_instance_at_a_time_cleans_up() {
    let (db, _guard) = fresh_db().await;
    if is_sqlite(&db) {
        // SQLite has one writer: the clean-up's transaction is alone by construction.
        assert!(
            clean_up(&db, Utc::now(), Duration::zero(), &Retention::default())
                .await
                .unwrap()
                .is_some()
        );
        return;
    }
    // Another instance holds the lock in its transaction.
    let other = db.pool().begin().await.unwrap();
    other
        .execute_raw(Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock(5860662285995235585)",
        ))
        .await
        .unwrap();
    assert_eq!(
        clean_up(&db, Utc::now(), Duration::zero(), &Retention::default())
            .await
            .unwrap(),
        None
    );
    other.rollback().await.unwrap();
    assert!(
        clean_up(&db, Utc::now(), Duration::zero(), &Retention::default())
            .await
            .unwrap()
            .is_some()
    );
}
