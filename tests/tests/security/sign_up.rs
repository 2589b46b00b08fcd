//! `signUp` checks the invite before anything else, so that a wrong code tells nothing
//! about an address, and is throttled per address and per client IP like `login`.

use serde_json::{Value, json};

use crate::fixtures::{PASSWORD, SIGN_UP};
use crate::helpers::{TestApp, codes, expect_code, int_at, unique_email};

async fn sign_up(app: &TestApp, email: &str, code: &str) -> Value {
    let vars = json!({ "input": { "email": email, "password": PASSWORD, "name": "Probe",
                                  "inviteCode": code } });
    app.gql(None, SIGN_UP, vars).await
}

/// The error without what differs between requests anyway (locations are the same).
fn answer(body: &Value) -> Value {
    body["errors"].clone()
}

#[tokio::test]
async fn with_a_wrong_invite_the_answer_is_the_same_whether_the_email_has_an_account_or_not() {
    let app = TestApp::spawn_with(|c| c.limits.login_attempts_per_ip_per_minute = 1000).await;
    let w = app.mentee_in_program("STRICT").await;
    let revoke = "mutation($id: ID!) { revokeInvite(id: $id) { invite { id } } }";
    let (revoked_id, revoked) = app.create_invite(&w.mentor, &w.program_id, None).await;
    app.data(w.mentor.tok(), revoke, json!({ "id": revoked_id }))
        .await;
    for code in ["no-such-code", revoked.as_str(), ""] {
        let taken = sign_up(&app, &w.mentee.email, code).await;
        let free = sign_up(&app, &unique_email("free"), code).await;
        expect_code(&taken, "BAD_USER_INPUT");
        assert_eq!(answer(&taken), answer(&free), "code {code:?}");
        assert_eq!(
            taken["errors"][0]["extensions"]["field"], "input.inviteCode",
            "{taken}"
        );
        // Not even the e-mail's or the password's format is looked at first.
        let malformed = app
            .gql(
                None,
                SIGN_UP,
                json!({ "input": { "email": "not an address", "password": "short",
                                   "name": "Probe", "inviteCode": code } }),
            )
            .await;
        assert_eq!(answer(&malformed), answer(&free), "code {code:?}");
    }
}

#[tokio::test]
async fn with_a_valid_invite_a_taken_email_is_a_conflict_and_the_invite_is_not_used_up() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let (_, code) = app.create_invite(&w.mentor, &w.program_id, Some(1)).await;
    let taken = sign_up(&app, &w.mentee.email.to_uppercase(), &code).await;
    expect_code(&taken, "CONFLICT");
    let joined = sign_up(&app, &unique_email("fresh"), &code).await;
    assert_eq!(
        codes(&joined),
        Vec::<String>::new(),
        "the one use is still there: {joined}"
    );
}

#[tokio::test]
async fn sign_up_failures_for_one_address_are_throttled_like_logins() {
    let app = TestApp::spawn_with(|c| {
        c.limits.login_failures_before_backoff = 3;
        c.limits.login_attempts_per_ip_per_minute = 1000;
    })
    .await;
    let w = app.mentee_in_program("STRICT").await;
    let target = unique_email("target");
    for _ in 0..3 {
        expect_code(&sign_up(&app, &target, "guess").await, "BAD_USER_INPUT");
    }
    // Now even the right code waits, for this address only.
    let locked = sign_up(&app, &target, &w.invite_code).await;
    let error = expect_code(&locked, "RATE_LIMITED");
    assert!(int_at(error, "/extensions/retryAfter") >= 1, "{locked}");
    let other = sign_up(&app, &unique_email("other"), &w.invite_code).await;
    assert_eq!(codes(&other), Vec::<String>::new(), "{other}");
    // The address's login is held back as well: the counter is the account's.
    let login = app
        .gql(
            None,
            crate::fixtures::LOGIN,
            json!({ "input": { "email": target, "password": PASSWORD } }),
        )
        .await;
    expect_code(&login, "RATE_LIMITED");
}

#[tokio::test]
async fn sign_up_attempts_share_the_client_ips_budget() {
    let app = TestApp::spawn_with(|c| {
        c.limits.login_failures_before_backoff = 1000;
        c.limits.login_attempts_per_ip_per_minute = 4;
    })
    .await;
    let mut answers = Vec::new();
    for _ in 0..6 {
        answers.push(codes(&sign_up(&app, &unique_email("ip"), "wrong").await));
    }
    let limited = vec!["RATE_LIMITED".to_owned()];
    let bad = vec!["BAD_USER_INPUT".to_owned()];
    assert_eq!(
        answers,
        vec![
            bad.clone(),
            bad.clone(),
            bad.clone(),
            bad,
            limited.clone(),
            limited
        ]
    );
}
