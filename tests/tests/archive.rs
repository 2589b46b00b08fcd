//! Archiving a program: readable as before, closed to anything new.

use serde_json::{Value, json};

use crate::definitions::Answers;
use crate::fixtures::{CREATE_INVITE, CREATE_PROSPECT, PASSWORD, QUALIFY, SIGN_UP};
use crate::helpers::{TestApp, expect_code, expect_field, ok};

const ARCHIVE: &str =
    "mutation($id: ID!) { archiveProgram(id: $id) { program { id archived revision } } }";

fn reason(body: &Value) -> Value {
    body["errors"][0]["extensions"]["reason"].clone()
}

#[tokio::test]
async fn an_archived_program_stays_readable_and_takes_nothing_new() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let prospect = app
        .create_prospect(&w.mentee, &w.program_id, "Before")
        .await;
    app.qualify(&w.mentee, &prospect, &Answers::good(), None)
        .await;
    let (_, spare_code) = app.create_invite(&w.mentor, &w.program_id, None).await;

    // Only its mentor archives it: a mentee is refused, another mentor does not see it.
    let body = app
        .gql(w.mentee.tok(), ARCHIVE, json!({ "id": w.program_id }))
        .await;
    expect_code(&body, "FORBIDDEN");
    let stranger = app.mentor().await;
    let body = app
        .gql(stranger.tok(), ARCHIVE, json!({ "id": w.program_id }))
        .await;
    expect_code(&body, "NOT_FOUND");

    let first = ok(app
        .gql(w.mentor.tok(), ARCHIVE, json!({ "id": w.program_id }))
        .await);
    let program = &first["archiveProgram"]["program"];
    assert_eq!(program["archived"], true);
    let revision = program["revision"].clone();
    // Twice: nothing changes.
    let again = ok(app
        .gql(w.mentor.tok(), ARCHIVE, json!({ "id": w.program_id }))
        .await);
    assert_eq!(again["archiveProgram"]["program"]["revision"], revision);

    // No new invite; the old code no longer lets anyone in.
    let body = app
        .gql(
            w.mentor.tok(),
            CREATE_INVITE,
            json!({ "input": { "programId": w.program_id } }),
        )
        .await;
    expect_code(&body, "CONFLICT");
    assert_eq!(reason(&body), "ARCHIVED");
    let vars = json!({ "input": { "email": "late@example.com", "password": PASSWORD,
                                  "name": "Late Comer", "inviteCode": spare_code } });
    expect_field(&app.gql(None, SIGN_UP, vars).await, "input.inviteCode");

    // No new prospect, no new qualification.
    let vars = json!({ "input": { "programId": w.program_id, "name": "After" } });
    let body = app.gql(w.mentee.tok(), CREATE_PROSPECT, vars).await;
    expect_code(&body, "CONFLICT");
    assert_eq!(reason(&body), "ARCHIVED");
    let vars = json!({ "input": { "prospectId": prospect, "answers": Answers::good().json() } });
    let body = app.gql(w.mentee.tok(), QUALIFY, vars).await;
    expect_code(&body, "CONFLICT");
    assert_eq!(reason(&body), "ARCHIVED");

    // Everything in it still reads, for the mentee as for the mentor.
    let read = "query($id: ID!) { node(id: $id) { ... on Prospect { name program { archived } \
                qualifications(first: 5) { totalCount } } } }";
    for who in [&w.mentee, &w.mentor] {
        let data = ok(app.gql(who.tok(), read, json!({ "id": prospect })).await);
        assert_eq!(
            data["node"],
            json!({ "name": "Before", "program": { "archived": true },
                    "qualifications": { "totalCount": 1 } })
        );
    }
}
