//! GraphQL over HTTP, as the specification has it
//! (<https://graphql.github.io/graphql-over-http/draft/>): methods, media types, status
//! codes, the request time limit, and the errors a client gets when a request is refused
//! before GraphQL sees it.
//!
//! - `POST` with an `application/json` body; anything else gets 415 (no cross-site "simple
//!   request" can reach a resolver). `GET` with a query string runs queries only; a
//!   mutation gets 405 with `Allow: POST`. Other methods get 405.
//! - The response is `application/graphql-response+json` or `application/json`, as `Accept`
//!   asks (406 when it accepts neither). With the first, a request that fails before
//!   execution (parse, validation, a limit) gets 400 and no `data`; with the second, every
//!   well-formed request gets 200.
//! - Batches (a JSON array) are refused with 400.
//! - A body over `max_body_bytes` gets 413: at once when `Content-Length` says so, else
//!   when the streamed body reaches the limit. A request running past `request_timeout`
//!   is dropped, which cancels its work, and answered with `TIMEOUT`.

pub mod negotiate;
mod params;
pub mod trusted;

use std::collections::BTreeMap;

use async_graphql::parser::types::OperationType;
use async_graphql::{ServerError, Value};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, FailedToBufferBody};
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tokio::time::{Instant, timeout_at};

pub use negotiate::MediaType;

use crate::config::Limits;
use crate::reply;

/// A malformed request: not JSON, not an object, a parameter of the wrong type.
pub const BAD_REQUEST: &str = "BAD_REQUEST";
/// A JSON array of operations.
pub const BATCHING_NOT_SUPPORTED: &str = "BATCHING_NOT_SUPPORTED";
/// 415: the body is not `application/json`.
pub const UNSUPPORTED_MEDIA_TYPE: &str = "UNSUPPORTED_MEDIA_TYPE";
/// 406: `Accept` allows neither JSON media type.
pub const NOT_ACCEPTABLE: &str = "NOT_ACCEPTABLE";
/// 405: a mutation over `GET`, or a method other than `GET` and `POST`.
pub const METHOD_NOT_ALLOWED: &str = "METHOD_NOT_ALLOWED";
/// 413: the body is over `max_body_bytes`.
pub const REQUEST_TOO_LARGE: &str = "REQUEST_TOO_LARGE";
/// The request ran past `request_timeout` and was cancelled.
pub const TIMEOUT: &str = reply::TIMEOUT;

/// What the GraphQL engine made of a request (`graphql::engine::Engine::execute`).
pub struct Answer {
    pub response: async_graphql::Response,
    /// Whether the operation ran; if not, its errors are request errors, each with a code.
    pub executed: bool,
}

/// When a request must be answered by: its body read and its operation run. Set when the
/// request comes in (`server::front_door`), so that the time spent reading the body counts
/// wherever the body is read (`idempotency` reads it before this module does).
#[derive(Debug, Clone, Copy)]
pub struct Deadline(pub Instant);

impl Deadline {
    pub fn after(timeout: std::time::Duration) -> Self {
        Self(Instant::now() + timeout)
    }

    /// The request's deadline, or one from now if it has none.
    pub fn of(request: &Request, timeout: std::time::Duration) -> Instant {
        request
            .extensions()
            .get::<Deadline>()
            .map_or_else(|| Instant::now() + timeout, |d| d.0)
    }
}

/// The media type to answer `headers` with; `application/json` when `Accept` allows
/// neither (the 406 for that comes later, from `post` or `get`).
pub fn response_media(headers: &axum::http::HeaderMap) -> MediaType {
    negotiate::response_type(headers).unwrap_or(MediaType::Json)
}

/// The answer to a body that did not arrive before the request's deadline.
pub fn body_too_slow(media: MediaType) -> Response {
    Refusal::new(
        StatusCode::REQUEST_TIMEOUT,
        TIMEOUT,
        "the request body was not received in time",
    )
    .into_response(media)
}

/// A request refused before GraphQL ran: its HTTP status and the one error the client gets.
#[derive(Debug)]
pub struct Refusal {
    pub status: StatusCode,
    pub code: &'static str,
    message: String,
    allow: Option<&'static str>,
}

