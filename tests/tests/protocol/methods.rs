//! Methods and content types: GET for queries only, 405 for the rest, 415 without JSON.

use serde_json::json;

use super::{GRAPHQL_RESPONSE, JSON, send};
use crate::fixtures::CREATE_TEMPLATE;
use crate::helpers::TestApp;

#[tokio::test]
async fn get_runs_queries_with_url_encoded_variables() {
    let app = TestApp::spawn().await;
    let reply = send(
        app.addr,
        "GET",
        "/graphql?query=query%20T(%24n%3A%20String!)%20%7B%20__type(name%3A%20%24n)%20%7B%20name%20%7D%20%7D\
         &variables=%7B%22n%22%3A%22Query%22%7D",
        &[("accept", GRAPHQL_RESPONSE)],
        None,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(reply.content_type().starts_with(GRAPHQL_RESPONSE));
    assert_eq!(
        reply.body(),
        json!({ "data": { "__type": { "name": "Query" } } })
    );
    for bad in [
        "/graphql?query=%7B__typename%7D&variables=not-json",
        "/graphql?query=%7B__typename%7D&query=%7B__typename%7D",
        "/graphql?operationName=Q",
    ] {
        send(app.addr, "GET", bad, &[], None)
            .await
            .refused(400, "BAD_REQUEST");
    }
}

#[tokio::test]
async fn a_mutation_over_get_is_405_with_allow_post_and_does_not_run() {
    let app = TestApp::spawn().await;
    let mentor = app.mentor().await;
    let bearer = format!("Bearer {}", mentor.access);
    let mutation = "mutation%20%7B%20createTemplate(input%3A%20%7Bname%3A%20%22Via%20GET%22%7D)\
                    %20%7B%20template%20%7B%20id%20%7D%20%7D%20%7D";
    let paths = [
        format!("/graphql?query={mutation}"),
        // A document with a query and a mutation, the mutation chosen by name.
        "/graphql?query=query%20Q%20%7B__typename%7D%20mutation%20M%20%7B__typename%7D&operationName=M"
            .to_owned(),
    ];
    for path in paths {
        let reply = send(
            app.addr,
            "GET",
            &path,
            &[("accept", GRAPHQL_RESPONSE), ("authorization", &bearer)],
            None,
        )
        .await;
        reply.refused(405, "METHOD_NOT_ALLOWED");
        assert_eq!(reply.header("allow"), Some("POST"));
    }
    let templates = app
        .data(mentor.tok(), "{ templates { totalCount } }", json!({}))
        .await;
    assert_eq!(
        templates["templates"]["totalCount"], 0,
        "nothing was created"
    );
    // The same query chosen from that document runs over GET.
    let query = send(
        app.addr,
        "GET",
        "/graphql?query=query%20Q%20%7B__typename%7D%20mutation%20M%20%7B__typename%7D&operationName=Q",
        &[],
        None,
    )
    .await;
    assert_eq!(query.status, 200);
    assert_eq!(query.body(), json!({ "data": { "__typename": "Query" } }));
}

#[tokio::test]
async fn other_methods_get_405_with_an_allow_header() {
    let app = TestApp::spawn().await;
    for method in ["PUT", "DELETE", "PATCH", "OPTIONS"] {
        let reply = send(
            app.addr,
            method,
            "/graphql",
            &[("content-type", JSON)],
            None,
        )
        .await;
        reply.refused(405, "METHOD_NOT_ALLOWED");
        let allow = reply.header("allow").unwrap_or_default();
        assert!(
            allow.contains("GET") && allow.contains("POST") && !allow.contains(method),
            "{method}: Allow: {allow}"
        );
    }
}

#[tokio::test]
async fn a_post_without_a_json_content_type_is_415_and_runs_nothing() {
    let app = TestApp::spawn().await;
    let mentor = app.mentor().await;
    let bearer = format!("Bearer {}", mentor.access);
    let body = json!({ "query": CREATE_TEMPLATE, "variables": { "input": { "name": "CSRF" } } })
        .to_string()
        .into_bytes();
    for content_type in [
        Some("text/plain"),
        Some("text/plain;charset=UTF-8"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=xyz"),
        Some("application/json; charset=latin1"),
        Some("application/graphql"),
        None,
    ] {
        let mut headers = vec![("authorization", bearer.as_str())];
        headers.extend(content_type.map(|c| ("content-type", c)));
        send(app.addr, "POST", "/graphql", &headers, Some(body.clone()))
            .await
            .refused(415, "UNSUPPORTED_MEDIA_TYPE");
    }
    let templates = app
        .data(mentor.tok(), "{ templates { totalCount } }", json!({}))
        .await;
    assert_eq!(
        templates["templates"]["totalCount"], 0,
        "nothing was created"
    );
}
