//! Bulk inserts of complete records, for the benchmark's data generator and the demo's
//! year of history.
//!
//! Each function writes all its records in one write transaction ([`begin_write`]), as
//! multi-row `INSERT`s of [`ROWS_PER_STATEMENT`] rows: one statement and no round trip per
//! row. The records are written as given (ids, timestamps, statuses and the prospects'
//! `latest_qualification_id` included), so the caller must hand in a consistent world:
//! parents before children, and a prospect's cached latest qualification among its own.
//! Nothing here runs on a request path.

use std::collections::{BTreeSet, HashMap};

use domain::{BasisPoints, CriterionKey, DisplayName, Email};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;
use uuid::Uuid;

use crate::Conn;
use crate::StoreError;
use crate::codes::{Code, JSON_FORMAT, int};
use crate::connect::begin_write;
use crate::decisions::DecisionRecord;
use crate::entity::{
    client_intake_points, clients, decisions, enrollments, exception_requests, outcome_entries,
    prospects, qualifications, settings,
};
use crate::error::json_error;
use crate::exceptions::ExceptionRequest;
use crate::programs::Enrollment;
use crate::prospects::{Prospect, latest_columns, name_key};
use crate::qualifications::Qualification;
use crate::users::{Role, User};

/// Rows per `INSERT`: 19 columns x 500 rows stays far below SQLite's 32766 and
/// PostgreSQL's 65535 bound parameters, and large enough that parsing and the round
/// trip are a small share of the cost.
pub const ROWS_PER_STATEMENT: usize = 500;

/// Creates users (all with the same password hash) in one transaction, through
/// [`users::create_user`](crate::users::create_user) so that every column gets its default:
/// one statement per user, which is fine for the few thousand a world has.
///
/// # Errors
/// [`StoreError::Conflict`] when an email is taken; nothing is written.
pub async fn create_users(
    db: &impl Conn,
    people: &[(Email, DisplayName, Role)],
    password_hash: &str,
) -> Result<Vec<User>, StoreError> {
    let txn = begin_write(db).await?;
    let mut created = Vec::with_capacity(people.len());
    for (email, name, role) in people {
        created.push(crate::users::create_user(&txn, email, name, *role, password_hash).await?);
    }
    txn.commit().await?;
    Ok(created)
}

/// Inserts enrollments of mentees in programs.
///
/// # Errors
/// [`StoreError::Db`] when the database fails; nothing is written.
pub async fn insert_enrollments(db: &impl Conn, records: &[Enrollment]) -> Result<(), StoreError> {
    insert_all::<enrollments::Entity, _, _>(db, records, |e| {
        Ok(enrollments::ActiveModel::from(enrollments::Model {
            id: e.id,
            program_id: e.program_id,
            mentee_id: e.mentee_id,
            created_at: e.created_at,
            removed_at: e.removed_at,
        }))
    })
    .await
}

/// Inserts prospects exactly as given.
///
/// # Errors
/// [`StoreError::Db`] when the database fails; nothing is written.
pub async fn insert_prospects(db: &impl Conn, records: &[Prospect]) -> Result<(), StoreError> {
    insert_all::<prospects::Entity, _, _>(db, records, |p| {
        let (latest_score_bp, latest_tier, latest_verdict) = latest_columns(p.latest);
        Ok(prospects::ActiveModel::from(prospects::Model {
            id: p.id,
            owner_id: p.owner_id,
            program_id: p.program_id,
            name: p.name.clone(),
            company: p.company.clone(),
            notes: p.notes.clone(),
            status: p.status.code().to_owned(),
            archived_at: p.archived_at,
            latest_qualification_id: p.latest_qualification_id,
            requalify_by: p.requalify_by,
            created_at: p.created_at,
            updated_at: p.updated_at,
            revision: p.revision,
            name_key: name_key(&p.name),
            latest_score_bp,
            latest_tier,
            latest_verdict,
        }))
    })
    .await
}

/// Inserts qualifications (their prospects must exist), stored the way
/// `qualifications::insert_qualification` stores one.
///
/// # Errors
/// [`StoreError::Db`] when the database fails; nothing is written.
pub async fn insert_qualifications(
    db: &impl Conn,
    records: &[Qualification],
) -> Result<(), StoreError> {
    let programs = programs_of(db, records.iter().map(|q| q.prospect_id)).await?;
    insert_all::<qualifications::Entity, _, _>(db, records, |q| {
        let new = crate::NewQualification {
            prospect_id: q.prospect_id,
            template_version_id: q.template_version_id,
            qualified_by: q.qualified_by,
            answers: &q.answers,
            outlook: q.outlook.as_ref(),
            result: &q.result,
            evidence: &q.evidence,
        };
        let row = crate::qualifications::row(
            q.id,
            program(&programs, q.prospect_id)?,
            new,
            q.created_at,
            q.api_key_id,
        )?;
        Ok(qualifications::ActiveModel::from(row))
    })
    .await
}

