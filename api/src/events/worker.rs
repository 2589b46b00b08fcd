//! The webhook delivery worker: one task per instance. It turns outbox events into
//! deliveries, leases the due ones (so that with several instances on one PostgreSQL each
//! attempt is made by one; a lease outlasts every attempt its round starts, see
//! `lease_for`), sends them signed (`sign`) through the guarded resolver
//! (`destination`), and records each attempt: a 2xx delivers; anything else (a redirect
//! included: none is followed) is tried again on the schedule of
//! `domain::events::retry_delay`, with jitter, until it is spent; an endpoint whose every
//! attempt has failed for `disable_after` is disabled. It also emits the events nobody's
//! request makes (a client's re-qualification gone overdue), and deletes every hour what
//! is past its retention (`store::operate::clean_up`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use futures_util::StreamExt;
use rand::Rng;
use store::Db;
use store::webhooks::delivery::{
    AttemptResult, Due, fan_out, lease_due, record_attempts, release_all_leases, release_leases,
};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::destination::{Allowed, GuardedResolver, check_url};
use super::{Bus, sign, wire_id};

/// How the worker sends; each setting has a flag (`cli`).
#[derive(Debug, Clone)]
pub struct Settings {
    pub allowed: Allowed,
    /// The unit of the retry schedule (5 s: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h).
    pub retry_base: Duration,
    /// An endpoint whose every attempt failed for this long is disabled.
    pub disable_after: Duration,
    /// One request's whole time, connection included.
    pub timeout: Duration,
    /// Requests in flight at once.
    pub concurrency: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            allowed: Allowed::default(),
            retry_base: Duration::from_secs(5),
            disable_after: Duration::from_secs(3 * 24 * 3_600),
            timeout: Duration::from_secs(10),
            concurrency: 64,
        }
    }
}

/// The most of a receiver's answer that is read (then dropped).
const MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// Events taken per transaction, and deliveries leased per round.
const BATCH: u64 = 500;
/// How long after leasing its deliveries a round may still start an attempt; those not
/// started by then (or by a stop) are released for the next round, or another instance.
const START_WITHIN: Duration = Duration::from_secs(30);
/// Time to record a round's attempts, within the lease.
const RECORD_WITHIN: Duration = Duration::from_secs(20);

/// How long a lease lasts: the last attempt a round starts has ended (`timeout`) and been
/// recorded before it runs out, so no other instance makes an attempt this one is making.
/// 60 s with the default 10 s timeout.
fn lease_for(timeout: Duration) -> Duration {
    START_WITHIN + timeout + RECORD_WITHIN
}
/// How often the worker looks without being woken (other instances' events, retries).
const POLL: Duration = Duration::from_millis(500);
/// After a wake-up, how long to let events gather before taking them.
const GATHER: Duration = Duration::from_millis(20);
/// How often overdue re-qualifications are looked for.
const OVERDUE_EVERY: Duration = Duration::from_secs(600);
/// How often what is past its retention is deleted (`store::operate::clean_up`): once per
/// hour across all instances, whichever asks first.
const CLEAN_UP_EVERY: Duration = Duration::from_secs(3_600);
/// How often an instance asks whether the clean-up is due (from its start on).
const CLEAN_UP_ASK_EVERY: Duration = Duration::from_secs(300);

/// Makes ring (which the database driver's TLS already builds) the process's TLS provider,
/// once. Every HTTP client built in this process needs one: with `reqwest`'s
/// `rustls-no-provider`, building a client without it panics. Start-up calls it; so must
/// a test that builds a client before starting a server.
pub fn install_tls_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// Starts the worker; it stops when `stop` turns true.
///
/// # Errors
/// When the HTTP client cannot be built (no TLS provider).
pub fn spawn(
    db: Db,
    bus: Arc<Bus>,
    settings: Settings,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<JoinHandle<()>> {
    install_tls_provider();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout)
        .no_proxy()
        .user_agent("Qualify-Webhooks/1")
        .dns_resolver(GuardedResolver::shared(settings.allowed))
        .build()?;
    let worker = Worker {
        db,
        bus,
        settings,
        client,
        name: uuid::Uuid::now_v7().simple().to_string(),
    };
    Ok(tokio::spawn(worker.run(stop)))
}

struct Worker {
    db: Db,
    bus: Arc<Bus>,
    settings: Settings,
    client: reqwest::Client,
    /// This instance's name in leases.
    name: String,
}

