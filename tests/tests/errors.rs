//! Every error code, with the field path for bad input, and no internals in any message.

use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};

use crate::definitions::{Answers, bias_check, standard_definition};
use crate::fixtures::{
    CREATE_PROGRAM, CREATE_PROSPECT, CREATE_TEMPLATE, PASSWORD, REVIEW_EXCEPTION, SIGN_UP,
};
use crate::helpers::{TestApp, codes, expect_code, ok, str_at};

#[tokio::test]
async fn anonymous_callers_are_unauthenticated_and_see_no_viewer() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let anonymous = app.gql(None, "{ viewer { id } }", json!({})).await;
    assert_eq!(ok(anonymous), json!({ "viewer": null }));
    let cases = [
        ("{ programs { totalCount } }", json!({})),
        ("{ prospects { totalCount } }", json!({})),
        ("{ templates { totalCount } }", json!({})),
        ("{ exceptionRequests { totalCount } }", json!({})),
        (CREATE_TEMPLATE, json!({ "input": { "name": "T" } })),
        (
            CREATE_PROSPECT,
            json!({ "input": { "programId": w.program_id, "name": "P" } }),
        ),
        (
            "mutation($c: String!) { joinProgram(inviteCode: $c) { __typename } }",
            json!({ "c": w.invite_code }),
        ),
    ];
    for (query, vars) in cases {
        expect_code(&app.gql(None, query, vars).await, "UNAUTHENTICATED");
    }
    // The positive control: the same session-bound query works with a token.
    let own = app
        .data(w.mentee.tok(), "{ programs { totalCount } }", json!({}))
        .await;
    assert_eq!(own["programs"]["totalCount"], 1);
}

#[tokio::test]
async fn each_role_is_forbidden_the_other_roles_operations() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let mentee_cases = [
        (
            CREATE_TEMPLATE,
            json!({ "input": { "name": "Mine now", "definition": standard_definition("STRICT") } }),
        ),
        (
            CREATE_PROGRAM,
            json!({ "input": { "name": "Own program", "standardVersionId": w.version_id } }),
        ),
        ("{ templates { totalCount } }", json!({})),
    ];
    for (query, vars) in mentee_cases {
        expect_code(&app.gql(w.mentee.tok(), query, vars).await, "FORBIDDEN");
    }
    // Mentors never own prospects, not even in their own program.
    let vars = json!({ "input": { "programId": w.program_id, "name": "Mentor's own" } });
    expect_code(
        &app.gql(w.mentor.tok(), CREATE_PROSPECT, vars).await,
        "FORBIDDEN",
    );
    let templates = app
        .data(w.mentor.tok(), "{ templates { totalCount } }", json!({}))
        .await;
    assert_eq!(
        templates["templates"]["totalCount"], 1,
        "the mentor can list templates"
    );
}

#[tokio::test]
async fn ids_of_the_wrong_kind_or_malformed_are_not_found() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let prospect = app.create_prospect(&w.mentee, &w.program_id, "Real").await;
    let publish = "mutation($id: ID!) { publishTemplate(id: $id) { __typename } }";
    let update_prospect =
        "mutation($id: ID!) { updateProspect(input: { id: $id, name: \"x\" }) { __typename } }";
    let review =
        "mutation($id: ID!) { reviewException(input: { id: $id, approve: true }) { __typename } }";
    let cases = [
        (&w.mentor, publish, w.program_id.clone()),
        (&w.mentor, publish, w.version_id.clone()),
        (&w.mentee, update_prospect, w.program_id.clone()),
        (&w.mentor, review, prospect.clone()),
    ];
    for (actor, query, id) in cases {
        expect_code(
            &app.gql(actor.tok(), query, json!({ "id": id })).await,
            "NOT_FOUND",
        );
    }
    let vars = json!({ "input": { "programId": prospect, "name": "P" } });
    expect_code(
        &app.gql(w.mentee.tok(), CREATE_PROSPECT, vars).await,
        "NOT_FOUND",
    );

    // A changed character in the middle of a real id (the ends may be padding).
    let middle = prospect.len() / 2;
    let swapped = if prospect[middle..].starts_with('A') {
        "B"
    } else {
        "A"
    };
    let tampered = format!(
        "{}{swapped}{}",
        &prospect[..middle],
        &prospect[middle + 1..]
    );
    let garbage = [
        "",
        "garbage",
        "UHJvc3BlY3Q6bm90LWEtdXVpZA==",
        "' OR 1=1 --",
        &tampered,
        &"x".repeat(10_000),
    ];
    for id in garbage {
        let body = app
            .gql(
                w.mentee.tok(),
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        // `node` is nullable: an id that names nothing is `null`, not an error.
        assert_eq!(codes(&body), Vec::<String>::new(), "{id:.40}: {body:#}");
        assert_eq!(body["data"]["node"], Value::Null, "{id:.40}");
        let body = app
            .gql(w.mentee.tok(), update_prospect, json!({ "id": id }))
            .await;
        expect_code(&body, "NOT_FOUND");
    }
    let real = app
        .data(
            w.mentee.tok(),
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": prospect }),
        )
        .await;
    assert_eq!(
        real["node"]["id"],
        json!(prospect),
        "the untampered id still resolves"
    );
}

