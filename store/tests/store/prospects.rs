//! Prospects and their filters.

use chrono::Utc;
use domain::ProspectStatus;
use domain::policy::Visibility;
use store::prospects::{
    ProspectFilter, ProspectOrder, archive_prospect, create_prospect, prospect_by_id,
    prospects_by_ids, update_prospect,
};
use store::users::Role;
use store::visible::prospects_page;
use store::{PageRequest, Prospect, StoreError};

use crate::support::{display_name, everything, owned_by, text};
use crate::support::{fresh_db, program_with_standard, user};

const ALL: PageRequest = PageRequest {
    size: 100,
    backward: false,
    after: None,
    before: None,
    count: true,
};

fn names(prospects: &[Prospect]) -> Vec<&str> {
    prospects.iter().map(|p| p.name.as_str()).collect()
}

#[tokio::test]
async fn the_visible_prospects_page_applies_every_filter_and_counts_the_matches() {
    let (db, _guard) = fresh_db().await;
    let mentor = user(&db, Role::Mentor).await;
    let mentee = user(&db, Role::Mentee).await;
    let other = user(&db, Role::Mentee).await;
    let (program, _) = program_with_standard(&db, &mentor).await;
    let acme = create_prospect(
        &db,
        mentee.id,
        program.id,
        &display_name("Alice"),
        Some(&text("ACME Corp")),
        None,
    )
    .await
    .unwrap();
    create_prospect(
        &db,
        mentee.id,
        program.id,
        &display_name("Bob"),
        Some(&text("Globex")),
        None,
    )
    .await
    .unwrap();
    let old = create_prospect(
        &db,
        mentee.id,
        program.id,
        &display_name("Carol 100%"),
        None,
        None,
    )
    .await
    .unwrap();
    create_prospect(
        &db,
        other.id,
        program.id,
        &display_name("Dave acme"),
        None,
        None,
    )
    .await
    .unwrap();
    archive_prospect(&db, old.id, Utc::now()).await.unwrap();
    let mine = owned_by(mentee.id);
    let page = |visible: Visibility, filter: ProspectFilter, order| {
        let db = &db;
        async move {
            prospects_page(db, &visible, &filter, order, ALL)
                .await
                .unwrap()
        }
    };

    let active = page(mine, ProspectFilter::default(), ProspectOrder::CREATED_ASC).await;
    assert_eq!(
        (names(&active.items), active.total.unwrap()),
        (vec!["Alice", "Bob"], 2)
    );

    let newest_first = page(
        mine,
        ProspectFilter {
            include_archived: true,
            ..ProspectFilter::default()
        },
        ProspectOrder::CREATED_DESC,
    )
    .await;
    assert_eq!(
        names(&newest_first.items),
        vec!["Carol 100%", "Bob", "Alice"]
    );

    let search = |text: &str| ProspectFilter {
        search: Some(text.into()),
        include_archived: true,
        ..ProspectFilter::default()
    };
    let found = page(everything(), search(" acme "), ProspectOrder::CREATED_ASC).await;
    assert_eq!(
        names(&found.items),
        vec!["Alice", "Dave acme"],
        "name or company, any case"
    );
    let literal = page(everything(), search("0%"), ProspectOrder::CREATED_ASC).await;
    assert_eq!(
        names(&literal.items),
        vec!["Carol 100%"],
        "% is matched literally"
    );

    let new = ProspectFilter {
        statuses: Some(vec![ProspectStatus::New]),
        program_ids: Some(vec![program.id]),
        ..ProspectFilter::default()
    };
    assert_eq!(
        page(mine, new, ProspectOrder::CREATED_ASC)
            .await
            .total
            .unwrap(),
        2
    );
    let qualified = ProspectFilter {
        statuses: Some(vec![ProspectStatus::Qualified]),
        ..ProspectFilter::default()
    };
    assert_eq!(
        page(mine, qualified, ProspectOrder::CREATED_ASC)
            .await
            .total
            .unwrap(),
        0
    );
    let no_programs = ProspectFilter {
        program_ids: Some(vec![]),
        ..ProspectFilter::default()
    };
    assert_eq!(
        page(mine, no_programs, ProspectOrder::CREATED_ASC)
            .await
            .total
            .unwrap(),
        0
    );

    assert_eq!(prospects_by_ids(&db, &[acme.id]).await.unwrap(), vec![acme]);
}

#[tokio::test]
async fn update_prospect_clears_only_what_it_is_told_to() {
    let (db, _guard) = fresh_db().await;
    let mentor = user(&db, Role::Mentor).await;
    let mentee = user(&db, Role::Mentee).await;
    let (program, _) = program_with_standard(&db, &mentor).await;
    let prospect = create_prospect(
        &db,
        mentee.id,
        program.id,
        &display_name("Alice"),
        Some(&text("ACME")),
        Some(&text("met at fair")),
    )
    .await
    .unwrap();
    assert_eq!(
        (prospect.status, prospect.revision),
        (ProspectStatus::New, 1)
    );

    let updated = update_prospect(&db, prospect.id, None, Some(None), None, Some(1))
        .await
        .unwrap();
    let stale = update_prospect(
        &db,
        prospect.id,
        Some(&display_name("Late")),
        None,
        None,
        Some(1),
    )
    .await;

    assert_eq!(updated.company, None);
    assert_eq!(updated.notes.as_deref(), Some("met at fair"));
    assert_eq!((updated.name.as_str(), updated.revision), ("Alice", 2));
    assert!(matches!(stale, Err(StoreError::Stale)), "{stale:?}");
    assert_eq!(
        prospect_by_id(&db, prospect.id).await.unwrap(),
        Some(updated)
    );
}
