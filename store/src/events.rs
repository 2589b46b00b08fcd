//! The event outbox: an event is written in the transaction of the change it tells of
//! ([`insert_event`] on the caller's [`crate::WriteTx`]), so it exists if and only if the
//! change does. The webhook worker makes its deliveries ([`crate::webhooks::fan_out`]);
//! subscriptions read events after the last one they saw ([`events_after`]).

use chrono::{DateTime, NaiveDate, Utc};
use domain::events::{Audience, EventType};
use sea_orm::{DbBackend, Statement, Value};
use uuid::Uuid;

use crate::audit::numbered;
use crate::{Conn, StoreError};

/// An event as stored: its type, whom it concerns, and the body sent to webhooks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: Uuid,
    pub event_type: EventType,
    pub occurred_at: DateTime<Utc>,
    pub audience: Audience,
    /// The JSON document sent as a webhook's body: `type`, `timestamp`, `data`.
    pub body: String,
}

/// A new event. When `audience.mentor_id` is `None` and a program is named, the mentor is
/// the program's, read in the same statement.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub id: Uuid,
    pub event_type: EventType,
    pub occurred_at: DateTime<Utc>,
    pub audience: Audience,
    pub body: String,
    /// Makes the event happen once: a second with the same key is not written.
    pub dedupe_key: Option<String>,
}

/// Writes an event (in the caller's transaction, so that it commits with the change);
/// `false` when its `dedupe_key` was written before.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn insert_event(db: &impl Conn, event: &NewEvent) -> Result<bool, StoreError> {
    let backend = db.get_database_backend();
    let sql = "INSERT INTO events (id, event_type, occurred_at, program_id, mentor_id, \
               subject_id, body, dedupe_key) VALUES (?, ?, ?, ?, \
               COALESCE(?, (SELECT p.mentor_id FROM programs p WHERE p.id = ?)), ?, ?, ?) \
               ON CONFLICT DO NOTHING";
    let values: Vec<Value> = vec![
        event.id.into(),
        event.event_type.name().into(),
        event.occurred_at.into(),
        event.audience.program_id.into(),
        event.audience.mentor_id.into(),
        event.audience.program_id.into(),
        event.audience.subject_id.into(),
        event.body.clone().into(),
        event.dedupe_key.clone().into(),
    ];
    let done = db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            numbered(backend, sql),
            values,
        ))
        .await?;
    Ok(done.rows_affected() == 1)
}

const COLUMNS: &str = "id, event_type, occurred_at, program_id, mentor_id, subject_id, body";

fn event_from(row: &sea_orm::QueryResult) -> Result<Event, StoreError> {
    let name: String = row.try_get("", "event_type")?;
    Ok(Event {
        id: row.try_get("", "id")?,
        event_type: EventType::parse(&name)
            .ok_or_else(|| StoreError::corrupt(format!("event type {name}")))?,
        occurred_at: row.try_get("", "occurred_at")?,
        audience: Audience {
            program_id: row.try_get("", "program_id")?,
            mentor_id: row.try_get("", "mentor_id")?,
            subject_id: row.try_get("", "subject_id")?,
        },
        body: row.try_get("", "body")?,
    })
}

/// Up to `limit` events written after the event `after` (by id: ids grow with time), oldest
/// first. Ids are made before commit, so on PostgreSQL a transaction that commits late can
/// write an id below one already read: readers that must see every event re-read a short
/// window behind their last id (`subscriptions`' hub does).
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn events_after(
    db: &impl Conn,
    after: Uuid,
    limit: u64,
) -> Result<Vec<Event>, StoreError> {
    let backend = db.get_database_backend();
    let sql = format!("SELECT {COLUMNS} FROM events WHERE id > ? ORDER BY id LIMIT ?");
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            numbered(backend, &sql),
            [after.into(), to_i64(limit).into()],
        ))
        .await?;
    rows.iter().map(event_from).collect()
}

/// The id of the latest event, if any (where a new reader starts).
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn latest_event_id(db: &impl Conn) -> Result<Option<Uuid>, StoreError> {
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT id FROM events ORDER BY id DESC LIMIT 1",
        ))
        .await?;
    Ok(match row {
        Some(row) => Some(row.try_get("", "id")?),
        None => None,
    })
}

