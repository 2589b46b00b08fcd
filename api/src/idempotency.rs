//! `Idempotency-Key` for POST requests: a retry with the same key and body gets the first
//! response instead of running the mutation again; the same key with another body is refused.
//!
//! Keys are scoped to the signed-in user, as `auth::session` found them before. An
//! anonymous request's key is ignored: replaying one stranger's sign-up response to
//! another would hand out their tokens. So is the key of
//! a token whose session has ended: its refusal must not be replayed to the same user's
//! retry after signing in again.
//!
//! The claim of the key, the work and the stored response are one transaction: the request
//! runs inside a write transaction that first inserts the key, every mutation's
//! `audit::Tx` is a savepoint in it (found through a task-local), and the response is
//! stored before it commits. So a process that dies mid-request leaves nothing behind (the
//! retry runs the work once), and one that dies after the commit leaves the response (the
//! retry replays it); a retry never finds a key claimed by a dead process. Parallel retries
//! wait for the first one's commit (on SQLite in the writer queue, on PostgreSQL on the
//! key's row) and replay its response. Responses that report a server fault (5xx, or an
//! `INTERNAL` or `TIMEOUT` error, as the reply's builder marked it: `reply::ServerFault`)
//! are not kept, so that a retry can succeed; the work they report as done commits.
//!
//! Mutations that return tokens refuse a key ([`keyed`]): their response must not be
//! stored, and replaying it would hand out live tokens again.

use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use store::WriteTx;
use store::idempotency::{Claim, StoredResponse};

use crate::app::{AppState, Credentials};
use crate::http::negotiate::MediaType;
use crate::reply;

tokio::task_local! {
    /// The write transaction of the keyed request being served.
    static KEYED: Arc<WriteTx>;
}

/// Whether the request being served carries an `Idempotency-Key` that is in effect.
pub fn keyed() -> bool {
    KEYED.try_with(|_| ()).is_ok()
}

/// The keyed request's transaction, for `audit::Tx` to open its savepoint in.
pub fn transaction() -> Option<Arc<WriteTx>> {
    KEYED.try_with(Arc::clone).ok()
}

pub const HEADER: &str = "idempotency-key";
const MAX_KEY_CHARS: usize = 255;
/// How long a request waits before asking again for a key another request holds.
const POLL: std::time::Duration = std::time::Duration::from_millis(20);

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
    let media = crate::http::response_media(request.headers());
    let Some(key) = key
        .to_str()
        .ok()
        .filter(|k| valid_key(k))
        .map(str::to_owned)
    else {
        return reply::error(
            StatusCode::BAD_REQUEST,
            media,
            "BAD_USER_INPUT",
            "Idempotency-Key must be 1 to 255 visible ASCII characters",
        );
    };
    let user_id = match crate::auth::session::of(&request) {
        Credentials::Valid(subject) => subject.user_id,
        Credentials::Key(key) => key.user_id,
        Credentials::Unverified => {
            return reply::internal(media, &"the session could not be checked");
        }
        Credentials::Anonymous | Credentials::Invalid => return next.run(request).await,
    };
    if crate::http::declared_length(request.headers()).is_some_and(|n| n > limits.max_body_bytes) {
        return reply::error(
            StatusCode::PAYLOAD_TOO_LARGE,
            media,
            crate::http::REQUEST_TOO_LARGE,
            "the request body is too large",
        );
    }
    // The body counts against the request's deadline here too, as in `http::post`.
    let body_deadline = crate::http::Deadline::of(&request, limits.request_timeout);
    let (parts, body) = request.into_parts();
    let Ok(read) =
        tokio::time::timeout_at(body_deadline, to_bytes(body, limits.max_body_bytes)).await
    else {
        return crate::http::body_too_slow(media);
    };
    let Ok(bytes) = read else {
        return reply::error(
            StatusCode::PAYLOAD_TOO_LARGE,
            media,
            crate::http::REQUEST_TOO_LARGE,
            "the request body is too large",
        );
    };
    let hash = hex(&Sha256::digest(&bytes));
    let deadline = Instant::now() + limits.request_timeout;
    let claimed = tokio::time::timeout_at(deadline.into(), async {
        loop {
            match store::idempotency::claim(&state.db, user_id, &key, &hash).await {
                Ok(Claim::Busy) => tokio::time::sleep(POLL).await,
                other => return other,
            }
        }
    })
    .await;
    let txn = match claimed {
        Ok(Ok(Claim::Claimed(txn))) => txn,
        Ok(Ok(Claim::Replay(stored))) => return replay(stored),
        Ok(Ok(Claim::Mismatch)) => {
            return reply::error(
                StatusCode::UNPROCESSABLE_ENTITY,
                media,
                "IDEMPOTENCY_KEY_REUSED",
                "this Idempotency-Key was used with a different request",
            );
        }
        // The loop only ends busy when the deadline cut it short.
        Ok(Ok(Claim::Busy)) | Err(_) => {
            return reply::error(
                StatusCode::CONFLICT,
                media,
                "CONFLICT",
                "a request with this Idempotency-Key is still running; retry later",
            );
        }
        Ok(Err(e)) => return internal(media, "idempotency claim failed", &e),
    };
    let txn = Arc::new(txn);
    let request = Request::from_parts(parts, Body::from(bytes));
    let response = KEYED.scope(Arc::clone(&txn), next.run(request)).await;
    let Ok(txn) = Arc::try_unwrap(txn) else {
        // Nothing else should hold it once the request is done; if something does, its work
        // is not known to be complete, so none of it commits.
        return reply::internal(media, &"the keyed transaction outlived its request");
    };
    finish(txn, user_id, &key, media, response).await
}

