//! The built-in starting templates: listed to mentors, and a template created from one by
//! key holds its definition, the "A-client standard" table of DOMAIN.md.

use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_code, expect_field, str_at};

const DEFINITION: &str = "criteria { key label question weight position rule { __typename \
    ... on YesNoRule { yesPoints noPoints knockoutOn } ... on ScaleRule { min max knockoutBelow } \
    ... on NumberBandsRule { bands { min points } knockoutBelow } } } \
    thresholdA thresholdB horizonMonths exceptionPolicy knockoutCap";

const CREATE: &str = "mutation($input: CreateTemplateInput!) { createTemplate(input: $input) { \
    template { id name latestVersion { id number status ";

/// DOMAIN.md, "A default template": key, question, kind, weight, knockout (the answer that
/// caps the tier at C), written out by hand.
const TABLE: [(&str, &str, &str, i64, Option<bool>); 10] = [
    (
        "decision_maker",
        "Do we work directly with the CEO or director?",
        "YesNoRule",
        3,
        Some(false),
    ),
    (
        "values_expertise",
        "How strongly does the client value our expertise?",
        "ScaleRule",
        3,
        None,
    ),
    (
        "speaks_our_language",
        "Is this the kind of client and sector we are set up for?",
        "ScaleRule",
        2,
        None,
    ),
    (
        "revenue_fit",
        "Expected annual revenue from this client",
        "NumberBandsRule",
        3,
        None,
    ),
    (
        "standard_product",
        "Does it fit our standard products without custom work?",
        "YesNoRule",
        3,
        Some(false),
    ),
    (
        "team_fit",
        "Is our team set up for this client?",
        "ScaleRule",
        2,
        None,
    ),
    (
        "growth",
        "Will this client keep growing with us?",
        "ScaleRule",
        2,
        None,
    ),
    (
        "bhag_fit",
        "Does this client bring us closer to our BHAG?",
        "ScaleRule",
        2,
        None,
    ),
    (
        "energy",
        "Will we enjoy working with them?",
        "ScaleRule",
        1,
        None,
    ),
    (
        "referral",
        "Referred by the CEO or director of an A-client?",
        "YesNoRule",
        1,
        None,
    ),
];

