//! Prospects: the potential clients a mentee qualifies before saying yes.

use chrono::{DateTime, NaiveDate, Utc};
use domain::{DisplayName, LongText, ProspectStatus};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Select};
use uuid::Uuid;

use crate::Conn;
use crate::StoreError;
use crate::clock::{micros, now};
use crate::codes::Code;
use crate::connect::begin_write;
use crate::entity::prospects;
use crate::page::Order;

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
}

impl TryFrom<prospects::Model> for Prospect {
    type Error = StoreError;

    fn try_from(row: prospects::Model) -> Result<Self, StoreError> {
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProspectOrder {
    #[default]
    CreatedAsc,
    CreatedDesc,
}

impl From<ProspectOrder> for Order {
    fn from(order: ProspectOrder) -> Self {
        match order {
            ProspectOrder::CreatedAsc => Order::Asc,
            ProspectOrder::CreatedDesc => Order::Desc,
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
        company: company.map(|c| c.as_str().to_owned()),
        notes: notes.map(|n| n.as_str().to_owned()),
        status: ProspectStatus::New.code().to_owned(),
        archived_at: None,
        latest_qualification_id: None,
        requalify_by: None,
        created_at: at,
        updated_at: at,
        revision: 1,
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
        ..row
    };
    prospects::Entity::update_many()
        .set(prospects::ActiveModel {
            name: Set(row.name.clone()),
            company: Set(row.company.clone()),
            notes: Set(row.notes.clone()),
            status: Set(row.status.clone()),
            archived_at: Set(row.archived_at),
            latest_qualification_id: Set(row.latest_qualification_id),
            requalify_by: Set(row.requalify_by),
            revision: Set(row.revision),
            updated_at: Set(row.updated_at),
            ..Default::default()
        })
        .filter(prospects::Column::Id.eq(row.id))
        .exec(txn)
        .await?;
    Ok(row)
}
