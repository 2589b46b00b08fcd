//! Media types: `Accept` negotiation, 406, and the status codes each media type gets.

use serde_json::json;

use super::{GRAPHQL_RESPONSE, JSON, post, raw, send, typename};
use crate::helpers::{TestApp, codes};

#[tokio::test]
async fn responses_use_the_media_type_the_client_accepts() {
    let app = TestApp::spawn().await;
    let cases = [
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (JSON, JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        (
            "application/graphql-response+json, application/json;q=0.9",
            GRAPHQL_RESPONSE,
        ),
        (
            "application/json, application/graphql-response+json",
            GRAPHQL_RESPONSE,
        ),
        (
            "application/graphql-response+json;q=0.5, application/json",
            JSON,
        ),
        ("text/html, application/xhtml+xml, */*;q=0.8", JSON),
        ("*/*, application/json;q=0", GRAPHQL_RESPONSE),
        ("application/json; charset=utf-8", JSON),
    ];
    for (accept, expected) in cases {
        let reply = post(app.addr, accept, &typename()).await;
        assert_eq!(reply.status, 200, "Accept: {accept}");
        assert!(
            reply.content_type().starts_with(expected),
            "Accept: {accept} gave {}",
            reply.content_type()
        );
        assert_eq!(reply.body(), json!({ "data": { "__typename": "Query" } }));
    }
    // No `Accept` header at all means application/json.
    let body = typename().to_string();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{body}",
        app.addr,
        body.len()
    );
    let (status, reply) = raw(app.addr, head, Vec::new()).await;
    assert_eq!(status, 200);
    assert!(
        reply
            .to_lowercase()
            .contains("content-type: application/json"),
        "{reply}"
    );
}

#[tokio::test]
async fn an_accept_header_without_a_json_type_gets_406() {
    let app = TestApp::spawn().await;
    for accept in [
        "text/html",
        "application/xml, text/*",
        "application/json;q=0, application/graphql-response+json;q=0",
        "application/json; charset=iso-8859-1",
    ] {
        post(app.addr, accept, &typename())
            .await
            .refused(406, "NOT_ACCEPTABLE");
        let get = send(
            app.addr,
            "GET",
            "/graphql?query=%7B__typename%7D",
            &[("accept", accept)],
            None,
        )
        .await;
        get.refused(406, "NOT_ACCEPTABLE");
    }
}

#[tokio::test]
async fn request_errors_are_400_in_graphql_response_json_and_200_in_json() {
    let app = TestApp::spawn().await;
    let cases = [
        (json!({ "query": "{" }), "GRAPHQL_PARSE_FAILED"),
        (
            json!({ "query": "{ noSuchField }" }),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            json!({ "query": "query($id: ID!) { node(id: $id) { id } }", "variables": { "id": null } }),
            "BAD_USER_INPUT",
        ),
        (
            json!({ "query": "query A { __typename } query B { __typename }", "operationName": "C" }),
            "GRAPHQL_VALIDATION_FAILED",
        ),
    ];
    for (body, code) in cases {
        let strict = post(app.addr, GRAPHQL_RESPONSE, &body).await;
        assert_eq!(strict.status, 400, "{body}: {}", strict.text);
        let legacy = post(app.addr, JSON, &body).await;
        assert_eq!(legacy.status, 200, "{body}: {}", legacy.text);
        for reply in [strict, legacy] {
            let parsed = reply.body();
            assert!(parsed.get("data").is_none(), "no data entry: {parsed:#}");
            assert!(codes(&parsed).iter().all(|c| c == code), "{parsed:#}");
        }
    }
    // An operation that ran and failed in a resolver is a GraphQL response: 200, with data.
    let ran = post(
        app.addr,
        GRAPHQL_RESPONSE,
        &json!({ "query": "{ programs { totalCount } }" }),
    )
    .await;
    assert_eq!(ran.status, 200);
    let body = ran.body();
    assert_eq!(body["data"], json!({ "programs": null }));
    assert_eq!(codes(&body), vec!["UNAUTHENTICATED"]);
}
