//! API keys: created by a user for themselves, stored as the SHA-256 digest of the secret
//! (the caller makes the secret and its digest; the store never sees the secret), listed
//! by their prefix, revoked by their owner. A key works while it is not revoked, not
//! expired, and its owner's account exists.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::codes::Code;
use uuid::Uuid;

use crate::Conn;
use crate::StoreError;
use crate::clock::now;
use crate::connect::begin_write;
use crate::entity::{api_keys, users};
use crate::users::Role;

/// How often a key's `last_used_at` is written at most.
pub const LAST_USED_EVERY: Duration = Duration::minutes(1);

/// A key as its owner sees it (never the secret nor its digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: Uuid,
    pub owner_id: Uuid,
    pub name: String,
    pub prefix: String,
    pub can_write: bool,
    pub program_id: Option<Uuid>,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<api_keys::Model> for ApiKey {
    fn from(row: api_keys::Model) -> Self {
        ApiKey {
            id: row.id,
            owner_id: row.owner_id,
            name: row.name,
            prefix: row.prefix,
            can_write: row.can_write,
            program_id: row.program_id,
            expires_at: row.expires_at,
            created_at: row.created_at,
            last_used_at: row.last_used_at,
            revoked_at: row.revoked_at,
        }
    }
}

/// A new key: everything but its times.
#[derive(Debug, Clone)]
pub struct NewApiKey<'a> {
    pub owner_id: Uuid,
    pub name: &'a str,
    pub prefix: &'a str,
    /// Hex SHA-256 of the whole secret.
    pub digest: &'a str,
    pub can_write: bool,
    pub program_id: Option<Uuid>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A working key found by its digest, with its owner's role now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyGrant {
    pub id: Uuid,
    pub owner_id: Uuid,
    pub can_write: bool,
    pub program_id: Option<Uuid>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub role: Role,
}

/// Stores a new key.
///
/// # Errors
/// [`StoreError::Db`] when the database fails (a digest already stored included: the
/// caller's 256 random bits make that a fault, not a conflict).
pub async fn create_key(db: &impl Conn, new: NewApiKey<'_>) -> Result<ApiKey, StoreError> {
    let row = api_keys::Model {
        id: Uuid::now_v7(),
        owner_id: new.owner_id,
        name: new.name.to_owned(),
        prefix: new.prefix.to_owned(),
        digest: new.digest.to_owned(),
        can_write: new.can_write,
        program_id: new.program_id,
        expires_at: new.expires_at,
        created_at: now(),
        last_used_at: None,
        revoked_at: None,
    };
    let txn = begin_write(db).await?;
    api_keys::Entity::insert(api_keys::ActiveModel::from(row.clone()))
        .exec_without_returning(&txn)
        .await?;
    txn.commit().await?;
    Ok(row.into())
}

/// The owner's keys, revoked ones included, newest first.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn keys_of(db: &impl Conn, owner_id: Uuid) -> Result<Vec<ApiKey>, StoreError> {
    Ok(api_keys::Entity::find()
        .filter(api_keys::Column::OwnerId.eq(owner_id))
        .order_by_desc(api_keys::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(ApiKey::from)
        .collect())
}

/// One of the owner's keys.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn key_of(
    db: &impl Conn,
    owner_id: Uuid,
    id: Uuid,
) -> Result<Option<ApiKey>, StoreError> {
    Ok(api_keys::Entity::find_by_id(id)
        .filter(api_keys::Column::OwnerId.eq(owner_id))
        .one(db)
        .await?
        .map(ApiKey::from))
}

/// The keys among `ids` (any owner's), in one statement: for naming the key an audit
/// entry came through.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn keys_by_ids(db: &impl Conn, ids: &[Uuid]) -> Result<Vec<ApiKey>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(api_keys::Entity::find()
        .filter(api_keys::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(ApiKey::from)
        .collect())
}

