//! The policy's list filters as `WHERE` clauses: each list shows exactly what its
//! `Visibility` names, and a filter a table cannot apply admits nothing.

use chrono::Utc;
use domain::policy::{Programs, Visibility};
use store::PageRequest;
use store::programs::{
    enroll, mentee_program_ids, mentees_page, program_ids_for_mentor, remove_enrollment,
};
use store::prospects::create_prospect;
use store::users::Role;
use store::visible::{programs_page, prospects_page, templates_page};
use store::{ProspectFilter, ProspectOrder};
use uuid::Uuid;

use crate::support::{display_name, fresh_db, program_with_standard, user, within};

const ALL: PageRequest = PageRequest {
    size: 100,
    backward: false,
    after: None,
    before: None,
    count: true,
};

fn visible(owner: Option<Uuid>, programs: Programs, program: Option<Uuid>) -> Visibility {
    Visibility {
        owner,
        programs,
        program,
    }
}

#[tokio::test]
async fn each_list_shows_exactly_what_its_visibility_names() {
    let (db, _guard) = fresh_db().await;
    let mentor = user(&db, Role::Mentor).await;
    let other_mentor = user(&db, Role::Mentor).await;
    let enrolled = user(&db, Role::Mentee).await;
    let removed = user(&db, Role::Mentee).await;
    let elsewhere = user(&db, Role::Mentee).await;
    let (mine, _) = program_with_standard(&db, &mentor).await;
    let (theirs, _) = program_with_standard(&db, &other_mentor).await;
    enroll(&db, mine.id, enrolled.id).await.unwrap();
    enroll(&db, mine.id, removed.id).await.unwrap();
    enroll(&db, theirs.id, elsewhere.id).await.unwrap();
    let prospect = |owner: Uuid, program: Uuid| {
        let db = db.clone();
        async move {
            create_prospect(&db, owner, program, &display_name("P"), None, None)
                .await
                .unwrap()
                .id
        }
    };
    let a = prospect(enrolled.id, mine.id).await;
    let r = prospect(removed.id, mine.id).await;
    let c = prospect(elsewhere.id, theirs.id).await;
    remove_enrollment(&db, mine.id, removed.id, Utc::now())
        .await
        .unwrap();

    let prospects = |v: Visibility| {
        let db = db.clone();
        async move {
            let page = prospects_page(
                &db,
                &v,
                &ProspectFilter::default(),
                ProspectOrder::CREATED_ASC,
                ALL,
            )
            .await
            .unwrap();
            page.items.into_iter().map(|p| p.id).collect::<Vec<_>>()
        }
    };
    let any = Programs::Any;
    assert_eq!(
        prospects(visible(None, Programs::RunBy(mentor.id), None)).await,
        vec![a, r]
    );
    assert_eq!(
        prospects(visible(Some(removed.id), any, None)).await,
        vec![r]
    );
    assert_eq!(
        prospects(visible(None, Programs::RunBy(other_mentor.id), None)).await,
        vec![c]
    );
    assert_eq!(
        prospects(visible(
            Some(removed.id),
            Programs::EnrolledIn(removed.id),
            None
        ))
        .await,
        Vec::<Uuid>::new(),
        "a removed mentee is enrolled nowhere"
    );
    assert_eq!(
        prospects(visible(
            Some(enrolled.id),
            Programs::EnrolledIn(enrolled.id),
            None
        ))
        .await,
        vec![a]
    );
    assert_eq!(
        prospects(visible(None, Programs::RunBy(mentor.id), Some(theirs.id))).await,
        Vec::<Uuid>::new(),
        "one program, and only within the mentor's"
    );

    let programs = |v: Visibility| {
        let db = db.clone();
        async move {
            let page = programs_page(&db, &v, ALL).await.unwrap();
            page.items.into_iter().map(|p| p.id).collect::<Vec<_>>()
        }
    };
    assert_eq!(
        programs(visible(Some(mentor.id), any, None)).await,
        Vec::<Uuid>::new(),
        "a program has no owner: that filter admits none"
    );

    let templates = |v: Visibility| {
        let db = db.clone();
        async move {
            let page = templates_page(&db, &v, true, ALL).await.unwrap();
            page.items
                .into_iter()
                .map(|t| t.owner_id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        templates(visible(Some(mentor.id), any, None)).await,
        vec![mentor.id]
    );
    assert_eq!(
        templates(visible(Some(mentor.id), Programs::RunBy(mentor.id), None)).await,
        Vec::<Uuid>::new(),
        "a template has no program: that filter admits none"
    );
}

#[tokio::test]
async fn a_mentor_lists_the_programs_they_run_and_a_mentee_those_they_are_still_in() {
    let (db, _guard) = fresh_db().await;
    let mentor = user(&db, Role::Mentor).await;
    let mentee = user(&db, Role::Mentee).await;
    let left = user(&db, Role::Mentee).await;
    let (joined, _) = program_with_standard(&db, &mentor).await;
    let (other, _) = program_with_standard(&db, &mentor).await;
    enroll(&db, joined.id, mentee.id).await.unwrap();
    enroll(&db, joined.id, left.id).await.unwrap();
    remove_enrollment(&db, joined.id, left.id, Utc::now())
        .await
        .unwrap();

    let for_mentor = programs_page(&db, &within(Programs::RunBy(mentor.id)), ALL)
        .await
        .unwrap();
    assert_eq!(for_mentor.items, vec![joined.clone(), other.clone()]);
    assert_eq!(
        program_ids_for_mentor(&db, mentor.id).await.unwrap().len(),
        2
    );
    let for_mentee = programs_page(&db, &within(Programs::EnrolledIn(mentee.id)), ALL)
        .await
        .unwrap();
    assert_eq!(
        (for_mentee.items, for_mentee.total.unwrap()),
        (vec![joined.clone()], 1)
    );
    assert_eq!(
        mentee_program_ids(&db, mentee.id).await.unwrap(),
        vec![joined.id]
    );
    let mentees = mentees_page(&db, joined.id, ALL).await.unwrap();
    assert_eq!(mentees.items, vec![mentee]);
    assert_eq!(
        programs_page(&db, &within(Programs::EnrolledIn(left.id)), ALL)
            .await
            .unwrap()
            .total
            .unwrap(),
        0
    );
}
