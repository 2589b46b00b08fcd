//! Path to A and what-if scoring over HTTP, on the A-client standard (weights 3 3 2 3 3 2 2
//! 2 1 1, 22 in all; A at 75.00, so a weighted sum of points of at least 75 x 22 = 1650).

use serde_json::{Value, json};

use crate::definitions::{Answers, number, scale, yes};
use crate::fixtures::CREATE_PROGRAM;
use crate::helpers::{TestApp, codes, expect_code, expect_field, ok};

const PATHS: &str = "query($id: ID!, $limit: Int!) { node(id: $id) { ... on Qualification { \
    tier scoreBasisPoints pathsToA(limit: $limit) { status complete paths { \
    scoreBasisPoints score changes { key label fromPointsBasisPoints toPointsBasisPoints \
    from { __typename ... on ScaleAnswer { scale } ... on NumberAnswer { number } ... on YesNoAnswer { yes } } \
    to { __typename ... on ScaleAnswer { scale } ... on NumberAnswer { number } ... on YesNoAnswer { yes } } \
    } } } } } }";

const WHAT_IF: &str = "query($program: ID!, $answers: [AnswerInput!]!) { \
    whatIf(programId: $program, answers: $answers) { templateVersion { id } score \
    scoreBasisPoints tier uncappedTier knockouts unknowns \
    explanation { key contributionBasisPoints } \
    pathsToA(limit: 1) { status paths { scoreBasisPoints changes { key } } } } }";

/// The paths of the prospect's latest qualification after qualifying it with `answers`.
async fn paths_of(app: &TestApp, answers: &Answers, limit: i64) -> Value {
    let w = app.mentee_in_program("STRICT").await;
    let prospect = app.create_prospect(&w.mentee, &w.program_id, "Acme").await;
    let payload = app.qualify(&w.mentee, &prospect, answers, None).await;
    let id = payload["qualification"]["id"].clone();
    let body = app
        .gql(w.mentee.tok(), PATHS, json!({ "id": id, "limit": limit }))
        .await;
    ok(body)["node"].clone()
}

fn change_keys(path: &Value) -> Vec<String> {
    path["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| c["key"].as_str().expect("key").to_owned())
        .collect()
}

#[tokio::test]
async fn a_b_prospect_gets_the_fewest_changes_that_earn_a_first() {
    let app = TestApp::spawn().await;
    // Middling: 1350 / 22 = 61.36 (B). No single criterion gains the 300 still needed
    // (at most 3 x 50 from values_expertise or revenue_fit); the only pair that does is
    // those two at their best, landing on exactly 1650 / 22 = 75.00.
    let q = paths_of(&app, &Answers::middling(), 3).await;
    assert_eq!(
        (q["tier"].clone(), q["scoreBasisPoints"].clone()),
        (json!("B"), json!(6136))
    );
    let found = &q["pathsToA"];
    assert_eq!(
        (found["status"].clone(), found["complete"].clone()),
        (json!("FOUND"), json!(true))
    );
    let paths = found["paths"].as_array().expect("paths");
    assert_eq!(paths.len(), 3);
    let first = &paths[0];
    assert_eq!(first["scoreBasisPoints"], 7500);
    assert_eq!(first["score"], 75.0);
    assert_eq!(
        first["changes"],
        json!([
            { "key": "values_expertise", "label": "Values our expertise",
              "fromPointsBasisPoints": 5000, "toPointsBasisPoints": 10000,
              "from": { "__typename": "ScaleAnswer", "scale": 3 },
              "to": { "__typename": "ScaleAnswer", "scale": 5 } },
            { "key": "revenue_fit", "label": first["changes"][1]["label"],
              "fromPointsBasisPoints": 5000, "toPointsBasisPoints": 10000,
              "from": { "__typename": "NumberAnswer", "number": "30000" },
              "to": { "__typename": "NumberAnswer", "number": "50000" } },
        ])
    );
    // The others need three changes, earn A, and never hold the first pair whole.
    for path in &paths[1..] {
        let keys = change_keys(path);
        assert_eq!(keys.len(), 3, "{path:#}");
        assert!(path["scoreBasisPoints"].as_i64().expect("score") >= 7500);
        assert!(
            !(keys.contains(&"values_expertise".to_owned())
                && keys.contains(&"revenue_fit".to_owned())),
            "a superset of the first path: {keys:?}"
        );
    }
    let scores: Vec<i64> = paths[1..]
        .iter()
        .map(|p| p["scoreBasisPoints"].as_i64().expect("score"))
        .collect();
    assert!(
        scores.windows(2).all(|w| w[0] <= w[1]),
        "lowest score first: {scores:?}"
    );
}

#[tokio::test]
async fn a_knockout_must_go_and_an_a_prospect_has_nothing_to_change() {
    let app = TestApp::spawn().await;
    // All best but no decision maker: 8636, capped to C; saying yes is enough, to 10000.
    let q = paths_of(&app, &Answers::knocked_out(), 10).await;
    assert_eq!(q["tier"], "C");
    let paths = q["pathsToA"]["paths"].as_array().expect("paths");
    assert_eq!(
        paths.len(),
        1,
        "only one criterion is not at its best: {paths:?}"
    );
    assert_eq!(change_keys(&paths[0]), ["decision_maker"]);
    assert_eq!(
        paths[0]["changes"][0]["to"],
        json!({ "__typename": "YesNoAnswer", "yes": true })
    );
    assert_eq!(paths[0]["scoreBasisPoints"], 10000);

    let app = TestApp::spawn().await;
    let q = paths_of(&app, &Answers::all_best(), 3).await;
    assert_eq!(
        q["pathsToA"],
        json!({ "status": "ALREADY_A", "complete": true, "paths": [] })
    );
}

#[tokio::test]
async fn what_if_scores_without_storing_and_its_path_really_earns_a() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let vars = |answers: &Answers| json!({ "program": w.program_id, "answers": answers.json() });
    let body = app
        .gql(w.mentee.tok(), WHAT_IF, vars(&Answers::middling()))
        .await;
    let r = ok(body)["whatIf"].clone();
    assert_eq!(r["templateVersion"]["id"], json!(w.version_id));
    assert_eq!(
        (r["scoreBasisPoints"].clone(), r["tier"].clone()),
        (json!(6136), json!("B"))
    );
    let sum: i64 = r["explanation"]
        .as_array()
        .expect("explanation")
        .iter()
        .map(|c| c["contributionBasisPoints"].as_i64().expect("bp"))
        .sum();
    assert_eq!(sum, 6136);
    assert_eq!(
        change_keys(&r["pathsToA"]["paths"][0]),
        ["values_expertise", "revenue_fit"]
    );

    // The path's answers, scored: exactly 75.00, A. The mentor may ask too.
    let moved = Answers::middling()
        .with("values_expertise", scale(5))
        .with("revenue_fit", number(50_000));
    let r = ok(app.gql(w.mentor.tok(), WHAT_IF, vars(&moved)).await)["whatIf"].clone();
    assert_eq!(
        (r["scoreBasisPoints"].clone(), r["tier"].clone()),
        (json!(7500), json!("A"))
    );
    assert_eq!(r["pathsToA"]["status"], "ALREADY_A");
    // One below: 74.99 is never A.
    let short = moved.with("revenue_fit", number(49_999));
    let r = ok(app.gql(w.mentor.tok(), WHAT_IF, vars(&short)).await)["whatIf"].clone();
    assert_eq!(
        (r["scoreBasisPoints"].clone(), r["tier"].clone()),
        (json!(6818), json!("B"))
    );

    // A knockout shows as with qualifyProspect.
    let r = ok(app
        .gql(w.mentee.tok(), WHAT_IF, vars(&Answers::knocked_out()))
        .await)["whatIf"]
        .clone();
    assert_eq!(
        (
            r["tier"].clone(),
            r["uncappedTier"].clone(),
            r["knockouts"].clone()
        ),
        (json!("C"), json!("A"), json!(["decision_maker"]))
    );

    // Nothing was stored: the mentee has no prospect, and no qualification exists.
    let list = ok(app
        .gql(
            w.mentee.tok(),
            "{ prospects(first: 5) { totalCount } }",
            json!({}),
        )
        .await);
    assert_eq!(list["prospects"]["totalCount"], 0);
}

