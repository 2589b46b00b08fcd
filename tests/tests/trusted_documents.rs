//! Trusted documents (`--trusted-documents`): only the manifest's documents run, named by
//! `documentId` or Apollo's `persistedQuery` extension, over POST and GET; any other
//! request is refused before its text is parsed.

use std::sync::Arc;

use api::http::trusted::TrustedDocuments;
use serde_json::{Value, json};

use crate::helpers::{TestApp, codes};

const MANIFEST: &str = r#"{
  "sha256:5b6c1f": "query Typename { __typename }",
  "viewer": "query Viewer { viewer { id } }"
}"#;

async fn app() -> TestApp {
    let documents = TrustedDocuments::parse(MANIFEST).unwrap_or_else(|e| panic!("{e}"));
    TestApp::spawn_with(|config| config.trusted_documents = Some(Arc::new(documents))).await
}

async fn post(app: &TestApp, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("http://{}/graphql", app.addr))
        .header("accept", "application/graphql-response+json")
        .json(&body)
        .send()
        .await
        .expect("answered");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON"))
}

#[tokio::test]
async fn only_the_manifests_documents_run_and_anything_else_is_refused_unparsed() {
    let app = app().await;
    let typename = json!({ "data": { "__typename": "Query" } });
    for body in [
        json!({ "documentId": "sha256:5b6c1f" }),
        json!({ "documentId": "5b6c1f" }),
        json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": "5b6c1f" } } }),
        json!({ "documentId": "5b6c1f", "query": "query Typename { __typename }" }),
        json!({ "documentId": "5b6c1f", "operationName": "Typename" }),
    ] {
        assert_eq!(
            post(&app, body.clone()).await,
            (200, typename.clone()),
            "{body}"
        );
    }
    let (status, answer) = post(&app, json!({ "documentId": "viewer" })).await;
    assert_eq!(
        (status, answer),
        (200, json!({ "data": { "viewer": null } }))
    );

    let refused = [
        (
            json!({ "query": "{ __typename }" }),
            "TRUSTED_DOCUMENTS_ONLY",
        ),
        (
            json!({ "query": "{".repeat(10_000) }),
            "TRUSTED_DOCUMENTS_ONLY",
        ),
        (
            json!({ "query": "query Typename { __typename }" }),
            "TRUSTED_DOCUMENTS_ONLY",
        ),
        (
            json!({ "documentId": "unknown" }),
            "PERSISTED_QUERY_NOT_FOUND",
        ),
        (
            json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": "ffff" } } }),
            "PERSISTED_QUERY_NOT_FOUND",
        ),
        (
            json!({ "documentId": "5b6c1f", "query": "{ __schema { types { name } } }" }),
            "BAD_REQUEST",
        ),
        (json!({ "documentId": 42 }), "BAD_REQUEST"),
    ];
    for (body, code) in refused {
        let (status, answer) = post(&app, body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(codes(&answer), [code], "{body}: {answer}");
        assert!(answer.get("data").is_none(), "{answer}");
    }

    // GET, by the same parameters.
    let get = |query: &str| {
        reqwest::Client::new()
            .get(format!("http://{}/graphql?{query}", app.addr))
            .header("accept", "application/graphql-response+json")
            .send()
    };
    let answer = get("documentId=5b6c1f").await.expect("answered");
    assert_eq!(answer.status().as_u16(), 200);
    assert_eq!(answer.json::<Value>().await.expect("JSON"), typename);
    let answer = get("query=%7B__typename%7D").await.expect("answered");
    assert_eq!(answer.status().as_u16(), 400);
    assert_eq!(
        codes(&answer.json::<Value>().await.expect("JSON")),
        ["TRUSTED_DOCUMENTS_ONLY"]
    );
}

#[tokio::test]
async fn without_a_manifest_any_document_runs() {
    let app = TestApp::spawn().await;
    let (status, answer) = post(&app, json!({ "query": "{ __typename }" })).await;
    assert_eq!(
        (status, answer),
        (200, json!({ "data": { "__typename": "Query" } }))
    );
}
