//! A stolen access token is no unthrottled password oracle: a wrong current password in
//! `changePassword` or `deleteAccount` counts as a failed login of the account.

use serde_json::{Value, json};

use crate::fixtures::{Actor, LOGIN, PASSWORD};
use crate::helpers::{TestApp, codes, expect_code, int_at};

const CHANGE: &str =
    "mutation($input: ChangePasswordInput!) { changePassword(input: $input) { accessToken } }";
const DELETE: &str =
    "mutation($input: DeleteAccountInput!) { deleteAccount(input: $input) { deletedUserId } }";

fn change(current: &str) -> Value {
    json!({ "input": { "currentPassword": current, "newPassword": "a brand new passphrase" } })
}

fn delete(current: &str) -> Value {
    json!({ "input": { "password": current } })
}

async fn app_and_mentor() -> (TestApp, Actor) {
    let app = TestApp::spawn_with(|c| {
        c.limits.login_failures_before_backoff = 3;
        c.limits.login_attempts_per_ip_per_minute = 1000;
    })
    .await;
    let mentor = app.mentor().await;
    (app, mentor)
}

#[tokio::test]
async fn wrong_current_passwords_lock_the_account_for_these_mutations_and_for_login() {
    for (query, vars) in [(CHANGE, change as fn(&str) -> Value), (DELETE, delete)] {
        let (app, mentor) = app_and_mentor().await;
        for _ in 0..3 {
            let body = app.gql(mentor.tok(), query, vars("guessed wrong")).await;
            expect_code(&body, "BAD_USER_INPUT");
        }
        // The right password now waits too: guessing stops paying.
        let body = app.gql(mentor.tok(), query, vars(PASSWORD)).await;
        let error = expect_code(&body, "RATE_LIMITED");
        assert!(int_at(error, "/extensions/retryAfter") >= 1, "{body}");
        let login = app
            .gql(
                None,
                LOGIN,
                json!({ "input": { "email": mentor.email, "password": PASSWORD } }),
            )
            .await;
        expect_code(&login, "RATE_LIMITED");
        // Nothing changed: the account is still there with its password.
        let viewer = app.gql(mentor.tok(), "{ viewer { id } }", json!({})).await;
        assert_eq!(viewer["data"]["viewer"]["id"], json!(mentor.id), "{query}");
    }
}

#[tokio::test]
async fn failed_logins_lock_password_changes_as_well() {
    let (app, mentor) = app_and_mentor().await;
    for _ in 0..3 {
        let body = app
            .gql(
                None,
                LOGIN,
                json!({ "input": { "email": mentor.email, "password": "nope nope" } }),
            )
            .await;
        expect_code(&body, "UNAUTHENTICATED");
    }
    let body = app.gql(mentor.tok(), CHANGE, change(PASSWORD)).await;
    assert_eq!(codes(&body), vec!["RATE_LIMITED".to_owned()], "{body}");
}
