//! Connections, attacked over raw TCP: a silent or half-sent request, an unused keep-alive
//! connection, a body trickled at a byte at a time (on every path: anonymous, signed in,
//! signed in with an `Idempotency-Key`), more connections than the limit, and a shutdown
//! with a silent client still connected. Each is bounded by a configured time or count;
//! the tests use small ones to stay fast.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::raw;
use crate::helpers::TestApp;

/// An app whose connection timeouts are `header` and `idle` (and request time `request`).
async fn app_with(header: Duration, idle: Duration, request: Duration) -> TestApp {
    TestApp::spawn_with(|config| {
        config.connections.header_read_timeout = header;
        config.connections.idle_timeout = idle;
        config.limits.request_timeout = request;
    })
    .await
}

const LONG: Duration = Duration::from_secs(60);

/// How late a configured time of a second or two may fire on a loaded two-core machine,
/// still far short of `LONG`: the bounds tell "closed by this timeout" from "by another".
const LATE: Duration = Duration::from_secs(20);

/// How long to wait for a close that must come.
const PATIENCE: Duration = Duration::from_secs(30);

/// Reads until the server closes the connection; returns what it sent and when it closed
/// (`None` if it is still open after `wait`).
async fn closed_within(stream: &mut TcpStream, wait: Duration) -> Option<(String, Duration)> {
    let start = Instant::now();
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let left = wait.checked_sub(start.elapsed())?;
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0) | Err(_)) => {
                return Some((
                    String::from_utf8_lossy(&received).into_owned(),
                    start.elapsed(),
                ));
            }
            Ok(Ok(n)) => received.extend_from_slice(&buf[..n]),
        }
    }
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.addr).await.expect("connect")
}

#[tokio::test]
async fn a_silent_or_half_sent_request_is_closed_after_the_header_timeout() {
    let app = app_with(Duration::from_secs(1), LONG, LONG).await;
    for sent in [&b""[..], b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Ty"] {
        let mut stream = connect(&app).await;
        stream.write_all(sent).await.expect("write");
        let (_, after) = closed_within(&mut stream, PATIENCE)
            .await
            .expect("the server closes the connection");
        assert!(
            after >= Duration::from_millis(800) && after < LATE,
            "closed after {after:?}"
        );
    }
    // And it keeps serving.
    assert_eq!(app.get("/healthz").await, 200);
}

#[tokio::test]
async fn an_unused_keep_alive_connection_is_closed() {
    let app = app_with(Duration::from_secs(1), LONG, LONG).await;
    let mut stream = connect(&app).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    let (received, after) = closed_within(&mut stream, PATIENCE)
        .await
        .expect("the server closes the connection once it is unused");
    assert!(received.starts_with("HTTP/1.1 200"), "{received}");
    assert!(received.ends_with("ok"), "{received}");
    assert!(
        after >= Duration::from_millis(800) && after < LATE,
        "closed after {after:?}"
    );
}

#[tokio::test]
async fn a_connection_on_which_nothing_moves_is_closed_after_the_idle_timeout() {
    // The header timeout is long: only the idle timeout can end this connection early.
    let app = app_with(LONG, Duration::from_secs(1), LONG).await;
    let mut stream = connect(&app).await;
    stream
        .write_all(b"POST /graphql HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("write");
    let (_, after) = closed_within(&mut stream, PATIENCE)
        .await
        .expect("the server closes the idle connection");
    assert!(
        after >= Duration::from_millis(800) && after < LATE,
        "closed after {after:?}"
    );
}

/// Sends a request head announcing a 200-byte body, then one byte every 200 ms; returns
/// the server's reply and how long it took.
async fn trickle(app: &TestApp, extra_headers: &str) -> (String, Duration) {
    let stream = connect(app).await;
    let (mut read, mut write) = stream.into_split();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Accept: application/graphql-response+json\r\nContent-Length: 200\r\n{extra_headers}\r\n"
    );
    write.write_all(head.as_bytes()).await.expect("write head");
    let start = Instant::now();
    let writer = tokio::spawn(async move {
        for _ in 0..200 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if write.write_all(b" ").await.is_err() {
                break;
            }
        }
    });
    let mut reply = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&reply).contains("}]}") {
        match tokio::time::timeout(PATIENCE, read.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => reply.extend_from_slice(&buf[..n]),
            _ => break,
        }
    }
    writer.abort();
    (
        String::from_utf8_lossy(&reply).into_owned(),
        start.elapsed(),
    )
}

