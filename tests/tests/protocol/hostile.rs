//! Documents built to crash or pin the server: every construct that nests, nested far past
//! the limit (a 3 KB document 1,500 deep overflowed the parser's stack and killed the
//! process), documents wide in every direction, and deep JSON in `variables`; over POST and
//! GET, in development and production. Each gets a coded request error, and the server
//! answers the next request.

use serde_json::json;

use super::{GRAPHQL_RESPONSE, JSON, post, send};
use crate::helpers::{TestApp, codes};

/// A document nesting one construct `n` deep.
fn deep(construct: &str, n: usize) -> String {
    let open = |s: &str| s.repeat(n);
    match construct {
        "list literal" => format!("{{ node(id: {}1{}) {{ id }} }}", open("["), open("]")),
        "object literal" => format!("{{ node(id: {}1{}) {{ id }} }}", open("{a: "), open("}")),
        "directive argument" => format!(
            "{{ __typename @include(if: {}true{}) }}",
            open("["),
            open("]")
        ),
        "variable default" => format!(
            "query($v: Boolean = {}true{}) {{ __typename }}",
            open("["),
            open("]")
        ),
        "list type" => format!("query($v: {}Int{}) {{ __typename }}", open("["), open("]")),
        "selection set" => format!("{{ viewer {}id{} }}", open("{ programs "), open("}")),
        "inline fragment" => format!("{}__typename{}", open("{ ... on Query "), open("}")),
        "unclosed brackets" => format!("{{ node(id: {}", open("[")),
        "fragment chain" => {
            let mut text = String::from("{ ...F0 }\n");
            for i in 0..n {
                text.push_str(&format!("fragment F{i} on Query {{ ...F{} }}\n", i + 1));
            }
            text.push_str(&format!("fragment F{n} on Query {{ __typename }}"));
            text
        }
        other => panic!("unknown construct {other}"),
    }
}

const CONSTRUCTS: [&str; 9] = [
    "list literal",
    "object literal",
    "directive argument",
    "variable default",
    "list type",
    "selection set",
    "inline fragment",
    "unclosed brackets",
    "fragment chain",
];

