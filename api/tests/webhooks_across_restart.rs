//! No webhook event lost, none invented, across `kill -9` of the `qualify` binary: a
//! receiver in this process (not the server's code) checks every signature and counts
//! deliveries by `webhook-id`. Every prospect the server acknowledged before the kill or
//! after the restart is told exactly by one event id; every event told is of a prospect
//! that exists; an id comes twice at most (an attempt cut by the kill is made again: at
//! least once), and every delivery ends delivered.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// Shared with the crash test; this test uses a part of it.
#[allow(dead_code)]
#[path = "crash_safety/harness.rs"]
mod harness;

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use test_support::database::TestDatabase;
use test_support::process::ServerProcess;

use harness::{CREATE_PROSPECT, Client, create_mentor, str_at};

/// (webhook-id, body) of every request whose signature checked out; and how many did not.
#[derive(Default)]
struct Seen {
    good: Vec<(String, Value)>,
    bad: usize,
}

struct Hook {
    secret: Mutex<Option<Vec<u8>>>,
    seen: Mutex<Seen>,
}

async fn take(State(hook): State<Arc<Hook>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let (id, ts, sigs) = (
        header("webhook-id"),
        header("webhook-timestamp"),
        header("webhook-signature"),
    );
    let key = hook.secret.lock().unwrap().clone().unwrap_or_default();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{ts}.").as_bytes());
    mac.update(&body);
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    let mut seen = hook.seen.lock().unwrap();
    if sigs.split(' ').any(|s| s == expected) {
        seen.good
            .push((id, serde_json::from_slice(&body).unwrap_or(Value::Null)));
        StatusCode::NO_CONTENT
    } else {
        seen.bad += 1;
        StatusCode::UNAUTHORIZED
    }
}

async fn receiver() -> (SocketAddr, Arc<Hook>) {
    let hook = Arc::new(Hook {
        secret: Mutex::new(None),
        seen: Mutex::new(Seen::default()),
    });
    let app = Router::new()
        .route("/hook", post(take))
        .with_state(hook.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, hook)
}

fn start(database_url: &str) -> ServerProcess {
    harness::start_with(database_url, &harness::WEBHOOKS_TO_THIS_MACHINE)
}

