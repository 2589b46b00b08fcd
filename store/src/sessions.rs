//! Refresh tokens: stored as SHA-256 hashes, used once, rotated within a family.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};
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

/// Where a token's request came from, as the server saw it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionClient {
    pub ip: Option<String>,
    /// At most [`USER_AGENT_CHARS`] characters are kept.
    pub user_agent: Option<String>,
}

/// The longest `User-Agent` kept; a longer one is cut.
pub const USER_AGENT_CHARS: usize = 256;

/// A live login (refresh-token family) of a user: its newest token, unused, not revoked,
/// not expired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSession {
    pub family_id: Uuid,
    /// When the newest token was issued: the login, or the last refresh.
    pub last_used_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub client: SessionClient,
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
    client: &SessionClient,
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
        client_ip: client.ip.clone(),
        user_agent: client
            .user_agent
            .as_ref()
            .map(|agent| agent.chars().take(USER_AGENT_CHARS).collect()),
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
    client: &SessionClient,
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
    insert_refresh_token(
        &txn,
        old.user_id,
        old.family_id,
        new_hash,
        new_expires_at,
        client,
    )
    .await?;
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

/// The user's live logins, newest activity first: one row per family (its one unused,
/// unrevoked token that has not expired). One indexed statement.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn live_sessions(
    db: &impl Conn,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<LiveSession>, StoreError> {
    let rows = refresh_tokens::Entity::find()
        .filter(refresh_tokens::Column::UserId.eq(user_id))
        .filter(refresh_tokens::Column::UsedAt.is_null())
        .filter(refresh_tokens::Column::RevokedAt.is_null())
        .filter(refresh_tokens::Column::ExpiresAt.gt(micros(now)))
        .order_by_desc(refresh_tokens::Column::CreatedAt)
        .order_by_desc(refresh_tokens::Column::Id)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| LiveSession {
            family_id: row.family_id,
            last_used_at: row.created_at,
            expires_at: row.expires_at,
            client: SessionClient {
                ip: row.client_ip,
                user_agent: row.user_agent,
            },
        })
        .collect())
}

/// Revokes one login of `user_id` (a family of another user is left alone).
///
/// # Errors
/// [`StoreError::NotFound`] when the user has no live token in that family.
pub async fn end_session(
    db: &impl Conn,
    user_id: Uuid,
    family_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let result = refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::RevokedAt, Expr::value(micros(now)))
        .filter(refresh_tokens::Column::UserId.eq(user_id))
        .filter(refresh_tokens::Column::FamilyId.eq(family_id))
        .filter(refresh_tokens::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Revokes every login of `user_id` but `keep`; returns how many logins ended.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn end_other_sessions(
    db: &impl Conn,
    user_id: Uuid,
    keep: Uuid,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let live = live_sessions(db, user_id, now).await?;
    let others = live.iter().filter(|s| s.family_id != keep).count();
    refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::RevokedAt, Expr::value(micros(now)))
        .filter(refresh_tokens::Column::UserId.eq(user_id))
        .filter(refresh_tokens::Column::FamilyId.ne(keep))
        .filter(refresh_tokens::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(u64::try_from(others).unwrap_or(u64::MAX))
}
