//! Subscriptions over a real WebSocket with the `graphql-transport-ws` protocol: events
//! reach only those who may see them; credentials come in `connection_init` and the
//! connection closes when they stop working; only subscriptions run there; origins,
//! protocol and limits are enforced.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::definitions::Answers;
use crate::helpers::{TestApp, ok, str_at};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const EVENTS: &str = "subscription($types: [WebhookEventType!], $program: ID) { \
    events(types: $types, programId: $program) { id type occurredAt data } }";

/// A connection to `app`, with `headers` on the upgrade; the HTTP status when refused.
async fn open(app: &TestApp, headers: &[(&str, &str)]) -> Result<Socket, u16> {
    open_at(app.addr, "graphql-transport-ws", headers).await
}

/// A connection to the server at `addr` offering `protocol`; the HTTP status when refused.
async fn open_at(
    addr: std::net::SocketAddr,
    protocol: &'static str,
    headers: &[(&str, &str)],
) -> Result<Socket, u16> {
    let mut request = format!("ws://{addr}/graphql")
        .into_client_request()
        .expect("a request");
    request
        .headers_mut()
        .insert("Sec-WebSocket-Protocol", HeaderValue::from_static(protocol));
    for (name, value) in headers {
        request.headers_mut().insert(
            tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, response)) => {
            assert_eq!(response.headers()["sec-websocket-protocol"], protocol);
            Ok(socket)
        }
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            Err(response.status().as_u16())
        }
        Err(e) => panic!("connect: {e}"),
    }
}

async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::Text(message.to_string().into()))
        .await
        .expect("sent");
}

/// The next protocol message (pings answered and skipped), or the close frame's code.
async fn next(socket: &mut Socket, within: Duration) -> Result<Value, Option<u16>> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let message = match tokio::time::timeout_at(deadline, socket.next()).await {
            Err(_) => return Err(None),
            Ok(None) => return Err(Some(1006)),
            Ok(Some(Err(_))) => return Err(Some(1006)),
            Ok(Some(Ok(message))) => message,
        };
        match message {
            Message::Text(text) => {
                let value: Value = serde_json::from_str(&text).expect("JSON");
                if value["type"] == "ping" {
                    send(socket, json!({ "type": "pong" })).await;
                    continue;
                }
                return Ok(value);
            }
            Message::Close(frame) => return Err(frame.map(|f| u16::from(f.code))),
            _ => {}
        }
    }
}

/// A connection acknowledged for `token`.
async fn connect(app: &TestApp, token: &str) -> Socket {
    let mut socket = open(app, &[]).await.expect("upgraded");
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } }),
    )
    .await;
    let ack = next(&mut socket, Duration::from_secs(5))
        .await
        .expect("an ack");
    assert_eq!(ack["type"], "connection_ack");
    socket
}

async fn subscribe(socket: &mut Socket, id: &str, query: &str, variables: Value) {
    send(
        socket,
        json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": variables } }),
    )
    .await;
}

/// The `next` payloads of subscription `id` that come within `within`.
async fn collect(socket: &mut Socket, id: &str, n: usize, within: Duration) -> Vec<Value> {
    let mut got = Vec::new();
    let deadline = tokio::time::Instant::now() + within;
    while got.len() < n {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match next(socket, left).await {
            Ok(message) if message["id"] == id && message["type"] == "next" => {
                got.push(message["payload"].clone());
            }
            Ok(other) => panic!("unexpected {other} after {got:?}"),
            Err(_) => break,
        }
    }
    got
}