/// Inserts decisions (their prospects and qualifications must exist); an exception's
/// request goes in with [`insert_exception_requests`].
///
/// # Errors
/// [`StoreError::Db`] when the database fails; nothing is written.
pub async fn insert_decisions(
    db: &impl Conn,
    records: &[DecisionRecord],
) -> Result<(), StoreError> {
    let programs = programs_of(db, records.iter().map(|d| d.prospect_id)).await?;
    insert_all::<decisions::Entity, _, _>(db, records, |d| {
        Ok(decisions::ActiveModel::from(decisions::Model {
            id: d.id,
            prospect_id: d.prospect_id,
            program_id: program(&programs, d.prospect_id)?,
            api_key_id: d.api_key_id,
            qualification_id: d.qualification_id,
            decided_by: d.decided_by,
            decision: d.decision.code().to_owned(),
            reason: d.reason.clone(),
            bias_check: d.bias_check.as_ref().map(json).transpose()?,
            is_exception: d.is_exception,
            created_at: d.created_at,
            json_format: JSON_FORMAT,
        }))
    })
    .await
}

/// Inserts exception requests exactly as given (their decisions must exist).
///
/// # Errors
/// [`StoreError::Db`] when the database fails; nothing is written.
pub async fn insert_exception_requests(
    db: &impl Conn,
    records: &[ExceptionRequest],
) -> Result<(), StoreError> {
    insert_all::<exception_requests::Entity, _, _>(db, records, |r| {
        Ok(exception_requests::ActiveModel::from(
            exception_requests::Model {
                id: r.id,
                decision_id: r.decision_id,
                prospect_id: r.prospect_id,
                program_id: r.program_id,
                status: r.status.code().to_owned(),
                reviewer_id: r.reviewer_id,
                note: r.note.clone(),
                reviewed_at: r.reviewed_at,
                created_at: r.created_at,
            },
        ))
    })
    .await
}

/// A client as [`insert_clients`] writes it: the record the store reads back.
pub type ClientRow = crate::Client;

/// An outcome entry as [`insert_outcomes`] writes it: the record the store reads back.
pub type OutcomeRow = crate::OutcomeRecord;

/// Inserts clients exactly as given (their prospects, decisions and intake qualifications
/// must exist); their intake points go in with [`insert_intake_points`].
///
/// # Errors
/// [`StoreError::Db`] when the database fails; nothing is written.
pub async fn insert_clients(db: &impl Conn, records: &[ClientRow]) -> Result<(), StoreError> {
    insert_all::<clients::Entity, _, _>(db, records, |c| {
        Ok(clients::ActiveModel::from(clients::Model {
            prospect_id: c.prospect_id,
            program_id: c.program_id,
            owner_id: c.owner_id,
            decision_id: c.decision_id,
            intake_qualification_id: c.intake_qualification_id,
            intake_version_id: c.intake_version_id,
            intake_tier: c.intake.tier.code().to_owned(),
            intake_verdict: c.intake.verdict.code().to_owned(),
            intake_path: c.intake.path.code().to_owned(),
            taken_on: c.taken_on,
            ended_reason: c.end.as_ref().map(|e| e.reason.code().to_owned()),
            ended_on: c.end.as_ref().map(|e| e.on),
            end_note: c.end.as_ref().and_then(|e| e.note.clone()),
            revision: c.revision,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }))
    })
    .await
}

/// Inserts clients' intake points: (client's prospect id, its program, criterion, points).
///
/// # Errors
/// [`StoreError::Db`] when the database fails; nothing is written.
pub async fn insert_intake_points(
    db: &impl Conn,
    records: &[(uuid::Uuid, uuid::Uuid, CriterionKey, BasisPoints)],
) -> Result<(), StoreError> {
    insert_all::<client_intake_points::Entity, _, _>(
        db,
        records,
        |(client, program, key, points)| {
            Ok(client_intake_points::ActiveModel::from(
                client_intake_points::Model {
                    prospect_id: *client,
                    program_id: *program,
                    criterion_key: key.as_str().to_owned(),
                    points_bp: int(*points),
                },
            ))
        },
    )
    .await
}

