//! Stored qualifications outlive the rule that computed them: a row written before
//! `scoring_rule` existed reads back exactly as it was stored, marked as rule 1.

use chrono::Utc;
use domain::{AnswerValue, QualificationResult, ScoringRule, Tier, Verdict};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Query};
use serde_json::json;
use store::QualificationHead;
use store::StoreError;
use store::prospects::create_prospect;
use store::qualifications::{
    NewQualification, heads_by_ids, insert_qualification, qualification_by_id,
};
use store::users::Role;
use uuid::Uuid;

use crate::support::display_name;
use crate::support::{fresh_db, program_with_standard, qualify, user};

/// The result of a 0..=3 scale (weight 3) answered 1 and a yes/no (weight 1) answered
/// no, as the first rule computed and stored it: 3333 bp for the scale, 2499 in all, C.
fn first_rule_assessment() -> serde_json::Value {
    json!({
        "scoreBp": 2499, "tier": "C", "uncappedTier": "C", "knockouts": [], "unknowns": [],
        "explanation": [
            { "key": "scale", "pointsBp": 3333, "weight": 3, "contributionBp": 2499,
              "knockout": false, "unknown": false },
            { "key": "yes", "pointsBp": 0, "weight": 1, "contributionBp": 0,
              "knockout": false, "unknown": false }
        ]
    })
}

#[tokio::test]
async fn a_qualification_stored_by_the_first_rule_reads_back_unchanged_as_rule_one() {
    let (db, _guard) = fresh_db().await;
    let mentor = user(&db, Role::Mentor).await;
    let mentee = user(&db, Role::Mentee).await;
    let (program, version) = program_with_standard(&db, &mentor).await;
    let prospect = create_prospect(&db, mentee.id, program.id, &display_name("Old"), None, None)
        .await
        .unwrap();
    let id = Uuid::now_v7();
    let assessment = first_rule_assessment();
    // The row as the code before `scoring_rule` wrote it: without that column, and the
    // answers in the order they were sent (with the program, which today's schema holds
    // equal to the prospect's: migration 13 filled it in for such rows).
    let insert = Query::insert()
        .into_table(Alias::new("qualifications"))
        .columns(
            [
                "id",
                "prospect_id",
                "program_id",
                "template_version_id",
                "qualified_by",
                "answers",
                "score_bp",
                "tier",
                "knockouts",
                "unknowns",
                "explanation",
                "projected_score_bp",
                "projected_tier",
                "projected_explanation",
                "verdict",
                "created_at",
            ]
            .map(Alias::new),
        )
        .values_panic([
            id.into(),
            prospect.id.into(),
            program.id.into(),
            version.id.into(),
            mentee.id.into(),
            json!([
                { "key": "yes", "value": { "yesNo": false } },
                { "key": "scale", "value": { "scale": 1 } }
            ])
            .into(),
            2499.into(),
            "C".into(),
            json!([]).into(),
            json!([]).into(),
            assessment.clone().into(),
            2499.into(),
            "C".into(),
            assessment.into(),
            "DECLINE".into(),
            Utc::now().into(),
        ])
        .to_owned();
    db.execute(&insert).await.unwrap();

    let stored = qualification_by_id(&db, id).await.unwrap().unwrap();
    assert_eq!(
        stored.result.scoring_rule,
        ScoringRule::BasisPointsPerAnswer
    );
    assert_eq!(stored.result.now.score_bp.get(), 2499, "never recomputed");
    assert_eq!(stored.result.now.tier, Tier::C);
    assert_eq!(stored.result.verdict, Verdict::Decline);
    assert_eq!(stored.result.now.explanation[0].points_bp.get(), 3333);
    assert_eq!(stored.result.now.explanation[0].contribution_bp.get(), 2499);
    assert_eq!(stored.result.projected, stored.result.now);
    let answers: Vec<(&str, &AnswerValue)> = stored
        .answers
        .iter()
        .map(|a| (a.key.as_str(), &a.value))
        .collect();
    assert_eq!(
        answers,
        [
            ("yes", &AnswerValue::YesNo(false)),
            ("scale", &AnswerValue::Scale(1))
        ]
    );
}

/// A qualification of a new prospect, scored now and stored: its id and its result.
async fn a_stored_qualification(db: &store::Db) -> (Uuid, QualificationResult) {
    let mentor = user(db, Role::Mentor).await;
    let mentee = user(db, Role::Mentee).await;
    let (program, version) = program_with_standard(db, &mentor).await;
    let prospect = create_prospect(db, mentee.id, program.id, &display_name("New"), None, None)
        .await
        .unwrap();
    let (answers, result) = qualify(&version.definition, true);
    let new = NewQualification {
        prospect_id: prospect.id,
        template_version_id: version.id,
        qualified_by: mentee.id,
        answers: &answers,
        outlook: None,
        result: &result,
        evidence: &[],
    };
    let inserted = insert_qualification(db, new).await.unwrap();
    (inserted.id, result)
}

