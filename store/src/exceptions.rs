//! Exception requests: a take-on against a DECLINE verdict, waiting for the mentor.

use chrono::{DateTime, Utc};
use domain::{LongText, ProspectStatus, status_after_review};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::Conn;
use crate::StoreError;
use crate::clock::micros;
use crate::codes::{Code, codes};
use crate::connect::begin_write;
use crate::entity::{decisions, exception_requests, prospects};
use crate::intake;
use crate::prospects::{lock_prospect, save_prospect};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExceptionStatus {
    Pending,
    Approved,
    Rejected,
}

codes!(ExceptionStatus {
    ExceptionStatus::Pending => "PENDING",
    ExceptionStatus::Approved => "APPROVED",
    ExceptionStatus::Rejected => "REJECTED",
});

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionRequest {
    pub id: Uuid,
    pub decision_id: Uuid,
    pub prospect_id: Uuid,
    pub program_id: Uuid,
    pub status: ExceptionStatus,
    pub reviewer_id: Option<Uuid>,
    pub note: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<exception_requests::Model> for ExceptionRequest {
    type Error = StoreError;

    fn try_from(row: exception_requests::Model) -> Result<Self, StoreError> {
        Ok(ExceptionRequest {
            id: row.id,
            decision_id: row.decision_id,
            prospect_id: row.prospect_id,
            program_id: row.program_id,
            status: ExceptionStatus::from_code(&row.status)?,
            reviewer_id: row.reviewer_id,
            note: row.note,
            reviewed_at: row.reviewed_at,
            created_at: row.created_at,
        })
    }
}

/// # Errors
/// [`StoreError::Db`] when the query fails.
pub async fn exception_by_id(
    db: &impl Conn,
    id: Uuid,
) -> Result<Option<ExceptionRequest>, StoreError> {
    exception_requests::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(ExceptionRequest::try_from)
        .transpose()
}

/// The exception requests among `ids` that exist, in one query.
///
/// # Errors
/// [`StoreError::Db`] when the query fails.
pub async fn exceptions_by_ids(
    db: &impl Conn,
    ids: &[Uuid],
) -> Result<Vec<ExceptionRequest>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    exception_requests::Entity::find()
        .filter(exception_requests::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(ExceptionRequest::try_from)
        .collect()
}

/// The exception requests opened by the decisions among `decision_ids` (at most one
/// each), in one query.
///
/// # Errors
/// [`StoreError::Db`] when the query fails.
pub async fn exceptions_by_decision_ids(
    db: &impl Conn,
    decision_ids: &[Uuid],
) -> Result<Vec<ExceptionRequest>, StoreError> {
    if decision_ids.is_empty() {
        return Ok(Vec::new());
    }
    exception_requests::Entity::find()
        .filter(exception_requests::Column::DecisionId.is_in(decision_ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(ExceptionRequest::try_from)
        .collect()
}

/// Approves or rejects a pending request and, in the same transaction, moves the prospect
/// from `ExceptionPending` to `TakenOn` or `ExceptionRejected`. (A prospect re-qualified
/// meanwhile keeps its newer status.) An approval that takes the prospect on makes it a
/// client, with the intake of the decision's qualification, taken on `now`'s UTC date.
///
/// # Errors
/// [`StoreError::NotFound`], or [`StoreError::Conflict`]`("already reviewed")` when the
/// request is not pending.
pub async fn review_exception(
    db: &impl Conn,
    id: Uuid,
    reviewer_id: Uuid,
    approve: bool,
    note: Option<&LongText>,
    now: DateTime<Utc>,
) -> Result<ExceptionRequest, StoreError> {
    let txn = begin_write(db).await?;
    let row = exception_requests::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    if ExceptionStatus::from_code(&row.status)? != ExceptionStatus::Pending {
        return Err(StoreError::Conflict("already reviewed"));
    }
    let status = if approve {
        ExceptionStatus::Approved
    } else {
        ExceptionStatus::Rejected
    };
    let row = exception_requests::Model {
        status: status.code().to_owned(),
        reviewer_id: Some(reviewer_id),
        note: note.map(|n| n.as_str().to_owned()),
        reviewed_at: Some(micros(now)),
        ..row
    };
    exception_requests::Entity::update_many()
        .set(exception_requests::ActiveModel {
            status: Set(row.status.clone()),
            reviewer_id: Set(row.reviewer_id),
            note: Set(row.note.clone()),
            reviewed_at: Set(row.reviewed_at),
            ..Default::default()
        })
        .filter(exception_requests::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    let prospect = lock_prospect(&txn, row.prospect_id).await?;
    if ProspectStatus::from_code(&prospect.status)? == ProspectStatus::ExceptionPending {
        let after = status_after_review(approve);
        if after == ProspectStatus::TakenOn {
            // The approval makes the take-on effective: the prospect becomes a client.
            let decision = decisions::Entity::find_by_id(row.decision_id)
                .one(&txn)
                .await?
                .ok_or(StoreError::NotFound)?;
            if let Some(qualification_id) = decision.qualification_id {
                let on = now.date_naive();
                intake::take_on(&txn, &prospect, decision.id, qualification_id, on).await?;
            }
        }
        let status = after.code().to_owned();
        save_prospect(&txn, prospects::Model { status, ..prospect }).await?;
    }
    txn.commit().await?;
    row.try_into()
}
