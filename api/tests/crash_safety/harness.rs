//! The crash test's harness: the `qualify` binary as a child process that can be killed,
//! a GraphQL client for it, and the databases it runs on.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
use serde_json::{Value, json};
use uuid::Uuid;

pub const BIN: &str = env!("CARGO_BIN_EXE_qualify");
const SECRET: &str = "crash-safety-secret-of-well-over-thirty-two-bytes-0123456789";
pub const PASSWORD: &str = "correct horse battery staple";

/// The `qualify` server as a child process.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
}

impl Server {
    /// Starts `qualify` on a port of its choosing and waits until it listens.
    pub fn start(database_url: &str) -> Server {
        let mut child = Command::new(BIN)
            .env("DATABASE_URL", database_url)
            .env("QUALIFY_BIND", "127.0.0.1:0")
            .env("QUALIFY_JWT_SECRET", SECRET)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .expect("start qualify");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        // Reads the address the server prints, then keeps draining so the pipe never fills.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("Qualify listening on http://") {
                    let _ = tx.send(rest.trim_end_matches("/graphql").to_owned());
                }
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("qualify prints its address")
            .parse()
            .expect("a socket address");
        Server { child, addr }
    }

    /// `kill -9`: no shutdown, no flushing, nothing finishes.
    pub fn kill_9(mut self) {
        self.child.kill().expect("SIGKILL");
        let status = self.child.wait().expect("reaped");
        assert!(!status.success(), "killed, not exited: {status}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Speaks GraphQL to whichever server is running.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    addr: SocketAddr,
}

impl Client {
    pub fn new(addr: SocketAddr) -> Client {
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
    let db = Database::connect(database_url).await.expect("open SQLite");
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA integrity_check",
        ))
        .await
        .expect("integrity_check");
    let _ = db.close().await;
    rows.iter()
        .map(|row| row.try_get_by_index::<String>(0).expect("a text row"))
        .collect()
}

/// `postgres://u@h:5432/postgres?x=y` with the database name replaced.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let host_start = base.find("://").map_or(0, |i| i + 3);
    let base = base[host_start..]
        .find('/')
        .map_or(base, |i| &base[..host_start + i]);
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// Removes a SQLite file and its companions when the test ends, pass or fail.
pub struct RemoveOnDrop(pub PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Drops a PostgreSQL test database when the test ends, pass or fail.
pub struct DropDatabaseOnDrop {
    pub admin_url: String,
    pub name: String,
}

impl Drop for DropDatabaseOnDrop {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs inside the test's runtime; a thread with its own runtime may block.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                if let Ok(db) = Database::connect(&admin_url).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = db.execute_unprepared(&sql).await;
                    let _ = db.close().await;
                }
            });
        })
        .join();
    }
}
