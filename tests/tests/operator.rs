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

#[tokio::test]
async fn metrics_count_requests_operations_and_the_backlog_with_bounded_labels() {
    let app = TestApp::spawn_with(|config| {
        config.metrics_bind = Some(std::net::SocketAddr::from(([127, 0, 0, 1], 0)));
    })
    .await;
    let metrics = app.metrics_addr().expect("a metrics address");
    let w = app.mentee_in_program("STRICT").await;
    let named = json!({ "operationName": "Me", "query": "query Me { viewer { id } }" });
    for _ in 0..3 {
        let reply = reqwest::Client::new()
            .post(format!("http://{}/graphql", app.addr))
            .bearer_auth(&w.mentee.access)
            .json(&named)
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status().as_u16(), 200);
    }
    expect_code(
        &app.gql(None, "{ programs(first: 1) { nodes { id } } }", json!({}))
            .await,
        "UNAUTHENTICATED",
    );
    // Not on the API's address; on its own.
    assert_eq!(app.get("/metrics").await.as_u16(), 404);
    let text = reqwest::get(format!("http://{metrics}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let value = |series: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(series))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {series} in {text}"))
    };
    // Other tests' servers in this process count too (the recorder is process-wide): at least.
    assert!(value("qualify_graphql_operations_total{operation=\"Me\",code=\"none\"}") >= 3.0);
    assert!(
        value("qualify_graphql_operations_total{operation=\"anonymous\",code=\"UNAUTHENTICATED\"}")
            >= 1.0
    );
    assert!(value("qualify_http_requests_total{status=\"200\"}") >= 4.0);
    assert!(text.contains("qualify_http_request_duration_seconds_bucket"));
    assert!(value("qualify_graphql_operation_duration_seconds_count{operation=\"Me\"}") >= 3.0);
    assert!(text.contains(
        "qualify_graphql_operation_duration_seconds_bucket{operation=\"Me\",le=\"0.1\"}"
    ));
    assert!(value("qualify_db_pool_connections") >= 1.0);
    assert!(value("qualify_db_pool_max_connections") >= value("qualify_db_pool_connections"));
    // Every request above took connections: for its statements, and the first ones'
    // sign-ups and program for their transactions.
    assert!(value("qualify_db_acquires_total{kind=\"statement\"}") >= 3.0);
    assert!(value("qualify_db_acquires_total{kind=\"transaction\"}") >= 1.0);
    for kind in ["statement", "transaction"] {
        let waits = value(&format!(
            "qualify_db_acquire_waits_total{{kind=\"{kind}\"}}"
        ));
        assert!(
            waits >= 0.0
                && waits <= value(&format!("qualify_db_acquires_total{{kind=\"{kind}\"}}"))
        );
        value(&format!(
            "qualify_db_acquire_wait_microseconds_total{{kind=\"{kind}\"}}"
        ));
    }
    assert!(text.contains("qualify_db_writers_waiting"));
    assert!(text.contains("qualify_outbox_undispatched_events"));
    assert!(text.contains("qualify_webhook_pending_deliveries"));
    // No ids in any label: neither the user's nor the program's.
    for id in [&w.mentee.id, &w.program_id] {
        assert!(!text.contains(id.as_str()), "an id in the metrics");
    }
    assert!(!text.contains("viewer"), "query text in the metrics");
}