impl Refusal {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            allow: None,
        }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, BAD_REQUEST, message)
    }

    fn code(self, code: &'static str) -> Self {
        Self { code, ..self }
    }

    fn too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            REQUEST_TOO_LARGE,
            "the request body is too large",
        )
    }

    fn into_response(self, media: MediaType) -> Response {
        let mut response = reply::error(self.status, media, self.code, &self.message);
        if let Some(allow) = self.allow {
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(allow));
        }
        response
    }
}

/// `POST /graphql`: `run` executes the GraphQL request (the caller adds credentials and
/// per-request data); everything about HTTP happens here.
pub async fn post<Fut: Future<Output = Answer>>(
    request: Request,
    limits: &Limits,
    trusted: Option<&trusted::TrustedDocuments>,
    run: impl FnOnce(async_graphql::Request) -> Fut,
) -> Response {
    let deadline = Deadline::of(&request, limits.request_timeout);
    let Some(media) = negotiate::response_type(request.headers()) else {
        return not_acceptable();
    };
    if !negotiate::is_json_body(request.headers()) {
        return Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            UNSUPPORTED_MEDIA_TYPE,
            "send the request as `Content-Type: application/json`",
        )
        .into_response(media);
    }
    if declared_length(request.headers()).is_some_and(|n| n > limits.max_body_bytes) {
        return Refusal::too_large().into_response(media);
    }
    // A slow body counts against the same deadline as the work. Its size is bounded by
    // axum's `DefaultBodyLimit`, set to `max_body_bytes` in `server`.
    let bytes = match timeout_at(deadline, Bytes::from_request(request, &())).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(BytesRejection::FailedToBufferBody(FailedToBufferBody::LengthLimitError(_)))) => {
            return Refusal::too_large().into_response(media);
        }
        Ok(Err(_)) => {
            return Refusal::bad_request("the request body could not be read").into_response(media);
        }
        Err(_) => return body_too_slow(media),
    };
    match params::from_json(&bytes, trusted) {
        Ok(request) => execute(media, request, deadline, run).await,
        Err(refusal) => refusal.into_response(media),
    }
}

/// `GET /graphql?query=...`: queries only. `check_text` holds the query's text to the
/// limits that come before parsing it (the request errors, if it is refused).
pub async fn get<Fut: Future<Output = Answer>>(
    request: Request,
    limits: &Limits,
    trusted: Option<&trusted::TrustedDocuments>,
    check_text: impl FnOnce(&str) -> Result<(), Vec<ServerError>>,
    run: impl FnOnce(async_graphql::Request) -> Fut,
) -> Response {
    let deadline = Deadline::of(&request, limits.request_timeout);
    let Some(media) = negotiate::response_type(request.headers()) else {
        return not_acceptable();
    };
    let mut graphql = match params::from_query_string(request.uri(), trusted) {
        Ok(graphql) => graphql,
        Err(refusal) => return refusal.into_response(media),
    };
    // The operation type is needed before execution; the text limits come first so that
    // only a bounded query is parsed. The parsed document is kept for execution.
    if let Err(errors) = check_text(&graphql.query) {
        let response = async_graphql::Response::from_errors(errors);
        return respond(
            media,
            Answer {
                response,
                executed: false,
            },
        );
    }
    let operation_name = graphql.operation_name.clone();
    if let Ok(document) = graphql.parsed_query() {
        let operation = document
            .operations
            .iter()
            .find(|(name, _)| {
                operation_name.is_none() || name.map(|n| n.as_str()) == operation_name.as_deref()
            })
            .map(|(_, operation)| operation.node.ty);
        if matches!(
            operation,
            Some(OperationType::Mutation | OperationType::Subscription)
        ) {
            let why = if operation == Some(OperationType::Subscription) {
                "subscriptions run over WebSocket (graphql-transport-ws) on /graphql"
            } else {
                "mutations must be sent with POST"
            };
            let mut refusal = Refusal::new(StatusCode::METHOD_NOT_ALLOWED, METHOD_NOT_ALLOWED, why);
            refusal.allow = Some("POST");
            return refusal.into_response(media);
        }
    }
    execute(media, graphql, deadline, run).await
}

