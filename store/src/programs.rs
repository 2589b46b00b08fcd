//! Programs run by a mentor, and the mentees enrolled in them.

use chrono::{DateTime, Utc};
use domain::{Currency, DisplayName, LongText};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait};
use uuid::Uuid;

use crate::Conn;
use crate::StoreError;
use crate::clock::{micros, now};
use crate::connect::begin_write;
use crate::entity::{clients, outcome_entries, programs};

pub use crate::enrollments::{
    Enrollment, enroll, enrollment, join_with_invite, memberships_page, mentee_program_ids,
    mentees_page, remove_enrollment,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    pub id: Uuid,
    pub mentor_id: Uuid,
    pub name: String,
    pub description: String,
    pub standard_version_id: Option<Uuid>,
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub revision: i32,
    /// What its outcome entries' amounts are minor units of.
    pub currency: Currency,
}

impl TryFrom<programs::Model> for Program {
    type Error = StoreError;

    fn try_from(row: programs::Model) -> Result<Self, StoreError> {
        let currency = Currency::parse(&row.currency)
            .map_err(|_| StoreError::corrupt(format_args!("currency {:?}", row.currency)))?;
        Ok(Program {
            id: row.id,
            mentor_id: row.mentor_id,
            name: row.name,
            description: row.description,
            standard_version_id: row.standard_version_id,
            archived_at: row.archived_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
            revision: row.revision,
            currency,
        })
    }
}

/// The currency of a program created without one (and of every program from before the
/// column).
const DEFAULT_CURRENCY: &str = "EUR";

/// Creates a program at revision 1, in euros ([`set_currency`] changes it). Whether `standard_version_id` is a published version
/// the mentor may use is the caller's check; the database only checks it exists.
///
/// # Errors
/// [`StoreError::Db`] when the database fails (or a referenced row is missing).
pub async fn create_program(
    db: &impl Conn,
    mentor_id: Uuid,
    name: &DisplayName,
    description: &LongText,
    standard_version_id: Option<Uuid>,
) -> Result<Program, StoreError> {
    let at = now();
    let row = programs::Model {
        id: Uuid::now_v7(),
        mentor_id,
        name: name.as_str().to_owned(),
        description: description.as_str().to_owned(),
        standard_version_id,
        archived_at: None,
        created_at: at,
        updated_at: at,
        revision: 1,
        currency: DEFAULT_CURRENCY.to_owned(),
    };
    programs::Entity::insert(programs::ActiveModel::from(row.clone()))
        .exec_without_returning(db)
        .await?;
    row.try_into()
}

/// # Errors
/// [`StoreError::Db`] when the query fails.
pub async fn program_by_id(db: &impl Conn, id: Uuid) -> Result<Option<Program>, StoreError> {
    programs::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(Program::try_from)
        .transpose()
}

/// The programs among `ids` that exist, in one query.
///
/// # Errors
/// [`StoreError::Db`] when the query fails.
pub async fn programs_by_ids(db: &impl Conn, ids: &[Uuid]) -> Result<Vec<Program>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = programs::Entity::find()
        .filter(programs::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    rows.into_iter().map(Program::try_from).collect()
}

/// Ids of every program the mentor runs.
///
/// # Errors
/// [`StoreError::Db`] when the query fails.
pub async fn program_ids_for_mentor(
    db: &impl Conn,
    mentor_id: Uuid,
) -> Result<Vec<Uuid>, StoreError> {
    Ok(programs::Entity::find()
        .select_only()
        .column(programs::Column::Id)
        .filter(programs::Column::MentorId.eq(mentor_id))
        .into_tuple::<Uuid>()
        .all(db)
        .await?)
}

