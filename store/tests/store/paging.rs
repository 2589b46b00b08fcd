//! Keyset pagination.

use std::collections::HashSet;

use store::PageRequest;
use store::prospects::{ProspectFilter, ProspectOrder, create_prospect};
use store::users::Role;
use store::visible::prospects_page;
use uuid::Uuid;

use crate::support::{display_name, everything, owned_by};
use crate::support::{fresh_db, program_with_standard, user};

async fn walk(db: &store::Db, owner: Uuid, order: ProspectOrder) -> Vec<Uuid> {
    let filter = ProspectFilter::default();
    let visible = owned_by(owner);
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = prospects_page(db, &visible, &filter, order, PageRequest::first(7, after))
            .await
            .unwrap();
        assert_eq!(page.total.unwrap(), 25);
        assert!(page.items.len() <= 7);
        seen.extend(page.items.iter().map(|p| p.id));
        if !page.has_next {
            break;
        }
        after = page.items.last().map(|p| p.id);
    }
    seen
}

#[tokio::test]
async fn keyset_paging_returns_every_row_exactly_once_in_both_directions() {
    let (db, _guard) = fresh_db().await;
    let mentor = user(&db, Role::Mentor).await;
    let mentee = user(&db, Role::Mentee).await;
    let (program, _) = program_with_standard(&db, &mentor).await;
    let mut created = Vec::new();
    for i in 0..25 {
        let prospect = create_prospect(
            &db,
            mentee.id,
            program.id,
            &display_name(&format!("P{i}")),
            None,
            None,
        )
        .await
        .unwrap();
        created.push(prospect.id);
    }

    let ascending = walk(&db, mentee.id, ProspectOrder::CREATED_ASC).await;
    let descending = walk(&db, mentee.id, ProspectOrder::CREATED_DESC).await;

    assert_eq!(ascending, created, "oldest first, no gaps, no repeats");
    let mut reversed = created.clone();
    reversed.reverse();
    assert_eq!(descending, reversed);
    assert_eq!(ascending.iter().collect::<HashSet<_>>().len(), 25);
}

#[tokio::test]
async fn an_empty_page_request_reports_whether_anything_follows() {
    let (db, _guard) = fresh_db().await;
    let mentor = user(&db, Role::Mentor).await;
    let mentee = user(&db, Role::Mentee).await;
    let (program, _) = program_with_standard(&db, &mentor).await;
    create_prospect(
        &db,
        mentee.id,
        program.id,
        &display_name("Only"),
        None,
        None,
    )
    .await
    .unwrap();
    let filter = ProspectFilter::default();

    let page = prospects_page(
        &db,
        &everything(),
        &filter,
        ProspectOrder::CREATED_ASC,
        PageRequest {
            size: 0,
            backward: false,
            after: None,
            before: None,
            count: true,
        },
    )
    .await
    .unwrap();

    assert_eq!(
        (page.items.len(), page.has_next, page.total.unwrap()),
        (0, true, 1)
    );
}
