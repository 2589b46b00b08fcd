//! GraphQL subscriptions over WebSocket on `/graphql`, with the `graphql-transport-ws`
//! protocol (what `graphql-ws` clients speak). The HTTP half of it:
//!
//! - the upgrade: only that protocol; a browser's `Origin` must be an allowed CORS origin
//!   or the server's own host;
//! - who: the token or API key in `connection_init`'s payload (`Authorization`,
//!   `authorization` or `token`), else the upgrade request's `Authorization` header;
//!   anonymous connections are refused (4403). At most `connections_per_user` at once per
//!   user, `subscriptions_per_connection` per connection;
//! - only subscriptions run here (queries and mutations go over HTTP, through the one
//!   door with idempotency, limits and the null rules), after the same text and document
//!   limits; under `--trusted-documents`, only trusted documents;
//! - keep-alive: a protocol `ping` every `keepalive`; 4408 when `connection_init` does not
//!   come within `init_timeout`;
//! - the credentials are checked again every `recheck`: a logout, an ended session, a
//!   revoked key or a removed account closes the connection (4403).
//!
//! Executing a subscription is async-graphql's; what it yields is `graphql::subscription`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_graphql::http::{WebSocket as GraphQLWebSocket, WebSocketProtocols, WsMessage};
use async_graphql::parser::types::OperationType;
use async_graphql::{Data, Executor, Request as GraphQLRequest, Response, ServerError};
use axum::extract::FromRequestParts;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response as HttpResponse};
use futures_util::stream::BoxStream;
use futures_util::{SinkExt, StreamExt};
use uuid::Uuid;

use crate::app::{Actor, AppState, Credentials};
use crate::graphql::engine::limits;
use crate::graphql::schema::QualifySchema;
use crate::graphql::subscription::Open;

/// The one protocol spoken.
pub const PROTOCOL: &str = "graphql-transport-ws";

/// Limits and timers of subscriptions; each has a flag (`cli`).
#[derive(Debug, Clone)]
pub struct Settings {
    pub connections_per_user: usize,
    pub subscriptions_per_connection: usize,
    /// How often a connection's credentials are checked again.
    pub recheck: Duration,
    /// How often the server pings.
    pub keepalive: Duration,
    /// How long `connection_init` may take to come.
    pub init_timeout: Duration,
    /// Events a subscriber may fall behind before its subscription ends with `LAGGED`.
    pub buffer: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            connections_per_user: 10,
            subscriptions_per_connection: 20,
            recheck: Duration::from_secs(5),
            keepalive: Duration::from_secs(15),
            init_timeout: Duration::from_secs(10),
            buffer: crate::events::hub::CAPACITY,
        }
    }
}

/// Open connections per user, on this instance, and the signal that closes them all.
#[derive(Debug)]
pub struct Registry {
    open: Mutex<HashMap<Uuid, usize>>,
    closing: tokio::sync::watch::Sender<bool>,
}

impl Default for Registry {
    fn default() -> Self {
        Registry {
            open: Mutex::default(),
            closing: tokio::sync::watch::channel(false).0,
        }
    }
}

/// A connection's place in the registry, given back when it closes.
struct Admitted {
    registry: Arc<Registry>,
    user: Uuid,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        if let Ok(mut open) = self.registry.open.lock()
            && let Some(n) = open.get_mut(&self.user)
        {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.user);
            }
        }
    }
}

impl Registry {
    /// The server is shutting down: every connection closes with 1001 ("going away").
    pub fn close_all(&self) {
        self.closing.send_replace(true);
    }

    fn admit(self: &Arc<Self>, user: Uuid, limit: usize) -> Option<Admitted> {
        let mut open = self.open.lock().ok()?;
        let n = open.entry(user).or_default();
        if *n >= limit {
            return None;
        }
        *n += 1;
        Some(Admitted {
            registry: self.clone(),
            user,
        })
    }
}

