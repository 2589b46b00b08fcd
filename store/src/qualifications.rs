//! Qualifications: append-only scorings of a prospect against a published version.
//!
//! `explanation` and `projected_explanation` hold the whole serialized
//! `domain::Assessment`, so a result reads back exactly as it was computed; the score,
//! tier, knockout and unknown columns are copies of it for SQL filtering and reports.
//! `scoring_rule` says which `domain::ScoringRule` computed the result (1 for rows written
//! before the column existed); nothing here recomputes a stored result.

use chrono::{DateTime, Utc};
use domain::{
    Answer, Assessment, BasisPoints, CriterionKey, Evidence, Outlook, ProspectStatus,
    QualificationResult, Verdict,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value as Json;
use uuid::Uuid;

use crate::Conn;
use crate::StoreError;
use crate::clock::now;
use crate::codes::{
    Code, JSON_FORMAT, basis_points, int, json_format, scoring_rule, scoring_rule_number,
};
use crate::connect::begin_write;
use crate::entity::{prospects, qualifications};
use crate::error::json_error;
use crate::evidence;
use crate::page::{Keyset, Order, Page, PageRequest, fetch_page};
use crate::prospects::{Latest, latest_columns, lock_prospect, save_prospect};

mod head;

pub use head::{QualificationHead, heads_by_ids};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qualification {
    pub id: Uuid,
    pub prospect_id: Uuid,
    pub template_version_id: Uuid,
    pub qualified_by: Uuid,
    /// As stored: in the version's criteria order, except in rows written before
    /// answers were stored sorted (`domain::in_criteria_order` sorts those).
    pub answers: Vec<Answer>,
    pub outlook: Option<Outlook>,
    pub result: QualificationResult,
    /// How answers are known, in criteria order: only the answers that carry evidence.
    pub evidence: Vec<(CriterionKey, Evidence)>,
    /// The share of the score resting on assumptions (`domain::assumption_share`); 0 for
    /// rows from before evidence was stored.
    pub assumption_share_bp: BasisPoints,
    pub created_at: DateTime<Utc>,
    /// The API key it was made through; `None` when the user was signed in.
    pub api_key_id: Option<Uuid>,
}

/// A stored assumption share; `NULL` (rows from before the column) is 0.
fn share(stored: Option<i32>) -> Result<BasisPoints, StoreError> {
    stored.map_or(Ok(BasisPoints::ZERO), basis_points)
}

impl TryFrom<qualifications::Model> for Qualification {
    type Error = StoreError;

    fn try_from(row: qualifications::Model) -> Result<Self, StoreError> {
        json_format("qualifications", row.json_format)?;
        let now: Assessment = from_json(row.explanation)?;
        let projected: Assessment = from_json(row.projected_explanation)?;
        // The copies must agree with the document they were taken from.
        if basis_points(row.score_bp)? != now.score_bp
            || basis_points(row.projected_score_bp)? != projected.score_bp
        {
            return Err(StoreError::corrupt(format_args!(
                "qualification {} score",
                row.id
            )));
        }
        Ok(Qualification {
            id: row.id,
            prospect_id: row.prospect_id,
            template_version_id: row.template_version_id,
            qualified_by: row.qualified_by,
            answers: from_json(row.answers)?,
            outlook: row.outlook.map(from_json).transpose()?,
            result: QualificationResult {
                now,
                projected,
                verdict: Verdict::from_code(&row.verdict)?,
                requalify_by: row.requalify_by,
                plan: row.plan,
                scoring_rule: scoring_rule(row.scoring_rule)?,
            },
            evidence: evidence::from_column(row.evidence)?,
            assumption_share_bp: share(row.assumption_share_bp)?,
            created_at: row.created_at,
            api_key_id: row.api_key_id,
        })
    }
}

fn to_json(value: &impl Serialize) -> Result<Json, StoreError> {
    serde_json::to_value(value).map_err(json_error)
}

fn from_json<T: DeserializeOwned>(value: Json) -> Result<T, StoreError> {
    serde_json::from_value(value).map_err(json_error)
}

/// A qualification computed by `domain::qualify`, as [`insert_qualification`] stores it.
#[derive(Debug, Clone, Copy)]
pub struct NewQualification<'a> {
    pub prospect_id: Uuid,
    /// The published version it was scored against.
    pub template_version_id: Uuid,
    pub qualified_by: Uuid,
    /// The answers as `domain::qualify` checked them (`Qualified::answers`).
    pub answers: &'a [Answer],
    pub outlook: Option<&'a Outlook>,
    pub result: &'a QualificationResult,
    /// How answers are known (`&[]`: none); kept in criteria order, only for criteria of
    /// the result.
    pub evidence: &'a [(CriterionKey, Evidence)],
}

