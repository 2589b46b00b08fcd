//! Answers and numbers that are not what they claim to be, over HTTP: `{unknown: false}`,
//! answer values of no kind or two, integers outside GraphQL's `Int`, and `BigInt`.

use serde_json::{Value, json};

use crate::definitions::{Answers, scale, standard_definition, unknown, yes};
use crate::exact_scores::qualify;
use crate::fixtures::{Actor, CREATE_TEMPLATE, QUALIFY};
use crate::helpers::{TestApp, expect_code, expect_field, int_at, str_at};
use crate::scoring::setup;

/// Qualifies with `answers` and `outlook`, expects BAD_USER_INPUT on every one of `fields`,
/// and nothing stored.
async fn refused(
    app: &TestApp,
    mentee: &Actor,
    prospect: &str,
    answers: Value,
    outlook: Value,
    fields: &[&str],
) {
    let vars =
        json!({ "input": { "prospectId": prospect, "answers": answers, "outlook": outlook } });
    let body = app.gql(mentee.tok(), QUALIFY, vars).await;
    for field in fields {
        expect_field(&body, field);
    }
    let history = app
        .data(mentee.tok(), "query($id: ID!) { node(id: $id) { ... on Prospect { qualifications { totalCount } } } }", json!({ "id": prospect }))
        .await;
    assert_eq!(
        int_at(&history, "/node/qualifications/totalCount"),
        0,
        "nothing stored: {body}"
    );
}

#[tokio::test]
async fn unknown_false_is_not_an_answer_and_names_its_field() {
    let app = TestApp::spawn().await;
    let (mentee, prospect) = setup(&app, standard_definition("STRICT")).await;
    let not_unknown = json!({ "unknown": false });
    refused(
        &app,
        &mentee,
        &prospect,
        Answers::all_best()
            .with("speaks_our_language", not_unknown.clone())
            .json(),
        Value::Null,
        &["input.answers.2.value.unknown"],
    )
    .await;
    refused(&app, &mentee, &prospect, Answers::all_best().json(),
        json!({ "plan": "p", "answers": [{ "key": "growth", "value": scale(5) }, { "key": "energy", "value": not_unknown }] }),
        &["input.outlook.answers.1.value.unknown"]).await;
    // Both at once are both reported.
    refused(
        &app,
        &mentee,
        &prospect,
        Answers::all_best()
            .with("energy", json!({ "unknown": false }))
            .json(),
        json!({ "plan": "p", "answers": [{ "key": "growth", "value": { "unknown": false } }] }),
        &[
            "input.answers.8.value.unknown",
            "input.outlook.answers.0.value.unknown",
        ],
    )
    .await;
    // With the domain's own problems, in one answer.
    refused(
        &app,
        &mentee,
        &prospect,
        Answers::all_best()
            .with("energy", json!({ "unknown": false }))
            .with("nonsense", yes(true))
            .json(),
        Value::Null,
        &["input.answers.8.value.unknown", "input.answers.10.key"],
    )
    .await;
    // `unknown: true` still is an answer.
    let q = qualify(
        &app,
        &mentee,
        &prospect,
        Answers::all_best().with("energy", unknown()).json(),
        Value::Null,
    )
    .await;
    assert_eq!(
        q["answers"][8]["value"],
        json!({ "__typename": "UnknownAnswer", "unknown": true })
    );
}

#[tokio::test]
async fn an_answer_value_needs_exactly_one_kind_and_names_its_field() {
    let app = TestApp::spawn().await;
    let (mentee, prospect) = setup(&app, standard_definition("STRICT")).await;
    let wrong = [
        json!({}),
        json!({ "scale": 3, "yes": true }),
        json!({ "scale": 3, "unknown": true }),
        json!({ "scale": 3, "yes": null }),
        json!({ "unknown": null }),
        json!({ "yes": null, "scale": null }),
    ];
    for value in wrong {
        refused(
            &app,
            &mentee,
            &prospect,
            Answers::all_best().with("team_fit", value.clone()).json(),
            Value::Null,
            &["input.answers.5.value"],
        )
        .await;
        refused(
            &app,
            &mentee,
            &prospect,
            Answers::all_best().json(),
            json!({ "plan": "p", "answers": [{ "key": "team_fit", "value": value }] }),
            &["input.outlook.answers.0.value"],
        )
        .await;
    }
}

/// A change to a template definition.
type Edit = fn(&mut Value);