#[tokio::test]
async fn a_subscriber_gets_the_events_it_may_see_and_no_others() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let other = app.mentee_in_program("STRICT").await;
    let mut mentor = connect(&app, &w.mentor.access).await;
    let mut mentee = connect(&app, &w.mentee.access).await;
    let mut stranger = connect(&app, &other.mentor.access).await;
    subscribe(&mut mentor, "all", EVENTS, json!({})).await;
    subscribe(
        &mut mentee,
        "created",
        EVENTS,
        json!({ "types": ["PROSPECT_CREATED"], "program": w.program_id }),
    )
    .await;
    subscribe(&mut stranger, "all", EVENTS, json!({})).await;
    // Subscribed before anything happens: give the server a moment to register them.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let prospect = app
        .create_prospect(&w.mentee, &w.program_id, "Live Ltd")
        .await;
    let qualified = app
        .qualify(&w.mentee, &prospect, &Answers::all_best(), None)
        .await;

    let got = collect(&mut mentor, "all", 2, Duration::from_secs(5)).await;
    assert_eq!(got.len(), 2, "{got:?}");
    let events: Vec<&Value> = got.iter().map(|p| &p["data"]["events"]).collect();
    assert_eq!(events[0]["type"], "PROSPECT_CREATED");
    assert_eq!(events[1]["type"], "PROSPECT_QUALIFIED");
    assert_eq!(events[0]["data"]["prospect"]["id"], json!(prospect));
    assert_eq!(
        events[1]["data"]["qualification"]["id"],
        qualified["qualification"]["id"]
    );
    assert!(events[0]["id"].as_str().unwrap().starts_with("evt_"));
    assert!(events[0]["occurredAt"].is_string());

    let mine = collect(&mut mentee, "created", 1, Duration::from_secs(5)).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(
        mine[0]["data"]["events"]["id"], events[0]["id"],
        "one id for one event"
    );
    assert_eq!(mine[0]["data"]["events"]["type"], "PROSPECT_CREATED");
    // Nothing more for the mentee (the qualification is filtered out), nothing for others.
    assert!(
        collect(&mut mentee, "created", 1, Duration::from_millis(700))
            .await
            .is_empty()
    );
    assert!(
        collect(&mut stranger, "all", 1, Duration::from_millis(300))
            .await
            .is_empty()
    );

    // Someone else's program: not found, as everywhere.
    subscribe(
        &mut stranger,
        "theirs",
        EVENTS,
        json!({ "program": w.program_id }),
    )
    .await;
    // An error in execution: a `next` with the error, then `complete`.
    let refused = next(&mut stranger, Duration::from_secs(5)).await.unwrap();
    assert_eq!(refused["type"], "next", "{refused}");
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"],
        "NOT_FOUND"
    );
    assert_eq!(refused["payload"]["data"], Value::Null);
    let done = next(&mut stranger, Duration::from_secs(5)).await.unwrap();
    assert_eq!(
        (done["id"].as_str(), done["type"].as_str()),
        (Some("theirs"), Some("complete"))
    );

    // Complete: nothing more is sent on that id.
    send(&mut mentor, json!({ "id": "all", "type": "complete" })).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    app.create_prospect(&w.mentee, &w.program_id, "After").await;
    while let Ok(message) = next(&mut mentor, Duration::from_millis(700)).await {
        assert_ne!(message["type"], "next", "{message}");
    }
}

