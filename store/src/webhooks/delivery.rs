//! The delivery worker's side of the store: turning outbox events into deliveries
//! ([`fan_out`]), leasing due deliveries so that each attempt is made by one instance
//! ([`lease_due`]: `FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's one writer serialises
//! it), and recording what the attempts brought ([`record_attempts`]).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use domain::events::{Audience, EventType};
use sea_orm::{ConnectionTrait, Statement, Value};
use uuid::Uuid;

use super::{DeliveryState, types_from_json};
use crate::audit::numbered;
use crate::clock::now;
use crate::connect::begin_write;
use crate::events::{is_postgres, to_i64};
use crate::{Conn, StoreError};

fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

fn stmt(db: &impl Conn, sql: &str, values: Vec<Value>) -> Statement {
    let backend = db.get_database_backend();
    Statement::from_sql_and_values(backend, numbered(backend, sql), values)
}

/// Makes the deliveries of up to `limit` events not yet dispatched (one per enabled
/// endpoint that subscribes to the event's type, whose owner it concerns, and that existed
/// when it happened: an endpoint is told what happens from its creation on) and marks
/// the events dispatched, in one transaction. Returns how many events it took.
///
/// # Errors
/// [`StoreError::Db`] when the database fails; nothing is then changed.
pub async fn fan_out(db: &impl Conn, limit: u64) -> Result<usize, StoreError> {
    let txn = begin_write(db).await?;
    let lock = if is_postgres(db) {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let sql = format!(
        "SELECT id, event_type, occurred_at, program_id, mentor_id, subject_id FROM events \
         WHERE dispatched_at IS NULL ORDER BY id LIMIT ?{lock}"
    );
    let rows = txn
        .query_all_raw(stmt(&txn, &sql, vec![to_i64(limit).into()]))
        .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let mut events = Vec::with_capacity(rows.len());
    let mut people = BTreeSet::new();
    for row in &rows {
        let name: String = row.try_get("", "event_type")?;
        let audience = Audience {
            program_id: row.try_get("", "program_id")?,
            mentor_id: row.try_get("", "mentor_id")?,
            subject_id: row.try_get("", "subject_id")?,
        };
        people.extend(audience.mentor_id);
        people.extend(audience.subject_id);
        let id: Uuid = row.try_get("", "id")?;
        let event_type = EventType::parse(&name)
            .ok_or_else(|| StoreError::corrupt(format!("event type {name}")))?;
        let at: DateTime<Utc> = row.try_get("", "occurred_at")?;
        events.push((id, event_type, at, audience));
    }
    let mut endpoints: Vec<(Uuid, Uuid, Vec<EventType>, DateTime<Utc>)> = Vec::new();
    if !people.is_empty() {
        let sql = format!(
            "SELECT id, owner_id, event_types, created_at FROM webhook_endpoints \
             WHERE enabled AND owner_id IN ({})",
            marks(people.len())
        );
        let values = people.iter().map(|p| Value::from(*p)).collect();
        for row in txn.query_all_raw(stmt(&txn, &sql, values)).await? {
            let types: String = row.try_get("", "event_types")?;
            endpoints.push((
                row.try_get("", "id")?,
                row.try_get("", "owner_id")?,
                types_from_json(&types)?,
                row.try_get("", "created_at")?,
            ));
        }
    }
    let at = now();
    let mut deliveries: Vec<Value> = Vec::new();
    let mut count = 0;
    for (event_id, event_type, occurred_at, audience) in &events {
        for (endpoint_id, owner, types, created_at) in &endpoints {
            if types.contains(event_type) && audience.includes(*owner) && created_at <= occurred_at
            {
                deliveries.extend([
                    Uuid::now_v7().into(),
                    (*endpoint_id).into(),
                    (*event_id).into(),
                    event_type.name().into(),
                    at.into(),
                    at.into(),
                ]);
                count += 1;
            }
        }
    }
    // At most 100 rows (600 parameters) per statement.
    for chunk in deliveries.chunks(600) {
        let rows = vec!["(?, ?, ?, ?, 'pending', 0, ?, ?)"; chunk.len() / 6].join(", ");
        let sql = format!(
            "INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, state, \
             attempts, next_attempt_at, created_at) VALUES {rows}"
        );
        txn.execute_raw(stmt(&txn, &sql, chunk.to_vec())).await?;
    }
    let ids: Vec<Value> = std::iter::once(Value::from(at))
        .chain(events.iter().map(|(id, ..)| Value::from(*id)))
        .collect();
    let sql = format!(
        "UPDATE events SET dispatched_at = ? WHERE id IN ({})",
        marks(events.len())
    );
    txn.execute_raw(stmt(&txn, &sql, ids)).await?;
    txn.commit().await?;
    tracing::debug!(events = events.len(), deliveries = count, "fanned out");
    Ok(events.len())
}

/// A delivery leased for one attempt, with what sending it needs.
#[derive(Debug, Clone)]
pub struct Due {
    pub delivery_id: Uuid,
    pub endpoint_id: Uuid,
    /// Attempts made before this one.
    pub attempts: u32,
    pub event_id: Uuid,
    pub body: String,
    pub url: String,
    /// The secrets to sign with: the endpoint's, then the one before a rotation while it
    /// still signs.
    pub secrets: Vec<String>,
}

/// Ends every lease, so what was leased is due again at once; how many were. Only for a
/// worker that is the database's only one: on SQLite, whose file one server holds
/// (`operate::hold_sqlite`), a lease found at start is of a process that died mid-attempt,
/// and waiting out its lease would only delay the attempt it cut.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn release_all_leases(db: &impl Conn) -> Result<u64, StoreError> {
    let sql = "UPDATE webhook_deliveries SET lease_until = NULL, leased_by = NULL \
               WHERE leased_by IS NOT NULL";
    let done = db.execute_raw(stmt(db, sql, Vec::new())).await?;
    Ok(done.rows_affected())
}