/// Percent-encodes everything but letters and digits.
fn encode(text: &str) -> String {
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

/// Sends `query` (with `variables`) over POST and GET; asserts each is refused as a
/// request error with one of `allowed` and that the server still answers.
async fn refused_both_ways(app: &TestApp, query: &str, variables: &str, code: &str) {
    let body = format!(r#"{{"query": {}, "variables": {variables}}}"#, json!(query));
    let post = send(
        app.addr,
        "POST",
        "/graphql",
        &[("content-type", JSON), ("accept", GRAPHQL_RESPONSE)],
        Some(body.into_bytes()),
    )
    .await;
    let path = format!(
        "/graphql?query={}&variables={}",
        encode(query),
        encode(variables)
    );
    let mut replies = vec![("POST", post)];
    // A URI is at most 64 KiB (the `http` crate's bound, for client and server alike).
    if path.len() < 60 * 1024 {
        let get = send(
            app.addr,
            "GET",
            &path,
            &[("accept", GRAPHQL_RESPONSE)],
            None,
        )
        .await;
        replies.push(("GET", get));
    }
    for (method, reply) in replies {
        assert_eq!(
            reply.status,
            400,
            "{method} {}: {}",
            query.len(),
            reply.text
        );
        assert_eq!(codes(&reply.body()), [code], "{method}");
    }
    still_serving(app).await;
}

async fn still_serving(app: &TestApp) {
    let reply = post(app.addr, JSON, &json!({ "query": "{ __typename }" })).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body()["data"]["__typename"], "Query");
}

async fn apps() -> [TestApp; 2] {
    [
        TestApp::spawn().await,
        TestApp::spawn_with(|config| config.development = false).await,
    ]
}

#[tokio::test]
async fn every_construct_nested_far_too_deep_is_refused_and_the_server_survives() {
    for app in apps().await {
        for construct in CONSTRUCTS {
            // The 3 KB bomb, and far beyond it.
            for n in [1_500, 20_000] {
                let query = deep(construct, n);
                if query.len() > 64 * 1024 {
                    continue;
                }
                refused_both_ways(&app, &query, "{}", "QUERY_TOO_DEEP").await;
            }
        }
    }
}

#[tokio::test]
async fn nesting_is_refused_just_past_the_bound_and_accepted_within_it() {
    let app = TestApp::spawn().await;
    // The bound with default limits: selections 32 deep plus 16 for values and types.
    let bound = 48;
    for construct in [
        "list literal",
        "object literal",
        "list type",
        "variable default",
    ] {
        refused_both_ways(&app, &deep(construct, bound), "{}", "QUERY_TOO_DEEP").await;
    }
    // Within it, the document reaches validation: refused for its types, not its depth
    // (nested lists where an `ID!` goes are a bad value; the variable is never used).
    for (construct, code) in [
        ("list literal", "BAD_USER_INPUT"),
        ("list type", "GRAPHQL_VALIDATION_FAILED"),
    ] {
        let reply = post(
            app.addr,
            GRAPHQL_RESPONSE,
            &json!({ "query": deep(construct, 40) }),
        )
        .await;
        assert_eq!(codes(&reply.body()), [code], "{construct}");
    }
}

/// A document with `n` copies of `item` in one selection set.
fn wide(item: &str, n: usize) -> String {
    let items: String = (0..n)
        .map(|i| item.replace("{i}", &i.to_string()))
        .collect();
    format!("{{ {items} }}")
}

#[tokio::test]
async fn documents_wide_in_every_direction_are_refused_with_a_code() {
    for app in apps().await {
        let cases: [(String, &str); 6] = [
            (wide("a ", 20_000), "QUERY_TOO_LARGE"),
            (wide("a{i}: __typename ", 1_000), "TOO_MANY_ALIASES"),
            (
                format!("{{ __typename {} }}", "@skip(if: false) ".repeat(1_000)),
                "TOO_MANY_DIRECTIVES",
            ),
            (
                format!("{{ __typename {} }}", "@skip(if: false) ".repeat(5_000)),
                "QUERY_TOO_LARGE",
            ),
            (
                format!("{{ node(id: [{}]) {{ id }} }}", "1 ".repeat(16_000)),
                "QUERY_TOO_LARGE",
            ),
            ("{ a }".repeat(10_000), "QUERY_TOO_LARGE"),
        ];
        for (query, code) in cases {
            refused_both_ways(&app, &query, "{}", code).await;
        }
    }
}

/// `[[[...1...]]]`, `n` deep.
fn deep_json(n: usize) -> String {
    format!("{}1{}", "[".repeat(n), "]".repeat(n))
}

#[tokio::test]
async fn deep_json_in_variables_is_a_coded_error_over_post_and_get() {
    let query = "query($v: [[Int]]) { __typename }";
    for app in apps().await {
        for n in [200, 1_500, 20_000] {
            let variables = format!(r#"{{"v": {}}}"#, deep_json(n));
            refused_both_ways(&app, query, &variables, "BAD_REQUEST").await;
        }
        // Within serde_json's recursion limit (128), the value reaches GraphQL, which
        // refuses it for its type.
        let variables = format!(r#"{{"v": {}}}"#, deep_json(100));
        refused_both_ways(&app, query, &variables, "GRAPHQL_VALIDATION_FAILED").await;
    }
}

#[tokio::test]
async fn a_deep_body_that_is_not_even_graphql_is_a_bad_request() {
    let app = TestApp::spawn().await;
    for body in [
        deep_json(100_000),
        format!("{{\"query\": {}", "[".repeat(100_000)),
    ] {
        let reply = send(
            app.addr,
            "POST",
            "/graphql",
            &[("content-type", JSON), ("accept", GRAPHQL_RESPONSE)],
            Some(body.into_bytes()),
        )
        .await;
        assert_eq!(reply.status, 400, "{}", reply.text);
        assert_eq!(codes(&reply.body()), vec!["BAD_REQUEST".to_owned()]);
    }
    still_serving(&app).await;
}

/// A document of `n` random openings (`{ a `, `[`, `{a: `, `(x: `, `@d(if: `, `... on Q {`)
/// closed in reverse, or left open: shapes no list above thought of. Deterministic (a
/// linear congruential generator), so a failure reproduces.
fn mixed(seed: u64, n: usize) -> String {
    const OPEN: [(&str, &str); 6] = [
        ("{ a ", "}"),
        ("[", "]"),
        ("{a: ", "}"),
        ("(x: ", ")"),
        ("@d(if: ", ")"),
        ("... on Q { ", "}"),
    ];
    let mut state = seed;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(state >> 33).unwrap_or(0)
    };
    let mut text = String::from("query($v: [Int] = [1]) ");
    let mut closing = Vec::new();
    for _ in 0..n {
        let (open, close) = OPEN[next() % OPEN.len()];
        text.push_str(open);
        closing.push(close);
    }
    if next() % 2 == 0 {
        text.push('1');
        while let Some(close) = closing.pop() {
            text.push_str(close);
        }
    }
    text
}

#[tokio::test]
async fn random_mixtures_of_nesting_constructs_get_a_coded_error_and_the_server_survives() {
    let app = TestApp::spawn().await;
    for seed in 0..40 {
        for n in [60, 3_000] {
            let query = mixed(seed, n);
            let reply = post(app.addr, GRAPHQL_RESPONSE, &json!({ "query": query })).await;
            assert_eq!(reply.status, 400, "seed {seed}, {n}: {}", reply.text);
            let found = codes(&reply.body());
            assert_eq!(found, vec!["QUERY_TOO_DEEP".to_owned()], "seed {seed}, {n}");
        }
    }
    still_serving(&app).await;
}
