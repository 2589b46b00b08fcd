//! Prospects: the potential clients a mentee qualifies before saying yes.

use chrono::{DateTime, NaiveDate, Utc};
use domain::{
    BasisPoints, DisplayName, LongText, ProspectStatus, QualificationResult, Tier, Verdict,
};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Select};
use uuid::Uuid;

use crate::Conn;
use crate::StoreError;
use crate::clock::{micros, now};
use crate::codes::{Code, basis_points, int};
use crate::connect::begin_write;
use crate::entity::prospects;
use crate::page::{Order, SortValue};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prospect {
    pub id: Uuid,
    pub owner_id: Uuid,
    pub program_id: Uuid,
    pub name: String,
    pub company: Option<String>,
    pub notes: Option<String>,
    pub status: ProspectStatus,
    pub archived_at: Option<DateTime<Utc>>,
    pub latest_qualification_id: Option<Uuid>,
    pub requalify_by: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub revision: i32,
    /// The latest qualification's result; `None` until the prospect is qualified.
    pub latest: Option<Latest>,
}

/// What a prospect copies of its latest qualification's result, for the list's orderings
/// and filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Latest {
    pub score_bp: BasisPoints,
    pub tier: Tier,
    pub verdict: Verdict,
}

impl From<&QualificationResult> for Latest {
    fn from(result: &QualificationResult) -> Self {
        Latest {
            score_bp: result.now.score_bp,
            tier: result.now.tier,
            verdict: result.verdict,
        }
    }
}

/// The key the list sorts names by: Unicode lower case, compared by code point on both
/// databases (`COLLATE "C"` on PostgreSQL).
pub fn name_key(name: &str) -> String {
    name.to_lowercase()
}

fn latest_of(row: &prospects::Model) -> Result<Option<Latest>, StoreError> {
    match (row.latest_score_bp, &row.latest_tier, &row.latest_verdict) {
        (None, None, None) => Ok(None),
        (Some(score), Some(tier), Some(verdict)) => Ok(Some(Latest {
            score_bp: basis_points(score)?,
            tier: Tier::from_code(tier)?,
            verdict: Verdict::from_code(verdict)?,
        })),
        _ => Err(StoreError::corrupt(format_args!(
            "prospect {}: a partial copy of its latest result",
            row.id
        ))),
    }
}

/// The stored columns of `latest`.
pub(crate) fn latest_columns(
    latest: Option<Latest>,
) -> (Option<i32>, Option<String>, Option<String>) {
    match latest {
        Some(l) => (
            Some(int(l.score_bp)),
            Some(l.tier.code().to_owned()),
            Some(l.verdict.code().to_owned()),
        ),
        None => (None, None, None),
    }
}

impl TryFrom<prospects::Model> for Prospect {
    type Error = StoreError;

    fn try_from(row: prospects::Model) -> Result<Self, StoreError> {
        let latest = latest_of(&row)?;
        Ok(Prospect {
            id: row.id,
            owner_id: row.owner_id,
            program_id: row.program_id,
            name: row.name,
            company: row.company,
            notes: row.notes,
            status: ProspectStatus::from_code(&row.status)?,
            archived_at: row.archived_at,
            latest_qualification_id: row.latest_qualification_id,
            requalify_by: row.requalify_by,
            created_at: row.created_at,
            updated_at: row.updated_at,
            revision: row.revision,
            latest,
        })
    }
}

/// Which of the prospects the actor may see (`store::visible::prospects_page`) to list;
/// `None` means "do not filter on this".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProspectFilter {
    pub program_ids: Option<Vec<Uuid>>,
    pub statuses: Option<Vec<ProspectStatus>>,
    pub include_archived: bool,
    /// Only prospects whose `requalify_by` is strictly before this date.
    pub requalify_due_before: Option<NaiveDate>,
    /// Case-insensitive (ASCII) substring of the name or the company.
    pub search: Option<String>,
    /// Only prospects of this owner.
    pub owner_id: Option<Uuid>,
    /// Only prospects whose latest qualification has one of these tiers.
    pub latest_tiers: Option<Vec<Tier>>,
    /// Only prospects whose latest qualification has one of these verdicts.
    pub latest_verdicts: Option<Vec<Verdict>>,
    /// Only prospects whose own fields changed at or after this time.
    pub updated_since: Option<DateTime<Utc>>,
}

