//! Invite codes.

use chrono::{Duration, Utc};
use store::StoreError;
use store::invites::{
    create_invite, invites_by_ids, invites_of_program, redeem_invite, revoke_invite,
};
use store::programs::{join_with_invite, mentee_program_ids};
use store::users::Role;
use store::users::{sign_up_with_invite, user_by_email};

use crate::support::{address, display_name};
use crate::support::{fresh_db, fresh_file_db, program_with_standard, user};

#[tokio::test]
async fn redeem_invite_stops_at_max_uses() {
    let (db, _guard) = fresh_db().await;
    let mentor = user(&db, Role::Mentor).await;
    let (program, _) = program_with_standard(&db, &mentor).await;
    create_invite(&db, program.id, mentor.id, "JOIN2", Some(2), None)
        .await
        .unwrap();
    let now = Utc::now();

    let first = redeem_invite(&db, "JOIN2", now).await.unwrap();
    let second = redeem_invite(&db, "JOIN2", now).await.unwrap();
    let third = redeem_invite(&db, "JOIN2", now).await;

    assert_eq!((first.uses, second.uses), (1, 2));
    assert!(matches!(third, Err(StoreError::NotFound)), "{third:?}");
    assert_eq!(
        invites_of_program(&db, program.id).await.unwrap()[0].uses,
        2
    );
}

#[tokio::test]
async fn redeem_invite_refuses_expired_revoked_and_unknown_codes() {
    let (db, _guard) = fresh_db().await;
    let mentor = user(&db, Role::Mentor).await;
    let (program, _) = program_with_standard(&db, &mentor).await;
    let now = Utc::now();
    let expiry = now + Duration::hours(1);
    create_invite(&db, program.id, mentor.id, "LATER", None, Some(expiry))
        .await
        .unwrap();
    let revoked = create_invite(&db, program.id, mentor.id, "GONE", None, None)
        .await
        .unwrap();
    revoke_invite(&db, revoked.id, now).await.unwrap();

    let before_expiry = redeem_invite(&db, "LATER", expiry - Duration::microseconds(1)).await;
    assert_eq!(before_expiry.unwrap().uses, 1);
    let at_expiry = redeem_invite(&db, "LATER", expiry).await;
    assert!(
        matches!(at_expiry, Err(StoreError::NotFound)),
        "{at_expiry:?}"
    );
    let after_expiry = redeem_invite(&db, "LATER", expiry + Duration::days(1)).await;
    assert!(
        matches!(after_expiry, Err(StoreError::NotFound)),
        "{after_expiry:?}"
    );
    assert!(matches!(
        redeem_invite(&db, "GONE", now).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        redeem_invite(&db, "NOPE", now).await,
        Err(StoreError::NotFound)
    ));
}

#[tokio::test]
async fn a_duplicate_invite_code_is_a_conflict() {
    let (db, _guard) = fresh_db().await;
    let mentor = user(&db, Role::Mentor).await;
    let (program, _) = program_with_standard(&db, &mentor).await;
    create_invite(&db, program.id, mentor.id, "SAME", None, None)
        .await
        .unwrap();

    let again = create_invite(&db, program.id, mentor.id, "SAME", None, None).await;

    assert!(
        matches!(again, Err(StoreError::Conflict("invite code"))),
        "{again:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_redemptions_never_exceed_max_uses() {
    let (db, _guard) = fresh_file_db().await;
    let mentor = user(&db, Role::Mentor).await;
    let (program, _) = program_with_standard(&db, &mentor).await;
    create_invite(&db, program.id, mentor.id, "THREE", Some(3), None)
        .await
        .unwrap();

    let tasks: Vec<_> = (0..12)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move { redeem_invite(&db, "THREE", Utc::now()).await })
        })
        .collect();
    let mut redeemed = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => redeemed += 1,
            Err(StoreError::NotFound) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }

    assert_eq!(redeemed, 3);
    assert_eq!(
        invites_of_program(&db, program.id).await.unwrap()[0].uses,
        3
    );
}

#[tokio::test]
async fn signing_up_with_an_invite_creates_an_enrolled_mentee_or_nothing() {
    let (db, _guard) = fresh_db().await;
    let mentor = user(&db, Role::Mentor).await;
    let (program, _) = program_with_standard(&db, &mentor).await;
    let invite = create_invite(&db, program.id, mentor.id, "ONCE", Some(1), None)
        .await
        .unwrap();
    let now = Utc::now();

    let taken = sign_up_with_invite(
        &db,
        &address(&mentor.email),
        &display_name("X"),
        "h",
        "ONCE",
        now,
    )
    .await;
    assert!(
        matches!(taken, Err(StoreError::Conflict("email"))),
        "{taken:?}"
    );
    assert_eq!(
        invites_by_ids(&db, &[invite.id]).await.unwrap()[0].uses,
        0,
        "use kept"
    );

    let (mentee, joined) = sign_up_with_invite(
        &db,
        &address("new@example.com"),
        &display_name("New"),
        "h",
        "ONCE",
        now,
    )
    .await
    .unwrap();
    assert_eq!(
        (mentee.role, joined.clone()),
        (Role::Mentee, program.clone())
    );
    assert_eq!(
        mentee_program_ids(&db, mentee.id).await.unwrap(),
        vec![program.id]
    );

    let used_up = sign_up_with_invite(
        &db,
        &address("late@example.com"),
        &display_name("Late"),
        "h",
        "ONCE",
        now,
    )
    .await;
    assert!(matches!(used_up, Err(StoreError::NotFound)), "{used_up:?}");
    assert_eq!(user_by_email(&db, "late@example.com").await.unwrap(), None);
}

#[tokio::test]
async fn joining_a_program_twice_is_a_conflict_that_keeps_the_invite_use() {
    let (db, _guard) = fresh_db().await;
    let mentor = user(&db, Role::Mentor).await;
    let mentee = user(&db, Role::Mentee).await;
    let (program, _) = program_with_standard(&db, &mentor).await;
    let invite = create_invite(&db, program.id, mentor.id, "OPEN", None, None)
        .await
        .unwrap();
    let now = Utc::now();

    let joined = join_with_invite(&db, mentee.id, "OPEN", now).await.unwrap();
    let again = join_with_invite(&db, mentee.id, "OPEN", now).await;

    assert_eq!(joined, program);
    assert!(
        matches!(again, Err(StoreError::Conflict("enrollment"))),
        "{again:?}"
    );
    assert_eq!(invites_by_ids(&db, &[invite.id]).await.unwrap()[0].uses, 1);
}