/// Whether the request asks to become a WebSocket.
pub fn is_upgrade(headers: &HeaderMap) -> bool {
    headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

fn refuse(status: StatusCode, code: &str, message: &str) -> HttpResponse {
    let body =
        serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// Whether a browser page from `origin` may open a connection.
fn origin_allowed(headers: &HeaderMap, allowed: &[String]) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
        // Not a browser: origins are a browser's protection.
        return true;
    };
    if allowed.iter().any(|a| a.trim() == origin) {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin_host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    host.is_some() && origin_host == host
}

/// Upgrades a `GET /graphql` to a subscription connection.
pub async fn upgrade(
    schema: QualifySchema,
    state: AppState,
    registry: Arc<Registry>,
    request: axum::extract::Request,
) -> HttpResponse {
    let (mut parts, _) = request.into_parts();
    if !origin_allowed(&parts.headers, &state.config.cors_origins) {
        return refuse(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            "this origin may not open subscriptions (see --cors-origins)",
        );
    }
    let offered = parts
        .headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim() == PROTOCOL);
    if !offered {
        return refuse(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "subscriptions speak graphql-transport-ws: offer it in Sec-WebSocket-Protocol",
        );
    }
    let from_header = parts
        .extensions
        .get::<Credentials>()
        .copied()
        .unwrap_or(Credentials::Anonymous);
    let ws = match WebSocketUpgrade::from_request_parts(&mut parts, &()).await {
        Ok(ws) => ws,
        Err(rejection) => return rejection.into_response(),
    };
    let max = state
        .config
        .limits
        .max_query_bytes
        .saturating_mul(2)
        .max(64 * 1024);
    ws.protocols([PROTOCOL])
        .max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| serve(socket, schema, state, registry, from_header))
}

/// Who a connection acts as, once `connection_init` has said.
#[derive(Clone, Copy)]
struct Session {
    credentials: Credentials,
}

