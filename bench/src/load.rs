//! `bench load`: the load generator, run by the harness as its own process on the other
//! core. Closed loop: `concurrency` connections, each sending its next request as soon as
//! the previous answer is read, for a warm-up and then a timed window.
//!
//! Written here rather than driving `oha`, because every response must be checked before
//! it counts: each body is parsed (cheaply, skipping the data) and a response with an HTTP
//! error, an `errors` entry or no `data` is an error, never a measurement. The process
//! also marks the timed window exactly: all connections meet at a barrier before and after
//! it, and only then are the server's CPU time (`/proc/<pid>/stat`) and SQL statement
//! counter read, so neither includes warm-up or draining traffic. On PostgreSQL the
//! database server's CPU time is read at the same barriers (`database_cpu`).
//!
//! It can drive several instances of one server at once (`bench instances`): the
//! connections are dealt round-robin over their addresses, and the CPU time and statements
//! are summed over the instances.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode, header};
use hyper_util::rt::TokioIo;
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use tokio::net::TcpStream;
use tokio::sync::Barrier;

use crate::database_cpu::{self, Probe as DatabaseProbe};

/// One request of a scenario; a worker cycles through the list.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Call {
    /// `GET` without a body, `POST` with one.
    pub path: String,
    pub body: Option<String>,
}

/// What to run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Spec {
    pub addr: SocketAddr,
    /// Further instances of the same server on the same database: connection `i` goes to
    /// the `i mod k`-th of `addr` followed by these (`Spec::addr_of`). Empty for one
    /// server, and then absent from the spec file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<Instance>,
    pub calls: Vec<Call>,
    pub authorization: Option<String>,
    pub concurrency: usize,
    pub warmup_secs: f64,
    pub duration_secs: f64,
    /// The server process, for its CPU time.
    pub server_pid: Option<u32>,
    /// The server's statement counter (`GET /statements`).
    pub debug: Option<SocketAddr>,
    /// The database server whose processes' CPU time is read too (PostgreSQL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<DatabaseProbe>,
}

/// Another instance of the server a spec drives: where it listens, its process and its
/// statement counter, as `Spec` has them for the first.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Instance {
    pub addr: SocketAddr,
    pub server_pid: Option<u32>,
    pub debug: Option<SocketAddr>,
}

impl Spec {
    /// The address connection `worker` uses, for its whole life (reconnections too):
    /// round-robin over the instances, so that at a concurrency that is a multiple of
    /// their number each gets the same share of the closed loop.
    pub fn addr_of(&self, worker: usize) -> SocketAddr {
        match worker % (1 + self.also.len()) {
            0 => self.addr,
            i => self.also[i - 1].addr,
        }
    }

    /// Every instance's process, or `None` if one is not known (then no CPU is read).
    fn server_pids(&self) -> Option<Vec<u32>> {
        std::iter::once(self.server_pid)
            .chain(self.also.iter().map(|i| i.server_pid))
            .collect()
    }

    /// Every instance's statement counter, or `None` if one has none.
    fn debugs(&self) -> Option<Vec<SocketAddr>> {
        std::iter::once(self.debug)
            .chain(self.also.iter().map(|i| i.debug))
            .collect()
    }
}

/// What one timed window measured.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Outcome {
    /// Responses that passed the check, within the window.
    pub ok: u64,
    pub errors: u64,
    pub error_samples: Vec<String>,
    pub seconds: f64,
    pub requests_per_second: f64,
    pub p50_us: u64,
    pub p99_us: u64,
    pub max_us: u64,
    /// Summed over the instances when there are several.
    pub server_cpu_us_per_request: Option<f64>,
    pub statements_per_request: Option<f64>,
    /// The database server's processes (all of them, `database_cpu`), on PostgreSQL.
    #[serde(default)]
    pub database_cpu_us_per_request: Option<f64>,
    /// Of the database server's CPU in the window, what live backends of other databases
    /// spent, in µs: above 0, the figure above includes someone else's work.
    #[serde(default)]
    pub database_cpu_elsewhere_us: Option<f64>,
}

