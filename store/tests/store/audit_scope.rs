//! The audit log's scope (`program_id`, `subject_id`): rows written before the columns are
//! backfilled by object type when migration `m20261204_000010_audit_scope` runs, and rows
//! written since carry it from `store::audit::record`.

use chrono::Utc;
use domain::{Decision, DecisionOutcome, ProspectStatus};
use migration::MigratorTrait;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Query};
use store::Db;
use store::NewDecision;
use store::audit::{entries_for_object, record};
use store::decisions::record_decision;
use store::programs::{enroll, remove_enrollment};
use store::prospects::create_prospect;
use store::qualifications::{NewQualification, insert_qualification};
use store::users::Role;
use uuid::Uuid;

use crate::support::{display_name, fresh_db, program_with_standard, qualify, user};

const MIGRATION: &str = "m20261204_000010_audit_scope";

/// An entry as the code before the columns wrote it.
async fn old_entry(db: &Db, actor: Uuid, action: &str, object_type: &str, object: Uuid) -> Uuid {
    let id = Uuid::now_v7();
    let insert = Query::insert()
        .into_table(Alias::new("audit_log"))
        .columns(
            [
                "id",
                "actor_id",
                "action",
                "object_type",
                "object_id",
                "created_at",
            ]
            .map(Alias::new),
        )
        .values_panic([
            id.into(),
            actor.into(),
            action.into(),
            object_type.into(),
            object.into(),
            Utc::now().into(),
        ])
        .to_owned();
    db.execute(&insert).await.unwrap();
    id
}

/// (program, subject) of the one entry about `object` with `action`.
async fn scope(db: &Db, object: Uuid, action: &str) -> (Option<Uuid>, Option<Uuid>) {
    let entries = entries_for_object(db, object).await.unwrap();
    let found: Vec<_> = entries.iter().filter(|e| e.action == action).collect();
    assert_eq!(found.len(), 1, "{action}: {entries:?}");
    (found[0].program_id, found[0].subject_id)
}

#[tokio::test]
async fn rows_from_before_the_scope_columns_are_backfilled_by_object_type() {
    let (db, _guard) = fresh_db().await;
    let mentor = user(&db, Role::Mentor).await;
    let mentee = user(&db, Role::Mentee).await;
    let (program, version) = program_with_standard(&db, &mentor).await;
    enroll(&db, program.id, mentee.id).await.unwrap();
    let prospect = create_prospect(
        &db,
        mentee.id,
        program.id,
        &display_name("Acme"),
        None,
        None,
    )
    .await
    .unwrap();
    let (answers, result) = qualify(&version.definition, true);
    let qualification = insert_qualification(
        &db,
        NewQualification {
            prospect_id: prospect.id,
            template_version_id: version.id,
            qualified_by: mentee.id,
            answers: &answers,
            outlook: None,
            result: &result,
            evidence: &[],
        },
    )
    .await
    .unwrap();
    let (decision, _) = record_decision(
        &db,
        NewDecision {
            prospect_id: prospect.id,
            qualification_id: Some(qualification.id),
            decided_by: mentee.id,
            decision: Decision::TakeOn,
            reason: None,
            bias_check: None,
            outcome: DecisionOutcome::TakenOn,
            new_status: ProspectStatus::TakenOn,
            program_id: program.id,
        },
    )
    .await
    .unwrap();
    remove_enrollment(&db, program.id, mentee.id, Utc::now())
        .await
        .unwrap();

    // Back to the schema before the scope columns, with the rows of that time in it.
    let applied = migration::Migrator::get_applied_migrations(db.pool())
        .await
        .unwrap();
    let steps = applied
        .iter()
        .rev()
        .position(|m| m.name() == MIGRATION)
        .expect("the scope migration ran")
        + 1;
    migration::Migrator::down(db.pool(), Some(u32::try_from(steps).unwrap()))
        .await
        .unwrap();
    let p = prospect.id;
    let (m, me) = (mentor.id, mentee.id);
    old_entry(&db, me, "prospect.create", "Prospect", p).await;
    old_entry(
        &db,
        me,
        "prospect.qualify",
        "Qualification",
        qualification.id,
    )
    .await;
    old_entry(&db, me, "prospect.decide", "Decision", decision.id).await;
    old_entry(&db, m, "program.create", "Program", program.id).await;
    old_entry(&db, me, "program.join", "Program", program.id).await;
    old_entry(&db, m, "program.remove_mentee", "User", me).await;
    old_entry(&db, me, "user.sign_up", "User", me).await;
    old_entry(&db, m, "session.login", "User", m).await;
    old_entry(&db, m, "template.create", "Template", version.template_id).await;
    store::migrate(&db).await.unwrap();

    let both = (Some(program.id), Some(me));
    assert_eq!(scope(&db, p, "prospect.create").await, both);
    assert_eq!(scope(&db, qualification.id, "prospect.qualify").await, both);
    assert_eq!(scope(&db, decision.id, "prospect.decide").await, both);
    assert_eq!(
        scope(&db, program.id, "program.create").await,
        (Some(program.id), None)
    );
    assert_eq!(scope(&db, program.id, "program.join").await, both);
    assert_eq!(scope(&db, me, "program.remove_mentee").await, both);
    assert_eq!(scope(&db, me, "user.sign_up").await, both);
    assert_eq!(scope(&db, m, "session.login").await, (None, Some(m)));
    assert_eq!(
        scope(&db, version.template_id, "template.create").await,
        (None, None)
    );

    // Written from now on: the same rule, in the entry's own statement.
    let new = record(&db, Some(me), "prospect.update", "Prospect", Some(p), None)
        .await
        .unwrap();
    assert_eq!((new.program_id, new.subject_id), both);
    assert_eq!(scope(&db, p, "prospect.update").await, both);
    let new = record(
        &db,
        Some(m),
        "template.update",
        "Template",
        Some(version.template_id),
        None,
    )
    .await
    .unwrap();
    assert_eq!((new.program_id, new.subject_id), (None, None));
}
