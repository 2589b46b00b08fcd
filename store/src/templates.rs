//! Criteria templates: a mentor's named, versioned definition of an A-client.

use chrono::{DateTime, Utc};
use domain::{Definition, DisplayName, LongText};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::Conn;
use crate::StoreError;
use crate::clock::{micros, now};
use crate::codes::Code;
use crate::connect::begin_write;
use crate::entity::{template_versions, templates};
use crate::version_writes::{insert_draft, write_definition};

pub use crate::version_writes::update_version_definition;
pub use crate::versions::{
    TemplateVersion, VersionStatus, latest_version, latest_versions_by_template_ids,
    versions_by_ids, versions_by_template_ids, versions_of,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub id: Uuid,
    pub owner_id: Uuid,
    pub name: String,
    pub description: String,
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub revision: i32,
}

impl From<templates::Model> for Template {
    fn from(row: templates::Model) -> Self {
        Template {
            id: row.id,
            owner_id: row.owner_id,
            name: row.name,
            description: row.description,
            archived_at: row.archived_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
            revision: row.revision,
        }
    }
}

/// Creates a template at revision 1 with `definition` as its draft version 1.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn create_template(
    db: &impl Conn,
    owner_id: Uuid,
    name: &DisplayName,
    description: &LongText,
    definition: &Definition,
) -> Result<(Template, TemplateVersion), StoreError> {
    let txn = begin_write(db).await?;
    let created = insert_template(
        &txn,
        owner_id,
        name.as_str(),
        description.as_str(),
        definition,
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

async fn insert_template(
    txn: &impl Conn,
    owner_id: Uuid,
    name: &str,
    description: &str,
    definition: &Definition,
) -> Result<(Template, TemplateVersion), StoreError> {
    let at = now();
    let row = templates::Model {
        id: Uuid::now_v7(),
        owner_id,
        name: name.to_owned(),
        description: description.to_owned(),
        archived_at: None,
        created_at: at,
        updated_at: at,
        revision: 1,
    };
    templates::Entity::insert(templates::ActiveModel::from(row.clone()))
        .exec_without_returning(txn)
        .await?;
    let version = insert_draft(txn, row.id, 1, definition).await?;
    Ok((row.into(), version))
}

/// # Errors
/// [`StoreError::Db`] when the query fails.
pub async fn template_by_id(db: &impl Conn, id: Uuid) -> Result<Option<Template>, StoreError> {
    Ok(templates::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(Into::into))
}

/// The templates among `ids` that exist, in one query.
///
/// # Errors
/// [`StoreError::Db`] when the query fails.
pub async fn templates_by_ids(db: &impl Conn, ids: &[Uuid]) -> Result<Vec<Template>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = templates::Entity::find()
        .filter(templates::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Edits a template. A new `definition` replaces the latest version if it is a draft, and
/// otherwise becomes a new draft version (number + 1), leaving the published one untouched;
/// a definition equal to the latest version's changes nothing. Bumps the revision only when
/// something changed.
///
/// # Errors
/// [`StoreError::NotFound`], or [`StoreError::Stale`] when `expected_revision` is given and
/// is not the stored revision.
pub async fn update_draft(
    db: &impl Conn,
    template_id: Uuid,
    name: Option<&DisplayName>,
    description: Option<&LongText>,
    definition: Option<&Definition>,
    expected_revision: Option<i32>,
) -> Result<(Template, TemplateVersion), StoreError> {
    let txn = begin_write(db).await?;
    let mut row = lock_template(&txn, template_id).await?;
    if expected_revision.is_some_and(|expected| expected != row.revision) {
        return Err(StoreError::Stale);
    }
    let latest = latest_version(&txn, template_id).await?;
    let before = row.clone();
    let new_definition = definition.is_some_and(|d| *d != latest.definition);
    let version = match (definition, latest.status) {
        // The same definition again is no edit: no new draft, no new revision.
        (None, _) => latest,
        (Some(definition), _) if *definition == latest.definition => latest,
        (Some(definition), VersionStatus::Draft) => {
            write_definition(&txn, latest.id, definition).await?
        }
        (Some(definition), VersionStatus::Published) => {
            insert_draft(&txn, template_id, latest.number + 1, definition).await?
        }
    };
    if let Some(name) = name {
        row.name = name.as_str().to_owned();
    }
    if let Some(description) = description {
        row.description = description.as_str().to_owned();
    }
    let row = if row == before && !new_definition {
        row
    } else {
        save_template(&txn, row).await?
    };
    txn.commit().await?;
    Ok((row.into(), version))
}

/// Publishes the latest version, which is from then on immutable.
///
/// # Errors
/// [`StoreError::Conflict`]`("already published")` when the latest version is published,
/// [`StoreError::NotFound`] when there is no such template.
pub async fn publish_latest(
    db: &impl Conn,
    template_id: Uuid,
    now: DateTime<Utc>,
) -> Result<TemplateVersion, StoreError> {
    let now = micros(now);
    let txn = begin_write(db).await?;
    let row = lock_template(&txn, template_id).await?;
    let mut version = latest_version(&txn, template_id).await?;
    if version.status == VersionStatus::Published {
        return Err(StoreError::Conflict("already published"));
    }
    template_versions::Entity::update_many()
        .set(template_versions::ActiveModel {
            status: Set(VersionStatus::Published.code().to_owned()),
            published_at: Set(Some(now)),
            ..Default::default()
        })
        .filter(template_versions::Column::Id.eq(version.id))
        .filter(template_versions::Column::Status.eq(VersionStatus::Draft.code()))
        .exec(&txn)
        .await?;
    save_template(&txn, row).await?;
    txn.commit().await?;
    version.status = VersionStatus::Published;
    version.published_at = Some(now);
    Ok(version)
}

/// Archives the template (hidden from lists, still readable); archiving twice keeps the
/// first time.
///
/// # Errors
/// [`StoreError::NotFound`] when there is no such template.
pub async fn archive_template(
    db: &impl Conn,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<Template, StoreError> {
    let txn = begin_write(db).await?;
    let mut row = lock_template(&txn, id).await?;
    if row.archived_at.is_none() {
        row.archived_at = Some(micros(now));
        row = save_template(&txn, row).await?;
    }
    txn.commit().await?;
    Ok(row.into())
}

/// Copies the latest version of a template into a new template owned by `new_owner`, as
/// its draft version 1. The caller checks that `new_owner` may see the source.
///
/// # Errors
/// [`StoreError::NotFound`] when there is no such template.
pub async fn copy_template(
    db: &impl Conn,
    template_id: Uuid,
    new_owner: Uuid,
    name: &DisplayName,
) -> Result<(Template, TemplateVersion), StoreError> {
    let txn = begin_write(db).await?;
    let source = templates::Entity::find_by_id(template_id)
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let version = latest_version(&txn, template_id).await?;
    let copy = insert_template(
        &txn,
        new_owner,
        name.as_str(),
        &source.description,
        &version.definition,
    )
    .await?;
    txn.commit().await?;
    Ok(copy)
}

async fn lock_template(txn: &impl Conn, id: Uuid) -> Result<templates::Model, StoreError> {
    templates::Entity::find_by_id(id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Writes the editable fields with the next revision and a new `updated_at`.
async fn save_template(
    txn: &impl Conn,
    row: templates::Model,
) -> Result<templates::Model, StoreError> {
    let row = templates::Model {
        revision: row.revision + 1,
        updated_at: now(),
        ..row
    };
    templates::Entity::update_many()
        .set(templates::ActiveModel {
            name: Set(row.name.clone()),
            description: Set(row.description.clone()),
            archived_at: Set(row.archived_at),
            revision: Set(row.revision),
            updated_at: Set(row.updated_at),
            ..Default::default()
        })
        .filter(templates::Column::Id.eq(row.id))
        .exec(txn)
        .await?;
    Ok(row)
}