#[tokio::test]
async fn a_connection_needs_credentials_and_closes_when_they_stop_working() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;

    // No credentials: closed with 4403.
    let mut anonymous = open(&app, &[]).await.unwrap();
    send(&mut anonymous, json!({ "type": "connection_init" })).await;
    assert_eq!(
        next(&mut anonymous, Duration::from_secs(5)).await,
        Err(Some(4403))
    );
    let mut forged = open(&app, &[]).await.unwrap();
    send(
        &mut forged,
        json!({ "type": "connection_init", "payload": { "token": "not.a.token" } }),
    )
    .await;
    assert_eq!(
        next(&mut forged, Duration::from_secs(5)).await,
        Err(Some(4403))
    );

    // The access token in the upgrade's header works too.
    let bearer = format!("Bearer {}", w.mentee.access);
    let mut by_header = open(&app, &[("authorization", &bearer)]).await.unwrap();
    send(&mut by_header, json!({ "type": "connection_init" })).await;
    assert_eq!(
        next(&mut by_header, Duration::from_secs(5)).await.unwrap()["type"],
        "connection_ack"
    );

    // A logout ends the session: its connections close.
    let mut session = connect(&app, &w.mentee.access).await;
    subscribe(&mut session, "s", EVENTS, json!({})).await;
    let logout = "mutation($t: String!) { logout(refreshToken: $t) { ok } }";
    ok(app
        .gql(w.mentee.tok(), logout, json!({ "t": w.mentee.refresh }))
        .await);
    assert_eq!(
        next(&mut session, Duration::from_secs(5)).await,
        Err(Some(4403))
    );
    assert_eq!(
        next(&mut by_header, Duration::from_secs(5)).await,
        Err(Some(4403))
    );

    // A revoked key: the same.
    let mentor = w.mentor.tok();
    let created = ok(app
        .gql(
            mentor,
            "mutation { createApiKey(input: { name: \"live\", access: READ }) { secret apiKey { id } } }",
            json!({}),
        )
        .await);
    let key = str_at(&created, "/createApiKey/secret");
    let mut through_key = connect(&app, &key).await;
    subscribe(&mut through_key, "k", EVENTS, json!({})).await;
    ok(app
        .gql(
            mentor,
            "mutation($id: ID!) { revokeApiKey(id: $id) { id } }",
            json!({ "id": created["createApiKey"]["apiKey"]["id"] }),
        )
        .await);
    assert_eq!(
        next(&mut through_key, Duration::from_secs(5)).await,
        Err(Some(4403))
    );
}

#[tokio::test]
async fn only_subscriptions_run_over_websocket_and_the_limits_hold() {
    let app = TestApp::spawn_with(|config| {
        config.subscriptions.connections_per_user = 1;
        config.subscriptions.subscriptions_per_connection = 1;
        config.subscriptions.init_timeout = Duration::from_millis(500);
    })
    .await;
    let w = app.mentee_in_program("STRICT").await;
    let mut socket = connect(&app, &w.mentee.access).await;

    subscribe(&mut socket, "q", "{ viewer { id } }", json!({})).await;
    let refused = next(&mut socket, Duration::from_secs(5)).await.unwrap();
    assert_eq!(refused["type"], "error");
    assert_eq!(refused["payload"][0]["extensions"]["code"], "BAD_REQUEST");
    let mutation = "mutation { createApiKey(input: { name: \"x\", access: READ }) { secret } }";
    subscribe(&mut socket, "m", mutation, json!({})).await;
    let refused = next(&mut socket, Duration::from_secs(5)).await.unwrap();
    assert_eq!(refused["payload"][0]["extensions"]["code"], "BAD_REQUEST");
    let keys = ok(app
        .gql(w.mentee.tok(), "{ apiKeys { id } }", json!({}))
        .await);
    assert_eq!(keys["apiKeys"], json!([]), "the mutation did not run");
    subscribe(
        &mut socket,
        "bad",
        "subscription { events { nope } }",
        json!({}),
    )
    .await;
    let refused = next(&mut socket, Duration::from_secs(5)).await.unwrap();
    assert_eq!(refused["type"], "error");
    assert_eq!(
        refused["payload"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED",
        "{refused}"
    );

    // One subscription per connection here: the second is refused, the first goes on.
    subscribe(&mut socket, "one", EVENTS, json!({})).await;
    subscribe(&mut socket, "two", EVENTS, json!({})).await;
    let refused = next(&mut socket, Duration::from_secs(5)).await.unwrap();
    assert_eq!(refused["id"], "two");
    assert_eq!(refused["type"], "next", "{refused}");
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"],
        "BAD_USER_INPUT"
    );
    assert_eq!(
        refused["payload"]["errors"][0]["message"],
        "invalid input: events: this connection has 1 subscriptions open already"
    );
    let done = next(&mut socket, Duration::from_secs(5)).await.unwrap();
    assert_eq!(done["type"], "complete");
    app.create_prospect(&w.mentee, &w.program_id, "Counted")
        .await;
    assert_eq!(
        collect(&mut socket, "one", 1, Duration::from_secs(5))
            .await
            .len(),
        1
    );

    // One connection per user here: a second one is refused at init.
    let mut second = open(&app, &[]).await.unwrap();
    send(
        &mut second,
        json!({ "type": "connection_init", "payload": { "token": w.mentee.access } }),
    )
    .await;
    assert_eq!(
        next(&mut second, Duration::from_secs(5)).await,
        Err(Some(4403))
    );

    // No init in time: 4408.
    let mut silent = open(&app, &[]).await.unwrap();
    assert_eq!(
        next(&mut silent, Duration::from_secs(5)).await,
        Err(Some(4408))
    );
}