/// What a prospect list sorts by; ties (and `CreatedAt` itself: ids are UUID v7) by id.
/// Nulls (no score, no date) come last in both directions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProspectSort {
    #[default]
    CreatedAt,
    UpdatedAt,
    /// By [`name_key`].
    Name,
    LatestScore,
    RequalifyBy,
}

/// A prospect list's order: a key and a direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProspectOrder {
    pub by: ProspectSort,
    pub direction: Order,
}

impl ProspectOrder {
    /// Oldest first.
    pub const CREATED_ASC: ProspectOrder = ProspectOrder {
        by: ProspectSort::CreatedAt,
        direction: Order::Asc,
    };
    /// Newest first.
    pub const CREATED_DESC: ProspectOrder = ProspectOrder {
        by: ProspectSort::CreatedAt,
        direction: Order::Desc,
    };

    /// The sort column besides the id; `None` when the id is the key.
    pub(crate) fn column(self) -> Option<prospects::Column> {
        match self.by {
            ProspectSort::CreatedAt => None,
            ProspectSort::UpdatedAt => Some(prospects::Column::UpdatedAt),
            ProspectSort::Name => Some(prospects::Column::NameKey),
            ProspectSort::LatestScore => Some(prospects::Column::LatestScoreBp),
            ProspectSort::RequalifyBy => Some(prospects::Column::RequalifyBy),
        }
    }

    /// The prospect's value of the sort key (`None`: null, or an order by id alone), as a
    /// cursor carries it.
    pub fn value_of(self, prospect: &Prospect) -> Option<SortValue> {
        match self.by {
            ProspectSort::CreatedAt => None,
            ProspectSort::UpdatedAt => Some(SortValue::Time(prospect.updated_at)),
            ProspectSort::Name => Some(SortValue::Text(name_key(&prospect.name))),
            ProspectSort::LatestScore => prospect
                .latest
                .map(|l| SortValue::Int(i64::from(int(l.score_bp)))),
            ProspectSort::RequalifyBy => prospect.requalify_by.map(SortValue::Date),
        }
    }
}

/// Creates a prospect with status `New` at revision 1.
///
/// # Errors
/// [`StoreError::Db`] when the database fails (or owner or program do not exist).
pub async fn create_prospect(
    db: &impl Conn,
    owner_id: Uuid,
    program_id: Uuid,
    name: &DisplayName,
    company: Option<&LongText>,
    notes: Option<&LongText>,
) -> Result<Prospect, StoreError> {
    let at = now();
    let row = prospects::Model {
        id: Uuid::now_v7(),
        owner_id,
        program_id,
        name: name.as_str().to_owned(),
        name_key: name_key(name.as_str()),
        company: company.map(|c| c.as_str().to_owned()),
        notes: notes.map(|n| n.as_str().to_owned()),
        status: ProspectStatus::New.code().to_owned(),
        archived_at: None,
        latest_qualification_id: None,
        requalify_by: None,
        created_at: at,
        updated_at: at,
        revision: 1,
        latest_score_bp: None,
        latest_tier: None,
        latest_verdict: None,
    };
    prospects::Entity::insert(prospects::ActiveModel::from(row.clone()))
        .exec_without_returning(db)
        .await?;
    row.try_into()
}

/// # Errors
/// [`StoreError::Db`] when the query fails.
pub async fn prospect_by_id(db: &impl Conn, id: Uuid) -> Result<Option<Prospect>, StoreError> {
    prospects::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(Prospect::try_from)
        .transpose()
}

/// The prospects among `ids` that exist, in one query.
///
/// # Errors
/// [`StoreError::Db`] when the query fails.
pub async fn prospects_by_ids(db: &impl Conn, ids: &[Uuid]) -> Result<Vec<Prospect>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    prospects::Entity::find()
        .filter(prospects::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(Prospect::try_from)
        .collect()
}

