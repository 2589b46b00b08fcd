//! `bench events`: what webhooks and subscriptions cost and sustain (issue 17's targets).
//!
//! - **S10**: S2 (qualify, c=16) with one webhook endpoint subscribed to its events, against
//!   S2 in the same run with the endpoint disabled, alternating which goes first. Target:
//!   throughput at least 0.9 of S2's. Server CPU per request is reported beside it.
//! - **S11**: a backlog of events delivered to a local receiver: events per second from the
//!   first delivery to the last, and the server's CPU per event. Target: at least 500/s.
//! - **S12**: 1,000 subscribers on one connection each; an event (a prospect created)
//!   reaches all of them: latency from sending the mutation to each subscriber's receipt.
//!   Target: p99 under 100 ms.
//!
//! The receiver and the subscribers run in this process, on the load core.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::load::Outcome;
use crate::run::{self, Server, Settings};
use crate::scenarios::{Scenario, Targets};
use crate::serve::Kind;

/// What `bench events` measured.
#[derive(Debug, Serialize)]
pub struct Report {
    pub qualifications: u64,
    pub s2_without: Vec<Outcome>,
    pub s2_with: Vec<Outcome>,
    /// Median throughput with the endpoint over without.
    pub s10_throughput_ratio: f64,
    /// Median server CPU per request with over without.
    pub s10_cpu_ratio: Option<f64>,
    /// Deliveries the receiver got during and after the S2 runs with the endpoint, and the
    /// qualifications those runs made.
    pub s10_delivered: u64,
    pub s10_expected: u64,
    pub s11_events: u64,
    pub s11_events_per_second: f64,
    pub s11_server_cpu_us_per_event: Option<f64>,
    pub s12_subscribers: usize,
    pub s12_events: usize,
    pub s12_p50_ms: f64,
    pub s12_p99_ms: f64,
    pub s12_max_ms: f64,
    pub s12_received: usize,
}

