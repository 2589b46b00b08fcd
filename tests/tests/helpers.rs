//! Test harness: a fresh database and the real server per test, spoken to with GraphQL over HTTP.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{Value, json};
use test_support::database::TestDatabase;
use uuid::Uuid;

/// Substrings that betray internals (SQL, drivers, file paths, panics) and must never reach a client.
const LEAK_MARKERS: &[&str] = &[
    "sqlx",
    "sqlite",
    "postgres",
    "sea_orm",
    "sea-orm",
    "dberr",
    "database is locked",
    "no such table",
    "relation \"",
    "violates",
    "unique constraint",
    "foreign key",
    "panicked",
    "/work/",
    ".rs:",
    "select *",
    "insert into",
    "backtrace",
    "connection refused",
];

/// The real app on port 0 against its own fresh database.
pub struct TestApp {
    pub addr: SocketAddr,
    pub database_url: String,
    client: reqwest::Client,
    // Declared before `db`: fields drop in order, so the server goes before its database.
    server: Option<api::Server>,
    _db: TestDatabase,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// Starts the app with a test config adjusted by `configure`.
    pub async fn spawn_with(configure: impl FnOnce(&mut api::Config)) -> TestApp {
        let db = TestDatabase::fresh().await;
        let database_url = db.url.clone();
        let mut config = api::Config::for_tests(database_url.clone());
        configure(&mut config);
        let server = api::start(config).await.expect("server starts");
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()
            .expect("http client");
        TestApp {
            addr: server.addr,
            database_url,
            client,
            server: Some(server),
            _db: db,
        }
    }

    /// A server on the same database, once the first has stopped (the app after a restart).
    pub async fn start_instance(&self) -> api::Server {
        let config = api::Config::for_tests(self.database_url.clone());
        api::start(config).await.expect("the instance starts")
    }

    /// Whether the test database is SQLite (one server process per file).
    pub fn on_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }

    /// Another instance beside the running one, on the same database. On PostgreSQL it
    /// starts; on SQLite it must be refused (one server per file), which is checked here,
    /// and `None` comes back: the test's several-instance part has nothing to run there.
    pub async fn another_instance(&self) -> Option<api::Server> {
        let config = api::Config::for_tests(self.database_url.clone());
        let started = api::start(config).await;
        if !self.on_sqlite() {
            return Some(started.expect("another instance starts on PostgreSQL"));
        }
        let Err(refused) = started else {
            panic!("a second server on one SQLite file must be refused");
        };
        let message = refused.to_string();
        assert!(
            message.contains("another qualify server is serving") && message.contains(".lock"),
            "{message}"
        );
        None
    }

    /// The running server: its address and its statement counter.
    pub fn server(&self) -> &api::Server {
        self.server.as_ref().expect("the server runs")
    }

    /// Where the server's `/metrics` answers, if it was started with a metrics address.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.server.as_ref()?.metrics_addr
    }

    /// The running server, for a test that stops it itself.
    pub fn take_server(&mut self) -> Option<api::Server> {
        self.server.take()
    }

    /// Stops the running server and starts a new one on the same database.
    pub async fn restart(&mut self) {
        if let Some(server) = self.server.take() {
            server.stop().await;
        }
        let server = self.start_instance().await;
        self.addr = server.addr;
        self.server = Some(server);
    }

    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        self.gql_to(
            self.addr,
            token.map(|t| format!("Bearer {t}")),
            query,
            variables,
        )
        .await
    }

    /// Like `gql`, with a raw `Authorization` header value (or none) and any server address.
    pub async fn gql_to(
        &self,
        addr: SocketAddr,
        authorization: Option<String>,
        query: &str,
        variables: Value,
    ) -> Value {
        let mut request = self
            .client
            .post(format!("http://{addr}/graphql"))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(value) = authorization {
            request = request.header("Authorization", value);
        }
        let response = request.send().await.expect("graphql request is answered");
        let status = response.status();
        let text = response.text().await.expect("response body");
        let body: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("non-JSON response (HTTP {status}): {e}: {text}"));
        assert_no_leak(&body);
        body
    }

    /// Runs an operation that must succeed and returns its `data`.
    pub async fn data(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let body = self.gql(token, query, variables).await;
        ok(body)
    }

    pub async fn get(&self, path: &str) -> reqwest::StatusCode {
        self.client
            .get(format!("http://{}{path}", self.addr))
            .send()
            .await
            .expect("GET is answered")
            .status()
    }

    /// Like `gql`, with extra request headers; the whole response, not only its body.
    pub async fn post_with(
        &self,
        token: Option<&str>,
        headers: &[(&str, &str)],
        query: &str,
        variables: Value,
    ) -> Reply {
        let mut request = self
            .client
            .post(format!("http://{}/graphql", self.addr))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("graphql request is answered");
        let (status, headers) = (response.status(), response.headers().clone());
        let text = response.text().await.expect("response body");
        let body: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("non-JSON response (HTTP {status}): {e}: {text}"));
        assert_no_leak(&body);
        Reply {
            status,
            headers,
            text,
            body,
        }
    }

    /// A connection of the test's own to the app's database, beside the server's pool.
    pub async fn db(&self) -> store::Db {
        store::connect(&self.database_url)
            .await
            .expect("direct connection to the test database")
    }
}