pub(crate) fn filtered(filter: &ProspectFilter) -> Select<prospects::Entity> {
    let mut select = prospects::Entity::find();
    if let Some(program_ids) = &filter.program_ids {
        select = select.filter(prospects::Column::ProgramId.is_in(program_ids.iter().copied()));
    }
    if let Some(statuses) = &filter.statuses {
        select = select.filter(prospects::Column::Status.is_in(statuses.iter().map(|s| s.code())));
    }
    if !filter.include_archived {
        select = select.filter(prospects::Column::ArchivedAt.is_null());
    }
    if let Some(owner) = filter.owner_id {
        select = select.filter(prospects::Column::OwnerId.eq(owner));
    }
    if let Some(tiers) = &filter.latest_tiers {
        select = select.filter(prospects::Column::LatestTier.is_in(tiers.iter().map(|t| t.code())));
    }
    if let Some(verdicts) = &filter.latest_verdicts {
        select = select
            .filter(prospects::Column::LatestVerdict.is_in(verdicts.iter().map(|v| v.code())));
    }
    if let Some(since) = filter.updated_since {
        select = select.filter(prospects::Column::UpdatedAt.gte(micros(since)));
    }
    if let Some(date) = filter.requalify_due_before {
        select = select.filter(prospects::Column::RequalifyBy.lt(date));
    }
    if let Some(search) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        // LOWER on both sides: LIKE is case-insensitive on SQLite but not on PostgreSQL.
        let pattern = format!("%{}%", escape_like(&search.to_lowercase()));
        let contains = |column: prospects::Column| {
            Expr::expr(Func::lower(Expr::col(column)))
                .like(LikeExpr::new(pattern.clone()).escape('\\'))
        };
        select = select.filter(
            Condition::any()
                .add(contains(prospects::Column::Name))
                .add(contains(prospects::Column::Company)),
        );
    }
    select
}

fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Changes the given fields and bumps the revision, unless nothing changed (then the
/// revision and `updated_at` stay). For `company` and `notes`,
/// `Some(None)` clears the value and `None` leaves it as it is.
///
/// # Errors
/// [`StoreError::NotFound`], or [`StoreError::Stale`] when `expected_revision` is given and
/// is not the stored revision.
pub async fn update_prospect(
    db: &impl Conn,
    id: Uuid,
    name: Option<&DisplayName>,
    company: Option<Option<LongText>>,
    notes: Option<Option<LongText>>,
    expected_revision: Option<i32>,
) -> Result<Prospect, StoreError> {
    let txn = begin_write(db).await?;
    let mut row = lock_prospect(&txn, id).await?;
    if expected_revision.is_some_and(|expected| expected != row.revision) {
        return Err(StoreError::Stale);
    }
    let before = row.clone();
    if let Some(name) = name {
        row.name = name.as_str().to_owned();
    }
    if let Some(company) = company {
        row.company = company.map(String::from);
    }
    if let Some(notes) = notes {
        row.notes = notes.map(String::from);
    }
    // An update that changes nothing keeps the revision: a client holding it is not stale.
    if row != before {
        row = save_prospect(&txn, row).await?;
    }
    txn.commit().await?;
    row.try_into()
}

/// Archives the prospect; archiving twice keeps the first time.
///
/// # Errors
/// [`StoreError::NotFound`] when there is no such prospect.
pub async fn archive_prospect(
    db: &impl Conn,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<Prospect, StoreError> {
    let txn = begin_write(db).await?;
    let mut row = lock_prospect(&txn, id).await?;
    if row.archived_at.is_none() {
        row.archived_at = Some(micros(now));
        row = save_prospect(&txn, row).await?;
    }
    txn.commit().await?;
    row.try_into()
}

pub(crate) async fn lock_prospect(
    txn: &impl Conn,
    id: Uuid,
) -> Result<prospects::Model, StoreError> {
    prospects::Entity::find_by_id(id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Writes every mutable field with the next revision and a new `updated_at`.
pub(crate) async fn save_prospect(
    txn: &impl Conn,
    row: prospects::Model,
) -> Result<prospects::Model, StoreError> {
    let row = prospects::Model {
        revision: row.revision + 1,
        updated_at: now(),
        name_key: name_key(&row.name),
        ..row
    };
    prospects::Entity::update_many()
        .set(prospects::ActiveModel {
            name: Set(row.name.clone()),
            name_key: Set(row.name_key.clone()),
            company: Set(row.company.clone()),
            notes: Set(row.notes.clone()),
            status: Set(row.status.clone()),
            archived_at: Set(row.archived_at),
            latest_qualification_id: Set(row.latest_qualification_id),
            requalify_by: Set(row.requalify_by),
            latest_score_bp: Set(row.latest_score_bp),
            latest_tier: Set(row.latest_tier.clone()),
            latest_verdict: Set(row.latest_verdict.clone()),
            revision: Set(row.revision),
            updated_at: Set(row.updated_at),
            ..Default::default()
        })
        .filter(prospects::Column::Id.eq(row.id))
        .exec(txn)
        .await?;
    Ok(row)
}
