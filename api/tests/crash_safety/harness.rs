//! The crash test's harness: the `qualify` binary as a child process that can be killed
//! (`test_support::process`), a GraphQL client for it, and checks of the database it leaves.

use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};
use test_support::process::ServerProcess;
use uuid::Uuid;

pub const BIN: &str = env!("CARGO_BIN_EXE_qualify");
const SECRET: &str = "crash-safety-secret-of-well-over-thirty-two-bytes-0123456789";
pub const PASSWORD: &str = "correct horse battery staple";

/// Starts `qualify` on `database_url`, on a port of its choosing, and waits until it listens.
pub fn start(database_url: &str) -> ServerProcess {
    start_with(database_url, &[])
}

/// Like [`start`], with more of the server's environment.
pub fn start_with(database_url: &str, env: &[(&str, &str)]) -> ServerProcess {
    let mut command = Command::new(BIN);
    command
        .env("DATABASE_URL", database_url)
        .env("QUALIFY_BIND", "127.0.0.1:0")
        .env("QUALIFY_JWT_SECRET", SECRET)
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied());
    ServerProcess::start(command)
}

/// Webhooks to a receiver in the test (plain http on loopback), retried after 100 ms.
pub const WEBHOOKS_TO_THIS_MACHINE: [(&str, &str); 3] = [
    ("QUALIFY_WEBHOOKS_ALLOW_PRIVATE", "true"),
    ("QUALIFY_WEBHOOKS_ALLOW_HTTP", "true"),
    ("QUALIFY_WEBHOOK_RETRY_BASE_MS", "100"),
];

pub const CREATE_PROSPECT: &str = "mutation($p: ID!, $n: String!) { \
    createProspect(input: { programId: $p, name: $n }) { prospect { id } } }";

/// Speaks GraphQL to whichever server is running.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    addr: SocketAddr,
}

impl Client {
    pub fn new(addr: SocketAddr) -> Client {
        api::events::worker::install_tls_provider();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("http client");
        Client { http, addr }
    }

    /// The response body, or the transport error (the server may be dead).
    pub async fn try_gql(
        &self,
        token: Option<&str>,
        query: &str,
        vars: Value,
    ) -> Result<Value, String> {
        let mut request = self
            .http
            .post(format!("http://{}/graphql", self.addr))
            .json(&json!({ "query": query, "variables": vars }));
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        let response = request.send().await.map_err(|e| e.to_string())?;
        response.json().await.map_err(|e| e.to_string())
    }

    /// Like `try_gql`, with an `Idempotency-Key`.
    pub async fn try_keyed(
        &self,
        token: &str,
        key: &str,
        query: &str,
        vars: Value,
    ) -> Result<Value, String> {
        let response = self
            .http
            .post(format!("http://{}/graphql", self.addr))
            .header("Authorization", format!("Bearer {token}"))
            .header("Idempotency-Key", key)
            .json(&json!({ "query": query, "variables": vars }))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        response.json().await.map_err(|e| e.to_string())
    }

    /// The `data` of an operation that must succeed.
    pub async fn data(&self, token: Option<&str>, query: &str, vars: Value) -> Value {
        let body = self.try_gql(token, query, vars).await.expect("answered");
        assert!(body.get("errors").is_none(), "expected success: {body:#}");
        body["data"].clone()
    }
}

pub fn str_at(value: &Value, pointer: &str) -> String {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string at {pointer} in {value:#}"))
        .to_owned()
}

/// `qualify create-mentor` with `password`: whether it succeeded, and its stderr.
pub fn try_create_mentor(database_url: &str, email: &str, password: &str) -> (bool, String) {
    let output = Command::new(BIN)
        .args(["create-mentor", "--email", email, "--name", "Maria Mentor"])
        .env("DATABASE_URL", database_url)
        .env("QUALIFY_PASSWORD", password)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run qualify create-mentor");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

pub fn create_mentor(database_url: &str) -> String {
    let email = format!("mentor-{}@example.com", Uuid::now_v7().simple());
    let output = Command::new(BIN)
        .args(["create-mentor", "--email", &email, "--name", "Maria Mentor"])
        .env("DATABASE_URL", database_url)
        .env("QUALIFY_PASSWORD", PASSWORD)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run qualify create-mentor");
    assert!(
        output.status.success(),
        "create-mentor failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    email
}

/// The answer of `PRAGMA integrity_check` through a connection of the test's own.
pub async fn sqlite_integrity(database_url: &str) -> Vec<String> {
    let db = store::connect(database_url).await.expect("open SQLite");
    let answer = store::sqlite_integrity_check(&db)
        .await
        .expect("integrity_check");
    let _ = db.close().await;
    answer
}

/// A mentor's program with a published standard and one mentee enrolled by invite.
pub struct MenteeWorld {
    pub mentor: String,
    pub mentee: String,
    pub program: String,
}

/// Signs `mentor_email` in and builds a [`MenteeWorld`] through the API.
pub async fn mentee_world(client: &Client, mentor_email: &str) -> MenteeWorld {
    let login = "mutation($input: LoginInput!) { login(input: $input) { accessToken } }";
    let vars = json!({ "input": { "email": mentor_email, "password": PASSWORD } });
    let mentor = str_at(&client.data(None, login, vars).await, "/login/accessToken");
    let m = Some(mentor.as_str());
    let template = client
        .data(
            m,
            "mutation { createTemplate(input: { name: \"T\" }) { template { id } } }",
            json!({}),
        )
        .await;
    let template = str_at(&template, "/createTemplate/template/id");
    let version = client
        .data(
            m,
            "mutation($id: ID!) { publishTemplate(id: $id) { version { id } } }",
            json!({ "id": template }),
        )
        .await;
    let version = str_at(&version, "/publishTemplate/version/id");
    let program = client
        .data(
            m,
            "mutation($v: ID!) { createProgram(input: { name: \"P\", standardVersionId: $v }) { program { id } } }",
            json!({ "v": version }),
        )
        .await;
    let program = str_at(&program, "/createProgram/program/id");
    let invite = client
        .data(
            m,
            "mutation($p: ID!) { createInvite(input: { programId: $p }) { invite { code } } }",
            json!({ "p": program }),
        )
        .await;
    let code = str_at(&invite, "/createInvite/invite/code");
    let signed_up = client
        .data(
            None,
            "mutation($input: SignUpInput!) { signUp(input: $input) { accessToken } }",
            json!({ "input": { "email": format!("mentee-{}@example.com", Uuid::now_v7().simple()),
                    "password": PASSWORD, "name": "Max", "inviteCode": code } }),
        )
        .await;
    MenteeWorld {
        mentor,
        mentee: str_at(&signed_up, "/signUp/accessToken"),
        program,
    }
}
