//! Decisions to take on or turn down a prospect, with the exception request a take-on
//! against a DECLINE verdict opens.

use chrono::{DateTime, Utc};
use domain::{BiasCheck, Decision, DecisionOutcome, LongText, ProspectStatus};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::Conn;
use crate::StoreError;
use crate::clock::now;
use crate::codes::{Code, JSON_FORMAT, json_format};
use crate::connect::begin_write;
use crate::entity::{decisions, exception_requests, prospects};
use crate::error::{json_error, unique};
use crate::exceptions::{ExceptionRequest, ExceptionStatus};
use crate::intake;
use crate::prospects::{lock_prospect, save_prospect};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRecord {
    pub id: Uuid,
    pub prospect_id: Uuid,
    pub qualification_id: Option<Uuid>,
    pub decided_by: Uuid,
    pub decision: Decision,
    pub reason: Option<String>,
    pub bias_check: Option<BiasCheck>,
    pub is_exception: bool,
    pub created_at: DateTime<Utc>,
    /// The API key it was made through; `None` when the user was signed in.
    pub api_key_id: Option<Uuid>,
}

impl TryFrom<decisions::Model> for DecisionRecord {
    type Error = StoreError;

    fn try_from(row: decisions::Model) -> Result<Self, StoreError> {
        json_format("decisions", row.json_format)?;
        Ok(DecisionRecord {
            id: row.id,
            prospect_id: row.prospect_id,
            qualification_id: row.qualification_id,
            decided_by: row.decided_by,
            decision: Decision::from_code(&row.decision)?,
            reason: row.reason,
            bias_check: row
                .bias_check
                .map(serde_json::from_value)
                .transpose()
                .map_err(json_error)?,
            is_exception: row.is_exception,
            created_at: row.created_at,
            api_key_id: row.api_key_id,
        })
    }
}

/// A decision `domain::decide` allowed, as [`record_decision`] stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDecision {
    pub prospect_id: Uuid,
    /// The prospect's latest qualification when the decision was taken, if any.
    pub qualification_id: Option<Uuid>,
    pub decided_by: Uuid,
    pub decision: Decision,
    /// `None` when no reason (or a blank one) was given.
    pub reason: Option<LongText>,
    pub bias_check: Option<BiasCheck>,
    /// What `domain::decide` made of it.
    pub outcome: DecisionOutcome,
    /// The prospect's status afterwards (`domain::status_after_decision`).
    pub new_status: ProspectStatus,
    /// The prospect's program, where an exception request goes.
    pub program_id: Uuid,
}

/// Records a decision in one transaction: the decision, an exception request in its
/// program when its outcome is `PendingException`, the client and its intake when it is
/// `TakenOn` (see `intake`: a prospect that already is a client keeps its first intake;
/// a take-on without a qualification makes none), and the prospect's new status
/// (revision bumped).
///
/// # Errors
/// - [`StoreError::NotFound`] when the prospect does not exist;
/// - [`StoreError::Stale`] when `qualification_id` is not the prospect's latest
///   qualification any more (it was re-qualified meanwhile; decide again);
/// - [`StoreError::Conflict`]`("pending exception")` while an earlier exception request
///   of the prospect awaits review.
pub async fn record_decision(
    db: &impl Conn,
    new: NewDecision,
) -> Result<(DecisionRecord, Option<ExceptionRequest>), StoreError> {
    record_decision_through(db, new, None).await
}

/// [`record_decision`], made through the API key `api_key_id` (`None`: the user was
/// signed in).
///
/// # Errors
/// As [`record_decision`].
pub async fn record_decision_through(
    db: &impl Conn,
    new: NewDecision,
    api_key_id: Option<Uuid>,
) -> Result<(DecisionRecord, Option<ExceptionRequest>), StoreError> {
    let NewDecision {
        prospect_id,
        qualification_id,
        decided_by,
        decision,
        reason,
        bias_check,
        outcome,
        new_status,
        program_id,
    } = new;
    let is_exception = outcome == DecisionOutcome::PendingException;
    let at = now();
    let row = decisions::Model {
        id: Uuid::now_v7(),
        prospect_id,
        program_id,
        api_key_id,
        qualification_id,
        decided_by,
        decision: decision.code().to_owned(),
        reason: reason.map(String::from),
        bias_check: bias_check
            .as_ref()
            .map(serde_json::to_value)
            .transpose()
            .map_err(json_error)?,
        is_exception,
        created_at: at,
        json_format: JSON_FORMAT,
    };
    let txn = begin_write(db).await?;
    let prospect = lock_prospect(&txn, prospect_id).await?;
    if prospect.latest_qualification_id != qualification_id {
        return Err(StoreError::Stale);
    }
    if has_pending_exception(&txn, prospect_id).await? {
        return Err(StoreError::Conflict("pending exception"));
    }
    decisions::Entity::insert(decisions::ActiveModel::from(row.clone()))
        .exec_without_returning(&txn)
        .await?;
    let request = if is_exception {
        let request = exception_requests::Model {
            id: Uuid::now_v7(),
            decision_id: row.id,
            prospect_id,
            program_id,
            status: ExceptionStatus::Pending.code().to_owned(),
            reviewer_id: None,
            note: None,
            reviewed_at: None,
            created_at: at,
        };
        exception_requests::Entity::insert(exception_requests::ActiveModel::from(request.clone()))
            .exec_without_returning(&txn)
            .await
            .map_err(unique("exception request"))?;
        Some(ExceptionRequest::try_from(request)?)
    } else {
        None
    };
    // The take-on is effective now: the prospect becomes a client, with its intake.
    if let (DecisionOutcome::TakenOn, Some(qualification_id)) = (outcome, qualification_id) {
        intake::take_on(&txn, &prospect, row.id, qualification_id, at.date_naive()).await?;
    }
    save_prospect(
        &txn,
        prospects::Model {
            status: new_status.code().to_owned(),
            ..prospect
        },
    )
    .await?;
    txn.commit().await?;
    Ok((row.try_into()?, request))
}

async fn has_pending_exception(txn: &impl Conn, prospect_id: Uuid) -> Result<bool, StoreError> {
    let pending = exception_requests::Entity::find()
        .filter(exception_requests::Column::ProspectId.eq(prospect_id))
        .filter(exception_requests::Column::Status.eq(ExceptionStatus::Pending.code()))
        .count(txn)
        .await?;
    Ok(pending > 0)
}

/// Every decision on the prospects among `prospect_ids`, oldest first, in one query.
///
/// # Errors
/// [`StoreError::Db`] when the query fails.
pub async fn decisions_by_prospect_ids(
    db: &impl Conn,
    prospect_ids: &[Uuid],
) -> Result<Vec<DecisionRecord>, StoreError> {
    if prospect_ids.is_empty() {
        return Ok(Vec::new());
    }
    decisions::Entity::find()
        .filter(decisions::Column::ProspectId.is_in(prospect_ids.iter().copied()))
        .order_by_asc(decisions::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(DecisionRecord::try_from)
        .collect()
}

/// The decisions among `ids` that exist, in one query.
///
/// # Errors
/// [`StoreError::Db`] when the query fails.
pub async fn decisions_by_ids(
    db: &impl Conn,
    ids: &[Uuid],
) -> Result<Vec<DecisionRecord>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    decisions::Entity::find()
        .filter(decisions::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(DecisionRecord::try_from)
        .collect()
}