/// Any other method on `/graphql` (axum adds the `Allow` header).
pub async fn method_not_allowed() -> Response {
    Refusal::new(
        StatusCode::METHOD_NOT_ALLOWED,
        METHOD_NOT_ALLOWED,
        "use POST, or GET for queries",
    )
    .into_response(MediaType::Json)
}

/// The body size a request announces in `Content-Length`, if it does.
pub fn declared_length(headers: &axum::http::HeaderMap) -> Option<usize> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

fn not_acceptable() -> Response {
    Refusal::new(
        StatusCode::NOT_ACCEPTABLE,
        NOT_ACCEPTABLE,
        "accept application/graphql-response+json or application/json",
    )
    .into_response(MediaType::Json)
}

/// The `operationName` a request named, on its response: for the access log
/// (`server::front_door`), at most 100 characters.
#[derive(Debug, Clone)]
pub struct OperationName(pub String);

async fn execute<Fut: Future<Output = Answer>>(
    media: MediaType,
    request: async_graphql::Request,
    deadline: Instant,
    run: impl FnOnce(async_graphql::Request) -> Fut,
) -> Response {
    let name = request
        .operation_name
        .as_deref()
        .map(|n| OperationName(n.chars().take(100).collect()));
    let mut response = run_until(media, request, deadline, run).await;
    if let Some(name) = name {
        response.extensions_mut().insert(name);
    }
    response
}

async fn run_until<Fut: Future<Output = Answer>>(
    media: MediaType,
    request: async_graphql::Request,
    deadline: Instant,
    run: impl FnOnce(async_graphql::Request) -> Fut,
) -> Response {
    // Dropping the future on the deadline cancels the work: resolvers stop at their next
    // await, and an open transaction rolls back.
    match timeout_at(deadline, run(request)).await {
        Ok(answer) => respond(media, answer),
        Err(_) => {
            let status = match media {
                MediaType::GraphQLResponse => StatusCode::GATEWAY_TIMEOUT,
                MediaType::Json => StatusCode::OK,
            };
            reply::error(
                status,
                media,
                TIMEOUT,
                "the request took too long and was cancelled",
            )
        }
    }
}

/// The HTTP response for a GraphQL response. When the operation did not run, this is a
/// request error: no `data`, a code on every error, and 400 with
/// `application/graphql-response+json`. A response whose errors report a server fault is
/// marked so (`reply::ServerFault`), for `idempotency` not to keep it.
pub(crate) fn respond(media: MediaType, answer: Answer) -> Response {
    let Answer { response, executed } = answer;
    let errors = response.errors;
    let status = match media {
        MediaType::GraphQLResponse if !executed => StatusCode::BAD_REQUEST,
        _ => StatusCode::OK,
    };
    let data = executed.then_some(&response.data);
    let mut http = body(status, media, data, &errors, Some(&response.extensions));
    for (name, value) in &response.http_headers {
        http.headers_mut().append(name, value.clone());
    }
    if reply::reports_fault(&errors) {
        reply::mark_fault(&mut http);
    }
    let code = errors.first().and_then(|e| {
        e.extensions.as_ref().and_then(|x| match x.get("code") {
            Some(Value::String(code)) => Some(ErrorCode(code.clone())),
            _ => None,
        })
    });
    if let Some(code) = code {
        http.extensions_mut().insert(code);
    }
    http
}

/// The code of a GraphQL response's first error, on its HTTP response: for metrics.
#[derive(Debug, Clone)]
pub struct ErrorCode(pub String);

/// A GraphQL response body: `data` only when the operation ran.
#[derive(Serialize)]
struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a Value>,
    #[serde(skip_serializing_if = "<[ServerError]>::is_empty")]
    errors: &'a [ServerError],
    #[serde(skip_serializing_if = "Option::is_none")]
    extensions: Option<&'a BTreeMap<String, Value>>,
}

fn body(
    status: StatusCode,
    media: MediaType,
    data: Option<&Value>,
    errors: &[ServerError],
    extensions: Option<&BTreeMap<String, Value>>,
) -> Response {
    let body = Body {
        data,
        errors,
        extensions: extensions.filter(|e| !e.is_empty()),
    };
    match serde_json::to_vec(&body) {
        Ok(json) => (status, [(header::CONTENT_TYPE, media.content_type())], json).into_response(),
        Err(err) => reply::internal(media, &format_args!("serializing a response: {err}")),
    }
}
