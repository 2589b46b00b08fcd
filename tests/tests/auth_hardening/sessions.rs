//! Ending sessions: a replayed refresh token kills its whole login, and logout, a password
//! change and account removal take effect on access tokens at once, not when they expire.

use serde_json::json;

use super::{CHANGE_PASSWORD, REFRESH, assert_refused, invite_code, login, viewer};
use crate::fixtures::PASSWORD;
use crate::helpers::{TestApp, codes, expect_code, expect_field, str_at};

const LOGOUT: &str = "mutation($t: String!) { logout(refreshToken: $t) { ok } }";
const DELETE_ACCOUNT: &str = "mutation($input: DeleteAccountInput!) { \
    deleteAccount(input: $input) { deletedUserId } }";

/// Refreshes; returns the new (access, refresh) tokens.
async fn refresh(app: &TestApp, refresh_token: &str) -> (String, String) {
    let data = app.data(None, REFRESH, json!({ "t": refresh_token })).await;
    (
        str_at(&data, "/refreshSession/accessToken"),
        str_at(&data, "/refreshSession/refreshToken"),
    )
}

#[tokio::test]
async fn replaying_a_used_refresh_token_ends_every_token_of_that_login() {
    let app = TestApp::spawn().await;
    let first = app.mentor().await;
    let second = app.login(&first.email, PASSWORD).await;

    let (access2, refresh2) = refresh(&app, &first.refresh).await;
    let (access3, refresh3) = refresh(&app, &refresh2).await;
    assert_ne!(refresh2, first.refresh, "refresh tokens rotate");
    assert_ne!(refresh3, refresh2, "refresh tokens rotate");
    for token in [&first.access, &access2, &access3] {
        assert_eq!(viewer(&app, token).await, Ok(first.id.clone()));
    }

    // The first refresh token was used: showing it again is a replay (someone stole it).
    expect_code(
        &app.gql(None, REFRESH, json!({ "t": first.refresh })).await,
        "UNAUTHENTICATED",
    );
    expect_code(
        &app.gql(None, REFRESH, json!({ "t": refresh3 })).await,
        "UNAUTHENTICATED",
    );
    for (what, token) in [
        ("the login's first access token", &first.access),
        ("an access token from a rotation", &access2),
        ("the newest access token", &access3),
    ] {
        assert_refused(&app, token, what).await;
    }

    // Another login of the same user is another family and lives on.
    assert_eq!(viewer(&app, &second.access).await, Ok(first.id.clone()));
    let (access, _) = refresh(&app, &second.refresh).await;
    assert_eq!(viewer(&app, &access).await, Ok(first.id.clone()));
}

#[tokio::test]
async fn logout_ends_that_logins_access_token_at_once_while_another_login_keeps_working() {
    let app = TestApp::spawn().await;
    let first = app.mentor().await;
    let second = app.login(&first.email, PASSWORD).await;
    assert_eq!(viewer(&app, &first.access).await, Ok(first.id.clone()));

    let out = app
        .data(first.tok(), LOGOUT, json!({ "t": first.refresh }))
        .await;
    assert_eq!(out["logout"]["ok"], true);

    assert_refused(&app, &first.access, "the logged-out login's access token").await;
    expect_code(
        &app.gql(None, REFRESH, json!({ "t": first.refresh })).await,
        "UNAUTHENTICATED",
    );
    assert_eq!(viewer(&app, &second.access).await, Ok(first.id.clone()));
    let (access, _) = refresh(&app, &second.refresh).await;
    assert_eq!(viewer(&app, &access).await, Ok(first.id.clone()));
}

#[tokio::test]
async fn changing_the_password_ends_the_access_tokens_of_every_other_login() {
    let app = TestApp::spawn().await;
    let first = app.mentor().await;
    let second = app.login(&first.email, PASSWORD).await;
    let new_password = "an entirely new passphrase";
    let vars = json!({ "input": { "currentPassword": PASSWORD, "newPassword": new_password } });
    let changed = app.data(first.tok(), CHANGE_PASSWORD, vars).await;
    let fresh_access = str_at(&changed, "/changePassword/accessToken");

    assert_refused(&app, &second.access, "another login's access token").await;
    assert_refused(&app, &first.access, "the changing login's old access token").await;
    expect_code(
        &app.gql(None, REFRESH, json!({ "t": second.refresh })).await,
        "UNAUTHENTICATED",
    );
    assert_eq!(
        viewer(&app, &fresh_access).await,
        Ok(first.id.clone()),
        "the session returned by changePassword works"
    );
    assert_eq!(
        codes(&login(&app, &first.email, PASSWORD).await),
        ["UNAUTHENTICATED"]
    );
    assert_eq!(app.login(&first.email, new_password).await.id, first.id);
}

#[tokio::test]
async fn deleting_the_account_ends_its_sessions_and_its_email_can_no_longer_log_in() {
    let app = TestApp::spawn().await;
    let code = invite_code(&app).await;
    let first = app.sign_up(&code).await;
    let second = app.login(&first.email, PASSWORD).await;

    let wrong = json!({ "input": { "password": "not the password" } });
    expect_field(
        &app.gql(first.tok(), DELETE_ACCOUNT, wrong).await,
        "input.password",
    );
    assert_eq!(
        viewer(&app, &first.access).await,
        Ok(first.id.clone()),
        "a refused removal changes nothing"
    );

    let right = json!({ "input": { "password": PASSWORD } });
    let deleted = app.data(first.tok(), DELETE_ACCOUNT, right).await;
    assert_eq!(deleted["deleteAccount"]["deletedUserId"], json!(first.id));

    assert_refused(&app, &first.access, "the removing login's access token").await;
    assert_refused(&app, &second.access, "another login's access token").await;
    expect_code(
        &app.gql(None, REFRESH, json!({ "t": second.refresh })).await,
        "UNAUTHENTICATED",
    );
    let gone = login(&app, &first.email, PASSWORD).await;
    let unknown = login(&app, &crate::helpers::unique_email("nobody"), PASSWORD).await;
    expect_code(&gone, "UNAUTHENTICATED");
    assert_eq!(
        gone["errors"][0]["message"], unknown["errors"][0]["message"],
        "a removed account answers like one that never existed"
    );
}
