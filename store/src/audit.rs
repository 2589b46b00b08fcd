//! The audit log: who changed what, and when. Written in the same transaction as the change.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::Conn;
use crate::StoreError;
use crate::clock::now;
use crate::entity::audit_log;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: Uuid,
    /// `None` for an anonymous caller (e.g. a failed sign-up never gets here; a sign-up does,
    /// with the new user as actor).
    pub actor_id: Option<Uuid>,
    /// What happened, e.g. `prospect.qualify`.
    pub action: String,
    /// The kind of object changed, e.g. `Prospect`.
    pub object_type: String,
    pub object_id: Option<Uuid>,
    /// The HTTP request id, to find the request in the logs.
    pub request_id: Option<String>,
    pub created_at: DateTime<Utc>,
    /// What changed, for the actions that keep it (see [`record_detailed`]).
    pub detail: Option<serde_json::Value>,
}

impl From<audit_log::Model> for AuditEntry {
    fn from(row: audit_log::Model) -> Self {
        AuditEntry {
            id: row.id,
            actor_id: row.actor_id,
            action: row.action,
            object_type: row.object_type,
            object_id: row.object_id,
            request_id: row.request_id,
            created_at: row.created_at,
            detail: row.detail,
        }
    }
}

/// Appends one entry. Call it with the transaction that makes the change.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn record(
    db: &impl Conn,
    actor_id: Option<Uuid>,
    action: &str,
    object_type: &str,
    object_id: Option<Uuid>,
    request_id: Option<&str>,
) -> Result<AuditEntry, StoreError> {
    record_detailed(
        db,
        actor_id,
        action,
        object_type,
        object_id,
        request_id,
        None,
    )
    .await
}

/// [`record`] with what changed, e.g. a corrected outcome entry's values before and after
/// (the revision the entry had is kept here, not in the entry).
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn record_detailed(
    db: &impl Conn,
    actor_id: Option<Uuid>,
    action: &str,
    object_type: &str,
    object_id: Option<Uuid>,
    request_id: Option<&str>,
    detail: Option<serde_json::Value>,
) -> Result<AuditEntry, StoreError> {
    let row = audit_log::Model {
        id: Uuid::now_v7(),
        actor_id,
        action: action.to_owned(),
        object_type: object_type.to_owned(),
        object_id,
        request_id: request_id.map(str::to_owned),
        created_at: now(),
        detail,
    };
    audit_log::Entity::insert(audit_log::ActiveModel::from(row.clone()))
        .exec_without_returning(db)
        .await?;
    Ok(row.into())
}

/// Every entry about one object, oldest first.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn entries_for_object(
    db: &impl Conn,
    object_id: Uuid,
) -> Result<Vec<AuditEntry>, StoreError> {
    Ok(audit_log::Entity::find()
        .filter(audit_log::Column::ObjectId.eq(object_id))
        .order_by_asc(audit_log::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(AuditEntry::from)
        .collect())
}

/// How many entries there are in all.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn count(db: &impl Conn) -> Result<u64, StoreError> {
    Ok(audit_log::Entity::find().count(db).await?)
}
