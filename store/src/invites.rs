//! Invite codes that let a mentee join a program.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};
use uuid::Uuid;

use crate::Conn;
use crate::StoreError;
use crate::clock::{micros, now};
use crate::connect::begin_write;
use crate::entity::{invites, programs};
use crate::error::unique;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    pub id: Uuid,
    pub program_id: Uuid,
    pub code: String,
    pub max_uses: Option<i32>,
    pub uses: i32,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<invites::Model> for Invite {
    fn from(row: invites::Model) -> Self {
        Invite {
            id: row.id,
            program_id: row.program_id,
            code: row.code,
            max_uses: row.max_uses,
            uses: row.uses,
            expires_at: row.expires_at,
            revoked_at: row.revoked_at,
            created_at: row.created_at,
        }
    }
}

/// Creates an unused invite.
///
/// # Errors
/// [`StoreError::Conflict`]`("invite code")` when the code exists already.
pub async fn create_invite(
    db: &impl Conn,
    program_id: Uuid,
    created_by: Uuid,
    code: &str,
    max_uses: Option<i32>,
    expires_at: Option<DateTime<Utc>>,
) -> Result<Invite, StoreError> {
    let row = invites::Model {
        id: Uuid::now_v7(),
        program_id,
        code: code.to_owned(),
        max_uses,
        uses: 0,
        expires_at: expires_at.map(micros),
        revoked_at: None,
        created_by,
        created_at: now(),
    };
    invites::Entity::insert(invites::ActiveModel::from(row.clone()))
        .exec_without_returning(db)
        .await
        .map_err(unique("invite code"))?;
    Ok(row.into())
}

/// # Errors
/// [`StoreError::Db`] when the query fails.
pub async fn invite_by_id(db: &impl Conn, id: Uuid) -> Result<Option<Invite>, StoreError> {
    Ok(invites::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(Into::into))
}

/// The invites among `ids` that exist, in one query.
///
/// # Errors
/// [`StoreError::Db`] when the query fails.
pub async fn invites_by_ids(db: &impl Conn, ids: &[Uuid]) -> Result<Vec<Invite>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = invites::Entity::find()
        .filter(invites::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Every invite of the program, oldest first.
///
/// # Errors
/// [`StoreError::Db`] when the query fails.
pub async fn invites_of_program(
    db: &impl Conn,
    program_id: Uuid,
) -> Result<Vec<Invite>, StoreError> {
    let rows = invites::Entity::find()
        .filter(invites::Column::ProgramId.eq(program_id))
        .order_by_asc(invites::Column::Id)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Whether an invite with this code is usable at `now` (not revoked, not expired, below
/// `max_uses`), without using it: a cheap check before work that an unusable code must not
/// cause (hashing a password, looking at an e-mail address). [`redeem_invite`] checks
/// again when it counts the use.
///
/// # Errors
/// [`StoreError::Db`] when the query fails.
pub async fn invite_usable(
    db: &impl Conn,
    code: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let found = invites::Entity::find()
        .select_only()
        .column(invites::Column::Id)
        .filter(usable(code, micros(now)))
        .into_tuple::<Uuid>()
        .one(db)
        .await?;
    Ok(found.is_some())
}

/// Not revoked, not expired, below its uses, and its program not archived.
fn usable(code: &str, now: DateTime<Utc>) -> Condition {
    let open_programs = programs::Entity::find()
        .select_only()
        .column(programs::Column::Id)
        .filter(programs::Column::ArchivedAt.is_null())
        .into_query();
    Condition::all()
        .add(invites::Column::Code.eq(code))
        .add(invites::Column::RevokedAt.is_null())
        .add(invites::Column::ProgramId.in_subquery(open_programs))
        .add(
            Condition::any()
                .add(invites::Column::ExpiresAt.is_null())
                .add(invites::Column::ExpiresAt.gt(now)),
        )
        .add(
            Condition::any()
                .add(invites::Column::MaxUses.is_null())
                .add(Expr::col(invites::Column::Uses).lt(Expr::col(invites::Column::MaxUses))),
        )
}

/// Uses the invite once, if it is still usable at `now`: not revoked, not expired, and
/// below `max_uses`. The check and the count are one conditional `UPDATE`, so concurrent
/// redemptions can never exceed `max_uses`.
///
/// # Errors
/// [`StoreError::NotFound`] when no usable invite has this code.
pub async fn redeem_invite(
    db: &impl Conn,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Invite, StoreError> {
    let now = micros(now);
    let txn = begin_write(db).await?;
    let result = invites::Entity::update_many()
        .col_expr(
            invites::Column::Uses,
            Expr::col(invites::Column::Uses).add(1),
        )
        .filter(usable(code, now))
        .exec(&txn)
        .await?;
    if result.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    let invite = invites::Entity::find()
        .filter(invites::Column::Code.eq(code))
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    txn.commit().await?;
    Ok(invite.into())
}

/// Revokes the invite; revoking twice keeps the first time.
///
/// # Errors
/// [`StoreError::NotFound`] when there is no such invite.
pub async fn revoke_invite(
    db: &impl Conn,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<Invite, StoreError> {
    let txn = begin_write(db).await?;
    invites::Entity::update_many()
        .col_expr(invites::Column::RevokedAt, Expr::value(micros(now)))
        .filter(invites::Column::Id.eq(id))
        .filter(invites::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    let invite = invites::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    txn.commit().await?;
    Ok(invite.into())
}
