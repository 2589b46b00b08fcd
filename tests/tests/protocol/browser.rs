//! What browsers meet: CORS from the configured origins only, and GraphiQL, introspection
//! and suggestions in development only.

use std::net::SocketAddr;

use serde_json::json;

use super::{Exchange, GRAPHQL_RESPONSE, JSON, post, post_with, send, typename};
use crate::helpers::{TestApp, codes};

/// A CORS preflight for a POST from `origin`.
async fn preflight(addr: SocketAddr, origin: &str) -> Exchange {
    send(
        addr,
        "OPTIONS",
        "/graphql",
        &[
            ("origin", origin),
            ("access-control-request-method", "POST"),
            (
                "access-control-request-headers",
                "content-type, authorization",
            ),
        ],
        None,
    )
    .await
}

#[tokio::test]
async fn cors_allows_no_origin_by_default() {
    let app = TestApp::spawn().await;
    let reply = preflight(app.addr, "https://app.example.com").await;
    assert_eq!(reply.header("access-control-allow-origin"), None);
    assert_ne!(reply.status, 200, "no successful preflight: {reply:?}");
    let simple = post_with(
        app.addr,
        &[("origin", "https://app.example.com")],
        &typename(),
    )
    .await;
    assert_eq!(simple.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn cors_allows_exactly_the_configured_origins() {
    let allowed = "https://app.example.com";
    let app = TestApp::spawn_with(|c| c.cors_origins = vec![allowed.to_owned()]).await;
    let reply = preflight(app.addr, allowed).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("access-control-allow-origin"), Some(allowed));
    let methods = reply
        .header("access-control-allow-methods")
        .unwrap_or_default();
    assert!(methods.contains("POST"), "{methods}");
    let headers = reply
        .header("access-control-allow-headers")
        .unwrap_or_default()
        .to_lowercase();
    assert!(headers.contains("authorization") && headers.contains("content-type"));
    let simple = post_with(app.addr, &[("origin", allowed)], &typename()).await;
    assert_eq!(simple.header("access-control-allow-origin"), Some(allowed));

    for other in ["https://evil.example.com", "http://app.example.com", "null"] {
        let reply = preflight(app.addr, other).await;
        assert_eq!(reply.header("access-control-allow-origin"), None, "{other}");
        let simple = post_with(app.addr, &[("origin", other)], &typename()).await;
        assert_eq!(
            simple.header("access-control-allow-origin"),
            None,
            "{other}"
        );
    }
}

const INTROSPECTION: &str = "{ __schema { queryType { name } } }";

#[tokio::test]
async fn production_turns_off_introspection_suggestions_and_graphiql() {
    let app = TestApp::spawn_with(|c| c.development = false).await;
    for query in [INTROSPECTION, "{ __type(name: \"Query\") { name } }"] {
        let reply = post(app.addr, GRAPHQL_RESPONSE, &json!({ "query": query })).await;
        reply.refused(400, "INTROSPECTION_DISABLED");
    }
    let typo = post(app.addr, JSON, &json!({ "query": "{ viewr { id } }" })).await;
    let body = typo.body();
    assert_eq!(codes(&body), vec!["GRAPHQL_VALIDATION_FAILED"]);
    assert!(!typo.text.contains("Did you mean"), "{}", typo.text);
    let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    let page = send(app.addr, "GET", "/graphql", &[("accept", browser)], None).await;
    assert!(!page.content_type().contains("html"), "{page:?}");
    assert!(!page.text.to_lowercase().contains("graphiql"));
    page.refused(400, "BAD_REQUEST");
    // `__typename` is not introspection and keeps working.
    assert_eq!(
        post(app.addr, JSON, &typename()).await.body()["data"]["__typename"],
        "Query"
    );
}

#[tokio::test]
async fn development_offers_introspection_suggestions_and_graphiql() {
    let app = TestApp::spawn().await;
    let schema = post(app.addr, JSON, &json!({ "query": INTROSPECTION })).await;
    assert_eq!(
        schema.body(),
        json!({ "data": { "__schema": { "queryType": { "name": "Query" } } } })
    );
    let typo = post(app.addr, JSON, &json!({ "query": "{ viewr { id } }" })).await;
    assert!(
        typo.text.contains("Did you mean \\\"viewer\\\""),
        "{}",
        typo.text
    );
    let page = send(
        app.addr,
        "GET",
        "/graphql",
        &[("accept", "text/html")],
        None,
    )
    .await;
    assert_eq!(page.status, 200);
    assert!(page.content_type().starts_with("text/html"));
    assert!(page.text.to_lowercase().contains("graphiql"));
}
