//! Issue 12, "scores must be exact", over HTTP: scores from exact fractions rounded once,
//! tiers on the exact value, the scoring rule each stored result followed, and answers in
//! criteria order.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SimpleExpr, SubQueryStatement};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::definitions::{Answers, scale, standard_definition, yes};
use crate::fixtures::Actor;
use crate::helpers::{TestApp, int_at, str_at};
use crate::scoring::{expect_rows, setup};

const QUALIFY_EXACT: &str = "mutation($input: QualifyProspectInput!) { qualifyProspect(input: $input) { \
    qualification { id scoringRule scoreBasisPoints score tier uncappedTier \
      projectedScoreBasisPoints projectedTier verdict \
      explanation { key pointsBasisPoints weight contributionBasisPoints knockout unknown } \
      answers { key value { __typename ... on YesNoAnswer { yes } ... on ScaleAnswer { scale } \
        ... on ChoiceAnswer { choice } ... on NumberAnswer { number } ... on UnknownAnswer { unknown } } } \
      outlook { answers { key } } } } }";

const QUALIFICATION: &str = "query($id: ID!) { node(id: $id) { ... on Qualification { \
    scoringRule scoreBasisPoints score tier uncappedTier projectedScoreBasisPoints projectedTier verdict \
    explanation { key pointsBasisPoints weight contributionBasisPoints knockout unknown } \
    answers { key value { __typename ... on YesNoAnswer { yes } ... on ScaleAnswer { scale } } } } } }";

/// A 0..=3 scale (weight 3) and a yes/no (weight 1); A from 75, B from 25.
fn thirds_definition() -> Value {
    json!({
        "criteria": [
            { "key": "scale", "label": "Scale", "weight": 3,
              "rule": { "scale": { "min": 0, "max": 3 } } },
            { "key": "yes", "label": "Yes", "weight": 1, "rule": { "yesNo": {} } }
        ],
        "thresholdA": 75,
        "thresholdB": 25
    })
}

pub async fn qualify(
    app: &TestApp,
    mentee: &Actor,
    prospect: &str,
    answers: Value,
    outlook: Value,
) -> Value {
    let vars =
        json!({ "input": { "prospectId": prospect, "answers": answers, "outlook": outlook } });
    app.data(mentee.tok(), QUALIFY_EXACT, vars).await["qualifyProspect"]["qualification"].clone()
}

fn keys(answers: &Value) -> Vec<String> {
    answers
        .as_array()
        .unwrap_or_else(|| panic!("answers: {answers:#}"))
        .iter()
        .map(|a| str_at(a, "/key"))
        .collect()
}

fn uuid_of(id: &str) -> Uuid {
    let decoded = URL_SAFE_NO_PAD
        .decode(id)
        .expect("a global id is base64url");
    let text = String::from_utf8(decoded).expect("utf-8");
    let (_, uuid) = text.split_once(':').expect("Kind:uuid");
    uuid.parse().expect("uuid")
}

fn global_id(kind: &str, id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{kind}:{id}"))
}

#[tokio::test]
async fn a_third_weighted_three_and_a_no_score_exactly_25_and_reach_tier_b() {
    let app = TestApp::spawn().await;
    let (mentee, prospect) = setup(&app, thirds_definition()).await;
    let q = qualify(
        &app,
        &mentee,
        &prospect,
        json!([
            { "key": "scale", "value": scale(1) }, { "key": "yes", "value": yes(false) }
        ]),
        Value::Null,
    )
    .await;
    assert_eq!(q["scoringRule"], "EXACT_FRACTIONS");
    assert_eq!(
        int_at(&q, "/scoreBasisPoints"),
        2500,
        "3 x 33 1/3 / 4 = 25 exactly"
    );
    assert_eq!(q["score"].as_f64(), Some(25.0));
    assert_eq!((&q["tier"], &q["uncappedTier"]), (&json!("B"), &json!("B")));
    assert_eq!(q["verdict"], "DECLINE");
    // The answer's points are shown rounded down; the contribution comes from the exact value.
    expect_rows(
        &q["explanation"],
        &[
            ("scale", 3333, 3, 2500, false, false),
            ("yes", 0, 1, 0, false, false),
        ],
    );
}

