//! Every text input obeys one rule (no control characters but newline and tab), whether it
//! comes as a variable or a literal, nested or not; descriptions and searches are bounded;
//! a search is literal. A refused request writes nothing.

use serde_json::{Value, json};

use crate::definitions::{Answers, bias_check, standard_definition};
use crate::fixtures::{CREATE_PROGRAM, CREATE_PROSPECT, CREATE_TEMPLATE, SIGN_UP, World};
use crate::helpers::{TestApp, codes, error_fields, int_at, unique_email};

const CONTROL: [&str; 5] = ["\u{0}", "\u{1}", "\r", "\u{1b}", "\u{7f}"];

/// Asserts exactly one `BAD_USER_INPUT` naming `field`.
fn assert_refused_at(body: &Value, field: &str, what: &str) {
    assert_eq!(
        codes(body),
        vec!["BAD_USER_INPUT".to_owned()],
        "{what}: {body}"
    );
    assert_eq!(
        body["errors"][0]["extensions"]["field"], field,
        "{what}: {body}"
    );
    assert!(
        error_fields(body).iter().all(|f| f == field),
        "{what}: {body}"
    );
}

/// How many templates, programs and prospects exist for the world's two users.
async fn counts(app: &TestApp, w: &World) -> (i64, i64, i64) {
    let mentor = app
        .data(
            w.mentor.tok(),
            "{ templates(includeArchived: true) { totalCount } programs { totalCount } }",
            json!({}),
        )
        .await;
    let mentee = app
        .data(
            w.mentee.tok(),
            "{ prospects(filter: { includeArchived: true }) { totalCount } }",
            json!({}),
        )
        .await;
    (
        int_at(&mentor, "/templates/totalCount"),
        int_at(&mentor, "/programs/totalCount"),
        int_at(&mentee, "/prospects/totalCount"),
    )
}

#[tokio::test]
async fn control_characters_in_any_text_variable_are_bad_user_input_at_their_path() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("REVIEW").await;
    let prospect = app.create_prospect(&w.mentee, &w.program_id, "Kept").await;
    app.qualify(&w.mentee, &prospect, &Answers::knocked_out(), None)
        .await;
    let before = counts(&app, &w).await;
    let update_prospect = "mutation($input: UpdateProspectInput!) { updateProspect(input: $input) { prospect { id } } }";
    let update_program =
        "mutation($input: UpdateProgramInput!) { updateProgram(input: $input) { program { id } } }";
    let update_template = "mutation($input: UpdateTemplateDraftInput!) { updateTemplateDraft(input: $input) { template { id } } }";
    let decide = "mutation($input: DecideProspectInput!) { decideProspect(input: $input) { decision { id } } }";
    let search = "query($f: ProspectFilter) { prospects(filter: $f) { totalCount } }";
    for bad in CONTROL {
        let text = format!("before{bad}after");
        let mut definition = standard_definition("STRICT");
        definition["criteria"][0]["label"] = json!(text);
        let cases: Vec<(&str, Option<&str>, &str, Value)> = vec![
            (
                "input.name",
                w.mentor.tok(),
                CREATE_TEMPLATE,
                json!({ "input": { "name": text, "description": "" } }),
            ),
            (
                "input.description",
                w.mentor.tok(),
                CREATE_TEMPLATE,
                json!({ "input": { "name": "T", "description": text } }),
            ),
            (
                "input.definition.criteria.0.label",
                w.mentor.tok(),
                CREATE_TEMPLATE,
                json!({ "input": { "name": "T", "definition": definition } }),
            ),
            (
                "input.description",
                w.mentor.tok(),
                update_template,
                json!({ "input": { "id": w.template_id, "description": text } }),
            ),
            (
                "input.name",
                w.mentor.tok(),
                CREATE_PROGRAM,
                json!({ "input": { "name": text } }),
            ),
            (
                "input.description",
                w.mentor.tok(),
                CREATE_PROGRAM,
                json!({ "input": { "name": "P", "description": text } }),
            ),
            (
                "input.description",
                w.mentor.tok(),
                update_program,
                json!({ "input": { "id": w.program_id, "description": text } }),
            ),
            (
                "input.name",
                w.mentee.tok(),
                CREATE_PROSPECT,
                json!({ "input": { "programId": w.program_id, "name": text } }),
            ),
            (
                "input.company",
                w.mentee.tok(),
                CREATE_PROSPECT,
                json!({ "input": { "programId": w.program_id, "name": "N", "company": text } }),
            ),
            (
                "input.notes",
                w.mentee.tok(),
                CREATE_PROSPECT,
                json!({ "input": { "programId": w.program_id, "name": "N", "notes": text } }),
            ),
            (
                "input.notes",
                w.mentee.tok(),
                update_prospect,
                json!({ "input": { "id": prospect, "notes": text } }),
            ),
            (
                "input.reason",
                w.mentee.tok(),
                decide,
                json!({ "input": { "prospectId": prospect, "decision": "TAKE_ON", "reason": text,
                                "biasCheck": bias_check(true) } }),
            ),
            (
                "filter.search",
                w.mentee.tok(),
                search,
                json!({ "f": { "search": text } }),
            ),
            (
                "input.name",
                None,
                SIGN_UP,
                json!({ "input": { "email": unique_email("ctl"), "password": "correct horse battery staple",
                                "name": text, "inviteCode": w.invite_code } }),
            ),
        ];
        for (field, token, query, vars) in cases {
            let body = app.gql(token, query, vars).await;
            assert_refused_at(&body, field, &format!("{bad:?} in {field} of {query}"));
            assert!(body["data"].is_null(), "refused before running: {body}");
        }
    }
    assert_eq!(counts(&app, &w).await, before, "nothing was written");
    let kept = app
        .data(
            w.mentee.tok(),
            "query($id: ID!) { node(id: $id) { ... on Prospect { name notes decisions { nodes { id } } } } }",
            json!({ "id": prospect }),
        )
        .await;
    assert_eq!(
        kept["node"],
        json!({ "name": "Kept", "notes": null, "decisions": { "nodes": [] } })
    );
}

