//! Mentees enrolled in programs. Removing a mentee keeps the row (`removed_at`), so that
//! re-enrolling reactivates it; an invite code made before the removal never does (the
//! mentee would otherwise walk back in with the code they were removed with).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait};
use uuid::Uuid;

use crate::Conn;
use crate::StoreError;
use crate::clock::{micros, now};
use crate::connect::begin_write;
use crate::entity::{enrollments, users};
use crate::error::unique;
use crate::invites::redeem_invite;
use crate::page::{Keyset, Order, Page, PageRequest, fetch_page};
use crate::programs::{Program, program_by_id};
use crate::users::User;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrollment {
    pub id: Uuid,
    pub program_id: Uuid,
    pub mentee_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub removed_at: Option<DateTime<Utc>>,
}

impl From<enrollments::Model> for Enrollment {
    fn from(row: enrollments::Model) -> Self {
        Enrollment {
            id: row.id,
            program_id: row.program_id,
            mentee_id: row.mentee_id,
            created_at: row.created_at,
            removed_at: row.removed_at,
        }
    }
}

/// Enrolls the mentee, or reactivates an enrollment that was removed.
///
/// # Errors
/// [`StoreError::Conflict`]`("enrollment")` when the mentee is already enrolled.
pub async fn enroll(
    db: &impl Conn,
    program_id: Uuid,
    mentee_id: Uuid,
) -> Result<Enrollment, StoreError> {
    enroll_after(db, program_id, mentee_id, None).await
}

/// [`enroll`], refusing to reactivate an enrollment removed at or after `made_at` (the time
/// the invite being used was created).
///
/// # Errors
/// [`StoreError::Conflict`]`("enrollment")` when the mentee is already enrolled,
/// [`StoreError::Conflict`]`("removed enrollment")` when they were removed after `made_at`.
async fn enroll_after(
    db: &impl Conn,
    program_id: Uuid,
    mentee_id: Uuid,
    made_at: Option<DateTime<Utc>>,
) -> Result<Enrollment, StoreError> {
    let txn = begin_write(db).await?;
    let existing = enrollments::Entity::find()
        .filter(enrollments::Column::ProgramId.eq(program_id))
        .filter(enrollments::Column::MenteeId.eq(mentee_id))
        .lock_exclusive()
        .one(&txn)
        .await?;
    let enrollment = match existing {
        Some(row) if row.removed_at.is_none() => return Err(StoreError::Conflict("enrollment")),
        Some(row)
            if made_at
                .is_some_and(|made| row.removed_at.is_some_and(|removed| made <= removed)) =>
        {
            return Err(StoreError::Conflict("removed enrollment"));
        }
        Some(mut row) => {
            enrollments::Entity::update_many()
                .col_expr(
                    enrollments::Column::RemovedAt,
                    Expr::value(None::<DateTime<Utc>>),
                )
                .filter(enrollments::Column::Id.eq(row.id))
                .exec(&txn)
                .await?;
            row.removed_at = None;
            row
        }
        None => {
            let row = enrollments::Model {
                id: Uuid::now_v7(),
                program_id,
                mentee_id,
                created_at: now(),
                removed_at: None,
            };
            enrollments::Entity::insert(enrollments::ActiveModel::from(row.clone()))
                .exec_without_returning(&txn)
                .await
                .map_err(unique("enrollment"))?;
            row
        }
    };
    txn.commit().await?;
    Ok(enrollment.into())
}

