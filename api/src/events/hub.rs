//! The subscription hub: one task per instance reads committed events from the outbox and
//! hands each to this instance's subscribers (a broadcast channel; each subscription
//! filters by the policy, `graphql::subscription`). It reads when this instance commits
//! events (`Bus::written`), when PostgreSQL notifies that another instance did
//! (`store::events::EventListener`), and every second.
//!
//! On SQLite one writer commits events in id order, so reading after the last id sees
//! each once. On PostgreSQL a transaction can commit after one with a later id: every
//! second the hub reads again the last few seconds (`LOOKBACK`) and sends what it had not
//! seen. Nothing is read while no one subscribes.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use store::Db;
use store::events::{Event, EventListener, events_after, latest_event_id};
use tokio::sync::{Notify, broadcast, watch};
use uuid::Uuid;

/// Events buffered per subscriber; one that falls further behind is told and ended.
pub const CAPACITY: usize = 4_096;
/// Events read per statement.
const READ: u64 = 500;
/// How far back the PostgreSQL sweep reads again.
const LOOKBACK: Duration = Duration::from_secs(5);
/// How often the hub reads without being woken.
const POLL: Duration = Duration::from_secs(1);

/// An event and its `data`, parsed once for every subscriber.
#[derive(Debug)]
pub struct Published {
    pub event: Event,
    pub data: serde_json::Value,
}

/// This instance's feed of events for subscribers.
#[derive(Debug)]
pub struct Hub {
    wake: Notify,
    sender: broadcast::Sender<Arc<Published>>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub::with_buffer(CAPACITY)
    }
}

impl Hub {
    /// A hub whose subscribers may fall `buffer` events behind.
    pub fn with_buffer(buffer: usize) -> Self {
        Hub {
            wake: Notify::new(),
            sender: broadcast::channel(buffer.max(1)).0,
        }
    }

    /// Events were committed here: read them now rather than at the next poll.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Every event committed from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Published>> {
        let receiver = self.sender.subscribe();
        self.wake();
        receiver
    }

    /// Reads and publishes until `stop` turns true.
    pub async fn run(self: Arc<Self>, db: Db, mut stop: watch::Receiver<bool>) {
        let mut listener = match EventListener::connect(&db).await {
            Ok(listener) => listener,
            Err(e) => {
                tracing::warn!(error = %e, "no LISTEN: other instances' events arrive within a second");
                None
            }
        };
        let sweeps = listener.is_some();
        let mut reader = Reader::default();
        let mut sweep = tokio::time::interval(POLL);
        loop {
            tokio::select! {
                () = self.wake.notified() => {}
                woke = next(&mut listener) => {
                    if let Err(e) = woke {
                        tracing::warn!(error = %e, "LISTEN failed; polling instead");
                        listener = None;
                    }
                }
                _ = sweep.tick() => {
                    if sweeps && let Err(e) = reader.sweep(&db, &self.sender).await {
                        tracing::warn!(error = %e, "subscription sweep failed");
                    }
                }
                _ = stop.changed() => return,
            }
            if let Err(e) = reader.read(&db, &self.sender).await {
                tracing::warn!(error = %e, "subscription read failed");
            }
        }
    }
}

async fn next(listener: &mut Option<EventListener>) -> Result<(), store::StoreError> {
    match listener {
        Some(listener) => listener.next().await,
        None => std::future::pending().await,
    }
}

#[derive(Default)]
struct Reader {
    /// The latest id read; `None` while no one subscribes.
    cursor: Option<Uuid>,
    /// Ids read within the sweep's reach, so that none is sent twice.
    seen: BTreeSet<Uuid>,
    /// Where reading started when the first subscriber came: nothing before it is sent.
    floor: Uuid,
}

impl Reader {
    async fn read(
        &mut self,
        db: &Db,
        sender: &broadcast::Sender<Arc<Published>>,
    ) -> Result<(), store::StoreError> {
        if sender.receiver_count() == 0 {
            self.cursor = None;
            self.seen.clear();
            return Ok(());
        }
        let cursor = match self.cursor {
            Some(cursor) => cursor,
            None => {
                let latest = latest_event_id(db).await?.unwrap_or(Uuid::nil());
                self.cursor = Some(latest);
                self.floor = latest;
                return Ok(());
            }
        };
        let mut after = cursor;
        loop {
            let events = events_after(db, after, READ).await?;
            let read = events.len();
            for event in events {
                after = after.max(event.id);
                self.publish(event, sender);
            }
            if (read as u64) < READ {
                break;
            }
        }
        self.cursor = Some(after);
        Ok(())
    }

    /// Reads the last `LOOKBACK` again for events that committed late.
    async fn sweep(
        &mut self,
        db: &Db,
        sender: &broadcast::Sender<Arc<Published>>,
    ) -> Result<(), store::StoreError> {
        let Some(cursor) = self.cursor else {
            return Ok(());
        };
        let from = before(cursor, LOOKBACK).max(self.floor);
        for event in events_after(db, from, 10 * READ).await? {
            if event.id <= cursor {
                self.publish(event, sender);
            }
        }
        // Forget what the next sweeps cannot reach.
        let keep = before(cursor, LOOKBACK * 2);
        self.seen = self.seen.split_off(&keep);
        Ok(())
    }

    fn publish(&mut self, event: Event, sender: &broadcast::Sender<Arc<Published>>) {
        if !self.seen.insert(event.id) {
            return;
        }
        let data = serde_json::from_str::<serde_json::Value>(&event.body)
            .map(|mut body| body["data"].take())
            .unwrap_or(serde_json::Value::Null);
        // No receiver left: nothing to do.
        let _ = sender.send(Arc::new(Published { event, data }));
    }
}

/// The smallest version-7 uuid of the millisecond `by` before `id`'s.
fn before(id: Uuid, by: Duration) -> Uuid {
    let millis = id
        .get_timestamp()
        .map(|t| {
            let (secs, nanos) = t.to_unix();
            secs * 1_000 + u64::from(nanos / 1_000_000)
        })
        .unwrap_or(0);
    let from = millis.saturating_sub(u64::try_from(by.as_millis()).unwrap_or(u64::MAX));
    let bytes = from.to_be_bytes();
    let mut raw = [0u8; 16];
    raw[..6].copy_from_slice(&bytes[2..]);
    raw[6] = 0x70; // version 7
    raw[8] = 0x80; // RFC 4122 variant
    Uuid::from_bytes(raw)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_sweep_starts_at_the_first_uuid_of_the_millisecond_five_seconds_back() {
        let ts = uuid::Timestamp::from_unix(uuid::NoContext, 1_700_000_010, 500_000_000);
        let id = Uuid::new_v7(ts);
        let from = before(id, Duration::from_secs(5));
        let (secs, nanos) = from.get_timestamp().map(|t| t.to_unix()).unwrap_or((0, 0));
        assert_eq!((secs, nanos), (1_700_000_005, 500_000_000));
        assert!(
            from < Uuid::new_v7(uuid::Timestamp::from_unix(
                uuid::NoContext,
                1_700_000_005,
                500_000_000
            ))
        );
        assert!(from < id);
    }
}
