//! GraphQL over HTTP, attacked from outside: media types and `Accept`, status codes per
//! media type, methods, content types, malformed bodies, batches, the body limit (also
//! streamed), CORS, what production turns off, connection timeouts and limits, and
//! documents built to crash the parser. The helpers here speak raw HTTP; the
//! `limits` suite uses them too.

mod bodies;
mod browser;
mod connections;
mod hostile;
mod media;
mod methods;
mod refusals;

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{assert_no_leak, codes};

pub const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
pub const JSON: &str = "application/json";

/// One HTTP exchange, whatever came back.
#[derive(Debug)]
pub struct Exchange {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Exchange {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or_default()
    }

    /// The body as a GraphQL response, checked for leaks and for a code on every error.
    pub fn body(&self) -> Value {
        let body: Value = serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("non-JSON body (HTTP {}): {e}: {}", self.status, self.text));
        assert_no_leak(&body);
        body
    }

    /// Asserts the status and that the only error carries `code`; returns the body.
    pub fn refused(&self, status: u16, code: &str) -> Value {
        assert_eq!(self.status, status, "status; body: {}", self.text);
        let body = self.body();
        assert_eq!(codes(&body), vec![code.to_owned()], "{body:#}");
        assert!(
            body.get("data").is_none(),
            "a refusal has no data: {body:#}"
        );
        body
    }
}

/// Sends any method, headers and body to `path` (reqwest adds `Accept: */*` unless given).
pub async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Vec<u8>>,
) -> Exchange {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("http client");
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut request = client.request(method, format!("http://{addr}{path}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.body(body);
    }
    let response = request.send().await.expect("the server answers");
    Exchange {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        text: response.text().await.expect("response body"),
    }
}

/// `POST /graphql` with a JSON body and the given `Accept`.
pub async fn post(addr: SocketAddr, accept: &str, body: &Value) -> Exchange {
    post_with(addr, &[("accept", accept)], body).await
}

pub async fn post_with(addr: SocketAddr, headers: &[(&str, &str)], body: &Value) -> Exchange {
    let mut all = vec![("content-type", JSON)];
    all.extend_from_slice(headers);
    send(
        addr,
        "POST",
        "/graphql",
        &all,
        Some(body.to_string().into_bytes()),
    )
    .await
}

/// Raw bytes over a plain socket, for what an HTTP client will not send (no `Accept` at all,
/// a chunked body with no `Content-Length`). Returns the status code and the whole reply.
pub async fn raw(addr: SocketAddr, head: String, chunks: Vec<Vec<u8>>) -> (u16, String) {
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        let mut reader = stream.try_clone().expect("clone socket");
        // Read while writing: the server may answer (and close) before the body is sent.
        let read = std::thread::spawn(move || {
            let mut reply = Vec::new();
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => reply.extend_from_slice(&buf[..n]),
                }
                if headers_and_body_complete(&reply) {
                    break;
                }
            }
            reply
        });
        let _ = stream.write_all(head.as_bytes());
        for chunk in chunks {
            if stream.write_all(&chunk).is_err() {
                break;
            }
        }
        let reply = String::from_utf8_lossy(&read.join().expect("reader")).into_owned();
        let status = reply
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no HTTP status in {reply:?}"));
        (status, reply)
    })
    .await
    .expect("raw exchange")
}

fn headers_and_body_complete(reply: &[u8]) -> bool {
    let text = String::from_utf8_lossy(reply);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return false;
    };
    head.lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .is_some_and(|len| body.len() >= len)
}

pub fn typename() -> Value {
    json!({ "query": "{ __typename }" })
}

/// A valid request padded with JSON whitespace to exactly `len` bytes.
pub fn padded_request(len: usize) -> Vec<u8> {
    let mut body = typename().to_string().into_bytes();
    body.resize(len, b' ');
    body
}
