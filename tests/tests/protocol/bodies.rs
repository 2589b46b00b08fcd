//! Request bodies: malformed JSON, wrong shapes, batches, and the size limit.

use serde_json::json;

use super::{GRAPHQL_RESPONSE, JSON, padded_request, post, post_with, raw, send, typename};
use crate::fixtures::CREATE_TEMPLATE;
use crate::helpers::TestApp;

#[tokio::test]
async fn malformed_json_and_wrong_shapes_are_400_with_a_graphql_error() {
    let app = TestApp::spawn().await;
    let bodies = [
        "",
        r#"{ "not a JSON"#,
        "null",
        "42",
        r#""{ __typename }""#,
        r#"{"qeury": "{ __typename }"}"#,
        r#"{"query": {"obj": "ect"}}"#,
        r#"{"query": ["array"]}"#,
        r#"{"query": 0}"#,
        r#"{"query": "{ __typename }", "operationName": false}"#,
        r#"{"query": "{ __typename }", "variables": "string"}"#,
        r#"{"query": "{ __typename }", "variables": ["array"]}"#,
        r#"{"query": "{ __typename }", "extensions": 0}"#,
    ];
    for accept in [GRAPHQL_RESPONSE, JSON] {
        for body in bodies {
            let headers = [("content-type", JSON), ("accept", accept)];
            let reply = send(app.addr, "POST", "/graphql", &headers, Some(body.into())).await;
            reply.refused(400, "BAD_REQUEST");
            assert!(reply.content_type().starts_with(accept), "{body}");
        }
    }
}

#[tokio::test]
async fn batched_requests_are_refused_and_none_of_their_operations_runs() {
    let app = TestApp::spawn().await;
    let mentor = app.mentor().await;
    let create =
        json!({ "query": CREATE_TEMPLATE, "variables": { "input": { "name": "Batched" } } });
    let batch = json!([create, create, { "query": "{ __typename }" }]);
    let bearer = format!("Bearer {}", mentor.access);
    post_with(app.addr, &[("authorization", &bearer)], &batch)
        .await
        .refused(400, "BATCHING_NOT_SUPPORTED");
    post_with(app.addr, &[], &json!([{ "query": "{ __typename }" }]))
        .await
        .refused(400, "BATCHING_NOT_SUPPORTED");
    let templates = app
        .data(mentor.tok(), "{ templates { totalCount } }", json!({}))
        .await;
    assert_eq!(templates["templates"]["totalCount"], 0);
}

#[tokio::test]
async fn a_body_over_256_kib_is_413_and_one_at_the_limit_is_served() {
    let app = TestApp::spawn().await;
    let limit = 256 * 1024;
    let headers = [("content-type", JSON), ("accept", GRAPHQL_RESPONSE)];
    let at_limit = send(
        app.addr,
        "POST",
        "/graphql",
        &headers,
        Some(padded_request(limit)),
    )
    .await;
    assert_eq!(at_limit.status, 200, "{}", at_limit.text);
    for len in [limit + 1, 30 * 1024 * 1024] {
        let reply = send(
            app.addr,
            "POST",
            "/graphql",
            &headers,
            Some(padded_request(len)),
        )
        .await;
        reply.refused(413, "REQUEST_TOO_LARGE");
        assert!(reply.content_type().starts_with(GRAPHQL_RESPONSE));
    }
    // The server is fine afterwards.
    assert_eq!(post(app.addr, JSON, &typename()).await.status, 200);
}

#[tokio::test]
async fn a_streamed_body_without_content_length_is_cut_off_at_the_limit() {
    let app = TestApp::spawn().await;
    let head = format!(
        "POST /graphql HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\n\
         transfer-encoding: chunked\r\nconnection: close\r\n\r\n",
        app.addr
    );
    let body = padded_request(4 * 1024 * 1024);
    let chunks: Vec<Vec<u8>> = body
        .chunks(16 * 1024)
        .map(|chunk| {
            let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
            framed.extend_from_slice(chunk);
            framed.extend_from_slice(b"\r\n");
            framed
        })
        .chain(std::iter::once(b"0\r\n\r\n".to_vec()))
        .collect();
    let (status, reply) = raw(app.addr, head, chunks).await;
    assert_eq!(status, 413, "{reply}");
    assert!(reply.contains("REQUEST_TOO_LARGE"), "{reply}");
    assert_eq!(post(app.addr, JSON, &typename()).await.status, 200);
}

#[tokio::test]
async fn the_body_limit_is_configurable() {
    let app = TestApp::spawn_with(|c| c.limits.max_body_bytes = 1024).await;
    let headers = [("content-type", JSON)];
    let fits = send(
        app.addr,
        "POST",
        "/graphql",
        &headers,
        Some(padded_request(1024)),
    )
    .await;
    assert_eq!(fits.status, 200);
    send(
        app.addr,
        "POST",
        "/graphql",
        &headers,
        Some(padded_request(1025)),
    )
    .await
    .refused(413, "REQUEST_TOO_LARGE");
}