#[tokio::test]
async fn the_upgrade_needs_the_protocol_and_an_allowed_origin_and_http_refuses_subscriptions() {
    let app = TestApp::spawn_with(|config| {
        config.cors_origins = vec!["https://app.example".to_owned()];
    })
    .await;
    assert_eq!(
        open(&app, &[("origin", "https://evil.example")])
            .await
            .err(),
        Some(403)
    );
    assert!(
        open(&app, &[("origin", "https://app.example")])
            .await
            .is_ok()
    );
    // The older `graphql-ws` (subscriptions-transport-ws) protocol is not spoken.
    assert_eq!(open_at(app.addr, "graphql-ws", &[]).await.err(), Some(400));
    let body = app
        .gql(None, "subscription { events { id } }", json!({}))
        .await;
    assert_eq!(
        body["errors"][0]["message"],
        "subscriptions run over WebSocket (graphql-transport-ws) on /graphql",
        "{body}"
    );
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_REQUEST");
    assert!(
        body.get("data").is_none() || body["data"].is_null(),
        "{body}"
    );
}

#[tokio::test]
async fn an_event_reaches_a_subscriber_connected_to_another_instance() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    // A second instance on the same database; the subscriber talks to it only.
    let Some(other) = app.another_instance().await else {
        return;
    };
    let mut socket = open_at(other.addr, "graphql-transport-ws", &[])
        .await
        .unwrap();
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": { "token": w.mentor.access } }),
    )
    .await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(5)).await.unwrap()["type"],
        "connection_ack"
    );
    subscribe(&mut socket, "all", EVENTS, json!({})).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Written through the first instance.
    let prospect = app
        .create_prospect(&w.mentee, &w.program_id, "Elsewhere")
        .await;
    let got = collect(&mut socket, "all", 1, Duration::from_secs(5)).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["data"]["events"]["type"], "PROSPECT_CREATED");
    assert_eq!(
        got[0]["data"]["events"]["data"]["prospect"]["id"],
        json!(prospect)
    );
    other.stop().await;
}

#[tokio::test]
async fn protocol_violations_close_the_connection_with_the_protocols_codes() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let subscribe_message = |id: &str| json!({ "id": id, "type": "subscribe", "payload": { "query": "subscription { events { id } }" } });

    // A subscription before the connection is acknowledged: 4401.
    let mut early = open(&app, &[]).await.unwrap();
    send(&mut early, subscribe_message("1")).await;
    assert_eq!(
        next(&mut early, Duration::from_secs(5)).await,
        Err(Some(4401))
    );

    // Not a protocol message: 4400.
    for junk in ["{not json", r#"{"type":"launch"}"#, "42"] {
        let mut socket = connect(&app, &w.mentee.access).await;
        socket.send(Message::Text(junk.into())).await.unwrap();
        assert_eq!(
            next(&mut socket, Duration::from_secs(5)).await,
            Err(Some(4400)),
            "{junk}"
        );
    }

    // Larger than the message limit: 4400, and the server goes on.
    let mut huge = connect(&app, &w.mentee.access).await;
    let _ = huge.send(Message::Text("x".repeat(1 << 20).into())).await;
    assert!(matches!(
        next(&mut huge, Duration::from_secs(5)).await,
        Err(Some(_))
    ));

    // The id of a subscription still running: 4409; once completed, it may be used again.
    let mut socket = connect(&app, &w.mentee.access).await;
    send(&mut socket, subscribe_message("x")).await;
    send(&mut socket, json!({ "id": "x", "type": "complete" })).await;
    send(&mut socket, subscribe_message("x")).await;
    send(&mut socket, subscribe_message("x")).await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(5)).await,
        Err(Some(4409))
    );
    ok(app
        .gql(w.mentee.tok(), "{ viewer { id } }", json!({}))
        .await);
}

