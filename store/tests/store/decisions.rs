//! Qualifications, decisions and exception reviews.

use chrono::Utc;
use domain::policy::Programs;
use domain::{BiasCheck, Decision, DecisionOutcome, LongText, ProspectStatus, Verdict};
use store::decisions::{decisions_by_ids, decisions_by_prospect_ids, record_decision};
use store::exceptions::{
    ExceptionStatus, exception_by_id, exceptions_by_decision_ids, review_exception,
};
use store::prospects::{create_prospect, prospect_by_id};
use store::qualifications::{
    NewQualification, insert_qualification, latest_by_prospect_ids, qualification_by_id,
    qualifications_page,
};
use store::users::{Role, User};
use store::visible::exceptions_page;
use store::{Db, NewDecision, PageRequest, Program, Prospect, StoreError, TemplateVersion};
use uuid::Uuid;

use crate::support::display_name;
use crate::support::{fresh_db, owned_by, program_with_standard, qualify, user, within};

const ALL: PageRequest = PageRequest {
    size: 100,
    backward: false,
    after: None,
    before: None,
    count: true,
};

struct Setup {
    mentor: User,
    mentee: User,
    program: Program,
    version: TemplateVersion,
    prospect: Prospect,
}

async fn setup(db: &Db) -> Setup {
    let mentor = user(db, Role::Mentor).await;
    let mentee = user(db, Role::Mentee).await;
    let (program, version) = program_with_standard(db, &mentor).await;
    let prospect = create_prospect(
        db,
        mentee.id,
        program.id,
        &display_name("Alice"),
        None,
        None,
    )
    .await
    .unwrap();
    Setup {
        mentor,
        mentee,
        program,
        version,
        prospect,
    }
}

#[tokio::test]
async fn a_qualification_reads_back_exactly_and_becomes_the_prospects_latest() {
    let (db, _guard) = fresh_db().await;
    let s = setup(&db).await;
    let (answers, result) = qualify(&s.version.definition, true);

    let first = insert_qualification(
        &db,
        NewQualification {
            prospect_id: s.prospect.id,
            template_version_id: s.version.id,
            qualified_by: s.mentee.id,
            answers: &answers,
            outlook: None,
            result: &result,
            evidence: &[],
        },
    )
    .await
    .unwrap();
    let (answers, declined) = qualify(&s.version.definition, false);
    let second = insert_qualification(
        &db,
        NewQualification {
            prospect_id: s.prospect.id,
            template_version_id: s.version.id,
            qualified_by: s.mentee.id,
            answers: &answers,
            outlook: None,
            result: &declined,
            evidence: &[],
        },
    )
    .await
    .unwrap();

    assert_eq!(first.result.verdict, Verdict::Accept);
    assert_eq!(second.result, declined);
    assert_eq!(
        qualification_by_id(&db, first.id).await.unwrap(),
        Some(first.clone())
    );
    let prospect = prospect_by_id(&db, s.prospect.id).await.unwrap().unwrap();
    assert_eq!(prospect.latest_qualification_id, Some(second.id));
    assert_eq!(
        (prospect.status, prospect.revision),
        (ProspectStatus::Qualified, 3)
    );
    assert_eq!(
        latest_by_prospect_ids(&db, &[s.prospect.id]).await.unwrap(),
        vec![second.clone()]
    );
    let history = qualifications_page(&db, s.prospect.id, ALL).await.unwrap();
    assert_eq!(history.items, vec![second, first], "newest first");
}

