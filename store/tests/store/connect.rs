//! Connecting, migrating, pragmas, and concurrent writers.

use std::collections::BTreeSet;

use sea_orm::{ConnectionTrait, Statement, TransactionTrait};
use store::users::Role;

use crate::support::address;
use crate::support::display_name;
use crate::support::{
    fresh_db, fresh_file_db, is_sqlite, program_with_standard, sqlite_file_db, text, user,
};

#[tokio::test]
async fn migrations_create_every_table_and_can_run_twice() {
    let (db, _guard) = fresh_db().await;
    store::migrate(&db).await.expect("second run is a no-op");

    let sql = if is_sqlite(&db) {
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    } else {
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'"
    };
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap();
    let tables: BTreeSet<String> = rows
        .iter()
        .map(|row| row.try_get::<String>("", "name").unwrap())
        .collect();
    let expected = [
        "api_keys",
        "audit_log",
        "bhags",
        "client_intake_points",
        "clients",
        "criteria",
        "decisions",
        "enrollments",
        "events",
        "exception_requests",
        "idempotency_keys",
        "invites",
        "job_runs",
        "login_failures",
        "outcome_entries",
        "programs",
        "prospects",
        "qualifications",
        "quarterly_goals",
        "refresh_tokens",
        "seaql_migrations",
        "settings",
        "template_versions",
        "templates",
        "throttle_buckets",
        "users",
        "webhook_attempts",
        "webhook_deliveries",
        "webhook_endpoints",
    ];
    assert_eq!(tables, expected.iter().map(|t| t.to_string()).collect());
}

async fn pragma(db: &impl ConnectionTrait, name: &str) -> String {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("PRAGMA {name}"),
        ))
        .await
        .unwrap()
        .unwrap();
    match row.try_get_by_index::<String>(0) {
        Ok(text) => text,
        Err(_) => row.try_get_by_index::<i64>(0).unwrap().to_string(),
    }
}

#[tokio::test]
async fn sqlite_file_connections_use_wal_foreign_keys_full_sync_and_busy_timeout() {
    let (db, _guard) = sqlite_file_db().await;
    // Open transactions hold their connection: four of them are four pooled connections,
    // and the fifth runs on the connection that all of `db`'s own transactions share.
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(db.pool().begin().await.unwrap());
    }
    held.push(db.begin().await.unwrap());
    for txn in &held {
        let settings = (
            pragma(txn, "journal_mode").await,
            pragma(txn, "foreign_keys").await,
            pragma(txn, "synchronous").await,
            pragma(txn, "busy_timeout").await,
        );
        // synchronous 2 is FULL.
        assert_eq!(
            settings,
            ("wal".into(), "1".into(), "2".into(), "5000".into())
        );
    }
}

