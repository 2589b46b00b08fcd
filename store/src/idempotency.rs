//! Idempotency keys: a retried request with the same key and body gets the first response
//! instead of doing the work again.
//!
//! The key row is inserted *before* the work starts, so of many parallel retries exactly one
//! wins the insert (the primary key decides) and does the work; the others wait for its
//! response and replay it.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::StoreError;
use crate::clock::now;
use crate::entity::idempotency_keys;
use crate::error::unique;

/// What a request holding an idempotency key should do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This request owns the key: do the work, then [`complete`] (or [`release`]) it.
    Claimed,
    /// Done before: send this response again.
    Replay(StoredResponse),
    /// Another request with this key is still working.
    InProgress,
    /// The key was used with a different request body.
    Mismatch,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: String,
}

/// Claims `key` for `user_id` and a request whose body hashes to `request_hash`.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn claim(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    key: &str,
    request_hash: &str,
) -> Result<Claim, StoreError> {
    let row = idempotency_keys::Model {
        user_id,
        key: key.to_owned(),
        request_hash: request_hash.to_owned(),
        status_code: None,
        content_type: None,
        response_body: None,
        created_at: now(),
        completed_at: None,
    };
    let inserted = idempotency_keys::Entity::insert(idempotency_keys::ActiveModel::from(row))
        .exec_without_returning(db)
        .await
        .map_err(unique("idempotency key"));
    match inserted {
        Ok(_) => return Ok(Claim::Claimed),
        Err(StoreError::Conflict(_)) => {}
        Err(other) => return Err(other),
    }
    let existing = idempotency_keys::Entity::find_by_id((user_id, key.to_owned()))
        .one(db)
        .await?;
    let Some(existing) = existing else {
        // Released between our insert and our read: the caller may simply try again.
        return Ok(Claim::InProgress);
    };
    if existing.request_hash != request_hash {
        return Ok(Claim::Mismatch);
    }
    match (existing.status_code, existing.response_body) {
        (Some(status), Some(body)) => Ok(Claim::Replay(StoredResponse {
            status: u16::try_from(status).unwrap_or(500),
            content_type: existing.content_type,
            body,
        })),
        _ => Ok(Claim::InProgress),
    }
}

/// Stores the response of the request that claimed `key`.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn complete(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    key: &str,
    response: &StoredResponse,
) -> Result<(), StoreError> {
    idempotency_keys::Entity::update_many()
        .col_expr(
            idempotency_keys::Column::StatusCode,
            Expr::value(i32::from(response.status)),
        )
        .col_expr(
            idempotency_keys::Column::ContentType,
            Expr::value(response.content_type.clone()),
        )
        .col_expr(
            idempotency_keys::Column::ResponseBody,
            Expr::value(response.body.clone()),
        )
        .col_expr(idempotency_keys::Column::CompletedAt, Expr::value(now()))
        .filter(idempotency_keys::Column::UserId.eq(user_id))
        .filter(idempotency_keys::Column::Key.eq(key))
        .exec(db)
        .await?;
    Ok(())
}

/// Gives up a claim without a response (the work failed before answering), so that a retry
/// can do it.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn release(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    key: &str,
) -> Result<(), StoreError> {
    idempotency_keys::Entity::delete_many()
        .filter(idempotency_keys::Column::UserId.eq(user_id))
        .filter(idempotency_keys::Column::Key.eq(key))
        .filter(idempotency_keys::Column::CompletedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Forgets keys older than `before`.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn forget_before(
    db: &impl ConnectionTrait,
    before: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let result = idempotency_keys::Entity::delete_many()
        .filter(idempotency_keys::Column::CreatedAt.lt(before))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
