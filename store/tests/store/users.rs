//! Users and settings.

use store::StoreError;
use store::settings::get_or_insert_setting;
use store::users::{Role, create_user, set_password_hash, user_by_email, user_by_id, users_by_ids};
use uuid::Uuid;

use crate::support::fresh_db;
use crate::support::{address, display_name};

#[tokio::test]
async fn a_second_user_with_the_same_email_is_a_conflict_on_email() {
    let (db, _guard) = fresh_db().await;
    let first = create_user(
        &db,
        &address("ada@example.com"),
        &display_name("Ada"),
        Role::Mentor,
        "h1",
    )
    .await
    .unwrap();

    let second = create_user(
        &db,
        &address("ada@example.com"),
        &display_name("Other"),
        Role::Mentee,
        "h2",
    )
    .await;

    assert!(
        matches!(second, Err(StoreError::Conflict("email"))),
        "{second:?}"
    );
    let stored = user_by_email(&db, "ada@example.com").await.unwrap();
    assert_eq!(stored, Some(first));
}

#[tokio::test]
async fn users_read_back_exactly_as_created() {
    let (db, _guard) = fresh_db().await;
    let mentor = create_user(
        &db,
        &address("m@example.com"),
        &display_name("Mentor"),
        Role::Mentor,
        "h",
    )
    .await
    .unwrap();
    let mentee = create_user(
        &db,
        &address("e@example.com"),
        &display_name("Mentee"),
        Role::Mentee,
        "h",
    )
    .await
    .unwrap();

    assert_eq!(
        user_by_id(&db, mentee.id).await.unwrap(),
        Some(mentee.clone())
    );
    assert_eq!(user_by_id(&db, Uuid::now_v7()).await.unwrap(), None);
    let mut both = users_by_ids(&db, &[mentor.id, mentee.id, Uuid::now_v7()])
        .await
        .unwrap();
    both.sort_by_key(|user| user.id);
    assert_eq!(both, vec![mentor, mentee]);
    assert_eq!(users_by_ids(&db, &[]).await.unwrap(), vec![]);
}

#[tokio::test]
async fn set_password_hash_replaces_the_hash_and_refuses_unknown_users() {
    let (db, _guard) = fresh_db().await;
    let user = create_user(
        &db,
        &address("p@example.com"),
        &display_name("P"),
        Role::Mentee,
        "old",
    )
    .await
    .unwrap();

    set_password_hash(&db, user.id, "new").await.unwrap();

    let stored = user_by_id(&db, user.id).await.unwrap().unwrap();
    assert_eq!(stored.password_hash, "new");
    let unknown = set_password_hash(&db, Uuid::now_v7(), "x").await;
    assert!(matches!(unknown, Err(StoreError::NotFound)), "{unknown:?}");
}

#[tokio::test]
async fn get_or_insert_setting_keeps_the_first_value() {
    let (db, _guard) = fresh_db().await;

    let first = get_or_insert_setting(&db, "jwt_secret", "first")
        .await
        .unwrap();
    let second = get_or_insert_setting(&db, "jwt_secret", "second")
        .await
        .unwrap();

    assert_eq!((first.as_str(), second.as_str()), ("first", "first"));
}