/// Ends `worker`'s leases of these deliveries (attempts it did not make after all): they
/// are due again at once, for any worker.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn release_leases(db: &impl Conn, worker: &str, ids: &[Uuid]) -> Result<u64, StoreError> {
    let mut released = 0;
    for chunk in ids.chunks(500) {
        let sql = format!(
            "UPDATE webhook_deliveries SET lease_until = NULL, leased_by = NULL \
             WHERE leased_by = ? AND id IN ({})",
            marks(chunk.len())
        );
        let mut values: Vec<Value> = vec![worker.into()];
        values.extend(chunk.iter().map(|id| Value::from(*id)));
        released += db
            .execute_raw(stmt(db, &sql, values))
            .await?
            .rows_affected();
    }
    Ok(released)
}

/// Leases up to `limit` deliveries due at `at` (pending, endpoint enabled, no live lease)
/// to `worker` until `until`, soonest first, and returns them. On PostgreSQL, rows another
/// instance is leasing are skipped, so each attempt is made by one instance.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn lease_due(
    db: &impl Conn,
    worker: &str,
    at: DateTime<Utc>,
    until: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Due>, StoreError> {
    let lock = if is_postgres(db) {
        " FOR UPDATE OF d SKIP LOCKED"
    } else {
        ""
    };
    let txn = begin_write(db).await?;
    let sql = format!(
        "UPDATE webhook_deliveries SET lease_until = ?, leased_by = ? WHERE id IN (\
         SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id \
         WHERE d.state = 'pending' AND d.next_attempt_at <= ? \
         AND (d.lease_until IS NULL OR d.lease_until < ?) AND e.enabled \
         ORDER BY d.next_attempt_at LIMIT ?{lock}) RETURNING id"
    );
    let values = vec![
        until.into(),
        worker.into(),
        at.into(),
        at.into(),
        to_i64(limit).into(),
    ];
    let leased = txn.query_all_raw(stmt(&txn, &sql, values)).await?;
    if leased.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Value> = leased
        .iter()
        .map(|row| row.try_get::<Uuid>("", "id").map(Value::from))
        .collect::<Result<_, _>>()?;
    let sql = format!(
        "SELECT d.id, d.endpoint_id, d.attempts, d.event_id, ev.body, e.url, e.secret, \
         e.previous_secret, e.previous_secret_until FROM webhook_deliveries d \
         JOIN events ev ON ev.id = d.event_id JOIN webhook_endpoints e ON e.id = d.endpoint_id \
         WHERE d.id IN ({}) ORDER BY d.next_attempt_at",
        marks(ids.len())
    );
    let rows = txn.query_all_raw(stmt(&txn, &sql, ids)).await?;
    txn.commit().await?;
    rows.iter()
        .map(|row| {
            let mut secrets = vec![row.try_get::<String>("", "secret")?];
            let previous: Option<String> = row.try_get("", "previous_secret")?;
            let until: Option<DateTime<Utc>> = row.try_get("", "previous_secret_until")?;
            if let (Some(previous), Some(until)) = (previous, until)
                && until > at
            {
                secrets.push(previous);
            }
            Ok(Due {
                delivery_id: row.try_get("", "id")?,
                endpoint_id: row.try_get("", "endpoint_id")?,
                attempts: u32::try_from(row.try_get::<i32>("", "attempts")?).unwrap_or(0),
                event_id: row.try_get("", "event_id")?,
                body: row.try_get("", "body")?,
                url: row.try_get("", "url")?,
                secrets,
            })
        })
        .collect()
}

/// What one attempt brought.
#[derive(Debug, Clone)]
pub struct AttemptResult {
    pub delivery_id: Uuid,
    pub endpoint_id: Uuid,
    /// This attempt's number (1 for the first).
    pub number: u32,
    pub started_at: DateTime<Utc>,
    pub status: Option<u16>,
    pub duration_ms: u32,
    pub error: Option<String>,
    pub delivered: bool,
    /// When to try again after a failure; `None`: never (the delivery has failed).
    pub retry_at: Option<DateTime<Utc>>,
}