/// Events by id, in id order.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn events_by_ids(db: &impl Conn, ids: &[Uuid]) -> Result<Vec<Event>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let marks = vec!["?"; ids.len()].join(", ");
    let sql = format!("SELECT {COLUMNS} FROM events WHERE id IN ({marks}) ORDER BY id");
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            numbered(backend, &sql),
            ids.iter().map(|id| Value::from(*id)),
        ))
        .await?;
    rows.iter().map(event_from).collect()
}

/// A client whose re-qualification date has passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overdue {
    pub prospect_id: Uuid,
    pub program_id: Uuid,
    pub owner_id: Uuid,
    pub name: String,
    pub requalify_by: NaiveDate,
}

/// Clients (not ended, prospect not archived) whose re-qualification date lies in
/// `[since, before)`: what went overdue between two days. At most `limit`.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn overdue_between(
    db: &impl Conn,
    since: NaiveDate,
    before: NaiveDate,
    limit: u64,
) -> Result<Vec<Overdue>, StoreError> {
    let backend = db.get_database_backend();
    let sql = "SELECT p.id, p.program_id, p.owner_id, p.name, p.requalify_by FROM prospects p \
               WHERE p.archived_at IS NULL AND p.requalify_by >= ? AND p.requalify_by < ? \
               AND EXISTS (SELECT 1 FROM clients c WHERE c.prospect_id = p.id \
               AND c.ended_on IS NULL) ORDER BY p.requalify_by, p.id LIMIT ?";
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            numbered(backend, sql),
            [since.into(), before.into(), to_i64(limit).into()],
        ))
        .await?;
    rows.iter()
        .map(|row| {
            Ok(Overdue {
                prospect_id: row.try_get("", "id")?,
                program_id: row.try_get("", "program_id")?,
                owner_id: row.try_get("", "owner_id")?,
                name: row.try_get("", "name")?,
                requalify_by: row.try_get("", "requalify_by")?,
            })
        })
        .collect()
}

pub(crate) fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Whether the database is PostgreSQL (its row locks let several instances share work).
pub(crate) fn is_postgres(db: &impl Conn) -> bool {
    db.get_database_backend() == DbBackend::Postgres
}

/// Told when events commit anywhere (PostgreSQL's `LISTEN` on the channel the events
/// table's trigger notifies): how the instances that share a database learn of each
/// other's events at once.
pub struct EventListener(sqlx::postgres::PgListener);

impl EventListener {
    /// A listener on PostgreSQL; `None` on SQLite (one process: its own events are all).
    ///
    /// # Errors
    /// [`StoreError::Db`] when the connection or the `LISTEN` fails.
    pub async fn connect(db: &crate::Db) -> Result<Option<EventListener>, StoreError> {
        if sea_orm::ConnectionTrait::get_database_backend(db) != DbBackend::Postgres {
            return Ok(None);
        }
        let pool = db.pool().get_postgres_connection_pool();
        let mut listener = sqlx::postgres::PgListener::connect_with(pool)
            .await
            .map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(format!("listen: {e}"))))?;
        listener
            .listen("qualify_events")
            .await
            .map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(format!("listen: {e}"))))?;
        Ok(Some(EventListener(listener)))
    }

    /// Waits for the next notification (reconnecting when the connection drops).
    ///
    /// # Errors
    /// [`StoreError::Db`] when the connection fails for good.
    pub async fn next(&mut self) -> Result<(), StoreError> {
        self.0
            .recv()
            .await
            .map(|_| ())
            .map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(format!("listen: {e}"))))
    }
}

/// The outbox's backlog: events not yet made into deliveries, and deliveries pending
/// (for metrics). Two counts through partial indexes.
///
/// # Errors
/// [`StoreError::Db`] when the database fails.
pub async fn backlog(db: &impl Conn) -> Result<(i64, i64), StoreError> {
    let backend = db.get_database_backend();
    let count = |sql: &'static str| Statement::from_string(backend, sql);
    let events = db
        .query_one_raw(count(
            "SELECT COUNT(*) AS n FROM events WHERE dispatched_at IS NULL",
        ))
        .await?
        .map(|row| row.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0);
    let deliveries = db
        .query_one_raw(count(
            "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE state = 'pending'",
        ))
        .await?
        .map(|row| row.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0);
    Ok((events, deliveries))
}