/// The receiver: counts requests, answers 204.
async fn receiver() -> anyhow::Result<(SocketAddr, Arc<AtomicU64>)> {
    let count = Arc::new(AtomicU64::new(0));
    let counted = count.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            let counted = counted.clone();
            async move {
                counted.fetch_add(1, Ordering::Relaxed);
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((addr, count))
}

struct Client {
    http: reqwest::Client,
    addr: SocketAddr,
    authorization: String,
}

impl Client {
    async fn data(&self, query: &str, variables: Value) -> anyhow::Result<Value> {
        let body: Value = self
            .http
            .post(format!("http://{}/graphql", self.addr))
            .header("authorization", &self.authorization)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await?
            .json()
            .await?;
        if body.get("errors").is_some() {
            bail!("GraphQL errors: {body}");
        }
        Ok(body["data"].clone())
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn server_cpu_us(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks * 10_000.0)
}

/// Runs S10, S11 and S12 on the world of `n` qualifications.
///
/// # Errors
/// When a server or the world cannot be set up, or a step fails.
pub async fn run(
    settings: &Settings,
    n: u64,
    backlog: u64,
    subscribers: usize,
) -> anyhow::Result<Report> {
    api::events::worker::install_tls_provider();
    std::fs::create_dir_all(settings.data_dir.join("logs"))?;
    let url = run::database_url(settings, n);
    run::ensure_generated(&url, n, settings.seed).await?;
    let db = store::connect(&url).await?;
    let targets = Targets::find(&db).await?;
    db.close().await.ok();
    let log = settings
        .data_dir
        .join("logs")
        .join(format!("events-{n}.log"));
    let (hook, delivered) = receiver().await?;
    let http = reqwest::Client::new();

    // S10: S2 with and without an endpoint.
    let server = Server::start(Kind::Api, &url, settings, &log)?;
    let (_, writer) = targets.calls(Scenario::S2, Kind::Api);
    let writer = Client {
        http: http.clone(),
        addr: server.at.addr,
        authorization: writer.context("S2 runs as its writer")?,
    };
    let created = writer
        .data(
            "mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { id } } }",
            json!({ "input": { "url": format!("http://{hook}/hook"), "eventTypes": ["PROSPECT_QUALIFIED"] } }),
        )
        .await?;
    let endpoint = created["createWebhookEndpoint"]["endpoint"]["id"].clone();
    let enable = |on: bool| {
        writer.data(
            "mutation($input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $input) { enabled } }",
            json!({ "input": { "id": endpoint, "enabled": on } }),
        )
    };
    let (mut without, mut with) = (Vec::new(), Vec::new());
    let mut expected = 0;
    let before = delivered.load(Ordering::Relaxed);
    for rep in 0..settings.repeats.max(1) {
        for turn in 0..2 {
            let on = (rep + turn) % 2 == 1;
            enable(on).await?;
            let spec = run::spec(settings, &targets, &server, Scenario::S2, 16);
            let outcome = run::load(settings, &spec)?.wait()?;
            eprintln!(
                "S2 {} endpoint: {:.0} req/s, cpu {:?} us/req",
                if on { "with" } else { "without" },
                outcome.requests_per_second,
                outcome.server_cpu_us_per_request
            );
            if on {
                // Warm-up requests qualify too: count every answer, not only the window's.
                expected += outcome.ok;
                with.push(outcome);
            } else {
                without.push(outcome);
            }
        }
    }
    enable(true).await?;
    // Let the worker catch up, then count.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut last = u64::MAX;
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let now = delivered.load(Ordering::Relaxed);
        if now == last {
            break;
        }
        last = now;
    }
    let s10_delivered = delivered.load(Ordering::Relaxed) - before;
    let throughput = |o: &[Outcome]| median(o.iter().map(|o| o.requests_per_second).collect());
    let cpu = |o: &[Outcome]| {
        let v: Vec<f64> = o
            .iter()
            .filter_map(|o| o.server_cpu_us_per_request)
            .collect();
        (!v.is_empty()).then(|| median(v))
    };
    let s10_throughput_ratio = throughput(&with) / throughput(&without);
    let s10_cpu_ratio = cpu(&with).zip(cpu(&without)).map(|(a, b)| a / b);
    let programs = writer
        .data("{ programs(first: 1) { nodes { id } } }", json!({}))
        .await?;
    let program = programs["programs"]["nodes"][0]["id"].clone();
    drop(server);

    // S11: a backlog delivered.
    let db = store::connect(&url).await?;
    let writer_id =
        store::users::user_by_email(&db, &crate::world::mentee_email(crate::world::WRITER))
            .await?
            .context("the writer")?
            .id;
    let txn = store::begin_write(&db).await?;
    for i in 0..backlog {
        let id = uuid::Uuid::now_v7();
        let event = store::events::NewEvent {
            id,
            event_type: domain::events::EventType::ProspectQualified,
            occurred_at: chrono::Utc::now(),
            audience: domain::events::Audience {
                program_id: None,
                mentor_id: None,
                subject_id: Some(writer_id),
            },
            body: json!({ "id": api::events::wire_id(id), "type": "prospect.qualified",
                          "timestamp": chrono::Utc::now().to_rfc3339(), "data": { "n": i } })
            .to_string(),
            dedupe_key: None,
        };
        store::events::insert_event(&txn, &event).await?;
    }
    txn.commit().await?;
    db.close().await.ok();
    let start_count = delivered.load(Ordering::Relaxed);
    let server = Server::start(Kind::Api, &url, settings, &log)?;
    let cpu_start = server_cpu_us(server.child_id());
    let mut first: Option<Instant> = None;
    let deadline = Instant::now() + Duration::from_secs(300);
    let last_at = loop {
        let got = delivered.load(Ordering::Relaxed) - start_count;
        if got > 0 && first.is_none() {
            first = Some(Instant::now());
        }
        if got >= backlog {
            break Instant::now();
        }
        if Instant::now() > deadline {
            bail!("S11: {got} of {backlog} delivered in 5 minutes");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let cpu_end = server_cpu_us(server.child_id());
    let seconds = last_at
        .duration_since(first.unwrap_or(last_at))
        .as_secs_f64();
    let s11_events_per_second = backlog as f64 / seconds.max(1e-9);
    let s11_server_cpu_us_per_event = cpu_start
        .zip(cpu_end)
        .map(|(a, b)| (b - a) / backlog as f64);
    eprintln!("S11: {backlog} events in {seconds:.2} s: {s11_events_per_second:.0}/s");

    // S12: subscribers.
    let writer = Client {
        http,
        addr: server.at.addr,
        authorization: writer.authorization,
    };
    let token = writer
        .authorization
        .strip_prefix("Bearer ")
        .unwrap_or(&writer.authorization)
        .to_owned();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(String, Instant)>();
    let mut ready = Vec::new();
    for _ in 0..subscribers {
        let mut request = format!("ws://{}/graphql", server.at.addr).into_client_request()?;
        request
            .headers_mut()
            .insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse()?);
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
        socket
            .send(Message::Text(
                json!({ "type": "connection_init", "payload": { "token": token } })
                    .to_string()
                    .into(),
            ))
            .await?;
        socket
            .send(Message::Text(
                json!({ "id": "1", "type": "subscribe", "payload": { "query":
                    "subscription { events(types: [PROSPECT_CREATED]) { data } }" } })
                .to_string()
                .into(),
            ))
            .await?;
        let tx = tx.clone();
        let (ack_tx, ack_rx) = tokio::sync::oneshot::channel::<()>();
        ready.push(ack_rx);
        tokio::spawn(async move {
            let mut ack = Some(ack_tx);
            while let Some(Ok(message)) = socket.next().await {
                let Message::Text(text) = message else {
                    continue;
                };
                let at = Instant::now();
                let Ok(value) = serde_json::from_str::<Value>(&text) else {
                    continue;
                };
                match value["type"].as_str() {
                    Some("connection_ack") => {
                        if let Some(ack) = ack.take() {
                            let _ = ack.send(());
                        }
                    }
                    Some("ping") => {
                        let _ = socket
                            .send(Message::Text(r#"{"type":"pong"}"#.into()))
                            .await;
                    }
                    Some("next") => {
                        let name = value["payload"]["data"]["events"]["data"]["prospect"]["name"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned();
                        let _ = tx.send((name, at));
                    }
                    _ => {}
                }
            }
        });
    }
    drop(tx);
    for ack in ready {
        ack.await.context("a subscriber was not acknowledged")?;
    }
    // Let every subscription register with the hub.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rounds = 20;
    let mut latencies = Vec::with_capacity(rounds * subscribers);
    let mut received = 0;
    for round in 0..rounds {
        let name = format!("S12 round {round}");
        let sent = Instant::now();
        writer
            .data(
                "mutation($input: CreateProspectInput!) { createProspect(input: $input) { prospect { id } } }",
                json!({ "input": { "programId": program, "name": name } }),
            )
            .await?;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        let mut got = 0;
        while got < subscribers {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some((seen, at))) if seen == name => {
                    got += 1;
                    latencies.push(at.duration_since(sent).as_secs_f64() * 1_000.0);
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
        received += got;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };
    let report = Report {
        qualifications: n,
        s10_throughput_ratio,
        s10_cpu_ratio,
        s10_delivered,
        s10_expected: expected,
        s2_without: without,
        s2_with: with,
        s11_events: backlog,
        s11_events_per_second,
        s11_server_cpu_us_per_event,
        s12_subscribers: subscribers,
        s12_events: rounds,
        s12_p50_ms: at(0.5),
        s12_p99_ms: at(0.99),
        s12_max_ms: latencies.last().copied().unwrap_or(f64::NAN),
        s12_received: received,
    };
    // Leave the world as it was found: an endpoint left enabled would make every later S2
    // run (`bench run`) deliver to a receiver that is gone.
    writer
        .data(
            "mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }",
            json!({ "id": endpoint }),
        )
        .await?;
    drop(server);
    Ok(report)
}
