//! Responses a typed client can trust: field errors leave `null` where the specification
//! says (checked by `api::graphql::conformance`, independent of the code that mends them),
//! every `CONFLICT` says why, and a decision names the qualification it was made on.

use serde_json::{Value, json};

use crate::definitions::{Answers, bias_check};
use crate::fixtures::DECIDE;
use crate::helpers::{TestApp, codes, expect_code, str_at};

/// Sends `query` and asserts the response keeps the specification's rules; returns it.
async fn conforming(app: &TestApp, token: Option<&str>, query: &str, variables: Value) -> Value {
    let shape = api::graphql::shape::Shape::parse(&api::graphql::schema::sdl())
        .unwrap_or_else(|e| panic!("the SDL parses: {e}"));
    let body = app.gql(token, query, variables).await;
    let problems = api::graphql::conformance::violations(&shape, query, None, &body);
    assert!(problems.is_empty(), "{query}\n{problems:#?}\n{body:#}");
    assert!(
        !codes(&body).is_empty(),
        "{query} was meant to produce a field error: {body:#}"
    );
    body
}

#[tokio::test]
async fn field_errors_leave_null_at_the_nearest_nullable_position_in_every_shape() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let prospect = app.create_prospect(&w.mentee, &w.program_id, "Acme").await;
    let mentee = w.mentee.tok();
    let vars = json!({ "program": w.program_id, "prospect": prospect });

    // The example: another user's programs, as a mentee.
    let body = conforming(
        &app,
        mentee,
        "{ viewer { programs { nodes { mentor { name programs { totalCount } } } } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        body["data"]["viewer"]["programs"]["nodes"][0]["mentor"],
        json!({ "name": "Maria Mentor", "programs": null })
    );

    let shapes = [
        // Nested lists of objects, aliases and a named fragment.
        "query($program: ID!, $prospect: ID!) { a: viewer { ...Mine } \
           prospects { nodes { name owner { id p: programs { totalCount } } \
             program { mentor { name programs { totalCount } } } } } \
           n: node(id: $program) { __typename ... on Program { mentor { programs { totalCount } } } } \
           m: nodes(ids: [$prospect, $program]) { __typename id \
             ... on Prospect { owner { programs { totalCount } } } } } \
         fragment Mine on User { id programs { nodes { id mentor { programs { totalCount } } } } }",
        // Several root fields failing side by side with ones that succeed.
        "query($program: ID!) { viewer { id } templates { totalCount } programs { totalCount } \
           node(id: $program) { id } }",
        // An inline fragment on the interface and a repeated key.
        "query($program: ID!) { node(id: $program) { id ... on Program { mentor { programs { \
           totalCount } programs { nodes { id } } } } } }",
    ];
    for query in shapes {
        conforming(&app, mentee, query, vars.clone()).await;
    }

    // Every root field failing: each is null, `data` stays an object.
    let body = conforming(
        &app,
        mentee,
        "{ t: templates { totalCount } u: templates { totalCount } }",
        json!({}),
    )
    .await;
    assert_eq!(body["data"], json!({ "t": null, "u": null }));
    let body = conforming(
        &app,
        None,
        "{ programs { totalCount } viewer { id } }",
        json!({}),
    )
    .await;
    assert_eq!(body["data"], json!({ "programs": null, "viewer": null }));
}

#[tokio::test]
async fn of_two_mutations_the_failed_one_is_null_and_the_other_keeps_its_result() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let query = "mutation($program: ID!) { \
        a: createProspect(input: { programId: $program, name: \"First\" }) { prospect { name } } \
        b: createProspect(input: { programId: $program, name: \"  \" }) { prospect { name } } \
        c: createProspect(input: { programId: $program, name: \"Third\" }) { prospect { name \
           owner { programs { totalCount } } program { mentor { programs { totalCount } } } } } }";
    let body = conforming(
        &app,
        w.mentee.tok(),
        query,
        json!({ "program": w.program_id }),
    )
    .await;
    assert_eq!(
        body["data"]["a"],
        json!({ "prospect": { "name": "First" } })
    );
    assert_eq!(body["data"]["b"], Value::Null);
    assert_eq!(
        body["data"]["c"]["prospect"]["program"]["mentor"],
        json!({ "programs": null })
    );
    assert_eq!(codes(&body), ["BAD_USER_INPUT", "FORBIDDEN"]);
}

/// The reason of a response's one `CONFLICT`.
fn reason(body: &Value) -> String {
    expect_code(body, "CONFLICT")["extensions"]["reason"]
        .as_str()
        .unwrap_or("<no reason>")
        .to_owned()
}

