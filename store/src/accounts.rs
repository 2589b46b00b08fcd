//! Ending sessions and removing accounts.
//!
//! Access tokens are checked against these on every request ([`session_active`]), so that
//! logout, a password change and account removal take effect at once, not when the
//! short-lived access tokens happen to expire.

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::Conn;
use crate::StoreError;
use crate::clock::now;
use crate::codes::Code;
use crate::entity::{refresh_tokens, users};
use crate::users::Role;

/// Whether an access token of `user_id`, issued at `issued_at` from the login `family_id`,
/// may still be used (see [`session_role`]).
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn session_active(
    db: &impl Conn,
    user_id: Uuid,
    family_id: Uuid,
    issued_at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    Ok(session_role(db, user_id, family_id, issued_at)
        .await?
        .is_some())
}

/// The account's role, as stored, when an access token of `user_id`, issued at `issued_at`
/// from the login `family_id`, may still be used: the account exists, its sessions were
/// not ended after the token was issued, and the login exists, belongs to that account and
/// was not logged out or revoked. `None` otherwise. One indexed query.
///
/// The role is read here rather than taken from the token, so that a token is never worth
/// more than its account is now.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn session_role(
    db: &impl Conn,
    user_id: Uuid,
    family_id: Uuid,
    issued_at: DateTime<Utc>,
) -> Result<Option<Role>, StoreError> {
    let live_login = Query::select()
        .expr(Expr::val(1))
        .from(refresh_tokens::Entity)
        .and_where(refresh_tokens::Column::FamilyId.eq(family_id))
        .and_where(refresh_tokens::Column::UserId.eq(user_id))
        .and_where(refresh_tokens::Column::RevokedAt.is_null())
        .to_owned();
    let found = users::Entity::find()
        .select_only()
        .column(users::Column::Role)
        .filter(users::Column::Id.eq(user_id))
        .filter(users::Column::DeletedAt.is_null())
        .filter(
            Condition::any()
                .add(users::Column::SessionsValidAfter.is_null())
                .add(users::Column::SessionsValidAfter.lte(issued_at)),
        )
        .filter(Expr::exists(live_login))
        .into_tuple::<String>()
        .one(db)
        .await?;
    found.map(|code| Role::from_code(&code)).transpose()
}

/// Ends every session of a user: refresh tokens are revoked and access tokens issued
/// before `at` stop working.
///
/// # Errors
/// [`StoreError::NotFound`] for an unknown user; [`StoreError::Db`] when the database fails.
pub async fn end_sessions(
    db: &impl Conn,
    user_id: Uuid,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let result = users::Entity::update_many()
        .set(users::ActiveModel {
            sessions_valid_after: Set(Some(at)),
            ..Default::default()
        })
        .filter(users::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    crate::sessions::revoke_user_tokens(db, user_id, at).await?;
    Ok(())
}

/// Removes an account: it can no longer sign in, its sessions end, and its e-mail address
/// and name are erased (the address becomes free again). The row stays, so that the
/// prospects, decisions and audit records that name it keep a valid reference.
///
/// # Errors
/// [`StoreError::NotFound`] for an unknown or already removed user.
pub async fn delete_user(db: &impl Conn, user_id: Uuid) -> Result<(), StoreError> {
    let at = now();
    let result = users::Entity::update_many()
        .set(users::ActiveModel {
            email: Set(format!("removed-{}@removed.invalid", user_id.simple())),
            name: Set("Removed user".to_owned()),
            password_hash: Set(String::new()),
            deleted_at: Set(Some(at)),
            sessions_valid_after: Set(Some(at)),
            updated_at: Set(at),
            ..Default::default()
        })
        .filter(users::Column::Id.eq(user_id))
        .filter(users::Column::DeletedAt.is_null())
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    crate::sessions::revoke_user_tokens(db, user_id, at).await?;
    Ok(())
}