/// Runs the spec and measures the timed window.
///
/// # Errors
/// When the server cannot be reached at all.
pub async fn run(spec: Spec) -> anyhow::Result<Outcome> {
    if spec.calls.is_empty() || spec.concurrency == 0 {
        bail!("nothing to send");
    }
    let spec = Arc::new(spec);
    let gate = Arc::new(Barrier::new(spec.concurrency + 1));
    let mut workers = Vec::with_capacity(spec.concurrency);
    for i in 0..spec.concurrency {
        workers.push(tokio::spawn(worker(
            Arc::clone(&spec),
            Arc::clone(&gate),
            i,
        )));
    }
    // Warm-up ends when every worker has finished its last warm-up request.
    gate.wait().await;
    let before = probe(&spec).await?;
    gate.wait().await;
    let started = Instant::now();
    gate.wait().await;
    let seconds = started.elapsed().as_secs_f64();
    let after = probe(&spec).await?;
    let mut latencies = Vec::new();
    let mut outcome = Outcome::default();
    for w in workers {
        let tally = w.await.context("worker panicked")?;
        outcome.ok += tally.latencies_us.len() as u64;
        outcome.errors += tally.errors;
        latencies.extend(tally.latencies_us);
        for s in tally.samples {
            if outcome.error_samples.len() < 5 {
                outcome.error_samples.push(s);
            }
        }
    }
    latencies.sort_unstable();
    outcome.seconds = seconds;
    outcome.requests_per_second = outcome.ok as f64 / seconds;
    outcome.p50_us = percentile(&latencies, 0.50);
    outcome.p99_us = percentile(&latencies, 0.99);
    outcome.max_us = latencies.last().copied().unwrap_or(0);
    let answered = (outcome.ok + outcome.errors).max(1) as f64;
    if let (Some(b), Some(a)) = (before.cpu_ticks, after.cpu_ticks) {
        let micros = (a - b) as f64 * 1e6 / ticks_per_second();
        outcome.server_cpu_us_per_request = Some(micros / answered);
    }
    if let (Some(b), Some(a)) = (before.statements, after.statements) {
        outcome.statements_per_request = Some((a - b) as f64 / answered);
    }
    if let (Some(probe), Some(b), Some(a)) = (&spec.database, &before.database, &after.database) {
        let used = database_cpu::usage(b, a, &probe.database);
        let micros = |ticks: u64| ticks as f64 * 1e6 / ticks_per_second();
        outcome.database_cpu_us_per_request = Some(micros(used.ticks) / answered);
        outcome.database_cpu_elsewhere_us = Some(micros(used.elsewhere_ticks));
    }
    Ok(outcome)
}

fn percentile(sorted: &[u64], q: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((sorted.len() as f64) * q).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[derive(Default)]
struct Tally {
    latencies_us: Vec<u64>,
    errors: u64,
    samples: Vec<String>,
}

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

async fn connect(addr: SocketAddr) -> anyhow::Result<Sender> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    Ok(sender)
}

async fn worker(spec: Arc<Spec>, gate: Arc<Barrier>, index: usize) -> Tally {
    let addr = spec.addr_of(index);
    let mut sender = None;
    let mut next = index;
    let mut warm = Tally::default();
    let warmup = Duration::from_secs_f64(spec.warmup_secs);
    let until = Instant::now() + warmup;
    while Instant::now() < until {
        one(&spec, addr, &mut sender, &mut next, &mut warm).await;
    }
    gate.wait().await; // warm-up done
    gate.wait().await; // counters read: go
    let mut tally = Tally::default();
    let until = Instant::now() + Duration::from_secs_f64(spec.duration_secs);
    while Instant::now() < until {
        one(&spec, addr, &mut sender, &mut next, &mut tally).await;
    }
    gate.wait().await; // window over
    tally
}

async fn one(
    spec: &Spec,
    addr: SocketAddr,
    sender: &mut Option<Sender>,
    next: &mut usize,
    tally: &mut Tally,
) {
    let call = &spec.calls[*next % spec.calls.len()];
    *next += 1;
    let started = Instant::now();
    match send(spec, addr, sender, call).await {
        Ok(()) => tally
            .latencies_us
            .push(u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX)),
        Err(e) => {
            tally.errors += 1;
            if tally.samples.len() < 5 {
                let mut text = format!("{e:#}");
                text.truncate(300);
                tally.samples.push(text);
            }
        }
    }
}

/// The HTTP request for `call`: `POST` with its JSON body, or `GET` without one.
///
/// # Errors
/// When the path or a header is not valid HTTP.
pub fn request(call: &Call, authorization: Option<&str>) -> anyhow::Result<Request<Full<Bytes>>> {
    let mut request = Request::builder()
        .uri(call.path.as_str())
        .header(header::HOST, "127.0.0.1");
    if let Some(auth) = authorization {
        request = request.header(header::AUTHORIZATION, auth);
    }
    Ok(match &call.body {
        Some(body) => request
            .method(Method::POST)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(body.clone())))?,
        None => request.method(Method::GET).body(Full::new(Bytes::new()))?,
    })
}

/// Sends one request and checks its answer: HTTP 200, JSON with `data` and no `errors`.
async fn send(
    spec: &Spec,
    addr: SocketAddr,
    sender: &mut Option<Sender>,
    call: &Call,
) -> anyhow::Result<()> {
    if sender.as_ref().is_none_or(|s| s.is_closed()) {
        *sender = Some(connect(addr).await?);
    }
    let s = sender.as_mut().context("no connection")?;
    s.ready().await?;
    let response = s
        .send_request(request(call, spec.authorization.as_deref())?)
        .await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    check(status, &body)
}

