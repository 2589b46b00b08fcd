//! Authentication under attack: forged tokens, ended sessions, password rules, and login
//! throttling per account and per client IP.

mod passwords;
mod sessions;
mod throttling;
mod tokens;

use serde_json::{Value, json};

use crate::fixtures::{CREATE_INVITE, LOGIN, PASSWORD};
use crate::helpers::{TestApp, codes, str_at, unique_email};

const VIEWER: &str = "{ viewer { id } }";
const REFRESH: &str = "mutation($t: String!) { refreshSession(refreshToken: $t) { \
    accessToken refreshToken user { id } } }";
const CHANGE_PASSWORD: &str = "mutation($input: ChangePasswordInput!) { \
    changePassword(input: $input) { accessToken refreshToken user { id } } }";

/// Whether `token` is accepted as `user_id`'s access token: `Ok` with the viewer's id, or
/// `Err` with the error codes.
async fn viewer(app: &TestApp, token: &str) -> Result<String, Vec<String>> {
    let body = app.gql(Some(token), VIEWER, json!({})).await;
    match codes(&body).as_slice() {
        [] => Ok(str_at(&body, "/data/viewer/id")),
        _ => Err(codes(&body)),
    }
}

/// Asserts the access token is refused with exactly one `UNAUTHENTICATED`.
async fn assert_refused(app: &TestApp, token: &str, what: &str) {
    assert_eq!(
        viewer(app, token).await,
        Err(vec!["UNAUTHENTICATED".to_owned()]),
        "{what} must be refused"
    );
}

/// The login answer for `email` and `password`, from this process's own address.
async fn login(app: &TestApp, email: &str, password: &str) -> Value {
    app.gql(
        None,
        LOGIN,
        json!({ "input": { "email": email, "password": password } }),
    )
    .await
}

/// A mentor created the operator's way, without logging in (a login would count against
/// the throttles under test); returns the e-mail.
async fn mentor_account(app: &TestApp) -> String {
    let email = unique_email("mentor");
    api::create_mentor(&app.database_url, &email, "Maria Mentor", PASSWORD)
        .await
        .expect("create mentor");
    email
}

/// An invite code to a program without a standard: the cheapest way to sign mentees up.
async fn invite_code(app: &TestApp) -> String {
    let mentor = app.mentor().await;
    let program = app
        .data(
            mentor.tok(),
            "mutation { createProgram(input: { name: \"Open door\" }) { program { id } } }",
            json!({}),
        )
        .await;
    let program = str_at(&program, "/createProgram/program/id");
    let invite = app
        .data(
            mentor.tok(),
            CREATE_INVITE,
            json!({ "input": { "programId": program } }),
        )
        .await;
    str_at(&invite, "/createInvite/invite/code")
}
