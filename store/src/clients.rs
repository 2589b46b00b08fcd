//! Clients: prospects with an effective take-on, their intake (written by `decisions` and
//! `exceptions` with the take-on) and how they ended.

use chrono::{DateTime, NaiveDate, Utc};
use domain::{EndReason, Intake, LongText, Month, Path, Tier, Verdict, check_end};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::Conn;
use crate::StoreError;
use crate::clock::now;
use crate::codes::Code;
use crate::connect::begin_write;
use crate::entity::{clients, outcome_entries};

/// A prospect taken on, with what the method predicted at its take-on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub prospect_id: Uuid,
    pub program_id: Uuid,
    /// The mentee who owns the prospect.
    pub owner_id: Uuid,
    /// The decision that took it on (for an exception: the one the mentor approved).
    pub decision_id: Uuid,
    pub intake_qualification_id: Uuid,
    pub intake_version_id: Uuid,
    pub intake: Intake,
    pub taken_on: NaiveDate,
    /// `None` while the client lasts.
    pub end: Option<ClientEnd>,
    pub revision: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// How and when a client ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientEnd {
    pub reason: EndReason,
    pub on: NaiveDate,
    pub note: Option<String>,
}

impl TryFrom<clients::Model> for Client {
    type Error = StoreError;

    fn try_from(row: clients::Model) -> Result<Self, StoreError> {
        let end = match (row.ended_reason, row.ended_on) {
            (Some(reason), Some(on)) => Some(ClientEnd {
                reason: EndReason::from_code(&reason)?,
                on,
                note: row.end_note,
            }),
            (None, None) => None,
            _ => {
                let what = format_args!("client {} end", row.prospect_id);
                return Err(StoreError::corrupt(what));
            }
        };
        Ok(Client {
            prospect_id: row.prospect_id,
            program_id: row.program_id,
            owner_id: row.owner_id,
            decision_id: row.decision_id,
            intake_qualification_id: row.intake_qualification_id,
            intake_version_id: row.intake_version_id,
            intake: Intake {
                tier: Tier::from_code(&row.intake_tier)?,
                verdict: Verdict::from_code(&row.intake_verdict)?,
                path: Path::from_code(&row.intake_path)?,
            },
            taken_on: row.taken_on,
            end,
            revision: row.revision,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// The clients among `prospect_ids` (prospects never taken on have none), in one query.
///
/// # Errors
/// [`StoreError::Db`] when the query fails or a row does not read back.
pub async fn clients_by_prospect_ids(
    db: &impl Conn,
    prospect_ids: &[Uuid],
) -> Result<Vec<Client>, StoreError> {
    if prospect_ids.is_empty() {
        return Ok(Vec::new());
    }
    clients::Entity::find()
        .filter(clients::Column::ProspectId.is_in(prospect_ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(Client::try_from)
        .collect()
}

/// Ends a client on `on` for `reason`, bumping its revision.
///
/// # Errors
/// - [`StoreError::NotFound`] when the prospect is not a client;
/// - [`StoreError::Stale`] when `expected_revision` is given and is not the stored one;
/// - [`StoreError::Conflict`]`("already ended")` when it has ended before;
/// - [`StoreError::Invalid`] when `on` is before the take-on or after `today`
///   (`domain::check_end`);
/// - [`StoreError::Conflict`]`("outcomes after the end")` when it has an outcome entry for
///   a month after the month of `on`.
pub async fn end_client(
    db: &impl Conn,
    prospect_id: Uuid,
    reason: EndReason,
    on: NaiveDate,
    note: Option<&LongText>,
    expected_revision: Option<i32>,
    today: NaiveDate,
) -> Result<Client, StoreError> {
    let txn = begin_write(db).await?;
    let row = clients::Entity::find_by_id(prospect_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    if expected_revision.is_some_and(|expected| expected != row.revision) {
        return Err(StoreError::Stale);
    }
    if row.ended_on.is_some() {
        return Err(StoreError::Conflict("already ended"));
    }
    check_end(row.taken_on, on, today).map_err(StoreError::Invalid)?;
    let later = outcome_entries::Entity::find()
        .select_only()
        .column(outcome_entries::Column::Id)
        .filter(outcome_entries::Column::ProspectId.eq(prospect_id))
        .filter(outcome_entries::Column::Month.gt(Month::of(on).index()))
        .limit(1)
        .into_tuple::<Uuid>()
        .one(&txn)
        .await?;
    if later.is_some() {
        return Err(StoreError::Conflict("outcomes after the end"));
    }
    let row = clients::Model {
        ended_reason: Some(reason.code().to_owned()),
        ended_on: Some(on),
        end_note: note.map(|n| n.as_str().to_owned()),
        revision: row.revision + 1,
        updated_at: now(),
        ..row
    };
    clients::Entity::update_many()
        .set(clients::ActiveModel {
            ended_reason: Set(row.ended_reason.clone()),
            ended_on: Set(row.ended_on),
            end_note: Set(row.end_note.clone()),
            revision: Set(row.revision),
            updated_at: Set(row.updated_at),
            ..Default::default()
        })
        .filter(clients::Column::ProspectId.eq(prospect_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    row.try_into()
}
