//! Evidence on a qualification's answers: stored in criteria order with the share of the
//! score resting on assumptions; rows from before the columns read as none and 0.

use domain::{CriterionKey, Evidence, EvidenceKind, assumption_share};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Expr, Query};
use store::prospects::create_prospect;
use store::qualifications::{
    NewQualification, heads_by_ids, insert_qualification, qualification_by_id,
};
use store::users::Role;

use crate::support::{display_name, fresh_db, program_with_standard, qualify, user};

#[tokio::test]
async fn evidence_is_stored_in_criteria_order_with_its_assumption_share() {
    let (db, _guard) = fresh_db().await;
    let mentor = user(&db, Role::Mentor).await;
    let mentee = user(&db, Role::Mentee).await;
    let (program, version) = program_with_standard(&db, &mentor).await;
    let name = display_name("Acme");
    let prospect = create_prospect(&db, mentee.id, program.id, &name, None, None)
        .await
        .unwrap();
    let (answers, result) = qualify(&version.definition, true);
    let key = |k: &str| CriterionKey::parse(k).unwrap();
    let evidence = |kind, note| Evidence::new(kind, note).unwrap();
    // Out of order, and one key the version does not have.
    let given = vec![
        (key("revenue_fit"), evidence(EvidenceKind::Assumption, None)),
        (key("no_such_criterion"), evidence(EvidenceKind::Fact, None)),
        (
            key("decision_maker"),
            evidence(EvidenceKind::Fact, Some(" met the CEO ")),
        ),
        (
            key("growth"),
            evidence(EvidenceKind::Assumption, Some("hope")),
        ),
    ];
    let stored = insert_qualification(
        &db,
        NewQualification {
            prospect_id: prospect.id,
            template_version_id: version.id,
            qualified_by: mentee.id,
            answers: &answers,
            outlook: None,
            result: &result,
            evidence: &given,
        },
    )
    .await
    .unwrap();

    let in_order = vec![given[2].clone(), given[0].clone(), given[3].clone()];
    assert_eq!(stored.evidence, in_order);
    assert_eq!(
        stored.evidence[0].1.note.as_ref().map(|n| n.as_str()),
        Some("met the CEO")
    );
    // The best answers: every contribution is weight * 10000 / 22 (rounded by largest
    // remainder); revenue_fit weighs 3 and growth 2 of the 22.
    let expected = assumption_share(&result.now.explanation, |k| {
        ["revenue_fit", "growth"]
            .contains(&k.as_str())
            .then_some(EvidenceKind::Assumption)
    });
    assert_eq!(stored.assumption_share_bp, expected);
    assert!((2_272..=2_274).contains(&expected.get()), "{expected:?}");
    assert_eq!(
        qualification_by_id(&db, stored.id).await.unwrap(),
        Some(stored.clone())
    );
    let heads = heads_by_ids(&db, &[stored.id]).await.unwrap();
    assert_eq!(heads[0].assumption_share_bp, expected);

    // A row from before the columns: no evidence, a share of 0.
    let before = Query::update()
        .table(Alias::new("qualifications"))
        .value(Alias::new("evidence"), Expr::cust("NULL"))
        .value(Alias::new("assumption_share_bp"), Expr::cust("NULL"))
        .to_owned();
    db.execute(&before).await.unwrap();
    let old = qualification_by_id(&db, stored.id).await.unwrap().unwrap();
    assert_eq!(
        (old.evidence, old.assumption_share_bp.get()),
        (Vec::new(), 0)
    );
    let heads = heads_by_ids(&db, &[stored.id]).await.unwrap();
    assert_eq!(heads[0].assumption_share_bp.get(), 0);
}