#[tokio::test]
async fn a_new_qualification_is_stored_as_scored_by_exact_fractions() {
    let (db, _guard) = fresh_db().await;
    let (id, result) = a_stored_qualification(&db).await;
    assert_eq!(result.scoring_rule, ScoringRule::ExactFractions);
    let stored = qualification_by_id(&db, id).await.unwrap().unwrap();
    assert_eq!(stored.result.scoring_rule, ScoringRule::ExactFractions);
    assert_eq!(stored.result, result);
    let select = Query::select()
        .column(Alias::new("scoring_rule"))
        .from(Alias::new("qualifications"))
        .to_owned();
    let row = db.query_one(&select).await.unwrap().unwrap();
    assert_eq!(row.try_get::<i32>("", "scoring_rule").unwrap(), 2);
}

/// Stores a fresh qualification, sets one column of its row to `value`, and reads it back.
async fn read_back_with(
    column: &str,
    value: sea_orm::sea_query::SimpleExpr,
) -> Result<Option<store::Qualification>, StoreError> {
    let (db, _guard) = fresh_db().await;
    let (id, _) = a_stored_qualification(&db).await;
    let update = Query::update()
        .table(Alias::new("qualifications"))
        .value(Alias::new(column), value)
        .to_owned();
    db.execute(&update).await.unwrap();
    qualification_by_id(&db, id).await
}

#[tokio::test]
async fn a_stored_score_outside_basis_points_is_a_corrupt_row_not_a_panic() {
    for score in [10_001, -1] {
        let read = read_back_with("score_bp", score.into()).await;
        let message = read.as_ref().map_err(ToString::to_string);
        assert!(
            matches!(&message, Err(m) if m.contains("corrupt stored value")),
            "{score}: {message:?}"
        );
    }
}

#[tokio::test]
async fn a_stored_explanation_with_points_outside_basis_points_is_a_corrupt_row() {
    let explanation = json!({
        "scoreBp": 10000, "tier": "A", "uncappedTier": "A", "knockouts": [], "unknowns": [],
        "explanation": [
            { "key": "budget", "pointsBp": 10001, "weight": 1, "contributionBp": 10000,
              "knockout": false, "unknown": false }
        ]
    });
    let read = read_back_with("explanation", explanation.into()).await;
    let message = read.as_ref().map_err(ToString::to_string);
    assert!(
        matches!(&message, Err(m) if m.contains("corrupt stored value: must be between 0 and 10000")),
        "{message:?}"
    );
}

#[tokio::test]
async fn a_stored_answer_whose_key_is_not_a_criterion_key_is_a_corrupt_row_not_a_panic() {
    let not_slugs = [json!("Decision Maker"), json!(""), json!(7)];
    for key in not_slugs {
        let answers = json!([{ "key": key, "value": { "yesNo": true } }]);
        let read = read_back_with("answers", answers.into()).await;
        let message = read.as_ref().map_err(ToString::to_string);
        assert!(
            matches!(&message, Err(m) if m.contains("corrupt stored value")),
            "answers keyed {key}: {message:?}"
        );
        let outlook = json!({
            "answers": [{ "key": key, "value": { "scale": 3 } }],
            "plan": "A plan.",
            "requalifyBy": null
        });
        let read = read_back_with("outlook", outlook.into()).await;
        let message = read.as_ref().map_err(ToString::to_string);
        assert!(
            matches!(&message, Err(m) if m.contains("corrupt stored value")),
            "outlook answers keyed {key}: {message:?}"
        );
    }
}

/// A head is the whole row's result, read from the columns that copy it.
#[tokio::test]
async fn a_head_reads_back_what_the_whole_row_holds() {
    let (db, _guard) = fresh_db().await;
    let (id, _) = a_stored_qualification(&db).await;
    let row = qualification_by_id(&db, id).await.unwrap().unwrap();
    let heads = heads_by_ids(&db, &[id, Uuid::now_v7()]).await.unwrap();
    assert_eq!(heads, vec![QualificationHead::from(&row)]);
    assert!(heads_by_ids(&db, &[]).await.unwrap().is_empty());
}

/// A head column outside its rule, or a row in an unknown JSON format, is refused when
/// only the heads are read, as when the whole row is.
#[tokio::test]
async fn a_corrupt_head_column_is_refused_not_misread() {
    let cases: [(&str, sea_orm::sea_query::SimpleExpr, &str); 6] = [
        ("score_bp", 10_001.into(), "corrupt stored value"),
        ("tier", "Z".into(), "corrupt stored value"),
        ("projected_tier", "".into(), "corrupt stored value"),
        ("verdict", "MAYBE".into(), "corrupt stored value"),
        (
            "knockouts",
            json!(["Not A Key"]).into(),
            "corrupt stored value",
        ),
        ("json_format", 2.into(), "format 2"),
    ];
    for (column, value, expected) in cases {
        let (db, _guard) = fresh_db().await;
        let (id, _) = a_stored_qualification(&db).await;
        let update = Query::update()
            .table(Alias::new("qualifications"))
            .value(Alias::new(column), value)
            .to_owned();
        db.execute(&update).await.unwrap();
        let message = heads_by_ids(&db, &[id]).await.map_err(|e| e.to_string());
        assert!(
            matches!(&message, Err(m) if m.contains(expected)),
            "{column}: {message:?}"
        );
    }
}