#[tokio::test]
async fn several_scales_lose_nothing_to_rounding_per_answer() {
    let app = TestApp::spawn().await;
    let definition = json!({
        "criteria": [
            { "key": "sevenths", "label": "Sevenths", "weight": 2,
              "rule": { "scale": { "min": 0, "max": 7 } } },
            { "key": "ninths", "label": "Ninths", "weight": 3,
              "rule": { "scale": { "min": 0, "max": 9 } } }
        ],
        "thresholdA": 75,
        "thresholdB": 50
    });
    let (mentee, prospect) = setup(&app, definition).await;
    let q = qualify(
        &app,
        &mentee,
        &prospect,
        json!([
            { "key": "sevenths", "value": scale(3) }, { "key": "ninths", "value": scale(8) }
        ]),
        Value::Null,
    )
    .await;
    // (2 x 30000/7 + 3 x 80000/9) / 5 = 7047.62 bp; rounding each answer first gave 7046.
    assert_eq!(int_at(&q, "/scoreBasisPoints"), 7047);
    expect_rows(
        &q["explanation"],
        &[
            ("sevenths", 4285, 2, 1714, false, false),
            ("ninths", 8888, 3, 5333, false, false),
        ],
    );
}

#[tokio::test]
async fn a_projected_score_of_exactly_75_is_tier_a_and_earns_a_plan() {
    let app = TestApp::spawn().await;
    let (mentee, prospect) = setup(&app, thirds_definition()).await;
    // Projected: (3 x 66 2/3 + 100) / 4 = 75 exactly (per-answer rounding said 74.99, B).
    let outlook = json!({
        "answers": [{ "key": "yes", "value": yes(true) }, { "key": "scale", "value": scale(2) }],
        "plan": "Win the decision maker over."
    });
    let q = qualify(
        &app,
        &mentee,
        &prospect,
        json!([
            { "key": "yes", "value": yes(false) }, { "key": "scale", "value": scale(1) }
        ]),
        outlook,
    )
    .await;
    assert_eq!(int_at(&q, "/projectedScoreBasisPoints"), 7500);
    assert_eq!(q["projectedTier"], "A");
    assert_eq!(q["verdict"], "ACCEPT_WITH_PLAN");
    assert_eq!(keys(&q["outlook"]["answers"]), ["scale", "yes"]);
}

#[tokio::test]
async fn answers_come_back_in_the_versions_criteria_order_whatever_order_they_were_sent_in() {
    let app = TestApp::spawn().await;
    let (mentee, prospect) = setup(&app, standard_definition("STRICT")).await;
    let mut sent = Answers::good().json();
    let sent_list = sent.as_array_mut().expect("answers");
    sent_list.reverse();
    sent_list.swap(2, 7);
    let expected: Vec<String> = Answers::good()
        .json()
        .as_array()
        .expect("answers")
        .iter()
        .map(|a| str_at(a, "/key"))
        .collect();
    assert_ne!(keys(&sent), expected, "sent out of order");
    let outlook = json!({ "plan": "Grow", "answers": [
        { "key": "referral", "value": yes(true) }, { "key": "growth", "value": scale(5) },
        { "key": "decision_maker", "value": yes(true) }
    ] });
    let q = qualify(&app, &mentee, &prospect, sent.clone(), outlook).await;
    assert_eq!(keys(&q["answers"]), expected);
    assert_eq!(
        keys(&q["outlook"]["answers"]),
        ["decision_maker", "growth", "referral"]
    );
    // Each value stays with its key.
    for answer in sent.as_array().expect("answers") {
        let key = str_at(answer, "/key");
        let back = q["answers"]
            .as_array()
            .expect("answers")
            .iter()
            .find(|a| a["key"] == key.as_str())
            .expect("answered");
        let value = &back["value"];
        let sent_value = &answer["value"];
        let same = match (
            sent_value.get("yes"),
            sent_value.get("scale"),
            sent_value.get("number"),
        ) {
            (Some(yes), _, _) => &value["yes"] == yes,
            (_, Some(scale), _) => &value["scale"] == scale,
            (_, _, Some(number)) => value["number"] == json!(number.to_string()),
            _ => false,
        };
        assert!(same, "{key}: sent {sent_value}, got {value}");
    }
    let read = app
        .data(mentee.tok(), QUALIFICATION, json!({ "id": q["id"] }))
        .await;
    assert_eq!(keys(&read["node"]["answers"]), expected);
}