#[tokio::test]
async fn an_exception_stays_pending_until_the_mentor_reviews_it_once() {
    let (db, _guard) = fresh_db().await;
    let s = setup(&db).await;
    let (answers, declined) = qualify(&s.version.definition, false);
    let qualification = insert_qualification(
        &db,
        NewQualification {
            prospect_id: s.prospect.id,
            template_version_id: s.version.id,
            qualified_by: s.mentee.id,
            answers: &answers,
            outlook: None,
            result: &declined,
            evidence: &[],
        },
    )
    .await
    .unwrap();
    let bias = BiasCheck {
        flattered: true,
        ..BiasCheck::default()
    };
    let decide = || {
        record_decision(
            &db,
            NewDecision {
                prospect_id: s.prospect.id,
                qualification_id: Some(qualification.id),
                decided_by: s.mentee.id,
                decision: Decision::TakeOn,
                reason: LongText::parse("strategic").ok(),
                bias_check: Some(bias),
                outcome: DecisionOutcome::PendingException,
                new_status: ProspectStatus::ExceptionPending,
                program_id: s.program.id,
            },
        )
    };

    let (decision, request) = decide().await.unwrap();
    let request = request.expect("an exception request");
    assert!(decision.is_exception);
    assert_eq!(decision.bias_check, Some(bias));
    assert_eq!(
        (request.status, request.decision_id),
        (ExceptionStatus::Pending, decision.id)
    );
    let by_decision = exceptions_by_decision_ids(&db, &[decision.id])
        .await
        .unwrap();
    assert_eq!(by_decision, vec![request.clone()]);
    let again = decide().await;
    assert!(
        matches!(again, Err(StoreError::Conflict("pending exception"))),
        "{again:?}"
    );

    let queue = within(Programs::RunBy(s.mentor.id));
    let pending = Some(ExceptionStatus::Pending);
    let program = Some(s.program.id);
    assert_eq!(
        exceptions_page(&db, &queue, program, pending, ALL)
            .await
            .unwrap()
            .items,
        vec![request.clone()]
    );
    let of = |visible| {
        let db = &db;
        async move {
            let page = exceptions_page(db, &visible, None, None, ALL)
                .await
                .unwrap();
            page.items.into_iter().map(|e| e.id).collect::<Vec<_>>()
        }
    };
    assert_eq!(
        of(owned_by(s.mentee.id)).await,
        vec![request.id],
        "the owner's"
    );
    assert_eq!(of(owned_by(s.mentor.id)).await, Vec::<Uuid>::new());
    assert_eq!(
        of(within(Programs::RunBy(s.mentee.id))).await,
        Vec::<Uuid>::new(),
        "runs no program"
    );

    let reviewed = review_exception(
        &db,
        request.id,
        s.mentor.id,
        true,
        LongText::parse("ok").ok().as_ref(),
        Utc::now(),
    )
    .await
    .unwrap();
    assert_eq!(
        (reviewed.status, reviewed.reviewer_id),
        (ExceptionStatus::Approved, Some(s.mentor.id))
    );
    assert_eq!(
        exception_by_id(&db, request.id).await.unwrap(),
        Some(reviewed)
    );
    let prospect = prospect_by_id(&db, s.prospect.id).await.unwrap().unwrap();
    assert_eq!(prospect.status, ProspectStatus::TakenOn);
    let twice = review_exception(&db, request.id, s.mentor.id, false, None, Utc::now()).await;
    assert!(
        matches!(twice, Err(StoreError::Conflict("already reviewed"))),
        "{twice:?}"
    );
    assert_eq!(
        exceptions_page(&db, &queue, program, pending, ALL)
            .await
            .unwrap()
            .total
            .unwrap(),
        0
    );
    assert_eq!(
        decisions_by_prospect_ids(&db, &[s.prospect.id])
            .await
            .unwrap(),
        vec![decision.clone()]
    );
    assert_eq!(
        decisions_by_ids(&db, &[decision.id]).await.unwrap(),
        vec![decision]
    );
}

#[tokio::test]
async fn a_decision_on_a_superseded_qualification_is_stale() {
    let (db, _guard) = fresh_db().await;
    let s = setup(&db).await;
    let (answers, result) = qualify(&s.version.definition, true);
    let old = insert_qualification(
        &db,
        NewQualification {
            prospect_id: s.prospect.id,
            template_version_id: s.version.id,
            qualified_by: s.mentee.id,
            answers: &answers,
            outlook: None,
            result: &result,
            evidence: &[],
        },
    )
    .await
    .unwrap();
    insert_qualification(
        &db,
        NewQualification {
            prospect_id: s.prospect.id,
            template_version_id: s.version.id,
            qualified_by: s.mentee.id,
            answers: &answers,
            outlook: None,
            result: &result,
            evidence: &[],
        },
    )
    .await
    .unwrap();

    let decision = record_decision(
        &db,
        NewDecision {
            prospect_id: s.prospect.id,
            qualification_id: Some(old.id),
            decided_by: s.mentee.id,
            decision: Decision::TakeOn,
            reason: None,
            bias_check: None,
            outcome: DecisionOutcome::TakenOn,
            new_status: ProspectStatus::TakenOn,
            program_id: s.program.id,
        },
    )
    .await;

    assert!(matches!(decision, Err(StoreError::Stale)), "{decision:?}");
    let prospect = prospect_by_id(&db, s.prospect.id).await.unwrap().unwrap();
    assert_eq!(prospect.status, ProspectStatus::Qualified);
}

#[tokio::test]
async fn turning_down_before_any_qualification_is_recorded_without_an_exception() {
    let (db, _guard) = fresh_db().await;
    let s = setup(&db).await;

    let (decision, request) = record_decision(
        &db,
        NewDecision {
            prospect_id: s.prospect.id,
            qualification_id: None,
            decided_by: s.mentee.id,
            decision: Decision::TurnDown,
            reason: None,
            bias_check: None,
            outcome: DecisionOutcome::TurnedDown,
            new_status: ProspectStatus::TurnedDown,
            program_id: s.program.id,
        },
    )
    .await
    .unwrap();

    assert_eq!(
        (decision.decision, decision.is_exception, request),
        (Decision::TurnDown, false, None)
    );
    let prospect = prospect_by_id(&db, s.prospect.id).await.unwrap().unwrap();
    assert_eq!(
        (prospect.status, prospect.revision),
        (ProspectStatus::TurnedDown, 2)
    );
}