/// The row of a new qualification: the one place its columns are written from a result
/// (`insert_qualification`, and `bulk::insert_qualifications` for generated worlds, so
/// that a benchmark's rows have the size and shape of the API's).
pub(crate) fn row(
    id: Uuid,
    program_id: Uuid,
    new: NewQualification<'_>,
    created_at: DateTime<Utc>,
    api_key_id: Option<Uuid>,
) -> Result<qualifications::Model, StoreError> {
    let NewQualification {
        prospect_id,
        template_version_id,
        qualified_by,
        answers,
        outlook,
        result,
        evidence,
    } = new;
    let explanation = &result.now.explanation;
    Ok(qualifications::Model {
        id,
        prospect_id,
        program_id,
        api_key_id,
        template_version_id,
        qualified_by,
        answers: to_json(&answers)?,
        outlook: outlook.map(to_json).transpose()?,
        score_bp: int(result.now.score_bp),
        tier: result.now.tier.code().to_owned(),
        knockouts: to_json(&result.now.knockouts)?,
        unknowns: to_json(&result.now.unknowns)?,
        explanation: to_json(&result.now)?,
        projected_score_bp: int(result.projected.score_bp),
        projected_tier: result.projected.tier.code().to_owned(),
        projected_explanation: to_json(&result.projected)?,
        verdict: result.verdict.code().to_owned(),
        plan: result.plan.clone(),
        requalify_by: result.requalify_by,
        created_at,
        scoring_rule: scoring_rule_number(result.scoring_rule),
        json_format: JSON_FORMAT,
        evidence: evidence::to_column(explanation, evidence)?,
        assumption_share_bp: Some(int(evidence::share(explanation, evidence))),
    })
}

/// Appends a qualification and, in the same transaction, makes it the prospect's latest:
/// the prospect becomes `Qualified` (a re-qualification restarts the decision), takes the
/// result's `requalify_by`, and its revision is bumped. A prospect taken on stays
/// `TakenOn` (it is a client being re-qualified) and keeps its date when the new verdict
/// is `DECLINE`.
///
/// # Errors
/// [`StoreError::NotFound`] when the prospect does not exist.
pub async fn insert_qualification(
    db: &impl Conn,
    new: NewQualification<'_>,
) -> Result<Qualification, StoreError> {
    insert_qualification_through(db, new, None).await
}

/// [`insert_qualification`], made through the API key `api_key_id` (`None`: the user
/// was signed in).
///
/// # Errors
/// [`StoreError::NotFound`] when the prospect does not exist.
pub async fn insert_qualification_through(
    db: &impl Conn,
    new: NewQualification<'_>,
    api_key_id: Option<Uuid>,
) -> Result<Qualification, StoreError> {
    let (prospect_id, requalify_by) = (new.prospect_id, new.result.requalify_by);
    let (latest_score_bp, latest_tier, latest_verdict) =
        latest_columns(Some(Latest::from(new.result)));
    let new_verdict = new.result.verdict;
    // Written outside the write transaction, keeping it short; the program is the
    // prospect's, read under its lock.
    let row = row(Uuid::now_v7(), Uuid::nil(), new, now(), api_key_id)?;
    let txn = begin_write(db).await?;
    let prospect = lock_prospect(&txn, prospect_id).await?;
    let row = qualifications::Model {
        program_id: prospect.program_id,
        ..row
    };
    qualifications::Entity::insert(qualifications::ActiveModel::from(row.clone()))
        .exec_without_returning(&txn)
        .await?;
    // A client re-qualified stays a client: the new result moves its date (a plan) or
    // clears it (`ACCEPT`); a `DECLINE` keeps the date it missed, so it stays flagged for
    // exit until it is re-qualified or ended.
    let client = prospect.status == ProspectStatus::TakenOn.code();
    let (status, requalify_by) = match (client, new_verdict) {
        (true, Verdict::Decline) => (ProspectStatus::TakenOn, prospect.requalify_by),
        (true, _) => (ProspectStatus::TakenOn, requalify_by),
        (false, _) => (ProspectStatus::Qualified, requalify_by),
    };
    save_prospect(
        &txn,
        prospects::Model {
            latest_qualification_id: Some(row.id),
            latest_score_bp,
            latest_tier,
            latest_verdict,
            status: status.code().to_owned(),
            requalify_by,
            ..prospect
        },
    )
    .await?;
    txn.commit().await?;
    row.try_into()
}

