//! Idempotency keys: a retried request with the same key and body gets the first response
//! instead of doing the work again.
//!
//! The key row is inserted in the write transaction that also does the work and stores
//! the response ([`claim`] hands it to the caller): the three commit together or not at
//! all. Of many parallel retries exactly one wins the insert (the primary key decides; the
//! others wait for its transaction to end) and does the work; the others then find its
//! response and replay it. A process that dies mid-request leaves no claim behind.
//!
//! On PostgreSQL a losing insert would wait for the winner's commit holding a pooled
//! connection, and fifty of them would starve the winner of connections; so the insert
//! waits at most [`PG_CLAIM_WAIT`] and the claim answers [`Claim::Busy`], for the caller to
//! retry later without holding anything. On SQLite claims queue for the one writer
//! connection without holding a connection of the pool.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, RuntimeErr,
};
use uuid::Uuid;

use crate::StoreError;
use crate::clock::now;
use crate::connect::begin_write;
use crate::entity::idempotency_keys;
use crate::error::unique;
use crate::{Conn, WriteTx};

/// How many times a claim that lost the race for the key reads the winner's response again
/// before giving up (each round waits for the winner's transaction to end).
const CLAIM_ROUNDS: usize = 5;
/// How long an insert on PostgreSQL waits for another request holding the same key.
const PG_CLAIM_WAIT: &str = "SET LOCAL lock_timeout = '50ms'";
const PG_LOCK_NOT_AVAILABLE: &str = "55P03";

/// What a request holding an idempotency key should do.
#[derive(Debug)]
pub enum Claim<T> {
    /// This request owns the key: do the work in this transaction, store the response with
    /// [`complete`] (or give the key up with [`release`]) and commit.
    Claimed(T),
    /// Done before: send this response again.
    Replay(StoredResponse),
    /// The key was used with a different request body.
    Mismatch,
    /// Another request holds the key and has not finished: ask again a little later.
    Busy,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: String,
}

/// Claims `key` for `user_id` and a request whose body hashes to `request_hash`, in a new
/// write transaction that the caller commits with the work and the response.
///
/// # Errors
/// [`StoreError::Db`] when the database fails; [`StoreError::Conflict`] when the key keeps
/// being taken without a response becoming readable (should not happen).
pub async fn claim(
    db: &impl Conn,
    user_id: Uuid,
    key: &str,
    request_hash: &str,
) -> Result<Claim<WriteTx>, StoreError> {
    for _ in 0..CLAIM_ROUNDS {
        if let Some(done) = stored(db, user_id, key, request_hash).await? {
            return Ok(done);
        }
        let txn = begin_write(db).await?;
        let postgres = txn.get_database_backend() == DbBackend::Postgres;
        if postgres {
            txn.execute_unprepared(PG_CLAIM_WAIT).await?;
        }
        // A claim without a response was committed alone by an older version of this code,
        // whose process then died: nobody is working on it, so it is taken over.
        let deleted = idempotency_keys::Entity::delete_many()
            .filter(idempotency_keys::Column::UserId.eq(user_id))
            .filter(idempotency_keys::Column::Key.eq(key))
            .filter(idempotency_keys::Column::CompletedAt.is_null())
            .exec(&txn)
            .await;
        if let Err(e) = deleted {
            return busy_or(e);
        }
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
            .exec_without_returning(&txn)
            .await;
        if let Err(e) = &inserted
            && lock_not_available(e)
        {
            return Ok(Claim::Busy);
        }
        match inserted.map_err(unique("idempotency key")) {
            Ok(_) => {
                if postgres {
                    // The work in this transaction waits for locks as long as it would
                    // without a key.
                    txn.execute_unprepared("SET LOCAL lock_timeout TO DEFAULT")
                        .await?;
                }
                return Ok(Claim::Claimed(txn));
            }
            // Another request committed the key meanwhile: read its response next round.
            Err(StoreError::Conflict(_)) => drop(txn),
            Err(other) => return Err(other),
        }
    }
    Err(StoreError::Conflict("idempotency key"))
}

fn busy_or<T>(e: DbErr) -> Result<Claim<T>, StoreError> {
    if lock_not_available(&e) {
        Ok(Claim::Busy)
    } else {
        Err(e.into())
    }
}

/// PostgreSQL's `lock_not_available`: the wait for another transaction's lock timed out.
fn lock_not_available(e: &DbErr) -> bool {
    match e {
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => e
            .as_database_error()
            .and_then(|d| d.code())
            .is_some_and(|code| code == PG_LOCK_NOT_AVAILABLE),
        _ => false,
    }
}

/// The outcome of a key already completed, if it is.
async fn stored<T>(
    db: &impl Conn,
    user_id: Uuid,
    key: &str,
    request_hash: &str,
) -> Result<Option<Claim<T>>, StoreError> {
    let existing = idempotency_keys::Entity::find_by_id((user_id, key.to_owned()))
        .one(db)
        .await?;
    let Some(existing) = existing else {
        return Ok(None);
    };
    if existing.request_hash != request_hash {
        return Ok(Some(Claim::Mismatch));
    }
    Ok(match (existing.status_code, existing.response_body) {
        (Some(status), Some(body)) => Some(Claim::Replay(StoredResponse {
            status: u16::try_from(status).unwrap_or(500),
            content_type: existing.content_type,
            body,
        })),
        _ => None,
    })
}

/// Stores the response of the request that claimed `key`.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn complete(
    db: &impl Conn,
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
/// can do it; in the claiming transaction, the key is then simply not kept.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn release(db: &impl Conn, user_id: Uuid, key: &str) -> Result<(), StoreError> {
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
pub async fn forget_before(db: &impl Conn, before: DateTime<Utc>) -> Result<u64, StoreError> {
    let result = idempotency_keys::Entity::delete_many()
        .filter(idempotency_keys::Column::CreatedAt.lt(before))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