#[derive(Deserialize)]
struct Checked {
    data: Option<IgnoredAny>,
    errors: Option<Vec<IgnoredAny>>,
}

fn check(status: StatusCode, body: &[u8]) -> anyhow::Result<()> {
    let text = || {
        String::from_utf8_lossy(body)
            .chars()
            .take(300)
            .collect::<String>()
    };
    if status != StatusCode::OK {
        bail!("HTTP {status}: {}", text());
    }
    let checked: Checked =
        serde_json::from_slice(body).with_context(|| format!("not JSON: {}", text()))?;
    if checked.errors.is_some_and(|e| !e.is_empty()) {
        bail!("errors: {}", text());
    }
    if checked.data.is_none() {
        bail!("no data: {}", text());
    }
    Ok(())
}

struct Probe {
    cpu_ticks: Option<u64>,
    statements: Option<u64>,
    database: Option<Vec<database_cpu::Process>>,
}

/// The counters at a barrier, summed over the instances.
async fn probe(spec: &Spec) -> anyhow::Result<Probe> {
    let cpu_ticks = spec
        .server_pids()
        .and_then(|pids| pids.into_iter().map(cpu_ticks).sum());
    let statements = match spec.debugs() {
        Some(addrs) => {
            let mut total = 0;
            for addr in addrs {
                total += statements(addr).await?;
            }
            Some(total)
        }
        None => None,
    };
    Ok(Probe {
        cpu_ticks,
        statements,
        database: spec.database.as_ref().map(database_cpu::read),
    })
}

/// User plus system time of every thread of `pid`, in clock ticks (`/proc/<pid>/stat`
/// fields 14 and 15).
pub fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may contain spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// `USER_HZ`: 100 on every Linux this runs on (the kernel ABI fixes it for `/proc`).
fn ticks_per_second() -> f64 {
    100.0
}

async fn statements(addr: SocketAddr) -> anyhow::Result<u64> {
    let mut sender = connect(addr).await?;
    let request = Request::builder()
        .uri("/statements")
        .header(header::HOST, "127.0.0.1")
        .body(Full::new(Bytes::new()))?;
    let response = sender.send_request(request).await?;
    let body = response.into_body().collect().await?.to_bytes();
    Ok(std::str::from_utf8(&body)?.trim().parse()?)
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use super::{Instance, Spec};

    fn spec(addrs: &[SocketAddr]) -> Spec {
        Spec {
            addr: addrs[0],
            also: addrs[1..]
                .iter()
                .map(|&addr| Instance {
                    addr,
                    server_pid: None,
                    debug: None,
                })
                .collect(),
            calls: Vec::new(),
            authorization: None,
            concurrency: 16,
            warmup_secs: 0.0,
            duration_secs: 0.0,
            server_pid: None,
            debug: None,
            database: None,
        }
    }

    #[test]
    fn connections_are_dealt_round_robin_over_the_instances() {
        let a = SocketAddr::from(([127, 0, 0, 1], 1000));
        let b = SocketAddr::from(([127, 0, 0, 1], 2000));
        let one = spec(&[a]);
        assert!((0..16).all(|w| one.addr_of(w) == a));
        let two = spec(&[a, b]);
        let dealt: Vec<SocketAddr> = (0..16).map(|w| two.addr_of(w)).collect();
        assert_eq!(&dealt[..4], [a, b, a, b]);
        assert_eq!(dealt.iter().filter(|&&x| x == a).count(), 8);
        assert_eq!(dealt.iter().filter(|&&x| x == b).count(), 8);
    }

    #[test]
    fn a_spec_of_one_address_reads_and_writes_as_before() -> anyhow::Result<()> {
        let before = r#"{"addr":"127.0.0.1:1000","calls":[],"authorization":null,
            "concurrency":2,"warmup_secs":1.0,"duration_secs":3.0,"server_pid":7,
            "debug":"127.0.0.1:1001"}"#;
        let read: Spec = serde_json::from_str(before)?;
        assert!(read.also.is_empty() && read.database.is_none());
        assert_eq!(read.server_pids(), Some(vec![7]));
        let written = serde_json::to_value(&read)?;
        assert!(written.get("also").is_none() && written.get("database").is_none());
        Ok(())
    }

    #[test]
    fn cpu_and_statements_are_read_only_when_every_instance_has_them() {
        let a = SocketAddr::from(([127, 0, 0, 1], 1000));
        let mut two = spec(&[a, a]);
        two.server_pid = Some(1);
        two.debug = Some(a);
        assert_eq!(two.server_pids(), None);
        two.also[0].server_pid = Some(2);
        two.also[0].debug = Some(a);
        assert_eq!(two.server_pids(), Some(vec![1, 2]));
        assert_eq!(two.debugs().map(|d| d.len()), Some(2));
    }
}
