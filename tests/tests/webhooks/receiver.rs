//! A webhook receiver for the tests: an HTTP server on loopback that checks every
//! request's Standard Webhooks signature with its own HMAC (not the server's code), keeps
//! what came, and answers what the test scripts (200 by default).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

/// One request that came.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub timestamp: i64,
    /// The `v1,` signatures of the header, in order.
    pub signatures: Vec<String>,
    pub body: Value,
    pub raw: String,
}

impl Received {
    pub fn event_type(&self) -> &str {
        self.body["type"].as_str().unwrap_or_default()
    }

    /// Whether `secret` (`whsec_...`) made one of the signatures.
    pub fn signed_by(&self, secret: &str) -> bool {
        let key = STANDARD
            .decode(secret.strip_prefix("whsec_").expect("a whsec_ secret"))
            .expect("base64");
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("a key");
        mac.update(format!("{}.{}.{}", self.id, self.timestamp, self.raw).as_bytes());
        let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
        self.signatures.contains(&expected)
    }
}

#[derive(Default)]
struct Inner {
    received: Vec<Received>,
    /// Statuses to answer next, in order; then 200.
    script: VecDeque<u16>,
    /// Requests that came with a header missing.
    malformed: usize,
}

/// The receiver; stops with the test.
#[derive(Clone)]
pub struct Receiver {
    pub addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
}

async fn take(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let mut inner = inner.lock().expect("receiver lock");
    let (Some(id), Some(timestamp), Some(signature)) = (
        header("webhook-id"),
        header("webhook-timestamp").and_then(|t| t.parse().ok()),
        header("webhook-signature"),
    ) else {
        inner.malformed += 1;
        return StatusCode::BAD_REQUEST;
    };
    let raw = String::from_utf8_lossy(&body).into_owned();
    inner.received.push(Received {
        id,
        timestamp,
        signatures: signature.split(' ').map(str::to_owned).collect(),
        body: serde_json::from_str(&raw).unwrap_or(Value::Null),
        raw,
    });
    let status = inner.script.pop_front().unwrap_or(200);
    StatusCode::from_u16(status).expect("a status")
}

impl Receiver {
    pub async fn start() -> Receiver {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = Router::new()
            .route("/hook", post(take))
            .route("/elsewhere", post(take))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { addr, inner }
    }

    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    /// Answer these statuses to the next requests, then 200 again.
    pub fn answer(&self, statuses: &[u16]) {
        self.inner.lock().expect("lock").script.extend(statuses);
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().expect("lock").received.clone()
    }

    pub fn malformed(&self) -> usize {
        self.inner.lock().expect("lock").malformed
    }

    /// Waits (up to 20 s) until at least `n` requests came; returns them.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..400 {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let got = self.received();
        panic!("waited for {n} requests, {} came: {got:#?}", got.len());
    }
}
