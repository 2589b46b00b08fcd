//! Reading the schema the way clients do: the introspection queries of graphql-js 16
//! (`getIntrospectionQuery` with every option: descriptions, `specifiedByUrl`,
//! `directiveIsRepeatable`, `schemaDescription`, `inputValueDeprecation`, `oneOf`) and of
//! graphql-core 3.2 (`get_introspection_query` with every option), as those libraries print
//! them (`tests/fixtures/introspection`). They load the whole schema in development with
//! the default limits, and are refused in production. The exemption that lets them through
//! is narrow: introspection's `ofType` chain is bounded on its own, and every other field
//! of an introspection query counts toward `max_depth` as usual.

use serde_json::{Value, json};

use crate::helpers::{TestApp, codes};
use crate::protocol::{GRAPHQL_RESPONSE, post, send};

const GRAPHQL_JS: &str = include_str!("../fixtures/introspection/graphql-js-16.graphql");
const GRAPHQL_CORE: &str = include_str!("../fixtures/introspection/graphql-core-3.2.graphql");
const SDL: &str = include_str!("../../schema.graphql");

/// The names of the types the committed SDL declares.
fn declared_types() -> Vec<&'static str> {
    SDL.lines()
        .filter_map(|line| {
            let (keyword, rest) = line.split_once(' ')?;
            ["type", "input", "enum", "scalar", "interface", "union"]
                .contains(&keyword)
                .then(|| rest.split([' ', '{']).next())?
        })
        .collect()
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn the_standard_introspection_queries_load_every_type_in_development() {
    let app = TestApp::spawn().await;
    let declared = declared_types();
    assert!(declared.len() > 50, "{declared:?}");
    for (client, query) in [("graphql-js", GRAPHQL_JS), ("graphql-core", GRAPHQL_CORE)] {
        let by_post = post(app.addr, GRAPHQL_RESPONSE, &json!({ "query": query })).await;
        let path = format!("/graphql?query={}", percent_encode(query));
        let by_get = send(
            app.addr,
            "GET",
            &path,
            &[("accept", GRAPHQL_RESPONSE)],
            None,
        )
        .await;
        for (method, reply) in [("POST", by_post), ("GET", by_get)] {
            assert_eq!(reply.status, 200, "{client} {method}: {}", reply.text);
            let body = reply.body();
            assert!(body.get("errors").is_none(), "{client} {method}: {body:#}");
            let schema = &body["data"]["__schema"];
            assert_eq!(schema["queryType"]["name"], "Query");
            assert_eq!(schema["mutationType"]["name"], "Mutation");
            let types: Vec<&str> = schema["types"]
                .as_array()
                .map(|t| t.iter().filter_map(|t| t["name"].as_str()).collect())
                .unwrap_or_default();
            for name in &declared {
                assert!(types.contains(name), "{client} {method}: {name} missing");
            }
            // The options asked for are answered: `@oneOf` inputs, scalars' URLs.
            let find = |name: &str| -> Value {
                schema["types"]
                    .as_array()
                    .and_then(|t| t.iter().find(|t| t["name"] == name).cloned())
                    .unwrap_or_default()
            };
            assert_eq!(find("AnswerValueInput")["isOneOf"], true, "{client}");
            assert_eq!(find("QualifyProspectInput")["isOneOf"], false, "{client}");
            assert_eq!(
                find("DateTime")["specifiedByURL"],
                "https://datatracker.ietf.org/doc/html/rfc3339",
                "{client}"
            );
            // A `[AnswerInput!]!` reaches its named type through the `ofType` chain.
            let answers = find("QualifyProspectInput")["inputFields"]
                .as_array()
                .and_then(|f| f.iter().find(|f| f["name"] == "answers").cloned())
                .unwrap_or_default();
            assert_eq!(
                answers["type"]["ofType"]["ofType"]["ofType"]["name"], "AnswerInput",
                "{client}"
            );
        }
    }
}

#[tokio::test]
async fn the_standard_introspection_queries_are_refused_in_production() {
    let app = TestApp::spawn_with(|config| config.development = false).await;
    for query in [GRAPHQL_JS, GRAPHQL_CORE] {
        let reply = post(app.addr, GRAPHQL_RESPONSE, &json!({ "query": query })).await;
        reply.refused(400, "INTROSPECTION_DISABLED");
    }
}

/// `ofType { kind name ofType { ... } }`, `n` deep.
fn of_type_chain(n: usize) -> String {
    format!("{}kind{}", "ofType { kind ".repeat(n), " }".repeat(n))
}

#[tokio::test]
async fn hostile_introspection_is_still_refused_for_depth() {
    let app = TestApp::spawn().await;
    let refused_deep = |query: String| {
        let addr = app.addr;
        async move {
            let reply = post(addr, GRAPHQL_RESPONSE, &json!({ "query": query })).await;
            assert_eq!(
                (reply.status, codes(&reply.body())),
                (400, vec!["QUERY_TOO_DEEP".to_owned()]),
                "{query}"
            );
        }
    };
    // An `ofType` chain longer than any type needs (the standard queries nest 9).
    refused_deep(format!(
        "{{ __type(name: \"Query\") {{ {} }} }}",
        of_type_chain(11)
    ))
    .await;
    refused_deep(format!(
        "{{ __type(name: \"Query\") {{ {} }} }}",
        of_type_chain(200)
    ))
    .await;
    // `fields { type { fields { type ...` counts like any nesting.
    let hops = 6;
    let query = format!(
        "{{ __type(name: \"Query\") {{ {}name{} }} }}",
        "fields { type { ".repeat(hops),
        " } }".repeat(hops)
    );
    refused_deep(query).await;
    // Chains of 10 `ofType` in several places of one query still pass: bounded per chain.
    let fine = format!(
        "{{ __schema {{ types {{ fields {{ type {{ {} }} }} inputFields {{ type {{ {} }} }} }} }} }}",
        of_type_chain(10),
        of_type_chain(10)
    );
    let reply = post(app.addr, GRAPHQL_RESPONSE, &json!({ "query": fine })).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(reply.body()["data"]["__schema"]["types"].is_array());
}

#[tokio::test]
async fn a_normal_query_nesting_past_max_depth_is_still_too_deep() {
    let app = TestApp::spawn_with(|config| config.limits.max_depth = 3).await;
    let reply = post(
        app.addr,
        GRAPHQL_RESPONSE,
        &json!({ "query": "{ viewer { programs { nodes { id } } } }" }),
    )
    .await;
    reply.refused(400, "QUERY_TOO_DEEP");
    // With `max_depth` 3, introspection's own fields count too: only `ofType` is exempt.
    let reply = post(
        app.addr,
        GRAPHQL_RESPONSE,
        &json!({ "query": "{ __schema { types { fields { name } } } }" }),
    )
    .await;
    reply.refused(400, "QUERY_TOO_DEEP");
}