/// # Errors
/// [`StoreError::Db`] when the query fails.
pub async fn qualification_by_id(
    db: &impl Conn,
    id: Uuid,
) -> Result<Option<Qualification>, StoreError> {
    qualifications::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(Qualification::try_from)
        .transpose()
}

/// The qualifications among `ids` that exist, in one query.
///
/// # Errors
/// [`StoreError::Db`] when the query fails.
pub async fn qualifications_by_ids(
    db: &impl Conn,
    ids: &[Uuid],
) -> Result<Vec<Qualification>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    qualifications::Entity::find()
        .filter(qualifications::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(Qualification::try_from)
        .collect()
}

/// The qualifications of the prospects among `prospect_ids` scored against `version_id`,
/// in the order they were made (by id), at most `limit` after the one with id `after`:
/// for exports that page through them.
///
/// # Errors
/// [`StoreError::Db`] when a query fails or a row does not read back.
pub async fn qualifications_of_version(
    db: &impl Conn,
    prospect_ids: &[Uuid],
    version_id: Uuid,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<Qualification>, StoreError> {
    if prospect_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut select = qualifications::Entity::find()
        .filter(qualifications::Column::ProspectId.is_in(prospect_ids.iter().copied()))
        .filter(qualifications::Column::TemplateVersionId.eq(version_id));
    if let Some(after) = after {
        select = select.filter(qualifications::Column::Id.gt(after));
    }
    select
        .order_by_asc(qualifications::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(Qualification::try_from)
        .collect()
}

/// The prospect's qualifications, newest first.
///
/// # Errors
/// [`StoreError::Db`] when a query fails.
pub async fn qualifications_page(
    db: &impl Conn,
    prospect_id: Uuid,
    request: PageRequest,
) -> Result<Page<Qualification>, StoreError> {
    let select =
        qualifications::Entity::find().filter(qualifications::Column::ProspectId.eq(prospect_id));
    let page = fetch_page(
        db,
        select,
        Keyset::by_id(qualifications::Column::Id, Order::Desc),
        &request,
    )
    .await?;
    page.try_map(Qualification::try_from)
}

/// The latest qualification of each prospect among `prospect_ids` that has one, in one
/// query (through `prospects.latest_qualification_id`).
///
/// # Errors
/// [`StoreError::Db`] when the query fails.
pub async fn latest_by_prospect_ids(
    db: &impl Conn,
    prospect_ids: &[Uuid],
) -> Result<Vec<Qualification>, StoreError> {
    if prospect_ids.is_empty() {
        return Ok(Vec::new());
    }
    let latest = prospects::Entity::find()
        .select_only()
        .column(prospects::Column::LatestQualificationId)
        .filter(prospects::Column::Id.is_in(prospect_ids.iter().copied()))
        .filter(prospects::Column::LatestQualificationId.is_not_null())
        .into_query();
    qualifications::Entity::find()
        .filter(qualifications::Column::Id.in_subquery(latest))
        .all(db)
        .await?
        .into_iter()
        .map(Qualification::try_from)
        .collect()
}

/// Whether `owner_id` has qualified any prospect against `version_id` (a mentee may see the
/// versions their own results were scored under).
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn owner_used_version(
    db: &impl Conn,
    owner_id: Uuid,
    version_id: Uuid,
) -> Result<bool, StoreError> {
    let owned = prospects::Entity::find()
        .select_only()
        .column(prospects::Column::Id)
        .filter(prospects::Column::OwnerId.eq(owner_id))
        .into_query();
    let found = qualifications::Entity::find()
        .select_only()
        .column(qualifications::Column::Id)
        .filter(qualifications::Column::TemplateVersionId.eq(version_id))
        .filter(qualifications::Column::ProspectId.in_subquery(owned))
        .limit(1)
        .into_tuple::<Uuid>()
        .one(db)
        .await?;
    Ok(found.is_some())
}