#[tokio::test]
async fn every_conflict_carries_a_machine_readable_reason() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("REVIEW").await;
    let mentee = w.mentee.tok();
    let mut seen = Vec::new();

    // DUPLICATE: an e-mail taken, an enrolment twice.
    let sign_up = json!({ "input": { "email": w.mentee.email, "password": crate::fixtures::PASSWORD,
                                     "name": "Twin", "inviteCode": w.invite_code } });
    seen.push(reason(
        &app.gql(None, crate::fixtures::SIGN_UP, sign_up).await,
    ));
    let join = "mutation($code: String!) { joinProgram(inviteCode: $code) { program { id } } }";
    seen.push(reason(
        &app.gql(mentee, join, json!({ "code": w.invite_code }))
            .await,
    ));

    // ALREADY_PUBLISHED.
    let publish = "mutation($id: ID!) { publishTemplate(id: $id) { version { id } } }";
    seen.push(reason(
        &app.gql(w.mentor.tok(), publish, json!({ "id": w.template_id }))
            .await,
    ));

    // NOT_QUALIFIED, then STALE_QUALIFICATION.
    let prospect = app.create_prospect(&w.mentee, &w.program_id, "Early").await;
    seen.push(reason(
        &app.decide(&w.mentee, &prospect, "TAKE_ON", None, None)
            .await,
    ));
    let first = app
        .qualify(&w.mentee, &prospect, &Answers::good(), None)
        .await;
    app.qualify(&w.mentee, &prospect, &Answers::knocked_out(), None)
        .await;
    let stale = json!({ "input": { "prospectId": prospect, "decision": "TAKE_ON",
                                   "qualificationId": first["qualification"]["id"] } });
    seen.push(reason(&app.gql(mentee, DECIDE, stale).await));

    // EXCEPTION_PENDING, then ALREADY_REVIEWED.
    let (pending, _, _, exception) = app.pending_exception(&w.mentee, &w.program_id).await;
    seen.push(reason(
        &app.decide(&w.mentee, &pending, "TURN_DOWN", None, None)
            .await,
    ));
    let review = json!({ "input": { "id": exception, "approve": false } });
    app.data(
        w.mentor.tok(),
        crate::fixtures::REVIEW_EXCEPTION,
        review.clone(),
    )
    .await;
    seen.push(reason(
        &app.gql(w.mentor.tok(), crate::fixtures::REVIEW_EXCEPTION, review)
            .await,
    ));

    // ARCHIVED.
    let archive = "mutation($id: ID!) { archiveProspect(id: $id) { prospect { id } } }";
    app.data(mentee, archive, json!({ "id": prospect })).await;
    seen.push(reason(
        &app.qualify_raw(&w.mentee, &prospect, &Answers::good())
            .await,
    ));

    // STALE_REVISION.
    let update =
        "mutation($input: UpdateProgramInput!) { updateProgram(input: $input) { program { id } } }";
    let input =
        json!({ "input": { "id": w.program_id, "name": "Renamed", "expectedRevision": 999 } });
    seen.push(reason(&app.gql(w.mentor.tok(), update, input).await));

    // NO_STANDARD: a program without a standard yet.
    let create = "mutation { createProgram(input: { name: \"Unset\" }) { program { id } } }";
    let bare = app.data(w.mentor.tok(), create, json!({})).await;
    let bare = str_at(&bare, "/createProgram/program/id");
    let (_, code) = app.create_invite(&w.mentor, &bare, None).await;
    app.data(mentee, join, json!({ "code": code })).await;
    let orphan = app.create_prospect(&w.mentee, &bare, "Orphan").await;
    seen.push(reason(
        &app.qualify_raw(&w.mentee, &orphan, &Answers::good()).await,
    ));

    // OUTCOMES_RECORDED, then ALREADY_ENDED.
    let client = app
        .client(&w.mentee, &w.program_id, "Client", &Answers::good(), None)
        .await;
    let month = crate::helpers::today().format("%Y-%m").to_string();
    app.outcome(&w.mentee, &client, &month, "10", None, None, 3)
        .await;
    let currency = "mutation($p: ID!) { setProgramCurrency(input: { programId: $p, currency: \"USD\" }) \
        { program { id } } }";
    seen.push(reason(
        &app.gql(w.mentor.tok(), currency, json!({ "p": w.program_id }))
            .await,
    ));
    let end = json!({ "input": { "prospectId": client, "reason": "COMPLETED",
                                 "endedOn": crate::helpers::today().to_string() } });
    app.data(mentee, crate::feedback::END_CLIENT, end.clone())
        .await;
    seen.push(reason(
        &app.gql(mentee, crate::feedback::END_CLIENT, end).await,
    ));
    // LAGGED: only a subscription (over WebSocket) can fall behind.
    seen.push(crate::subscriptions::lagged_reason().await);

    assert_eq!(
        seen,
        [
            "DUPLICATE",
            "DUPLICATE",
            "ALREADY_PUBLISHED",
            "NOT_QUALIFIED",
            "STALE_QUALIFICATION",
            "EXCEPTION_PENDING",
            "ALREADY_REVIEWED",
            "ARCHIVED",
            "STALE_REVISION",
            "NO_STANDARD",
            "OUTCOMES_RECORDED",
            "ALREADY_ENDED",
            "LAGGED",
        ]
    );
    // Every reason the API can give is either above or unreachable through the API
    // (IMMUTABLE_VERSION guards the store against a bug, not a request).
    for conflict in api::error::Conflict::ALL {
        let reason = conflict.reason();
        assert!(
            seen.iter().any(|s| s == reason) || reason == "IMMUTABLE_VERSION",
            "{reason} is not tested"
        );
    }
}