/// A whole HTTP response to a GraphQL request.
pub struct Reply {
    pub status: reqwest::StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The `data` of a response that must have no errors.
pub fn ok(body: Value) -> Value {
    let has_errors = body
        .get("errors")
        .and_then(Value::as_array)
        .is_some_and(|e| !e.is_empty());
    assert!(!has_errors, "expected success, got errors: {body:#}");
    body["data"].clone()
}

/// The `extensions.code` of every error in a response.
pub fn codes(body: &Value) -> Vec<String> {
    body.get("errors")
        .and_then(Value::as_array)
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    e["extensions"]["code"]
                        .as_str()
                        .unwrap_or("<no code>")
                        .to_owned()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Asserts the response failed, every error carrying `code`; returns the first error.
pub fn expect_code<'a>(body: &'a Value, code: &str) -> &'a Value {
    let found = codes(body);
    assert!(
        !found.is_empty(),
        "expected error {code}, got success: {body:#}"
    );
    assert!(
        found.iter().all(|c| c == code),
        "expected only {code}, got {found:?}: {body:#}"
    );
    &body["errors"][0]
}

/// Asserts a BAD_USER_INPUT error names exactly this field path.
pub fn expect_field(body: &Value, field: &str) {
    expect_code(body, "BAD_USER_INPUT");
    let fields = error_fields(body);
    assert!(
        fields.iter().any(|f| f == field),
        "expected a BAD_USER_INPUT on `{field}`, got fields {fields:?}: {body:#}"
    );
}

pub fn error_fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .flat_map(|e| {
                    // `field` names the first problem; `fields`, when present, lists them all.
                    let all = e["extensions"]["fields"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default();
                    std::iter::once(e["extensions"]["field"].clone())
                        .chain(all.into_iter().map(|f| f["field"].clone()))
                        .filter_map(|f| f.as_str().map(str::to_owned))
                        .collect::<Vec<_>>()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// No error message or extension may carry SQL, driver, path or panic text.
pub fn assert_no_leak(body: &Value) {
    let Some(errors) = body.get("errors").and_then(Value::as_array) else {
        return;
    };
    for error in errors {
        let text = error.to_string().to_lowercase();
        for marker in LEAK_MARKERS {
            assert!(
                !text.contains(marker),
                "error leaks internals ({marker:?}): {error:#}"
            );
        }
        assert!(
            error["extensions"]["code"].is_string(),
            "error without extensions.code: {error:#}"
        );
    }
}

pub fn unique_email(prefix: &str) -> String {
    format!("{prefix}-{}@example.com", Uuid::now_v7().simple())
}

/// The string at a JSON pointer, panicking with the whole value when absent.
pub fn str_at(value: &Value, pointer: &str) -> String {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string at {pointer} in {value:#}"))
        .to_owned()
}

/// The integer at a JSON pointer, panicking with the whole value when absent.
pub fn int_at(value: &Value, pointer: &str) -> i64 {
    value
        .pointer(pointer)
        .and_then(Value::as_i64)
        .unwrap_or_else(|| panic!("no integer at {pointer} in {value:#}"))
}

/// The UTC date the server uses as "today".
pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}