#[tokio::test]
async fn transactions_on_a_sqlite_file_wait_their_turn_for_the_writer_connection() {
    let (db, _guard) = sqlite_file_db().await;
    let mentor = user(&db, Role::Mentor).await;
    let first = store::begin_write(&db).await.unwrap();
    store::users::create_user(
        &first,
        &address("first@example.com"),
        &display_name("F"),
        Role::Mentee,
        "h",
    )
    .await
    .unwrap();

    let second = tokio::spawn({
        let db = db.clone();
        async move {
            let txn = store::begin_write(&db).await?;
            let user = store::users::create_user(
                &txn,
                &address("second@example.com"),
                &display_name("S"),
                Role::Mentee,
                "h",
            )
            .await?;
            txn.commit().await?;
            Ok::<_, store::StoreError>(user)
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        !second.is_finished(),
        "the second transaction must wait for the first, not run beside it or fail"
    );
    // Reads are not queued behind the open transaction.
    let found = store::users::user_by_id(&db, mentor.id).await.unwrap();
    assert_eq!(found.map(|u| u.id), Some(mentor.id));

    first.commit().await.unwrap();
    let second = second.await.unwrap().expect("runs once the first commits");
    let stored = store::users::user_by_id(&db, second.id).await.unwrap();
    assert_eq!(
        stored.map(|u| u.email),
        Some("second@example.com".to_owned())
    );
}

/// A transaction that waits longer than the busy timeout (5 s) for the writer gets an
/// error instead of hanging, and the writer is usable again once the holder commits.
#[tokio::test]
async fn a_transaction_kept_waiting_past_the_busy_timeout_fails_and_the_next_succeeds() {
    let (db, _guard) = sqlite_file_db().await;
    let holder = store::begin_write(&db).await.unwrap();
    let started = std::time::Instant::now();
    let waited = store::begin_write(&db).await;
    assert!(
        matches!(waited, Err(store::StoreError::Db(_))),
        "got {:?}",
        waited.map(|_| ())
    );
    assert!(started.elapsed() >= std::time::Duration::from_secs(4));
    holder.commit().await.unwrap();
    let next = store::begin_write(&db)
        .await
        .expect("the writer is free again");
    store::users::create_user(
        &next,
        &address("after@example.com"),
        &display_name("A"),
        Role::Mentee,
        "h",
    )
    .await
    .unwrap();
    next.commit().await.unwrap();
}

#[tokio::test]
async fn every_transaction_on_a_sqlite_file_runs_on_the_same_connection() {
    let (db, _guard) = sqlite_file_db().await;
    // A TEMP table is visible only on the connection that made it.
    let first = db.begin().await.unwrap();
    first
        .execute_unprepared("CREATE TEMP TABLE writer_marker (x INTEGER)")
        .await
        .unwrap();
    first.commit().await.unwrap();
    let mut readers = Vec::new();
    for _ in 0..3 {
        // Pool connections held open meanwhile, so the pool would hand out another one.
        readers.push(db.pool().begin().await.unwrap());
        let txn = store::begin_write(&db).await.unwrap();
        txn.execute_unprepared("SELECT x FROM temp.writer_marker")
            .await
            .expect("a transaction of db runs on the writer connection");
        txn.commit().await.unwrap();
    }
    for reader in &readers {
        assert!(
            reader
                .execute_unprepared("SELECT x FROM temp.writer_marker")
                .await
                .is_err(),
            "reads run on other connections"
        );
    }
}

#[tokio::test]
async fn unknown_foreign_keys_are_refused() {
    let (db, _guard) = fresh_db().await;
    let missing_mentor = uuid::Uuid::now_v7();
    let result =
        store::programs::create_program(&db, missing_mentor, &display_name("x"), &text(""), None)
            .await;
    assert!(
        matches!(result, Err(store::StoreError::Db(_))),
        "a program of an unknown mentor must be refused, got {result:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_read_then_write_transactions_all_succeed_without_lost_updates() {
    let (db, _guard) = fresh_file_db().await;
    let mentor = user(&db, Role::Mentor).await;
    let (program, _) = program_with_standard(&db, &mentor).await;

    // Each update reads the program (revision) and then writes it: with deferred
    // transactions on SQLite, concurrent ones fail with "database is locked". The
    // prospects are single-statement (autocommit) writes racing with them.
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let db = db.clone();
            let (mentor, program) = (mentor.id, program.id);
            tokio::spawn(async move {
                let name = display_name(&format!("Program {i}"));
                let updated =
                    store::programs::update_program(&db, program, Some(&name), None, None, None)
                        .await?;
                store::prospects::create_prospect(&db, mentor, program, &name, None, None).await?;
                Ok::<_, store::StoreError>(updated)
            })
        })
        .collect();
    for task in tasks {
        let updated = task.await.expect("task").expect("no write may fail");
        assert!(updated.revision > 1);
    }

    let stored = store::programs::program_by_id(&db, program.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.revision, 21, "every one of the 20 updates counted");
    let filter = store::ProspectFilter::default();
    let all = store::PageRequest {
        size: 0,
        backward: false,
        after: None,
        before: None,
        count: true,
    };
    let prospects = store::visible::prospects_page(
        &db,
        &crate::support::everything(),
        &filter,
        Default::default(),
        all,
    )
    .await
    .unwrap();
    assert_eq!(prospects.total.unwrap(), 20);
}

fn assert_send<T: Send>(_: T) {}

/// Compile-time check: the api awaits store calls inside `Send` futures (async-graphql,
/// axum), so every generic write must stay `Send` with a real connection.
#[tokio::test]
async fn store_futures_are_send() {
    let (db, _guard) = fresh_db().await;
    let id = uuid::Uuid::now_v7();
    let definition = crate::support::definition();
    let now = chrono::Utc::now();
    assert_send(store::templates::update_draft(
        &db,
        id,
        None,
        None,
        Some(&definition),
        None,
    ));
    assert_send(store::templates::publish_latest(&db, id, now));
    assert_send(store::sessions::rotate_refresh_token(
        &db,
        "a",
        "b",
        now,
        now,
        &store::sessions::SessionClient::default(),
    ));
    assert_send(store::exceptions::review_exception(
        &db, id, id, true, None, now,
    ));
    assert_send(store::prospects::archive_prospect(&db, id, now));
    let txn = store::begin_write(&db).await.unwrap();
    assert_send(store::programs::enroll(&txn, id, id));
}

#[tokio::test]
async fn writes_composed_in_one_begin_write_transaction_commit_or_roll_back_together() {
    let (db, _guard) = fresh_db().await;
    let mentor = user(&db, Role::Mentor).await;
    let (program, _) = program_with_standard(&db, &mentor).await;
    let join = |email: &'static str| {
        let db = db.clone();
        async move {
            let txn = store::begin_write(&db).await.unwrap();
            let mentee = store::users::create_user(
                &txn,
                &address(email),
                &display_name("M"),
                Role::Mentee,
                "h",
            )
            .await
            .unwrap();
            store::programs::enroll(&txn, program.id, mentee.id)
                .await
                .unwrap();
            txn
        }
    };

    drop(join("dropped@example.com").await);
    join("kept@example.com").await.commit().await.unwrap();

    let dropped = store::users::user_by_email(&db, "dropped@example.com")
        .await
        .unwrap();
    assert_eq!(dropped, None);
    let kept = store::users::user_by_email(&db, "kept@example.com")
        .await
        .unwrap()
        .unwrap();
    let programs = store::programs::mentee_program_ids(&db, kept.id)
        .await
        .unwrap();
    assert_eq!(programs, vec![program.id]);
}