/// Uses an invite code and enrolls the mentee in its program, atomically: a refused
/// enrollment does not use up the invite.
///
/// # Errors
/// [`StoreError::NotFound`] when no usable invite has this code,
/// [`StoreError::Conflict`]`("enrollment")` when the mentee is already enrolled,
/// [`StoreError::Conflict`]`("removed enrollment")` when the mentee was removed from the
/// program after the invite was made (only a newer invite lets them back in).
pub async fn join_with_invite(
    db: &impl Conn,
    mentee_id: Uuid,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Program, StoreError> {
    let txn = begin_write(db).await?;
    let program = join(&txn, mentee_id, code, now).await?;
    txn.commit().await?;
    Ok(program)
}

/// [`join_with_invite`] inside the caller's write transaction.
pub(crate) async fn join<C>(
    txn: &C,
    mentee_id: Uuid,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Program, StoreError>
where
    C: Conn,
{
    let invite = redeem_invite(txn, code, now).await?;
    enroll_after(txn, invite.program_id, mentee_id, Some(invite.created_at)).await?;
    program_by_id(txn, invite.program_id)
        .await?
        .ok_or(StoreError::NotFound)
}

/// The mentee's active enrollment in the program, if any.
///
/// # Errors
/// [`StoreError::Db`] when the query fails.
pub async fn enrollment(
    db: &impl Conn,
    program_id: Uuid,
    mentee_id: Uuid,
) -> Result<Option<Enrollment>, StoreError> {
    Ok(enrollments::Entity::find()
        .filter(enrollments::Column::ProgramId.eq(program_id))
        .filter(enrollments::Column::MenteeId.eq(mentee_id))
        .filter(enrollments::Column::RemovedAt.is_null())
        .one(db)
        .await?
        .map(Into::into))
}

/// Ends the mentee's active enrollment.
///
/// # Errors
/// [`StoreError::NotFound`] when the mentee is not actively enrolled.
pub async fn remove_enrollment(
    db: &impl Conn,
    program_id: Uuid,
    mentee_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let result = enrollments::Entity::update_many()
        .col_expr(enrollments::Column::RemovedAt, Expr::value(micros(now)))
        .filter(enrollments::Column::ProgramId.eq(program_id))
        .filter(enrollments::Column::MenteeId.eq(mentee_id))
        .filter(enrollments::Column::RemovedAt.is_null())
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Ids of the programs the mentee is actively enrolled in.
///
/// # Errors
/// [`StoreError::Db`] when the query fails.
pub async fn mentee_program_ids(db: &impl Conn, mentee_id: Uuid) -> Result<Vec<Uuid>, StoreError> {
    Ok(enrollments::Entity::find()
        .select_only()
        .column(enrollments::Column::ProgramId)
        .filter(enrollments::Column::MenteeId.eq(mentee_id))
        .filter(enrollments::Column::RemovedAt.is_null())
        .into_tuple::<Uuid>()
        .all(db)
        .await?)
}

/// The program's actively enrolled mentees, keyed on user id.
///
/// # Errors
/// [`StoreError::Db`] when the query fails.
pub async fn mentees_page(
    db: &impl Conn,
    program_id: Uuid,
    request: PageRequest,
) -> Result<Page<User>, StoreError> {
    let enrolled = enrollments::Entity::find()
        .select_only()
        .column(enrollments::Column::MenteeId)
        .filter(enrollments::Column::ProgramId.eq(program_id))
        .filter(enrollments::Column::RemovedAt.is_null())
        .into_query();
    let select = users::Entity::find().filter(users::Column::Id.in_subquery(enrolled));
    let page = fetch_page(
        db,
        select,
        Keyset::by_id(users::Column::Id, Order::Asc),
        &request,
    )
    .await?;
    page.try_map(User::try_from)
}

/// One page of the program's memberships (enrollments), in the order the mentees first
/// joined; removed ones only with `include_removed`.
///
/// # Errors
/// [`StoreError::Db`] when a query fails.
pub async fn memberships_page(
    db: &impl Conn,
    program_id: Uuid,
    include_removed: bool,
    request: PageRequest,
) -> Result<Page<Enrollment>, StoreError> {
    let mut select =
        enrollments::Entity::find().filter(enrollments::Column::ProgramId.eq(program_id));
    if !include_removed {
        select = select.filter(enrollments::Column::RemovedAt.is_null());
    }
    let keyset = Keyset::by_id(enrollments::Column::Id, Order::Asc);
    let page = fetch_page(db, select, keyset, &request).await?;
    page.try_map(|row| Ok(row.into()))
}
