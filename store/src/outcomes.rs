//! Outcome entries: one per client and calendar month, correctable (each correction bumps
//! the revision; the audit log keeps the one before).

use chrono::{DateTime, Utc};
use domain::{Energy, Hours, Month, MonthWindow, OutcomeEntry};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, SqlErr};
use uuid::Uuid;

use crate::StoreError;
use crate::clock::now;
use crate::codes::{int, uint};
use crate::connect::begin_write;
use crate::entity::outcome_entries;
use crate::page::{Keyset, Order, Page, PageRequest, fetch_page};
use crate::{Client, Conn};

/// A stored outcome entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeRecord {
    pub id: Uuid,
    /// The client's prospect.
    pub prospect_id: Uuid,
    /// The client's program.
    pub program_id: Uuid,
    pub month: Month,
    /// Minor units of the program's currency.
    pub revenue_minor: i64,
    pub hours: Option<Hours>,
    pub custom_hours: Option<Hours>,
    pub energy: Energy,
    pub note: Option<String>,
    pub revision: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn hours(stored: Option<i32>) -> Result<Option<Hours>, StoreError> {
    stored
        .map(|h| {
            Hours::from_hundredths(uint(h)?)
                .map_err(|_| StoreError::corrupt(format_args!("hours {h}")))
        })
        .transpose()
}

impl TryFrom<outcome_entries::Model> for OutcomeRecord {
    type Error = StoreError;

    fn try_from(row: outcome_entries::Model) -> Result<Self, StoreError> {
        let month = Month::from_index(row.month)
            .map_err(|_| StoreError::corrupt(format_args!("month {}", row.month)))?;
        let energy = Energy::new(uint(row.energy)?)
            .map_err(|_| StoreError::corrupt(format_args!("energy {}", row.energy)))?;
        Ok(OutcomeRecord {
            id: row.id,
            prospect_id: row.prospect_id,
            program_id: row.program_id,
            month,
            revenue_minor: row.revenue_minor,
            hours: hours(row.hours_hundredths)?,
            custom_hours: hours(row.custom_hours_hundredths)?,
            energy,
            note: row.note,
            revision: row.revision,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// `row` with the values of `entry` (its month aside).
fn with_entry(row: outcome_entries::Model, entry: &OutcomeEntry) -> outcome_entries::Model {
    outcome_entries::Model {
        revenue_minor: entry.revenue.minor(),
        hours_hundredths: entry.hours.map(|h| int(h.hundredths())),
        custom_hours_hundredths: entry.custom_hours.map(|h| int(h.hundredths())),
        energy: int(entry.energy),
        note: entry.note.as_ref().map(|n| n.as_str().to_owned()),
        ..row
    }
}

/// Records the entry of `client` at revision 1. Whether its month lies in
/// the client's span is `domain::outcome_entry`'s check, made by the caller.
///
/// # Errors
/// [`StoreError::Conflict`]`("outcome for this month")` when the client has an entry for
/// the month; [`StoreError::NotFound`] when the prospect is not a client.
pub async fn insert_outcome(
    db: &impl Conn,
    client: &Client,
    entry: &OutcomeEntry,
) -> Result<OutcomeRecord, StoreError> {
    let at = now();
    let blank = outcome_entries::Model {
        id: Uuid::now_v7(),
        prospect_id: client.prospect_id,
        program_id: client.program_id,
        month: entry.month.index(),
        revenue_minor: 0,
        hours_hundredths: None,
        custom_hours_hundredths: None,
        energy: 0,
        note: None,
        revision: 1,
        created_at: at,
        updated_at: at,
    };
    let row = with_entry(blank, entry);
    outcome_entries::Entity::insert(outcome_entries::ActiveModel::from(row.clone()))
        .exec_without_returning(db)
        .await
        .map_err(refused)?;
    row.try_into()
}

/// A unique violation is the month taken; a foreign-key violation, no such client.
fn refused(err: DbErr) -> StoreError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            StoreError::Conflict("outcome for this month")
        }
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => StoreError::NotFound,
        _ => StoreError::Db(err),
    }
}

/// Corrects an entry: its values become `entry`'s and its revision is bumped, unless
/// nothing changed (then neither the revision nor `updated_at` moves). Returns the entry
/// before and after, for the audit log.
///
/// # Errors
/// [`StoreError::NotFound`]; [`StoreError::Stale`] when `expected_revision` is not the
/// stored one; [`StoreError::Conflict`]`("month")` when `entry` is of another month (an
/// entry's month never changes).
pub async fn correct_outcome(
    db: &impl Conn,
    id: Uuid,
    expected_revision: i32,
    entry: &OutcomeEntry,
) -> Result<(OutcomeRecord, OutcomeRecord), StoreError> {
    let txn = begin_write(db).await?;
    let row = outcome_entries::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    if row.revision != expected_revision {
        return Err(StoreError::Stale);
    }
    if row.month != entry.month.index() {
        return Err(StoreError::Conflict("month"));
    }
    let before = row.clone();
    let mut after = with_entry(row, entry);
    if after != before {
        after.revision += 1;
        after.updated_at = now();
        outcome_entries::Entity::update_many()
            .set(outcome_entries::ActiveModel {
                revenue_minor: Set(after.revenue_minor),
                hours_hundredths: Set(after.hours_hundredths),
                custom_hours_hundredths: Set(after.custom_hours_hundredths),
                energy: Set(after.energy),
                note: Set(after.note.clone()),
                revision: Set(after.revision),
                updated_at: Set(after.updated_at),
                ..Default::default()
            })
            .filter(outcome_entries::Column::Id.eq(id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok((before.try_into()?, after.try_into()?))
}

/// The entries among `ids` that exist, in one query.
///
/// # Errors
/// [`StoreError::Db`] when the query fails or a row does not read back.
pub async fn outcomes_by_ids(
    db: &impl Conn,
    ids: &[Uuid],
) -> Result<Vec<OutcomeRecord>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    outcome_entries::Entity::find()
        .filter(outcome_entries::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(OutcomeRecord::try_from)
        .collect()
}

/// One page of the entries of the clients among `prospect_ids`, oldest first (by id:
/// the order they were recorded in), optionally only those whose month is in `window`;
/// `total` counts them all.
///
/// # Errors
/// [`StoreError::Db`] when a query fails or a row does not read back.
pub async fn outcomes_page(
    db: &impl Conn,
    prospect_ids: &[Uuid],
    window: Option<MonthWindow>,
    request: PageRequest,
) -> Result<Page<OutcomeRecord>, StoreError> {
    if prospect_ids.is_empty() {
        return Ok(Page::empty());
    }
    let mut select = outcome_entries::Entity::find()
        .filter(outcome_entries::Column::ProspectId.is_in(prospect_ids.iter().copied()));
    if let Some(window) = window {
        select = select.filter(
            outcome_entries::Column::Month.between(window.from().index(), window.to().index()),
        );
    }
    let id = outcome_entries::Column::Id;
    let page = fetch_page(db, select, Keyset::by_id(id, Order::Asc), &request).await?;
    page.try_map(OutcomeRecord::try_from)
}