impl Worker {
    async fn run(self, mut stop: watch::Receiver<bool>) {
        // On SQLite this server is the file's only one: leases left are of a process that
        // was killed mid-attempt; the attempts they hold are made again now, not in a minute.
        if !self.db.is_postgres() {
            match release_all_leases(&self.db).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(deliveries = n, "leases of a previous run released"),
                Err(e) => tracing::warn!(error = %e, "leases of a previous run not released"),
            }
        }
        let mut overdue_at = Instant::now();
        let mut clean_up_at = Instant::now();
        loop {
            if *stop.borrow() {
                return;
            }
            if overdue_at <= Instant::now() {
                if let Err(e) = self.overdue().await {
                    tracing::warn!(error = %e, "overdue re-qualifications not looked for");
                }
                overdue_at = Instant::now() + OVERDUE_EVERY;
            }
            if clean_up_at <= Instant::now() {
                let keep = store::operate::Retention::default();
                let every = chrono::Duration::from_std(CLEAN_UP_EVERY).unwrap_or_default();
                match store::operate::clean_up(&self.db, Utc::now(), every, &keep).await {
                    Ok(Some(cleaned)) => tracing::info!(?cleaned, "cleaned up"),
                    Ok(None) => tracing::debug!("cleaned up lately or now by another instance"),
                    Err(e) => tracing::warn!(error = %e, "clean-up failed"),
                }
                clean_up_at = Instant::now() + CLEAN_UP_ASK_EVERY;
            }
            let busy = match self.round(&stop).await {
                Ok(busy) => busy,
                Err(e) => {
                    tracing::warn!(error = %e, "webhook round failed");
                    false
                }
            };
            if busy {
                continue;
            }
            tokio::select! {
                () = self.bus.wait() => tokio::time::sleep(GATHER).await,
                () = tokio::time::sleep(POLL) => {}
                _ = stop.changed() => {}
            }
        }
    }

    /// Fans out what the outbox holds, then sends what is due; whether there was work.
    /// Attempts start for `START_WITHIN` after the lease, and not once `stop` turns true:
    /// those started are awaited (each within the timeout) and recorded, the others'
    /// leases released, so a shutdown takes at most one timeout and leaves no lease.
    async fn round(&self, stop: &watch::Receiver<bool>) -> anyhow::Result<bool> {
        let mut busy = false;
        loop {
            let taken = fan_out(&self.db, BATCH).await?;
            busy |= taken > 0;
            if (taken as u64) < BATCH {
                break;
            }
        }
        let now = Utc::now();
        let until = now + chrono::Duration::from_std(lease_for(self.settings.timeout))?;
        let due = lease_due(&self.db, &self.name, now, until, BATCH).await?;
        if due.is_empty() {
            return Ok(busy);
        }
        let leased: Vec<uuid::Uuid> = due.iter().map(|d| d.delivery_id).collect();
        let start_by = Instant::now() + START_WITHIN;
        // `buffer_unordered` asks for the next delivery only when a request slot is free:
        // the condition is checked when the attempt would start.
        let results: Vec<AttemptResult> = futures_util::stream::iter(due)
            .take_while(|_| std::future::ready(Instant::now() < start_by && !*stop.borrow()))
            .map(|d| self.attempt(d))
            .buffer_unordered(self.settings.concurrency)
            .collect()
            .await;
        let disable_before = Utc::now() - chrono::Duration::from_std(self.settings.disable_after)?;
        let disabled = record_attempts(&self.db, &self.name, &results, disable_before).await?;
        for id in disabled {
            tracing::warn!(endpoint = %id, "webhook endpoint disabled after failing too long");
        }
        // `take_while` lets through a prefix, and every attempt let through gives a
        // result: the rest of the leased deliveries were never started.
        let unstarted = &leased[results.len().min(leased.len())..];
        if !unstarted.is_empty() {
            release_leases(&self.db, &self.name, unstarted).await?;
        }
        Ok(true)
    }

    async fn attempt(&self, due: Due) -> AttemptResult {
        let started_at = Utc::now();
        let clock = Instant::now();
        let number = due.attempts + 1;
        let sent = self.send(&due).await;
        let duration_ms = u32::try_from(clock.elapsed().as_millis()).unwrap_or(u32::MAX);
        let (status, error) = match sent {
            Ok(status) => (Some(status), None),
            Err(why) => (None, Some(why)),
        };
        let delivered = status.is_some_and(|s| (200..300).contains(&s));
        let retry_at = if delivered {
            None
        } else {
            domain::events::retry_delay(number, self.settings.retry_base, rand::rng().random())
                .and_then(|d| chrono::Duration::from_std(d).ok())
                .map(|d| Utc::now() + d)
        };
        crate::metrics::webhook_attempt(match (delivered, retry_at.is_some()) {
            (true, _) => "delivered",
            (false, true) => "retry",
            (false, false) => "failed",
        });
        AttemptResult {
            delivery_id: due.delivery_id,
            endpoint_id: due.endpoint_id,
            number,
            started_at,
            status,
            duration_ms,
            error: error.or_else(|| {
                (!delivered).then(|| format!("answered {}", status.unwrap_or_default()))
            }),
            delivered,
            retry_at,
        }
    }

    /// Sends one request; the status, or why none came.
    async fn send(&self, due: &Due) -> Result<u16, String> {
        let url = check_url(&due.url, self.settings.allowed)
            .map_err(|why| format!("destination refused: URL {why}"))?;
        let id = wire_id(due.event_id);
        let timestamp = Utc::now().timestamp();
        let signature = sign::signature(&due.secrets, &id, timestamp, &due.body);
        let response = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(due.body.clone())
            .send()
            .await
            .map_err(|e| describe(&e))?;
        let status = response.status().as_u16();
        // Read a bounded part of the answer, so the connection can be reused, then stop.
        let mut body = response.bytes_stream();
        let mut read = 0usize;
        while let Some(Ok(chunk)) = body.next().await {
            read += chunk.len();
            if read >= MAX_RESPONSE_BYTES {
                break;
            }
        }
        Ok(status)
    }

    /// Emits `requalification.overdue` for clients whose date passed in the last week
    /// (once per client and date: the event's dedupe key).
    async fn overdue(&self) -> anyhow::Result<()> {
        let today = Utc::now().date_naive();
        let since = today - chrono::Days::new(7);
        let overdue = store::events::overdue_between(&self.db, since, today, 5_000).await?;
        if overdue.is_empty() {
            return Ok(());
        }
        let txn = store::begin_write(&self.db).await?;
        let mut written = 0;
        for o in &overdue {
            if store::events::insert_event(&txn, &super::requalification_overdue(o)).await? {
                written += 1;
            }
        }
        txn.commit().await?;
        if written > 0 {
            tracing::info!(written, "re-qualifications gone overdue");
            self.bus.written();
        }
        Ok(())
    }
}

/// Why a request got no answer, in words for the delivery log (no addresses, no internals).
fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "could not connect (or the destination is not allowed)".to_owned()
    } else {
        "the request failed".to_owned()
    }
}
