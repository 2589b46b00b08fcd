//! The `qualify` binary itself, on its own threads and stacks, against documents built to
//! overflow the parser's stack: a 3 KB anonymous request nested 1,500 deep used to kill
//! the process. Each construct, over POST and GET, in development and production: the
//! process answers with a coded error and then serves a normal request.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};
use test_support::database::TestDatabase;
use test_support::process::ServerProcess;

const BIN: &str = env!("CARGO_BIN_EXE_qualify");

/// The binary as a child process in `env` mode, on a SQLite file of its own.
fn start(env: &str, database: &TestDatabase) -> ServerProcess {
    let mut command = Command::new(BIN);
    command
        .env("DATABASE_URL", &database.url)
        .env("QUALIFY_BIND", "127.0.0.1:0")
        .env("QUALIFY_ENV", env)
        .env("RUST_LOG", "warn");
    ServerProcess::start(command)
}

fn bombs(n: usize) -> Vec<String> {
    let open = |s: &str| s.repeat(n);
    vec![
        format!("{{ node(id: {}1{}) {{ id }} }}", open("["), open("]")),
        format!("{{ node(id: {}1{}) {{ id }} }}", open("{a: "), open("}")),
        format!(
            "{{ __typename @include(if: {}true{}) }}",
            open("["),
            open("]")
        ),
        format!(
            "query($v: Int = {}1{}) {{ __typename }}",
            open("["),
            open("]")
        ),
        format!("query($v: {}Int{}) {{ __typename }}", open("["), open("]")),
        format!("{{ viewer {}id{} }}", open("{ programs "), open("}")),
        format!("{}__typename{}", open("{ ... on Query "), open("}")),
    ]
}

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

/// Status and error codes of a reply.
async fn codes(response: reqwest::Response) -> (u16, Vec<String>) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("a JSON body");
    let codes = body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["extensions"]["code"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default();
    (status, codes)
}

#[tokio::test]
async fn the_binary_survives_every_nesting_bomb_over_post_and_get_in_both_modes() {
    api::events::worker::install_tls_provider();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("http client");
    for env in ["development", "production"] {
        let database = TestDatabase::sqlite_file();
        let mut server = start(env, &database);
        let url = format!("http://{}/graphql", server.addr);
        for query in bombs(1_500) {
            let post = http
                .post(&url)
                .header("accept", "application/graphql-response+json")
                .json(&json!({ "query": query }))
                .send()
                .await
                .expect("the server answers the POST");
            assert_eq!(
                codes(post).await,
                (400, vec!["QUERY_TOO_DEEP".to_owned()]),
                "{env} POST"
            );
            let get = http
                .get(format!("{url}?query={}", encode(&query)))
                .header("accept", "application/graphql-response+json")
                .send()
                .await
                .expect("the server answers the GET");
            assert_eq!(
                codes(get).await,
                (400, vec!["QUERY_TOO_DEEP".to_owned()]),
                "{env} GET"
            );
            assert!(server.alive(), "{env}: the process died");
        }
        let normal = http
            .post(&url)
            .json(&json!({ "query": "{ __typename }" }))
            .send()
            .await
            .expect("a normal request is answered");
        let body: Value = normal.json().await.expect("JSON");
        assert_eq!(body["data"]["__typename"], "Query", "{env}");
        assert!(server.alive(), "{env}");
    }
}
