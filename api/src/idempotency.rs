//! `Idempotency-Key` for POST requests: a retry with the same key and body gets the first
//! response instead of running the mutation again; the same key with another body is refused.
//!
//! Keys are scoped to the signed-in user, as `auth::session` found them before. An
//! anonymous request's key is ignored: replaying one stranger's sign-up response to
//! another would hand out their tokens. So is the key of
//! a token whose session has ended: its refusal must not be replayed to the same user's
//! retry after signing in again. The key is claimed in the database before the work starts,
//! so of any number of parallel retries exactly one runs; the others wait for its response. Responses that report a server fault
//! (5xx, or an `INTERNAL` error) are not kept, so that a retry can succeed.

use std::time::{Duration, Instant};

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use store::Db;
use store::idempotency::{Claim, StoredResponse};

use crate::graphql::context::{AppState, Credentials};

pub const HEADER: &str = "idempotency-key";
const MAX_KEY_CHARS: usize = 255;
const POLL: Duration = Duration::from_millis(20);

/// Runs the request under its key, if it has one (called by `server`'s middleware, after
/// `auth::session` has put the credentials in the request).
pub async fn handle(state: &AppState, request: Request, next: Next) -> Response {
    let limits = &state.config.limits;
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let Some(key) = request.headers().get(HEADER).cloned() else {
        return next.run(request).await;
    };
    let Some(key) = key
        .to_str()
        .ok()
        .filter(|k| valid_key(k))
        .map(str::to_owned)
    else {
        return error(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "Idempotency-Key must be 1 to 255 visible ASCII characters",
        );
    };
    let user_id = match crate::auth::session::of(&request) {
        Credentials::Valid(subject) => subject.user_id,
        Credentials::Unverified => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "internal error",
            );
        }
        Credentials::Anonymous | Credentials::Invalid => return next.run(request).await,
    };
    if crate::http::declared_length(request.headers()).is_some_and(|n| n > limits.max_body_bytes) {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            crate::http::REQUEST_TOO_LARGE,
            "the request body is too large",
        );
    }
    // The body counts against the request's deadline here too, as in `http::post`.
    let body_deadline = crate::http::Deadline::of(&request, limits.request_timeout);
    let media = crate::http::response_media(request.headers());
    let (parts, body) = request.into_parts();
    let Ok(read) =
        tokio::time::timeout_at(body_deadline, to_bytes(body, limits.max_body_bytes)).await
    else {
        return crate::http::body_too_slow(media);
    };
    let Ok(bytes) = read else {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            crate::http::REQUEST_TOO_LARGE,
            "the request body is too large",
        );
    };
    let hash = hex(&Sha256::digest(&bytes));
    let deadline = Instant::now() + limits.request_timeout;
    loop {
        let claim = match store::idempotency::claim(&state.db, user_id, &key, &hash).await {
            Ok(claim) => claim,
            Err(e) => {
                let request_id = crate::request_meta::request_id();
                tracing::error!(%request_id, cause = %e, "idempotency claim failed");
                return error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "INTERNAL",
                    "internal error",
                );
            }
        };
        match claim {
            Claim::Claimed => {
                let request = Request::from_parts(parts, Body::from(bytes));
                return run_and_keep(&state.db, user_id, &key, next.run(request).await).await;
            }
            Claim::Replay(stored) => return replay(stored),
            Claim::Mismatch => {
                return error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "IDEMPOTENCY_KEY_REUSED",
                    "this Idempotency-Key was used with a different request",
                );
            }
            Claim::InProgress if Instant::now() < deadline => tokio::time::sleep(POLL).await,
            Claim::InProgress => {
                return error(
                    StatusCode::CONFLICT,
                    "CONFLICT",
                    "a request with this Idempotency-Key is still running; retry later",
                );
            }
        }
    }
}

async fn run_and_keep(db: &Db, user_id: uuid::Uuid, key: &str, response: Response) -> Response {
    let (parts, body) = response.into_parts();
    let bytes = match to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(_) => {
            let _ = store::idempotency::release(db, user_id, key).await;
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "internal error",
            );
        }
    };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let server_fault = parts.status.is_server_error() || text.contains("\"code\":\"INTERNAL\"");
    let outcome = if server_fault {
        store::idempotency::release(db, user_id, key).await
    } else {
        let stored = StoredResponse {
            status: parts.status.as_u16(),
            content_type: parts
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            body: text,
        };
        store::idempotency::complete(db, user_id, key, &stored).await
    };
    if let Err(e) = outcome {
        let request_id = crate::request_meta::request_id();
        tracing::error!(%request_id, cause = %e, "idempotency bookkeeping failed");
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn replay(stored: StoredResponse) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = (status, stored.body).into_response();
    let headers = response.headers_mut();
    if let Some(value) = stored
        .content_type
        .and_then(|c| HeaderValue::from_str(&c).ok())
    {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}

fn valid_key(key: &str) -> bool {
    (1..=MAX_KEY_CHARS).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let mut extensions = serde_json::json!({ "code": code });
    if code == "INTERNAL" {
        // As every INTERNAL error does: the id of the log line that holds the cause.
        extensions["requestId"] = crate::request_meta::request_id().into();
    }
    let body = serde_json::json!({
        "errors": [{ "message": message, "extensions": extensions }]
    });
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