#[tokio::test]
async fn bad_answers_limits_and_strangers_get_coded_refusals() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let ask = |token: Option<String>, answers: Value| {
        let app = &app;
        let program = w.program_id.clone();
        async move {
            app.gql(
                token.as_deref(),
                WHAT_IF,
                json!({ "program": program, "answers": answers }),
            )
            .await
        }
    };
    let mentee = w.mentee.tok().map(str::to_owned);
    // A criterion left out, a key that is none, a value of the wrong kind.
    let missing = Answers::all_best().json().as_array().expect("list")[1..].to_vec();
    expect_field(&ask(mentee.clone(), json!(missing)).await, "answers");
    let mut stray = Answers::all_best().json();
    stray[0]["key"] = json!("no_such_criterion");
    expect_field(&ask(mentee.clone(), stray).await, "answers.0.key");
    let wrong_kind = Answers::all_best().with("growth", yes(true)).json();
    expect_field(&ask(mentee.clone(), wrong_kind).await, "answers.6.value");

    // Anonymous; another mentor's program reads as missing, and so does a junk id.
    let body = ask(None, Answers::all_best().json()).await;
    expect_code(&body, "UNAUTHENTICATED");
    let stranger = app.mentor().await;
    let body = ask(
        stranger.tok().map(str::to_owned),
        Answers::all_best().json(),
    )
    .await;
    expect_code(&body, "NOT_FOUND");
    let body = app
        .gql(
            mentee.as_deref(),
            WHAT_IF,
            json!({ "program": "not-an-id", "answers": Answers::all_best().json() }),
        )
        .await;
    // As everywhere: an id that decodes to no program is one you cannot see.
    assert_eq!(codes(&body), ["NOT_FOUND"], "{body:#}");

    // `limit` outside 1..=10.
    let prospect = app.create_prospect(&w.mentee, &w.program_id, "Acme").await;
    let payload = app
        .qualify(&w.mentee, &prospect, &Answers::middling(), None)
        .await;
    let id = payload["qualification"]["id"].clone();
    for limit in [0, 11, -1] {
        let body = app
            .gql(w.mentee.tok(), PATHS, json!({ "id": id, "limit": limit }))
            .await;
        expect_field(&body, "limit");
    }
}

#[tokio::test]
async fn what_if_on_a_program_without_a_standard_is_a_conflict() {
    let app = TestApp::spawn().await;
    let mentor = app.mentor().await;
    let vars = json!({ "input": { "name": "Not yet set up", "description": "" } });
    let data = ok(app.gql(mentor.tok(), CREATE_PROGRAM, vars).await);
    let program = data["createProgram"]["program"]["id"].clone();
    let vars = json!({ "program": program, "answers": Answers::all_best().json() });
    let body = app.gql(mentor.tok(), WHAT_IF, vars).await;
    expect_code(&body, "CONFLICT");
    assert_eq!(body["errors"][0]["extensions"]["reason"], "NO_STANDARD");
}