async fn nothing_lost_across_kill_9(database_url: &str) {
    let mentor_email = create_mentor(database_url);
    let (hook_addr, hook) = receiver().await;
    let server = start(database_url);
    let client = Client::new(server.addr);
    let harness::MenteeWorld {
        mentor,
        mentee,
        program,
    } = harness::mentee_world(&client, &mentor_email).await;
    let m = Some(mentor.as_str());
    let created = client
        .data(
            m,
            "mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret } }",
            json!({ "input": { "url": format!("http://{hook_addr}/hook"), "eventTypes": ["PROSPECT_CREATED"] } }),
        )
        .await;
    let secret = str_at(&created, "/createWebhookEndpoint/secret");
    *hook.secret.lock().unwrap() = Some(
        STANDARD
            .decode(secret.strip_prefix("whsec_").unwrap())
            .unwrap(),
    );

    // Prospects created while the server is killed under them: only what it answered counts.
    let acknowledged = Arc::new(Mutex::new(BTreeSet::<String>::new()));
    let writer = {
        let (client, mentee, program, acknowledged) = (
            client.clone(),
            mentee.clone(),
            program.clone(),
            acknowledged.clone(),
        );
        tokio::spawn(async move {
            for i in 0..80 {
                tokio::time::sleep(Duration::from_millis(10)).await;
                let vars = json!({ "p": program, "n": format!("Prospect {i}") });
                match client.try_gql(Some(&mentee), CREATE_PROSPECT, vars).await {
                    Ok(body) => {
                        if let Some(id) = body
                            .pointer("/data/createProspect/prospect/id")
                            .and_then(Value::as_str)
                        {
                            acknowledged.lock().unwrap().insert(id.to_owned());
                        }
                    }
                    Err(_) => return,
                }
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    server.kill_9();
    let _ = writer.await;
    let before = acknowledged.lock().unwrap().len();
    assert!(before >= 10, "only {before} prospects before the kill");

    let server = start(database_url);
    let client = Client::new(server.addr);
    for i in 0..10 {
        let vars = json!({ "p": program, "n": format!("After {i}") });
        let body = client.data(Some(&mentee), CREATE_PROSPECT, vars).await;
        acknowledged
            .lock()
            .unwrap()
            .insert(str_at(&body, "/createProspect/prospect/id"));
    }
    let acknowledged = acknowledged.lock().unwrap().clone();

    // Every acknowledged prospect told, within a minute.
    let mut told: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for _ in 0..600 {
        told.clear();
        counts.clear();
        for (id, body) in &hook.seen.lock().unwrap().good {
            let prospect = body["data"]["prospect"]["id"].as_str().unwrap_or_default();
            told.entry(prospect.to_owned())
                .or_default()
                .insert(id.clone());
            *counts.entry(id.clone()).or_default() += 1;
        }
        if acknowledged.iter().all(|p| told.contains_key(p)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let missing: Vec<&String> = acknowledged
        .iter()
        .filter(|p| !told.contains_key(*p))
        .collect();
    assert!(missing.is_empty(), "lost: {missing:?}");
    assert_eq!(
        hook.seen.lock().unwrap().bad,
        0,
        "every signature checks out"
    );
    // One event per prospect; an event twice at most (an attempt cut by the kill).
    assert!(told.values().all(|ids| ids.len() == 1), "{told:?}");
    let twice = counts.values().filter(|n| **n == 2).count();
    assert!(counts.values().all(|n| *n <= 2), "{counts:?}");
    assert!(
        twice <= 64,
        "{twice} events twice: more than the attempts one round has in flight"
    );

    // Nothing invented: every prospect told exists (one cut before its answer may).
    let listed = client
        .data(
            Some(&mentee),
            "{ prospects(first: 100) { totalCount nodes { id } } }",
            json!({}),
        )
        .await;
    let existing: BTreeSet<String> = listed["prospects"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_owned())
        .collect();
    let total = listed["prospects"]["totalCount"].as_u64().unwrap() as usize;
    assert!(total <= 100, "the test pages once: {total} prospects");
    for prospect in told.keys() {
        assert!(
            existing.contains(prospect),
            "told of a prospect that does not exist: {prospect}"
        );
    }
    assert!(
        existing.len() <= acknowledged.len() + 1,
        "at most one write cut before its answer"
    );
    assert_eq!(
        told.len(),
        existing.len(),
        "every prospect that exists is told"
    );

    // And the log says so, once the worker has recorded the batch it sent (the receiver
    // may see an attempt a moment before its answer is written down). An attempt the kill
    // cut after the receiver had it is made again: at once on SQLite (the restarted server
    // releases the dead one's leases), once its 60 s lease ends on PostgreSQL (where
    // another live instance may hold it).
    let mut pending = json!(null);
    for _ in 0..750 {
        let log = client
            .data(
                m,
                "{ webhookEndpoints { deliveries(first: 100, state: PENDING) { totalCount } } }",
                json!({}),
            )
            .await;
        pending = log["webhookEndpoints"][0]["deliveries"]["totalCount"].clone();
        if pending == json!(0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(pending, json!(0));
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_webhook_event_is_lost_or_invented_across_kill_9_on_sqlite() {
    let database = TestDatabase::sqlite_file();
    nothing_lost_across_kill_9(&database.url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs TEST_DATABASE_URL (PostgreSQL)"]
async fn no_webhook_event_is_lost_or_invented_across_kill_9_on_postgres() {
    let database = TestDatabase::postgres().await;
    nothing_lost_across_kill_9(&database.url).await;
}