/// Records a batch of attempts in one transaction: the log, each delivery's state (only
/// while `worker` still holds its lease), and the endpoints' run of failures; an endpoint
/// failing since before `disable_before` is disabled. Returns the endpoints disabled.
///
/// # Errors
/// [`StoreError::Db`] when the database fails; nothing is then changed.
pub async fn record_attempts(
    db: &impl Conn,
    worker: &str,
    results: &[AttemptResult],
    disable_before: DateTime<Utc>,
) -> Result<Vec<Uuid>, StoreError> {
    if results.is_empty() {
        return Ok(Vec::new());
    }
    let txn = begin_write(db).await?;
    let mut log: Vec<Value> = Vec::with_capacity(results.len() * 7);
    for r in results {
        log.extend([
            Uuid::now_v7().into(),
            r.delivery_id.into(),
            i32::try_from(r.number).unwrap_or(i32::MAX).into(),
            r.started_at.into(),
            r.status.map(i32::from).into(),
            i32::try_from(r.duration_ms).unwrap_or(i32::MAX).into(),
            r.error.clone().into(),
        ]);
    }
    for chunk in log.chunks(700) {
        let rows = vec!["(?, ?, ?, ?, ?, ?, ?)"; chunk.len() / 7].join(", ");
        let sql = format!(
            "INSERT INTO webhook_attempts (id, delivery_id, number, started_at, status_code, \
             duration_ms, error) VALUES {rows}"
        );
        txn.execute_raw(stmt(&txn, &sql, chunk.to_vec())).await?;
    }
    let at = now();
    // Per endpoint: whether any attempt of the batch succeeded.
    let mut outcome: BTreeMap<Uuid, bool> = BTreeMap::new();
    for r in results {
        *outcome.entry(r.endpoint_id).or_default() |= r.delivered;
        let state = if r.delivered {
            DeliveryState::Delivered
        } else if r.retry_at.is_some() {
            DeliveryState::Pending
        } else {
            DeliveryState::Failed
        };
        let sql = "UPDATE webhook_deliveries SET state = ?, attempts = ?, \
                   next_attempt_at = COALESCE(?, next_attempt_at), lease_until = NULL, \
                   leased_by = NULL, last_attempt_at = ?, last_status = ?, \
                   last_duration_ms = ?, last_error = ?, delivered_at = ? \
                   WHERE id = ? AND leased_by = ?";
        let values = vec![
            state.as_str().into(),
            i32::try_from(r.number).unwrap_or(i32::MAX).into(),
            r.retry_at.into(),
            r.started_at.into(),
            r.status.map(i32::from).into(),
            i32::try_from(r.duration_ms).unwrap_or(i32::MAX).into(),
            r.error.clone().into(),
            r.delivered.then_some(at).into(),
            r.delivery_id.into(),
            worker.into(),
        ];
        txn.execute_raw(stmt(&txn, sql, values)).await?;
    }
    let (ok, failing): (Vec<_>, Vec<_>) = outcome.into_iter().partition(|(_, ok)| *ok);
    if !ok.is_empty() {
        let sql = format!(
            "UPDATE webhook_endpoints SET failing_since = NULL \
             WHERE failing_since IS NOT NULL AND id IN ({})",
            marks(ok.len())
        );
        let values = ok.iter().map(|(id, _)| Value::from(*id)).collect();
        txn.execute_raw(stmt(&txn, &sql, values)).await?;
    }
    let mut disabled = Vec::new();
    if !failing.is_empty() {
        let ids: Vec<Value> = failing.iter().map(|(id, _)| Value::from(*id)).collect();
        let sql = format!(
            "UPDATE webhook_endpoints SET failing_since = ? \
             WHERE failing_since IS NULL AND id IN ({})",
            marks(ids.len())
        );
        let values = std::iter::once(Value::from(at))
            .chain(ids.clone())
            .collect();
        txn.execute_raw(stmt(&txn, &sql, values)).await?;
        let sql = format!(
            "UPDATE webhook_endpoints SET enabled = ?, disabled_reason = ?, updated_at = ? \
             WHERE enabled AND failing_since < ? AND id IN ({}) RETURNING id",
            marks(ids.len())
        );
        let values = [
            Value::from(false),
            Value::from("every attempt failed for too long".to_owned()),
            Value::from(at),
            Value::from(disable_before),
        ]
        .into_iter()
        .chain(ids)
        .collect();
        for row in txn.query_all_raw(stmt(&txn, &sql, values)).await? {
            disabled.push(row.try_get("", "id")?);
        }
    }
    txn.commit().await?;
    Ok(disabled)
}
