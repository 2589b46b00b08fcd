//! What the operator does from the command line (`qualify reset-password`), through the
//! functions the commands call.

use serde_json::json;

use crate::auth::{REFRESH, VIEWER};
use crate::fixtures::{LOGIN, PASSWORD};
use crate::helpers::{TestApp, expect_code, ok};

const NEW_PASSWORD: &str = "a completely different passphrase";

#[tokio::test]
async fn a_reset_password_ends_every_session_and_only_the_new_password_signs_in() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    // Two sessions: the sign-up's and a login on another device.
    let laptop = app.login(&w.mentee.email, PASSWORD).await;
    ok(app.gql(laptop.tok(), VIEWER, json!({})).await);

    let id = api::reset_password(&app.database_url, &w.mentee.email, NEW_PASSWORD)
        .await
        .expect("reset");
    assert_eq!(uuid_of(&w.mentee.id), id.simple().to_string());

    for session in [&w.mentee, &laptop] {
        expect_code(
            &app.gql(session.tok(), VIEWER, json!({})).await,
            "UNAUTHENTICATED",
        );
        let refreshed = app
            .gql(None, REFRESH, json!({ "t": session.refresh }))
            .await;
        expect_code(&refreshed, "UNAUTHENTICATED");
    }
    let old = json!({ "input": { "email": w.mentee.email, "password": PASSWORD } });
    expect_code(&app.gql(None, LOGIN, old).await, "UNAUTHENTICATED");
    let fresh = app.login(&w.mentee.email, NEW_PASSWORD).await;
    let me = ok(app.gql(fresh.tok(), VIEWER, json!({})).await);
    assert_eq!(me["viewer"]["email"], json!(w.mentee.email));
    // The mentor's sessions are untouched.
    ok(app.gql(w.mentor.tok(), VIEWER, json!({})).await);
}

#[tokio::test]
async fn a_reset_refuses_an_unknown_account_and_a_weak_password_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let unknown = api::reset_password(&app.database_url, "nobody@example.com", NEW_PASSWORD).await;
    let message = unknown.expect_err("unknown account").to_string();
    assert!(message.contains("no account"), "{message}");
    let weak = api::reset_password(&app.database_url, &w.mentee.email, "short").await;
    assert!(
        weak.expect_err("weak password")
            .to_string()
            .starts_with("password:")
    );
    // Still signed in, and the old password still works.
    ok(app.gql(w.mentee.tok(), VIEWER, json!({})).await);
    app.login(&w.mentee.email, PASSWORD).await;
}

/// The UUID inside a global id (`Kind:uuid`, base64).
fn uuid_of(global: &str) -> String {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(global)
        .expect("a global id");
    let text = String::from_utf8(bytes).expect("utf-8");
    text.rsplit(':').next().expect("uuid").to_owned()
}

#[tokio::test]
async fn readyz_is_ready_only_while_the_schema_is_this_binarys() {
    let app = TestApp::spawn().await;
    let ready = |app: &TestApp| {
        let url = format!("http://{}/readyz", app.addr);
        async move {
            let response = reqwest::get(url).await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<serde_json::Value>().await.unwrap())
        }
    };
    assert_eq!(ready(&app).await, (200, json!({ "status": "ready" })));
    // The newest migration undone in the bookkeeping: this binary's schema is not there.
    crate::feedback::execute(
        &app,
        "DELETE FROM seaql_migrations WHERE version = (SELECT MAX(version) FROM seaql_migrations)",
        vec![],
    )
    .await;
    assert_eq!(
        ready(&app).await,
        (
            503,
            json!({ "status": "unavailable", "reason": "1 migrations of this binary are not applied" })
        )
    );
    // Liveness is another question: the process answers.
    assert_eq!(app.get("/healthz").await.as_u16(), 200);
}