/// Changes the given fields and bumps the revision, unless nothing changed (then the
/// revision and `updated_at` stay). `standard_version_id: Some(id)` sets
/// the standard; `None` leaves it as it is.
///
/// # Errors
/// [`StoreError::NotFound`], or [`StoreError::Stale`] when `expected_revision` is given and
/// is not the stored revision.
pub async fn update_program(
    db: &impl Conn,
    id: Uuid,
    name: Option<&DisplayName>,
    description: Option<&LongText>,
    standard_version_id: Option<Uuid>,
    expected_revision: Option<i32>,
) -> Result<Program, StoreError> {
    let txn = begin_write(db).await?;
    let mut row = programs::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    if expected_revision.is_some_and(|expected| expected != row.revision) {
        return Err(StoreError::Stale);
    }
    let before = row.clone();
    if let Some(name) = name {
        row.name = name.as_str().to_owned();
    }
    if let Some(description) = description {
        row.description = description.as_str().to_owned();
    }
    if standard_version_id.is_some() {
        row.standard_version_id = standard_version_id;
    }
    // An update that changes nothing keeps the revision: a client holding it is not stale.
    if row == before {
        txn.commit().await?;
        return row.try_into();
    }
    row.revision += 1;
    row.updated_at = now();
    programs::Entity::update_many()
        .set(programs::ActiveModel {
            name: Set(row.name.clone()),
            description: Set(row.description.clone()),
            standard_version_id: Set(row.standard_version_id),
            revision: Set(row.revision),
            updated_at: Set(row.updated_at),
            ..Default::default()
        })
        .filter(programs::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    row.try_into()
}

/// Sets the currency of the program's outcome entries, bumping the revision (unless it is
/// already the program's currency: then nothing changes).
///
/// # Errors
/// [`StoreError::NotFound`], or [`StoreError::Conflict`]`("outcomes recorded")` when any
/// client of the program has an outcome entry: its amounts are minor units of the
/// currency it was entered in.
pub async fn set_currency(
    db: &impl Conn,
    program_id: Uuid,
    currency: Currency,
) -> Result<Program, StoreError> {
    let txn = begin_write(db).await?;
    let mut row = programs::Entity::find_by_id(program_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    if row.currency == currency.code() {
        txn.commit().await?;
        return row.try_into();
    }
    let of_program = clients::Entity::find()
        .select_only()
        .column(clients::Column::ProspectId)
        .filter(clients::Column::ProgramId.eq(program_id))
        .into_query();
    let recorded = outcome_entries::Entity::find()
        .select_only()
        .column(outcome_entries::Column::Id)
        .filter(outcome_entries::Column::ProspectId.in_subquery(of_program))
        .limit(1)
        .into_tuple::<Uuid>()
        .one(&txn)
        .await?;
    if recorded.is_some() {
        return Err(StoreError::Conflict("outcomes recorded"));
    }
    row.currency = currency.code().to_owned();
    row.revision += 1;
    row.updated_at = now();
    programs::Entity::update_many()
        .set(programs::ActiveModel {
            currency: Set(row.currency.clone()),
            revision: Set(row.revision),
            updated_at: Set(row.updated_at),
            ..Default::default()
        })
        .filter(programs::Column::Id.eq(program_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    row.try_into()
}

/// Archives the program, bumping its revision: it stays readable, and takes no new invite,
/// prospect or qualification (its invites stop working: [`crate::invites`]). Archiving
/// twice keeps the first time and changes nothing.
///
/// # Errors
/// [`StoreError::NotFound`] when there is no such program.
pub async fn archive_program(
    db: &impl Conn,
    program_id: Uuid,
    at: DateTime<Utc>,
) -> Result<Program, StoreError> {
    let txn = begin_write(db).await?;
    let mut row = programs::Entity::find_by_id(program_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    if row.archived_at.is_some() {
        txn.commit().await?;
        return row.try_into();
    }
    row.archived_at = Some(micros(at));
    row.revision += 1;
    row.updated_at = now();
    programs::Entity::update_many()
        .set(programs::ActiveModel {
            archived_at: Set(row.archived_at),
            revision: Set(row.revision),
            updated_at: Set(row.updated_at),
            ..Default::default()
        })
        .filter(programs::Column::Id.eq(program_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    row.try_into()
}
