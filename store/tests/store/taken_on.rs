//! Fixtures of the feedback-loop tests: a mentor's program with a mentee, prospects
//! qualified and taken on, outcome entries.

use domain::{Decision, DecisionOutcome, Month, OutcomeEntry, ProspectStatus, Revenue};
use store::clients::clients_by_prospect_ids;
use store::decisions::record_decision;
use store::prospects::create_prospect;
use store::qualifications::{NewQualification, insert_qualification};
use store::users::{Role, User};
use store::{Client, Db, NewDecision, Program, Prospect, Qualification, TemplateVersion};
use uuid::Uuid;

use crate::support::{display_name, program_with_standard, qualify, user};

pub struct World {
    pub mentor: User,
    pub mentee: User,
    pub program: Program,
    pub version: TemplateVersion,
}

pub async fn world(db: &Db) -> World {
    let mentor = user(db, Role::Mentor).await;
    let mentee = user(db, Role::Mentee).await;
    let (program, version) = program_with_standard(db, &mentor).await;
    World {
        mentor,
        mentee,
        program,
        version,
    }
}

/// A prospect of the world's mentee qualified with the best answers (A, ACCEPT) or with
/// every answer unknown (C, DECLINE).
pub async fn qualified(db: &Db, w: &World, best: bool) -> (Prospect, Qualification) {
    let name = display_name("Acme");
    let prospect = create_prospect(db, w.mentee.id, w.program.id, &name, None, None)
        .await
        .unwrap();
    let (answers, result) = qualify(&w.version.definition, best);
    let qualification = insert_qualification(
        db,
        NewQualification {
            prospect_id: prospect.id,
            template_version_id: w.version.id,
            qualified_by: w.mentee.id,
            answers: &answers,
            outlook: None,
            result: &result,
            evidence: &[],
        },
    )
    .await
    .unwrap();
    (prospect, qualification)
}

/// Takes the prospect on by the rule (its qualification accepts it).
pub async fn take_on(db: &Db, w: &World, prospect: Uuid, qualification: Uuid) -> Uuid {
    let (decision, _) = record_decision(
        db,
        NewDecision {
            prospect_id: prospect,
            qualification_id: Some(qualification),
            decided_by: w.mentee.id,
            decision: Decision::TakeOn,
            reason: None,
            bias_check: None,
            outcome: DecisionOutcome::TakenOn,
            new_status: ProspectStatus::TakenOn,
            program_id: w.program.id,
        },
    )
    .await
    .unwrap();
    decision.id
}

/// A client taken on by the rule today, with the best answers.
pub async fn a_client(db: &Db, w: &World) -> Client {
    let (prospect, qualification) = qualified(db, w, true).await;
    take_on(db, w, prospect.id, qualification.id).await;
    let mut clients = clients_by_prospect_ids(db, &[prospect.id]).await.unwrap();
    clients.pop().expect("a client")
}

pub fn entry(month: Month, revenue: i64) -> OutcomeEntry {
    OutcomeEntry {
        month,
        revenue: Revenue::new(revenue).unwrap(),
        hours: None,
        custom_hours: None,
        energy: 3u32.try_into().unwrap(),
        note: None,
    }
}

pub fn month(year: i32, month: u32) -> Month {
    Month::new(year, month).unwrap()
}
