//! Crash safety: every write the `qualify` binary acknowledged survives `kill -9` of its
//! process, and the SQLite file it leaves passes `PRAGMA integrity_check`.
//!
//! And a request with an `Idempotency-Key` killed mid-flight, at any point, is done exactly
//! once: the retry after the restart replays what committed, or runs the work if nothing did.
//!
//! The real binary runs as a child process (an in-process server cannot be killed without
//! killing the test), on SQLite, and on a fresh PostgreSQL database: the PostgreSQL tests
//! are ignored unless run with `--include-ignored` and `TEST_DATABASE_URL` set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// Beside this file, not in `tests/`: Cargo would make a test binary of it there.
// Shared with the webhook and backup tests; not every part of it is used here.
#[allow(dead_code)]
#[path = "crash_safety/harness.rs"]
mod harness;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use test_support::database::TestDatabase;
use test_support::process::ServerProcess;
use uuid::Uuid;

use harness::{
    CREATE_PROSPECT, Client, PASSWORD, create_mentor, sqlite_integrity, start, str_at,
    try_create_mentor,
};

/// What the first server acknowledged, to be found again after the crash.
struct Written {
    mentor_token: String,
    mentee_token: String,
    template: String,
    version: String,
    program: String,
    invite_code: String,
    prospects: Vec<String>,
}

async fn write_everything(client: &Client, mentor_email: &str) -> Written {
    let login = "mutation($input: LoginInput!) { login(input: $input) { accessToken } }";
    let vars = json!({ "input": { "email": mentor_email, "password": PASSWORD } });
    let mentor = str_at(&client.data(None, login, vars).await, "/login/accessToken");
    let m = Some(mentor.as_str());

    let created = client
        .data(
            m,
            "mutation { createTemplate(input: { name: \"Crash-proof standard\" }) { template { id } } }",
            json!({}),
        )
        .await;
    let template = str_at(&created, "/createTemplate/template/id");
    let published = client
        .data(
            m,
            "mutation($id: ID!) { publishTemplate(id: $id) { version { id } } }",
            json!({ "id": template }),
        )
        .await;
    let version = str_at(&published, "/publishTemplate/version/id");
    let program = client
        .data(
            m,
            "mutation($v: ID!) { createProgram(input: { name: \"First name\", standardVersionId: $v }) \
             { program { id revision } } }",
            json!({ "v": version }),
        )
        .await;
    let (program, revision) = (
        str_at(&program, "/createProgram/program/id"),
        program["createProgram"]["program"]["revision"].clone(),
    );
    client
        .data(
            m,
            "mutation($id: ID!, $r: Int!) { updateProgram(input: { id: $id, name: \"Renamed program\", \
             expectedRevision: $r }) { program { id } } }",
            json!({ "id": program, "r": revision }),
        )
        .await;
    let invite = client
        .data(
            m,
            "mutation($p: ID!) { createInvite(input: { programId: $p }) { invite { code } } }",
            json!({ "p": program }),
        )
        .await;
    let invite_code = str_at(&invite, "/createInvite/invite/code");
    let vars = json!({ "input": { "email": format!("mentee-{}@example.com", Uuid::now_v7().simple()),
                                  "password": PASSWORD, "name": "Max Mentee", "inviteCode": invite_code } });
    let signed_up = client
        .data(
            None,
            "mutation($input: SignUpInput!) { signUp(input: $input) { accessToken } }",
            vars,
        )
        .await;
    let mentee_token = str_at(&signed_up, "/signUp/accessToken");
    Written {
        mentor_token: mentor,
        mentee_token,
        template,
        version,
        program,
        invite_code,
        prospects: Vec::new(),
    }
}

/// Four writers creating prospects as fast as they can until the server dies under them;
/// returns the ids whose creation was acknowledged.
async fn kill_9_mid_burst(
    client: &Client,
    server: ServerProcess,
    written: &Written,
) -> Vec<String> {
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let mut writers = Vec::new();
    for writer in 0..4 {
        let (client, acknowledged) = (client.clone(), acknowledged.clone());
        let (token, program) = (written.mentee_token.clone(), written.program.clone());
        writers.push(tokio::spawn(async move {
            for n in 0.. {
                let vars = json!({ "p": program, "n": format!("Burst {writer}-{n}") });
                let Ok(body) = client.try_gql(Some(&token), CREATE_PROSPECT, vars).await else {
                    return;
                };
                let Some(id) = body.pointer("/data/createProspect/prospect/id") else {
                    return;
                };
                acknowledged
                    .lock()
                    .unwrap()
                    .push(id.as_str().unwrap().to_owned());
            }
        }));
    }
    // Kill mid-burst, once some writes are acknowledged (a fixed pause was too short on a
    // loaded machine: the kill came before the burst had started).
    let started = std::time::Instant::now();
    while acknowledged.lock().unwrap().len() < 8 && started.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    server.kill_9();
    for writer in writers {
        writer.await.expect("writer task");
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() >= 4,
        "the burst must have written something before the kill: {}",
        acknowledged.len()
    );
    acknowledged
}

