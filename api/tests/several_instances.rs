//! Several `qualify` processes on one PostgreSQL behave as one service (issue 18): driven
//! round-robin, a token from one works on all, a logout on one ends the session on all,
//! throttles and rate limits count across them, an `Idempotency-Key` retried on another
//! replays, the clean-up runs once, each webhook attempt is made by one of them, an event
//! reaches subscribers on every one, and when one is killed mid-load the others go on
//! serving with nothing acknowledged lost. On SQLite, one process serves a file: a second
//! is refused at start.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
#[path = "crash_safety/harness.rs"]
mod harness;

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use test_support::database::TestDatabase;
use test_support::process::ServerProcess;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use harness::{BIN, CREATE_PROSPECT, Client, MenteeWorld, PASSWORD, create_mentor, str_at};

const VIEWER: &str = "{ viewer { id } }";
const LOGIN: &str = "mutation($input: LoginInput!) { login(input: $input) { accessToken } }";

/// One instance: its process, a client for it, and where its log goes.
struct Instance {
    process: ServerProcess,
    client: Client,
    log: std::path::PathBuf,
}

/// Starts `qualify` on `database_url` with small limits, so that shared counting shows:
/// three failures lock an account, six requests a minute per key. No JWT secret is given:
/// the instances share the one stored in the database.
fn start(database_url: &str, name: &str) -> Instance {
    let log = std::env::temp_dir().join(format!(
        "qualify-{name}-{}.log",
        uuid::Uuid::now_v7().simple()
    ));
    let mut command = Command::new(BIN);
    command
        .env("DATABASE_URL", database_url)
        .env("QUALIFY_BIND", "127.0.0.1:0")
        .env("QUALIFY_LOGIN_FAILURES_BEFORE_BACKOFF", "3")
        .env("QUALIFY_API_KEY_REQUESTS_PER_MINUTE", "6")
        .env("QUALIFY_WEBHOOKS_ALLOW_PRIVATE", "true")
        .env("QUALIFY_WEBHOOKS_ALLOW_HTTP", "true")
        .env("RUST_LOG", "info")
        .stderr(Stdio::from(std::fs::File::create(&log).unwrap()));
    let process = ServerProcess::start(command);
    let client = Client::new(process.addr);
    Instance {
        process,
        client,
        log,
    }
}

fn codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["extensions"]["code"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// A webhook receiver: how many times each `webhook-id` came.
async fn receiver() -> (SocketAddr, Arc<Mutex<BTreeMap<String, usize>>>) {
    let seen = Arc::new(Mutex::new(BTreeMap::new()));
    async fn take(
        State(seen): State<Arc<Mutex<BTreeMap<String, usize>>>>,
        headers: HeaderMap,
    ) -> StatusCode {
        let id = headers["webhook-id"].to_str().unwrap().to_owned();
        *seen.lock().unwrap().entry(id).or_default() += 1;
        StatusCode::NO_CONTENT
    }
    let app = Router::new()
        .route("/hook", post(take))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, seen)
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A `graphql-transport-ws` subscription to every event `token` may see, at `addr`.
async fn subscribe(addr: SocketAddr, token: &str) -> Socket {
    let mut request = format!("ws://{addr}/graphql")
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let send = |message: Value| Message::Text(message.to_string().into());
    socket
        .send(send(
            json!({ "type": "connection_init", "payload": { "token": token } }),
        ))
        .await
        .unwrap();
    assert_eq!(next(&mut socket).await["type"], "connection_ack");
    socket
        .send(send(json!({ "id": "all", "type": "subscribe", "payload": {
            "query": "subscription { events { id type data } }" } })))
        .await
        .unwrap();
    socket
}

/// The next protocol message other than a ping, within 10 s.
async fn next(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a message within 10 s")
            .expect("the socket is open")
            .unwrap();
        if let Message::Text(text) = message {
            let value: Value = serde_json::from_str(&text).unwrap();
            if value["type"] != "ping" {
                return value;
            }
        }
    }
}