/// Stores the response in the request's transaction and commits it with the work; a
/// response reporting a server fault commits the work without the key.
async fn finish(
    txn: WriteTx,
    user_id: uuid::Uuid,
    key: &str,
    media: MediaType,
    response: Response,
) -> Response {
    let (parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return reply::internal(media, &"reading the response failed");
    };
    let kept = if reply::is_fault(parts.status, &parts.extensions) {
        store::idempotency::release(&txn, user_id, key).await
    } else {
        let stored = StoredResponse {
            status: parts.status.as_u16(),
            content_type: parts
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            body: String::from_utf8_lossy(&bytes).into_owned(),
        };
        store::idempotency::complete(&txn, user_id, key, &stored).await
    };
    let committed = match kept {
        Ok(()) => txn.commit().await,
        Err(e) => Err(e),
    };
    match committed {
        Ok(()) => Response::from_parts(parts, Body::from(bytes)),
        // Nothing of the request committed: saying so is the truth, the response is not.
        Err(e) => internal(media, "idempotency commit failed", &e),
    }
}

fn internal(media: MediaType, what: &str, cause: &store::StoreError) -> Response {
    reply::internal(media, &format_args!("{what}: {cause}"))
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

#[cfg(test)]
mod tests {
    use async_graphql::{ErrorExtensions, Pos, ServerError, Value};
    use store::Role;

    use super::*;
    use crate::http::Answer;

    /// Runs `response` through `finish` under a fresh key; the response a retry with the
    /// same request gets replayed, if it was kept.
    async fn kept(response: Response) -> Option<StoredResponse> {
        let db = store::connect("sqlite::memory:").await.ok()?;
        store::migrate(&db).await.ok()?;
        let email = domain::Email::parse("a@example.com").ok()?;
        let name = domain::DisplayName::parse("A").ok()?;
        let user = store::users::create_user(&db, &email, &name, Role::Mentee, "x")
            .await
            .ok()?;
        let Ok(Claim::Claimed(txn)) = store::idempotency::claim(&db, user.id, "k", "h").await
        else {
            panic!("a fresh key is claimed");
        };
        let sent = finish(txn, user.id, "k", MediaType::Json, response).await;
        let sent_status = sent.status();
        match store::idempotency::claim(&db, user.id, "k", "h").await {
            Ok(Claim::Replay(stored)) => {
                assert_eq!(stored.status, sent_status.as_u16());
                Some(stored)
            }
            Ok(Claim::Claimed(_)) => None,
            _ => panic!("a retry either replays or claims the key again"),
        }
    }

    fn executed(data: serde_json::Value, errors: Vec<ServerError>) -> Response {
        let mut response =
            async_graphql::Response::new(Value::from_json(data).unwrap_or(Value::Null));
        response.errors = errors;
        crate::http::respond(
            MediaType::Json,
            Answer {
                response,
                executed: true,
            },
        )
    }

    fn field_error(code: &'static str) -> ServerError {
        let mut error = async_graphql::Error::new(r#"says "code":"INTERNAL""#)
            .extend_with(|_, e| e.set("code", code))
            .into_server_error(Pos { line: 1, column: 3 });
        error.path = vec![async_graphql::PathSegment::Field(
            "qualifyProspect".to_owned(),
        )];
        error
    }

    #[tokio::test]
    async fn a_response_with_an_internal_error_is_not_kept() {
        let response = executed(
            serde_json::json!({ "qualifyProspect": null }),
            vec![field_error("INTERNAL")],
        );
        assert_eq!(kept(response).await, None);
    }

    #[tokio::test]
    async fn a_response_with_a_bad_user_input_error_is_kept_even_if_its_text_names_internal() {
        let response = executed(
            serde_json::json!({ "qualifyProspect": null }),
            vec![field_error("BAD_USER_INPUT")],
        );
        let stored = kept(response)
            .await
            .map(|s| (s.status, s.body.contains("BAD_USER_INPUT")));
        assert_eq!(stored, Some((200, true)));
    }

    #[tokio::test]
    async fn data_that_reads_like_an_internal_error_is_kept() {
        // An alias can put `"code":"INTERNAL"` in the body of a response without any error.
        let response = executed(serde_json::json!({ "code": "INTERNAL" }), vec![]);
        let stored = kept(response).await.map(|s| s.body);
        assert_eq!(stored.as_deref(), Some(r#"{"data":{"code":"INTERNAL"}}"#));
    }

    #[tokio::test]
    async fn every_reply_that_reports_a_server_fault_is_not_kept() {
        let faults = [
            reply::internal(MediaType::Json, &"cause"),
            reply::error(StatusCode::OK, MediaType::Json, reply::TIMEOUT, "too long"),
            executed(serde_json::json!(null), vec![field_error("TIMEOUT")]),
            StatusCode::BAD_GATEWAY.into_response(),
        ];
        for fault in faults {
            assert_eq!(kept(fault).await, None);
        }
    }

    #[tokio::test]
    async fn a_refusal_that_is_not_a_server_fault_is_kept() {
        let refusal = reply::error(
            StatusCode::CONFLICT,
            MediaType::Json,
            "CONFLICT",
            "try later",
        );
        let stored = kept(refusal).await.map(|s| (s.status, s.content_type));
        assert_eq!(
            stored,
            Some((409, Some("application/json; charset=utf-8".to_owned())))
        );
    }
}