/// Reads everything back from the restarted server with the tokens issued before the crash.
async fn read_back(client: &Client, written: &Written, mentor_email: &str) {
    let m = Some(written.mentor_token.as_str());
    let templates = client
        .data(
            m,
            "{ templates { nodes { id name publishedVersion { id status } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        templates["templates"]["nodes"],
        json!([{ "id": written.template, "name": "Crash-proof standard",
                 "publishedVersion": { "id": written.version, "status": "PUBLISHED" } }])
    );
    let program = client
        .data(
            m,
            "query($id: ID!) { node(id: $id) { ... on Program { name revision standard { id } \
             invites { nodes { code } } } } }",
            json!({ "id": written.program }),
        )
        .await;
    assert_eq!(program["node"]["name"], "Renamed program");
    assert_eq!(program["node"]["standard"]["id"], json!(written.version));
    assert_eq!(
        program["node"]["invites"]["nodes"],
        json!([{ "code": written.invite_code }])
    );

    let e = Some(written.mentee_token.as_str());
    let count = client
        .data(e, "{ prospects { totalCount } }", json!({}))
        .await;
    let total = count["prospects"]["totalCount"].as_u64().expect("count") as usize;
    assert!(
        total >= written.prospects.len(),
        "{total} prospects after the restart, {} acknowledged",
        written.prospects.len()
    );
    for chunk in written.prospects.chunks(50) {
        let found = client
            .data(
                e,
                "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Prospect { id } } }",
                json!({ "ids": chunk }),
            )
            .await;
        let expected: Vec<Value> = chunk.iter().map(|id| json!({ "id": id })).collect();
        assert_eq!(
            found["nodes"],
            json!(expected),
            "every acknowledged prospect is there"
        );
    }
    let login = "mutation($input: LoginInput!) { login(input: $input) { user { role } } }";
    let vars = json!({ "input": { "email": mentor_email, "password": PASSWORD } });
    assert_eq!(
        client.data(None, login, vars).await["login"]["user"]["role"],
        "MENTOR"
    );
}

