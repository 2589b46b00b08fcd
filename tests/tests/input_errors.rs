//! BAD_USER_INPUT: every invalid input names its field path, and nothing invalid is stored.

use serde_json::{Value, json};

use crate::definitions::{Answers, scale, standard_definition, yes};
use crate::fixtures::{
    CREATE_INVITE, CREATE_PROGRAM, CREATE_PROSPECT, CREATE_TEMPLATE, PASSWORD, QUALIFY, SIGN_UP,
};
use crate::helpers::{TestApp, error_fields, expect_code, expect_field, unique_email};

fn definition_case(
    edit: fn(&mut Value),
    fields: &'static [&'static str],
) -> (Value, &'static [&'static str]) {
    let mut definition = standard_definition("STRICT");
    edit(&mut definition);
    (definition, fields)
}

#[tokio::test]
async fn invalid_template_definitions_name_the_offending_field() {
    let app = TestApp::spawn().await;
    let mentor = app.mentor().await;
    let cases = [
        definition_case(
            |d| d["criteria"][1]["weight"] = json!(0),
            &["input.definition.criteria.1.weight"],
        ),
        definition_case(
            |d| d["criteria"][1]["weight"] = json!(101),
            &["input.definition.criteria.1.weight"],
        ),
        definition_case(
            |d| d["criteria"][2]["key"] = json!("Bad Key"),
            &["input.definition.criteria.2.key"],
        ),
        definition_case(
            |d| d["criteria"][4]["key"] = json!("decision_maker"),
            &["input.definition.criteria.4.key"],
        ),
        definition_case(
            |d| d["criteria"][1]["label"] = json!(""),
            &["input.definition.criteria.1.label"],
        ),
        definition_case(
            |d| d["criteria"][1]["rule"] = json!({ "scale": { "min": 5, "max": 1 } }),
            &["input.definition.criteria.1.rule.scale.max"],
        ),
        definition_case(
            |d| d["criteria"][0]["rule"]["yesNo"]["yesPoints"] = json!(101),
            &["input.definition.criteria.0.rule.yesNo.yesPoints"],
        ),
        definition_case(
            |d| d["criteria"] = json!([]),
            &["input.definition.criteria"],
        ),
        definition_case(
            |d| d["horizonMonths"] = json!(0),
            &["input.definition.horizonMonths"],
        ),
        definition_case(
            |d| d["horizonMonths"] = json!(25),
            &["input.definition.horizonMonths"],
        ),
        definition_case(
            |d| d["thresholdA"] = json!(101),
            &["input.definition.thresholdA"],
        ),
        definition_case(
            |d| d["thresholdB"] = json!(80),
            &["input.definition.thresholdA", "input.definition.thresholdB"],
        ),
        definition_case(
            |d| d["knockoutCap"] = json!("A"),
            &["input.definition.knockoutCap"],
        ),
    ];
    for (definition, fields) in cases {
        let vars = json!({ "input": { "name": "Invalid", "definition": definition } });
        let body = app.gql(mentor.tok(), CREATE_TEMPLATE, vars).await;
        expect_code(&body, "BAD_USER_INPUT");
        let found = error_fields(&body);
        assert!(
            found.iter().any(|f| fields.contains(&f.as_str())),
            "expected one of {fields:?}, got {found:?}"
        );
    }
    // Every problem is reported, not only the first.
    let mut definition = standard_definition("STRICT");
    definition["criteria"][1]["weight"] = json!(0);
    definition["horizonMonths"] = json!(0);
    let body = app
        .gql(
            mentor.tok(),
            CREATE_TEMPLATE,
            json!({ "input": { "name": "Two faults", "definition": definition } }),
        )
        .await;
    expect_field(&body, "input.definition.criteria.1.weight");
    expect_field(&body, "input.definition.horizonMonths");
    let vars = json!({ "input": { "name": " ", "definition": standard_definition("STRICT") } });
    expect_field(
        &app.gql(mentor.tok(), CREATE_TEMPLATE, vars).await,
        "input.name",
    );
    let templates = app
        .data(mentor.tok(), "{ templates { totalCount } }", json!({}))
        .await;
    assert_eq!(
        templates["templates"]["totalCount"], 0,
        "no invalid template was stored"
    );
}

