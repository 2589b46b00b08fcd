//! Sign-up, login, refresh rotation and replay, logout, password change, and refused tokens.

use serde_json::{Value, json};

use crate::fixtures::{LOGIN, PASSWORD, SIGN_UP};
use crate::helpers::{TestApp, expect_code, expect_field, int_at, ok, str_at, unique_email};

pub const REFRESH: &str = "mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken expiresIn user { id } } }";
const LOGOUT: &str = "mutation($t: String!) { logout(refreshToken: $t) { ok } }";
const CHANGE_PASSWORD: &str = "mutation($input: ChangePasswordInput!) { changePassword(input: $input) { accessToken refreshToken user { id } } }";
pub const VIEWER: &str = "{ viewer { id email role } }";

pub async fn viewer_id(app: &TestApp, token: &str) -> Value {
    app.gql(Some(token), VIEWER, json!({})).await["data"]["viewer"]["id"].clone()
}

#[tokio::test]
async fn mentor_created_by_the_operator_signs_in_as_mentor() {
    let app = TestApp::spawn().await;
    let mentor = app.mentor().await;
    let data = app.data(mentor.tok(), VIEWER, json!({})).await;
    assert_eq!(data["viewer"]["role"], "MENTOR");
    assert_eq!(data["viewer"]["id"], json!(mentor.id));
    assert_eq!(data["viewer"]["email"], json!(mentor.email));
    let login = app
        .data(
            None,
            LOGIN,
            json!({ "input": { "email": mentor.email, "password": PASSWORD } }),
        )
        .await;
    assert!(int_at(&login, "/login/expiresIn") > 0);
    assert_ne!(
        str_at(&login, "/login/refreshToken"),
        mentor.refresh,
        "every login is a new session"
    );
}

#[tokio::test]
async fn wrong_password_and_unknown_email_fail_alike() {
    let app = TestApp::spawn().await;
    let mentor = app.mentor().await;
    let wrong = app
        .gql(
            None,
            LOGIN,
            json!({ "input": { "email": mentor.email, "password": "not the password" } }),
        )
        .await;
    let unknown = app
        .gql(
            None,
            LOGIN,
            json!({ "input": { "email": unique_email("nobody"), "password": PASSWORD } }),
        )
        .await;
    expect_code(&wrong, "UNAUTHENTICATED");
    expect_code(&unknown, "UNAUTHENTICATED");
    assert_eq!(
        wrong["errors"][0]["message"], unknown["errors"][0]["message"],
        "no account enumeration"
    );
}

#[tokio::test]
async fn emails_are_compared_case_insensitively() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let local = uuid::Uuid::now_v7().simple().to_string();
    let mixed = format!("Ann.{local}@Example.COM");
    let vars = json!({ "input": { "email": format!("  {mixed} "), "password": PASSWORD, "name": "Ann", "inviteCode": w.invite_code } });
    let signed = app.data(None, SIGN_UP, vars).await;
    assert_eq!(
        signed["signUp"]["user"]["email"],
        json!(mixed.to_lowercase())
    );
    let again = json!({ "input": { "email": mixed.to_uppercase(), "password": PASSWORD, "name": "Ann", "inviteCode": w.invite_code } });
    expect_code(&app.gql(None, SIGN_UP, again).await, "CONFLICT");
    let login = app.login(&mixed.to_lowercase(), PASSWORD).await;
    assert_eq!(login.id, str_at(&signed, "/signUp/user/id"));
}

#[tokio::test]
async fn unknown_revoked_and_used_up_invites_are_refused_alike() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let (revoked_id, revoked) = app.create_invite(&w.mentor, &w.program_id, None).await;
    app.data(
        w.mentor.tok(),
        "mutation($id: ID!) { revokeInvite(id: $id) { invite { revoked } } }",
        json!({ "id": revoked_id }),
    )
    .await;
    let (_, single) = app.create_invite(&w.mentor, &w.program_id, Some(1)).await;
    app.sign_up(&single).await;
    let mut answers = Vec::new();
    for code in ["no-such-invite-code", revoked.as_str(), single.as_str()] {
        let email = unique_email("refused");
        let vars = json!({ "input": { "email": email, "password": PASSWORD, "name": "Eve", "inviteCode": code } });
        let body = app.gql(None, SIGN_UP, vars).await;
        expect_field(&body, "input.inviteCode");
        answers.push(body["errors"][0]["message"].clone());
        let login = app
            .gql(
                None,
                LOGIN,
                json!({ "input": { "email": email, "password": PASSWORD } }),
            )
            .await;
        expect_code(&login, "UNAUTHENTICATED");
    }
    assert!(
        answers.windows(2).all(|w| w[0] == w[1]),
        "invites must be refused alike: {answers:?}"
    );
}