/// Write, `kill -9` mid-burst, `check` the database at rest, restart, read everything back.
async fn survive_kill_9(database_url: &str, check: impl AsyncFn()) {
    let mentor_email = create_mentor(database_url);
    let server = start(database_url);
    let client = Client::new(server.addr);
    let mut written = write_everything(&client, &mentor_email).await;
    let vars = json!({ "p": written.program, "n": "Acknowledged before the burst" });
    let first = client
        .data(Some(&written.mentee_token), CREATE_PROSPECT, vars)
        .await;
    written
        .prospects
        .push(str_at(&first, "/createProspect/prospect/id"));
    let burst = kill_9_mid_burst(&client, server, &written).await;
    eprintln!("{} prospects acknowledged before kill -9", burst.len());
    written.prospects.extend(burst);
    check().await;

    let server = start(database_url);
    read_back(&Client::new(server.addr), &written, &mentor_email).await;
    server.kill_9();
    check().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_kill_9_and_the_sqlite_file_stays_intact() {
    let database = TestDatabase::sqlite_file();
    let url = database.url.clone();
    survive_kill_9(&url, async || {
        assert_eq!(sqlite_integrity(&url).await, ["ok"]);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs TEST_DATABASE_URL (PostgreSQL)"]
async fn acknowledged_writes_survive_kill_9_on_postgres() {
    let database = TestDatabase::postgres().await;
    survive_kill_9(&database.url, async || {}).await;
}

const KEYS: usize = 8;
/// When each round kills the server, as a multiple of how long one keyed creation takes
/// on it: from before the work starts to after the answers went out.
const KILL_AT: [f64; 12] = [
    0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 1.0, 1.3, 1.6, 2.0, 2.5, 3.0,
];

/// Keyed creations, each killed mid-flight once per entry of `KILL_AT`, then
/// retried to the end: each key ends with exactly one prospect, and every answer it ever
/// got is the same one.
async fn keyed_requests_are_done_exactly_once_across_kill_9(database_url: &str) {
    let mentor_email = create_mentor(database_url);
    let mut server = start(database_url);
    let written = write_everything(&Client::new(server.addr), &mentor_email).await;
    let token = written.mentee_token.clone();
    let mut answers: Vec<Option<Value>> = vec![None; KEYS];
    let mut record = |k: usize, body: Value| match &answers[k] {
        Some(first) => assert_eq!(&body, first, "key {k}: the same answer every time"),
        None => answers[k] = Some(body),
    };
    let vars = |k: usize| json!({ "p": written.program, "n": format!("Keyed {k}.") });
    for (round, kill_at) in KILL_AT.into_iter().enumerate() {
        let client = Client::new(server.addr);
        // Warm (connections open) and timed: one keyed creation of its own.
        let started = std::time::Instant::now();
        let warm_up = json!({ "p": written.program, "n": "Warm-up" });
        let key = format!("warm-up-{round}");
        client
            .try_keyed(&token, &key, CREATE_PROSPECT, warm_up)
            .await
            .expect("the warm-up is answered");
        let one = started.elapsed();
        let mut requests = Vec::new();
        for k in 0..KEYS {
            let (client, token, vars) = (client.clone(), token.clone(), vars(k));
            requests.push(tokio::spawn(async move {
                let key = format!("crash-key-{k}");
                (
                    k,
                    client.try_keyed(&token, &key, CREATE_PROSPECT, vars).await,
                )
            }));
        }
        tokio::time::sleep(one.mul_f64(kill_at)).await;
        server.kill_9();
        let mut answered = 0;
        for request in requests {
            let (k, answer) = request.await.expect("request task");
            if let Ok(body) = answer {
                answered += 1;
                assert!(
                    body.get("errors").is_none(),
                    "round {round}, key {k}: {body:#}"
                );
                record(k, body);
            }
        }
        eprintln!(
            "round {round}: killed after {:?}, {answered} of {KEYS} keyed requests answered",
            one.mul_f64(kill_at)
        );
        server = start(database_url);
    }
    let client = Client::new(server.addr);
    for k in 0..KEYS {
        for _ in 0..2 {
            let key = format!("crash-key-{k}");
            let body = client
                .try_keyed(&token, &key, CREATE_PROSPECT, vars(k))
                .await
                .expect("answered");
            assert!(
                body.get("errors").is_none(),
                "key {k} after the crashes: {body:#}"
            );
            record(k, body);
        }
    }
    let listed = client
        .data(
            Some(&token),
            "{ prospects(first: 100) { nodes { id name } } }",
            json!({}),
        )
        .await;
    let nodes = listed["prospects"]["nodes"]
        .as_array()
        .expect("nodes")
        .clone();
    for (k, answer) in answers.iter().enumerate() {
        let name = format!("Keyed {k}.");
        let ids: Vec<&Value> = nodes
            .iter()
            .filter(|n| n["name"] == json!(name))
            .map(|n| &n["id"])
            .collect();
        let answered = answer
            .as_ref()
            .and_then(|a| a.pointer("/data/createProspect/prospect/id"))
            .expect("an answer");
        assert_eq!(
            ids,
            vec![answered],
            "exactly one prospect for key {k}, the answered one"
        );
    }
    server.kill_9();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn keyed_requests_are_done_exactly_once_across_kill_9_on_sqlite() {
    let database = TestDatabase::sqlite_file();
    let url = database.url.clone();
    keyed_requests_are_done_exactly_once_across_kill_9(&url).await;
    assert_eq!(sqlite_integrity(&url).await, ["ok"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs TEST_DATABASE_URL (PostgreSQL)"]
async fn keyed_requests_are_done_exactly_once_across_kill_9_on_postgres() {
    let database = TestDatabase::postgres().await;
    keyed_requests_are_done_exactly_once_across_kill_9(&database.url).await;
}

#[test]
fn create_mentor_applies_the_password_rules_of_sign_up() {
    let database = TestDatabase::sqlite_file();
    let url = database.url.clone();
    for (password, why) in [
        ("password", "commonly used"),
        ("12345678", "commonly used"),
        ("short", "at least 8 characters"),
    ] {
        let email = format!("weak-{}@example.com", Uuid::now_v7().simple());
        let (ok, stderr) = try_create_mentor(&url, &email, password);
        assert!(!ok, "{password:?} must be refused");
        assert!(
            stderr.contains("password") && stderr.contains(why),
            "{password:?}: {stderr}"
        );
    }
    let (ok, stderr) = try_create_mentor(&url, "strong@example.com", PASSWORD);
    assert!(ok, "control: a good password is accepted: {stderr}");
}
