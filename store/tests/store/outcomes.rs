//! Outcome entries: one per client and month, corrected with revisions; and the program's
//! currency, fixed once an entry exists.

use domain::{Currency, Hours, LongText};
use store::StoreError;
use store::outcomes::{correct_outcome, insert_outcome, outcomes_by_ids, outcomes_page};
use store::programs::{program_by_id, set_currency};
use store::{PageRequest, page::Page};
use uuid::Uuid;

use crate::support::{fresh_db, program_with_standard};
use crate::taken_on::{a_client, entry, month, world};

#[tokio::test]
async fn an_entry_is_one_per_month_and_corrections_bump_its_revision() {
    let (db, _guard) = fresh_db().await;
    let w = world(&db).await;
    let client = a_client(&db, &w).await;
    let march = month(2027, 3);
    let mut first = entry(march, 125_000);
    first.hours = Some(Hours::from_hundredths(1_050).unwrap());
    first.custom_hours = Some(Hours::from_hundredths(250).unwrap());
    first.note = Some(LongText::parse("a good month").unwrap());

    let stored = insert_outcome(&db, &client, &first).await.unwrap();
    assert_eq!(
        (stored.month, stored.revenue_minor, stored.revision),
        (march, 125_000, 1)
    );
    assert_eq!(
        (stored.hours, stored.custom_hours, stored.energy.get()),
        (first.hours, first.custom_hours, 3)
    );
    assert_eq!(stored.note.as_deref(), Some("a good month"));
    assert_eq!(
        outcomes_by_ids(&db, &[stored.id]).await.unwrap(),
        vec![stored.clone()]
    );

    let twice = insert_outcome(&db, &client, &entry(march, 1)).await;
    assert!(
        matches!(twice, Err(StoreError::Conflict("outcome for this month"))),
        "{twice:?}"
    );
    let not_a_client = store::Client {
        prospect_id: Uuid::now_v7(),
        ..client.clone()
    };
    let stranger = insert_outcome(&db, &not_a_client, &entry(march, 1)).await;
    assert!(
        matches!(stranger, Err(StoreError::NotFound)),
        "{stranger:?}"
    );
    // An entry's program is its client's: the database refuses another program, even one
    // that exists and is run by the same mentor.
    let (other, _) = program_with_standard(&db, &w.mentor).await;
    let elsewhere = store::Client {
        program_id: other.id,
        ..client.clone()
    };
    let misplaced = insert_outcome(&db, &elsewhere, &entry(month(2027, 4), 1)).await;
    assert!(
        matches!(misplaced, Err(StoreError::NotFound)),
        "{misplaced:?}"
    );

    let corrected = entry(march, 99_000);
    let (before, after) = correct_outcome(&db, stored.id, 1, &corrected)
        .await
        .unwrap();
    assert_eq!(before, stored);
    assert_eq!(
        (
            after.revenue_minor,
            after.hours,
            after.note.clone(),
            after.revision
        ),
        (99_000, None, None, 2)
    );
    let (same_before, same_after) = correct_outcome(&db, stored.id, 2, &corrected)
        .await
        .unwrap();
    assert_eq!(
        (same_before.revision, same_after.revision),
        (2, 2),
        "nothing changed"
    );
    assert_eq!(same_after, after);

    let stale = correct_outcome(&db, stored.id, 1, &corrected).await;
    assert!(matches!(stale, Err(StoreError::Stale)), "{stale:?}");
    let moved = correct_outcome(&db, stored.id, 2, &entry(month(2027, 4), 1)).await;
    assert!(
        matches!(moved, Err(StoreError::Conflict("month"))),
        "{moved:?}"
    );
    let missing = correct_outcome(&db, Uuid::now_v7(), 1, &corrected).await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    assert_eq!(
        outcomes_by_ids(&db, &[stored.id]).await.unwrap(),
        vec![after]
    );
}

#[tokio::test]
async fn a_page_of_entries_is_oldest_first_with_its_total() {
    let (db, _guard) = fresh_db().await;
    let w = world(&db).await;
    let (one, other) = (a_client(&db, &w).await, a_client(&db, &w).await);
    let mut ids = Vec::new();
    for (client, m) in [(&one, 1), (&other, 1), (&one, 2), (&one, 3)] {
        let stored = insert_outcome(&db, client, &entry(month(2027, m), 10)).await;
        ids.push(stored.unwrap().id);
    }
    let page = |first, after| PageRequest::first(first, after);
    let ids_of = |p: &Page<store::OutcomeRecord>| p.items.iter().map(|o| o.id).collect::<Vec<_>>();

    let both = [one.prospect_id, other.prospect_id];
    let first = outcomes_page(&db, &both, None, page(3, None))
        .await
        .unwrap();
    assert_eq!(
        (ids_of(&first), first.has_next, first.total.unwrap()),
        (ids[..3].to_vec(), true, 4)
    );
    let rest = outcomes_page(&db, &both, None, page(3, Some(ids[2])))
        .await
        .unwrap();
    assert_eq!((ids_of(&rest), rest.has_next), (vec![ids[3]], false));

    let window = domain::MonthWindow::new(month(2027, 2), month(2027, 3)).unwrap();
    let of_one = outcomes_page(&db, &[one.prospect_id], Some(window), page(10, None))
        .await
        .unwrap();
    assert_eq!(
        (ids_of(&of_one), of_one.total.unwrap()),
        (vec![ids[2], ids[3]], 2)
    );
    assert_eq!(
        outcomes_page(&db, &[], None, page(10, None))
            .await
            .unwrap()
            .total
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn a_programs_currency_changes_until_its_first_outcome_entry() {
    let (db, _guard) = fresh_db().await;
    let w = world(&db).await;
    assert_eq!(w.program.currency.code(), "EUR");
    let usd = Currency::parse("USD").unwrap();

    let changed = set_currency(&db, w.program.id, usd).await.unwrap();
    assert_eq!(
        (changed.currency, changed.revision),
        (usd, w.program.revision + 1)
    );
    let same = set_currency(&db, w.program.id, usd).await.unwrap();
    assert_eq!(same, changed, "setting the same currency changes nothing");
    assert_eq!(
        program_by_id(&db, w.program.id).await.unwrap(),
        Some(changed.clone())
    );

    // A client without entries does not fix it; its first entry does.
    let client = a_client(&db, &w).await;
    let jpy = Currency::parse("JPY").unwrap();
    let again = set_currency(&db, w.program.id, jpy).await.unwrap();
    assert_eq!(again.currency, jpy);
    insert_outcome(&db, &client, &entry(month(2027, 1), 5))
        .await
        .unwrap();
    let refused = set_currency(&db, w.program.id, usd).await;
    assert!(
        matches!(refused, Err(StoreError::Conflict("outcomes recorded"))),
        "{refused:?}"
    );
    let missing = set_currency(&db, Uuid::now_v7(), usd).await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    assert_eq!(
        program_by_id(&db, w.program.id)
            .await
            .unwrap()
            .unwrap()
            .currency,
        jpy
    );
}