/// Applies `edit` to the standard definition and expects BAD_USER_INPUT on one of `fields`.
#[tokio::test]
async fn conflicting_writes_are_conflicts() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("REVIEW").await;
    let vars = json!({ "input": { "email": w.mentee.email, "password": PASSWORD, "name": "Again", "inviteCode": w.invite_code } });
    expect_code(&app.gql(None, SIGN_UP, vars).await, "CONFLICT");
    let join = "mutation($c: String!) { joinProgram(inviteCode: $c) { program { id } } }";
    expect_code(
        &app.gql(w.mentee.tok(), join, json!({ "c": w.invite_code }))
            .await,
        "CONFLICT",
    );
    assert!(
        api::create_mentor(&app.database_url, &w.mentor.email, "Twin", PASSWORD)
            .await
            .is_err()
    );

    let prospect = app
        .create_prospect(&w.mentee, &w.program_id, "Versioned")
        .await;
    let update = "mutation($input: UpdateProspectInput!) { updateProspect(input: $input) { prospect { name revision } } }";
    let current = app
        .data(
            w.mentee.tok(),
            "query($id: ID!) { node(id: $id) { ... on Prospect { revision } } }",
            json!({ "id": prospect }),
        )
        .await;
    let revision = current["node"]["revision"].clone();
    let renamed = app
        .data(
            w.mentee.tok(),
            update,
            json!({ "input": { "id": prospect, "name": "First", "expectedRevision": revision } }),
        )
        .await;
    assert_eq!(renamed["updateProspect"]["prospect"]["name"], "First");
    let stale = app
        .gql(
            w.mentee.tok(),
            update,
            json!({ "input": { "id": prospect, "name": "Second", "expectedRevision": revision } }),
        )
        .await;
    expect_code(&stale, "CONFLICT");

    let (pending, _, _, exception) = app.pending_exception(&w.mentee, &w.program_id).await;
    let again = app
        .decide(
            &w.mentee,
            &pending,
            "TAKE_ON",
            Some("Still want it"),
            Some(bias_check(false)),
        )
        .await;
    expect_code(&again, "CONFLICT");
    let review = json!({ "input": { "id": exception, "approve": true } });
    ok(app
        .gql(w.mentor.tok(), REVIEW_EXCEPTION, review.clone())
        .await);
    expect_code(
        &app.gql(w.mentor.tok(), REVIEW_EXCEPTION, review).await,
        "CONFLICT",
    );
}

#[tokio::test]
async fn strict_policy_answers_exception_not_allowed() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let prospect = app
        .create_prospect(&w.mentee, &w.program_id, "Knocked out")
        .await;
    app.qualify(&w.mentee, &prospect, &Answers::knocked_out(), None)
        .await;
    let body = app
        .decide(
            &w.mentee,
            &prospect,
            "TAKE_ON",
            Some("Please"),
            Some(bias_check(true)),
        )
        .await;
    let error = expect_code(&body, "EXCEPTION_NOT_ALLOWED");
    assert!(!str_at(error, "/message").is_empty());
}

#[tokio::test]
async fn database_failure_is_internal_and_reveals_nothing() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let db = Database::connect(&app.database_url)
        .await
        .expect("side connection");
    db.execute_unprepared("ALTER TABLE prospects RENAME TO prospects_gone")
        .await
        .expect("rename");
    let _ = db.close().await;
    let body = app
        .gql(w.mentee.tok(), "{ prospects { totalCount } }", json!({}))
        .await;
    let error = expect_code(&body, "INTERNAL");
    let message = str_at(error, "/message").to_lowercase();
    for secret in ["prospects_gone", "prospects", "table", "relation", "column"] {
        assert!(
            !message.contains(secret),
            "INTERNAL message leaks {secret:?}: {message}"
        );
    }
}
