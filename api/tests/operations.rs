//! Running the real binary as an operator does: `--log-format json` (one JSON object per
//! line, a line per request with its id, operation, actor, status and duration; never a
//! token), and SIGTERM (drain, exit 0).
#![allow(clippy::unwrap_used, clippy::expect_used)]

// Shared with the crash test; this test uses a part of it.
#[allow(dead_code)]
#[path = "crash_safety/harness.rs"]
mod harness;

use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use test_support::database::TestDatabase;
use test_support::process::ServerProcess;

use harness::{BIN, PASSWORD, create_mentor};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_request_is_one_json_line_with_its_id_operation_actor_and_status_and_no_token() {
    api::events::worker::install_tls_provider();
    let database = TestDatabase::sqlite_file();
    let email = create_mentor(&database.url);
    let log = std::env::temp_dir().join(format!(
        "qualify-log-{}.jsonl",
        uuid::Uuid::now_v7().simple()
    ));
    let mut command = Command::new(BIN);
    command
        .env("DATABASE_URL", &database.url)
        .env("QUALIFY_BIND", "127.0.0.1:0")
        .env("QUALIFY_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .stderr(Stdio::from(std::fs::File::create(&log).unwrap()));
    let server = ServerProcess::start(command);
    let http = reqwest::Client::new();
    let url = format!("http://{}/graphql", server.addr);
    let login = http
        .post(&url)
        .json(&json!({ "operationName": "SignIn",
            "query": "mutation SignIn($i: LoginInput!) { login(input: $i) { accessToken user { id } } }",
            "variables": { "i": { "email": email, "password": PASSWORD } } }))
        .send()
        .await
        .unwrap();
    let login_id = login.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body: Value = login.json().await.unwrap();
    let token = body["data"]["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let viewer = http
        .post(&url)
        .bearer_auth(&token)
        .json(&json!({ "operationName": "Me", "query": "query Me { viewer { id } }" }))
        .send()
        .await
        .unwrap();
    let viewer_id = viewer.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = viewer.json().await.unwrap();
    let user = body["data"]["viewer"]["id"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(server);

    let text = std::fs::read_to_string(&log).unwrap();
    let _ = std::fs::remove_file(&log);
    assert!(!text.contains(&token), "a token in the log");
    assert!(!text.contains(PASSWORD), "a password in the log");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let access = |id: &str| {
        lines
            .iter()
            .find(|l| l["target"] == "qualify::access" && l["request_id"] == id)
            .unwrap_or_else(|| panic!("no access line for {id}: {text}"))
            .clone()
    };
    let signed_in = access(&login_id);
    assert_eq!(signed_in["operation"], "SignIn");
    assert_eq!(signed_in["actor"], "-");
    assert_eq!(signed_in["status"], 200);
    assert_eq!(signed_in["method"], "POST");
    assert_eq!(signed_in["path"], "/graphql");
    assert_eq!(signed_in["level"], "INFO");
    let me = access(&viewer_id);
    assert_eq!(me["operation"], "Me");
    // The actor is the user's uuid: the global id decodes to it.
    use base64::Engine;
    let decoded = String::from_utf8(
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&user)
            .unwrap(),
    )
    .unwrap();
    let uuid = uuid::Uuid::parse_str(decoded.split_once(':').unwrap().1).unwrap();
    assert_eq!(me["actor"], json!(uuid.to_string()));
    assert!(me["duration_ms"].as_f64().unwrap() >= 0.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_and_exits_zero() {
    api::events::worker::install_tls_provider();
    let database = TestDatabase::sqlite_file();
    let email = create_mentor(&database.url);
    let log = std::env::temp_dir().join(format!(
        "qualify-term-{}.log",
        uuid::Uuid::now_v7().simple()
    ));
    let mut command = Command::new(BIN);
    command
        .env("DATABASE_URL", &database.url)
        .env("QUALIFY_BIND", "127.0.0.1:0")
        .env("RUST_LOG", "info")
        .stderr(Stdio::from(std::fs::File::create(&log).unwrap()));
    let server = ServerProcess::start(command);
    // A request answered before the signal: the server was serving.
    let body: Value = reqwest::Client::new()
        .post(format!("http://{}/graphql", server.addr))
        .json(
            &json!({ "query": "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
                       "variables": { "i": { "email": email, "password": PASSWORD } } }),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(body["data"]["login"]["accessToken"].is_string(), "{body}");
    let status = tokio::task::spawn_blocking(move || server.terminate(Duration::from_secs(20)))
        .await
        .unwrap();
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    let status = status.unwrap_or_else(|| panic!("still running 20 s after SIGTERM: {text}"));
    assert!(status.success(), "exit {status}: {text}");
    assert!(text.contains("shutting down"), "{text}");
}

/// A request in flight when SIGTERM comes is answered: its headers and half its body sent
/// before the signal, the rest after. The connection is then closed (no keep-alive while
/// draining), and the process exits 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_in_flight_at_sigterm_is_answered_then_the_process_exits_zero() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    api::events::worker::install_tls_provider();
    let database = TestDatabase::sqlite_file();
    let email = create_mentor(&database.url);
    let mut command = Command::new(BIN);
    command
        .env("DATABASE_URL", &database.url)
        .env("QUALIFY_BIND", "127.0.0.1:0")
        .env("RUST_LOG", "warn");
    let server = ServerProcess::start(command);
    let body = json!({ "query": "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
                       "variables": { "i": { "email": email, "password": PASSWORD } } })
    .to_string();
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\n\
         content-length: {}\r\n\r\n",
        server.addr,
        body.len()
    );
    let (first, rest) = body.split_at(body.len() / 2);
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(first.as_bytes()).await.unwrap();
    stream.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    server.signal_term();
    tokio::time::sleep(Duration::from_millis(500)).await;
    // New connections are no longer taken.
    let refused = reqwest::Client::new()
        .get(format!("http://{}/healthz", server.addr))
        .timeout(Duration::from_secs(2))
        .send()
        .await;
    assert!(
        refused.is_err(),
        "a new connection was served while draining"
    );
    stream.write_all(rest.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("the answer, then the connection closed")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer).to_string();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("accessToken"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("connection: close"),
        "{answer}"
    );
    let status = tokio::task::spawn_blocking(move || server.wait_exit(Duration::from_secs(20)))
        .await
        .unwrap()
        .expect("exited");
    assert!(status.success(), "exit {status}");
}

/// `--database-max-connections` sizes the pool (`/metrics` shows it), and a size out of
/// range is refused before anything starts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_pool_has_the_size_asked_for() {
    api::events::worker::install_tls_provider();
    let refused = Command::new(BIN)
        .args(["serve", "--database-max-connections", "0"])
        .env("DATABASE_URL", "sqlite::memory:")
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("--database-max-connections"), "{said}");

    let database = TestDatabase::sqlite_file();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut command = Command::new(BIN);
    command
        .env("DATABASE_URL", &database.url)
        .env("QUALIFY_BIND", "127.0.0.1:0")
        .env("QUALIFY_METRICS_BIND", format!("127.0.0.1:{port}"))
        .env("QUALIFY_DATABASE_MAX_CONNECTIONS", "3")
        .env("RUST_LOG", "warn");
    let _server = ServerProcess::start(command);
    let text = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.lines()
            .any(|l| l == "qualify_db_pool_max_connections 3"),
        "{text}"
    );
}