/// Revokes one of the owner's keys (a key revoked before keeps its first time).
///
/// # Errors
/// [`StoreError::NotFound`] when the owner has no such key; [`StoreError::Db`] when the
/// database fails.
pub async fn revoke_key(db: &impl Conn, owner_id: Uuid, id: Uuid) -> Result<ApiKey, StoreError> {
    let at = now();
    let txn = begin_write(db).await?;
    api_keys::Entity::update_many()
        .col_expr(api_keys::Column::RevokedAt, Expr::value(at))
        .filter(api_keys::Column::Id.eq(id))
        .filter(api_keys::Column::OwnerId.eq(owner_id))
        .filter(api_keys::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    let key = key_of(&txn, owner_id, id)
        .await?
        .ok_or(StoreError::NotFound)?;
    txn.commit().await?;
    Ok(key)
}

/// The key with this digest if it works at `at`: not revoked, not expired, its owner's
/// account not removed; with the owner's role now. One statement.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn working_key(
    db: &impl Conn,
    digest: &str,
    at: DateTime<Utc>,
) -> Result<Option<KeyGrant>, StoreError> {
    // Only what a request needs: a row of six small columns.
    let found: Option<Grant> = working(at)
        .select_only()
        .columns([
            api_keys::Column::Id,
            api_keys::Column::OwnerId,
            api_keys::Column::CanWrite,
            api_keys::Column::ProgramId,
            api_keys::Column::LastUsedAt,
        ])
        .column_as(users::Column::Role, "owner_role")
        .filter(api_keys::Column::Digest.eq(digest))
        .into_tuple()
        .one(db)
        .await?;
    found
        .map(
            |(id, owner_id, can_write, program_id, last_used_at, role)| {
                Ok(KeyGrant {
                    id,
                    owner_id,
                    can_write,
                    program_id,
                    last_used_at,
                    role: Role::from_code(&role)?,
                })
            },
        )
        .transpose()
}

/// Keys that work at `at`, joined to their owner: not revoked, not expired, the owner's
/// account not removed.
fn working(at: DateTime<Utc>) -> sea_orm::Select<api_keys::Entity> {
    api_keys::Entity::find()
        .join(
            sea_orm::JoinType::InnerJoin,
            api_keys::Entity::belongs_to(users::Entity)
                .from(api_keys::Column::OwnerId)
                .to(users::Column::Id)
                .into(),
        )
        .filter(api_keys::Column::RevokedAt.is_null())
        .filter(
            sea_orm::Condition::any()
                .add(api_keys::Column::ExpiresAt.is_null())
                .add(api_keys::Column::ExpiresAt.gt(at)),
        )
        .filter(users::Column::DeletedAt.is_null())
}

/// A working key's columns and its owner's role.
type Grant = (
    Uuid,
    Uuid,
    bool,
    Option<Uuid>,
    Option<DateTime<Utc>>,
    String,
);

/// Records that the key was used at `at`, unless it was within [`LAST_USED_EVERY`]
/// before: at most one write a minute per key, whatever its traffic.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn touch(db: &impl Conn, id: Uuid, at: DateTime<Utc>) -> Result<(), StoreError> {
    let txn = begin_write(db).await?;
    api_keys::Entity::update_many()
        .col_expr(api_keys::Column::LastUsedAt, Expr::value(at))
        .filter(api_keys::Column::Id.eq(id))
        .filter(
            sea_orm::Condition::any()
                .add(api_keys::Column::LastUsedAt.is_null())
                .add(api_keys::Column::LastUsedAt.lte(at - LAST_USED_EVERY)),
        )
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Whether a key last used at `last_used` is due a [`touch`] at `at`: a check in memory,
/// so that most requests write nothing.
#[must_use]
pub fn due_touch(last_used: Option<DateTime<Utc>>, at: DateTime<Utc>) -> bool {
    last_used.is_none_or(|last| last <= at - LAST_USED_EVERY)
}

/// Whether the key with this id still works at `at`: not revoked, not expired, its
/// owner's account not removed (for a connection that outlives the request that opened
/// it). One statement.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn key_works(db: &impl Conn, id: Uuid, at: DateTime<Utc>) -> Result<bool, StoreError> {
    let found: Option<Uuid> = working(at)
        .select_only()
        .column(api_keys::Column::Id)
        .filter(api_keys::Column::Id.eq(id))
        .into_tuple()
        .one(db)
        .await?;
    Ok(found.is_some())
}