#[tokio::test]
async fn a_qualification_scored_by_the_first_rule_keeps_its_score_and_says_so() {
    let app = TestApp::spawn().await;
    let (mentee, prospect) = setup(&app, thirds_definition()).await;
    // Qualify once to learn the version; the old row goes beside it.
    let current = qualify(
        &app,
        &mentee,
        &prospect,
        json!([
            { "key": "scale", "value": scale(1) }, { "key": "yes", "value": yes(false) }
        ]),
        Value::Null,
    )
    .await;
    let version = app.data(mentee.tok(), "query($id: ID!) { node(id: $id) { ... on Qualification { templateVersion { id } qualifiedBy { id } } } }", json!({ "id": current["id"] })).await;
    let old_id = Uuid::now_v7();
    // What the first rule stored for the same answers: 3333 bp for the scale, 2499, C;
    // the answers as sent, yes/no first; no `scoring_rule` column yet (but the program,
    // which today's schema holds equal to the prospect's).
    let assessment = json!({
        "scoreBp": 2499, "tier": "C", "uncappedTier": "C", "knockouts": [], "unknowns": [],
        "explanation": [
            { "key": "scale", "pointsBp": 3333, "weight": 3, "contributionBp": 2499,
              "knockout": false, "unknown": false },
            { "key": "yes", "pointsBp": 0, "weight": 1, "contributionBp": 0,
              "knockout": false, "unknown": false }
        ]
    });
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
            old_id.into(),
            uuid_of(&prospect).into(),
            SimpleExpr::SubQuery(
                None,
                Box::new(SubQueryStatement::SelectStatement(
                    Query::select()
                        .column(Alias::new("program_id"))
                        .from(Alias::new("prospects"))
                        .and_where(Expr::col(Alias::new("id")).eq(uuid_of(&prospect)))
                        .to_owned(),
                )),
            ),
            uuid_of(&str_at(&version, "/node/templateVersion/id")).into(),
            uuid_of(&str_at(&version, "/node/qualifiedBy/id")).into(),
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
            chrono::Utc::now().into(),
        ])
        .to_owned();
    app.db()
        .await
        .execute(&insert)
        .await
        .expect("insert the old row");

    let old = app
        .data(
            mentee.tok(),
            QUALIFICATION,
            json!({ "id": global_id("Qualification", old_id) }),
        )
        .await;
    let old = &old["node"];
    assert_eq!(old["scoringRule"], "BASIS_POINTS_PER_ANSWER");
    assert_eq!(
        int_at(old, "/scoreBasisPoints"),
        2499,
        "history is not recomputed"
    );
    assert_eq!(
        (&old["tier"], &old["verdict"]),
        (&json!("C"), &json!("DECLINE"))
    );
    expect_rows(
        &old["explanation"],
        &[
            ("scale", 3333, 3, 2499, false, false),
            ("yes", 0, 1, 0, false, false),
        ],
    );
    assert_eq!(
        keys(&old["answers"]),
        ["scale", "yes"],
        "criteria order on read"
    );
    assert_eq!(old["answers"][1]["value"]["yes"], false);
    // The same answers scored today: exact, 25.00, B.
    assert_eq!(current["scoringRule"], "EXACT_FRACTIONS");
    assert_eq!(
        (int_at(&current, "/scoreBasisPoints"), &current["tier"]),
        (2500, &json!("B"))
    );
}
