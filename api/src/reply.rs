//! Every error reply the HTTP half sends: a request refused before GraphQL ran
//! (`http::Refusal`), an `Idempotency-Key` refused or failed (`idempotency`), a request cut
//! off by its deadline, a panic (`server`). One shape, the one GraphQL errors have
//! (`ApiError` inside executed responses): `{"errors":[{"message", "extensions":
//! {"code", ...}}]}`, with its status and media type.
//!
//! A reply that reports a server fault (`INTERNAL`, `TIMEOUT`, or a 5xx status) carries a
//! [`ServerFault`] in its extensions, so that `idempotency` knows by structure, not by the
//! body's text, that it must not be kept.

use async_graphql::ServerError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::http::negotiate::MediaType;

/// The code of a server fault: the cause is in the log, under the request id.
pub const INTERNAL: &str = "INTERNAL";
/// The request ran past its deadline and was cancelled.
pub const TIMEOUT: &str = "TIMEOUT";

/// Marks a response that reports a server fault (in `Response::extensions`; never sent).
#[derive(Debug, Clone, Copy)]
pub struct ServerFault;

/// An error reply with `extensions.code` and nothing else.
pub fn error(status: StatusCode, media: MediaType, code: &str, message: &str) -> Response {
    build(status, media, code, message, Map::new())
}

/// The reply to a server fault: logs `cause` and answers 500, `INTERNAL`, with the request
/// id that finds the cause in the log (the message and extensions of `ApiError::Internal`).
pub fn internal(media: MediaType, cause: &dyn std::fmt::Display) -> Response {
    let request_id = report_id();
    tracing::error!(%request_id, %cause, "internal error");
    let mut extensions = Map::new();
    extensions.insert("requestId".to_owned(), Value::from(request_id.clone()));
    build(
        StatusCode::INTERNAL_SERVER_ERROR,
        media,
        INTERNAL,
        &internal_message(&request_id),
        extensions,
    )
}

/// The id an `INTERNAL` error quotes: the request's, or a fresh one outside a request (so
/// that it still finds its log line).
pub fn report_id() -> String {
    crate::request_meta::current().map_or_else(
        || uuid::Uuid::now_v7().simple().to_string(),
        |meta| meta.request_id,
    )
}

/// The message of every `INTERNAL` error.
pub fn internal_message(request_id: &str) -> String {
    format!("internal error; quote request id {request_id} when reporting it")
}

/// Whether any of a GraphQL response's errors reports a server fault, by its code.
pub fn reports_fault(errors: &[ServerError]) -> bool {
    errors.iter().any(|error| {
        error
            .extensions
            .as_ref()
            .and_then(|extensions| extensions.get("code"))
            .is_some_and(is_fault_code)
    })
}

fn is_fault_code(code: &async_graphql::Value) -> bool {
    matches!(code, async_graphql::Value::String(code) if code == INTERNAL || code == TIMEOUT)
}

/// Marks `response` as reporting a server fault.
pub fn mark_fault(response: &mut Response) {
    response.extensions_mut().insert(ServerFault);
}

/// Whether a response reports a server fault: a 5xx status, or marked by whoever built it.
pub fn is_fault(status: StatusCode, extensions: &axum::http::Extensions) -> bool {
    status.is_server_error() || extensions.get::<ServerFault>().is_some()
}

fn build(
    status: StatusCode,
    media: MediaType,
    code: &str,
    message: &str,
    extensions: Map<String, Value>,
) -> Response {
    let mut all = Map::new();
    all.insert("code".to_owned(), Value::from(code));
    all.extend(extensions);
    let body = json!({ "errors": [{ "message": message, "extensions": all }] });
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(media.content_type()),
    );
    if code == INTERNAL || code == TIMEOUT {
        mark_fault(&mut response);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn parts(response: Response) -> (StatusCode, String, bool, Value) {
        let status = response.status();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let fault = is_fault(status, response.extensions());
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap_or_default();
        let body = serde_json::from_slice(&bytes).unwrap_or_default();
        (status, content_type, fault, body)
    }

    #[tokio::test]
    async fn an_error_reply_has_its_status_media_type_and_one_coded_error() {
        let cases = [
            (
                StatusCode::BAD_REQUEST,
                MediaType::GraphQLResponse,
                "BAD_REQUEST",
                "application/graphql-response+json; charset=utf-8",
                false,
            ),
            (
                StatusCode::PAYLOAD_TOO_LARGE,
                MediaType::Json,
                "REQUEST_TOO_LARGE",
                "application/json; charset=utf-8",
                false,
            ),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                MediaType::Json,
                "IDEMPOTENCY_KEY_REUSED",
                "application/json; charset=utf-8",
                false,
            ),
            (
                StatusCode::CONFLICT,
                MediaType::Json,
                "CONFLICT",
                "application/json; charset=utf-8",
                false,
            ),
            (
                StatusCode::REQUEST_TIMEOUT,
                MediaType::Json,
                TIMEOUT,
                "application/json; charset=utf-8",
                true,
            ),
            (
                StatusCode::OK,
                MediaType::Json,
                TIMEOUT,
                "application/json; charset=utf-8",
                true,
            ),
        ];
        for (status, media, code, content_type, fault) in cases {
            let got = parts(error(status, media, code, "what went wrong")).await;
            let expected = json!({
                "errors": [{ "message": "what went wrong", "extensions": { "code": code } }]
            });
            assert_eq!(
                got,
                (status, content_type.to_owned(), fault, expected),
                "{code}"
            );
        }
    }

    #[tokio::test]
    async fn an_internal_reply_is_a_500_with_the_request_id_and_no_cause() {
        let (status, content_type, fault, body) =
            parts(internal(MediaType::Json, &"secret /etc/passwd")).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(content_type, "application/json; charset=utf-8");
        assert!(fault);
        let request_id = body["errors"][0]["extensions"]["requestId"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(!request_id.is_empty());
        assert!(!body.to_string().contains("passwd"));
        assert_eq!(
            body,
            json!({ "errors": [{
                "message": internal_message(&request_id),
                "extensions": { "code": "INTERNAL", "requestId": request_id },
            }] })
        );
    }

    fn coded(code: &str) -> ServerError {
        let mut error = ServerError::new("e", None);
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", code);
        error
    }

    #[test]
    fn a_fault_is_told_by_the_errors_codes_not_by_their_text() {
        assert!(reports_fault(&[coded("BAD_USER_INPUT"), coded("INTERNAL")]));
        assert!(reports_fault(&[coded("TIMEOUT")]));
        assert!(!reports_fault(&[coded("BAD_USER_INPUT")]));
        assert!(!reports_fault(&[coded("NOT_FOUND"), coded("FORBIDDEN")]));
        assert!(!reports_fault(&[]));
        // A message that mentions the code is not a fault.
        let mut quoted = coded("BAD_USER_INPUT");
        quoted.message = r#"{"code":"INTERNAL"}"#.to_owned();
        assert!(!reports_fault(&[quoted, ServerError::new("no code", None)]));
    }
}