#[tokio::test]
async fn integers_outside_graphql_int_are_bad_user_input_with_their_path() {
    let app = TestApp::spawn().await;
    let (mentee, prospect) = setup(&app, standard_definition("STRICT")).await;
    // values_expertise is a 1..=5 scale (answer 1).
    for too_big in [
        json!(2_147_483_648_i64),
        json!(-2_147_483_649_i64),
        json!(9_007_199_254_740_993_i64),
    ] {
        refused(
            &app,
            &mentee,
            &prospect,
            Answers::all_best()
                .with("values_expertise", json!({ "scale": too_big }))
                .json(),
            Value::Null,
            &["input.answers.1.value.scale"],
        )
        .await;
    }
    for beyond_64_bits in [json!(9_223_372_036_854_775_808_u64), json!(1.5), json!("3")] {
        refused(
            &app,
            &mentee,
            &prospect,
            Answers::all_best()
                .with("values_expertise", json!({ "scale": beyond_64_bits }))
                .json(),
            Value::Null,
            &["input.answers.1.value.scale"],
        )
        .await;
    }
    // The largest Int is an Int, and out of this scale's range.
    refused(
        &app,
        &mentee,
        &prospect,
        Answers::all_best()
            .with("values_expertise", scale(2_147_483_647))
            .json(),
        Value::Null,
        &["input.answers.1.value"],
    )
    .await;
    // Written in the query text rather than as a variable: the same answer.
    let literal = format!(
        "mutation {{ qualifyProspect(input: {{ prospectId: \"{prospect}\", answers: [{{ key: \"energy\", value: {{ scale: 2147483648 }} }}] }}) {{ qualification {{ id }} }} }}"
    );
    expect_field(
        &app.gql(mentee.tok(), &literal, json!({})).await,
        "input.answers.0.value.scale",
    );

    let mentor = app.mentor().await;
    let cases: [(Edit, &str); 9] = [
        (
            |d| d["criteria"][1]["weight"] = json!(2_147_483_648_i64),
            "input.definition.criteria.1.weight",
        ),
        (
            |d| d["criteria"][1]["weight"] = json!(-1),
            "input.definition.criteria.1.weight",
        ),
        (
            |d| d["criteria"][1]["weight"] = json!(4_294_967_297_i64),
            "input.definition.criteria.1.weight",
        ),
        (
            |d| {
                d["criteria"][1]["rule"] =
                    json!({ "scale": { "min": -2_147_483_649_i64, "max": 5 } })
            },
            "input.definition.criteria.1.rule.scale.min",
        ),
        (
            |d| {
                d["criteria"][1]["rule"] =
                    json!({ "scale": { "min": 1, "max": 5, "knockoutBelow": 2_147_483_648_i64 } })
            },
            "input.definition.criteria.1.rule.scale.knockoutBelow",
        ),
        (
            |d| d["criteria"][0]["rule"]["yesNo"]["yesPoints"] = json!(9_007_199_254_740_993_i64),
            "input.definition.criteria.0.rule.yesNo.yesPoints",
        ),
        (
            |d| d["thresholdA"] = json!(-2_147_483_649_i64),
            "input.definition.thresholdA",
        ),
        (
            |d| d["thresholdB"] = json!(-1),
            "input.definition.thresholdB",
        ),
        (
            |d| d["horizonMonths"] = json!(9_223_372_036_854_775_808_u64),
            "input.definition.horizonMonths",
        ),
    ];
    for (edit, field) in cases {
        let mut definition = standard_definition("STRICT");
        edit(&mut definition);
        let vars = json!({ "input": { "name": "Too big", "definition": definition } });
        expect_field(&app.gql(mentor.tok(), CREATE_TEMPLATE, vars).await, field);
    }
    let templates = app
        .data(mentor.tok(), "{ templates { totalCount } }", json!({}))
        .await;
    assert_eq!(
        int_at(&templates, "/templates/totalCount"),
        0,
        "no template was stored"
    );
}