#[tokio::test]
async fn invalid_answers_name_the_offending_field() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let prospect = app
        .create_prospect(&w.mentee, &w.program_id, "Prospect")
        .await;
    let mut duplicated = Answers::all_best().json();
    duplicated
        .as_array_mut()
        .expect("list")
        .push(json!({ "key": "energy", "value": scale(3) }));
    let bad_outlook_key =
        json!({ "answers": [{ "key": "nonsense", "value": yes(true) }], "plan": "p" });
    let bad_outlook_kind =
        json!({ "answers": [{ "key": "growth", "value": yes(true) }], "plan": "p" });
    let cases = [
        (
            Answers::all_best().without("energy").json(),
            Value::Null,
            "input.answers",
        ),
        (
            Answers::all_best().with("nonsense", yes(true)).json(),
            Value::Null,
            "input.answers.10.key",
        ),
        (duplicated, Value::Null, "input.answers.10.key"),
        (
            Answers::all_best()
                .with("values_expertise", scale(6))
                .json(),
            Value::Null,
            "input.answers.1.value",
        ),
        (
            Answers::all_best()
                .with("values_expertise", scale(0))
                .json(),
            Value::Null,
            "input.answers.1.value",
        ),
        (
            Answers::all_best().with("decision_maker", scale(3)).json(),
            Value::Null,
            "input.answers.0.value",
        ),
        (
            Answers::all_best()
                .with("standard_product", json!({ "number": 1 }))
                .json(),
            Value::Null,
            "input.answers.4.value",
        ),
        (
            Answers::all_best().json(),
            bad_outlook_key,
            "input.outlook.answers.0.key",
        ),
        (
            Answers::all_best().json(),
            bad_outlook_kind,
            "input.outlook.answers.0.value",
        ),
    ];
    for (answers, outlook, field) in cases {
        let vars =
            json!({ "input": { "prospectId": prospect, "answers": answers, "outlook": outlook } });
        expect_field(&app.gql(w.mentee.tok(), QUALIFY, vars).await, field);
    }
    let history = app
        .data(w.mentee.tok(), "query($id: ID!) { node(id: $id) { ... on Prospect { status qualifications { totalCount } } } }", json!({ "id": prospect }))
        .await;
    assert_eq!(
        history["node"]["qualifications"]["totalCount"], 0,
        "nothing invalid was stored"
    );
    assert_eq!(history["node"]["status"], "NEW");
}

#[tokio::test]
async fn invalid_inputs_elsewhere_name_the_offending_field() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let sign_up = |email: &str, password: &str, name: &str| json!({ "input": { "email": email, "password": password, "name": name, "inviteCode": w.invite_code } });
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1)).to_rfc3339();
    let cases = [
        (
            None,
            SIGN_UP,
            sign_up("not-an-email", PASSWORD, "Ann"),
            "input.email",
        ),
        (
            None,
            SIGN_UP,
            sign_up(&unique_email("short"), "short", "Ann"),
            "input.password",
        ),
        (
            None,
            SIGN_UP,
            sign_up(&unique_email("noname"), PASSWORD, "  "),
            "input.name",
        ),
        (
            w.mentee.tok(),
            CREATE_PROSPECT,
            json!({ "input": { "programId": w.program_id, "name": "" } }),
            "input.name",
        ),
        (
            w.mentor.tok(),
            CREATE_PROGRAM,
            json!({ "input": { "name": "" } }),
            "input.name",
        ),
        (
            w.mentor.tok(),
            CREATE_INVITE,
            json!({ "input": { "programId": w.program_id, "maxUses": 0 } }),
            "input.maxUses",
        ),
        (
            w.mentor.tok(),
            CREATE_INVITE,
            json!({ "input": { "programId": w.program_id, "expiresAt": yesterday } }),
            "input.expiresAt",
        ),
    ];
    for (token, query, vars, field) in cases {
        expect_field(&app.gql(token, query, vars).await, field);
    }
}

