//! The format tag of the stored JSON (`json_format` on `qualifications`, `criteria` and
//! `decisions`): today's rows are format 1, rows from before the column read as 1, and a
//! row in a format this code does not know is refused, not misread.

use domain::{BiasCheck, Decision, DecisionOutcome, ProspectStatus};
use migration::MigratorTrait;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use store::decisions::{decisions_by_ids, record_decision};
use store::prospects::create_prospect;
use store::qualifications::{NewQualification, insert_qualification, qualification_by_id};
use store::templates::{create_template, versions_by_ids};
use store::users::Role;
use store::{Db, DecisionRecord, NewDecision, Qualification, StoreError, TemplateVersion};

use crate::support::display_name;
use crate::support::{definition, fresh_db, program_with_standard, qualify, text, user};

const TABLES: [&str; 3] = ["qualifications", "criteria", "decisions"];

/// A row of every table with JSON columns: a draft version's criteria (a published
/// version's rows cannot be changed, not even by a test), a qualification, a decision.
struct Rows {
    draft: TemplateVersion,
    qualification: Qualification,
    decision: DecisionRecord,
}

async fn rows(db: &Db) -> Rows {
    let mentor = user(db, Role::Mentor).await;
    let mentee = user(db, Role::Mentee).await;
    let (_, draft) = create_template(
        db,
        mentor.id,
        &display_name("Draft"),
        &text(""),
        &definition(),
    )
    .await
    .unwrap();
    let (program, version) = program_with_standard(db, &mentor).await;
    let prospect = create_prospect(db, mentee.id, program.id, &display_name("Acme"), None, None)
        .await
        .unwrap();
    let (answers, result) = qualify(&version.definition, false);
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
            reason: Some(text("A strategic client")),
            bias_check: Some(BiasCheck {
                flattered: true,
                ..BiasCheck::default()
            }),
            outcome: DecisionOutcome::PendingException,
            new_status: ProspectStatus::ExceptionPending,
            program_id: program.id,
        },
    )
    .await
    .unwrap();
    Rows {
        draft,
        qualification,
        decision,
    }
}

/// Every `json_format` of `table`, in no particular order.
async fn formats(db: &Db, table: &str) -> Vec<i32> {
    let select = Query::select()
        .column(Alias::new("json_format"))
        .from(Alias::new(table))
        .to_owned();
    db.query_all(&select)
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get_by_index::<i32>(0).unwrap())
        .collect()
}

async fn set_format(db: &Db, table: &str, format: i32) {
    let update = Query::update()
        .table(Alias::new(table))
        .value(Alias::new("json_format"), format)
        .to_owned();
    db.execute(&update).await.unwrap();
}

/// What reading each kind of row back gives.
async fn read_back(db: &Db, rows: &Rows) -> [Result<(), StoreError>; 3] {
    [
        qualification_by_id(db, rows.qualification.id)
            .await
            .map(|read| assert_eq!(read.as_ref(), Some(&rows.qualification))),
        versions_by_ids(db, &[rows.draft.id])
            .await
            .map(|read| assert_eq!(read, std::slice::from_ref(&rows.draft))),
        decisions_by_ids(db, &[rows.decision.id])
            .await
            .map(|read| assert_eq!(read, std::slice::from_ref(&rows.decision))),
    ]
}

#[tokio::test]
async fn every_row_written_today_is_tagged_with_json_format_one() {
    let (db, _guard) = fresh_db().await;
    let rows = rows(&db).await;
    let criteria = rows.draft.definition.criteria().len() * 2;
    for (table, count) in TABLES.into_iter().zip([1, criteria, 1]) {
        assert_eq!(formats(&db, table).await, vec![1; count], "{table}");
    }
    for read in read_back(&db, &rows).await {
        assert!(read.is_ok(), "{read:?}");
    }
}