/// A definition (a version's or a built-in's) equals the DOMAIN.md table: criteria, scales
/// 1..5 without knockouts, the revenue bands, A at 75, B at 50, six months, STRICT, cap C.
fn assert_is_the_a_client_standard(definition: &Value) {
    let criteria = definition["criteria"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(criteria.len(), TABLE.len(), "{definition:#}");
    for (position, ((key, question, kind, weight, knockout), c)) in
        TABLE.iter().zip(&criteria).enumerate()
    {
        assert_eq!(c["key"], *key);
        assert_eq!(c["question"], *question, "{key}");
        assert_eq!(c["rule"]["__typename"], *kind, "{key}");
        assert_eq!(c["weight"], *weight, "{key}");
        assert_eq!(c["position"], position as i64, "{key}");
        match *kind {
            "YesNoRule" => {
                assert_eq!(c["rule"]["yesPoints"], 100, "{key}");
                assert_eq!(c["rule"]["noPoints"], 0, "{key}");
                assert_eq!(c["rule"]["knockoutOn"], json!(knockout), "{key}");
            }
            "ScaleRule" => assert_eq!(
                c["rule"],
                json!({ "__typename": "ScaleRule", "min": 1, "max": 5, "knockoutBelow": null }),
                "{key}"
            ),
            _ => assert_eq!(
                c["rule"]["bands"],
                json!([{ "min": null, "points": 0 }, { "min": "10000", "points": 50 },
                       { "min": "50000", "points": 100 }]),
                "{key}"
            ),
        }
    }
    assert_eq!(definition["thresholdA"], 75);
    assert_eq!(definition["thresholdB"], 50);
    assert_eq!(definition["horizonMonths"], 6);
    assert_eq!(definition["exceptionPolicy"], "STRICT");
    assert_eq!(definition["knockoutCap"], "C");
}

#[tokio::test]
async fn a_mentor_lists_the_a_client_standard_among_the_built_in_templates() {
    let app = TestApp::spawn().await;
    let mentor = app.mentor().await;
    let query = format!("{{ builtInTemplates {{ key name description {DEFINITION} }} }}");
    let data = app.data(mentor.tok(), &query, json!({})).await;
    let list = data["builtInTemplates"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(list.len(), 1, "{data:#}");
    assert_eq!(list[0]["key"], "a_client_standard");
    assert_eq!(list[0]["name"], "A-client standard");
    assert!(!str_at(&list[0], "/description").is_empty());
    assert_is_the_a_client_standard(&list[0]);
}

#[tokio::test]
async fn a_mentee_may_not_list_the_built_in_templates() {
    let app = TestApp::spawn().await;
    let world = app.mentee_in_program("STRICT").await;
    let body = app
        .gql(
            world.mentee.tok(),
            "{ builtInTemplates { key } }",
            json!({}),
        )
        .await;
    expect_code(&body, "FORBIDDEN");
    assert_eq!(body["data"]["builtInTemplates"], Value::Null);
    let anonymous = app
        .gql(None, "{ builtInTemplates { key } }", json!({}))
        .await;
    expect_code(&anonymous, "UNAUTHENTICATED");
}

#[tokio::test]
async fn a_template_created_from_the_built_in_holds_its_definition_as_draft_1() {
    let app = TestApp::spawn().await;
    let mentor = app.mentor().await;
    let query = format!("{CREATE}{DEFINITION} }} }} }} }}");
    let vars = json!({ "input": { "name": "Our standard", "fromBuiltIn": "a_client_standard" } });
    let data = app.data(mentor.tok(), &query, vars).await;
    let template = &data["createTemplate"]["template"];
    assert_eq!(template["name"], "Our standard");
    assert_eq!(template["latestVersion"]["number"], 1);
    assert_eq!(template["latestVersion"]["status"], "DRAFT");
    assert_is_the_a_client_standard(&template["latestVersion"]);

    // Read back through the template itself, as stored.
    let read = format!(
        "query($id: ID!) {{ node(id: $id) {{ ... on Template {{ latestVersion {{ {DEFINITION} }} }} }} }}"
    );
    let id = str_at(template, "/id");
    let again = app.data(mentor.tok(), &read, json!({ "id": id })).await;
    assert_is_the_a_client_standard(&again["node"]["latestVersion"]);
}

#[tokio::test]
async fn an_unknown_built_in_key_is_refused_with_the_known_keys() {
    let app = TestApp::spawn().await;
    let mentor = app.mentor().await;
    let query = format!("{CREATE} }} }} }} }}");
    let vars = json!({ "input": { "name": "Ours", "fromBuiltIn": "b_client_standard" } });
    let body = app.gql(mentor.tok(), &query, vars).await;
    expect_field(&body, "input.fromBuiltIn");
    let message = str_at(&body, "/errors/0/message");
    assert!(message.contains("a_client_standard"), "{body:#}");
    assert_eq!(body["data"]["createTemplate"], Value::Null);
    let listed = app
        .data(mentor.tok(), "{ templates { totalCount } }", json!({}))
        .await;
    assert_eq!(listed["templates"]["totalCount"], 0);
}

#[tokio::test]
async fn a_built_in_key_and_a_definition_together_are_refused() {
    let app = TestApp::spawn().await;
    let mentor = app.mentor().await;
    let query = format!("{CREATE} }} }} }} }}");
    let vars = json!({ "input": { "name": "Ours", "fromBuiltIn": "a_client_standard",
        "definition": crate::definitions::standard_definition("REVIEW") } });
    let body = app.gql(mentor.tok(), &query, vars).await;
    expect_field(&body, "input.fromBuiltIn");
}

#[tokio::test]
async fn a_mentee_may_not_create_a_template_from_a_built_in() {
    let app = TestApp::spawn().await;
    let world = app.mentee_in_program("STRICT").await;
    let query = format!("{CREATE} }} }} }} }}");
    let vars = json!({ "input": { "name": "Mine", "fromBuiltIn": "a_client_standard" } });
    let body = app.gql(world.mentee.tok(), &query, vars).await;
    expect_code(&body, "FORBIDDEN");
}
