//! Writing template versions. A published version is never written again: every write
//! here checks, inside its transaction, that the version is still a draft.

use domain::Definition;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::Conn;
use crate::StoreError;
use crate::clock::now;
use crate::codes::{Code, JSON_FORMAT, int};
use crate::connect::begin_write;
use crate::entity::{criteria, template_versions};
use crate::error::{json_error, unique};
use crate::versions::{TemplateVersion, VersionStatus, to_version};

/// Replaces the definition of a draft version (thresholds, policies and all criteria).
///
/// # Errors
/// [`StoreError::Immutable`] when the version is published, [`StoreError::NotFound`] when
/// it does not exist.
pub async fn update_version_definition(
    db: &impl Conn,
    version_id: Uuid,
    definition: &Definition,
) -> Result<TemplateVersion, StoreError> {
    let txn = begin_write(db).await?;
    let version = write_definition(&txn, version_id, definition).await?;
    txn.commit().await?;
    Ok(version)
}

/// [`update_version_definition`] inside the caller's write transaction.
pub(crate) async fn write_definition(
    txn: &impl Conn,
    version_id: Uuid,
    definition: &Definition,
) -> Result<TemplateVersion, StoreError> {
    let row = template_versions::Entity::find_by_id(version_id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    if VersionStatus::from_code(&row.status)? != VersionStatus::Draft {
        return Err(StoreError::Immutable);
    }
    let row = template_versions::Model {
        threshold_a: int(definition.threshold_a()),
        threshold_b: int(definition.threshold_b()),
        horizon_months: int(definition.horizon_months()),
        exception_policy: definition.exception_policy().code().to_owned(),
        knockout_cap: definition.knockout_cap().code().to_owned(),
        ..row
    };
    template_versions::Entity::update_many()
        .set(template_versions::ActiveModel {
            threshold_a: Set(row.threshold_a),
            threshold_b: Set(row.threshold_b),
            horizon_months: Set(row.horizon_months),
            exception_policy: Set(row.exception_policy.clone()),
            knockout_cap: Set(row.knockout_cap.clone()),
            ..Default::default()
        })
        .filter(template_versions::Column::Id.eq(version_id))
        .exec(txn)
        .await?;
    criteria::Entity::delete_many()
        .filter(criteria::Column::VersionId.eq(version_id))
        .exec(txn)
        .await?;
    insert_criteria(txn, version_id, definition).await?;
    to_version(row, definition.clone())
}

/// Inserts a new draft version `number` of the template, inside the caller's transaction.
pub(crate) async fn insert_draft(
    txn: &impl Conn,
    template_id: Uuid,
    number: i32,
    definition: &Definition,
) -> Result<TemplateVersion, StoreError> {
    let row = template_versions::Model {
        id: Uuid::now_v7(),
        template_id,
        number,
        status: VersionStatus::Draft.code().to_owned(),
        threshold_a: int(definition.threshold_a()),
        threshold_b: int(definition.threshold_b()),
        horizon_months: int(definition.horizon_months()),
        exception_policy: definition.exception_policy().code().to_owned(),
        knockout_cap: definition.knockout_cap().code().to_owned(),
        published_at: None,
        created_at: now(),
    };
    template_versions::Entity::insert(template_versions::ActiveModel::from(row.clone()))
        .exec_without_returning(txn)
        .await
        .map_err(unique("version number"))?;
    insert_criteria(txn, row.id, definition).await?;
    to_version(row, definition.clone())
}

async fn insert_criteria(
    txn: &impl Conn,
    version_id: Uuid,
    definition: &Definition,
) -> Result<(), StoreError> {
    let mut rows = Vec::with_capacity(definition.criteria().len());
    for (position, criterion) in definition.criteria().iter().enumerate() {
        rows.push(criteria::ActiveModel::from(criteria::Model {
            id: Uuid::now_v7(),
            version_id,
            position: i32::try_from(position).unwrap_or(i32::MAX),
            key: criterion.key().as_str().to_owned(),
            label: criterion.label().to_owned(),
            question: criterion.question().to_owned(),
            weight: int(criterion.weight()),
            rule: serde_json::to_value(criterion.rule()).map_err(json_error)?,
            json_format: JSON_FORMAT,
        }));
    }
    if !rows.is_empty() {
        criteria::Entity::insert_many(rows)
            .exec_without_returning(txn)
            .await
            .map_err(unique("criterion key"))?;
    }
    Ok(())
}
