//! Who reads an e-mail address: the user themself, a mentor their mentees', a mentee their
//! mentors'; never one mentee another's.

use serde_json::json;

use crate::helpers::{TestApp, str_at};

const PROGRAM: &str = "query($id: ID!) { node(id: $id) { ... on Program { mentor { id email } \
    mentees(first: 100) { nodes { mentee { id email } } } } } }";

#[tokio::test]
async fn a_mentee_sees_their_own_and_their_mentors_address_a_mentor_their_mentees() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let other = app.sign_up(&w.invite_code).await;

    let me = app
        .data(w.mentee.tok(), "{ viewer { email } }", json!({}))
        .await;
    assert_eq!(me["viewer"]["email"], json!(w.mentee.email));

    let seen = app
        .data(w.mentee.tok(), PROGRAM, json!({ "id": w.program_id }))
        .await;
    assert_eq!(seen["node"]["mentor"]["email"], json!(w.mentor.email));
    assert_eq!(
        seen["node"]["mentees"]["nodes"],
        json!([]),
        "mentees are the mentor's list"
    );

    let seen = app
        .data(w.mentor.tok(), PROGRAM, json!({ "id": w.program_id }))
        .await;
    let mut emails: Vec<String> = seen["node"]["mentees"]["nodes"]
        .as_array()
        .expect("mentees")
        .iter()
        .map(|m| str_at(m, "/mentee/email"))
        .collect();
    emails.sort();
    let mut expected = vec![w.mentee.email.clone(), other.email.clone()];
    expected.sort();
    assert_eq!(emails, expected);
}

#[tokio::test]
async fn a_mentee_never_reads_another_mentees_address() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let other = app.sign_up(&w.invite_code).await;
    let user = "query($id: ID!) { node(id: $id) { ... on User { id email } } }";
    let body = app
        .gql(w.mentee.tok(), user, json!({ "id": other.id }))
        .await;
    assert_eq!(body["data"]["node"], json!(null), "{body}");
    // Their own prospect's owner is themself; the program's mentor is the only other user
    // they reach, and a removed mentee no longer reads even that address.
    let prospect = app.create_prospect(&w.mentee, &w.program_id, "P").await;
    let owner = "query($id: ID!) { node(id: $id) { ... on Prospect { owner { email } program { mentor { email } } } } }";
    let seen = app
        .data(w.mentee.tok(), owner, json!({ "id": prospect }))
        .await;
    assert_eq!(seen["node"]["owner"]["email"], json!(w.mentee.email));
    assert_eq!(
        seen["node"]["program"]["mentor"]["email"],
        json!(w.mentor.email)
    );
    app.data(
        w.mentor.tok(),
        "mutation($p: ID!, $m: ID!) { removeMentee(input: { programId: $p, menteeId: $m }) { removedMenteeId } }",
        json!({ "p": w.program_id, "m": w.mentee.id }),
    )
    .await;
    let body = app
        .gql(w.mentee.tok(), owner, json!({ "id": prospect }))
        .await;
    assert_eq!(
        body["data"]["node"]["owner"]["email"],
        json!(w.mentee.email),
        "{body}"
    );
    assert_ne!(
        body["data"]["node"]["program"]["mentor"]["email"],
        json!(w.mentor.email),
        "{body}"
    );
}

/// `login`, `signUp` and `refreshSession` return the user they signed in: that user reads
/// their own address in the payload, even when the request carried another user's valid
/// access token (the address used to be decided for the token's user, and came back `null`).
#[tokio::test]
async fn the_user_just_signed_in_reads_their_own_address_whatever_token_came_with_the_request() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let stranger = app.mentor().await; // shares no program with the mentee
    let refresh =
        "mutation($t: String!) { refreshSession(refreshToken: $t) { user { id email } } }";
    for token in [None, stranger.tok(), w.mentor.tok()] {
        let login = app
            .data(
                token,
                crate::fixtures::LOGIN,
                json!({ "input": { "email": w.mentee.email, "password": crate::fixtures::PASSWORD } }),
            )
            .await;
        assert_eq!(login["login"]["user"]["id"], json!(w.mentee.id));
        assert_eq!(
            login["login"]["user"]["email"],
            json!(w.mentee.email),
            "{token:?}"
        );
        let renewed = app
            .data(
                token,
                refresh,
                json!({ "t": str_at(&login, "/login/refreshToken") }),
            )
            .await;
        assert_eq!(
            renewed["refreshSession"]["user"]["email"],
            json!(w.mentee.email),
            "{token:?}"
        );
    }
    let email = crate::helpers::unique_email("mentee");
    let signed_up = app
        .data(
            stranger.tok(),
            crate::fixtures::SIGN_UP,
            json!({ "input": { "email": email, "password": crate::fixtures::PASSWORD,
                               "name": "New Mentee", "inviteCode": w.invite_code } }),
        )
        .await;
    assert_eq!(signed_up["signUp"]["user"]["email"], json!(email));
    // The token's own user is unchanged by it: the stranger still does not read the
    // mentee's address anywhere else.
    let user = "query($id: ID!) { node(id: $id) { ... on User { email } } }";
    let seen = app
        .gql(stranger.tok(), user, json!({ "id": w.mentee.id }))
        .await;
    assert_eq!(seen["data"]["node"], json!(null), "{seen}");
}
