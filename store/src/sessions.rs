//! Refresh tokens: stored as SHA-256 hashes, used once, rotated within a family.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait};
use uuid::Uuid;

use crate::Conn;
use crate::StoreError;
use crate::clock::{micros, now};
use crate::connect::begin_write;
use crate::entity::refresh_tokens;
use crate::error::unique;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    pub id: Uuid,
    pub user_id: Uuid,
    pub family_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<refresh_tokens::Model> for RefreshToken {
    fn from(row: refresh_tokens::Model) -> Self {
        RefreshToken {
            id: row.id,
            user_id: row.user_id,
            family_id: row.family_id,
            expires_at: row.expires_at,
            used_at: row.used_at,
            revoked_at: row.revoked_at,
        }
    }
}

/// What presenting a refresh token led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    /// The token was valid: it is now used, and the new one is stored in the same family.
    Rotated { user_id: Uuid, family_id: Uuid },
    /// The token had been used before, so it was stolen or replayed: its whole family is
    /// revoked.
    Replayed { user_id: Uuid },
    /// Unknown, expired or revoked.
    Invalid,
}

/// Stores a new refresh token (by its hash).
///
/// # Errors
/// [`StoreError::Conflict`]`("refresh token")` if the hash exists already.
pub async fn insert_refresh_token(
    db: &impl Conn,
    user_id: Uuid,
    family_id: Uuid,
    token_hash: &str,
    expires_at: DateTime<Utc>,
) -> Result<RefreshToken, StoreError> {
    let row = refresh_tokens::Model {
        id: Uuid::now_v7(),
        user_id,
        family_id,
        token_hash: token_hash.to_owned(),
        expires_at: micros(expires_at),
        used_at: None,
        revoked_at: None,
        created_at: now(),
    };
    refresh_tokens::Entity::insert(refresh_tokens::ActiveModel::from(row.clone()))
        .exec_without_returning(db)
        .await
        .map_err(unique("refresh token"))?;
    Ok(row.into())
}

/// Exchanges the token hashed `old_hash` for a new one hashed `new_hash`, atomically.
///
/// # Errors
/// [`StoreError::Db`] when the database fails; every token problem is a [`Rotation`].
pub async fn rotate_refresh_token(
    db: &impl Conn,
    old_hash: &str,
    new_hash: &str,
    new_expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Rotation, StoreError> {
    let now = micros(now);
    let txn = begin_write(db).await?;
    let old = refresh_tokens::Entity::find()
        .filter(refresh_tokens::Column::TokenHash.eq(old_hash))
        .lock_exclusive()
        .one(&txn)
        .await?;
    let Some(old) = old else {
        return Ok(Rotation::Invalid);
    };
    if old.used_at.is_some() {
        revoke_where(
            &txn,
            refresh_tokens::Column::FamilyId.eq(old.family_id),
            now,
        )
        .await?;
        txn.commit().await?;
        return Ok(Rotation::Replayed {
            user_id: old.user_id,
        });
    }
    if old.revoked_at.is_some() || old.expires_at <= now {
        return Ok(Rotation::Invalid);
    }
    refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::UsedAt, Expr::value(now))
        .filter(refresh_tokens::Column::Id.eq(old.id))
        .exec(&txn)
        .await?;
    insert_refresh_token(&txn, old.user_id, old.family_id, new_hash, new_expires_at).await?;
    txn.commit().await?;
    Ok(Rotation::Rotated {
        user_id: old.user_id,
        family_id: old.family_id,
    })
}

/// Revokes every token of the family the token hashed `token_hash` belongs to (sign-out).
/// An unknown hash is not an error: there is nothing to revoke.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn revoke_family_by_token(
    db: &impl Conn,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let family = refresh_tokens::Entity::find()
        .select_only()
        .column(refresh_tokens::Column::FamilyId)
        .filter(refresh_tokens::Column::TokenHash.eq(token_hash))
        .into_query();
    revoke_where(
        db,
        refresh_tokens::Column::FamilyId.in_subquery(family),
        micros(now),
    )
    .await
}

/// Revokes every token of one login (refresh-token family).
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn revoke_family(
    db: &impl Conn,
    family_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    revoke_where(
        db,
        refresh_tokens::Column::FamilyId.eq(family_id),
        micros(now),
    )
    .await
}

/// Revokes every token of a user (sign-out everywhere, password change).
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn revoke_user_tokens(
    db: &impl Conn,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    revoke_where(db, refresh_tokens::Column::UserId.eq(user_id), micros(now)).await
}

async fn revoke_where(
    db: &impl Conn,
    condition: sea_orm::sea_query::SimpleExpr,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::RevokedAt, Expr::value(now))
        .filter(condition)
        .filter(refresh_tokens::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}
