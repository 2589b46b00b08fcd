//! Qualifications and decisions carry their prospect's program (migration
//! `m20261205_000013_dashboard_locality`): written by the store, filled in for rows from
//! before the column, and held equal to the prospect's by the database.

use domain::{Decision, DecisionOutcome, ProspectStatus};
use migration::MigratorTrait;
use sea_orm::{ConnectionTrait, Statement, Value};
use store::Db;
use store::NewDecision;
use store::decisions::record_decision;
use store::programs::enroll;
use store::prospects::create_prospect;
use store::qualifications::{NewQualification, insert_qualification};
use store::users::Role;
use uuid::Uuid;

use crate::support::{display_name, fresh_db, is_sqlite, program_with_standard, qualify, user};

const MIGRATION: &str = "m20261205_000013_dashboard_locality";

/// `sql` with `?` placeholders, numbered on PostgreSQL.
fn statement(db: &Db, sql: &str, values: Vec<Value>) -> Statement {
    let backend = db.pool().get_database_backend();
    if is_sqlite(db) {
        return Statement::from_sql_and_values(backend, sql, values);
    }
    let mut numbered = String::new();
    for (n, part) in sql.split('?').enumerate() {
        if n > 0 {
            numbered.push_str(&format!("${n}"));
        }
        numbered.push_str(part);
    }
    Statement::from_sql_and_values(backend, numbered, values)
}

/// The stored program of row `id` of `table`.
async fn program_of(db: &Db, table: &str, id: Uuid) -> Option<Uuid> {
    let sql = format!("SELECT program_id FROM {table} WHERE id = ?");
    let row = db
        .pool()
        .query_one_raw(statement(db, &sql, vec![id.into()]))
        .await
        .unwrap()
        .expect("the row exists");
    row.try_get("", "program_id").unwrap()
}

/// A mentee's prospect in a program of its own, qualified and taken on: (program, the
/// qualification's id, the decision's id).
async fn decided(db: &Db) -> (Uuid, Uuid, Uuid) {
    let mentor = user(db, Role::Mentor).await;
    let mentee = user(db, Role::Mentee).await;
    let (program, version) = program_with_standard(db, &mentor).await;
    enroll(db, program.id, mentee.id).await.unwrap();
    let prospect = create_prospect(db, mentee.id, program.id, &display_name("Acme"), None, None)
        .await
        .unwrap();
    let (answers, result) = qualify(&version.definition, true);
    let qualification = insert_qualification(
        db,
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
        db,
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
    (program.id, qualification.id, decision.id)
}

#[tokio::test]
async fn rows_carry_their_prospects_program_before_and_after_the_migration() {
    let (db, _guard) = fresh_db().await;
    let (program, qualification, decision) = decided(&db).await;
    let (other, _, _) = decided(&db).await;
    assert_ne!(program, other);
    assert_eq!(
        program_of(&db, "qualifications", qualification).await,
        Some(program)
    );
    assert_eq!(program_of(&db, "decisions", decision).await, Some(program));

    // Back to the schema before the column (this migration only), and up again: the rows
    // written before it get their prospect's program.
    let applied = migration::Migrator::get_applied_migrations(db.pool())
        .await
        .unwrap();
    let steps = applied
        .iter()
        .rev()
        .position(|m| m.name() == MIGRATION)
        .expect("the locality migration ran")
        + 1;
    migration::Migrator::down(db.pool(), Some(u32::try_from(steps).unwrap()))
        .await
        .unwrap();
    for table in ["qualifications", "decisions"] {
        let sql = format!("SELECT program_id FROM {table}");
        let gone = db.pool().query_all_raw(statement(&db, &sql, vec![])).await;
        assert!(gone.is_err(), "{table}: the column is still there");
    }
    store::migrate(&db).await.unwrap();
    assert_eq!(
        program_of(&db, "qualifications", qualification).await,
        Some(program)
    );
    assert_eq!(program_of(&db, "decisions", decision).await, Some(program));

    // Another program, or none, is refused, and the row keeps its own.
    for table in ["qualifications", "decisions"] {
        let id = if table == "decisions" {
            decision
        } else {
            qualification
        };
        for wrong in [Some(other), None] {
            let sql = format!("UPDATE {table} SET program_id = ? WHERE id = ?");
            let refused = db
                .pool()
                .execute_raw(statement(&db, &sql, vec![wrong.into(), id.into()]))
                .await;
            assert!(refused.is_err(), "{table}: {wrong:?} was accepted");
            assert_eq!(program_of(&db, table, id).await, Some(program), "{table}");
        }
    }
}
