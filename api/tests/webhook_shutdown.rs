//! SIGTERM in the middle of a round of slow webhook attempts: no attempt starts after the
//! signal, those in flight end within the webhook timeout, the process exits 0 long before
//! the round would have ended, and it leaves no lease: restarted, the server sends every
//! event at once, not when a lease runs out. The real binary, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// Shared with the crash test; this test uses a part of it.
#[allow(dead_code)]
#[path = "crash_safety/harness.rs"]
mod harness;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use serde_json::{Value, json};
use test_support::database::TestDatabase;
use test_support::process::ServerProcess;

use harness::{CREATE_PROSPECT, Client, create_mentor, str_at};

/// Seconds a webhook request may take here: every slow attempt ends after this.
const TIMEOUT_SECS: u64 = 4;
/// Requests the worker has in flight at once (`worker::Settings::default`).
const CONCURRENCY: usize = 64;

/// A receiver that holds every request for a minute while `slow`, and otherwise answers
/// 204 at once, noting each prospect it is told of.
struct Hook {
    slow: AtomicBool,
    arrived: AtomicUsize,
    told: Mutex<BTreeSet<String>>,
}

async fn take(State(hook): State<Arc<Hook>>, body: Bytes) -> StatusCode {
    hook.arrived.fetch_add(1, Ordering::SeqCst);
    if hook.slow.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_secs(60)).await;
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if let Some(id) = body["data"]["prospect"]["id"].as_str() {
        hook.told.lock().unwrap().insert(id.to_owned());
    }
    StatusCode::NO_CONTENT
}

fn start(database_url: &str) -> ServerProcess {
    let timeout = TIMEOUT_SECS.to_string();
    let mut env = harness::WEBHOOKS_TO_THIS_MACHINE.to_vec();
    env.push(("QUALIFY_WEBHOOK_TIMEOUT_SECS", &timeout));
    harness::start_with(database_url, &env)
}

async fn shutdown_mid_round(database_url: &str) {
    let mentor_email = create_mentor(database_url);
    let hook = Arc::new(Hook {
        slow: AtomicBool::new(true),
        arrived: AtomicUsize::new(0),
        told: Mutex::default(),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_addr = listener.local_addr().unwrap();
    let app = Router::new()
        .route("/hook", post(take))
        .with_state(hook.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });

    let server = start(database_url);
    let client = Client::new(server.addr);
    let world = harness::mentee_world(&client, &mentor_email).await;
    client
        .data(
            Some(&world.mentor),
            "mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret } }",
            json!({ "input": { "url": format!("http://{hook_addr}/hook"), "eventTypes": ["PROSPECT_CREATED"] } }),
        )
        .await;
    // Five waves' worth of prospects, made while the first attempts hang: the next round
    // leases them together.
    let mut writers = Vec::new();
    for w in 0..8 {
        let (client, mentee, program) =
            (client.clone(), world.mentee.clone(), world.program.clone());
        writers.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for i in 0..40 {
                let vars = json!({ "p": program, "n": format!("Prospect {w}-{i}") });
                let body = client.data(Some(&mentee), CREATE_PROSPECT, vars).await;
                ids.push(str_at(&body, "/createProspect/prospect/id"));
            }
            ids
        }));
    }
    let mut prospects = BTreeSet::new();
    for writer in writers {
        prospects.extend(writer.await.unwrap());
    }

    // A full wave in flight, and no new request for a second: mid-wave, the next slots
    // free only when these time out.
    let began = Instant::now();
    let mut last = (0, Instant::now());
    loop {
        let now = hook.arrived.load(Ordering::SeqCst);
        if now != last.0 {
            last = (now, Instant::now());
        } else if now >= CONCURRENCY && last.1.elapsed() >= Duration::from_secs(1) {
            break;
        }
        assert!(
            began.elapsed() < Duration::from_secs(60),
            "no full wave: {now} requests"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let at_signal = hook.arrived.load(Ordering::SeqCst);
    assert!(
        at_signal < prospects.len(),
        "the round is still under way ({at_signal} of {})",
        prospects.len()
    );
    let signalled = Instant::now();
    let status = tokio::task::spawn_blocking(move || server.terminate(Duration::from_secs(60)))
        .await
        .unwrap()
        .expect("exited");
    let took = signalled.elapsed();
    assert!(status.success(), "exit {status}");
    // The rest of the round would have been several more waves of TIMEOUT_SECS each.
    assert!(
        took < Duration::from_secs(TIMEOUT_SECS + 5),
        "exited {took:?} after SIGTERM"
    );
    assert_eq!(
        hook.arrived.load(Ordering::SeqCst),
        at_signal,
        "an attempt started after SIGTERM"
    );

    // Restarted with a quick receiver: every event sent well within a lease (60 s).
    hook.slow.store(false, Ordering::SeqCst);
    let server = start(database_url);
    let restarted = Instant::now();
    while restarted.elapsed() < Duration::from_secs(30) {
        if hook.told.lock().unwrap().is_superset(&prospects) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let told = hook.told.lock().unwrap().clone();
    let missing: Vec<&String> = prospects.difference(&told).collect();
    assert!(
        missing.is_empty(),
        "{} of {} not told 30 s after the restart (a lease left behind?)",
        missing.len(),
        prospects.len()
    );
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_mid_round_starts_no_attempt_and_leaves_no_lease_on_sqlite() {
    let database = TestDatabase::sqlite_file();
    shutdown_mid_round(&database.url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs TEST_DATABASE_URL (PostgreSQL)"]
async fn sigterm_mid_round_starts_no_attempt_and_leaves_no_lease_on_postgres() {
    let database = TestDatabase::postgres().await;
    shutdown_mid_round(&database.url).await;
}
