//! Prometheus metrics on a listener of their own (`--metrics-bind`; off by default), with
//! the ecosystem's `metrics` facade and its Prometheus exporter. Label values are bounded:
//! HTTP statuses, our error codes, delivery outcomes, and operation names (the first 100
//! seen, then `other`); never an id or query text.
//!
//! Counted as they happen: requests (status, duration), GraphQL operations (name, first
//! error code; duration by name), throttled logins, webhook attempts (outcome). Read at each scrape: the
//! database pool (connections open, idle and at most; connections taken by single
//! statements and by transactions, how many of those waited a millisecond or more, and
//! the time spent waiting), the SQLite writer queue, the outbox's backlog.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Mutex, OnceLock};

use axum::Router;
use axum::routing::get;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::app::AppState;

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's recorder, installed once (the `metrics` facade is process-wide).
fn handle() -> anyhow::Result<&'static PrometheusHandle> {
    if let Some(handle) = HANDLE.get() {
        return Ok(handle);
    }
    let recorder = PrometheusBuilder::new()
        .set_buckets(&[
            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
        ])?
        .build_recorder();
    let handle = recorder.handle();
    // A second server in the process (tests) finds it installed: the first one's serves.
    if metrics::set_global_recorder(recorder).is_ok() {
        let _ = HANDLE.set(handle);
    }
    HANDLE
        .get()
        .ok_or_else(|| anyhow::anyhow!("another metrics recorder is installed"))
}

/// How often histogram samples are folded into their buckets (the exporter's own default).
const UPKEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Whether metrics are recorded (a listener was asked for): off, nothing is counted.
static ON: OnceLock<bool> = OnceLock::new();

fn on() -> bool {
    ON.get().copied().unwrap_or(false)
}

/// Starts the metrics listener on `bind`: `GET /metrics` in Prometheus' text format.
///
/// # Errors
/// When the address cannot be bound or the recorder cannot be installed.
pub async fn serve(
    bind: SocketAddr,
    state: AppState,
) -> anyhow::Result<(SocketAddr, JoinHandle<()>)> {
    let handle = handle()?;
    let _ = ON.set(true);
    let app = Router::new().route(
        "/metrics",
        get(move || {
            let state = state.clone();
            async move {
                sample(&state).await;
                handle.render()
            }
        }),
    );
    let listener = TcpListener::bind(bind).await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        // The recorder keeps each histogram sample until upkeep folds it into the buckets:
        // without it, a server nobody scrapes would hold every request's duration.
        let upkeep = async {
            loop {
                tokio::time::sleep(UPKEEP_EVERY).await;
                handle.run_upkeep();
            }
        };
        tokio::select! {
            _ = axum::serve(listener, app) => {}
            () = upkeep => {}
        }
    });
    tracing::info!(%addr, "metrics listening");
    Ok((addr, task))
}

/// The gauges read at each scrape.
async fn sample(state: &AppState) {
    let db = state.db.uncounted();
    let pool = store::pool_connections(&db);
    metrics::gauge!("qualify_db_pool_connections").set(f64::from(pool.open));
    metrics::gauge!("qualify_db_pool_idle_connections").set(pool.idle as f64);
    metrics::gauge!("qualify_db_pool_max_connections").set(f64::from(pool.max));
    let waits = store::pool_waits();
    for (kind, w) in [
        ("statement", waits.statements),
        ("transaction", waits.transactions),
    ] {
        metrics::counter!("qualify_db_acquires_total", "kind" => kind).absolute(w.acquired);
        metrics::counter!("qualify_db_acquire_waits_total", "kind" => kind).absolute(w.waited);
        metrics::counter!("qualify_db_acquire_wait_microseconds_total", "kind" => kind)
            .absolute(u64::try_from(w.wait.as_micros()).unwrap_or(u64::MAX));
    }
    metrics::gauge!("qualify_db_writers_waiting").set(store::writers_waiting() as f64);
    if let Ok((events, deliveries)) = store::events::backlog(&db).await {
        metrics::gauge!("qualify_outbox_undispatched_events").set(events as f64);
        metrics::gauge!("qualify_webhook_pending_deliveries").set(deliveries as f64);
    }
}

/// The operation names seen, up to 100: a label's values must stay bounded.
fn operation_label(name: Option<&str>) -> String {
    static SEEN: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    let Some(name) = name else {
        return "anonymous".to_owned();
    };
    let Ok(mut seen) = SEEN.get_or_init(Mutex::default).lock() else {
        return "other".to_owned();
    };
    if seen.contains(name) || (seen.len() < 100 && seen.insert(name.to_owned())) {
        name.to_owned()
    } else {
        "other".to_owned()
    }
}

/// One HTTP request: its status and how long it took; for `/graphql`, its operation and
/// the code of its first error (`none`).
pub fn request(path: &str, status: u16, seconds: f64, operation: Option<&str>, code: Option<&str>) {
    if !on() {
        return;
    }
    let status = status.to_string();
    metrics::counter!("qualify_http_requests_total", "status" => status.clone()).increment(1);
    metrics::histogram!("qualify_http_request_duration_seconds", "status" => status)
        .record(seconds);
    if path == "/graphql" {
        let operation = operation_label(operation);
        metrics::counter!(
            "qualify_graphql_operations_total",
            "operation" => operation.clone(),
            "code" => code.unwrap_or("none").to_owned()
        )
        .increment(1);
        metrics::histogram!("qualify_graphql_operation_duration_seconds", "operation" => operation)
            .record(seconds);
    }
}

/// A login or sign-up refused by the throttle.
pub fn login_throttled() {
    if on() {
        metrics::counter!("qualify_login_throttled_total").increment(1);
    }
}

/// A webhook attempt: `delivered`, `retry` or `failed`.
pub fn webhook_attempt(outcome: &'static str) {
    if on() {
        metrics::counter!("qualify_webhook_attempts_total", "outcome" => outcome).increment(1);
    }
}

#[cfg(test)]
mod tests {
    use super::operation_label;

    #[test]
    fn operation_names_are_bounded() {
        assert_eq!(operation_label(None), "anonymous");
        for i in 0..150 {
            let _ = operation_label(Some(&format!("Op{i}")));
        }
        assert_eq!(operation_label(Some("Op3")), "Op3");
        assert_eq!(operation_label(Some("Op149")), "other");
    }
}
