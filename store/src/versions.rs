//! Reading template versions with their criteria, in a constant number of queries.
//! (Writing them is `version_writes`.)

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::{CriterionDraft, Definition, DefinitionDraft};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::Conn;
use crate::StoreError;
use crate::codes::{Code, codes, json_format, uint};
use crate::entity::{criteria, template_versions};
use crate::error::json_error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VersionStatus {
    Draft,
    Published,
}

codes!(VersionStatus {
    VersionStatus::Draft => "DRAFT",
    VersionStatus::Published => "PUBLISHED",
});

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateVersion {
    pub id: Uuid,
    pub template_id: Uuid,
    pub number: i32,
    pub status: VersionStatus,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub definition: Definition,
}

/// The newest version of the template.
///
/// # Errors
/// [`StoreError::NotFound`] when the template has no version (it does not exist).
pub async fn latest_version(
    db: &impl Conn,
    template_id: Uuid,
) -> Result<TemplateVersion, StoreError> {
    let row = template_versions::Entity::find()
        .filter(template_versions::Column::TemplateId.eq(template_id))
        .order_by_desc(template_versions::Column::Number)
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut versions = with_criteria(db, vec![row]).await?;
    versions.pop().ok_or(StoreError::NotFound)
}

/// Every version of the template, oldest (number 1) first.
///
/// # Errors
/// [`StoreError::Db`] when the query fails.
pub async fn versions_of(
    db: &impl Conn,
    template_id: Uuid,
) -> Result<Vec<TemplateVersion>, StoreError> {
    let rows = template_versions::Entity::find()
        .filter(template_versions::Column::TemplateId.eq(template_id))
        .order_by_asc(template_versions::Column::Number)
        .all(db)
        .await?;
    with_criteria(db, rows).await
}

/// Every version of each template among `template_ids`, ordered by template and number,
/// in two queries however many templates.
///
/// # Errors
/// [`StoreError::Db`] when a query fails.
pub async fn versions_by_template_ids(
    db: &impl Conn,
    template_ids: &[Uuid],
) -> Result<Vec<TemplateVersion>, StoreError> {
    if template_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = template_versions::Entity::find()
        .filter(template_versions::Column::TemplateId.is_in(template_ids.iter().copied()))
        .order_by_asc(template_versions::Column::TemplateId)
        .order_by_asc(template_versions::Column::Number)
        .all(db)
        .await?;
    with_criteria(db, rows).await
}

/// The versions among `ids` that exist, in two queries however many ids: one for the
/// versions, one for all their criteria.
///
/// # Errors
/// [`StoreError::Db`] when a query fails.
pub async fn versions_by_ids(
    db: &impl Conn,
    ids: &[Uuid],
) -> Result<Vec<TemplateVersion>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = template_versions::Entity::find()
        .filter(template_versions::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    with_criteria(db, rows).await
}

/// The newest version of each template among `template_ids`, in two queries.
///
/// # Errors
/// [`StoreError::Db`] when a query fails.
pub async fn latest_versions_by_template_ids(
    db: &impl Conn,
    template_ids: &[Uuid],
) -> Result<Vec<TemplateVersion>, StoreError> {
    if template_ids.is_empty() {
        return Ok(Vec::new());
    }
    // Version rows are small (no criteria); picking the newest in Rust keeps this to one
    // portable query instead of a correlated MAX() subquery.
    let rows = template_versions::Entity::find()
        .filter(template_versions::Column::TemplateId.is_in(template_ids.iter().copied()))
        .all(db)
        .await?;
    let mut latest: HashMap<Uuid, template_versions::Model> = HashMap::new();
    for row in rows {
        match latest.get(&row.template_id) {
            Some(newest) if newest.number >= row.number => {}
            _ => {
                latest.insert(row.template_id, row);
            }
        }
    }
    with_criteria(db, latest.into_values().collect()).await
}

/// Attaches the criteria of all `rows` with one query.
pub(crate) async fn with_criteria(
    db: &impl Conn,
    rows: Vec<template_versions::Model>,
) -> Result<Vec<TemplateVersion>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let criteria = criteria::Entity::find()
        .filter(criteria::Column::VersionId.is_in(rows.iter().map(|row| row.id)))
        .order_by_asc(criteria::Column::VersionId)
        .order_by_asc(criteria::Column::Position)
        .all(db)
        .await?;
    let mut by_version: HashMap<Uuid, Vec<criteria::Model>> = HashMap::new();
    for criterion in criteria {
        by_version
            .entry(criterion.version_id)
            .or_default()
            .push(criterion);
    }
    rows.into_iter()
        .map(|row| {
            let criteria = by_version.remove(&row.id).unwrap_or_default();
            let definition = definition_of(&row, criteria)?;
            to_version(row, definition)
        })
        .collect()
}

fn definition_of(
    row: &template_versions::Model,
    criteria: Vec<criteria::Model>,
) -> Result<Definition, StoreError> {
    let criteria = criteria
        .into_iter()
        .map(|criterion| {
            json_format("criteria", criterion.json_format)?;
            Ok(CriterionDraft {
                key: criterion.key,
                label: criterion.label,
                question: criterion.question,
                weight: uint(criterion.weight)?,
                rule: serde_json::from_value(criterion.rule).map_err(json_error)?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    let draft = DefinitionDraft {
        criteria,
        threshold_a: uint(row.threshold_a)?,
        threshold_b: uint(row.threshold_b)?,
        horizon_months: uint(row.horizon_months)?,
        exception_policy: Code::from_code(&row.exception_policy)?,
        knockout_cap: Code::from_code(&row.knockout_cap)?,
    };
    Definition::parse(draft).map_err(StoreError::corrupt)
}

pub(crate) fn to_version(
    row: template_versions::Model,
    definition: Definition,
) -> Result<TemplateVersion, StoreError> {
    Ok(TemplateVersion {
        id: row.id,
        template_id: row.template_id,
        number: row.number,
        status: VersionStatus::from_code(&row.status)?,
        published_at: row.published_at,
        created_at: row.created_at,
        definition,
    })
}