#[tokio::test]
async fn number_answers_and_band_bounds_are_64_bit_big_ints_written_as_strings() {
    let app = TestApp::spawn().await;
    let definition = json!({
        "criteria": [
            { "key": "budget", "label": "Budget", "weight": 1, "rule": { "numberBands": {
                "bands": [
                    { "points": 0 },
                    { "min": "3000000000", "points": 50 },
                    { "min": 9_007_199_254_740_993_i64, "points": 100 }
                ],
                "knockoutBelow": "-9223372036854775808"
            } } }
        ]
    });
    let (mentee, prospect) = setup(&app, definition).await;
    let version = app
        .data(mentee.tok(), "query($id: ID!) { node(id: $id) { ... on Prospect { program { standard { criteria { rule { ... on NumberBandsRule { bands { min points } knockoutBelow } } } } } } } }", json!({ "id": prospect }))
        .await;
    let rule = &version["node"]["program"]["standard"]["criteria"][0]["rule"];
    assert_eq!(
        rule["bands"],
        json!([
            { "min": null, "points": 0 },
            { "min": "3000000000", "points": 50 },
            { "min": "9007199254740993", "points": 100 }
        ])
    );
    assert_eq!(rule["knockoutBelow"], "-9223372036854775808");
    // (answer, points in bp, number read back)
    let cases = [
        (json!("9223372036854775807"), 10_000, "9223372036854775807"),
        (json!(9_007_199_254_740_993_i64), 10_000, "9007199254740993"),
        (json!(9_007_199_254_740_992_i64), 5_000, "9007199254740992"),
        (json!(2_147_483_648_i64), 0, "2147483648"),
        (json!("3000000000"), 5_000, "3000000000"),
        (json!("-9223372036854775808"), 0, "-9223372036854775808"),
    ];
    for (number, points, back) in cases {
        let q = qualify(
            &app,
            &mentee,
            &prospect,
            json!([{ "key": "budget", "value": { "number": number } }]),
            Value::Null,
        )
        .await;
        assert_eq!(int_at(&q, "/scoreBasisPoints"), points, "{number}");
        assert_eq!(q["answers"][0]["value"]["number"], back, "{number}");
    }
    for bad in [
        json!("9223372036854775808"),
        json!(9_223_372_036_854_775_808_u64),
        json!(1.5),
        json!("1e3"),
        json!("+1"),
        json!(" 1"),
        json!(true),
    ] {
        let vars = json!({ "input": { "prospectId": prospect, "answers": [{ "key": "budget", "value": { "number": bad } }] } });
        expect_field(
            &app.gql(mentee.tok(), QUALIFY, vars).await,
            "input.answers.0.value.number",
        );
    }
    let mentor = app.mentor().await;
    let mut too_big = standard_definition("STRICT");
    too_big["criteria"][3]["rule"]["numberBands"]["bands"][1]["min"] = json!("9223372036854775808");
    let vars = json!({ "input": { "name": "Too big", "definition": too_big } });
    let body = app.gql(mentor.tok(), CREATE_TEMPLATE, vars).await;
    expect_code(&body, "BAD_USER_INPUT");
    expect_field(
        &body,
        "input.definition.criteria.3.rule.numberBands.bands.1.min",
    );
}

#[tokio::test]
async fn a_key_that_is_not_a_slug_is_not_a_criterion_reported_with_the_other_problems() {
    let app = TestApp::spawn().await;
    let (mentee, prospect) = setup(&app, standard_definition("STRICT")).await;
    let answers = Answers::all_best()
        .with("energy", json!({ "unknown": false }))
        .with("values_expertise", scale(9))
        .with("Decision Maker", yes(true))
        .json();
    let outlook = json!({ "plan": "p", "answers": [{ "key": "growth-rate", "value": scale(3) }] });
    let vars =
        json!({ "input": { "prospectId": prospect, "answers": answers, "outlook": outlook } });
    let body = app.gql(mentee.tok(), QUALIFY, vars).await;
    let error = expect_code(&body, "BAD_USER_INPUT");
    let problems: Vec<(String, String)> = error["extensions"]["fields"]
        .as_array()
        .map(|fields| {
            fields
                .iter()
                .map(|f| (str_at(f, "/field"), str_at(f, "/message")))
                .collect()
        })
        .unwrap_or_default();
    let expected = [
        (
            "input.answers.8.value.unknown",
            "must be true: to answer, give the value instead",
        ),
        ("input.answers.1.value", "must be between 1 and 5"),
        (
            "input.answers.10.key",
            "is not a criterion of this template",
        ),
        (
            "input.outlook.answers.0.key",
            "is not a criterion of this template",
        ),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(field, message)| ((*field).to_owned(), (*message).to_owned()))
        .collect();
    assert_eq!(problems, expected, "{body}");
}
