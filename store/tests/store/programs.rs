//! Programs and enrollments.

use chrono::Utc;
use store::StoreError;
use store::programs::{enroll, enrollment, mentee_program_ids, remove_enrollment, update_program};
use store::users::Role;

use crate::support::display_name;
use crate::support::{fresh_db, program_with_standard, user};

#[tokio::test]
async fn enrolling_twice_is_a_conflict_and_re_enrolling_after_removal_reactivates() {
    let (db, _guard) = fresh_db().await;
    let mentor = user(&db, Role::Mentor).await;
    let mentee = user(&db, Role::Mentee).await;
    let (program, _) = program_with_standard(&db, &mentor).await;
    let first = enroll(&db, program.id, mentee.id).await.unwrap();

    let twice = enroll(&db, program.id, mentee.id).await;
    assert!(
        matches!(twice, Err(StoreError::Conflict("enrollment"))),
        "{twice:?}"
    );

    remove_enrollment(&db, program.id, mentee.id, Utc::now())
        .await
        .unwrap();
    assert_eq!(enrollment(&db, program.id, mentee.id).await.unwrap(), None);
    assert!(mentee_program_ids(&db, mentee.id).await.unwrap().is_empty());
    let removed_again = remove_enrollment(&db, program.id, mentee.id, Utc::now()).await;
    assert!(
        matches!(removed_again, Err(StoreError::NotFound)),
        "{removed_again:?}"
    );

    let back = enroll(&db, program.id, mentee.id).await.unwrap();
    assert_eq!(back, first, "the same enrollment, active again");
    assert_eq!(
        enrollment(&db, program.id, mentee.id).await.unwrap(),
        Some(back)
    );
}

#[tokio::test]
async fn update_program_changes_only_the_given_fields_and_checks_the_revision() {
    let (db, _guard) = fresh_db().await;
    let mentor = user(&db, Role::Mentor).await;
    let (program, standard) = program_with_standard(&db, &mentor).await;

    let renamed = update_program(
        &db,
        program.id,
        Some(&display_name("New")),
        None,
        None,
        Some(1),
    )
    .await
    .unwrap();
    let stale = update_program(
        &db,
        program.id,
        Some(&display_name("Late")),
        None,
        None,
        Some(1),
    )
    .await;

    assert_eq!(renamed.name, "New");
    assert_eq!(renamed.description, program.description);
    assert_eq!(renamed.standard_version_id, Some(standard.id));
    assert_eq!(renamed.revision, 2);
    assert!(matches!(stale, Err(StoreError::Stale)), "{stale:?}");
}