/// Every prospect the mentee has, paging through.
async fn all_prospects(client: &Client, mentee: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let mut after: Option<String> = None;
    loop {
        let page = client
            .data(
                Some(mentee),
                "query($after: String) { prospects(first: 100, after: $after) { \
                 nodes { id } pageInfo { hasNextPage endCursor } } }",
                json!({ "after": after }),
            )
            .await;
        for node in page["prospects"]["nodes"].as_array().unwrap() {
            ids.insert(node["id"].as_str().unwrap().to_owned());
        }
        if page["prospects"]["pageInfo"]["hasNextPage"] != json!(true) {
            return ids;
        }
        after = page["prospects"]["pageInfo"]["endCursor"]
            .as_str()
            .map(str::to_owned);
    }
}

async fn seed_expired_idempotency_key(database_url: &str) {
    use migration::sea_orm::ConnectionTrait;
    let db = store::connect(database_url).await.unwrap();
    let user: Value = {
        let row = db
            .query_one_raw(migration::sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT id FROM users LIMIT 1",
            ))
            .await
            .unwrap()
            .unwrap();
        json!(row.try_get::<uuid::Uuid>("", "id").unwrap().to_string())
    };
    db.execute_raw(migration::sea_orm::Statement::from_sql_and_values(
        db.get_database_backend(),
        "INSERT INTO idempotency_keys (user_id, key, request_hash, created_at) \
         VALUES ($1, 'long-gone', 'h', $2)",
        [
            uuid::Uuid::parse_str(user.as_str().unwrap())
                .unwrap()
                .into(),
            (chrono::Utc::now() - chrono::Duration::days(3)).into(),
        ],
    ))
    .await
    .unwrap();
    db.close().await.unwrap();
}

