//! Real failures inside the server (a table dropped behind its back) answer `INTERNAL` with
//! the request id of the response and nothing of the cause.

use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::fixtures::CREATE_PROSPECT;
use crate::helpers::{Reply, TestApp, expect_code, int_at, str_at};

/// Drops a table through a connection of the test's own.
async fn drop_table(app: &TestApp, table: &str) {
    let db = app.db().await;
    db.execute_unprepared(&format!("DROP TABLE {table}"))
        .await
        .expect("drop table");
    let _ = db.close().await;
}

/// Asserts an `INTERNAL` error whose `requestId` is the response's `x-request-id` and whose
/// text names nothing of `hidden` (on top of the suite's general leak check).
fn assert_internal(reply: &Reply, hidden: &[&str]) {
    let error = expect_code(&reply.body, "INTERNAL");
    let header = reply
        .header("x-request-id")
        .expect("every response carries x-request-id");
    assert!(!header.is_empty());
    assert_eq!(
        str_at(error, "/extensions/requestId"),
        header,
        "the error quotes the request id the response carries"
    );
    let text = reply.text.to_lowercase();
    for word in hidden.iter().chain(&[
        "table",
        "relation",
        "no such",
        "does not exist",
        "error returned from database",
        "query",
        "src/",
    ]) {
        assert!(
            !text.contains(word),
            "the response reveals {word:?}: {text}"
        );
    }
}

#[tokio::test]
async fn a_query_failing_in_the_database_is_internal_with_the_request_id_and_no_cause() {
    let app = TestApp::spawn().await;
    let mentor = app.mentor().await;
    let query = "{ exceptionRequests { totalCount } }";
    let before = app.post_with(mentor.tok(), &[], query, json!({})).await;
    assert_eq!(
        int_at(&before.body, "/data/exceptionRequests/totalCount"),
        0
    );

    drop_table(&app, "exception_requests").await;
    let reply = app.post_with(mentor.tok(), &[], query, json!({})).await;
    assert_internal(&reply, &["exception_requests"]);
    let again = app.post_with(mentor.tok(), &[], query, json!({})).await;
    assert_ne!(
        again.header("x-request-id"),
        reply.header("x-request-id"),
        "each request gets its own id"
    );
    assert_internal(&again, &["exception_requests"]);
}

#[tokio::test]
async fn a_failing_audit_write_is_internal_and_rolls_back_the_change_it_records() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    drop_table(&app, "audit_log").await;

    let vars = json!({ "input": { "programId": w.program_id, "name": "Never audited" } });
    let reply = app
        .post_with(w.mentee.tok(), &[], CREATE_PROSPECT, vars)
        .await;
    assert_internal(&reply, &["audit_log", "audit"]);
    assert_eq!(
        reply.body["data"],
        json!({ "createProspect": null }),
        "{}",
        reply.text
    );

    // No change without its audit record: the prospect was rolled back with it.
    let count = app
        .data(w.mentee.tok(), "{ prospects { totalCount } }", json!({}))
        .await;
    assert_eq!(int_at(&count, "/prospects/totalCount"), 0);
}

#[tokio::test]
async fn a_session_check_the_database_cannot_answer_is_internal_not_a_logout() {
    let app = TestApp::spawn().await;
    let mentor = app.mentor().await;
    let before = app
        .post_with(mentor.tok(), &[], "{ viewer { email } }", json!({}))
        .await;
    assert!(
        before.body["data"]["viewer"]["email"].is_string(),
        "{}",
        before.text
    );

    // Every signed-in request checks its session against this table.
    drop_table(&app, "refresh_tokens").await;
    let reply = app
        .post_with(mentor.tok(), &[], "{ viewer { email } }", json!({}))
        .await;
    assert_internal(&reply, &["refresh_tokens"]);
    let node = app
        .post_with(mentor.tok(), &[], "{ programs { totalCount } }", json!({}))
        .await;
    assert_internal(&node, &["refresh_tokens"]);

    // With an Idempotency-Key the key is not claimed for a caller nobody could verify.
    let keyed = app
        .post_with(
            mentor.tok(),
            &[("idempotency-key", "k-1")],
            "{ viewer { email } }",
            json!({}),
        )
        .await;
    assert_eq!(keyed.status.as_u16(), 500, "{}", keyed.text);
    assert_internal(&keyed, &["refresh_tokens"]);
}