#[tokio::test]
async fn a_decision_on_a_qualification_that_is_no_longer_the_latest_records_nothing() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("REVIEW").await;
    let prospect = app
        .create_prospect(&w.mentee, &w.program_id, "Moving")
        .await;
    let seen = app
        .qualify(&w.mentee, &prospect, &Answers::good(), None)
        .await["qualification"]["id"]
        .clone();
    // Someone re-qualifies the prospect (another tab, a colleague's sync) with a worse result.
    let latest = app
        .qualify(&w.mentee, &prospect, &Answers::knocked_out(), None)
        .await["qualification"]["id"]
        .clone();
    let read = "query($id: ID!) { node(id: $id) { ... on Prospect { status decisions { nodes { id } } } } }";
    let before = app
        .data(w.mentee.tok(), read, json!({ "id": prospect }))
        .await;

    for stale in [seen.clone(), Value::Null] {
        let input = json!({ "input": { "prospectId": prospect, "decision": "TAKE_ON",
                                       "qualificationId": stale, "reason": "As agreed",
                                       "biasCheck": bias_check(false) } });
        let body = app.gql(w.mentee.tok(), DECIDE, input).await;
        assert_eq!(reason(&body), "STALE_QUALIFICATION", "{body:#}");
        assert_eq!(body["data"], json!({ "decideProspect": null }));
        let after = app
            .data(w.mentee.tok(), read, json!({ "id": prospect }))
            .await;
        assert_eq!(after, before, "nothing is recorded");
    }

    let input = json!({ "input": { "prospectId": prospect, "decision": "TURN_DOWN",
                                   "qualificationId": latest } });
    let decided = app.data(w.mentee.tok(), DECIDE, input).await;
    assert_eq!(
        decided["decideProspect"]["decision"]["qualification"]["id"],
        latest
    );
    assert_eq!(
        decided["decideProspect"]["prospect"]["status"],
        "TURNED_DOWN"
    );
}

#[tokio::test]
async fn a_removed_accounts_email_is_null_not_a_made_up_address() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    app.create_prospect(&w.mentee, &w.program_id, "Left behind")
        .await;
    let remove =
        "mutation($input: DeleteAccountInput!) { deleteAccount(input: $input) { deletedUserId } }";
    app.data(
        w.mentee.tok(),
        remove,
        json!({ "input": { "password": crate::fixtures::PASSWORD } }),
    )
    .await;
    let query = "{ prospects { nodes { owner { name email } } } }";
    let body = conforming_or_clean(&app, w.mentor.tok(), query).await;
    assert_eq!(
        body["data"]["prospects"]["nodes"][0]["owner"],
        json!({ "name": "Removed user", "email": null })
    );
}

/// Like `conforming`, for a response that may have no error at all.
async fn conforming_or_clean(app: &TestApp, token: Option<&str>, query: &str) -> Value {
    let shape = api::graphql::shape::Shape::parse(&api::graphql::schema::sdl())
        .unwrap_or_else(|e| panic!("the SDL parses: {e}"));
    let body = app.gql(token, query, json!({})).await;
    let problems = api::graphql::conformance::violations(&shape, query, None, &body);
    assert!(problems.is_empty(), "{query}\n{problems:#?}\n{body:#}");
    body
}
