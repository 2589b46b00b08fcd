//! Templates and versions, including the immutability of published versions.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::Utc;
use domain::Definition;
use sea_orm::{ConnectionTrait, Statement};
use store::PageRequest;
use store::StoreError;
use store::templates::{
    VersionStatus, archive_template, copy_template, create_template, latest_version,
    latest_versions_by_template_ids, publish_latest, update_draft, update_version_definition,
    versions_by_ids, versions_of,
};
use store::users::Role;

use crate::support::display_name;
use crate::support::{definition, fresh_db, is_sqlite, owned_by, text, user};
use store::visible::templates_page;

fn stricter() -> Definition {
    let mut draft = definition().to_draft();
    draft.threshold_a = 80;
    draft.criteria.pop();
    Definition::parse(draft).unwrap()
}

#[tokio::test]
async fn a_new_template_has_a_draft_version_one_that_reads_back_unchanged() {
    let (db, _guard) = fresh_db().await;
    let mentor = user(&db, Role::Mentor).await;

    let (template, version) = create_template(
        &db,
        mentor.id,
        &display_name("A"),
        &text("desc"),
        &definition(),
    )
    .await
    .unwrap();

    assert_eq!((template.revision, template.owner_id), (1, mentor.id));
    assert_eq!((version.number, version.status), (1, VersionStatus::Draft));
    assert_eq!(version.definition, definition());
    assert_eq!(latest_version(&db, template.id).await.unwrap(), version);
}

#[tokio::test]
async fn a_published_version_cannot_be_updated() {
    let (db, _guard) = fresh_db().await;
    let mentor = user(&db, Role::Mentor).await;
    let (template, _) =
        create_template(&db, mentor.id, &display_name("A"), &text(""), &definition())
            .await
            .unwrap();
    let published = publish_latest(&db, template.id, Utc::now()).await.unwrap();

    let result = update_version_definition(&db, published.id, &stricter()).await;

    assert!(matches!(result, Err(StoreError::Immutable)), "{result:?}");
    let stored = versions_by_ids(&db, &[published.id]).await.unwrap();
    assert_eq!(stored, vec![published]);
}

#[tokio::test]
async fn the_database_itself_refuses_changes_to_a_published_version() {
    let (db, _guard) = fresh_db().await;
    let mentor = user(&db, Role::Mentor).await;
    let (template, _) =
        create_template(&db, mentor.id, &display_name("A"), &text(""), &definition())
            .await
            .unwrap();
    let published = publish_latest(&db, template.id, Utc::now()).await.unwrap();
    let backend = db.get_database_backend();
    let placeholder = if is_sqlite(&db) { "?" } else { "$1" };

    for sql in [
        format!("UPDATE template_versions SET threshold_a = 1 WHERE id = {placeholder}"),
        format!("UPDATE criteria SET weight = 1 WHERE version_id = {placeholder}"),
        format!("DELETE FROM criteria WHERE version_id = {placeholder}"),
    ] {
        let statement = Statement::from_sql_and_values(backend, &sql, [published.id.into()]);
        let result = db.execute_raw(statement).await;
        assert!(result.is_err(), "{sql} must be refused");
    }
    assert_eq!(
        versions_by_ids(&db, &[published.id]).await.unwrap(),
        vec![published]
    );
}

#[tokio::test]
async fn editing_a_published_template_adds_a_draft_version_and_keeps_the_published_one() {
    let (db, _guard) = fresh_db().await;
    let mentor = user(&db, Role::Mentor).await;
    let (template, _) =
        create_template(&db, mentor.id, &display_name("A"), &text(""), &definition())
            .await
            .unwrap();
    let published = publish_latest(&db, template.id, Utc::now()).await.unwrap();

    let (edited, draft) = update_draft(
        &db,
        template.id,
        Some(&display_name("B")),
        None,
        Some(&stricter()),
        Some(2),
    )
    .await
    .unwrap();

    assert_eq!((edited.name.as_str(), edited.revision), ("B", 3));
    assert_eq!((draft.number, draft.status), (2, VersionStatus::Draft));
    assert_eq!(draft.definition, stricter());
    assert_eq!(
        versions_of(&db, template.id).await.unwrap(),
        vec![published, draft]
    );
}