#[tokio::test]
async fn a_program_key_hears_only_its_program() {
    let app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    // The same mentor's second program, with a mentee of its own.
    let second = app.create_program(&w.mentor, &w.version_id).await;
    let (_, code) = app.create_invite(&w.mentor, &second, None).await;
    let other = app.sign_up(&code).await;
    let key = ok(app
        .gql(
            w.mentor.tok(),
            "mutation($p: ID!) { createApiKey(input: { name: \"one program\", access: READ, programId: $p }) { secret } }",
            json!({ "p": w.program_id }),
        )
        .await);
    let key = str_at(&key, "/createApiKey/secret");
    let mut narrowed = connect(&app, &key).await;
    let mut whole = connect(&app, &w.mentor.access).await;
    subscribe(&mut narrowed, "k", EVENTS, json!({})).await;
    subscribe(&mut whole, "t", EVENTS, json!({})).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let outside = app.create_prospect(&other, &second, "Other program").await;
    let inside = app
        .create_prospect(&w.mentee, &w.program_id, "Key's program")
        .await;
    let heard = collect(&mut narrowed, "k", 2, Duration::from_millis(1_500)).await;
    assert_eq!(heard.len(), 1, "{heard:?}");
    assert_eq!(
        heard[0]["data"]["events"]["data"]["prospect"]["id"],
        json!(inside)
    );
    let all = collect(&mut whole, "t", 2, Duration::from_secs(5)).await;
    let ids: Vec<&Value> = all
        .iter()
        .map(|p| &p["data"]["events"]["data"]["prospect"]["id"])
        .collect();
    assert_eq!(ids, [&json!(outside), &json!(inside)]);
}