#[tokio::test]
async fn a_mentee_joins_a_second_program_with_its_invite() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let other = app.mentee_in_program("REVIEW").await;
    let join = "mutation($c: String!) { joinProgram(inviteCode: $c) { program { id } } }";
    let joined = app
        .data(w.mentee.tok(), join, json!({ "c": other.invite_code }))
        .await;
    assert_eq!(
        joined["joinProgram"]["program"]["id"],
        json!(other.program_id)
    );
    let programs = app
        .data(
            w.mentee.tok(),
            "{ programs { totalCount nodes { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(programs["programs"]["totalCount"], 2);
    let prospect = app
        .create_prospect(&w.mentee, &other.program_id, "In the second program")
        .await;
    assert!(!prospect.is_empty());
}

#[tokio::test]
async fn refresh_rotates_and_a_replayed_refresh_token_ends_the_session() {
    let app = TestApp::spawn().await;
    let mentor = app.mentor().await;
    let other_session = app.login(&mentor.email, PASSWORD).await;

    let rotated = app
        .data(None, REFRESH, json!({ "t": mentor.refresh }))
        .await["refreshSession"]
        .clone();
    let (access2, refresh2) = (
        str_at(&rotated, "/accessToken"),
        str_at(&rotated, "/refreshToken"),
    );
    assert_ne!(refresh2, mentor.refresh, "the refresh token rotates");
    assert_eq!(viewer_id(&app, &access2).await, json!(mentor.id));

    // Reusing the old token is a replay: refused, and the whole family is revoked.
    expect_code(
        &app.gql(None, REFRESH, json!({ "t": mentor.refresh })).await,
        "UNAUTHENTICATED",
    );
    expect_code(
        &app.gql(None, REFRESH, json!({ "t": refresh2 })).await,
        "UNAUTHENTICATED",
    );
    // Another session of the same user is a different family and lives on.
    let still = app
        .data(None, REFRESH, json!({ "t": other_session.refresh }))
        .await;
    assert_eq!(still["refreshSession"]["user"]["id"], json!(mentor.id));
    expect_code(
        &app.gql(None, REFRESH, json!({ "t": "not-a-refresh-token" }))
            .await,
        "UNAUTHENTICATED",
    );
}

#[tokio::test]
async fn logout_ends_only_that_session() {
    let app = TestApp::spawn().await;
    let mentor = app.mentor().await;
    let other_session = app.login(&mentor.email, PASSWORD).await;
    let out = app
        .data(mentor.tok(), LOGOUT, json!({ "t": mentor.refresh }))
        .await;
    assert_eq!(out["logout"]["ok"], true);
    expect_code(
        &app.gql(None, REFRESH, json!({ "t": mentor.refresh })).await,
        "UNAUTHENTICATED",
    );
    ok(app
        .gql(None, REFRESH, json!({ "t": other_session.refresh }))
        .await);
}

#[tokio::test]
async fn changing_the_password_ends_every_earlier_session() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let first = w.mentee.clone();
    let second = app.login(&first.email, PASSWORD).await;
    let wrong = json!({ "input": { "currentPassword": "not my password", "newPassword": "a brand new passphrase" } });
    let body = app.gql(first.tok(), CHANGE_PASSWORD, wrong).await;
    expect_field(&body, "input.currentPassword");
    let short = json!({ "input": { "currentPassword": PASSWORD, "newPassword": "short" } });
    expect_field(
        &app.gql(first.tok(), CHANGE_PASSWORD, short).await,
        "input.newPassword",
    );

    let vars = json!({ "input": { "currentPassword": PASSWORD, "newPassword": "a brand new passphrase" } });
    let changed = app.data(first.tok(), CHANGE_PASSWORD, vars).await["changePassword"].clone();
    assert_eq!(changed["user"]["id"], json!(first.id));
    for old in [&first.refresh, &second.refresh] {
        expect_code(
            &app.gql(None, REFRESH, json!({ "t": old })).await,
            "UNAUTHENTICATED",
        );
    }
    ok(app
        .gql(
            None,
            REFRESH,
            json!({ "t": str_at(&changed, "/refreshToken") }),
        )
        .await);
    let old_password = app
        .gql(
            None,
            LOGIN,
            json!({ "input": { "email": first.email, "password": PASSWORD } }),
        )
        .await;
    expect_code(&old_password, "UNAUTHENTICATED");
    let fresh = app.login(&first.email, "a brand new passphrase").await;
    assert_eq!(fresh.id, first.id);
}