async fn idempotency_keys_named(database_url: &str, key: &str) -> i64 {
    use migration::sea_orm::ConnectionTrait;
    let db = store::connect(database_url).await.unwrap();
    let row = db
        .query_one_raw(migration::sea_orm::Statement::from_sql_and_values(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM idempotency_keys WHERE key = $1",
            [key.into()],
        ))
        .await
        .unwrap()
        .unwrap();
    let n = row.try_get::<i64>("", "n").unwrap();
    db.close().await.unwrap();
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs TEST_DATABASE_URL (PostgreSQL)"]
async fn three_instances_on_one_postgresql_behave_as_one_service() {
    api::events::worker::install_tls_provider();
    let database = TestDatabase::postgres().await;
    let url = database.url.as_str();
    let mentor_email = create_mentor(url);
    seed_expired_idempotency_key(url).await;
    let instances: Vec<Instance> = ["a", "b", "c"].iter().map(|n| start(url, n)).collect();
    let on = |i: usize| &instances[i % 3].client;

    // The clean-up ran once, not once per instance: the first to ask claimed the hour.
    let mut cleaned_by = Vec::new();
    for _ in 0..100 {
        cleaned_by = instances
            .iter()
            .filter(|i| {
                std::fs::read_to_string(&i.log)
                    .unwrap()
                    .contains("cleaned up")
            })
            .map(|i| i.process.addr)
            .collect();
        if !cleaned_by.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let cleaned_again = instances
        .iter()
        .filter(|i| {
            std::fs::read_to_string(&i.log)
                .unwrap()
                .contains("cleaned up")
        })
        .count();
    assert_eq!(cleaned_by.len(), 1, "one instance cleans up");
    assert_eq!(cleaned_again, 1, "and only one, once");
    assert_eq!(idempotency_keys_named(url, "long-gone").await, 0);

    let MenteeWorld {
        mentor,
        mentee,
        program,
    } = harness::mentee_world(on(0), &mentor_email).await;

    // A token from one works on all.
    let mut viewer_ids = BTreeSet::new();
    for i in 0..3 {
        let body = on(i).data(Some(&mentee), VIEWER, json!({})).await;
        viewer_ids.insert(str_at(&body, "/viewer/id"));
    }
    assert_eq!(viewer_ids.len(), 1, "the same user on every instance");

    // Logout on one ends the session on all.
    let vars = json!({ "input": { "email": mentor_email, "password": PASSWORD } });
    let session = str_at(&on(1).data(None, LOGIN, vars).await, "/login/accessToken");
    for i in 0..3 {
        let body = on(i)
            .try_gql(Some(&session), VIEWER, json!({}))
            .await
            .unwrap();
        assert!(body["data"]["viewer"]["id"].is_string(), "{body}");
    }
    let out = on(1)
        .data(Some(&session), "mutation { logout { ok } }", json!({}))
        .await;
    assert_eq!(out["logout"]["ok"], json!(true), "{out}");
    for i in 0..3 {
        let body = on(i)
            .try_gql(Some(&session), VIEWER, json!({}))
            .await
            .unwrap();
        assert_eq!(codes(&body), ["UNAUTHENTICATED"], "instance {i}: {body}");
    }

    // Login failures count across instances: three (one on each) lock the account, so
    // the fourth, on any of them, is throttled. Counted in each process's memory, each
    // would have seen one failure and answered UNAUTHENTICATED.
    let stuffed = json!({ "input": { "email": "nobody-at-all@example.com", "password": "guess" } });
    for i in 0..3 {
        let body = on(i).try_gql(None, LOGIN, stuffed.clone()).await.unwrap();
        assert_eq!(codes(&body), ["UNAUTHENTICATED"], "attempt {i}: {body}");
    }
    for i in 0..3 {
        let body = on(i).try_gql(None, LOGIN, stuffed.clone()).await.unwrap();
        assert_eq!(codes(&body), ["RATE_LIMITED"], "instance {i}: {body}");
    }
    // The same for sign-ups with a wrong invite code.
    let sign_up = "mutation($input: SignUpInput!) { signUp(input: $input) { accessToken } }";
    let wrong_code = json!({ "input": { "email": "squatter@example.com", "password": PASSWORD,
        "name": "Sq", "inviteCode": "AAAA-BBBB-CCCC" } });
    let mut sign_up_codes = Vec::new();
    for i in 0..6 {
        let body = on(i)
            .try_gql(None, sign_up, wrong_code.clone())
            .await
            .unwrap();
        sign_up_codes.push(codes(&body).join(","));
    }
    assert_eq!(
        sign_up_codes[3..],
        ["RATE_LIMITED", "RATE_LIMITED", "RATE_LIMITED"],
        "{sign_up_codes:?}"
    );

    // A key's rate is one rate across instances: six a minute, spread over three.
    let key = on(2)
        .data(
            Some(&mentor),
            "mutation { createApiKey(input: { name: \"CRM\", access: READ }) { secret } }",
            json!({}),
        )
        .await;
    let key = str_at(&key, "/createApiKey/secret");
    let mut statuses = Vec::new();
    for i in 0..8 {
        let response = reqwest::Client::new()
            .post(format!("http://{}/graphql", instances[i % 3].process.addr))
            .bearer_auth(&key)
            .json(&json!({ "query": VIEWER }))
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 200, 200, 200, 429, 429]);

    // An Idempotency-Key retried on another instance replays the first answer.
    let vars = json!({ "p": program, "n": "Once only" });
    let first = on(0)
        .try_keyed(&mentee, "retry-elsewhere", CREATE_PROSPECT, vars.clone())
        .await
        .unwrap();
    let again = on(1)
        .try_keyed(&mentee, "retry-elsewhere", CREATE_PROSPECT, vars.clone())
        .await
        .unwrap();
    assert_eq!(first, again, "replayed, not run again");
    let once = all_prospects(on(2), &mentee).await;
    assert_eq!(once.len(), 1, "{once:?}");

    // Webhooks and subscriptions: an endpoint, and a subscriber on every instance.
    let (hook, seen) = receiver().await;
    on(0).data(
        Some(&mentor),
        "mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret } }",
        json!({ "input": { "url": format!("http://{hook}/hook"), "eventTypes": ["PROSPECT_CREATED"] } }),
    )
    .await;
    let mut sockets = Vec::new();
    for instance in &instances {
        sockets.push(subscribe(instance.process.addr, &mentor).await);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let told = on(2)
        .data(
            Some(&mentee),
            CREATE_PROSPECT,
            json!({ "p": program, "n": "Told everywhere" }),
        )
        .await;
    let told = str_at(&told, "/createProspect/prospect/id");
    for (i, socket) in sockets.iter_mut().enumerate() {
        let message = next(socket).await;
        assert_eq!(message["type"], "next", "instance {i}: {message}");
        let event = &message["payload"]["data"]["events"];
        assert_eq!(event["type"], "PROSPECT_CREATED", "instance {i}");
        assert_eq!(event["data"]["prospect"]["id"], json!(told), "instance {i}");
    }

    // Load on all three; one is killed in the middle of it.
    let acknowledged = Arc::new(Mutex::new(BTreeSet::<String>::new()));
    let mut writers = Vec::new();
    for (w, instance) in instances.iter().enumerate() {
        let (client, mentee, program, acknowledged) = (
            instance.client.clone(),
            mentee.clone(),
            program.clone(),
            acknowledged.clone(),
        );
        writers.push(tokio::spawn(async move {
            let mut failed = 0;
            for i in 0..40 {
                tokio::time::sleep(Duration::from_millis(15)).await;
                let vars = json!({ "p": program, "n": format!("Load {w}-{i}") });
                match client.try_gql(Some(&mentee), CREATE_PROSPECT, vars).await {
                    Ok(body) => match body.pointer("/data/createProspect/prospect/id") {
                        Some(id) => {
                            acknowledged
                                .lock()
                                .unwrap()
                                .insert(id.as_str().unwrap().to_owned());
                        }
                        None => panic!("writer {w}: {body}"),
                    },
                    Err(_) => failed += 1,
                }
            }
            failed
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut instances = instances;
    let killed = instances.pop().unwrap();
    killed.process.kill_9();
    let mut failures = Vec::new();
    for writer in writers {
        failures.push(writer.await.unwrap());
    }
    assert_eq!(
        failures[..2],
        [0, 0],
        "the survivors answered every request"
    );
    assert!(failures[2] > 0, "the killed instance stopped answering");
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() >= 80,
        "{} acknowledged",
        acknowledged.len()
    );
    let existing = all_prospects(&instances[0].client, &mentee).await;
    let lost: Vec<&String> = acknowledged.difference(&existing).collect();
    assert!(lost.is_empty(), "acknowledged and lost: {lost:?}");
    // "Once only", "Told everywhere", the acknowledged, and at most one cut by the kill.
    assert!(
        existing.len() <= acknowledged.len() + 3,
        "{}",
        existing.len()
    );

    // Every prospect.created event was sent once, by one instance, in spite of the kill
    // (an attempt the killed one had in flight may come twice, from its lease's expiry).
    // ("Once only" came before the endpoint, which is told only what happens after it.)
    // A delivery the killed instance had leased waits for its lease to end (60 s) before
    // another instance sends it: up to 90 s, then.
    let expected = existing.difference(&once).count();
    for _ in 0..900 {
        if seen.lock().unwrap().len() >= expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), expected, "one event per prospect");
    let twice = seen.values().filter(|n| **n > 1).count();
    assert!(seen.values().all(|n| *n <= 2), "{seen:?}");
    assert!(twice <= 64, "{twice} sent twice");
    for instance in instances {
        let _ = std::fs::remove_file(&instance.log);
    }
    let _ = std::fs::remove_file(&killed.log);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_server_on_one_sqlite_file_is_refused() {
    let database = TestDatabase::sqlite_file();
    let first = harness::start(&database.url);
    let output = Command::new(BIN)
        .env("DATABASE_URL", &database.url)
        .env("QUALIFY_BIND", "127.0.0.1:0")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run a second qualify");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "the second must exit: {stderr}");
    assert!(
        stderr.contains("another qualify server is serving")
            && stderr.contains("run several instances on PostgreSQL"),
        "{stderr}"
    );
    // The first goes on serving; once it is gone, a server starts again.
    let client = Client::new(first.addr);
    let ok = client
        .try_gql(None, "{ __typename }", json!({}))
        .await
        .unwrap();
    assert_eq!(ok["data"]["__typename"], "Query");
    first.kill_9();
    let again = harness::start(&database.url);
    let client = Client::new(again.addr);
    let ok = client
        .try_gql(None, "{ __typename }", json!({}))
        .await
        .unwrap();
    assert_eq!(ok["data"]["__typename"], "Query");
}