#[tokio::test]
async fn a_body_trickled_a_byte_at_a_time_is_cut_at_the_request_deadline_on_every_path() {
    let app = app_with(LONG, LONG, Duration::from_secs(2)).await;
    let mentor = app.mentor().await;
    let bearer = format!("Authorization: Bearer {}\r\n", mentor.access);
    let keyed = format!("{bearer}Idempotency-Key: trickle-1\r\n");
    for (path, headers) in [
        ("anonymous", String::new()),
        ("signed in", bearer.clone()),
        ("signed in with an Idempotency-Key", keyed),
    ] {
        let (reply, after) = trickle(&app, &headers).await;
        assert!(reply.starts_with("HTTP/1.1 408"), "{path}: {reply}");
        assert!(reply.contains(r#""code":"TIMEOUT""#), "{path}: {reply}");
        assert!(
            after >= Duration::from_millis(1500) && after < LATE,
            "{path}: answered after {after:?}"
        );
    }
}

#[tokio::test]
async fn connections_over_the_limit_wait_until_one_closes() {
    let app = TestApp::spawn_with(|config| {
        config.connections.max_connections = 2;
    })
    .await;
    // Two kept-alive connections, each surely accepted: each has had an answer.
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut stream = connect(&app).await;
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .expect("write");
        let mut buf = [0u8; 1024];
        let n = stream.read(&mut buf).await.expect("an answer");
        assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
        held.push(stream);
    }
    let mut third = connect(&app).await;
    third
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    assert!(
        closed_within(&mut third, Duration::from_millis(700))
            .await
            .is_none(),
        "a third connection is not served while two are open"
    );
    drop(held);
    let (received, _) = closed_within(&mut third, PATIENCE)
        .await
        .expect("served once a connection closed");
    assert!(received.starts_with("HTTP/1.1 200"), "{received}");
}

#[tokio::test]
async fn stop_returns_within_the_drain_bound_with_a_silent_client_connected() {
    let mut app = TestApp::spawn_with(|config| {
        config.connections.header_read_timeout = LONG;
        config.connections.idle_timeout = LONG;
        config.connections.shutdown_drain = Duration::from_secs(1);
    })
    .await;
    let mut half = connect(&app).await;
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost")
        .await
        .expect("write");
    let _silent = connect(&app).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let server = app.take_server().expect("running");
    let start = Instant::now();
    server.stop().await;
    let took = start.elapsed();
    assert!(took < LATE, "stop took {took:?}");
    assert!(
        closed_within(&mut half, PATIENCE).await.is_some(),
        "the half-sent request's connection is closed"
    );
}

#[tokio::test]
async fn very_long_or_very_many_headers_are_refused_with_431_and_the_server_keeps_serving() {
    let app = TestApp::spawn().await;
    let long = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Long: {}\r\n\r\n",
        "a".repeat(1 << 20)
    );
    let many: String = (0..500).map(|i| format!("X-H{i}: {i}\r\n")).collect();
    let many = format!("GET /healthz HTTP/1.1\r\nHost: x\r\n{many}\r\n");
    for head in [long, many] {
        let (status, _) = raw(app.addr, head, Vec::new()).await;
        assert_eq!(status, 431);
    }
    assert_eq!(app.get("/healthz").await, 200);
}
