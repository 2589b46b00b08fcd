//! Refresh token rotation.

use chrono::{Duration, Utc};
use store::sessions::{
    Rotation, SessionClient, insert_refresh_token, revoke_family_by_token, revoke_user_tokens,
    rotate_refresh_token,
};
use store::users::Role;
use uuid::Uuid;

use crate::support::{fresh_db, user};

#[tokio::test]
async fn rotating_a_valid_token_issues_a_new_one_in_the_same_family() {
    let (db, _guard) = fresh_db().await;
    let user = user(&db, Role::Mentee).await;
    let family = Uuid::now_v7();
    let now = Utc::now();
    insert_refresh_token(
        &db,
        user.id,
        family,
        "t1",
        now + Duration::days(30),
        &SessionClient::default(),
    )
    .await
    .unwrap();

    let rotated = rotate_refresh_token(
        &db,
        "t1",
        "t2",
        now + Duration::days(30),
        now,
        &SessionClient::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        rotated,
        Rotation::Rotated {
            user_id: user.id,
            family_id: family
        }
    );

    let again = rotate_refresh_token(
        &db,
        "t2",
        "t3",
        now + Duration::days(30),
        now,
        &SessionClient::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        again,
        Rotation::Rotated {
            user_id: user.id,
            family_id: family
        }
    );
}

#[tokio::test]
async fn replaying_a_used_token_revokes_its_whole_family() {
    let (db, _guard) = fresh_db().await;
    let user = user(&db, Role::Mentee).await;
    let now = Utc::now();
    let expires = now + Duration::days(30);
    insert_refresh_token(
        &db,
        user.id,
        Uuid::now_v7(),
        "t1",
        expires,
        &SessionClient::default(),
    )
    .await
    .unwrap();
    let other_family = Uuid::now_v7();
    insert_refresh_token(
        &db,
        user.id,
        other_family,
        "other",
        expires,
        &SessionClient::default(),
    )
    .await
    .unwrap();
    rotate_refresh_token(&db, "t1", "t2", expires, now, &SessionClient::default())
        .await
        .unwrap();

    let replay = rotate_refresh_token(&db, "t1", "stolen", expires, now, &SessionClient::default())
        .await
        .unwrap();

    assert_eq!(replay, Rotation::Replayed { user_id: user.id });
    // The legitimate successor is revoked with its family...
    let successor = rotate_refresh_token(&db, "t2", "t3", expires, now, &SessionClient::default())
        .await
        .unwrap();
    assert_eq!(successor, Rotation::Invalid);
    // ...while another session of the same user is untouched.
    let other = rotate_refresh_token(
        &db,
        "other",
        "other2",
        expires,
        now,
        &SessionClient::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        other,
        Rotation::Rotated {
            user_id: user.id,
            family_id: other_family
        }
    );
}

#[tokio::test]
async fn unknown_expired_and_revoked_tokens_are_invalid() {
    let (db, _guard) = fresh_db().await;
    let user = user(&db, Role::Mentee).await;
    let now = Utc::now();
    let expires = now + Duration::days(1);
    insert_refresh_token(
        &db,
        user.id,
        Uuid::now_v7(),
        "expired",
        now - Duration::seconds(1),
        &SessionClient::default(),
    )
    .await
    .unwrap();
    insert_refresh_token(
        &db,
        user.id,
        Uuid::now_v7(),
        "signed_out",
        expires,
        &SessionClient::default(),
    )
    .await
    .unwrap();
    insert_refresh_token(
        &db,
        user.id,
        Uuid::now_v7(),
        "everywhere",
        expires,
        &SessionClient::default(),
    )
    .await
    .unwrap();
    revoke_family_by_token(&db, "signed_out", now)
        .await
        .unwrap();

    let anywhere = SessionClient::default();
    let rotate = |old: &'static str| rotate_refresh_token(&db, old, "new", expires, now, &anywhere);
    assert_eq!(rotate("unknown").await.unwrap(), Rotation::Invalid);
    assert_eq!(rotate("expired").await.unwrap(), Rotation::Invalid);
    assert_eq!(rotate("signed_out").await.unwrap(), Rotation::Invalid);

    revoke_user_tokens(&db, user.id, now).await.unwrap();
    assert_eq!(rotate("everywhere").await.unwrap(), Rotation::Invalid);
}
