//! The intake of a client, written in the transaction of its effective take-on (a
//! `TAKE_ON` decision, or the approval of its exception): the decision's qualification's
//! tier, verdict and version, the path its verdict gives, and its points per criterion.
//! The intake is fixed at the first effective take-on: a later one leaves it as it is.

use chrono::NaiveDate;
use domain::{Assessment, Path, Verdict};
use sea_orm::EntityTrait;
use sea_orm::TryInsertResult;
use uuid::Uuid;

use crate::Conn;
use crate::StoreError;
use crate::clock::now;
use crate::codes::{Code, int, json_format};
use crate::entity::{client_intake_points, clients, prospects, qualifications};
use crate::error::json_error;

/// Makes the prospect a client with the intake of `qualification_id`, unless it is one
/// already. `prospect` is the prospect's row, locked by the caller's transaction.
///
/// # Errors
/// [`StoreError::NotFound`] when the qualification does not exist;
/// [`StoreError::Db`] when the database fails or its stored row does not read back.
pub(crate) async fn take_on(
    txn: &impl Conn,
    prospect: &prospects::Model,
    decision_id: Uuid,
    qualification_id: Uuid,
    taken_on: NaiveDate,
) -> Result<(), StoreError> {
    let qualification = qualifications::Entity::find_by_id(qualification_id)
        .one(txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    json_format("qualifications", qualification.json_format)?;
    let assessment: Assessment =
        serde_json::from_value(qualification.explanation).map_err(json_error)?;
    let verdict = Verdict::from_code(&qualification.verdict)?;
    let at = now();
    let client = clients::Model {
        prospect_id: prospect.id,
        program_id: prospect.program_id,
        owner_id: prospect.owner_id,
        decision_id,
        intake_qualification_id: qualification_id,
        intake_version_id: qualification.template_version_id,
        intake_tier: assessment.tier.code().to_owned(),
        intake_verdict: verdict.code().to_owned(),
        intake_path: Path::of(verdict).code().to_owned(),
        taken_on,
        ended_reason: None,
        ended_on: None,
        end_note: None,
        revision: 1,
        created_at: at,
        updated_at: at,
    };
    let inserted = clients::Entity::insert(clients::ActiveModel::from(client))
        .on_conflict_do_nothing_on([clients::Column::ProspectId])
        .exec_without_returning(txn)
        .await?;
    if !matches!(inserted, TryInsertResult::Inserted(rows) if rows > 0) {
        // Taken on before: its intake stays the first one.
        return Ok(());
    }
    let points: Vec<_> = assessment
        .explanation
        .iter()
        .map(|c| {
            client_intake_points::ActiveModel::from(client_intake_points::Model {
                prospect_id: prospect.id,
                program_id: prospect.program_id,
                criterion_key: c.key.as_str().to_owned(),
                points_bp: int(c.points_bp),
            })
        })
        .collect();
    if !points.is_empty() {
        client_intake_points::Entity::insert_many(points)
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}
