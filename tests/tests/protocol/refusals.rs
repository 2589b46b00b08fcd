//! Every request refused before GraphQL runs, by `http` or by `idempotency`, gets the same
//! reply: one error with a message and `extensions.code` and nothing else, no `data`, its
//! status, and the media type `Accept` asked for.

use serde_json::{Value, json};

use super::{GRAPHQL_RESPONSE, JSON, send, typename};
use crate::helpers::TestApp;

/// Request headers, body, and the refusal expected: status, media type, code.
type Case<'a> = (Vec<(&'a str, &'a str)>, Vec<u8>, (u16, &'a str, &'a str));

/// Asserts the exact shape of a refusal: `{"errors":[{"message", "extensions":{"code"}}]}`.
fn assert_refusal(status: u16, content_type: &str, text: &str, expected: (u16, &str, &str)) {
    let (expected_status, media, code) = expected;
    assert_eq!(status, expected_status, "{code}: {text}");
    assert!(
        content_type.starts_with(media),
        "{code}: {content_type} where {media} was accepted"
    );
    let body: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty(), "{code}: {text}");
    assert_eq!(
        body,
        json!({ "errors": [{ "message": message, "extensions": { "code": code } }] }),
        "{code}"
    );
}

#[tokio::test]
async fn every_refusal_before_graphql_runs_has_one_coded_error_in_the_accepted_media_type() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let bearer = format!("Bearer {}", w.mentee.access);
    let body = typename().to_string().into_bytes();
    let too_large = vec![b' '; 300 * 1024];
    for media in [GRAPHQL_RESPONSE, JSON] {
        let json_post = vec![("accept", media), ("content-type", JSON)];
        let keyed = |key: &'static str| {
            vec![
                ("accept", media),
                ("content-type", JSON),
                ("authorization", bearer.as_str()),
                ("idempotency-key", key),
            ]
        };
        let cases: Vec<Case> = vec![
            (
                vec![("accept", media), ("content-type", "text/plain")],
                body.clone(),
                (415, media, "UNSUPPORTED_MEDIA_TYPE"),
            ),
            (
                json_post.clone(),
                b"{".to_vec(),
                (400, media, "BAD_REQUEST"),
            ),
            (
                json_post.clone(),
                br#"[{"query":"{ __typename }"}]"#.to_vec(),
                (400, media, "BATCHING_NOT_SUPPORTED"),
            ),
            (
                json_post.clone(),
                too_large.clone(),
                (413, media, "REQUEST_TOO_LARGE"),
            ),
            (
                keyed("two words"),
                body.clone(),
                (400, media, "BAD_USER_INPUT"),
            ),
            (
                keyed("big"),
                too_large.clone(),
                (413, media, "REQUEST_TOO_LARGE"),
            ),
        ];
        for (headers, payload, expected) in cases {
            let reply = send(app.addr, "POST", "/graphql", &headers, Some(payload)).await;
            assert_refusal(reply.status, reply.content_type(), &reply.text, expected);
        }
        // The same key with another body.
        let key = if media == JSON {
            "reused-json"
        } else {
            "reused-gql"
        };
        let first = send(
            app.addr,
            "POST",
            "/graphql",
            &keyed(key),
            Some(body.clone()),
        )
        .await;
        assert_eq!(first.status, 200, "{}", first.text);
        let other = br#"{"query":"{ __typename  }"}"#.to_vec();
        let reply = send(app.addr, "POST", "/graphql", &keyed(key), Some(other)).await;
        assert_refusal(
            reply.status,
            reply.content_type(),
            &reply.text,
            (422, media, "IDEMPOTENCY_KEY_REUSED"),
        );
    }
    // Without an acceptable media type, or with another method: JSON.
    let reply = send(
        app.addr,
        "POST",
        "/graphql",
        &[("accept", "text/html"), ("content-type", JSON)],
        Some(body.clone()),
    )
    .await;
    assert_refusal(
        reply.status,
        reply.content_type(),
        &reply.text,
        (406, JSON, "NOT_ACCEPTABLE"),
    );
    let reply = send(app.addr, "PUT", "/graphql", &[("accept", JSON)], Some(body)).await;
    assert_refusal(
        reply.status,
        reply.content_type(),
        &reply.text,
        (405, JSON, "METHOD_NOT_ALLOWED"),
    );
}