#[tokio::test]
async fn malformed_graphql_input_is_bad_user_input() {
    let app = TestApp::spawn().await;
    let mentor = app.mentor().await;
    let mut two_rules = standard_definition("STRICT");
    two_rules["criteria"][0]["rule"]["scale"] = json!({ "min": 1, "max": 5 });
    let mut not_an_int = standard_definition("STRICT");
    not_an_int["criteria"][0]["weight"] = json!("three");
    for definition in [two_rules, not_an_int] {
        let body = app
            .gql(
                mentor.tok(),
                CREATE_TEMPLATE,
                json!({ "input": { "name": "T", "definition": definition } }),
            )
            .await;
        expect_code(&body, "BAD_USER_INPUT");
    }
}

/// A literal that passes validation but not parsing (a number where a list of input
/// objects is expected: a list of one, then not an object) is refused by async-graphql
/// while executing; it is bad input with its code like any other, wherever it is.
#[tokio::test]
async fn a_literal_that_only_fails_parsing_is_bad_user_input() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let prospect = app.create_prospect(&w.mentee, &w.program_id, "Acme").await;
    for query in [
        format!(
            "{{ whatIf(programId: \"{}\", answers: 5) {{ tier }} }}",
            w.program_id
        ),
        format!(
            "mutation {{ qualifyProspect(input: {{ prospectId: \"{prospect}\", answers: 5 }}) \
             {{ qualification {{ id }} }} }}"
        ),
    ] {
        let body = app.gql(w.mentee.tok(), &query, json!({})).await;
        expect_code(&body, "BAD_USER_INPUT");
    }
}

/// A document the server has validated once is not validated again (`graphql::variables`),
/// but its variables still are: bad ones get exactly the answer they got before.
#[tokio::test]
async fn a_known_document_refuses_bad_variables_as_a_new_one_does() {
    let app = TestApp::spawn().await;
    let mentor = app.mentor().await;
    let create = async |name: &str, definition: Value| {
        let vars = json!({ "input": { "name": name, "definition": definition } });
        app.gql(mentor.tok(), CREATE_TEMPLATE, vars).await
    };
    let mut two_rules = standard_definition("STRICT");
    two_rules["criteria"][0]["rule"]["scale"] = json!({ "min": 1, "max": 5 });
    let mut not_an_int = standard_definition("STRICT");
    not_an_int["criteria"][0]["weight"] = json!("three");
    let mut unknown_field = standard_definition("STRICT");
    unknown_field["criteria"][0]["colour"] = json!("red");
    let mut no_rule = standard_definition("STRICT");
    no_rule["criteria"][0]
        .as_object_mut()
        .expect("object")
        .remove("rule");
    let bad = [two_rules, not_an_int, unknown_field, no_rule];

    let mut before = Vec::new();
    for definition in &bad {
        before.push(create("Bad", definition.clone()).await);
    }
    let good = create("First", standard_definition("STRICT")).await;
    assert!(good.get("errors").is_none(), "{good}");
    for (definition, first) in bad.iter().zip(before) {
        let again = create("Bad", definition.clone()).await;
        expect_code(&again, "BAD_USER_INPUT");
        assert_eq!(
            again, first,
            "the same refusal before and after the document was known"
        );
    }
    let valid_again = create("Second", standard_definition("STRICT")).await;
    assert!(
        valid_again["data"]["createTemplate"]["template"]["id"].is_string(),
        "{valid_again}"
    );
}