/// Inserts outcome entries exactly as given (their clients must exist; one per client and
/// month).
///
/// # Errors
/// [`StoreError::Db`] when the database fails; nothing is written.
pub async fn insert_outcomes(db: &impl Conn, records: &[OutcomeRow]) -> Result<(), StoreError> {
    insert_all::<outcome_entries::Entity, _, _>(db, records, |o| {
        Ok(outcome_entries::ActiveModel::from(outcome_entries::Model {
            id: o.id,
            prospect_id: o.prospect_id,
            program_id: o.program_id,
            month: o.month.index(),
            revenue_minor: o.revenue_minor,
            hours_hundredths: o.hours.map(|h| int(h.hundredths())),
            custom_hours_hundredths: o.custom_hours.map(|h| int(h.hundredths())),
            energy: int(o.energy),
            note: o.note.clone(),
            revision: o.revision,
            created_at: o.created_at,
            updated_at: o.updated_at,
        }))
    })
    .await
}

/// A UUID v7 of the moment `at`, for records written as history: ids sort by creation
/// time, as the keyset pages expect.
pub fn id_at(at: chrono::DateTime<chrono::Utc>) -> uuid::Uuid {
    let secs = u64::try_from(at.timestamp()).unwrap_or(0);
    let ts = uuid::Timestamp::from_unix(uuid::NoContext, secs, at.timestamp_subsec_nanos());
    uuid::Uuid::new_v7(ts)
}

/// One transaction, one multi-row `INSERT` per [`ROWS_PER_STATEMENT`] records.
async fn insert_all<E, R, F>(db: &impl Conn, records: &[R], to_row: F) -> Result<(), StoreError>
where
    E: EntityTrait,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
    F: Fn(&R) -> Result<E::ActiveModel, StoreError>,
{
    if records.is_empty() {
        return Ok(());
    }
    let txn = begin_write(db).await?;
    for chunk in records.chunks(ROWS_PER_STATEMENT) {
        let rows = chunk.iter().map(&to_row).collect::<Result<Vec<_>, _>>()?;
        insert_chunk::<E>(&txn, rows).await?;
    }
    txn.commit().await?;
    Ok(())
}

async fn insert_chunk<E>(txn: &impl Conn, rows: Vec<E::ActiveModel>) -> Result<(), StoreError>
where
    E: EntityTrait,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    E::insert_many(rows).exec_without_returning(txn).await?;
    Ok(())
}

/// The programs of the prospects `ids` (which must exist), a few hundred per statement.
async fn programs_of(
    db: &impl Conn,
    ids: impl Iterator<Item = Uuid>,
) -> Result<HashMap<Uuid, Uuid>, StoreError> {
    let ids: BTreeSet<Uuid> = ids.collect();
    let ids: Vec<Uuid> = ids.into_iter().collect();
    let mut programs = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(ROWS_PER_STATEMENT) {
        let rows: Vec<(Uuid, Uuid)> = prospects::Entity::find()
            .select_only()
            .columns([prospects::Column::Id, prospects::Column::ProgramId])
            .filter(prospects::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        programs.extend(rows);
    }
    Ok(programs)
}

/// The program of prospect `id` in `programs`; a record whose prospect was not written is
/// an error, as its foreign key would be.
fn program(programs: &HashMap<Uuid, Uuid>, id: Uuid) -> Result<Uuid, StoreError> {
    programs.get(&id).copied().ok_or(StoreError::NotFound)
}

fn json(value: &impl Serialize) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(value).map_err(json_error)
}

/// The setting that marks a database as holding a complete generated world.
const GENERATED: &str = "bench_generated_qualifications";

/// How many qualifications the generator put here, once it finished; `None` before.
///
/// # Errors
/// [`StoreError::Db`] when the query fails.
pub async fn generated(db: &impl Conn) -> Result<Option<u64>, StoreError> {
    let row = settings::Entity::find_by_id(GENERATED.to_owned())
        .one(db)
        .await?;
    Ok(row.and_then(|r| r.value.parse().ok()))
}

/// Marks the generated world as complete (written last, so a partial one has no mark).
///
/// # Errors
/// [`StoreError::Db`] when the write fails.
pub async fn mark_generated(db: &impl Conn, qualifications: u64) -> Result<(), StoreError> {
    settings::Entity::insert(settings::ActiveModel::from(settings::Model {
        key: GENERATED.to_owned(),
        value: qualifications.to_string(),
    }))
    .exec_without_returning(db)
    .await?;
    Ok(())
}