async fn serve(
    socket: WebSocket,
    schema: QualifySchema,
    state: AppState,
    registry: Arc<Registry>,
    from_header: Credentials,
) {
    let settings = state.config.subscriptions.clone();
    let (mut sink, mut source) = socket.split();
    let (to_graphql, from_client) = tokio::sync::mpsc::channel::<String>(16);
    let session: Arc<Mutex<Option<(Session, Admitted)>>> = Arc::new(Mutex::new(None));
    // async-graphql closes a refused `connection_init` with 1002; the protocol says 4403.
    let refused = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let init = {
        let (state, registry, session, settings, refused) = (
            state.clone(),
            registry.clone(),
            session.clone(),
            settings.clone(),
            refused.clone(),
        );
        move |payload: serde_json::Value| async move {
            refused.store(true, std::sync::atomic::Ordering::Release);
            let credentials = match token(&payload) {
                Some(value) => {
                    let mut headers = HeaderMap::new();
                    let value = HeaderValue::from_str(&value)
                        .map_err(|_| async_graphql::Error::new("Unauthorized"))?;
                    headers.insert(header::AUTHORIZATION, value);
                    crate::auth::session::credentials(&state, &headers).await
                }
                None => from_header,
            };
            let actor = match credentials {
                Credentials::Valid(subject) => Actor::new(subject.user_id, subject.role),
                Credentials::Key(key) => Actor::through_key(&key),
                _ => return Err(async_graphql::Error::new("Unauthorized")),
            };
            let admitted = registry
                .admit(actor.user_id, settings.connections_per_user)
                .ok_or_else(|| async_graphql::Error::new("Too many connections"))?;
            if let Ok(mut slot) = session.lock() {
                *slot = Some((Session { credentials }, admitted));
            }
            let mut data = Data::default();
            data.insert(credentials);
            data.insert(actor);
            data.insert(Open::new(settings.subscriptions_per_connection));
            refused.store(false, std::sync::atomic::Ordering::Release);
            Ok(data)
        }
    };
    let input = futures_util::stream::unfold(from_client, |mut rx| async move {
        rx.recv().await.map(|text| (text, rx))
    });
    let door = Door {
        schema,
        state: state.clone(),
    };
    let mut graphql = Box::pin(
        GraphQLWebSocket::new(door, input, WebSocketProtocols::GraphQLWS).on_connection_init(init),
    );
    let mut closing = registry.closing.subscribe();
    let init_deadline = tokio::time::Instant::now() + settings.init_timeout;
    let mut keepalive = tokio::time::interval(settings.keepalive);
    keepalive.reset();
    let mut recheck = tokio::time::interval(settings.recheck);
    recheck.reset();
    // The subscriptions running, by the client's id.
    let mut active: std::collections::HashSet<String> = std::collections::HashSet::new();
    // Operations refused before execution, whose `complete` is not sent.
    let mut errored: std::collections::HashSet<String> = std::collections::HashSet::new();
    let close = |code: u16, reason: &str| {
        Message::Close(Some(CloseFrame {
            code,
            reason: reason.to_owned().into(),
        }))
    };
    loop {
        let initialised = session.lock().map(|s| s.is_some()).unwrap_or(false);
        tokio::select! {
            incoming = source.next() => {
                let text = match incoming {
                    Some(Ok(Message::Text(text))) => text.to_string(),
                    Some(Ok(Message::Binary(bytes))) => String::from_utf8_lossy(&bytes).into_owned(),
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    Some(Ok(Message::Close(_))) | None => break,
                    // Over the size limit, or not WebSocket at all.
                    Some(Err(_)) => {
                        let _ = sink.send(close(4400, "Invalid message received")).await;
                        break;
                    }
                };
                match admit_message(&text, initialised, &mut active) {
                    Ok(()) => {}
                    Err((code, reason)) => {
                        let _ = sink.send(close(code, &reason)).await;
                        break;
                    }
                }
                if to_graphql.send(text).await.is_err() {
                    break;
                }
            },
            outgoing = graphql.next() => match outgoing {
                Some(WsMessage::Text(text)) => {
                    let Some(text) = as_protocol_error(text, &mut errored) else {
                        continue;
                    };
                    if !ended(&text, &mut active) {
                        continue;
                    }
                    if sink.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                Some(WsMessage::Close(code, reason)) => {
                    let code = if refused.load(std::sync::atomic::Ordering::Acquire) {
                        4403
                    } else {
                        code
                    };
                    let _ = sink.send(close(code, &reason)).await;
                    break;
                }
                None => break,
            },
            _ = keepalive.tick() => {
                if sink.send(Message::Text(r#"{"type":"ping"}"#.into())).await.is_err() {
                    break;
                }
            }
            _ = recheck.tick(), if initialised => {
                if !still_valid(&state, &session).await {
                    let _ = sink.send(close(4403, "Forbidden: the session or key no longer works")).await;
                    break;
                }
            }
            _ = closing.changed() => {
                let _ = sink.send(close(1001, "the server is going away")).await;
                break;
            }
            () = tokio::time::sleep_until(init_deadline), if !initialised => {
                let _ = sink.send(close(4408, "Connection initialisation timeout")).await;
                break;
            }
        }
    }
    let _ = sink.close().await;
}

/// What the protocol says of a client's message before async-graphql reads it: a message
/// that is not one is 4400; `subscribe` before `connection_ack` is 4401; a `subscribe`
/// with the id of one still running is 4409. Keeps `active` (the ids running) up to date
/// with `subscribe` and `complete`.
fn admit_message(
    text: &str,
    initialised: bool,
    active: &mut std::collections::HashSet<String>,
) -> Result<(), (u16, String)> {
    let Ok(message) = serde_json::from_str::<serde_json::Value>(text) else {
        return Err((4400, "Invalid message received".to_owned()));
    };
    let id = message["id"].as_str();
    match (message["type"].as_str(), id) {
        (Some("subscribe"), _) if !initialised => Err((4401, "Unauthorized".to_owned())),
        (Some("subscribe"), Some(id)) => {
            if active.insert(id.to_owned()) {
                Ok(())
            } else {
                Err((4409, format!("Subscriber for {id} already exists")))
            }
        }
        (Some("complete"), Some(id)) => {
            // async-graphql answers it with a `complete` of its own, not to be sent on
            // (`ended`): the id is free from now on.
            if active.remove(id) {
                active.insert(format!("{ECHO}{id}"));
            }
            Ok(())
        }
        (Some("connection_init" | "ping" | "pong" | "subscribe" | "complete"), _) => Ok(()),
        _ => Err((4400, "Invalid message received".to_owned())),
    }
}

/// Marks an id whose `complete` the client sent, until async-graphql's answer to it comes.
const ECHO: &str = "\u{0}echo:";

/// Forgets a subscription the server ended (`complete` or `error`); `false` for
/// async-graphql's answer to the client's own `complete`, which is not sent on (the
/// protocol has none, and a new subscription may have taken the id meanwhile).
fn ended(text: &str, active: &mut std::collections::HashSet<String>) -> bool {
    if !text.contains("\"complete\"") && !text.contains("\"error\"") {
        return true;
    }
    if let Ok(message) = serde_json::from_str::<serde_json::Value>(text)
        && let Some(kind @ ("complete" | "error")) = message["type"].as_str()
        && let Some(id) = message["id"].as_str()
    {
        if kind == "complete" && active.remove(&format!("{ECHO}{id}")) {
            return false;
        }
        active.remove(id);
    }
    true
}

/// async-graphql sends an operation refused before execution (validation, our limits) as
/// `next` with errors, then `complete`; graphql-transport-ws says `error` with the errors,
/// and nothing after. This turns the one into the other (and drops that `complete`);
/// other messages pass as they are. `None`: send nothing.
fn as_protocol_error(
    text: String,
    errored: &mut std::collections::HashSet<String>,
) -> Option<String> {
    if !text.contains("\"errors\"") && !text.contains("\"complete\"") {
        return Some(text);
    }
    let Ok(message) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Some(text);
    };
    let id = message["id"].as_str().unwrap_or_default().to_owned();
    match message["type"].as_str() {
        Some("complete") if errored.remove(&id) => None,
        Some("next") => {
            let payload = &message["payload"];
            let errors = payload["errors"].as_array();
            let before_execution = payload.get("data").is_none_or(serde_json::Value::is_null)
                && errors
                    .is_some_and(|e| !e.is_empty() && e.iter().all(|e| e.get("path").is_none()));
            if !before_execution {
                return Some(text);
            }
            errored.insert(id.clone());
            // Validation's own errors carry no code: give them the HTTP door's.
            let mut errors = payload["errors"].clone();
            for error in errors.as_array_mut().into_iter().flatten() {
                if error["extensions"]["code"].is_null() {
                    error["extensions"]["code"] = "GRAPHQL_VALIDATION_FAILED".into();
                }
            }
            Some(serde_json::json!({ "id": id, "type": "error", "payload": errors }).to_string())
        }
        _ => Some(text),
    }
}

/// The credentials of `connection_init`'s payload, as an `Authorization` value.
fn token(payload: &serde_json::Value) -> Option<String> {
    let field = |name: &str| {
        payload
            .get(name)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    field("Authorization")
        .or_else(|| field("authorization"))
        .or_else(|| {
            field("token")
                .or_else(|| field("accessToken"))
                .map(|t| format!("Bearer {t}"))
        })
}

/// Whether the connection's credentials still work: the session not ended, the key not
/// revoked or expired, the account not removed.
async fn still_valid(state: &AppState, session: &Mutex<Option<(Session, Admitted)>>) -> bool {
    let credentials = match session.lock() {
        Ok(s) => s.as_ref().map(|(s, _)| s.credentials),
        Err(_) => None,
    };
    let Some(credentials) = credentials else {
        return false;
    };
    crate::auth::session::still_works(state, &credentials).await
}

/// The executor a connection runs: only subscriptions, after the text and document limits
/// and (in that mode) the trusted documents.
#[derive(Clone)]
struct Door {
    schema: QualifySchema,
    state: AppState,
}

impl Door {
    fn admit(&self, request: &mut GraphQLRequest) -> Result<(), Vec<ServerError>> {
        let code = |message: &str, code: &'static str| vec![limits::coded(message, code, None)];
        if let Some(trusted) = &self.state.config.trusted_documents {
            let named = request
                .extensions
                .get("persistedQuery")
                .and_then(|p| match p {
                    async_graphql::Value::Object(map) => map.get("sha256Hash").cloned(),
                    _ => None,
                })
                .and_then(|h| match h {
                    async_graphql::Value::String(h) => Some(h),
                    _ => None,
                });
            match named.as_deref().and_then(|id| trusted.document(id)) {
                Some(text) if request.query.is_empty() || request.query == text => {
                    request.query = text.to_owned();
                }
                _ if trusted.trusts(&request.query) => {}
                _ => {
                    return Err(code(
                        "this server runs only trusted documents",
                        "TRUSTED_DOCUMENTS_ONLY",
                    ));
                }
            }
        }
        let limits = &self.state.config.limits;
        limits::check_text(&request.query, limits).map_err(|e| vec![e])?;
        let document = async_graphql::parser::parse_query(&request.query)
            .map_err(|e| limits::request_errors(vec![e.into()]))?;
        limits::check_document(&document, limits, self.state.config.development)
            .map_err(|e| vec![e])?;
        let operation = document
            .operations
            .iter()
            .find(|(name, _)| match (&request.operation_name, name) {
                (Some(wanted), Some(name)) => wanted.as_str() == name.as_str(),
                (None, _) => true,
                (Some(_), None) => false,
            })
            .map(|(_, op)| op.node.ty);
        if operation != Some(OperationType::Subscription) {
            return Err(code(
                "only subscriptions run over WebSocket: send queries and mutations over HTTP",
                "BAD_REQUEST",
            ));
        }
        Ok(())
    }
}

impl Executor for Door {
    async fn execute(&self, _request: GraphQLRequest) -> Response {
        Response::from_errors(vec![limits::coded(
            "only subscriptions run over WebSocket",
            "BAD_REQUEST",
            None,
        )])
    }

    fn execute_stream(
        &self,
        mut request: GraphQLRequest,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        match self.admit(&mut request) {
            Ok(()) => self
                .schema
                .execute_stream_with_session_data(request, session_data.unwrap_or_default()),
            Err(errors) => {
                futures_util::stream::once(async move { Response::from_errors(errors) }).boxed()
            }
        }
    }
}
