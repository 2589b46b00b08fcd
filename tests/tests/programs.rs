//! Running a program: removing and re-admitting mentees, invites, and program edits.

use serde_json::json;

use crate::definitions::Answers;
use crate::fixtures::{CREATE_INVITE, CREATE_PROSPECT, QUALIFY, UPDATE_PROGRAM};
use crate::helpers::{TestApp, expect_code, expect_field, int_at, str_at};

const MENTEES: &str = "query($id: ID!) { node(id: $id) { ... on Program { mentees(first: 100) { totalCount nodes { mentee { id } } } } } }";

#[tokio::test]
async fn a_removed_mentee_keeps_their_prospects_but_works_no_more_in_the_program() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let prospect = app
        .create_prospect(&w.mentee, &w.program_id, "Before removal")
        .await;
    app.qualify(&w.mentee, &prospect, &Answers::good(), None)
        .await;

    let remove = "mutation($p: ID!, $m: ID!) { removeMentee(input: { programId: $p, menteeId: $m }) { removedMenteeId } }";
    let removed = app
        .data(
            w.mentor.tok(),
            remove,
            json!({ "p": w.program_id, "m": w.mentee.id }),
        )
        .await;
    assert_eq!(
        removed["removeMentee"]["removedMenteeId"],
        json!(w.mentee.id)
    );
    let mentees = app
        .data(w.mentor.tok(), MENTEES, json!({ "id": w.program_id }))
        .await;
    assert_eq!(mentees["node"]["mentees"]["totalCount"], 0);
    // Removing twice: there is no such enrollment any more.
    expect_code(
        &app.gql(
            w.mentor.tok(),
            remove,
            json!({ "p": w.program_id, "m": w.mentee.id }),
        )
        .await,
        "NOT_FOUND",
    );

    let programs = app
        .data(w.mentee.tok(), "{ programs { totalCount } }", json!({}))
        .await;
    assert_eq!(programs["programs"]["totalCount"], 0);
    let vars = json!({ "input": { "programId": w.program_id, "name": "After removal" } });
    expect_code(
        &app.gql(w.mentee.tok(), CREATE_PROSPECT, vars).await,
        "NOT_FOUND",
    );
    let vars = json!({ "input": { "prospectId": prospect, "answers": Answers::good().json() } });
    expect_code(&app.gql(w.mentee.tok(), QUALIFY, vars).await, "FORBIDDEN");

    let read = "query($id: ID!) { node(id: $id) { ... on Prospect { name latestQualification { scoreBasisPoints } } } }";
    for reader in [&w.mentee, &w.mentor] {
        let seen = app
            .data(reader.tok(), read, json!({ "id": prospect }))
            .await;
        assert_eq!(
            seen["node"]["latestQualification"]["scoreBasisPoints"], 7613,
            "the prospect stays visible"
        );
    }

    // The code they were removed with does not bring them back; a new invite does.
    let join = "mutation($c: String!) { joinProgram(inviteCode: $c) { program { id } } }";
    expect_code(
        &app.gql(w.mentee.tok(), join, json!({ "c": w.invite_code }))
            .await,
        "FORBIDDEN",
    );
    let (_, new_code) = app.create_invite(&w.mentor, &w.program_id, None).await;
    let joined = app
        .data(w.mentee.tok(), join, json!({ "c": new_code }))
        .await;
    assert_eq!(joined["joinProgram"]["program"]["id"], json!(w.program_id));
    let mentees = app
        .data(w.mentor.tok(), MENTEES, json!({ "id": w.program_id }))
        .await;
    assert_eq!(
        mentees["node"]["mentees"]["nodes"],
        json!([{ "mentee": { "id": w.mentee.id } }])
    );
    let again = app
        .qualify(&w.mentee, &prospect, &Answers::all_best(), None)
        .await;
    assert_eq!(again["qualification"]["scoreBasisPoints"], 10_000);
}

#[tokio::test]
async fn invites_report_their_limits_and_stop_working_when_revoked() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let expires = (chrono::Utc::now() + chrono::Duration::days(7)).to_rfc3339();
    let vars =
        json!({ "input": { "programId": w.program_id, "maxUses": 2, "expiresAt": expires } });
    let query = CREATE_INVITE.replace("revoked", "revoked usable expiresAt");
    let invite = app.data(w.mentor.tok(), &query, vars).await["createInvite"]["invite"].clone();
    assert_eq!(
        (
            invite["maxUses"].clone(),
            invite["uses"].clone(),
            invite["usable"].clone()
        ),
        (json!(2), json!(0), json!(true))
    );
    let expires_at =
        chrono::DateTime::parse_from_rfc3339(&str_at(&invite, "/expiresAt")).expect("RFC 3339");
    let wanted = chrono::DateTime::parse_from_rfc3339(&expires).expect("RFC 3339");
    assert!(
        (expires_at - wanted).num_seconds().abs() <= 1,
        "{expires_at} vs {wanted}"
    );
    assert_ne!(
        str_at(&invite, "/code"),
        w.invite_code,
        "every invite has its own code"
    );

    let revoke = "mutation($id: ID!) { revokeInvite(id: $id) { invite { revoked usable uses } } }";
    let revoked = app
        .data(w.mentor.tok(), revoke, json!({ "id": invite["id"] }))
        .await;
    assert_eq!(
        revoked["revokeInvite"]["invite"],
        json!({ "revoked": true, "usable": false, "uses": 0 })
    );
    let other = app.mentee_in_program("STRICT").await;
    let join = "mutation($c: String!) { joinProgram(inviteCode: $c) { program { id } } }";
    let body = app
        .gql(
            other.mentee.tok(),
            join,
            json!({ "c": str_at(&invite, "/code") }),
        )
        .await;
    expect_field(&body, "inviteCode");
    let mentees = app
        .data(w.mentor.tok(), MENTEES, json!({ "id": w.program_id }))
        .await;
    assert_eq!(
        mentees["node"]["mentees"]["totalCount"], 1,
        "nobody joined through the revoked invite"
    );
}

#[tokio::test]
async fn program_edits_respect_the_expected_revision() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let read = "query($id: ID!) { node(id: $id) { ... on Program { name description revision } } }";
    let before = app
        .data(w.mentor.tok(), read, json!({ "id": w.program_id }))
        .await;
    let revision = int_at(&before, "/node/revision");
    let edit = |name: &str| json!({ "input": { "id": w.program_id, "name": name, "expectedRevision": revision } });
    let edited = app
        .data(
            w.mentor.tok(),
            UPDATE_PROGRAM,
            edit("Strategy Program 2028"),
        )
        .await;
    assert_eq!(
        edited["updateProgram"]["program"]["name"],
        "Strategy Program 2028"
    );
    assert!(int_at(&edited, "/updateProgram/program/revision") > revision);
    assert_eq!(
        edited["updateProgram"]["program"]["standard"]["id"],
        json!(w.version_id),
        "the standard stays"
    );
    expect_code(
        &app.gql(w.mentor.tok(), UPDATE_PROGRAM, edit("Lost update"))
            .await,
        "CONFLICT",
    );
    let after = app
        .data(w.mentee.tok(), read, json!({ "id": w.program_id }))
        .await;
    assert_eq!(
        after["node"]["name"], "Strategy Program 2028",
        "mentees see the program's new name"
    );
}