#[tokio::test]
async fn editing_a_draft_replaces_it_in_place() {
    let (db, _guard) = fresh_db().await;
    let mentor = user(&db, Role::Mentor).await;
    let (template, draft) =
        create_template(&db, mentor.id, &display_name("A"), &text(""), &definition())
            .await
            .unwrap();

    let (_, edited) = update_draft(&db, template.id, None, None, Some(&stricter()), None)
        .await
        .unwrap();

    assert_eq!((edited.id, edited.number), (draft.id, 1));
    assert_eq!(edited.definition, stricter());
    assert_eq!(versions_of(&db, template.id).await.unwrap(), vec![edited]);
}

#[tokio::test]
async fn an_edit_that_changes_nothing_keeps_the_revision_and_adds_no_version() {
    let (db, _guard) = fresh_db().await;
    let mentor = user(&db, Role::Mentor).await;
    let (template, draft) = create_template(
        &db,
        mentor.id,
        &display_name("A"),
        &text("About"),
        &definition(),
    )
    .await
    .unwrap();

    let (same, version) = update_draft(
        &db,
        template.id,
        Some(&display_name("A")),
        Some(&text("About")),
        Some(&definition()),
        Some(1),
    )
    .await
    .unwrap();
    assert_eq!((same.revision, same.updated_at), (1, template.updated_at));
    assert_eq!(version, draft);

    // The published definition again starts no new draft.
    let published = publish_latest(&db, template.id, Utc::now()).await.unwrap();
    let (after, version) = update_draft(&db, template.id, None, None, Some(&definition()), None)
        .await
        .unwrap();
    assert_eq!(version, published);
    assert_eq!(
        versions_of(&db, template.id).await.unwrap(),
        vec![published]
    );
    let (again, _) = update_draft(&db, template.id, Some(&display_name("A")), None, None, None)
        .await
        .unwrap();
    assert_eq!(again.revision, after.revision);

    // A real change still moves it on.
    let (renamed, _) = update_draft(
        &db,
        template.id,
        Some(&display_name("B")),
        None,
        None,
        Some(after.revision),
    )
    .await
    .unwrap();
    assert_eq!(renamed.revision, after.revision + 1);
}

#[tokio::test]
async fn an_outdated_expected_revision_is_stale() {
    let (db, _guard) = fresh_db().await;
    let mentor = user(&db, Role::Mentor).await;
    let (template, _) =
        create_template(&db, mentor.id, &display_name("A"), &text(""), &definition())
            .await
            .unwrap();
    update_draft(
        &db,
        template.id,
        Some(&display_name("B")),
        None,
        None,
        Some(1),
    )
    .await
    .unwrap();

    let result = update_draft(
        &db,
        template.id,
        Some(&display_name("C")),
        None,
        None,
        Some(1),
    )
    .await;

    assert!(matches!(result, Err(StoreError::Stale)), "{result:?}");
}

#[tokio::test]
async fn publishing_twice_is_a_conflict() {
    let (db, _guard) = fresh_db().await;
    let mentor = user(&db, Role::Mentor).await;
    let (template, _) =
        create_template(&db, mentor.id, &display_name("A"), &text(""), &definition())
            .await
            .unwrap();
    let now = Utc::now();
    let published = publish_latest(&db, template.id, now).await.unwrap();

    let again = publish_latest(&db, template.id, now).await;

    assert_eq!(published.status, VersionStatus::Published);
    assert!(published.published_at.is_some());
    assert!(
        matches!(again, Err(StoreError::Conflict("already published"))),
        "{again:?}"
    );
}

