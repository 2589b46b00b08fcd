//! Clients: the intake written with the effective take-on, and ending a client.

use chrono::Utc;
use domain::{
    Decision, DecisionOutcome, EndReason, Intake, LongText, Month, Path, ProspectStatus, Tier,
    Verdict,
};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use store::clients::{clients_by_prospect_ids, end_client};
use store::decisions::record_decision;
use store::exceptions::review_exception;
use store::outcomes::insert_outcome;
use store::qualifications::{NewQualification, insert_qualification};
use store::{Db, NewDecision, Qualification, StoreError};
use uuid::Uuid;

use crate::support::{fresh_db, qualify};
use crate::taken_on::{a_client, entry, qualified, take_on, world};

/// The intake points stored for a client, by key.
async fn points(db: &Db, prospect: Uuid) -> Vec<(String, i32)> {
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => {
            "SELECT criterion_key, points_bp FROM client_intake_points \
                                WHERE prospect_id = $1 ORDER BY criterion_key"
        }
        _ => {
            "SELECT criterion_key, points_bp FROM client_intake_points \
              WHERE prospect_id = ? ORDER BY criterion_key"
        }
    };
    let statement =
        Statement::from_sql_and_values(db.get_database_backend(), sql, [prospect.into()]);
    let rows = db.query_all_raw(statement).await.unwrap();
    rows.iter()
        .map(|r| {
            (
                r.try_get("", "criterion_key").unwrap(),
                r.try_get("", "points_bp").unwrap(),
            )
        })
        .collect()
}

fn expected_points(q: &Qualification) -> Vec<(String, i32)> {
    let mut points: Vec<(String, i32)> = q
        .result
        .now
        .explanation
        .iter()
        .map(|c| {
            (
                c.key.as_str().to_owned(),
                i32::try_from(c.points_bp.get()).unwrap(),
            )
        })
        .collect();
    points.sort();
    points
}

#[tokio::test]
async fn a_take_on_writes_the_intake_of_its_qualification_and_a_second_one_leaves_it() {
    let (db, _guard) = fresh_db().await;
    let w = world(&db).await;
    let (prospect, first) = qualified(&db, &w, true).await;
    let decision = take_on(&db, &w, prospect.id, first.id).await;

    let client = clients_by_prospect_ids(&db, &[prospect.id]).await.unwrap();
    let decided = store::decisions::decisions_by_ids(&db, &[decision])
        .await
        .unwrap();
    let taken_on = decided[0].created_at.date_naive();
    assert_eq!(client.len(), 1);
    let client = &client[0];
    assert_eq!(
        (client.program_id, client.owner_id, client.decision_id),
        (w.program.id, w.mentee.id, decision)
    );
    assert_eq!(
        (client.intake_qualification_id, client.intake_version_id),
        (first.id, w.version.id)
    );
    assert_eq!(client.intake, Intake::new(Tier::A, Verdict::Accept));
    assert_eq!(client.intake.path, Path::Rule);
    assert_eq!(
        (client.taken_on, client.end.clone(), client.revision),
        (taken_on, None, 1)
    );
    let stored = points(&db, prospect.id).await;
    assert_eq!(stored.len(), w.version.definition.criteria().len());
    assert!(stored.iter().all(|(_, bp)| *bp == 10_000), "{stored:?}");
    assert_eq!(stored, expected_points(&first));

    // Re-qualified with everything unknown and taken on again: the first intake stays.
    let (answers, declined) = qualify(&w.version.definition, false);
    let second = insert_qualification(
        &db,
        NewQualification {
            prospect_id: prospect.id,
            template_version_id: w.version.id,
            qualified_by: w.mentee.id,
            answers: &answers,
            outlook: None,
            result: &declined,
            evidence: &[],
        },
    )
    .await
    .unwrap();
    take_on(&db, &w, prospect.id, second.id).await;
    let again = clients_by_prospect_ids(&db, &[prospect.id]).await.unwrap();
    assert_eq!(&again[0], client);
    assert_eq!(points(&db, prospect.id).await, stored);
    assert!(clients_by_prospect_ids(&db, &[]).await.unwrap().is_empty());
}