#[tokio::test]
async fn a_row_in_a_json_format_this_code_does_not_know_is_refused_not_misread() {
    let (db, _guard) = fresh_db().await;
    let rows = rows(&db).await;
    // Only the draft's criteria: the published version's rows are immutable.
    let draft_criteria = Query::update()
        .table(Alias::new("criteria"))
        .value(Alias::new("json_format"), 2)
        .and_where(Expr::col(Alias::new("version_id")).eq(rows.draft.id))
        .to_owned();
    db.execute(&draft_criteria).await.unwrap();
    set_format(&db, "qualifications", 2).await;
    set_format(&db, "decisions", 2).await;

    let refused = read_back(&db, &rows).await.map(|read| match read {
        Err(StoreError::UnknownFormat { table, format }) => Some((table, format)),
        other => panic!("expected UnknownFormat, got {other:?}"),
    });
    assert_eq!(
        refused,
        TABLES.map(|table| Some((table, 2))),
        "each table names itself and the format it found"
    );
    let message = StoreError::UnknownFormat {
        table: "decisions",
        format: 2,
    }
    .to_string();
    assert_eq!(
        message,
        "decisions row in stored JSON format 2, which this version does not read"
    );
}

#[tokio::test]
async fn rows_from_before_the_format_column_read_back_as_format_one() {
    let (db, _guard) = fresh_db().await;
    let rows = rows(&db).await;
    // Back to the schema before `json_format` (and every migration after it), with the
    // rows in it, and up again: the migration tags every existing row.
    let before = "m20261130_000004_qualification_scoring_rule";
    let after = migration::Migrator::get_applied_migrations(db.pool())
        .await
        .unwrap()
        .iter()
        .rev()
        .take_while(|m| m.name() != before)
        .count();
    let steps = u32::try_from(after).unwrap();
    migration::Migrator::down(db.pool(), Some(steps))
        .await
        .unwrap();
    let applied = migration::Migrator::get_applied_migrations(db.pool())
        .await
        .unwrap();
    assert_eq!(
        applied.last().map(|m| m.name().to_owned()).as_deref(),
        Some(before),
        "the format column is gone before the migration runs again"
    );
    store::migrate(&db).await.unwrap();

    let criteria = rows.draft.definition.criteria().len() * 2;
    for (table, count) in TABLES.into_iter().zip([1, criteria, 1]) {
        assert_eq!(formats(&db, table).await, vec![1; count], "{table}");
    }
    for read in read_back(&db, &rows).await {
        assert!(read.is_ok(), "{read:?}");
    }
}

/// The tag travels in the rows' own statements: writing and reading a qualification, a
/// decision and a version runs no statement more than those rows always needed (S2 writes
/// a qualification, S3 reads them).
#[tokio::test]
async fn the_format_tag_costs_no_statement_on_the_paths_that_write_and_read_json() {
    let database = test_support::database::TestDatabase::fresh().await;
    let (db, statements) = store::connect_counted(&database.url).await.unwrap();
    store::migrate(&db).await.unwrap();
    let mentor = user(&db, Role::Mentor).await;
    let mentee = user(&db, Role::Mentee).await;
    let (program, version) = program_with_standard(&db, &mentor).await;
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
    let mut counted = Vec::new();

    let before = statements.get();
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
    counted.push(("insert_qualification", statements.get() - before));

    let before = statements.get();
    qualification_by_id(&db, qualification.id).await.unwrap();
    counted.push(("qualification_by_id", statements.get() - before));

    let before = statements.get();
    versions_by_ids(&db, &[version.id]).await.unwrap();
    counted.push(("versions_by_ids", statements.get() - before));

    let before = statements.get();
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
    counted.push(("record_decision", statements.get() - before));

    let before = statements.get();
    decisions_by_ids(&db, &[decision.id]).await.unwrap();
    counted.push(("decisions_by_ids", statements.get() - before));

    // The statements each needs with or without the tag: the prospect locked, the row
    // inserted, the prospect updated; one select; the versions and their criteria; the
    // prospect locked, pending exceptions counted, the row inserted, the intake's
    // qualification read, the client and its intake points inserted, the prospect
    // updated; one select.
    assert_eq!(
        counted,
        [
            ("insert_qualification", 3),
            ("qualification_by_id", 1),
            ("versions_by_ids", 2),
            ("record_decision", 7),
            ("decisions_by_ids", 1)
        ]
    );
}