#[tokio::test]
async fn control_characters_in_literals_are_bad_user_input_at_their_path() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("REVIEW").await;
    let before = counts(&app, &w).await;
    let cases = [
        ("input.name", true, r#"mutation { createTemplate(input: { name: "a\u0000b" }) { template { id } } }"#.to_owned()),
        ("input.description", true, r#"mutation { createProgram(input: { name: "P", description: "a\u0007b" }) { program { id } } }"#.to_owned()),
        ("input.definition.criteria.0.rule.choice.options.1.label", true, r#"mutation { createTemplate(input: { name: "T", definition: { criteria: [{ key: "k", label: "L", weight: 1, rule: { choice: { options: [{ key: "a", label: "A", points: 0 }, { key: "b", label: "B\u001b", points: 100 }] } } }] } }) { template { id } } }"#.to_owned()),
        ("input.company", false, format!(r#"mutation {{ createProspect(input: {{ programId: "{}", name: "N", company: "x\u0000" }}) {{ prospect {{ id }} }} }}"#, w.program_id)),
        ("filter.search", false, r#"{ prospects(filter: { search: "\u0000" }) { totalCount } }"#.to_owned()),
    ];
    for (field, mentor, query) in &cases {
        let token = if *mentor {
            w.mentor.tok()
        } else {
            w.mentee.tok()
        };
        let body = app.gql(token, query, json!({})).await;
        assert_refused_at(&body, field, query);
    }
    assert_eq!(counts(&app, &w).await, before, "nothing was written");
}

#[tokio::test]
async fn control_characters_in_review_notes_plans_codes_ids_and_credentials_are_refused() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("REVIEW").await;
    let (prospect, _, _, exception) = app.pending_exception(&w.mentee, &w.program_id).await;
    let review = "mutation($input: ReviewExceptionInput!) { reviewException(input: $input) { exceptionRequest { id status } } }";
    let join = "mutation($c: String!) { joinProgram(inviteCode: $c) { program { id } } }";
    let node = "query($id: ID!) { node(id: $id) { id } }";
    let nul = "x\u{0}y";
    let cases: Vec<(&str, Option<&str>, &str, Value)> = vec![
        (
            "input.note",
            w.mentor.tok(),
            review,
            json!({ "input": { "id": exception, "approve": true, "note": nul } }),
        ),
        (
            "input.outlook.plan",
            w.mentee.tok(),
            crate::fixtures::QUALIFY,
            json!({ "input": { "prospectId": prospect, "answers": Answers::middling().json(),
                            "outlook": { "answers": [], "plan": nul } } }),
        ),
        ("inviteCode", w.mentee.tok(), join, json!({ "c": nul })),
        ("id", w.mentee.tok(), node, json!({ "id": nul })),
        (
            "input.email",
            None,
            crate::fixtures::LOGIN,
            json!({ "input": { "email": nul, "password": "whatever it is" } }),
        ),
    ];
    for (field, token, query, vars) in cases {
        let body = app.gql(token, query, vars).await;
        assert_refused_at(&body, field, query);
    }
    let pending = app
        .data(
            w.mentor.tok(),
            "query($id: ID!) { node(id: $id) { ... on ExceptionRequest { status note } } }",
            json!({ "id": exception }),
        )
        .await;
    assert_eq!(
        pending["node"],
        json!({ "status": "PENDING", "note": null }),
        "not reviewed"
    );
    let qualifications = app
        .data(
            w.mentee.tok(),
            "query($id: ID!) { node(id: $id) { ... on Prospect { qualifications { totalCount } } } }",
            json!({ "id": prospect }),
        )
        .await;
    assert_eq!(
        qualifications["node"]["qualifications"]["totalCount"], 1,
        "not qualified again"
    );
}

#[tokio::test]
async fn newlines_and_tabs_are_text_and_are_kept_as_given() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let vars = json!({ "input": { "programId": w.program_id, "name": "Multi",
                                  "notes": "line one\nline two\twith a tab" } });
    let query = CREATE_PROSPECT.replace("company status", "company notes status");
    let created = app.data(w.mentee.tok(), &query, vars).await;
    assert_eq!(
        created["createProspect"]["prospect"]["notes"],
        "line one\nline two\twith a tab"
    );
}

#[tokio::test]
async fn descriptions_are_limited_to_2000_characters() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let long = "d".repeat(2001);
    let update_program =
        "mutation($input: UpdateProgramInput!) { updateProgram(input: $input) { program { id } } }";
    let update_template = "mutation($input: UpdateTemplateDraftInput!) { updateTemplateDraft(input: $input) { template { id } } }";
    let cases = [
        (
            CREATE_TEMPLATE,
            json!({ "input": { "name": "T", "description": long } }),
        ),
        (
            update_template,
            json!({ "input": { "id": w.template_id, "description": long } }),
        ),
        (
            CREATE_PROGRAM,
            json!({ "input": { "name": "P", "description": long } }),
        ),
        (
            update_program,
            json!({ "input": { "id": w.program_id, "description": long } }),
        ),
    ];
    let before = counts(&app, &w).await;
    for (query, vars) in cases {
        let body = app.gql(w.mentor.tok(), query, vars).await;
        assert_refused_at(&body, "input.description", query);
    }
    assert_eq!(counts(&app, &w).await, before);
    let fits = "d".repeat(2000);
    let created = app
        .gql(
            w.mentor.tok(),
            CREATE_PROGRAM,
            json!({ "input": { "name": "P", "description": fits } }),
        )
        .await;
    assert_eq!(codes(&created), Vec::<String>::new(), "2000 characters fit");
}

#[tokio::test]
async fn a_search_is_bounded_and_literal() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    for name in ["50% off", "5000 off", "a_b", "axb", "back\\slash"] {
        app.create_prospect(&w.mentee, &w.program_id, name).await;
    }
    let search =
        "query($s: String) { prospects(filter: { search: $s }) { totalCount nodes { name } } }";
    let found = |s: &str| {
        let (app, token, s) = (&app, w.mentee.tok(), s.to_owned());
        async move {
            let data = app.data(token, search, json!({ "s": s })).await;
            let mut names: Vec<String> = data["prospects"]["nodes"]
                .as_array()
                .expect("nodes")
                .iter()
                .map(|n| n["name"].as_str().expect("name").to_owned())
                .collect();
            names.sort();
            names
        }
    };
    assert_eq!(found("%").await, vec!["50% off"]);
    assert_eq!(found("50%").await, vec!["50% off"]);
    assert_eq!(found("_").await, vec!["a_b"]);
    assert_eq!(found("\\").await, vec!["back\\slash"]);
    assert_eq!(found("OFF").await, vec!["50% off", "5000 off"]);
    assert_eq!(
        found(&"s".repeat(200)).await,
        Vec::<String>::new(),
        "200 fit"
    );
    for long in ["s".repeat(201), "x".repeat(50 * 1024)] {
        let body = app.gql(w.mentee.tok(), search, json!({ "s": long })).await;
        assert_refused_at(&body, "filter.search", "a long search");
    }
}