#[tokio::test]
async fn versions_load_with_two_queries_however_many_are_asked_for() {
    let (db, _guard) = fresh_db().await;
    let mentor = user(&db, Role::Mentor).await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        let (_, version) =
            create_template(&db, mentor.id, &display_name("A"), &text(""), &definition())
                .await
                .unwrap();
        ids.push(version.id);
    }
    let queries = Arc::new(AtomicUsize::new(0));
    let mut counted = db.pool().clone();
    let counter = Arc::clone(&queries);
    counted.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });

    let versions = versions_by_ids(&counted, &ids).await.unwrap();

    assert_eq!(versions.len(), 5);
    assert!(
        versions
            .iter()
            .all(|version| version.definition == definition())
    );
    assert_eq!(queries.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn latest_versions_are_picked_per_template() {
    let (db, _guard) = fresh_db().await;
    let mentor = user(&db, Role::Mentor).await;
    let (one, _) = create_template(
        &db,
        mentor.id,
        &display_name("One"),
        &text(""),
        &definition(),
    )
    .await
    .unwrap();
    let (two, two_v1) = create_template(
        &db,
        mentor.id,
        &display_name("Two"),
        &text(""),
        &definition(),
    )
    .await
    .unwrap();
    publish_latest(&db, one.id, Utc::now()).await.unwrap();
    let (_, one_v2) = update_draft(&db, one.id, None, None, Some(&stricter()), None)
        .await
        .unwrap();

    let mut latest = latest_versions_by_template_ids(&db, &[one.id, two.id])
        .await
        .unwrap();
    latest.sort_by_key(|version| version.template_id);

    assert_eq!(latest, vec![one_v2, two_v1]);
}

#[tokio::test]
async fn a_copy_belongs_to_the_new_owner_as_a_fresh_draft() {
    let (db, _guard) = fresh_db().await;
    let author = user(&db, Role::Mentor).await;
    let other = user(&db, Role::Mentor).await;
    let (source, _) = create_template(
        &db,
        author.id,
        &display_name("A"),
        &text("the standard"),
        &definition(),
    )
    .await
    .unwrap();
    publish_latest(&db, source.id, Utc::now()).await.unwrap();

    let (copy, version) = copy_template(&db, source.id, other.id, &display_name("Mine"))
        .await
        .unwrap();

    assert_eq!((copy.owner_id, copy.name.as_str()), (other.id, "Mine"));
    assert_eq!(copy.description, "the standard");
    assert_eq!((version.number, version.status), (1, VersionStatus::Draft));
    assert_eq!(version.definition, definition());
}

#[tokio::test]
async fn archived_templates_are_listed_only_on_request() {
    let (db, _guard) = fresh_db().await;
    let mentor = user(&db, Role::Mentor).await;
    let (kept, _) = create_template(
        &db,
        mentor.id,
        &display_name("Kept"),
        &text(""),
        &definition(),
    )
    .await
    .unwrap();
    let (gone, _) = create_template(
        &db,
        mentor.id,
        &display_name("Gone"),
        &text(""),
        &definition(),
    )
    .await
    .unwrap();
    let archived = archive_template(&db, gone.id, Utc::now()).await.unwrap();
    let all = PageRequest {
        size: 10,
        backward: false,
        after: None,
        before: None,
        count: true,
    };

    let active = templates_page(&db, &owned_by(mentor.id), false, all.clone())
        .await
        .unwrap();
    let everything = templates_page(&db, &owned_by(mentor.id), true, all)
        .await
        .unwrap();

    assert!(archived.archived_at.is_some());
    assert_eq!(active.items, vec![kept.clone()]);
    assert_eq!(everything.items, vec![kept, archived]);
    assert_eq!((active.total.unwrap(), everything.total.unwrap()), (1, 2));
}

#[tokio::test]
async fn a_stored_weight_or_threshold_out_of_range_reads_back_as_a_corrupt_version() {
    let (db, _guard) = fresh_db().await;
    let mentor = user(&db, Role::Mentor).await;
    let backend = db.get_database_backend();
    let placeholder = if is_sqlite(&db) { "?" } else { "$1" };

    for set in [
        "UPDATE criteria SET weight = 0 WHERE version_id = {}",
        "UPDATE criteria SET weight = 101 WHERE version_id = {}",
        "UPDATE template_versions SET threshold_a = 101 WHERE id = {}",
        "UPDATE template_versions SET threshold_b = -1 WHERE id = {}",
    ] {
        let (_, draft) =
            create_template(&db, mentor.id, &display_name("A"), &text(""), &definition())
                .await
                .unwrap();
        let sql = set.replace("{}", placeholder);
        let statement = Statement::from_sql_and_values(backend, &sql, [draft.id.into()]);
        db.execute_raw(statement).await.unwrap();

        let read = versions_by_ids(&db, &[draft.id]).await;
        let message = read.as_ref().map_err(ToString::to_string);
        assert!(
            matches!(&message, Err(m) if m.contains("corrupt stored value")),
            "{sql}: {message:?}"
        );
    }
}