#[tokio::test]
async fn the_server_pings_and_trusted_documents_hold_over_websocket() {
    let trusted = "subscription Live { events { id type } }";
    let create = "mutation Create($i: CreateProspectInput!) { createProspect(input: $i) { prospect { id } } }";
    let manifest = json!({ "sha256:live": trusted, "sha256:create": create }).to_string();
    let documents = api::http::trusted::TrustedDocuments::parse(&manifest).unwrap();
    // The world is set up first; then the server restarts in trusted-documents mode.
    let mut app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    if let Some(plain) = app.take_server() {
        plain.stop().await;
    }
    let mut config = api::Config::for_tests(app.database_url.clone());
    config.trusted_documents = Some(std::sync::Arc::new(documents));
    config.subscriptions.keepalive = Duration::from_millis(200);
    let server = api::start(config).await.unwrap();
    app.addr = server.addr;
    let app = &app;
    let mut socket = connect(app, &w.mentee.access).await;
    // A protocol ping comes on its own.
    let pinged = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            if let Some(Ok(Message::Text(text))) = socket.next().await
                && text.contains("\"ping\"")
            {
                return true;
            }
        }
    })
    .await;
    assert_eq!(pinged, Ok(true));

    // A document not in the manifest is refused; the trusted one, named or sent, runs.
    subscribe(
        &mut socket,
        "no",
        "subscription { events { id } }",
        json!({}),
    )
    .await;
    let refused = next(&mut socket, Duration::from_secs(5)).await.unwrap();
    assert_eq!(refused["type"], "error");
    assert_eq!(
        refused["payload"][0]["extensions"]["code"],
        "TRUSTED_DOCUMENTS_ONLY"
    );
    send(
        &mut socket,
        json!({ "id": "named", "type": "subscribe", "payload": { "query": "",
                "extensions": { "persistedQuery": { "version": 1, "sha256Hash": "live" } } } }),
    )
    .await;
    subscribe(&mut socket, "sent", trusted, json!({})).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let created: Value = reqwest::Client::new()
        .post(format!("http://{}/graphql", app.addr))
        .header("authorization", format!("Bearer {}", w.mentee.access))
        .json(&json!({ "documentId": "sha256:create",
                       "variables": { "i": { "programId": w.program_id, "name": "Trusted" } } }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        created["data"]["createProspect"]["prospect"]["id"].is_string(),
        "{created}"
    );
    let mut ids = Vec::new();
    for _ in 0..2 {
        let message = next(&mut socket, Duration::from_secs(5)).await.unwrap();
        assert_eq!(message["type"], "next", "{message}");
        assert_eq!(
            message["payload"]["data"]["events"]["type"],
            "PROSPECT_CREATED"
        );
        ids.push(message["id"].as_str().unwrap().to_owned());
    }
    ids.sort();
    assert_eq!(ids, ["named", "sent"]);
    server.stop().await;
}

/// A subscriber further behind than its buffer gets `LAGGED` and its subscription ends;
/// the reason is one of `Conflict::ALL` (`response_shape` checks each is reached).
pub async fn lagged_reason() -> String {
    let app = TestApp::spawn_with(|config| config.subscriptions.buffer = 2).await;
    let w = app.mentee_in_program("STRICT").await;
    let mut socket = connect(&app, &w.mentee.access).await;
    subscribe(&mut socket, "s", EVENTS, json!({})).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Twenty events in one transaction: the hub sends them at once, past the buffer.
    let csv: String = std::iter::once("name".to_owned())
        .chain((0..20).map(|i| format!("Imported {i}")))
        .collect::<Vec<_>>()
        .join("\n");
    let response = reqwest::Client::new()
        .post(format!(
            "http://{}/import/prospects.csv?programId={}",
            app.addr, w.program_id
        ))
        .header("content-type", "text/csv")
        .header("authorization", format!("Bearer {}", w.mentee.access))
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    loop {
        let message = next(&mut socket, Duration::from_secs(5)).await.unwrap();
        assert_eq!(message["type"], "next", "{message}");
        if let Some(error) = message["payload"]["errors"].get(0) {
            assert_eq!(error["extensions"]["code"], "CONFLICT");
            let done = next(&mut socket, Duration::from_secs(5)).await.unwrap();
            assert_eq!(done["type"], "complete", "the subscription ends");
            return error["extensions"]["reason"].as_str().unwrap().to_owned();
        }
    }
}

#[tokio::test]
async fn a_subscriber_that_falls_behind_its_buffer_is_told_and_ended() {
    assert_eq!(lagged_reason().await, "LAGGED");
}

#[tokio::test]
async fn a_shutdown_closes_subscriptions_with_going_away() {
    let mut app = TestApp::spawn().await;
    let w = app.mentee_in_program("STRICT").await;
    let mut socket = connect(&app, &w.mentee.access).await;
    subscribe(&mut socket, "s", EVENTS, json!({})).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let server = app.take_server().unwrap();
    let stopping = tokio::spawn(server.stop());
    assert_eq!(
        next(&mut socket, Duration::from_secs(5)).await,
        Err(Some(1001))
    );
    tokio::time::timeout(Duration::from_secs(15), stopping)
        .await
        .expect("the server stops")
        .unwrap();
}