#[tokio::test]
async fn an_approved_exception_writes_an_intake_on_the_exception_path_a_rejected_one_none() {
    let (db, _guard) = fresh_db().await;
    let w = world(&db).await;
    let mut requests = Vec::new();
    let mut prospects = Vec::new();
    for _ in 0..2 {
        let (prospect, declined) = qualified(&db, &w, false).await;
        let (_, request) = record_decision(
            &db,
            NewDecision {
                prospect_id: prospect.id,
                qualification_id: Some(declined.id),
                decided_by: w.mentee.id,
                decision: Decision::TakeOn,
                reason: LongText::parse("strategic").ok(),
                bias_check: None,
                outcome: DecisionOutcome::PendingException,
                new_status: ProspectStatus::ExceptionPending,
                program_id: w.program.id,
            },
        )
        .await
        .unwrap();
        assert!(
            clients_by_prospect_ids(&db, &[prospect.id])
                .await
                .unwrap()
                .is_empty()
        );
        requests.push(request.unwrap());
        prospects.push((prospect, declined));
    }
    let approved_at = Utc::now() - chrono::Duration::days(3);
    review_exception(&db, requests[0].id, w.mentor.id, true, None, approved_at)
        .await
        .unwrap();
    review_exception(&db, requests[1].id, w.mentor.id, false, None, Utc::now())
        .await
        .unwrap();

    let ids = [prospects[0].0.id, prospects[1].0.id];
    let clients = clients_by_prospect_ids(&db, &ids).await.unwrap();
    assert_eq!(clients.len(), 1, "only the approved one is a client");
    let client = &clients[0];
    assert_eq!(client.prospect_id, prospects[0].0.id);
    assert_eq!(client.decision_id, requests[0].decision_id);
    assert_eq!(client.intake, Intake::new(Tier::C, Verdict::Decline));
    assert_eq!(client.intake.path, Path::Exception);
    assert_eq!(client.taken_on, approved_at.date_naive());
    let stored = points(&db, client.prospect_id).await;
    assert_eq!(stored, expected_points(&prospects[0].1));
    assert!(
        stored.iter().all(|(_, bp)| *bp == 0),
        "unknown answers earn 0"
    );
}

#[tokio::test]
async fn ending_a_client_checks_revision_dates_outcomes_and_ends_once() {
    let (db, _guard) = fresh_db().await;
    let w = world(&db).await;
    let client = a_client(&db, &w).await;
    let taken_on = client.taken_on;
    let today = taken_on + chrono::Duration::days(70);
    let note = LongText::parse("done").unwrap();
    let end = |on, revision| {
        end_client(
            &db,
            client.prospect_id,
            EndReason::WeExited,
            on,
            Some(&note),
            revision,
            today,
        )
    };

    assert!(matches!(
        end_client(
            &db,
            Uuid::now_v7(),
            EndReason::Completed,
            today,
            None,
            None,
            today
        )
        .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(end(today, Some(2)).await, Err(StoreError::Stale)));
    let before = end(taken_on - chrono::Duration::days(1), None).await;
    assert!(
        matches!(&before, Err(StoreError::Invalid(e)) if e.message.starts_with("must not be before")),
        "{before:?}"
    );
    let future = end(today + chrono::Duration::days(1), Some(1)).await;
    assert!(
        matches!(&future, Err(StoreError::Invalid(e)) if e.message == "must not be in the future"),
        "{future:?}"
    );
    // An entry two months after the take-on: ending in the take-on's month is refused.
    let later = Month::of(taken_on).next().unwrap().next().unwrap();
    insert_outcome(&db, &client, &entry(later, 100))
        .await
        .unwrap();
    let early = end(taken_on, Some(1)).await;
    assert!(
        matches!(early, Err(StoreError::Conflict("outcomes after the end"))),
        "{early:?}"
    );

    let ended = end(later.first_day(), Some(1)).await.unwrap();
    assert_eq!(ended.revision, 2);
    assert_eq!(
        ended.end,
        Some(store::ClientEnd {
            reason: EndReason::WeExited,
            on: later.first_day(),
            note: Some("done".to_owned()),
        })
    );
    assert_eq!(
        clients_by_prospect_ids(&db, &[client.prospect_id])
            .await
            .unwrap(),
        vec![ended]
    );
    let twice = end(today, None).await;
    assert!(
        matches!(twice, Err(StoreError::Conflict("already ended"))),
        "{twice:?}"
    );
}