/// What `api::idempotency` relies on: a `WriteTx` begun inside another is a savepoint, and
/// rolling it back (or dropping it) undoes its writes alone; the outer one commits the rest.
#[tokio::test]
async fn a_write_tx_begun_inside_another_is_a_savepoint_that_rolls_back_alone() {
    let (db, _guard) = fresh_db().await;
    let outer = store::begin_write(&db).await.unwrap();
    let user = |name: &str| format!("{name}@example.com");
    store::users::create_user(
        &outer,
        &address(&user("outer")),
        &display_name("O"),
        Role::Mentee,
        "h",
    )
    .await
    .unwrap();
    let rolled_back = store::begin_write(&outer).await.unwrap();
    store::users::create_user(
        &rolled_back,
        &address(&user("rolled-back")),
        &display_name("R"),
        Role::Mentee,
        "h",
    )
    .await
    .unwrap();
    rolled_back.rollback().await.unwrap();
    let dropped = store::begin_write(&outer).await.unwrap();
    store::users::create_user(
        &dropped,
        &address(&user("dropped")),
        &display_name("D"),
        Role::Mentee,
        "h",
    )
    .await
    .unwrap();
    drop(dropped);
    let released = store::begin_write(&outer).await.unwrap();
    store::users::create_user(
        &released,
        &address(&user("released")),
        &display_name("C"),
        Role::Mentee,
        "h",
    )
    .await
    .unwrap();
    released.commit().await.unwrap();
    outer.commit().await.unwrap();

    let mut found = Vec::new();
    for name in ["outer", "rolled-back", "dropped", "released"] {
        let stored = store::users::user_by_email(&db, &user(name)).await.unwrap();
        found.push((name, stored.is_some()));
    }
    assert_eq!(
        found,
        [
            ("outer", true),
            ("rolled-back", false),
            ("dropped", false),
            ("released", true)
        ]
    );
}

/// Pool waits are counted (for `/metrics`): a statement that finds every connection taken
/// and a transaction that finds the writer (SQLite) or the pool (PostgreSQL) taken each
/// add one wait, at least as long as they were kept waiting. The counts are process-wide
/// and other tests add to them: the test compares at-least figures.
#[tokio::test]
async fn a_statement_and_a_transaction_kept_waiting_for_a_connection_are_counted() {
    let (db, _guard) = fresh_file_db().await;
    let held_for = std::time::Duration::from_millis(200);
    let pool = store::pool_connections(&db);
    assert!(pool.max >= 1 && pool.open <= pool.max, "{pool:?}");
    let before = store::pool_waits();
    // Every connection of the pool taken (around `Db`, so not counted here); on SQLite
    // the writer connection too.
    let mut held = Vec::new();
    for _ in 0..pool.max {
        held.push(db.pool().begin().await.unwrap());
    }
    let writer = if is_sqlite(&db) {
        Some(store::begin_write(&db).await.unwrap())
    } else {
        None
    };
    let read = tokio::spawn({
        let db = db.clone();
        async move {
            db.query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT 1",
            ))
            .await
        }
    });
    let write = tokio::spawn({
        let db = db.clone();
        async move { store::begin_write(&db).await?.commit().await }
    });
    tokio::time::sleep(held_for).await;
    assert!(!read.is_finished() && !write.is_finished(), "both wait");
    for txn in held {
        txn.rollback().await.unwrap();
    }
    if let Some(writer) = writer {
        writer.commit().await.unwrap();
    }
    assert!(read.await.unwrap().unwrap().is_some());
    write.await.unwrap().unwrap();

    let after = store::pool_waits();
    for (what, before, after) in [
        ("statement", before.statements, after.statements),
        ("transaction", before.transactions, after.transactions),
    ] {
        assert!(after.acquired > before.acquired, "{what}: {after:?}");
        assert!(after.waited > before.waited, "{what}: {after:?}");
        assert!(
            after.wait >= before.wait + held_for,
            "{what}: waited {:?} in all",
            after.wait - before.wait
        );
    }
    let now = store::pool_connections(&db);
    assert_eq!(now.max, pool.max);
    assert!(now.open >= pool.max, "every connection was opened: {now:?}");
}
